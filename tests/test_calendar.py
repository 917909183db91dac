"""sim.calendar and the model's clock: 39 teaching weeks a year in three terms of 13."""

from __future__ import annotations

import numpy as np
import pandas as pd

import sim
from sim import calendar
from tests.helpers import build_model


def test_constants():
    assert calendar.WEEKS_PER_TERM == 13
    assert calendar.TERMS_PER_YEAR == 3
    assert calendar.WEEKS_PER_YEAR == 39


def test_term_ends():
    assert calendar.term_ends(1) == [13, 26, 39]
    assert calendar.term_ends(2) == [13, 26, 39, 52, 65, 78]
    assert calendar.term_ends(0) == []


def test_same_week_order():
    assert (calendar.AT_MEETINGS < calendar.AT_TERM_END < calendar.AT_YEAR_END
            < calendar.AT_COLLECT < 1)


def test_run_reports_every_term_and_every_year():
    result = sim.run(["region.n_schools=120", "years=2", "scheme=trios"], progress=False)
    assert result.metrics["week"].tolist() == [0, 13, 26, 39, 52, 65, 78]
    np.testing.assert_allclose(result.metrics["year"], np.array([0, 13, 26, 39, 52, 65, 78]) / 39)
    assert sorted(result.schools["year"].unique().tolist()) == [0, 1, 2]
    assert (result.schools.groupby("year").size() == 120).all()
    assert result.summary["weeks"] == 78 and result.summary["weeks_per_year"] == 39


def test_step_is_one_week_and_stepping_equals_running():
    overrides = ["region.n_schools=120", "years=1", "scheme=trios", "seed=4"]
    stepped = build_model(overrides)
    for week in range(1, 40):
        stepped.step()
        assert stepped.week == week
    stepped.step()                          # past the end: stays at the last week
    assert stepped.week == 39 and stepped.finished
    ran = build_model(overrides)
    ran.run()
    pd.testing.assert_frame_equal(pd.DataFrame(stepped.metric_rows), pd.DataFrame(ran.metric_rows))
    np.testing.assert_array_equal(stepped.state.expertise, ran.state.expertise)


def test_trios_meet_on_their_schedule():
    # 3-weekly meetings from offsets 0..2: over 39 weeks each active trio is due 13 times.
    model = build_model(["region.n_schools=150", "years=1", "scheme=trios",
                         "scheme.meeting_interval_weeks=3", "trust.lapse_probability=0"])
    p = model.partnerships
    expected = sum(len(p.due(w)) for w in range(1, 40))
    assert expected == 13 * p.n_groups
    model.run()
    assert model.meetings_held == expected
