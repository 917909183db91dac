"""The pandemic shock (sim.shocks): its window, learning loss, recovery, and bad values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import shocks
from sim.shocks import Pandemic, recovery_weeks
from sim.policies import Venue
from tests.helpers import build_model

SMALL = ["region.n_schools=300", "years=3"]
PANDEMIC = ["shocks.pandemic.enabled=true", "shocks.pandemic.start_year=1",
            "shocks.pandemic.closure_weeks=10"]


def step_to(model, week: int) -> None:
    while model.week < week:
        model.step()


def test_repr_and_overrides_recreate_the_pandemic():
    p = Pandemic(start_year=1.5, closure_weeks=12, loss_months_disadvantaged=5.0,
                 loss_months_other=4.0, leadership_time_cut=0.3, meetings_online=False,
                 recovery_rate=0.6)
    assert eval(repr(p), vars(shocks)) == p
    cfg = sim.compose_config(p.overrides())
    assert shocks.from_config(cfg) == [p]
    assert shocks.from_config(sim.compose_config([])) == []
    assert (p.start_week, p.end_week) == (round(1.5 * 39), round(1.5 * 39) + 11)


def arrived_at_11(m) -> np.ndarray:
    """The Year 7 who came from outside the region at the last year end: the tail of the
    Year 7 run (they join behind the region's own Year 7, `sim.pupils.year_end`)."""
    roll = m.pupil_system.roll
    year7 = roll.cohort(7)
    arrived = np.zeros(len(roll), bool)
    arrived[year7.stop - m.pupil_system.latest.arrived_at_11:year7.stop] = True
    return arrived


def pupil_loss(m, disadvantaged: bool, joined_at_year_end: bool = False) -> np.ndarray:
    """Loss of one group's pupils on roll at the closure, or of those who joined at the
    year end since (new Reception and Year 7 from outside)."""
    roll = m.pupil_system.roll
    joined = (roll.year == 0) | arrived_at_11(m)
    return roll.loss[(roll.disadvantaged == disadvantaged) & (joined == joined_at_year_end)]


def test_closure_window_loss_and_levers_week_by_week():
    m = build_model(["scheme=peer_review", *SMALL, *PANDEMIC])
    s = m.state
    step_to(m, 38)
    assert not m.schools_closed and not m.pupil_system.roll.loss.any()
    assert m.meetings.cost[0] == 1.0                 # peer review meets in person, a day
    step_to(m, 39)                       # first closure week (39 .. 48)
    assert m.schools_closed
    assert m.levers.days_factor == 0.5 and m.levers.venue is Venue.ONLINE
    np.testing.assert_allclose(m.meetings.cost, 1.0 * 0.5)
    # The first closure week (39.6) comes before the year end (39.7): the pupils on roll then
    # lose a tenth of the loss; the Reception (and Year 7 from outside) who join at the year
    # end do not.
    np.testing.assert_allclose(pupil_loss(m, True), 4.3 / 10, rtol=1e-6)
    np.testing.assert_allclose(pupil_loss(m, False), 3.7 / 10, rtol=1e-6)
    assert not pupil_loss(m, True, joined_at_year_end=True).any()
    np.testing.assert_allclose(m.available_days(),   # less peer review's commitments
                               np.maximum(0.5 * s.leadership_days - s.days_committed, 0.0))
    step_to(m, 47)
    assert m.schools_closed
    step_to(m, 48)                       # last closure week: the whole loss, then reopening
    assert not m.schools_closed and m.levers.days_factor == 1.0
    assert m.levers.venue is None
    np.testing.assert_allclose(pupil_loss(m, True), 4.3, rtol=1e-5)
    np.testing.assert_allclose(pupil_loss(m, False), 3.7, rtol=1e-5)
    np.testing.assert_allclose(pupil_loss(m, True, joined_at_year_end=True), 4.3 * 9 / 10,
                               rtol=1e-5)
    np.testing.assert_allclose(m.meetings.cost, 1.0)


def test_the_wider_absence_after_reopening_hand_worked():
    """1 more day missed a term, 3 terms, a whole day's progress (12 months / 190 days):
    disadvantaged pupils make 3 x 12 / 190 = 0.189 months a year less, from the reopening."""
    p = Pandemic(absence_gap_rise_days_per_term=1.0, progress_lost_per_day_missed=1.0)
    assert p.absence_value_added() == pytest.approx((-36 / 190, -36 / 190))
    half = Pandemic(absence_gap_rise_days_per_term=2.5, progress_lost_per_day_missed=0.5)
    assert half.absence_value_added() == pytest.approx((-2.5 * 3 * 0.5 * 12 / 190,) * 2)
    m = build_model(["scheme=none", *SMALL, *PANDEMIC])
    step_to(m, 47)                       # still closed: nothing yet
    assert m.levers.disadvantaged_value_added == (0.0, 0.0)
    step_to(m, 48)                       # reopened
    assert m.levers.disadvantaged_value_added == pytest.approx((-36 / 190, -36 / 190))


def test_the_wider_absence_costs_disadvantaged_pupils_their_progress():
    """A school year after reopening, on the same seed, each disadvantaged pupil who spent it
    in school is 3 x 12 / 190 = 0.189 months further behind than with no wider absence;
    other pupils lose nothing (up to the peer effect of the shift, at most 0.05 x 0.19)."""
    base = ["scheme=none", "region.n_schools=80", "years=2", "seed=5", *PANDEMIC,
            "shocks.pandemic.recovery_rate=0"]
    wide = build_model(base)
    none = build_model([*base, "shocks.pandemic.absence_gap_rise_days_per_term=0"])
    for m in (wide, none):
        step_to(m, 78)                   # reopened at week 48; the year end at 78
    a, b = wide.pupil_system.roll, none.pupil_system.roll
    assert np.array_equal(a.school, b.school)
    in_school = (a.year >= 1) & (a.year <= 11)      # on roll for the year just ended
    gain = (a.attainment - b.attainment)[in_school]
    dis = a.disadvantaged[in_school]
    assert gain[dis].mean() == pytest.approx(-36 / 190, abs=0.02)
    assert abs(gain[~dis].mean()) < 0.02


def test_inspections_pause_while_schools_are_closed():
    m = build_model(["scheme=none", *SMALL, "shocks.pandemic.enabled=true",
                     "shocks.pandemic.start_year=0.3", "shocks.pandemic.closure_weeks=20"])
    ins = m.inspection
    due = ins.next_due <= 13
    assert due.any()
    step_to(m, 13)                       # closed from week 12 to 31
    assert m.schools_closed and ins.inspections == 0
    step_to(m, 39)                       # the first term end after reopening
    assert ins.inspections >= due.sum()


def test_the_loss_travels_with_the_pupils_into_secondary():
    # Same seed, same draws: b's pupils lose 2 (disadvantaged) / 1 month at the start and,
    # with no pandemic running, make none of it up; a year later the Year 6 pupils, now in
    # Year 7 at whichever secondary, are exactly that much behind their twins in a.
    a = build_model(["scheme=none", *SMALL])
    b = build_model(["scheme=none", *SMALL])
    b.pupil_system.lose(2.0, 1.0)
    year6 = b.pupil_system.roll.year == 6
    step_to(a, 39)
    step_to(b, 39)
    ra, rb = a.pupil_system.roll, b.pupil_system.roll
    year7 = (rb.year == 7) & ~arrived_at_11(b)       # the region's own, not those from outside
    assert year7.sum() == year6.sum()
    np.testing.assert_array_equal(ra.school[year7], rb.school[year7])
    np.testing.assert_allclose(ra.attainment[year7] - rb.attainment[year7],
                               np.where(rb.disadvantaged[year7], 2.0, 1.0), atol=0.05)


def test_recovery_hand_worked():
    m = build_model(["scheme=none", *SMALL])
    s, p, roll = m.state, m.pupil_system.params.progress, m.pupil_system.roll
    m.pupil_system.lose(4.0, 3.0)
    Pandemic(recovery_rate=0.6).recover(m, 0.5)
    # Each pupil keeps loss * exp(-0.6 q / 0.5 * 0.5), q = their school's expertise averaged
    # with their group's value-added weights (scaled to sum to 1: 1.25 and 1.0 by default).
    q_dis = (s.expertise @ np.asarray(p.weights_disadvantaged) / 1.25)[roll.school]
    q_oth = (s.expertise @ np.asarray(p.weights_other) / 1.0)[roll.school]
    expected = np.where(roll.disadvantaged, 4.0 * np.exp(-0.6 * q_dis / 0.5 * 0.5),
                        3.0 * np.exp(-0.6 * q_oth / 0.5 * 0.5))
    np.testing.assert_allclose(roll.loss, expected, rtol=1e-5)


def test_no_recovery_during_the_closure_then_every_term():
    m = build_model(["scheme=none", "region.n_schools=300", "years=2",
                     "shocks.pandemic.enabled=true", "shocks.pandemic.start_year=0",
                     "shocks.pandemic.closure_weeks=20"])
    step_to(m, 19)                                   # closure: weeks 0-19, a term end at 13
    peak = m.pupil_system.roll.loss.copy()
    np.testing.assert_allclose(peak[m.pupil_system.roll.disadvantaged], 4.3, rtol=1e-5)
    step_to(m, 25)                                   # no recovery inside the closure
    np.testing.assert_array_equal(m.pupil_system.roll.loss, peak)
    step_to(m, 26)                                   # first term end after the closure
    assert (m.pupil_system.roll.loss < peak).all()


def test_recovery_weeks_hand_worked():
    p = Pandemic(start_year=0.0, closure_weeks=13)   # closure weeks 0-12, end_week 12
    frame = pd.DataFrame({"week": [0, 13, 26, 39, 52],
                          "learning_loss_disadvantaged": [0.0, 4.0, 2.0, 1.0, 0.5]})
    # 25 % of the peak (1.0) is reached exactly at week 39: 27 weeks after week 12
    assert recovery_weeks(frame, p) == pytest.approx(27.0)
    # halfway in log terms between 2.0 (week 26) and 1.0 (week 39) lies sqrt(2)
    assert recovery_weeks(frame, p, remaining=np.sqrt(2) / 4) == pytest.approx(20.5)
    assert recovery_weeks(frame, p, remaining=0.01) is None
    flat = frame.assign(learning_loss_disadvantaged=0.0)
    assert recovery_weeks(flat, p) is None


def test_pandemic_summary_and_metrics_columns():
    r = sim.run(["scheme=none", "region.n_schools=300", "years=6", *PANDEMIC], progress=False)
    m = r.metrics
    assert m["learning_loss_disadvantaged"].iloc[0] == 0
    # closure weeks 39-48; the first row after it (week 52) has had one term of recovery
    assert 3.5 < m["learning_loss_disadvantaged"].max() < 4.3
    assert (m["learning_loss_disadvantaged"] >= m["learning_loss_other"]).all()
    assert r.summary["shocks"] == [repr(Pandemic(start_year=1.0, closure_weeks=10))]
    assert r.summary["pandemic_recovery_weeks"] > 0


def test_a_pandemic_after_the_run_changes_nothing():
    plain = sim.run(["scheme=trios", "region.n_schools=300", "years=1"], progress=False)
    late = sim.run(["scheme=trios", "region.n_schools=300", "years=1",
                    "shocks.pandemic.enabled=true", "shocks.pandemic.start_year=5"],
                   progress=False)
    pd.testing.assert_frame_equal(plain.metrics, late.metrics)


BAD = [
    (["shocks.pandemic.start_year=-1"], "shocks.pandemic.start_year=-1"),
    (["shocks.pandemic.closure_weeks=0"], "shocks.pandemic.closure_weeks=0"),
    (["shocks.pandemic.closure_weeks=100"], "shocks.pandemic.closure_weeks=100"),
    (["shocks.pandemic.loss_months_disadvantaged=-4"],
     "shocks.pandemic.loss_months_disadvantaged=-4"),
    (["shocks.pandemic.leadership_time_cut=1.5"], "shocks.pandemic.leadership_time_cut=1.5"),
    (["shocks.pandemic.recovery_rate=-0.1"], "shocks.pandemic.recovery_rate=-0.1"),
    (["shocks.pandemic.recovery_rate=9"], "shocks.pandemic.recovery_rate=9"),
]


@pytest.mark.parametrize("overrides,expected", BAD)
def test_bad_pandemic_values_are_one_line_errors(overrides, expected):
    with pytest.raises(sim.ConfigError) as info:
        sim.compose_config(overrides)
    message = str(info.value)
    assert expected in message and "allowed" in message and "\n" not in message
