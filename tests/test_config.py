"""Config validation: values the model cannot run with are one-line ConfigErrors."""

from __future__ import annotations

import pytest

import sim


@pytest.mark.parametrize("override, names", [
    ("school.expertise_mean=0", "school.expertise_mean=0"),
    ("school.expertise_mean=1", "school.expertise_mean=1"),
    ("school.leadership_days_mean=0", "school.leadership_days_mean=0"),
    ("exchange.max_distance=0", "exchange.max_distance=0"),
    ("improvement.rate=-0.1", "improvement.rate=-0.1"),
    ("improvement.turnover_shock_probability=1.5", "improvement.turnover_shock_probability=1.5"),
    ("trust.growth=2", "trust.growth=2"),
    ("seed=-1", "seed=-1"),
    ("years=0", "years=0"),
    ("scheme.mode=sideways", "scheme.mode=sideways"),
    ("scheme=nonsense", "scheme=nonsense"),
    ("region.fsm_mean=0", "region.fsm_mean=0"),
    ("pupils.progress.weights_other=[0.5,0.5,0.5]", "pupils.progress.weights_other"),
])
def test_bad_values_are_one_line_config_errors(override, names):
    with pytest.raises(sim.ConfigError) as info:
        sim.compose_config([override])
    message = str(info.value)
    assert "\n" not in message and names in message and "allowed" in message


@pytest.mark.parametrize("override", [
    "school.expertise_mean=0.05", "school.leadership_days_mean=0.5", "exchange.max_distance=0.01",
    "improvement.rate=0", "trust.growth=1", "school.openness_mean=0",
])
def test_edge_values_that_work_are_accepted_and_run(override):
    result = sim.run([override, "region.n_schools=100", "years=1"], progress=False)
    assert not result.metrics.drop(columns="mean_trust").isna().any().any()
    assert not result.schools.isna().any().any()
