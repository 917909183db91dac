"""The history_academies replay (scheme=trusts with history_from_year on a real region, alone or
as a part of a mixed scheme): schools join their real trust in their real join year, not at the
start."""

from __future__ import annotations

import re

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.schemes.trusts import real_trusts
from tests.helpers import build_model


@pytest.fixture(scope="module")
def replay():
    return build_model(["region=gm_real", "scheme=trusts", "scheme.history_from_year=2010",
                        "years=3"])


def members_now(model) -> set[int]:
    m = model.scheme.partnerships_of(model).members
    return set(m[m >= 0].tolist())


def expected_members(region, by_year: int) -> set[int]:
    """From the data: schools of trusts with 2+ schools in the region, joined by `by_year`."""
    every = np.concatenate(real_trusts(region.trust, 2))
    return set(every[region.trust_joined_year[every] <= by_year].tolist())


def test_the_run_starts_with_the_schools_that_had_joined_by_then(replay):
    start = expected_members(replay.region, 2010)
    assert members_now(replay) == start
    assert 0 < len(start) < len(expected_members(replay.region, 2023))
    joined = replay.scheme.trust_of >= 0
    assert set(np.flatnonzero(joined).tolist()) == start


def test_each_year_end_adds_that_years_joiners():
    model = build_model(["region=gm_real", "scheme=trusts", "scheme.history_from_year=2010",
                         "years=3"])
    for year in (1, 2):
        model.scheme.year_end(model, year)
        assert members_now(model) == expected_members(model.region, 2010 + year)
    # The lead of every trust with members is one of them; trusts not begun cost no days.
    members = model.scheme.partnerships_of(model).members
    begun = (members >= 0).any(axis=1)
    assert all(model.scheme.lead[g] in members[g] for g in np.flatnonzero(begun))
    days = model.scheme.commitments(model)
    assert (days > 0).sum() == begun.sum()


def test_scenario_runs_and_reports_the_joins(in_tmp):
    r = sim.run(["+scenario=history_academies", "years=2", "output.progress=false"])
    region = sim.SchoolSystem(sim.compose_config(["region=gm_real"])).region
    replayed = len(expected_members(region, 2012)) - len(expected_members(region, 2010))
    assert r.summary["trust_joins_replayed"] == replayed > 0
    assert r.summary["trust_joins_still_to_come"] == \
        len(expected_members(region, 2023)) - len(expected_members(region, 2012))


def test_the_replay_needs_a_real_region():
    with pytest.raises(ConfigError, match="scheme.history_from_year=2010 on region=gm; "
                                          "allowed: 0, or a real region"):
        sim.compose_config(["region=gm", "scheme=trusts", "scheme.history_from_year=2010"])


@pytest.mark.parametrize("parts", [
    ["scheme.partition=[trusts,trios]", "scheme.shares=[0.5,0.5]"],
    ["scheme.partition=[trios]", "scheme.shares=[0.5]", "scheme.overlay=[trusts]"],
])
def test_the_replay_runs_inside_a_mixed_scheme(parts):
    model = build_model(["region=gm_real", "scheme=mixed", "scheme.trusts.history_from_year=2010",
                         "years=3", *parts])
    trusts = next(c for c in model.scheme.components if c.name == "trusts")
    eligible = np.ones(model.n_schools, bool) if trusts.eligible is None else trusts.eligible

    def expected(by_year):
        return {s for s in expected_members(model.region, by_year) if eligible[s]}

    assert members_now_of(trusts, model) == expected(2010)
    for year in (1, 2):
        model.scheme.year_end(model, year)
        assert members_now_of(trusts, model) == expected(2010 + year)
    # written through to the combined partnerships the meetings use
    layer = model.scheme.component_names.index("trusts")
    combined = model.partnerships.members[model.partnerships.group_layer == layer]
    assert set(combined[combined >= 0].tolist()) == expected(2012) != expected(2010)


def members_now_of(scheme, model) -> set[int]:
    m = scheme.partnerships_of(model).members
    return set(m[m >= 0].tolist())


@pytest.mark.parametrize("scheme, message", [
    ("mixed", "+scenario=history_academies sets scheme.history_from_year, which scheme=mixed "
              "does not have (it has scheme.trusts.history_from_year: set that without the "
              "scenario)"),
    ("families", "+scenario=history_academies sets scheme.history_from_year, which "
                 "scheme=families does not have; allowed: the scenario's own scheme"),
])
def test_the_scenario_with_another_scheme_says_where_the_replay_is(scheme, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        sim.compose_config(["+scenario=history_academies", f"scheme={scheme}"])
