"""analysis.load: run folders, folders of runs, collected datasets and runs in memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.load import NoRunsError, find_runs, from_results, load
from tests.analysis_helpers import tiny_run, write_sweep


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    return write_sweep(tmp_path_factory.mktemp("sweep"), schemes=("none", "trios"), seeds=(1, 2))


def test_one_run_folder(sweep_dir):
    t = load(sweep_dir / "trios_1")
    assert list(t.runs["scenario"]) == ["trios"] and list(t.runs["seed"]) == [1]
    for table in (t.metrics, t.schools, t.partnerships):
        assert {"run_id", "scenario", "scheme", "seed"} <= set(table.columns)
    expected = pd.read_parquet(sweep_dir / "trios_1" / "metrics.parquet")
    np.testing.assert_allclose(t.metrics["gap_months"], expected["gap_months"])


def test_folder_of_runs_combines_them(sweep_dir):
    t = load(sweep_dir)
    assert len(find_runs(sweep_dir)) == 4
    assert t.runs_per_scenario().to_dict() == {"none": 2, "trios": 2}
    assert len(t.metrics) == 4 * len(tiny_run("none", 1).metrics)
    assert t.schools.groupby("run_id")["school_id"].nunique().eq(90).all()
    # The scheme without partnerships contributes no links.
    assert set(t.partnerships["scenario"]) == {"trios"}


def test_several_paths_and_in_memory_results_agree(sweep_dir):
    from_disk = load(sweep_dir / "none_1", sweep_dir / "trios_2")
    in_memory = from_results(tiny_run("none", 1), [tiny_run("trios", 2)])
    assert list(from_disk.runs["scenario"]) == list(in_memory.runs["scenario"])
    np.testing.assert_allclose(from_disk.metrics["gap_months"], in_memory.metrics["gap_months"])


def test_settings_that_differ_within_a_scheme_name_the_scenario(tmp_path):
    for p in (0.5, 1.0):
        tiny_run("trios", 1, f"scheme.participation={p}").write(tmp_path / f"p{p}")
    tiny_run("none", 1).write(tmp_path / "none")
    t = load(tmp_path)
    assert sorted(t.scenarios) == ["none", "trios scheme.participation=0.5",
                                   "trios scheme.participation=1"]
    # The swept setting is a column of every table, ready for a heatmap.
    assert sorted(t.metrics["scheme.participation"].dropna().unique()) == [0.5, 1.0]


def test_collected_dataset(tmp_path, sweep_dir):
    """The layout schoolsim-collect writes: runs.parquet plus the stacked tables, each row
    labelled with job and the swept settings."""
    out = tmp_path / "collected"
    out.mkdir()
    jobs = [("none", 1), ("none", 2), ("trios", 1), ("trios", 2)]
    runs = pd.DataFrame({"job": range(4), "scheme": [s for s, _ in jobs],
                         "seed": [k for _, k in jobs], "status": "finished", "error": None})
    runs.loc[len(runs)] = {"job": 4, "scheme": "trios", "seed": 3, "status": "failed",
                           "error": "boom"}
    runs.to_parquet(out / "runs.parquet")
    for name in ("metrics", "schools", "partnerships"):
        frames = [getattr(tiny_run(s, k), name).assign(job=j, scheme=s, seed=k)
                  for j, (s, k) in enumerate(jobs)]
        pd.concat(frames, ignore_index=True).to_parquet(out / f"{name}.parquet")
    for path in (out, out / "metrics.parquet", tmp_path):
        t = load(path)
        assert t.runs_per_scenario().to_dict() == {"none": 2, "trios": 2}  # not the failed job
        direct = load(sweep_dir)
        np.testing.assert_allclose(
            t.metrics.sort_values(["scenario", "seed", "week"])["gap_months"],
            direct.metrics.sort_values(["scenario", "seed", "week"])["gap_months"])


def test_no_runs_is_an_error(tmp_path):
    with pytest.raises(NoRunsError, match=str(tmp_path)):
        load(tmp_path)


def test_jobs_without_outputs_are_listed(tmp_path):
    tiny_run("none", 1).write(tmp_path / "0")
    (tmp_path / "1" / ".hydra").mkdir(parents=True)  # a sweep job that failed
    (tmp_path / "1" / "error.txt").write_text("ConfigError: ...")
    t = load(tmp_path)
    assert len(t.runs) == 1 and t.incomplete == (str(tmp_path / "1"),)


@pytest.mark.slow
def test_real_sweep_and_its_collected_dataset_load_alike(tmp_path):
    """End to end: `schoolsim -m`, then `schoolsim-collect`; both give the same tables."""
    from experiments.collect import collect
    from tests.experiments_helpers import sweep

    sweep_dir = tmp_path / "sweep"
    sweep(sweep_dir, "basic", ["scheme.participation=0.5,1.0"])
    collect(sweep_dir)
    jobs, dataset = load(sweep_dir), load(sweep_dir / "collected")
    assert sorted(jobs.scenarios) == sorted(dataset.scenarios)
    assert len(jobs.scenarios) == 4  # none and trios, each at two participation levels
    key = ["scenario", "seed", "week"]
    np.testing.assert_allclose(jobs.metrics.sort_values(key)["gap_months"],
                               dataset.metrics.sort_values(key)["gap_months"])
