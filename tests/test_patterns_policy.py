"""Pattern tests for the schemes, levers and shocks: what the model must show on the GM
region across seeds 1-5 (issue 3, "What it must show").

Every comparison is paired by seed: with common random numbers two runs of the same seed
share the region, the starting state (and so the starting grades) and every draw the
difference does not touch. A pattern holds when the mean across seeds goes the stated way
*and* the direction holds in a majority of the seeds. The figures are in each assertion's
message, so a failure reports the numbers. The same checks over seeds 1-20 are marked slow.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

import sim
from experiments.validation import checks
from experiments.validation.measures import PUPIL_SD_MONTHS
from experiments.validation.runner import run_one
from sim.pupils.places import YEARS_IN_PHASE

SEEDS = (1, 2, 3, 4, 5)
WIDE_SEEDS = tuple(range(1, 21))
FUNDED_YEARS = 3


@lru_cache(maxsize=None)
def run(overrides: tuple[str, ...], seed: int):
    return sim.run([*overrides, f"seed={seed}"], progress=False, keep_model=True)


def school_attainment(result) -> np.ndarray:
    """(schools, years + 1): each school's pupil-weighted attainment, months, by year."""
    s = result.schools
    mean = (s["attainment_disadvantaged"] * s["disadvantaged_share"]
            + s["attainment_other"] * (1 - s["disadvantaged_share"]))
    return (s.assign(mean=mean).pivot(index="school_id", columns="year", values="mean")
            .to_numpy())


def school_value_added(result) -> np.ndarray:
    """(schools, years + 1): months a year each school adds beyond the national expectation
    from its practice (`sim.pupils.progress.value_added` without the persistent school
    effect, which a paired difference cancels), pupil-weighted over its two groups, by year.

    Issue 11 made attainment something pupils carry: a school's results now follow its
    practice with a lag of several cohorts, by design (tests/test_patterns_pupils.py). The
    patterns below are about what a scheme does to schools' practice while it is funded and
    after, so they are measured on the value added, the quantity the old attainment level
    was (a linear function of expertise with the same kind of domain weights)."""
    model, s = result.model, result.schools
    p = model.pupil_system.params.progress
    domains = [f"expertise_{d}" for d in model.cfg.school.domains]
    above = s[domains].to_numpy() - p.reference_expertise
    months = np.where(s["phase"] == "primary", p.months_per_expertise_primary,
                      p.months_per_expertise_secondary)
    share = s["disadvantaged_share"].to_numpy()
    va = months * (share * (above @ np.asarray(p.weights_disadvantaged))
                   + (1 - share) * (above @ np.asarray(p.weights_other)))
    return (s.assign(va=va).pivot(index="school_id", columns="year", values="va").to_numpy())


def holds(a, b, label: str, seeds=SEEDS) -> None:
    """a > b on average and in a majority of paired seeds."""
    a, b = np.asarray(a, float), np.broadcast_to(np.asarray(b, float), np.shape(a))
    message = (f"{label}: {np.round(a, 3).tolist()} (mean {a.mean():.3f}) vs "
               f"{np.round(b, 3).tolist()} (mean {b.mean():.3f}) over seeds {list(seeds)}")
    assert a.mean() > b.mean(), message
    assert (a > b).sum() > len(a) / 2, message


def formable(overrides: tuple[str, ...], seeds) -> tuple[int, ...]:
    """Seeds whose region can form the scheme's groups (families of 12-20 cannot be formed
    for a few seeds: a dense cluster of secondaries within 3 km of each other)."""
    usable = []
    for seed in seeds:
        try:
            run(overrides, seed)
            usable.append(seed)
        except sim.ConfigError as exc:
            assert "families" in str(exc)
    assert len(usable) >= 0.8 * len(seeds), f"{overrides} formed for seeds {usable} only"
    return tuple(usable)


NONE = ("scheme=none",)
LEADERSHIP = ("scheme=leadership", f"policy.funding.end_year={FUNDED_YEARS}")
TRIOS = ("scheme=trios", f"policy.funding.end_year={FUNDED_YEARS}")


def supported_gains(seed: int, settings: tuple[str, ...] = ()):
    """Gain in value added (months a year, vs none) of the schools system leaders support,
    under leadership and under trios, each funded for three years; by year."""
    lead = run(LEADERSHIP + settings, seed)
    supported = lead.model.scheme.supported
    base = school_value_added(run(NONE + settings, seed))[supported]
    gain_lead = (school_value_added(lead)[supported] - base).mean(axis=0)
    gain_trios = (school_value_added(run(TRIOS + settings, seed))[supported] - base).mean(axis=0)
    return gain_lead, gain_trios


def check_leadership_quick(seeds):
    """System leaders give the schools they support a short-term gain (seed 001): after one
    year the supported schools are ahead of where they would be alone, and further ahead
    than trios (funded as long) take the same schools.

    Replaced (issue 12) "the first year's gain is more than half the funded years' peak":
    that threshold had no source, and it held because the old kernel moved a learner's
    expertise at once; with practices a supported school's gain builds as the practices it
    took up deepen over the funded terms (the first year's share is about 0.45)."""
    first_year, ahead_of_trios = [], []
    for seed in seeds:
        gain, gain_trios = supported_gains(seed)
        first_year.append(gain[1])
        ahead_of_trios.append(gain_trios[1])
    holds(first_year, 0.0, "leadership: supported schools' gain after a year", seeds)
    holds(first_year, ahead_of_trios,
          "supported schools' gain after a year, leadership vs trios", seeds)


# Trust dynamics in which partnerships can outlive their funding: the code's own (the
# issue-14 fit's trust decay, 0.23 a term, made most trios lapse before the funding ended,
# so there the two faded alike; validation's held-out checks 7b/7c report the calibrated
# model's side).
OUTLIVING = ("calibration=none",)


def check_leadership_fades(seeds):
    """After the funding, leadership's gain falls (it rests on lent leadership time that
    goes with the support, seed 001: "not always sustained") while trios', funded as long,
    where trios can outlive the funding (`OUTLIVING`), does not fall as far: the mechanism,
    not the calibrated model's outcome.

    Replaced (session 7) "trios keep a larger share of their year-3 gain at year 10": under
    `OUTLIVING` the trios' year-3 gain on these schools is within 0.015 months a year of
    nothing (-0.014 to +0.005 over seeds 1-20), so that share was a ratio of near-zero numbers
    (-104 to +153) whatever the model did. The change of the gain from year 3 to year 10, in
    months a year, asks the same question and is defined."""
    kept_lead, change_lead, change_trios = [], [], []
    for seed in seeds:
        gain_lead, gain_trios = supported_gains(seed, OUTLIVING)
        kept_lead.append(gain_lead[-1] / gain_lead[FUNDED_YEARS])
        change_lead.append(gain_lead[-1] - gain_lead[FUNDED_YEARS])
        change_trios.append(gain_trios[-1] - gain_trios[FUNDED_YEARS])
    # Fading first: leadership keeps less than its year-3 gain in most seeds.
    assert (np.asarray(kept_lead) < 1).sum() > len(seeds) / 2, (
        f"leadership's share of its year-3 gain kept at year 10: {np.round(kept_lead, 2)}")
    holds(change_trios, change_lead,
          "change of the gain from year 3 to year 10 (months a year), trios vs leadership", seeds)


PANDEMIC_ALONE = ("+scenario=pandemic_recovery_alone",)
PANDEMIC_TRIOS = ("+scenario=pandemic_recovery_with_trios",)
NO_PANDEMIC = ("+scenario=pandemic_recovery_alone", "shocks.pandemic.enabled=false")


def check_pandemic_gap(seeds):
    """At the first results after the closure (end of year 2), against the same seeds
    without a pandemic."""
    widened, drop_dis, drop_oth = [], [], []
    for seed in seeds:
        hit = run(PANDEMIC_ALONE, seed).metrics.set_index("week")
        calm = run(NO_PANDEMIC, seed).metrics.set_index("week")
        week = 2 * 39
        widened.append(hit.at[week, "gap_months"] - calm.at[week, "gap_months"])
        drop_dis.append(calm.at[week, "attainment_disadvantaged"]
                        - hit.at[week, "attainment_disadvantaged"])
        drop_oth.append(calm.at[week, "attainment_other"] - hit.at[week, "attainment_other"])
    holds(widened, 0.0, "gap widening by the pandemic (months)", seeds)
    holds(drop_dis, drop_oth, "months lost by disadvantaged vs other pupils", seeds)


# The disadvantage gap in months, 2019 -> 2023, as the EPI measures it on the KS2 and KS4
# results: KS2 +1.0 (9.3 -> 10.3) and KS4 +1.1 (18.1 -> 19.2) in its Annual Report 2024;
# KS4 +0.5 (to 18.6), all of it explained by disadvantaged pupils' higher absence, in its
# 2025 report on the gap's drivers. The band is the lowest to the highest of these.
GAP_GROWTH_2019_TO_2023 = (0.5, 1.1)


def check_gap_after_reopening(seeds):
    """Two and a half school years after reopening (the year-4 results; closed from year 1
    for 24 weeks), as 2023's results were after the 2020-21 closures, the KS2 and KS4 gaps
    are wider than on the same seeds without a pandemic by about what the EPI measured, and
    the widening is disadvantaged pupils falling further behind, not others rising."""
    week = 4 * 39
    low, high = GAP_GROWTH_2019_TO_2023
    for phase in ("primary", "secondary"):
        widened, drop_dis, drop_oth = [], [], []
        for seed in seeds:
            hit = run(PANDEMIC_ALONE, seed).metrics.set_index("week")
            calm = run(NO_PANDEMIC, seed).metrics.set_index("week")
            widened.append(hit.at[week, f"gap_months_{phase}"]
                           - calm.at[week, f"gap_months_{phase}"])
            drop_dis.append(calm.at[week, f"attainment_disadvantaged_{phase}"]
                            - hit.at[week, f"attainment_disadvantaged_{phase}"])
            drop_oth.append(calm.at[week, f"attainment_other_{phase}"]
                            - hit.at[week, f"attainment_other_{phase}"])
        inside = [low <= w <= high for w in widened]
        message = (f"{phase} gap widening at year 4 (months): {np.round(widened, 3).tolist()}, "
                   f"band {low}-{high} (EPI); disadvantaged pupils' drop "
                   f"{np.round(drop_dis, 3).tolist()}, others' {np.round(drop_oth, 3).tolist()}")
        assert low <= np.mean(widened) <= high and sum(inside) > len(seeds) / 2, message
        holds(drop_dis, drop_oth, f"{phase}: months lost at year 4, disadvantaged vs others",
              seeds)


def check_recovery(seeds):
    alone = [run(PANDEMIC_ALONE, s).summary["pandemic_recovery_weeks"] for s in seeds]
    trios = [run(PANDEMIC_TRIOS, s).summary["pandemic_recovery_weeks"] for s in seeds]
    assert None not in alone and None not in trios, (alone, trios)
    holds(alone, trios, "weeks to recover 75 % of the disadvantaged pupils' loss, alone vs trios",
          seeds)


GM_CHALLENGE = ("+scenario=gm_challenge",)


def check_gm_challenge(seeds):
    """Change over the three funded years of school value added, most vs least
    disadvantaged fifth of schools (by starting free-school-meal share)."""
    most, least = [], []
    for seed in formable(GM_CHALLENGE, seeds):
        result = run(GM_CHALLENGE, seed)
        att = school_value_added(result)
        share = result.schools.query("year == 0")["disadvantaged_share"].to_numpy()
        low, high = np.quantile(share, [0.2, 0.8])
        change = att[:, FUNDED_YEARS] - att[:, 0]
        most.append(change[share >= high].mean())
        least.append(change[share <= low].mean())
    holds(most, least, "gm_challenge: 3-year change, most vs least disadvantaged fifth (months)",
          seeds)


def group_effects(scheme: str, seed: int):
    """Each partnership's effect at year 10 (members' mean attainment of pupils on roll, vs
    none, months) and the standard error of the members' mean yearly result from cohort
    noise: one pupil's result spreads by the within-school sd of its phase
    (`experiments.validation.measures.PUPIL_SD_MONTHS`) over a cohort of roll / years."""
    result = run((f"scheme={scheme}",), seed)
    model = result.model
    effect = school_attainment(result)[:, -1] - school_attainment(run(NONE, seed))[:, -1]
    s, phase = model.state, model.region.phase
    sd = np.array([PUPIL_SD_MONTHS["primary"], PUPIL_SD_MONTHS["secondary"]])[phase]
    years = YEARS_IN_PHASE[phase]
    share = s.disadvantaged_share
    variance = sd ** 2 * (share ** 2 / np.maximum(s.pupils_disadvantaged / years, 1)
                          + (1 - share) ** 2 / np.maximum(s.pupils_other / years, 1))
    effects, errors = [], []
    for row in model.partnerships.members:
        row = row[row >= 0]
        effects.append(effect[row].mean())
        errors.append(np.sqrt(variance[row].sum()) / len(row))
    return np.array(effects), np.array(errors)


COLLABORATIVE = ("trios", "families", "peer_review")


def check_no_measurable_effect(seeds):
    """Issue 12, pattern 5: a sizeable share of partnerships, but not all (30-90 %), show no
    measurable effect, measured as validation target 8 defines it (experiments/targets.yaml:
    every partnership of gm_challenge, spp_peer_review and pathways_trios pooled, their
    members' year-5 results against the same schools under scheme=none, measurable beyond
    two cohorts' noise). The mean over seeds is in the band and so is a majority of seeds.

    Replaced (session 6) "in each collaborative scheme more than 10 % of partnerships are
    unmeasurable at year 10, against one cohort's two standard errors": 10 % was not the
    issue's 30-90 %, ten years is longer than the evaluations the source cites, and one
    cohort's error is not the noise of comparing two.

    Holds at the session-6 refit's defaults (3447e66: 0.78-0.86 over seeds 1-10), which were
    fitted to target 8 itself: the pattern is reproduced by calibration, not predicted (the
    issue-14 defaults gave 0.95-0.98)."""
    (target,) = [c for c in checks.CHECKS if c.id == "8"]
    shares = []
    for seed in seeds:
        runs = {role: run_one(scenario, seed) for role, scenario in target.roles.items()}
        failed = [r for r in runs.values() if isinstance(r, str)]
        assert all("families" in r for r in failed), failed   # as `formable` allows
        if not failed:
            shares.append(target.measure(runs))
    assert len(shares) >= 0.8 * len(seeds), f"target 8's runs formed for {len(shares)} seeds"
    low, high = target.band
    inside = [low <= v <= high for v in shares]
    message = (f"share of partnerships with no measurable effect: {np.round(shares, 3).tolist()}"
               f", band {low}-{high}")
    assert low <= np.mean(shares) <= high and sum(inside) > len(shares) / 2, message


def check_effects_not_uniformly_positive(seeds):
    """Across the collaborative schemes' partnerships, some make a measurable difference and
    some leave their members worse off than alone (the days spent meeting are taken from
    in-school improvement)."""
    usable = formable(("scheme=families",), seeds)
    harm, helped = [], []
    for seed in usable:
        pooled = [group_effects(scheme, seed) for scheme in COLLABORATIVE]
        effects = np.concatenate([e for e, _ in pooled])
        errors = np.concatenate([se for _, se in pooled])
        harm.append((effects < 0).mean())
        helped.append((effects >= 2 * errors).sum())
    # Re-based (issue 12): "some" partnerships doing harm was a share above 0.02, a number
    # with no source; the claim is that effects are not uniformly positive, so the share is
    # above zero (the new model leaves 1.5-3 % of partnerships worse off than alone).
    holds(harm, 0.0, "share of partnerships doing harm (trios, families, peer review)", usable)
    holds(helped, 0.5, "number of partnerships with a measurable gain", usable)


CHECKS = {
    "leadership_quick": check_leadership_quick,
    "leadership_fades": check_leadership_fades,
    "pandemic_gap": check_pandemic_gap,
    "recovery": check_recovery,
    "gm_challenge": check_gm_challenge,
    "no_measurable_effect": check_no_measurable_effect,
    "effects_not_uniformly_positive": check_effects_not_uniformly_positive,
}


def test_leadership_raises_the_supported_schools_quickly():
    check_leadership_quick(SEEDS)


def test_leadership_gains_fade_after_funding_more_than_trios_gains():
    check_leadership_fades(SEEDS)


def test_pandemic_widens_the_gap_and_costs_disadvantaged_learners_more():
    check_pandemic_gap(SEEDS)


def test_the_gap_is_still_wider_years_after_reopening_by_about_what_the_epi_measured():
    check_gap_after_reopening(SEEDS)


def test_collaboration_shortens_the_recovery():
    check_recovery(SEEDS)


def test_gm_challenge_most_disadvantaged_schools_improve_fastest():
    check_gm_challenge(SEEDS)


NO_EFFECT_SHARE_TOO_HIGH = pytest.mark.xfail(strict=True, reason=(
    "Not reproduced at the session-10 refit's defaults (885260e, the posterior medians): the "
    "share of partnerships with no measurable effect is 0.940, 0.960, 0.943, 0.957, 0.942 "
    "(seeds 1-5, mean 0.948) and 0.927-0.961 over seeds 1-20 (mean 0.940, 0 seeds in band), "
    "above the band 0.3-0.9 (schoolsim-validate --facts 8 --seeds 1-20 at 885260e, the same "
    "runs and measure). The fit's emulated median was 0.938; validation 8 under "
    "calibration=posterior fails too (0.922, 1 of 10 seeds in band). What sets it: the small groups "
    "(system-leadership pairs, peer-review clusters: 84 % of the groups), whose two-cohort "
    "noise is larger than their effect (docs/partnership_effects.md, session 10). Before the "
    "refit, with session 10's depth-loss change (1c2cc04), 0.905-0.939 over seeds 1-20 (mean "
    "0.920); at the session-9 refit 0.899-0.951 (mean 0.919); at the session-7 refit 0.59. "
    "Strict: fails again once reproduced."))


@pytest.mark.slow   # 20 five-year GM runs of its own (about a minute on a quiet machine)
@NO_EFFECT_SHARE_TOO_HIGH
def test_some_partnerships_show_no_measurable_effect():
    check_no_measurable_effect(SEEDS)


# Passes at the refit's defaults (61b9976) by the smallest margin: the share of partnerships
# doing harm is 0, 0.0013, 0.0014, 0, 0.0013 (seeds 1-5), above 0 in 3 of 5, each time one
# peer-review cluster of 287; no trio or family does harm (5th percentiles of the effect at
# year 10: trios +1.9 to +2.3 months, families +3.5 to +4.2, peer review +1.1 to +1.6). At
# the session-6 defaults it was above 0 in 2 of 5 (a strict xfail until session 7). The
# meeting days alone cost members about a month by year 10 (exchange.learning_rate =
# creation_rate = 0: trios -0.96, families -1.09, seeds 1-3), so harm appears only where a
# partnership gains less practice than that. The expectation has a source: a whole-school
# improvement programme can leave pupils worse off (EEF's Achievement for All trial, 134
# schools: -2 months in KS2 reading and maths, the same for free-school-meal pupils).
def test_effects_are_not_uniformly_positive():
    check_effects_not_uniformly_positive(SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize("check", [
    pytest.param(c, marks=NO_EFFECT_SHARE_TOO_HIGH) if c == "no_measurable_effect" else c
    for c in sorted(CHECKS)])
def test_patterns_over_twenty_seeds(check):
    CHECKS[check](WIDE_SEEDS)
