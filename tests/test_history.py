"""The history of England beside the DfE gap index (experiments/history.py), on hand-made
model outputs; and the history scenario's composition."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from experiments import evidence, history


def model_frame(ks2_by_seed: dict[int, list[float]]) -> pd.DataFrame:
    """Per seed a KS2 index by run year 1..n (KS4 = KS2 + 1, disadvantaged attainment -year)."""
    rows = []
    for seed, values in ks2_by_seed.items():
        for year, value in enumerate(values, 1):
            rows.append({"seed": seed, "year": year, "index_ks2": value, "index_ks4": value + 1,
                         "attainment_disadvantaged_ks2": -float(year),
                         "attainment_disadvantaged_ks4": -2.0 * year})
    return pd.DataFrame(rows)


def test_run_years_are_school_years_from_2010_11():
    assert [history.school_year(y) for y in (1, 9, 10, 14)] == [
        "2010/11", "2018/19", "2019/20", "2023/24"]
    assert history.school_year(89) == "2098/99" and history.school_year(90) == "2099/00"


def test_the_model_beside_the_dfe_series():
    table = history.beside_dfe(model_frame({1: [3.0] * 9, 2: [3.4] * 9}))
    first = table[(table["stage"] == "ks2") & (table["school_year"] == "2010/11")].iloc[0]
    assert first["dfe"] == 3.341 and first["model_mean"] == pytest.approx(3.2)
    assert (first["model_low"], first["model_high"], first["seeds"]) == (3.0, 3.4, 2)
    assert first["attainment_disadvantaged_months"] == -1.0
    last_ks4 = table[(table["stage"] == "ks4") & (table["school_year"] == "2018/19")].iloc[0]
    assert last_ks4["dfe"] == 3.70 and last_ks4["model_mean"] == pytest.approx(4.2)


def test_decade_changes_read_both_series_the_same_way():
    falling = [4.0 - 0.1 * k for k in range(9)]          # change 8 * -0.1 / 4 = -0.2
    changes = history.decade_changes(model_frame({1: falling, 2: [3.0] * 9})).set_index("stage")
    ks2 = changes.loc["ks2"]
    real = evidence.trend_change(evidence.gap_index()["ks2"])
    assert ks2["dfe_change"] == pytest.approx(real.change)
    assert (ks2["dfe_low"], ks2["dfe_high"]) == pytest.approx(real.band())
    assert (ks2["model_low"], ks2["model_high"]) == pytest.approx((-0.2, 0.0))
    assert ks2["model_mean"] == pytest.approx(-0.1)


def test_predicted_changes_are_relative_to_2018_19():
    values = [3.0] * 8 + [2.0, 2.2, 2.4, 2.0, 2.0, 1.8]    # 2018/19 = 2.0
    other = [3.0] * 8 + [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    table = history.predicted_changes(model_frame({1: values, 2: other}))
    ks2 = table[table["stage"] == "ks2"].set_index("school_year")
    assert list(ks2.index) == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
    assert ks2.loc["2020/21", "value"] == pytest.approx(0.1)       # (0.2 + 0) / 2
    assert (ks2.loc["2020/21", "low"], ks2.loc["2020/21", "high"]) == pytest.approx((0.0, 0.2))
    assert ks2.loc["2023/24", "value"] == pytest.approx(-0.05) and ks2["runs"].eq(2).all()


def test_the_history_scenario_is_real_england_with_the_reforms_of_the_decade():
    cfg = sim.compose_config(["+scenario=history"])
    assert (cfg.region.name, cfg.scheme.name, cfg.years) == ("england_real", "trusts", 9)
    assert cfg.scheme.history_from_year == 2010
    assert cfg.policy.pupil_premium.enabled and cfg.policy.pupil_premium.start_year == 1.0
    base = sim.compose_config([f"+scenario={cfg.scenario_baseline}"])
    assert (base.scheme.name, base.policy.pupil_premium.enabled) == ("none", False)


def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys):
    assert history.main(["predict", "--seeds", "x", "-o", str(tmp_path / "p.json")]) == 2
    assert history.main(["predict", "-o", str(tmp_path)]) == 2          # exists: not new
    assert history.main(["predict", "--scenario", history.BASELINE, "-o",
                         str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("history: error: ") for line in err)
    assert list(tmp_path.iterdir()) == []



@pytest.mark.slow
def test_the_history_runs_on_one_authority_and_writes_the_index_beside_the_dfe(tmp_path):
    code = history.main(["--seeds", "1,2", "-o", str(tmp_path), "--override",
                         "region.local_authorities=[Trafford,Salford]"])
    assert code == 0
    table = pd.read_csv(tmp_path / "gap_index.csv", dtype={"school_year": str})
    assert len(table) == 2 * 9 and set(table["stage"]) == {"ks2", "ks4"}
    dfe = evidence.gap_index().set_index("school_year")
    for row in table.itertuples():
        assert row.dfe == dfe.loc[row.school_year, row.stage] and row.seeds == 2
        assert 0 < row.model_low <= row.model_mean <= row.model_high < 10
