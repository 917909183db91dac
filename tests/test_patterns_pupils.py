"""Pattern tests of the pupils (issue 11) on the GM region over seeds 1-5, paired by seed
(slow), with a cheap subset on 300-school regions over the same seeds (CI).

- under `none` the gap grows through the phases into the EPI's bands: about 4.6 months at
  entry, 9-10 at the end of Year 6 (KS2), 18-19 at the end of Year 11 (KS4) (Education
  Policy Institute, *Education in England: annual report 2020*). The entry gap is the
  input; the KS2 and KS4 gaps are not, but the home rates `pupils.progress.home_*` were
  chosen to land them (a fit, flagged in their metadata), so the bands test that the fit
  holds across seeds and regions, not an independent prediction;
- segregation differs between schemes whose families choose differently (a market makes
  league tables more salient);
- an inclusion gain in some primaries shows in their KS2 results for disadvantaged pupils
  gradually, as each cohort spends more of its primary years there;
- the pandemic's loss is still visible in the affected cohorts' KS4 results years later.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.outputs import result_from_model

SEEDS = (1, 2, 3, 4, 5)
GM = ("region=gm",)
SMALL = ("region.n_schools=300",)


def run(*overrides, seed: int, years: int, region=GM):
    return sim.run([*region, *overrides, f"seed={seed}", f"years={years}"], progress=False)


# ------------------------------------------------------------------ cheap (CI)
def test_cheap_the_gap_grows_from_entry_through_ks2_to_ks4():
    # 300-school regions: smaller cohorts, so each seed's gaps spread more than GM's.
    entry, ks2, ks4 = [], [], []
    for seed in SEEDS:
        model = sim.SchoolSystem(rng=seed, **{"region.n_schools": 300, "years": 1})
        roll = model.pupil_system.roll
        reception, dis = roll.year == 0, roll.disadvantaged
        entry.append(roll.persistent[reception & ~dis].mean()
                     - roll.persistent[reception & dis].mean())
        headline = model.pupil_system.headline()
        ks2.append(headline["gap_months_primary"])
        ks4.append(headline["gap_months_secondary"])
    message = (f"entry {np.round(entry, 2).tolist()}, KS2 {np.round(ks2, 2).tolist()}, "
               f"KS4 {np.round(ks4, 2).tolist()}")
    assert 4.0 < np.mean(entry) < 5.2, message
    assert 8.5 <= np.mean(ks2) <= 10.5 and 17.0 <= np.mean(ks4) <= 20.5, message
    assert all(e < a < b for e, a, b in zip(entry, ks2, ks4)), message


def test_cheap_segregation_at_secondary_is_higher_under_the_market():
    none, market = (np.array([run(f"scheme={scheme}", seed=s, years=3, region=SMALL)
                              .metrics.iloc[-1]["segregation_secondary"] for s in SEEDS])
                    for scheme in ("none", "market"))
    message = f"none {np.round(none, 4).tolist()}, market {np.round(market, 4).tolist()}"
    assert (market > none).sum() >= 4 and market.mean() > none.mean(), message


# ------------------------------------------------------------------ GM, slow
@pytest.mark.slow
def test_the_gap_grows_through_the_phases_into_the_epi_bands():
    ks2, ks4 = [], []
    for seed in SEEDS:
        row = run("scheme=none", seed=seed, years=1).metrics.iloc[-1]
        ks2.append(row["gap_months_primary"])
        ks4.append(row["gap_months_secondary"])
    message = f"KS2 gaps {np.round(ks2, 2).tolist()}, KS4 gaps {np.round(ks4, 2).tolist()}"
    assert 9.0 <= np.mean(ks2) <= 10.0, message
    assert 18.0 <= np.mean(ks4) <= 19.5, message
    # Every seed in a band a little wider than the EPI's (a region is not England).
    assert all(8.0 <= g <= 11.0 for g in ks2) and all(16.5 <= g <= 21.0 for g in ks4), message


@pytest.mark.slow
def test_the_gap_at_entry_is_the_input_and_grows_from_there():
    model = sim.SchoolSystem(rng=1, **{"region": "gm", "years": 1})
    roll = model.pupil_system.roll
    reception = roll.year == 0
    dis = roll.disadvantaged
    entry = roll.persistent[reception & ~dis].mean() - roll.persistent[reception & dis].mean()
    end_of_reception = roll.year == 1
    after_a_year = (roll.attainment[end_of_reception & ~dis].mean()
                    - roll.attainment[end_of_reception & dis].mean())
    assert 4.0 < entry < 5.2
    assert entry < after_a_year < model.pupil_system.headline()["gap_months_primary"]


@pytest.mark.slow
def test_segregation_at_secondary_differs_when_league_tables_are_more_salient():
    none = np.array([run("scheme=none", seed=s, years=5).metrics.iloc[-1]["segregation_secondary"]
                     for s in SEEDS])
    market = np.array([run("scheme=market", seed=s, years=5).metrics.iloc[-1][
        "segregation_secondary"] for s in SEEDS])
    message = f"none {np.round(none, 4).tolist()}, market {np.round(market, 4).tolist()}"
    assert (none != market).all(), message
    assert market.mean() > none.mean() and (market > none).sum() >= 4, message


def ks2_disadvantaged(result, schools) -> np.ndarray:
    """Pupil-weighted KS2 attainment of disadvantaged pupils at `schools`, by year."""
    r = result.results[result.results["school_id"].isin(schools)]
    weighted = r.assign(total=r["attainment_disadvantaged"].fillna(0) * r["cohort_disadvantaged"])
    by_year = weighted.groupby("year")[["total", "cohort_disadvantaged"]].sum()
    return (by_year["total"] / by_year["cohort_disadvantaged"]).to_numpy()


@pytest.mark.slow
def test_an_inclusion_gain_shows_in_ks2_gradually():
    lifts = []
    for seed in SEEDS:
        runs = []
        for gain in (0.0, 0.3):
            model = sim.SchoolSystem(rng=seed, **{"region": "gm", "years": 7,
                                                  "output.progress": False})
            primaries = np.flatnonzero(model.region.phase == 0)[::4]
            inclusion = list(model.cfg.school.domains).index("inclusion")
            model.state.expertise[primaries, inclusion] = np.minimum(
                model.state.expertise[primaries, inclusion] + gain, 1.0)
            # Expertise follows from practices and tacit know-how (issue 12): a direct change
            # is taken into tacit know-how, or the next term's recomputation undoes it.
            model.knowledge.absorb(model.state.expertise)
            model.run()
            runs.append(ks2_disadvantaged(result_from_model(model), primaries))
        lifts.append(runs[1] - runs[0])
    lift = np.mean(lifts, axis=0)          # years 0..7
    message = f"KS2 lift for disadvantaged pupils by year: {np.round(lift, 2).tolist()}"
    assert abs(lift[0]) < 1e-9, message    # the starting results come before the gain
    assert lift[7] > 0.5, message
    assert lift[1] < 0.35 * lift[7], message
    assert (np.diff(lift[1:]) > -0.1).all(), message


@pytest.mark.slow
def test_the_pandemic_loss_is_still_visible_in_ks4_results_years_later():
    gaps = []
    for seed in SEEDS:
        base = run("scheme=none", seed=seed, years=7).metrics
        shock = run("scheme=none", "shocks.pandemic.enabled=true",
                    "shocks.pandemic.start_year=2", seed=seed, years=7).metrics
        column = "attainment_disadvantaged_secondary"
        gaps.append(base[column].to_numpy() - shock[column].to_numpy())
    loss = np.mean(gaps, axis=0)
    at_year_6 = loss[base["week"].to_numpy() == 6 * 39][0]
    message = f"KS4 shortfall of disadvantaged pupils by term: {np.round(loss, 2).tolist()}"
    assert at_year_6 > 0.5, message
