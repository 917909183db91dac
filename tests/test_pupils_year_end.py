"""sim.pupils.year_end: one year end in order; pupils conserved; the gap grows with age."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from sim.pupils import year_end
from sim.pupils.roll import Pupils
from sim.pupils.roll_buffer import RollBuffer
from tests.pupils_helpers import line_of_schools

PARAMS = year_end.PupilParams()
PLACES = line_of_schools(primary_places=(30, 30, 30, 30), secondary_places=(70, 70))


def schools_now(places, va=0.0):
    m = places.n_schools
    return year_end.SchoolsNow(np.full(m, va), np.full(m, va), np.zeros(m), np.full(m, 0.25))


def streams(seed=0):
    return {name: np.random.default_rng([seed, i]) for i, name in enumerate(year_end.STREAMS)}


def run_years(years, places=PLACES, params=PARAMS, seed=0):
    """Each year's roll before and after its year end (copies: the roll changes in place)
    and the year end's flows."""
    roll, rngs, history = RollBuffer(Pupils.empty()), streams(seed), []
    areas = year_end.catchments(places, params)
    for _ in range(years):
        before = copy.deepcopy(roll.pupils)
        flows = year_end.end_of_year(roll, places, areas, schools_now(places), params, rngs)
        history.append((before, copy.deepcopy(roll.pupils), flows))
    return history


def test_twelve_years_fill_every_year_group_with_one_intake_each():
    _, pupils, _ = run_years(12)[-1]
    np.testing.assert_array_equal(np.bincount(pupils.year, minlength=12), [120] * 12)


def test_pupils_are_conserved_every_year():
    for year, (before, after, flows) in enumerate(run_years(15), start=1):
        assert len(after) == (len(before) + flows.intake + flows.arrived_at_11 - flows.leavers
                              - flows.left_at_11)
        assert flows.leavers == np.count_nonzero(before.year == 11)
        assert flows.transferred == np.count_nonzero(before.year == 6)
        assert flows.intake == 120
        # The secondaries' year groups (60 + 60) take the region's 120 Year 6 pupils; until
        # the first intake reaches Year 6 (the end of year 8) Year 7 comes from outside.
        assert flows.arrived_at_11 == (120 if year < 8 else 0)
        assert flows.left_at_11 == 0


def test_year_6_pupils_go_to_secondaries_within_their_places_and_keep_their_attainment():
    before, after, flows = run_years(14)[-1]
    year7 = after.year == 7
    assert year7.sum() == np.count_nonzero(before.year == 6)
    assert (after.school[year7] >= 4).all()
    # Year 7 on roll may exceed places only through later moves, which skip nobody in Year 7
    # this year (moves happen after transfer); allow for movers into Year 7 from elsewhere.
    fill = np.bincount(after.school[year7], minlength=6)[4:]
    assert fill.sum() == 120 and (fill <= 70 + flows.movers).all()


def test_the_oldest_cohort_stays_at_the_front_so_leavers_are_a_prefix():
    _, pupils, _ = run_years(13)[-1]
    assert (np.diff(pupils.year.astype(int)) <= 0).all()


def test_a_cohort_keeps_its_pupils_through_the_years():
    # The Reception cohort of year 1 (120 pupils) is Year 11 in year 12, the same pupils:
    # their persistent components travel with them.
    history = run_years(12)
    first = history[0][1]
    last = history[-1][1]
    np.testing.assert_array_equal(np.sort(last.persistent[last.year == 11]),
                                  np.sort(first.persistent[first.year == 0]))


def test_year_6_beyond_the_secondaries_places_leave_the_region_counted():
    # 120 Year 6 pupils a year (4 x 30), 100 Year 7 places (50 + 50, year groups of 50):
    # once the first intake leaves Year 6 (the end of year 8), 20 a year leave without a
    # place, every place is taken, none arrives from outside, and pupils are conserved with
    # the 20 counted under their own reason.
    places = line_of_schools(secondary_places=(50, 50), secondary_year_groups=(50, 50))
    for year, (before, after, flows) in enumerate(run_years(10, places=places), start=1):
        assert flows.left_without_place == (20 if year >= 8 else 0)
        assert flows.arrived_at_11 == (100 if year < 8 else 0)
        assert flows.left_to_neighbours == 0 and flows.left_at_11 == 0
        assert len(after) == (len(before) + flows.intake + flows.arrived_at_11 - flows.leavers
                              - flows.left_without_place)
        if year >= 8:
            year7 = after.school[after.year == 7]
            assert len(year7) == 100 and (year7 >= 4).all()


def test_with_average_schools_the_gap_grows_from_entry_through_both_phases():
    # Schools at the reference (no value added), no peer effects, pupils' home background
    # alone: a cohort whose groups' persistent components differ by D (4.6 expected) has a
    # gap of D at entry; each year adds home_p * D, so ignoring noise: end of Year 6 (7 years)
    # D * (1 + 7 * 0.12) = 1.84 D (8.46 for D = 4.6); end of Year 11
    # D * (1.84 + 5 * 0.38) = 3.74 D (17.2 for D = 4.6).
    places = line_of_schools(primary_places=(3000,) * 4, secondary_places=(7000, 7000),
                             shares=(0.24,) * 4)
    params = dataclasses.replace(PARAMS, progress=dataclasses.replace(PARAMS.progress,
                                                                      peers_primary=0.0,
                                                                      peers_secondary=0.0))
    before, _, flows = run_years(13, places=places, params=params)[-1]

    def entry_gap(year):
        cohort = before.year == year
        theta, dis = before.persistent[cohort], before.disadvantaged[cohort]
        return theta[~dis].mean() - theta[dis].mean()

    # Noise: sqrt(years) * 3 months * sqrt(1/2880 + 1/9120) is at most 0.22 months here.
    assert entry_gap(6) == pytest.approx(4.6, abs=0.6)
    assert flows.ks2_gap["gap_months"] == pytest.approx(1.84 * entry_gap(6), abs=0.7)
    assert flows.ks4_gap["gap_months"] == pytest.approx(3.74 * entry_gap(11), abs=0.7)


def test_year_7_from_outside_fill_secondaries_the_region_s_year_6_cannot_and_keep_the_order():
    # Year groups 100 + 100 for the region's 120 Year 6: 80 arrive each year, and the oldest
    # year group stays at the front (the leavers at 16 are a prefix of the roll).
    places = line_of_schools(secondary_year_groups=(100, 100))
    for year, (before, after, flows) in enumerate(run_years(14, places=places), start=1):
        assert flows.arrived_at_11 == (200 if year < 8 else 80)
        assert len(after) == len(before) + flows.intake + flows.arrived_at_11 - flows.leavers
        assert (np.diff(after.year.astype(int)) <= 0).all()
    year7 = after.year == 7
    assert year7.sum() == 200
    assert (np.bincount(after.school[year7], minlength=6)[4:] > 0).all()


def border_params():
    """Families who weigh distance far above their tastes (20 per km): the nearest school
    first, so who goes where can be worked out by hand."""
    params = year_end.PupilParams()
    for group in ("disadvantaged", "advantaged"):
        setattr(params.transition, f"distance_weight_{group}", 20.0)
    return params


def across_the_border(secondary_places):
    """One primary of 30 (x = 0), one secondary with a year group of 18 (x = 1, y = 1) and a
    secondary in the neighbouring authority farther from every home (x = -2, y = 0)."""
    return dataclasses.replace(
        line_of_schools(primary_places=(30,), secondary_places=secondary_places,
                        shares=(0.25,), secondary_year_groups=(18,)),
        outside_km=np.array([[-2.0, 0.0]]), outside_share=np.array([0.3]))


@pytest.mark.parametrize("places", [20, 18])
def test_year_6_beyond_the_region_s_places_leave_for_the_neighbouring_authority(places):
    # 30 Year 6 for a year group of 18: 30 - 18 = 12 places across the border. Every family
    # ranks its own secondary first; it keeps its 18 nearest applicants (its year group: its
    # 2 spare places, when it has them, are not offered) and the other 12 take the places
    # across the border. Nobody arrives (the region's own fill the year group).
    left = 12
    params = border_params()
    for year, (before, after, flows) in enumerate(
            run_years(10, places=across_the_border((places,)), params=params), start=1):
        assert len(after) == (len(before) + flows.intake + flows.arrived_at_11 - flows.leavers
                              - flows.left_at_11 - flows.left_to_neighbours)
        assert flows.arrived_at_11 == (18 if year < 8 else 0)
        assert flows.left_to_neighbours == (0 if year < 8 else left)
        if year >= 8:
            # Those who stay are their own secondary's nearest applicants (its priority).
            own_km = np.array([1.0, 1.0], np.float32)
            year6_km = np.sort(np.hypot(*(before.home_km[before.year == 6] - own_km).T))
            year7_km = np.sort(np.hypot(*(after.home_km[after.year == 7] - own_km).T))
            np.testing.assert_array_equal(year7_km, year6_km[:30 - left])


def test_schools_across_the_border_show_the_results_of_a_school_of_the_region_like_them():
    # The region's secondaries: shares 0.4, 0.2, 0.0 publishing -4, 0, +4 months lie on the
    # line 4 - 20 x share, so schools across the border with shares 0.5 and 0.1 show -6, +2.
    shown = year_end.results_beyond(np.array([-4.0, 0.0, 4.0]), np.array([0.4, 0.2, 0.0]),
                                    np.array([0.5, 0.1]))
    np.testing.assert_allclose(shown, [-6.0, 2.0], atol=1e-9)
    # Before any results every school shows 0, the national expectation, across it too.
    np.testing.assert_array_equal(
        year_end.results_beyond(np.zeros(3), np.array([0.4, 0.2, 0.0]), np.array([0.5])), [0.0])
    # One secondary (no line): its results; none at all: the national expectation.
    np.testing.assert_array_equal(
        year_end.results_beyond(np.array([3.0]), np.array([0.2]), np.array([0.3, 0.1])),
        [3.0, 3.0])
    np.testing.assert_array_equal(
        year_end.results_beyond(np.zeros(0), np.zeros(0), np.array([0.3])), [0.0])


@pytest.mark.parametrize("places, params", [(PLACES, PARAMS),
                                            (across_the_border((18,)), border_params())])
def test_steps_on_threads_of_their_own_give_what_they_give_in_turn(monkeypatch, places,
                                                                     params):
    # A roll this small runs the steps in turn (THREADED_ROLL); with the threshold at 0 the
    # progress, results and Reception draws run beside the transition (and, at the border,
    # Year 6 leave for the neighbouring authority after the progress is collected).
    in_turn = run_years(15, places=places, params=params)
    monkeypatch.setattr(year_end, "THREADED_ROLL", 0)
    threaded = run_years(15, places=places, params=params)
    for (_, roll, flows), (_, roll_threaded, flows_threaded) in zip(in_turn, threaded):
        for name in Pupils.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(roll_threaded, name), getattr(roll, name))
        np.testing.assert_equal(dataclasses.asdict(flows_threaded), dataclasses.asdict(flows))
