"""A run's outputs (sim.outputs): the one list of files a run writes, the same bytes on
disk as in the dashboard's zip, and summary.json written after the tables."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import sim
from sim.outputs import OUTPUT_FILES


@pytest.fixture(scope="module")
def result():
    return sim.run(["region.n_schools=60", "years=1", "seed=4", "scheme=trios"], progress=False)


def test_files_in_writing_order_with_the_summary_after_the_tables(result):
    assert list(result.files()) == [*OUTPUT_FILES, "config.yaml"]
    assert list(result.files("csv", with_config=False)) == [
        "metrics.csv", "schools.csv", "partnerships.csv", "results.csv", "diffusion.csv",
        "network.csv", "network_metrics.csv", "summary.json"]
    with pytest.raises(ValueError, match="^fmt=xlsx; allowed: parquet, csv$"):
        result.files("xlsx")


def test_written_files_are_the_same_bytes_and_read_back(result, tmp_path):
    result.write(tmp_path)
    for name, data in result.files().items():
        assert (tmp_path / name).read_bytes() == data, name
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "schools.parquet"), result.schools)
    csv = pd.read_csv(io.BytesIO(result.files("csv")["metrics.csv"]))
    assert list(csv.columns) == list(result.metrics.columns) and len(csv) == len(result.metrics)


def test_graphml_on_request_before_the_summary():
    asked = sim.run(["region.n_schools=60", "years=1", "seed=4", "scheme=trios",
                     "output.graphml=true"], progress=False)
    names = list(asked.files(with_config=False))
    assert names[-2:] == ["network.graphml", "summary.json"]
    assert b"<graphml" in asked.files()["network.graphml"]


def test_setting_reads_the_resolved_config(result):
    assert result.setting("scheme.name") == "trios"
    assert result.setting("region.n_schools") == 60
    assert result.setting("no.such.key", 3.5) == 3.5
