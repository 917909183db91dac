"""Pattern tests: what the model must show on the GM region over 10 years, across seeds.

Each comparison is paired by seed (common random numbers: the same region, starting state
and shared draws). A pattern holds when the mean across seeds goes the stated way *and*
the direction holds in a majority of the seeds.

Seeds: 1-5. (Families of 12-20 cannot be formed for a few seeds of the default GM region,
e.g. 6, 12, 20, 27 among 0-39: a dense cluster of secondaries within 3 km of each other.)
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

import sim

SEEDS = (1, 2, 3, 4, 5)
SCENARIOS = {
    "none": ("scheme=none",),
    "trios": ("scheme=trios",),                  # mutual mode is the trios default
    "families": ("scheme=families",),
    "market": ("scheme=market",),
    "trios_mutual": ("scheme=trios", "scheme.mode=mutual"),
    "trios_one_way": ("scheme=trios", "scheme.mode=one_way"),
}


_shared: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory, worker_id):
    """A folder all xdist workers share, so each GM run is done once per test session."""
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "gm_pattern_runs"
    folder.mkdir(exist_ok=True)
    _shared["dir"] = folder
    yield folder
    _shared.clear()


@lru_cache(maxsize=None)
def final_metrics(scenario: str, seed: int) -> dict:
    """The last metrics row (end of year 10) of one GM run."""
    path = _shared["dir"] / f"{scenario}-{seed}.json"
    with FileLock(f"{path}.lock"):
        if not path.is_file():
            try:
                result = sim.run([*SCENARIOS[scenario], f"seed={seed}", "years=10",
                                  "region=gm"], progress=False)
                assert result.summary["n_schools"] == 1150 and result.summary["years"] == 10
                row = result.metrics.iloc[-1].to_dict()
            except sim.ConfigError as exc:
                row = {"config_error": str(exc)}
            path.write_text(json.dumps(row))
        row = json.loads(path.read_text())
    if "config_error" in row:
        raise sim.ConfigError(row["config_error"])
    return row


def paired(metric: str, a: str, b: str, seeds=SEEDS):
    values_a = np.array([final_metrics(a, s)[metric] for s in seeds])
    values_b = np.array([final_metrics(b, s)[metric] for s in seeds])
    return values_a, values_b


def report(metric, a, b, values_a, values_b) -> str:
    return (f"{metric} at year 10 over {len(values_a)} seeds: {a} mean {values_a.mean():.4f} "
            f"{np.round(values_a, 4).tolist()}, {b} mean {values_b.mean():.4f} "
            f"{np.round(values_b, 4).tolist()}")


def assert_lower(metric, a, b, seeds=SEEDS):
    """`a` ends lower than `b` on average and in a majority of paired seeds."""
    values_a, values_b = paired(metric, a, b, seeds)
    message = report(metric, a, b, values_a, values_b) + f" (seeds {list(seeds)})"
    assert values_a.mean() < values_b.mean(), message
    assert (values_a < values_b).sum() > len(seeds) / 2, message


@pytest.mark.parametrize("scheme", ["trios", "none"])
def test_competition_leaves_a_wider_between_school_spread_than_collaboration(scheme):
    """Competition "widens disparities" (DESIGN.md; Briefing 2015; validation 5b, seen since
    session 7): the market ends with a wider between-school spread of pupils' mean attainment than no scheme
    and than trios. This replaced "collaboration leaves a smaller spread than no scheme"
    (issue 12): the seeds say partnerships "can sometimes help to reduce the polarisation of
    schools" (think piece 4), sometimes, not on average; the old expectation held because
    the old kernel let a learner rise only to its partner's level, so every partnership pulled
    its members together by construction. Re-based again (issue 12): it compared families
    with the market, an ordering no source gives (families of similar intakes widen the
    spread of practice: docs/ODD.md, pattern P2).

    The spread is taken within each phase (`sim.metrics.between_school_sd`, session 7): over
    both phases together trios "widened" it (3.03 vs the market's 2.89, seeds 1-20; a strict
    xfail at the session-6 defaults) only because their gains, accumulated over more years by
    secondary pupils, put the secondaries' mean 4.5 months above the primaries'. Within each
    phase trios narrow it (2.52 vs 2.90, 20 of 20 seeds) and the market widens it against no
    scheme (2.90 vs 2.83, 19 of 20), by sorting pupils at 11: the secondaries' spread of
    pupils' persistent standing rises from 0.77 to 0.86 months (sd of school means)."""
    assert_lower("between_school_sd", scheme, "market")


def test_market_ends_more_segregated_than_families():
    assert_lower("segregation", "families", "market")


def test_mutual_mode_ends_with_higher_mean_expertise_than_one_way():
    assert_lower("expertise_mean", "trios_one_way", "trios_mutual")


def test_trios_default_is_mutual():
    assert sim.compose_config(["scheme=trios"]).scheme.mode == "mutual"


# ------------------------------------------------------------ the same patterns, more seeds

WIDE_SEEDS = tuple(range(1, 21))


def families_seeds(seeds):
    """Seeds whose GM region can be split into families (others raise a ConfigError)."""
    usable = []
    for s in seeds:
        try:
            final_metrics("families", s)
            usable.append(s)
        except sim.ConfigError as exc:
            assert "scheme=families" in str(exc)
    assert len(usable) >= 0.8 * len(seeds), f"families formed for seeds {usable} only"
    return tuple(usable)


@pytest.mark.slow
@pytest.mark.parametrize("comparison", [
    ("between_school_sd", "trios", "market"),
    ("between_school_sd", "none", "market"),
    ("segregation", "families", "market"),
    ("expertise_mean", "trios_one_way", "trios_mutual"),
], ids=lambda c: "-".join(c))
def test_patterns_over_twenty_seeds(comparison):
    metric, lower, higher = comparison
    seeds = families_seeds(WIDE_SEEDS) if "families" in comparison else WIDE_SEEDS
    assert_lower(metric, lower, higher, seeds)
