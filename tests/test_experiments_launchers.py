"""A sweep gives the same collected table whatever launches it: serial (Hydra's basic
launcher), joblib (the default), submitit's local mode (as SLURM would) and Ray."""

from __future__ import annotations

import importlib.util

import pytest

from tests.experiments_helpers import assert_same_tables, collected, serial, sweep  # noqa: F401


def test_serial_sweep_collects_every_job(serial):
    assert list(serial.runs["status"]) == ["finished"] * 4
    assert set(serial.metrics[["scheme", "seed"]].itertuples(index=False)) == {
        ("none", 1), ("trios", 1), ("none", 2), ("trios", 2)}
    assert serial.metrics["gap_months"].notna().all()


@pytest.mark.parametrize("launcher", [
    "schoolsim_joblib", pytest.param("joblib", marks=pytest.mark.slow)])
def test_joblib_matches_serial(serial, tmp_path, launcher):
    """The default launcher (schoolsim_joblib, built on hydra-joblib-launcher's job runner)
    and, among the slow tests, hydra-joblib-launcher's own."""
    sweep(tmp_path / "sweep", launcher, ["hydra.launcher.n_jobs=2"])
    assert_same_tables(collected(tmp_path / "sweep"), serial)


def test_submitit_local_matches_serial(serial, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher",
                        reason="hydra-submitit-launcher not installed: pip install -e '.[slurm]'")
    sweep(tmp_path / "sweep", "submitit_local", ["hydra.launcher.timeout_min=5"])
    assert (tmp_path / "sweep" / ".submitit").is_dir()
    assert_same_tables(collected(tmp_path / "sweep"), serial)


RAY = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None


@pytest.mark.skipif(not RAY, reason="hydra-ray-launcher not installed here; it needs its own "
                    "venv (its cloudpickle<3 pin conflicts with joblib>=1.6): `make test-ray`")
def test_ray_local_matches_serial(serial, tmp_path):
    sweep(tmp_path / "sweep", "ray", ["+hydra.launcher.ray.init.num_cpus=2",
                                      "+hydra.launcher.ray.init.include_dashboard=false"],
          env={"RAY_USAGE_STATS_ENABLED": "0"})
    assert_same_tables(collected(tmp_path / "sweep"), serial)
