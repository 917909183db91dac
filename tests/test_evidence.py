"""The published series copied into the project (experiments/evidence) and its decade trend."""

from __future__ import annotations

import json

import pytest

from experiments import evidence


def test_the_gap_index_series_is_the_published_one():
    frame = evidence.gap_index()
    assert frame["school_year"].tolist()[0] == "2010/11"
    assert frame["start_year"].tolist() == list(range(2010, 2019))
    # The end points the data README quotes: KS2 3.341 -> 2.913, KS4 4.07 -> 3.70.
    assert (frame["ks2"].iloc[0], frame["ks2"].iloc[-1]) == (3.341, 2.913)
    assert (frame["ks4"].iloc[0], frame["ks4"].iloc[-1]) == (4.07, 3.70)
    notice = evidence.GAP_INDEX.with_name("NOTICE.md").read_text()
    assert "Open Government Licence v3.0" in notice
    provenance = json.loads(evidence.GAP_INDEX.with_name("PROVENANCE.json").read_text())
    assert len(provenance["inputs"]) == 2


def test_trend_change_hand_worked():
    # A straight line: a = 1, b = 1 over t = 0, 1, 2 -> change 2 b / a = 2, no scatter.
    exact = evidence.trend_change([1.0, 2.0, 3.0])
    assert exact.change == pytest.approx(2.0) and exact.se == pytest.approx(0.0, abs=1e-12)
    # y = 1, 3, 2: b = 0.5, a = 1.5, change = 2 * 0.5 / 1.5; residuals -0.5, 1, -0.5 give
    # s^2 = 1.5, var(a) = 1.25, var(b) = 0.75, cov = -0.75; gradient (-2b/a^2, 2/a).
    noisy = evidence.trend_change([1.0, 3.0, 2.0])
    g = (-1.0 / 2.25, 2.0 / 1.5)
    variance = g[0] ** 2 * 1.25 + g[1] ** 2 * 0.75 + 2 * g[0] * g[1] * -0.75
    assert noisy.change == pytest.approx(2 / 3) and noisy.se == pytest.approx(variance ** 0.5)
    assert noisy.band() == pytest.approx((2 / 3 - 2 * variance ** 0.5, 2 / 3 + 2 * variance ** 0.5))


@pytest.mark.parametrize("values", [[1.0, 2.0], [1.0, float("nan"), 2.0]])
def test_trend_change_needs_three_finite_values(values):
    with pytest.raises(ValueError, match="allowed: at least three finite yearly values"):
        evidence.trend_change(values)


def test_the_decade_targets_are_the_dfe_series_read_by_trend_change():
    from experiments.validation import checks

    series = evidence.gap_index()
    for check_id, stage in (("10a", "ks2"), ("10b", "ks4")):
        (check,) = checks.select([check_id])
        real = evidence.trend_change(series[stage])
        assert check.centre == pytest.approx(real.change, abs=1e-4)
        assert check.band == pytest.approx(real.band(), abs=1e-4)


def test_the_segregation_target_is_the_census_value_of_greater_manchester():
    import numpy as np

    import sim
    from experiments.validation import checks
    from sim.metrics import dissimilarity
    from sim.region import build_region

    region = build_region(sim.compose_config(["region=gm_real"]).region,
                          np.random.default_rng(1))
    secondary = region.phase == 1
    disadvantaged = region.pupils[secondary] * region.disadvantaged_share[secondary]
    census = dissimilarity(disadvantaged, region.pupils[secondary] - disadvantaged)
    (check,) = checks.select(["5c"])
    assert census == pytest.approx(0.278, abs=5e-4)
    assert check.band == pytest.approx((census - 0.05, census + 0.05), abs=1e-3)
