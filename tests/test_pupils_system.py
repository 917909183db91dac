"""sim.pupils.system: the pupils of a run, spun up at set-up and advanced each year end."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.pupils import progress
from sim.pupils.system import SPIN_UP_YEARS, PupilSystem
from sim.pupils.year_end import STREAMS, PupilParams
from sim.region import build_region
from sim.state import initial_state
from sim.streams import Streams


@pytest.fixture(scope="module")
def world():
    cfg = sim.compose_config(["region.n_schools=150", "seed=3"])
    streams = Streams(3)
    region = build_region(cfg.region, streams["region"])
    state = initial_state(region, cfg, streams["initial"])
    rngs = {name: np.random.default_rng([3, i]) for i, name in enumerate(STREAMS)}
    return region, state, PupilSystem(region, state, PupilParams(), rngs)


def test_set_up_fills_every_year_group_and_the_state(world):
    region, state, pupils = world
    assert SPIN_UP_YEARS == 13
    assert not np.isnan(list(pupils.headline().values())).any()
    years = np.bincount(pupils.roll.year, minlength=12)
    assert (years > 0).all()
    assert (np.diff(pupils.roll.year) <= 0).all()   # in order of entry: the oldest first
    dis, oth = pupils.roll.counts(region.n_schools)
    np.testing.assert_array_equal(state.pupils_disadvantaged, dis)
    np.testing.assert_array_equal(state.pupils_other, oth)
    mine = pupils.roll.school == 7
    group = mine & pupils.roll.disadvantaged
    assert state.attainment_disadvantaged[7] == pytest.approx(pupils.roll.attainment[group].mean(),
                                                              rel=1e-5)


def test_a_year_end_records_one_result_row_per_school(world):
    region, state, pupils = world
    pupils.year_end(state, 1)
    rows = pupils.results_frame(1)
    assert len(rows) == region.n_schools
    assert (rows["key_stage"] == np.where(region.phase[rows["school_id"]] == 0, "KS2", "KS4")).all()
    ks2 = rows[rows["key_stage"] == "KS2"]
    assert ks2["cohort_disadvantaged"].sum() + ks2["cohort_other"].sum() == \
        pupils.latest.transferred


def test_headline_pools_the_two_key_stages_by_pupils(world):
    _, _, pupils = world
    h = pupils.headline()
    sizes = {stage: {g: int(getattr(pupils.latest, stage)[f"cohort_{g}"].sum())
                     for g in ("disadvantaged", "other")} for stage in ("ks2", "ks4")}
    for g in ("disadvantaged", "other"):
        expected = ((h[f"attainment_{g}_primary"] * sizes["ks2"][g]
                     + h[f"attainment_{g}_secondary"] * sizes["ks4"][g])
                    / (sizes["ks2"][g] + sizes["ks4"][g]))
        assert h[f"attainment_{g}"] == pytest.approx(expected)
    assert h["gap_months"] == pytest.approx(h["attainment_other"] - h["attainment_disadvantaged"])
    assert h["gap_months_secondary"] > h["gap_months_primary"] > 0


def test_published_results_are_each_schools_key_stage_mean(world):
    region, _, pupils = world
    rows = pupils.results_frame(99).set_index("school_id")
    school = int(np.flatnonzero(region.phase == 1)[0])
    r = rows.loc[school]
    expected = ((r.attainment_disadvantaged * r.cohort_disadvantaged
                 + r.attainment_other * r.cohort_other)
                / (r.cohort_disadvantaged + r.cohort_other))
    assert pupils.published_results()[school] == pytest.approx(expected, rel=1e-6)


def test_only_the_head_of_the_roll_carries_a_loss_and_recovery_matches_the_whole_roll(world):
    # The recovery works on the pupils on roll at the closure less the leavers since, with
    # the Year 7 arrivals who joined among them (`PupilSystem.lossy`): every pupil behind
    # them has no loss, and recovering the head alone gives the same roll as recovering
    # every pupil.
    region, state, pupils = world
    pupils.lose(2.0, 1.0)
    on_roll_at_closure = pupils.on_roll
    assert pupils.lossy == on_roll_at_closure
    pupils.year_end(state, 2)
    left = pupils.latest.leavers + pupils.latest.left_at_11
    arrived = pupils.latest.arrived_at_11
    assert pupils.lossy == on_roll_at_closure - left + arrived
    assert np.count_nonzero(pupils.roll.loss[:pupils.lossy]) == pupils.lossy - arrived
    assert not pupils.roll.loss[pupils.lossy:].any()
    rate = np.linspace(0.1, 0.9, 2 * region.n_schools).reshape(region.n_schools, 2)
    whole = pupils.roll.take(slice(None))
    whole.attainment, whole.loss = whole.attainment.copy(), whole.loss.copy()
    progress.recover(whole, rate, 0.5)
    pupils.recover(rate, 0.5)
    np.testing.assert_array_equal(pupils.roll.attainment, whole.attainment)
    np.testing.assert_array_equal(pupils.roll.loss, whole.loss)
    assert pupils.loss_by_group()["learning_loss_other"] == pytest.approx(
        pupils.roll.loss[~pupils.roll.disadvantaged].mean())


def test_each_closure_week_falls_on_the_roll_of_that_week(world):
    # The loss per pupil is kept between the weeks of a closure: a year end in between, or
    # another weekly rate, must give every pupil on roll its group's months of that week.
    _, state, pupils = world

    def week(months_dis, months_oth):
        before = pupils.roll.loss.copy()
        pupils.lose(months_dis, months_oth)
        lost = np.where(pupils.roll.disadvantaged, months_dis, months_oth)
        np.testing.assert_allclose(pupils.roll.loss - before, lost, rtol=1e-5)

    week(2.0, 1.0)
    week(2.0, 1.0)
    pupils.year_end(state, 7)
    week(2.0, 1.0)
    week(0.5, 0.25)
