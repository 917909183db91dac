"""Hypothesis property tests: invariants of whole (small) runs over random configs.

Invariants: expertise stays within [0, 1]; no NaN in the metrics or schools tables (except
`mean_trust`, which is NaN exactly when no partnership is active); trust stays in [0, 1];
pupils move between schools but are never created or lost.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import sim

SCHEMES = ("none", "trios", "families", "market")


def unit(lo=0.0, hi=1.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def configs(draw, schemes=SCHEMES):
    scheme = draw(st.sampled_from(schemes))
    o = {
        "seed": draw(st.integers(0, 2**31 - 1)),
        "years": draw(st.integers(1, 3)),
        "region.n_schools": draw(st.integers(40, 150)),
        "scheme": scheme,
        "scheme.mode": draw(st.sampled_from(["mutual", "one_way"])),
        "scheme.participation": draw(unit(0.3, 1.0)),
        "improvement.rate": draw(unit(0.0, 1.0)),
        "improvement.forgetting_rate": draw(unit(0.0, 0.5)),
        "improvement.turnover_shock_probability": draw(unit()),
        "improvement.turnover_shock_loss": draw(unit()),
        "exchange.learning_rate": draw(unit(0.0, 5.0)),
        "exchange.max_distance": draw(unit(0.05, 1.0)),
        "exchange.creation_rate": draw(unit()),
        "exchange.novelty_spread": draw(unit(0, 5)),
        "exchange.broadcast_rate": draw(unit()),
        "trust.growth": draw(unit()),
        "trust.decay_per_term": draw(unit()),
        "trust.lapse_threshold": draw(unit()),
        "trust.lapse_probability": draw(unit()),
        "school.expertise_mean": draw(unit(0.02, 0.98)),
        "school.expertise_sd": draw(unit(0.0, 0.3)),
        "school.openness_mean": draw(unit()),
        "school.leadership_days_mean": draw(unit(0.5, 20.0)),
    }
    if scheme in ("trios", "families"):
        o["scheme.meeting_interval_weeks"] = draw(st.integers(1, 13))
        o["scheme.initial_trust"] = draw(unit())
    if scheme == "families":
        o["scheme.min_size"] = draw(st.integers(2, 3))
        o["scheme.max_size"] = o["scheme.min_size"] + draw(st.integers(2, 6))
    if scheme == "market":
        o["scheme.choice_set"] = draw(st.integers(2, 10))
        o["scheme.results_salience"] = draw(unit(0.0, 10.0))
        # From the default up: fewer spare places can leave Year 6 without one (a one-line
        # refusal, tests/test_region_csv.py), which is not what these invariants are about.
        o["pupils.transition.capacity_headroom"] = draw(unit(0.2, 0.5))
        o["pupils.transition.distance_weight_disadvantaged"] = draw(unit(0.0, 2.0))
        o["scheme.imitation_rate"] = draw(unit())
    return o


def run_or_config_error(overrides):
    """The run, or None if the (small) region cannot form the scheme's groups. A drawn
    region always seats its Year 6 (`sim.region._sufficient_secondaries`), so the refusal of
    too few Year 7 places is a failure here."""
    event(f"scheme={overrides['scheme']}")
    try:
        return sim.run(overrides, progress=False, keep_model=True)
    except sim.ConfigError as exc:
        message = str(exc)
        assert message and "\n" not in message
        event("families could not be formed")
        assert overrides["scheme"] == "families" and "scheme=families" in message
        return None


@given(configs())
def test_invariants_of_any_run(overrides):
    result = run_or_config_error(overrides)
    if result is None:
        return
    m, s, model = result.metrics, result.schools, result.model
    domains = [c for c in s.columns if c.startswith("expertise_") and c != "expertise_mean"]
    assert len(domains) == 4
    values = s[domains].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    assert ((model.state.expertise >= 0) & (model.state.expertise <= 1)).all()
    assert 0 <= m["expertise_mean"].min() and m["expertise_mean"].max() <= 1

    assert not s.drop(columns=["local_authority", "phase"]).isna().any().any()
    assert not m.drop(columns=["mean_trust"]).isna().any().any()
    np.testing.assert_array_equal(m["mean_trust"].isna(), m["active_partnerships"] == 0)

    trust = model.partnerships.trust
    assert ((trust >= 0) & (trust <= 1)).all()
    live = m["mean_trust"].dropna()
    assert ((live >= 0) & (live <= 1)).all()
    assert ((m["segregation"] >= 0) & (m["segregation"] <= 1)).all()

    assert len(m) == 1 + 3 * overrides["years"]
    assert len(s) == (1 + overrides["years"]) * overrides["region.n_schools"]
    np.testing.assert_allclose(m["pupils"], m["pupils"].iloc[0], rtol=1e-9)


@given(configs(schemes=("market",)))
def test_market_conserves_pupils_school_by_school(overrides):
    result = run_or_config_error(overrides)
    if result is None:
        return
    m, s = result.metrics, result.schools
    np.testing.assert_allclose(m["pupils"], m["pupils"].iloc[0], rtol=1e-9)
    totals = s.groupby("year")["pupils"].sum()
    np.testing.assert_allclose(totals, totals.iloc[0], rtol=1e-9)
    assert (s["pupils"] > 0).all()
    share = s["disadvantaged_share"]
    assert ((share >= 0) & (share <= 1)).all()
    # the per-phase totals are conserved too: nobody changes phase
    by_phase = s.groupby(["year", "phase"])["pupils"].sum().unstack()
    np.testing.assert_allclose(by_phase, np.broadcast_to(by_phase.iloc[0], by_phase.shape),
                               rtol=1e-9)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_pupils_move_under_every_scheme_and_are_conserved(scheme):
    # Pupils change school at 11 and by mobility under every scheme (`sim.pupils`), so
    # school rolls change whatever the scheme; the region's roll and each phase's do not.
    overrides = {"scheme": scheme, "region.n_schools": 300, "years": 2}
    if scheme == "families":
        overrides.update({"scheme.min_size": 4, "scheme.max_size": 8})
    s = sim.run(overrides, progress=False).schools
    start = s[s.year == 0].set_index("school_id")["pupils"]
    end = s[s.year == 2].set_index("school_id")["pupils"]
    assert not np.allclose(start, end)
    assert end.sum() == start.sum()
    by_phase = s.groupby(["year", "phase"])["pupils"].sum().unstack()
    np.testing.assert_array_equal(by_phase, np.broadcast_to(by_phase.iloc[0], by_phase.shape))


@pytest.mark.slow
@settings(max_examples=150)
@given(configs())
def test_invariants_of_many_more_runs(overrides):
    test_invariants_of_any_run.hypothesis.inner_test(overrides)


# ------------------------------------------------------------ partnership schemes
@st.composite
def extra_configs(draw):
    scheme = draw(st.sampled_from(["leadership", "peer_review", "trusts", "mixed"]))
    o = [f"scheme={scheme}", f"seed={draw(st.integers(0, 2**31 - 1))}",
         f"years={draw(st.integers(1, 3))}", f"region.n_schools={draw(st.integers(60, 200))}",
         f"scheme.participation={draw(st.floats(0.3, 1.0))}",
         f"policy.funding.end_year={draw(st.sampled_from(['null', '1.0', '2.0']))}",
         f"policy.funding.backfill={draw(st.floats(0, 1))}",
         f"policy.brokering.enabled={draw(st.booleans())}".lower(),
         f"policy.accountability.grade_openness_cut={draw(st.floats(0, 1))}",
         f"policy.leadership_time.days_factor={draw(st.floats(0, 2))}",
         f"policy.meetings.mode={draw(st.sampled_from(['scheme', 'online', 'in_person']))}",
         f"shocks.pandemic.enabled={draw(st.booleans())}".lower(),
         f"shocks.pandemic.start_year={draw(st.floats(0, 2))}",
         f"exchange.learning_rate={draw(st.floats(0, 3))}"]
    if scheme == "leadership":
        o.append(f"scheme.support_intensity={draw(st.floats(0, 20))}")
    if scheme == "peer_review":
        o.append(f"scheme.champion_rate={draw(st.floats(0, 3))}")
    if scheme == "trusts":
        o.append(f"scheme.standardisation_rate={draw(st.floats(0, 1))}")
    if scheme == "mixed":
        share = draw(st.floats(0, 1))
        o += ["scheme.partition=[trusts,peer_review]", f"scheme.shares=[{share},{1 - share}]",
              "scheme.overlay=[leadership]"]
    return o


@given(extra_configs())
def test_invariants_of_the_partnership_schemes_under_any_levers(overrides):
    r = sim.run(overrides, progress=False, keep_model=True)
    m, s, model = r.metrics, r.schools, r.model
    e = model.state.expertise
    assert ((e >= 0) & (e <= 1)).all()
    trust = model.partnerships.trust
    assert ((trust >= 0) & (trust <= 1)).all()
    assert (model.pupil_system.roll.loss >= 0).all()
    assert not m.drop(columns=["mean_trust", "outstanding_share_secondary"]).isna().any().any()
    grades = m[["outstanding_share", "good_share", "requires_improvement_share",
                "inadequate_share"]].sum(axis=1)
    np.testing.assert_allclose(grades, 1.0)
    assert not s.drop(columns=["local_authority", "phase", "grade"]).isna().any().any()
    assert len(m) == 1 + 3 * model.cfg.years
