"""End to end: the `schoolsim` command (and `python -m sim`) and the `sim.run` API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim

VENV_BIN = Path(sys.executable).parent
SCHOOLSIM = VENV_BIN / "schoolsim"
SMALL = ["years=1", "region.n_schools=200"]


def run_cli(args, cwd, module=False):
    command = ([sys.executable, "-m", "sim"] if module else [str(SCHOOLSIM)]) + list(args)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def run_folders(cwd: Path) -> list[Path]:
    return sorted(p for p in (cwd / "outputs").glob("*/*") if p.is_dir())


def check_run_folder(folder: Path, scheme: str, n_schools: int, years: int):
    for name in ("metrics.parquet", "schools.parquet", "summary.json"):
        assert (folder / name).is_file(), name
    assert (folder / ".hydra" / "config.yaml").is_file()
    assert (folder / ".hydra" / "overrides.yaml").is_file()
    assert not list(folder.glob(".*.partial"))
    metrics = pd.read_parquet(folder / "metrics.parquet")
    schools = pd.read_parquet(folder / "schools.parquet")
    summary = json.loads((folder / "summary.json").read_text())
    assert metrics["week"].tolist() == [13 * t for t in range(3 * years + 1)]
    required = {"week", "year", "expertise_mean", "expertise_sd_between",
                "attainment_disadvantaged", "attainment_other", "gap_months",
                "gap_months_primary", "gap_months_secondary", "between_school_sd", "segregation"}
    assert required <= set(metrics.columns)
    assert {"year", "school_id", "local_authority", "phase", "pupils", "disadvantaged_share",
            "expertise_mean", "attainment_disadvantaged", "attainment_other",
            "partners"} <= set(schools.columns)
    assert len(schools) == n_schools * (years + 1)
    assert summary["scheme"] == scheme and summary["n_schools"] == n_schools
    assert summary["years"] == years and "seed" in summary and "runtime_seconds" in summary
    assert summary["last"]["gap_months"] == pytest.approx(metrics["gap_months"].iloc[-1])
    assert summary["first"]["segregation"] == pytest.approx(metrics["segregation"].iloc[0])
    return metrics, schools, summary


def test_schoolsim_writes_its_outputs(tmp_path):
    proc = run_cli(SMALL, tmp_path)
    assert proc.returncode == 0, proc.stderr
    folders = run_folders(tmp_path)
    assert len(folders) == 1 and folders[0].name.endswith("_trios")
    check_run_folder(folders[0], "trios", 200, 1)
    assert "Disadvantage gap" in proc.stdout
    assert "outputs: " in proc.stdout and folders[0].name in proc.stdout
    assert "schoolsim: error" not in proc.stderr


def test_python_dash_m_sim_works_too(tmp_path):
    proc = run_cli(["scheme=market", "seed=3", "years=2", "region.n_schools=150"], tmp_path,
                   module=True)
    assert proc.returncode == 0, proc.stderr
    folders = run_folders(tmp_path)
    assert len(folders) == 1 and folders[0].name.endswith("_market")
    _, _, summary = check_run_folder(folders[0], "market", 150, 2)
    assert summary["seed"] == 3


NO_LA_LISTS = ["region.la_names=[]", "region.la_weights=[]", "region.la_centres_km=[]",
               "region.la_fsm_shares=[]", "region.la_deprivation_shares=[]"]


@pytest.mark.parametrize("args, names", [
    (["scheme=foo"], ["scheme=foo", "allowed", "trios"]),
    (["scheme.bogus=1"], ["scheme.bogus"]),
    (["improvement.rate=-1"], ["improvement.rate=-1"]),
    (["years=0"], ["years=0"]),
    # Found only when the model is built, after Hydra has made the run folder.
    (["scheme=trios", "region.n_local_authorities=2", *NO_LA_LISTS],
     ["scheme=trios", "3 local authorities", "has 2"]),
], ids=["unknown-scheme", "typo-key", "negative-rate", "zero-years", "trios-two-las"])
def test_bad_input_is_one_line_exit_2_and_no_outputs(tmp_path, args, names):
    proc = run_cli(args, tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("schoolsim: error: ")
    for name in names:
        assert name in lines[0]
    assert not (tmp_path / "outputs").exists(), sorted(tmp_path.rglob("*"))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_removes_only_its_own_folders(tmp_path):
    # Families that cannot be formed are found after Hydra has made the run folder; the
    # folder goes, earlier outputs stay.
    earlier = tmp_path / "outputs" / "2000-01-01" / "00-00-00-000000_trios"
    earlier.mkdir(parents=True)
    (earlier / "summary.json").write_text("{}")
    # 40 schools hold 33 primaries (0.83 of them), fewer than a family of 34: a refusal that
    # does not depend on where the drawn schools lie.
    proc = run_cli(["scheme=families", "region.n_schools=40", "scheme.min_size=34",
                    "scheme.max_size=40"], tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("schoolsim: error: scheme=families")
    assert "the region has 33" in lines[0] and "allowed: scheme.min_size <= 33" in lines[0]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "outputs", "outputs/2000-01-01", "outputs/2000-01-01/00-00-00-000000_trios",
        "outputs/2000-01-01/00-00-00-000000_trios/summary.json"]


# ---------------------------------------------------------------------------- the Python API


def test_run_api_returns_tables_and_writes_nothing(in_tmp):
    result = sim.run({"scheme": "families", "years": 2, "seed": 3, "region.n_schools": 200,
                      "scheme.min_size": 4, "scheme.max_size": 8}, progress=False)
    assert list(in_tmp.iterdir()) == []
    assert isinstance(result.metrics, pd.DataFrame) and len(result.metrics) == 7
    assert isinstance(result.schools, pd.DataFrame) and len(result.schools) == 600
    assert result.summary["scheme"] == "families" and result.summary["seed"] == 3
    assert result.config.scheme.name == "families" and result.config.years == 2
    assert result.model is None
    json.dumps(result.summary)                 # summary.json-ready


def test_run_api_writes_when_asked(in_tmp):
    result = sim.run(["years=1", "region.n_schools=120", "scheme=none"], out_dir="my_run",
                     progress=False)
    out = in_tmp / "my_run"
    assert {"config.yaml", "metrics.parquet", "schools.parquet", "summary.json"} <= {
        p.name for p in out.iterdir()}
    assert not list(out.glob(".*.partial"))
    assert json.loads((out / "summary.json").read_text())["scheme"] == "none"
    assert result.model is None


def test_run_api_bad_input_raises_config_error(in_tmp):
    with pytest.raises(sim.ConfigError, match="scheme=foo"):
        sim.run(["scheme=foo"])
    with pytest.raises(sim.ConfigError, match="improvement.rate"):
        sim.run({"improvement.rate": -1})
    assert list(in_tmp.iterdir()) == []


def test_keep_model_and_agents():
    result = sim.run(["years=1", "region.n_schools=120"], progress=False, keep_model=True)
    model = result.model
    assert isinstance(model, sim.SchoolSystem) and model.finished
    school = model.school(0)
    assert set(school.expertise_by_domain) == {"teaching", "inclusion", "leadership", "curriculum"}
    school.expertise[1] = 0.123                 # a live view over the model's arrays
    assert model.state.expertise[0, 1] == 0.123
    assert all(0 <= t <= 1 for t in school.trust.values())


def test_compose_config_is_validated_and_typed():
    cfg = sim.compose_config(["scheme=market", "seed=8"])
    assert cfg.scheme.name == "market" and cfg.seed == 8 and cfg.region.name == "gm"
    with pytest.raises(sim.ConfigError, match="unknown config key 'exchange.learnin_rate'"):
        sim.compose_config(["exchange.learnin_rate=0.1"])
    with pytest.raises(sim.ConfigError, match="region=atlantis is unknown; allowed: .*gm"):
        sim.compose_config(["region=atlantis"])
