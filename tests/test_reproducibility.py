"""Same config and seed: byte-identical outputs; schemes share the initial state (CRN)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim

BASE = ["region.n_schools=300", "years=2"]
FILES = ("metrics.parquet", "schools.parquet")


def written(tmp_path, name, overrides):
    out = tmp_path / name
    sim.run(overrides, progress=False).write(out)
    return {f: (out / f).read_bytes() for f in FILES}


@pytest.mark.parametrize("scheme", ["none", "trios", "families", "market"])
def test_same_config_and_seed_give_byte_identical_parquet(tmp_path, scheme):
    overrides = [*BASE, f"scheme={scheme}", "seed=5"]
    if scheme == "families":
        overrides += ["scheme.min_size=4", "scheme.max_size=8"]
    a = written(tmp_path, "a", overrides)
    b = written(tmp_path, "b", overrides)
    for f in FILES:
        assert a[f] == b[f], f
        assert len(a[f]) > 0


def test_different_seed_gives_different_outputs(tmp_path):
    a = written(tmp_path, "a", [*BASE, "scheme=trios", "seed=5"])
    b = written(tmp_path, "b", [*BASE, "scheme=trios", "seed=6"])
    for f in FILES:
        assert a[f] != b[f]
    m5 = pd.read_parquet(tmp_path / "a" / "metrics.parquet")
    m6 = pd.read_parquet(tmp_path / "b" / "metrics.parquet")
    assert m5["expertise_mean"].iloc[-1] != m6["expertise_mean"].iloc[-1]


def test_written_tables_equal_the_returned_ones(tmp_path):
    result = sim.run([*BASE, "scheme=market", "seed=2"], progress=False)
    result.write(tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "metrics.parquet"), result.metrics)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "schools.parquet"), result.schools)


@pytest.fixture(scope="module")
def by_scheme():
    runs = {}
    for scheme in ("none", "trios", "families", "market"):
        overrides = [*BASE, f"scheme={scheme}", "seed=9"]
        if scheme == "families":
            overrides += ["scheme.min_size=4", "scheme.max_size=8"]
        runs[scheme] = sim.run(overrides, progress=False)
    return runs


@pytest.mark.parametrize("scheme", ["trios", "families", "market"])
def test_schemes_with_the_same_seed_share_the_initial_state(by_scheme, scheme):
    base = by_scheme["none"].schools
    other = by_scheme[scheme].schools
    start_base = base[base.year == 0].reset_index(drop=True)
    start_other = other[other.year == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(start_base.drop(columns="partners"),
                                  start_other.drop(columns="partners"))
    if scheme != "market":
        assert (start_other["partners"] > 0).any()
    # ... and the week-0 metrics, apart from the partnership columns
    cols = [c for c in by_scheme["none"].metrics.columns
            if c not in ("active_partnerships", "mean_trust")]
    pd.testing.assert_series_equal(by_scheme["none"].metrics[cols].iloc[0],
                                   by_scheme[scheme].metrics[cols].iloc[0])
    # ... but they part ways afterwards
    end = by_scheme[scheme].schools
    assert not np.allclose(end[end.year == 2]["expertise_mean"],
                           base[base.year == 2]["expertise_mean"])


def test_year_zero_domain_columns_are_the_starting_state():
    # The year-0 table must hold the state at the start, not a view updated later.
    result = sim.run([*BASE, "scheme=trios", "seed=3"], progress=False, keep_model=True)
    start = sim.SchoolSystem(sim.compose_config([*BASE, "scheme=trios", "seed=3"]))
    s0 = result.schools[result.schools.year == 0]
    for d, name in enumerate(start.cfg.school.domains):
        np.testing.assert_array_equal(s0[f"expertise_{name}"], start.state.expertise[:, d])
    np.testing.assert_allclose(s0["expertise_mean"], start.state.expertise.mean(axis=1))


def test_a_scheme_does_not_touch_draws_it_does_not_use():
    # Trios with nobody taking part draw formation but form no groups: the run must then
    # be exactly the baseline (turnover, cohort noise, ... all shared).
    none = sim.run([*BASE, "scheme=none", "seed=4"], progress=False).metrics
    empty = sim.run([*BASE, "scheme=trios", "scheme.participation=0", "seed=4"],
                    progress=False).metrics
    cols = [c for c in none.columns if c not in ("mean_trust",)]
    pd.testing.assert_frame_equal(none[cols], empty[cols])
