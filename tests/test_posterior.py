"""Runs over a posterior ensemble (sim/posterior.py): each run's parameter set is a
function of its seed alone, whatever the process, scenario or launcher."""

from __future__ import annotations

import multiprocessing

import pandas as pd
import pytest
from omegaconf import OmegaConf

import sim
import sim.posterior
from sim.errors import ConfigError
from sim.posterior import draw_index, load_ensemble, with_draw

ROWS = 7


@pytest.fixture()
def ensemble(tmp_path):
    path = tmp_path / "ensemble.csv"
    pd.DataFrame({"trust.growth": [0.02 + 0.01 * k for k in range(ROWS)],
                  "exchange.learning_rate": [0.1 + 0.02 * k for k in range(ROWS)]}
                 ).to_csv(path, index=False)
    load_ensemble.cache_clear()
    return path


def drawn(path, *overrides):
    cfg = with_draw(sim.compose_config([f"posterior.ensemble={path}", *overrides]))
    return cfg.posterior.index, cfg.trust.growth, cfg.exchange.learning_rate


def _draws_in_a_worker(args):
    path, seeds = args
    return [drawn(path, f"seed={s}")[0] for s in seeds]


def test_same_seed_same_set_in_any_process_count(ensemble):
    seeds = list(range(1, 13))
    here = _draws_in_a_worker((ensemble, seeds))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        split = pool.map(_draws_in_a_worker, [(ensemble, seeds[:6]), (ensemble, seeds[6:])])
    assert split[0] + split[1] == here
    assert here == [draw_index(s, ROWS) for s in seeds]


def test_the_drawn_row_sets_the_settings_and_is_recorded(ensemble):
    index, growth, rate = drawn(ensemble, "seed=5")
    assert growth == pytest.approx(0.02 + 0.01 * index)
    assert rate == pytest.approx(0.1 + 0.02 * index)


def test_a_scenario_and_its_baseline_draw_the_same_set(ensemble):
    assert drawn(ensemble, "seed=9", "scheme=trios") == drawn(ensemble, "seed=9", "scheme=none")
    assert (drawn(ensemble, "seed=9", "+scenario=gm_challenge")
            == drawn(ensemble, "seed=9", "scheme=none"))


def test_seeds_spread_over_the_whole_ensemble(ensemble):
    assert {draw_index(s, ROWS) for s in range(200)} == set(range(ROWS))


def test_a_pinned_row_is_used_and_a_missing_row_is_one_line(ensemble):
    assert drawn(ensemble, "seed=5", "posterior.index=3")[0] == 3
    with pytest.raises(ConfigError, match=r"^posterior.index=7 is not a row of the ensemble; "
                                          r"allowed: -1 \(drawn from the seed\) or 0 to 6$"):
        drawn(ensemble, "posterior.index=7")


def test_a_set_outside_a_setting_range_is_an_error_not_clamped(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"trust.growth": [-0.5]}).to_csv(path, index=False)
    load_ensemble.cache_clear()
    with pytest.raises(ConfigError, match="trust.growth=-0.5"):
        drawn(path)


def test_a_column_that_is_no_setting_is_one_line(tmp_path):
    path = tmp_path / "typo.csv"
    pd.DataFrame({"trust.grwth": [0.1]}).to_csv(path, index=False)
    load_ensemble.cache_clear()
    with pytest.raises(ConfigError, match="^posterior.ensemble has column 'trust.grwth'"):
        drawn(path)


def test_a_run_records_the_row_it_used(ensemble):
    result = sim.run([f"posterior.ensemble={ensemble}", "seed=4", "years=1",
                      "region.n_schools=60", "scheme=none"])
    assert OmegaConf.select(result.config, "posterior.index") == draw_index(4, ROWS)
    assert result.config.trust.growth == pytest.approx(0.02 + 0.01 * draw_index(4, ROWS))


def test_without_an_ensemble_nothing_is_drawn():
    cfg = sim.compose_config(["seed=3"])
    assert with_draw(cfg) is cfg and cfg.posterior.index == -1


def test_the_shipped_posterior_is_a_group_whose_sets_are_valid_settings():
    load_ensemble.cache_clear()
    cfg = sim.compose_config(["calibration=posterior", "seed=11"])
    assert cfg.posterior.ensemble == "calibration/posterior.csv"
    table = load_ensemble(sim.posterior.ensemble_path(cfg.posterior.ensemble))
    assert len(table) >= 100
    for row in (0, len(table) - 1):      # validated on the way in: a bad set raises
        pinned = with_draw(sim.compose_config(["calibration=posterior",
                                               f"posterior.index={row}"]))
        for key, value in table.iloc[row].items():
            assert OmegaConf.select(pinned, key) == pytest.approx(value)


def test_runs_over_the_posterior_stay_one_scenario_with_parameter_uncertainty(ensemble):
    from analysis.load import from_results, parameter_draws
    from sim.effects import FIXED, POSTERIOR

    common = ["years=1", "region.n_schools=60", "output.print_summary=false"]
    drew = [sim.run([f"posterior.ensemble={ensemble}", f"seed={s}", f"scheme={scheme}",
                     *common]) for s in (1, 2, 3) for scheme in ("none", "trios")]
    assert len({r.config.trust.growth for r in drew}) > 1     # the seeds drew different sets
    tables = from_results(drew)
    assert sorted(tables.runs["scenario"].unique()) == ["none", "trios"]
    assert parameter_draws(tables.runs) == POSTERIOR
    fixed = from_results([sim.run(["seed=1", "scheme=none", *common])])
    assert parameter_draws(fixed.runs) == FIXED
