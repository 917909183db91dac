"""The sweeper (hydra_plugins/schoolsim_sweeper): a bad override in any job stops the sweep
before any job runs, as Hydra's basic sweeper does, with fewer compositions."""

from __future__ import annotations

import pytest

from tests.experiments_helpers import schoolsim


@pytest.mark.parametrize("override, message", [
    ("seed=1,x", "seed=x is not a whole number"),
    ("trust.growt=0.1,0.2", "unknown config key 'trust.growt'"),
    ("scheme=trios,foo", "scheme=foo is unknown"),
])
def test_bad_override_in_one_job_stops_the_sweep_before_any_job(tmp_path, override, message):
    """Checked before Hydra starts (sim.cli_input): one line, exit 2, no sweep folder."""
    sweep_dir = tmp_path / "sweep"
    proc = schoolsim(["-m", "years=1", "region.n_schools=60", override, "hydra/launcher=basic",
                      f"hydra.sweep.dir={sweep_dir}"], cwd=tmp_path, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"schoolsim: error: {message}")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not sweep_dir.exists()


def test_uses_the_light_sweeper():
    from hydra_plugins.schoolsim_sweeper import LightBasicSweeper
    from sim.compose import compose_config  # noqa: F401  (registers the schemas)
    from hydra import compose, initialize_config_module

    with initialize_config_module(config_module="configs", version_base="1.3"):
        cfg = compose("config", return_hydra_config=True)
    assert cfg.hydra.sweeper._target_.endswith(LightBasicSweeper.__name__)
