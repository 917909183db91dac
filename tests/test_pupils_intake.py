"""sim.pupils.intake: Reception cohorts, disadvantaged status, homes and entry attainment."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.pupils import intake
from sim.pupils.places import Places, entry_places, year_group_size
from sim.region import PRIMARY, SECONDARY
from tests.pupils_helpers import line_of_schools

PARAMS = intake.IntakeParams()


def cohort_of(places, params, rng):
    return intake.reception_cohort(places, intake.catchment(places, params), params, rng)


def test_every_primary_fills_its_reception_places_and_no_secondary_gets_any():
    cohort = cohort_of(line_of_schools(), PARAMS, np.random.default_rng(0))
    np.testing.assert_array_equal(np.bincount(cohort.school, minlength=6), [30, 30, 30, 30, 0, 0])
    assert (cohort.year == 0).all()


def big_two_schools(share=(0.1, 0.5), deprivation=(0.8, 0.2)) -> Places:
    # Two primaries at the same point, 20,000 places each; two neighbourhoods equidistant.
    return Places(np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0]]),
                  np.array([PRIMARY, PRIMARY, SECONDARY]), np.array([20000, 20000, 10]),
                  np.array([share[0], share[1], 0.0]),
                  np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array(deprivation),
                  np.array([20000, 20000, 10]))


def test_each_schools_disadvantaged_share_matches_its_intake_share():
    cohort = cohort_of(big_two_schools(), PARAMS, np.random.default_rng(1))
    for school, share in ((0, 0.1), (1, 0.5)):
        assert cohort.disadvantaged[cohort.school == school].mean() == pytest.approx(share, abs=0.01)


def test_disadvantaged_pupils_come_from_the_more_deprived_neighbourhood():
    # Equidistant neighbourhoods with deprivation 0.8 and 0.2:
    # P(home 0 | disadvantaged) = 0.8 / (0.8 + 0.2) = 0.8; P(home 0 | other) = 0.2 / 1.0 = 0.2.
    params = dataclasses.replace(PARAMS, catchment_neighbourhoods=2)
    cohort = cohort_of(big_two_schools(), params, np.random.default_rng(2))
    at_zero = cohort.home == 0
    assert at_zero[cohort.disadvantaged].mean() == pytest.approx(0.8, abs=0.015)
    assert at_zero[~cohort.disadvantaged].mean() == pytest.approx(0.2, abs=0.01)


def test_nearer_neighbourhoods_send_more_pupils():
    # Same deprivation; neighbourhood 0 at 1 km, neighbourhood 1 at 2 km, scale 1 km:
    # weights e^-1 : e^-2, so P(home 0) = 1 / (1 + e^-1) = 0.731.
    places = dataclasses.replace(big_two_schools(deprivation=(0.3, 0.3)),
                                 neighbourhood_km=np.array([[1.0, 0.0], [0.0, 2.0]]))
    params = dataclasses.replace(PARAMS, catchment_neighbourhoods=2)
    cohort = cohort_of(places, params, np.random.default_rng(3))
    assert (cohort.home == 0).mean() == pytest.approx(1 / (1 + np.exp(-1)), abs=0.01)


def test_entry_attainment_centres_on_zero_with_the_entry_gap_between_groups():
    # Disadvantaged mean 4.6 * (0.24 - 1) = -3.496, others 4.6 * 0.24 = 1.104, sd 8.
    cohort = cohort_of(big_two_schools(share=(0.24, 0.24)), PARAMS,
                                     np.random.default_rng(4))
    dis = cohort.disadvantaged
    assert cohort.attainment[dis].mean() == pytest.approx(-3.496, abs=0.2)
    assert cohort.attainment[~dis].mean() == pytest.approx(1.104, abs=0.1)
    assert cohort.attainment[~dis].std() == pytest.approx(8.0, rel=0.02)
    np.testing.assert_allclose(cohort.persistent, cohort.attainment, rtol=1e-6)


def test_homes_scatter_around_the_home_neighbourhood():
    cohort = cohort_of(big_two_schools(), PARAMS, np.random.default_rng(5))
    offset = cohort.home_km - big_two_schools().neighbourhood_km[cohort.home]
    assert offset.std(axis=0) == pytest.approx([0.3, 0.3], rel=0.03)


def test_arrivals_at_11_fill_the_region_s_shortfall_in_proportion_to_unfilled_places():
    # Year groups 100, 60, 40 (200) and 150 of the region's Year 6 joined: 50 arrive. Unfilled
    # 100 - 90 = 10, 60 - 20 = 40, 40 - 40 = 0: quotas 50 x (10, 40, 0) / 50 = 10, 40, 0.
    got = intake.arrivals_by_school(np.array([100, 60, 40]), np.array([90, 20, 40]))
    np.testing.assert_array_equal(got, [10, 40, 0])
    # Unfilled 3, 3, 4 (10) for a shortfall of 5: quotas 1.5, 1.5, 2; the one place left
    # after the floors (1, 1, 2) goes to the larger remainder, ties to the first school.
    got = intake.arrivals_by_school(np.array([3, 3, 4, 50]), np.array([0, 0, 0, 55]))
    np.testing.assert_array_equal(got, [2, 1, 2, 0])
    # An empty school gets its share; a region whose Year 6 fill the year groups gets none.
    assert intake.arrivals_by_school(np.array([10, 10]), np.array([0, 15]))[0] == 5
    np.testing.assert_array_equal(intake.arrivals_by_school(np.array([10, 10]),
                                                            np.array([4, 16])), [0, 0])


def test_arrivals_at_11_join_year_7_of_their_school_from_its_catchment():
    places = line_of_schools(secondary_year_groups=(80, 80))
    area = intake.catchment(places, PARAMS, SECONDARY)
    got = intake.arrivals_at_11(places, area, np.array([60, 60]), PARAMS, 0.12, 3.0,
                                np.random.default_rng(2))
    np.testing.assert_array_equal(np.bincount(got.school, minlength=6), [0, 0, 0, 0, 20, 20])
    assert (got.year == 7).all()
    assert set(got.home.tolist()) <= set(area.neighbourhoods.ravel().tolist())


def test_every_school_with_pupils_has_an_entry_place_and_a_year_group():
    roll, phase = np.array([3.0, 280.0, 2.0, 1000.0]), np.array([0, 0, 1, 1])
    # 3 / 7 rounds to none: one place; 280 / 7 = 40; ceil(2 / 5 x 1.2) = 1; 1000 / 5 x 1.2 = 240.
    np.testing.assert_array_equal(entry_places(roll, phase, 0.2), [1, 40, 1, 240])
    np.testing.assert_array_equal(year_group_size(roll, phase), [1, 40, 1, 200])


def test_a_secondary_year_group_leaves_out_the_sixth_form():
    # Rolls 1,000 (secondary) and 700 (primary), 80 % of the secondary's below 16: 1,000 x 0.8
    # / 5 = 160 a year group, 160 x 1.2 = 192 Year 7 places; the primary keeps 700 / 7 = 100.
    roll, phase = np.array([700.0, 1000.0]), np.array([PRIMARY, SECONDARY])
    np.testing.assert_array_equal(year_group_size(roll, phase, 0.8), [100, 160])
    np.testing.assert_array_equal(entry_places(roll, phase, 0.2, 0.8), [100, 192])
