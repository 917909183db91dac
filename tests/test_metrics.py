"""sim.metrics: the dissimilarity index worked by hand; the term row against its definitions."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim import metrics
from tests.helpers import build_model


class TestDissimilarity:
    def test_even_spread_is_zero(self):
        # Every school has the same 1:2 mix.
        assert metrics.dissimilarity(np.array([10.0, 20.0, 30.0]),
                                     np.array([20.0, 40.0, 60.0])) == pytest.approx(0.0, abs=1e-15)

    def test_complete_separation_is_one(self):
        assert metrics.dissimilarity(np.array([10.0, 0.0, 7.0]),
                                     np.array([0.0, 5.0, 0.0])) == pytest.approx(1.0)

    def test_two_school_worked_value(self):
        # dis (30, 10) of 40 -> (0.75, 0.25); other (20, 40) of 60 -> (1/3, 2/3)
        # D = 0.5 (|0.75 - 1/3| + |0.25 - 2/3|) = 5/12
        assert metrics.dissimilarity(np.array([30.0, 10.0]),
                                     np.array([20.0, 40.0])) == pytest.approx(5 / 12)

    def test_symmetric_and_scale_free(self):
        a, b = np.array([3.0, 9.0, 1.0, 0.0]), np.array([5.0, 2.0, 2.0, 8.0])
        d = metrics.dissimilarity(a, b)
        assert metrics.dissimilarity(b, a) == pytest.approx(d)
        assert metrics.dissimilarity(10 * a, 3 * b) == pytest.approx(d)
        assert 0 < d < 1


    def test_a_group_with_nobody_is_nan(self):
        # A phase with no school, or no disadvantaged pupil: no index to give.
        assert math.isnan(metrics.dissimilarity(np.zeros(0), np.zeros(0)))
        assert math.isnan(metrics.dissimilarity(np.zeros(3), np.array([1.0, 2.0, 3.0])))


def test_term_row_matches_definitions_on_a_built_model():
    model = build_model(["region.n_schools=150", "years=1", "scheme=trios"])
    row = metrics.term_row(model, 0)
    s = model.state
    school_mean = s.expertise.mean(axis=1)
    assert row["expertise_mean"] == pytest.approx(school_mean.mean())
    assert row["expertise_sd_between"] == pytest.approx(school_mean.std())
    # Attainment and gaps: the latest KS2 / KS4 cohorts (`sim.pupils.system.headline`).
    headline = model.pupil_system.headline()
    for key in metrics.HEADLINE_COLUMNS:
        assert row[key] == headline[key]
    assert row["gap_months"] == pytest.approx(row["attainment_other"]
                                              - row["attainment_disadvantaged"])
    assert row["pupils"] == len(model.pupil_system.roll) == s.pupils.sum()
    assert row["active_partnerships"] == model.partnerships.n_groups > 0
    assert 0 <= row["mean_trust"] <= 1


def spread_model(means, phase, pupils):
    """Just what `metrics.between_school_sd` reads of a model."""
    return SimpleNamespace(school_mean_attainment=lambda: np.array(means, float),
                           region=SimpleNamespace(phase=np.array(phase)),
                           state=SimpleNamespace(has_pupils=np.array(pupils) > 0))


class TestBetweenSchoolSd:
    def test_spread_is_about_each_phase_mean(self):
        # Primaries 1, 3 (mean 2: deviations -1, +1); secondaries 10, 14, 12 (mean 12: -2, +2,
        # 0); the last school has no pupils and no mean. sqrt((1 + 1 + 4 + 4 + 0) / 5) =
        # sqrt(2). Over both phases together it would be 5.10 (sqrt(130 / 5)).
        model = spread_model([1, 3, 10, 14, 12, 40], [0, 0, 1, 1, 1, 1], [5, 5, 5, 5, 5, 0])
        assert metrics.between_school_sd(model) == pytest.approx(math.sqrt(2))

    def test_moving_one_phase_as_a_whole_leaves_the_spread(self):
        # Every secondary 5 months up (their pupils had more years of a rise in progress).
        model = spread_model([1, 3, 15, 19, 17], [0, 0, 1, 1, 1], [5] * 5)
        assert metrics.between_school_sd(model) == pytest.approx(math.sqrt(2))

    def test_a_phase_without_schools_and_no_pupils_at_all(self):
        assert metrics.between_school_sd(spread_model([2, 6], [1, 1], [3, 3])) == pytest.approx(2)
        assert math.isnan(metrics.between_school_sd(spread_model([2, 6], [0, 1], [0, 0])))


def test_a_school_without_pupils_is_explicit_and_turns_nothing_into_nan():
    model = build_model(["region.n_schools=40", "seed=2", "scheme=market"])
    s = model.state
    s.pupils_disadvantaged[:3] = [0.0, 10.0, 30.0]
    s.pupils_other[:3] = [0.0, 30.0, 10.0]
    s.attainment_disadvantaged[:3] = [0.0, -8.0, 4.0]
    s.attainment_other[:3] = [0.0, 4.0, 8.0]
    s.initial_pupils[0] = 0.0
    with np.errstate(all="raise"):
        # School 0 shows the share the region records for it, and the national expectation.
        assert s.disadvantaged_share[0] == s.recorded_share[0] == model.region.disadvantaged_share[0]
        np.testing.assert_allclose(s.disadvantaged_share[1:3], [0.25, 0.75])
        # (10 x -8 + 30 x 4) / 40 = 1; (30 x 4 + 10 x 8) / 40 = 5
        np.testing.assert_allclose(model.school_mean_attainment()[:3], [0.0, 1.0, 5.0])
        means, phase = model.school_mean_attainment()[1:], model.region.phase[1:]
        deviations = np.concatenate([means[phase == p] - means[phase == p].mean()
                                     for p in (0, 1)])
        assert metrics.between_school_sd(model) == pytest.approx(np.sqrt((deviations ** 2).mean()))
        model.scheme.year_end(model, 1)      # funding follows pupils; school 0 keeps its own
    assert s.funding[0] == 1.0 and np.isfinite(s.funding).all()
