"""sim.region: local authorities, phases, intakes of the synthetic regions."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.geography import PRIMARY
from sim.pupils.places import places_of
from sim.region import (_phases, _seated_by_authority, _sufficient_secondaries,
                        beta_around, build_region)
from sim.region_real import PRE16_SHARE

GM_WEIGHTS = [552, 330, 296, 294, 270, 242, 235, 231, 223, 193]


def region(overrides=(), seed=0):
    cfg = sim.compose_config(list(overrides))
    return build_region(cfg.region, np.random.default_rng(seed))


def test_three_authorities_largest_remainder_hand_worked():
    # 10 schools, weights (1, 1, 2): one each, then 7 spare split 1.75/1.75/3.5 ->
    # floors (1, 1, 3), the two largest remainders (0.75, 0.75) get the last 2 -> (3, 3, 4)
    r = region(["region.n_schools=10", "region.n_local_authorities=3",
                "region.la_weights=[1,1,2]", "region.la_names=[]", "region.la_centres_km=[]",
                "region.la_fsm_shares=[]", "region.la_deprivation_shares=[]"])
    np.testing.assert_array_equal(np.bincount(r.la), [3, 3, 4])
    assert r.la_names == ("LA001", "LA002", "LA003")


@pytest.mark.parametrize("n", [40, 150, 1150, 3000])
def test_gm_counts_sum_and_follow_weights(n):
    r = region([f"region.n_schools={n}"])
    counts = np.bincount(r.la, minlength=10)
    assert counts.sum() == n == r.n_schools
    exact = 1 + (n - 10) * np.array(GM_WEIGHTS) / sum(GM_WEIGHTS)
    assert (np.abs(counts - exact) < 1).all()
    assert counts[0] == counts.max()                    # Manchester is the largest
    assert r.la_names[0] == "Manchester" and r.n_local_authorities == 10


def test_too_few_schools_for_the_authorities_is_a_config_error():
    with pytest.raises(sim.ConfigError, match="region.n_schools=5"):
        sim.compose_config(["region.n_schools=5"])


@pytest.mark.parametrize("seed", range(4))
def test_primary_share(seed):
    r = region(seed=seed)
    assert (r.phase == PRIMARY).mean() == pytest.approx(0.83, abs=0.005)
    assert set(np.unique(r.phase).tolist()) == {0, 1}


@pytest.mark.parametrize("seed", range(4))
def test_disadvantaged_share_mean_and_right_skew(seed):
    share = region(seed=seed).disadvantaged_share
    assert ((share > 0) & (share < 1)).all()
    # the neighbourhoods' mean is set to fsm_mean (gm.yaml: 0.30); schools draw around it
    assert share.mean() == pytest.approx(0.30, abs=0.02)
    # Right-skewed: the mean above the median, as in real GM (by 0.009) and England (0.033).
    assert share.mean() > np.median(share)
    third_moment = ((share - share.mean()) ** 3).mean() / share.std() ** 3
    assert third_moment > 0.5


def test_pupils_by_phase():
    r = region()
    primary, secondary = r.pupils[r.phase == 0], r.pupils[r.phase == 1]
    assert primary.mean() == pytest.approx(300, rel=0.1)        # gm.yaml's means
    assert secondary.mean() == pytest.approx(1100, rel=0.1)
    assert (r.pupils > 0).all()


def test_secondaries_are_scaled_up_only_when_they_could_not_seat_the_primaries_year_6():
    phase = np.array([0, 0, 1, 1])
    # Year 6 70 + 30 = 100 (rolls / 7); Year 7 places: rolls x 0.885636 (Years 7-11) / 5
    # x 9/8 (one place in nine spare). (100 + 150) -> 49.817: scaled by 100 / 49.817 =
    # 2.00735, 200.7 and 301.1 rounded up.
    np.testing.assert_array_equal(_sufficient_secondaries(np.array([490.0, 210.0, 100.0, 150.0]),
                                                          phase), [490, 210, 201, 302])
    # (250 + 250) / 5 = 100 would seat them if the rolls had no sixth form; their Years 7-11
    # have 500 x 0.885636 / 5 x 9/8 = 99.63 places: scaled by 1.0037, 250.9 rounded up.
    np.testing.assert_array_equal(_sufficient_secondaries(np.array([490.0, 210.0, 250.0, 250.0]),
                                                          phase), [490, 210, 251, 251])
    # (300 + 250) -> 109.6 places seat 100: kept as drawn.
    np.testing.assert_array_equal(_sufficient_secondaries(np.array([490.0, 210.0, 300.0, 250.0]),
                                                          phase), [490, 210, 300, 250])


def test_each_authority_seats_its_own_year_6_before_the_region_is_checked():
    # Authority 0 is the first case above: Year 6 100, 49.8 places, scaled to 201 and 302.
    # Authority 1: Year 6 10 (70 / 7) and 1,000 x 0.885636 / 5 x 9/8 = 199.3 places: kept.
    # Together 110 Year 6 and 249 places: region-wide, nothing would be scaled.
    phase, la = np.array([0, 0, 1, 1, 0, 1]), np.array([0, 0, 0, 0, 1, 1])
    pupils = np.array([490.0, 210.0, 100.0, 150.0, 70.0, 1000.0])
    np.testing.assert_array_equal(_sufficient_secondaries(pupils, phase), pupils)
    np.testing.assert_array_equal(_seated_by_authority(pupils, phase, la),
                                  [490, 210, 201, 302, 70, 1000])
    # Add an authority with no secondary (Year 6 7,000 / 7 = 1,000): the region's pass
    # then finds 1,110 Year 6 for (201 + 302 + 1,000) x 0.885636 / 5 x 9/8 = 299.5 places
    # and scales the secondaries by 1,110 / 299.5, rounded up.
    phase, la = np.append(phase, 0), np.append(la, 2)
    seated = _seated_by_authority(np.append(pupils, 7000.0), phase, la)
    places = 1503 * PRE16_SHARE / 5 * 9 / 8
    np.testing.assert_array_equal(seated[phase == 1],
                                  np.ceil(np.array([201, 302, 1000]) * 1110 / places))
    np.testing.assert_array_equal(seated[phase == 0], [490, 210, 70, 7000])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_authority_has_its_share_of_the_secondaries(seed):
    # 35 schools, 83 % primaries: round(35 x 0.17) = 6 secondaries, shared over authorities
    # of 10, 20 and 5 schools by largest remainders: quotas 1.71, 3.43, 0.86 -> 1, 3, 0
    # and the 2 left to the largest remainders, 0.86 and 0.71: 2, 3, 1.
    la = np.repeat([0, 1, 2], [10, 20, 5])
    phase = _phases(SimpleNamespace(primary_share=0.83), np.random.default_rng(seed), la)
    assert np.bincount(la[phase == 1], minlength=3).tolist() == [2, 3, 1]


def test_a_synthetic_secondary_s_year_group_leaves_out_its_sixth_form_as_a_real_one_s():
    # Rolls are fitted to census rolls, which count the sixth form: a roll of 1,000 has
    # 1,000 x 0.885636 / 5 = 177.1 pupils a year in Years 7-11, not 200.
    r = region()
    secondary = np.flatnonzero(r.phase == 1)[0]
    places = places_of(dataclasses.replace(r, pupils=np.where(np.arange(r.n_schools) == secondary,
                                                              1000.0, r.pupils)), 0.0)
    assert places.year_group_size[secondary] == 177


def test_a_draw_of_large_primaries_and_small_secondaries_runs_instead_of_being_refused():
    overrides = ["region.n_schools=40", "region.primary_share=0.95",
                 "region.primary_pupils_mean=3000", "region.secondary_pupils_mean=100",
                 "years=1", "scheme=none"]
    r = region(overrides)
    year6 = np.rint(r.pupils[r.phase == 0] / 7).sum()
    year7_places = r.pupils[r.phase == 1].sum() * PRE16_SHARE / 5 * 9 / 8
    assert year7_places >= year6 > 10 * 2 * 100 / 5
    assert sim.run(overrides, progress=False).summary["pupils_on_roll"] > 0


def test_schools_lie_near_their_authority_centre():
    r = region()
    centres = np.array([[0.0, 0.0], [-25.0, 5.0]])        # Manchester, Wigan (gm.yaml)
    for la in (0, 1):
        d = np.linalg.norm(r.pos_km[r.la == la] - centres[la], axis=1)
        assert np.median(d) < 10


def test_n_schools_scales_a_region_and_is_reproducible():
    small, big = region(["region.n_schools=300"]), region(["region.n_schools=2300"])
    assert small.n_schools == 300 and big.n_schools == 2300
    again = region(["region.n_schools=300"])
    np.testing.assert_array_equal(small.pos_km, again.pos_km)
    np.testing.assert_array_equal(small.disadvantaged_share, again.disadvantaged_share)


def test_england_region_config():
    cfg = sim.compose_config(["region=england"]).region
    assert cfg.n_schools == 20000 and cfg.n_local_authorities == 150
    r = build_region(sim.compose_config(["region=england", "region.n_schools=3000"]).region,
                     np.random.default_rng(1))
    counts = np.bincount(r.la, minlength=150)
    assert counts.sum() == 3000 and counts.min() >= 1 and r.n_local_authorities == 150
    assert r.disadvantaged_share.mean() == pytest.approx(0.24, abs=0.02)


def test_a_share_drawn_around_a_mean_of_0_or_1_is_that_mean_and_the_others_draws_unchanged():
    mean = np.array([0.0, 0.3, 1.0, 0.6])
    shares = beta_around(np.random.default_rng(5), mean, 10.0)
    assert shares[0] == 0.0 and shares[2] == 1.0 and 0 < shares[1] < 1 and 0 < shares[3] < 1
    inside = np.array([0.2, 0.3, 0.6])
    np.testing.assert_array_equal(beta_around(np.random.default_rng(5), inside, 10.0),
                                  np.random.default_rng(5).beta(inside * 10.0,
                                                                (1 - inside) * 10.0))
