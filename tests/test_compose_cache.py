"""Composing many configs with the groups' part cached (`sim.compose.Composer`, the sweep
launcher's `SweepConfigs`) gives exactly the configs, and the errors, of composing each
from the YAML files."""

from __future__ import annotations

import time

import pytest
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim.compose import Composer, compose_config
from sim.errors import ConfigError
from tests.bad_inputs import SMALL_BASE, VALUE_CASES

# Group choices before and after values, scenarios and experiments that override groups,
# adds, the same groups with other values (cache hits), keys set twice, a list value.
JOBS = [
    [],
    ["seed=3"],
    ["seed=4", "years=2"],
    ["region=gm", "scheme=families", "scheme.min_size=4", "seed=5"],
    ["scheme.min_size=5", "scheme=families", "region=gm", "seed=6"],
    ["scheme=families", "region=gm", "seed=6"],
    ["+scenario=gm_challenge", "seed=2"],
    ["+scenario=gm_challenge", "seed=3", "policy.funding.end_year=2.0"],
    ["+scenario=history_academies", "years=3"],
    ["+experiment=funding_duration", "seed=7"],
    ["calibration=none", "trust.growth=0.1", "seed=8"],
    ["scheme=market", "seed=9", "seed=10"],
    ["scheme=trios", "region.n_schools=300", "region.la_weights=[1,2,3,4,5,6,7,8,9,10]"],
    ["hydra/launcher=basic", "hydra.sweep.dir=elsewhere", "seed=11"],
    ["seed=12", "hydra.job.chdir=true", "hydra/launcher=basic"],
]


def yaml(cfg) -> str:
    return OmegaConf.to_yaml(cfg)


def test_composer_gives_the_configs_compose_config_gives():
    composer = Composer()
    for job in [*JOBS, *JOBS]:  # the second time round every choice of groups is cached
        assert yaml(composer.compose(job)) == yaml(compose_config(job)), job


def test_composer_copies_do_not_share_state():
    composer = Composer()
    a = composer.compose(["seed=1"])
    a.years = 7
    assert composer.compose(["seed=2"]).years == compose_config([]).years != 7


# One case of each kind: a value out of range, the wrong type, an unknown key or group, a
# bad list, a bad combination; the whole corpus among the slow tests.
KINDS = ("years=0", "seed=abc", "nope=1", "scheme=nope", "region.primary_share=nan",
         "region.la_weights=[1,1,1,1,1,1,1,1,1,-1]", "output.progress=maybe",
         "scheme=families")


@pytest.mark.parametrize("case", [
    c if c[0][0] in KINDS else pytest.param(c, marks=pytest.mark.slow) for c in VALUE_CASES],
    ids=lambda c: " ".join(c[0]))
def test_composer_refuses_bad_values_with_compose_configs_line(case):
    args = [*SMALL_BASE, *case[0]]
    with pytest.raises(ConfigError) as full:
        compose_config(args)
    composer = Composer()
    composer.compose(list(SMALL_BASE))  # the groups' config cached first
    with pytest.raises(ConfigError) as cached:
        composer.compose(args)
    assert str(cached.value) == str(full.value)


def test_sweep_configs_are_hydras_sweep_configs():
    from hydra_plugins.schoolsim_launcher import SweepConfigs

    with initialize_config_module(config_module="configs", version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration("config", ["hydra/launcher=basic"], RunMode.MULTIRUN)
        sweep_dir = master.hydra.sweep.dir  # resolved once (${now:...}), as the sweep does
        configs = SweepConfigs(loader, master)
        for job in [*JOBS, *JOBS]:
            time.sleep(0.001)  # a later ${now:...} would show as another folder
            cached, full = configs.load(job), loader.load_sweep_config(master, job)
            assert yaml(cached) == yaml(full), job
            assert cached.hydra.sweep.dir == full.hydra.sweep.dir
            assert cached.hydra.sweep.dir == sweep_dir or "hydra.sweep.dir=elsewhere" in job
            assert list(cached.hydra.overrides.task) == [o for o in job if "hydra" not in o]


def test_a_sweep_over_many_seeds_is_checked_with_three_compositions(monkeypatch):
    """`schoolsim -m seed=range(1,60)` checks every seed before Hydra starts: the sweep's own
    config (for an experiment's swept values, `hydra.sweeper.params`), the first job
    composed in full (with Hydra's settings), the other 58 from one cached composition."""
    import sim.compose
    from sim.cli_input import check_arguments

    composed = []
    full = sim.compose._compose
    monkeypatch.setattr(sim.compose, "_compose",
                        lambda overrides, hydra: composed.append(overrides) or full(overrides,
                                                                                   hydra))
    check_arguments(["-m", "seed=range(1,60)", "years=2", "hydra.sweep.dir=elsewhere"])
    assert len(composed) == 3
    with pytest.raises(ConfigError, match="seed=-1"):
        check_arguments(["-m", "seed=range(5,-2,-1)", "years=2"])
