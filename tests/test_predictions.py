"""Held-out predictions (experiments/predictions.py): written once and stamped, compared only
with data read after they were written."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest

from experiments import predictions as p

ROWS = pd.DataFrame({"stage": ["ks2", "ks2"], "school_year": ["2021/22", "2022/23"],
                     "value": [0.10, 0.08], "low": [0.07, 0.05], "high": [0.13, 0.11],
                     "runs": [3, 3]})
WRITTEN = datetime(2026, 12, 6, 22, 0, tzinfo=timezone.utc)


def write(tmp_path, **changes):
    kwargs = {"quantity": "KS2 gap index, relative change from 2018/19",
              "code_version": "0.1.0+src.abc", "status": "not yet calibrated",
              "inputs": {"loss_months_disadvantaged": 4.3}, "seeds": [1, 2, 3],
              "written_at": WRITTEN, **changes}
    return p.write_predictions(tmp_path / "pred.json", ROWS, **kwargs)


def observed(tmp_path, read_at: str):
    path = tmp_path / "observed.csv"
    pd.DataFrame({"stage": ["ks2", "ks2"], "school_year": ["2021/22", "2022/23"],
                  "value": [0.11, 0.20]}).to_csv(path, index=False)
    path.with_suffix(".json").write_text(json.dumps({"read_at": read_at, "source": "DfE"}))
    return path


def test_a_prediction_round_trips_and_is_never_overwritten(tmp_path):
    path = write(tmp_path)
    got = p.read_predictions(path)
    assert got.written_at == WRITTEN and got.code_version == "0.1.0+src.abc"
    assert got.status == "not yet calibrated" and got.seeds == (1, 2, 3)
    pd.testing.assert_frame_equal(got.rows, ROWS)
    with pytest.raises(p.PredictionError, match="exists; allowed: a new file"):
        write(tmp_path)


def test_the_stamp_is_the_writing_time_when_not_given(tmp_path):
    before = p.now_utc()
    got = p.read_predictions(write(tmp_path, written_at=None))
    assert before <= got.written_at <= p.now_utc()


def test_compare_puts_the_observed_value_beside_the_predicted_range(tmp_path):
    pred = p.read_predictions(write(tmp_path))
    frame, read_at, source = p.read_observed(observed(tmp_path, "2026-12-07T09:00:00+00:00"))
    table = p.compare(pred, frame, read_at)
    assert source == "DfE"
    assert table["value_observed"].tolist() == [0.11, 0.20]
    assert table["observed_in_range"].tolist() == [True, False]   # 0.11 in 0.07-0.13


@pytest.mark.parametrize("read_at", ["2026-12-06T21:59:59+00:00", "2026-12-06T22:00:00+00:00",
                                     "2026-12-06T22:30:00+01:00"])   # 21:30 UTC
def test_compare_refuses_a_prediction_written_after_the_data_were_read(tmp_path, read_at):
    pred = p.read_predictions(write(tmp_path))
    frame, when, _ = p.read_observed(observed(tmp_path, read_at))
    with pytest.raises(p.PredictionError) as err:
        p.compare(pred, frame, when)
    assert "is not before the observed data's read_at" in str(err.value)


def test_the_command_refuses_in_one_line_exit_2(tmp_path, capsys):
    path = write(tmp_path)
    obs = observed(tmp_path, "2026-01-01T00:00:00+00:00")
    assert p.main(["compare", str(path), str(obs)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("predictions: error: predictions written_at=")


@pytest.mark.parametrize("change, message", [
    ({"code_version": ""}, "has an empty code_version"),
    ({"written_at": "yesterday"}, "written_at='yesterday'"),
    ({"written_at": "2026-12-06T22:00:00"}, "has no time zone"),
])
def test_a_bad_predictions_file_is_one_line(tmp_path, change, message):
    path = write(tmp_path)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, **change}))
    with pytest.raises(p.PredictionError) as err:
        p.read_predictions(path)
    assert message in str(err.value) and "\n" not in str(err.value)
