"""The sweep definitions in configs/experiment/: each composes, says what it asks, expands
to the planned number of jobs, and every job's config is one the model accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra

from experiments.plan import jobs_from_config
from sim.compose import compose_config

EXPERIMENTS = Path(__file__).parents[1] / "configs" / "experiment"


def plan(name: str, extra: list[str] = ()):
    with initialize_config_module(config_module="configs", version_base="1.3"):
        cfg = compose("config", overrides=[f"+experiment={name}", *extra],
                      return_hydra_config=True)
        return jobs_from_config(cfg, GlobalHydra.instance().config_loader())


@pytest.mark.parametrize("name, minimum", [
    ("compare_schemes", 4 * 20), ("funding_duration", 6 * 2 * 10), ("trust_brokering", 2 * 5 * 10),
    ("network_structure", 7 * 10),
])
def test_experiment_expands_and_every_setting_is_accepted(name, minimum):
    text = (EXPERIMENTS / f"{name}.yaml").read_text()
    assert text.startswith("# @package _global_") and f"+experiment={name}" in text
    jobs = plan(name)
    assert len(jobs) >= minimum
    assert len({j.overrides for j in jobs}) == len(jobs)
    seen = {}
    for job in jobs:  # one job per distinct value of each swept key (seeds need none)
        for key, value in job.swept_values().items():
            if key != "seed" and (key, value) not in seen:
                seen[key, value] = job
    for job in set(seen.values()):
        compose_config([f"+experiment={name}", *[o for o in job.overrides
                                                 if not o.startswith("+experiment")]])


def test_compare_schemes_covers_every_scheme_and_20_seeds():
    from sim.schemes import SCHEMES

    jobs = plan("compare_schemes")
    values = [j.swept_values() for j in jobs]
    assert {v["scheme"] for v in values} == set(SCHEMES)
    assert {v["seed"] for v in values} == set(range(1, 21))


def test_funding_duration_sweeps_one_to_six_funded_years():
    years = {j.swept_values()["policy.funding.end_year"] for j in plan("funding_duration")}
    assert set(range(1, 7)) <= years
