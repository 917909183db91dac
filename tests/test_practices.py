"""sim.practices: expertise from holdings, starting holdings, depth dynamics, placement."""

from __future__ import annotations

import numpy as np
import pytest

from sim import practices
from sim.practices import INITIAL, Catalogue, Holdings
from tests.helpers import section


def catalogue(effectiveness, domain):
    n = len(effectiveness)
    return Catalogue(np.asarray(domain), np.asarray(effectiveness, float), np.full(n, INITIAL),
                     np.full(n, INITIAL), np.zeros(n, np.int64))


def holdings(practice, depth, cat):
    practice = np.asarray(practice)
    effect = np.where(practice >= 0, cat.effectiveness[np.maximum(practice, 0)], 0.0)
    return Holdings(practice, np.asarray(depth, float), np.zeros(practice.shape, np.int64),
                    effect)


IMPROVEMENT = section(rate=0.08, forgetting_rate=0.06, turnover_deprivation_factor=1.0)


def test_expertise_hand_worked():
    cat = catalogue([0.5, 1.0, 0.3], [0, 0, 1])
    h = holdings([[[0, 1], [2, -1]]], [[[1.0, 0.2], [0.5, 0.0]]], cat)
    # domain 0: 1 - exp(-(0.5*1 + 1*0.2)); domain 1: 1 - exp(-0.3*0.5)
    np.testing.assert_allclose(practices.expertise(h), [[1 - np.exp(-0.7), 1 - np.exp(-0.15)]])


def test_more_or_deeper_practice_raises_expertise_with_diminishing_returns():
    cat = catalogue([0.4, 0.4], [0, 0])
    one = practices.expertise(holdings([[[0, -1]]], [[[1.0, 0.0]]], cat))[0, 0]
    two = practices.expertise(holdings([[[0, 1]]], [[[1.0, 1.0]]], cat))[0, 0]
    assert one < two < 1
    assert two - one < one   # the second practice adds less than the first


def test_strength_inverts_expertise_and_is_finite_at_a_rounded_expertise_of_one():
    # -log(1 - E): 0 at 0, 2 at 1 - e^-2; E = 1.0 exactly (a strength above ~37 rounded) is read
    # as the largest float below 1, whose strength is 53 ln 2, and maps back to that float.
    with np.errstate(all="raise"):
        got = practices.strength(np.array([0.0, 1 - np.exp(-2.0), 1.0]))
    np.testing.assert_allclose(got, [0.0, 2.0, 53 * np.log(2)], rtol=1e-12)
    assert -np.expm1(-got[2]) == np.nextafter(1.0, 0.0)


def test_initial_holdings_of_a_target_of_exactly_one_are_finite():
    cfg = section(catalogue_per_domain=4, effectiveness_mean=0.35, effectiveness_sd=0.15,
                  initial_hold_share=0.5, slots=4, drop_depth=0.05)
    rng = np.random.default_rng(1)
    cat = practices.initial_catalogue(2, cfg, rng)
    with np.errstate(all="raise"):
        h = practices.initial_holdings(np.array([[1.0, 0.5]]), cat, cfg, rng)
    assert np.isfinite(h.depth).all() and (h.depth[0, 0][h.held[0, 0]] == 1.0).all()


def test_initial_holdings_match_the_target_and_respect_slots():
    cfg = section(catalogue_per_domain=8, effectiveness_mean=0.35, effectiveness_sd=0.15,
                  initial_hold_share=0.5, slots=6, drop_depth=0.05)
    rng = np.random.default_rng(3)
    cat = practices.initial_catalogue(4, cfg, rng)
    target = np.clip(rng.normal(0.5, 0.1, (500, 4)), 0.1, 0.8)
    h = practices.initial_holdings(target, cat, cfg, rng)
    e = practices.expertise(h)
    reachable = np.zeros_like(target, bool)
    for d in range(4):   # full depth on the held practices could give the target
        reachable[:, d] = -np.expm1(-np.where(h.practice[:, d] >= 0, h.effect[:, d], 0).sum(1)) \
            >= target[:, d] - 1e-9
    assert reachable.mean() > 0.99
    np.testing.assert_allclose(e[reachable], target[reachable], atol=1e-6)
    assert (h.depth <= 1).all() and (h.depth[h.held] > 0).all()
    assert h.held.any(axis=2).all()                 # at least one practice per domain
    assert h.practice.shape[2] == 6
    # every held practice is a catalogue practice of the slot's own domain
    d = np.broadcast_to(np.arange(4)[None, :, None], h.practice.shape)
    assert (cat.domain[h.practice[h.held]] == d[h.held]).all()


def test_deepen_and_forget_hand_worked_and_drops_thin_practice():
    cat = catalogue([0.5, 0.5], [0, 0])
    h = holdings([[[0, 1, -1]]], [[[0.5, 0.04, 0.0]]], cat)
    lost = practices.deepen_and_forget(h, np.array([1.0]), np.array([0.5]), IMPROVEMENT,
                                       drop_depth=0.05, dt_years=1.0)
    a, b = 0.08, 0.06 * 1.5
    star = a / (a + b)
    assert h.depth[0, 0, 0] == pytest.approx(star + (0.5 - star) * np.exp(-(a + b)))
    # 0.04 rises to star + (0.04 - star) e^-(a+b) = 0.1 > 0.05: kept
    assert h.depth[0, 0, 1] == pytest.approx(star + (0.04 - star) * np.exp(-(a + b)))
    assert h.practice[0, 0, 2] == -1 and h.depth[0, 0, 2] == 0   # empty stays empty
    assert not lost.any()
    no_time = holdings([[[0, 1, -1]]], [[[0.5, 0.055, 0.0]]], cat)
    lost = practices.deepen_and_forget(no_time, np.array([0.0]), np.array([0.5]),
                                       IMPROVEMENT, drop_depth=0.05, dt_years=1.0)
    # without time: 0.055 e^-0.09 = 0.0503 kept; a year later 0.0459 < 0.05 is lost
    assert no_time.depth[0, 0, 1] == pytest.approx(0.055 * np.exp(-0.09))
    lost = practices.deepen_and_forget(no_time, np.array([0.0]), np.array([0.5]),
                                       IMPROVEMENT, drop_depth=0.05, dt_years=1.0)
    assert lost[0, 0, 1] and no_time.practice[0, 0, 1] == -1 and no_time.effect[0, 0, 1] == 0


def test_place_fills_empty_then_replaces_the_weakest_only_if_better():
    cat = catalogue([0.2, 0.5, 1.0, 0.1, 0.05], [0, 0, 0, 0, 0])
    h = holdings([[[0, -1]], [[0, 1]]], [[[0.5, 0.0]], [[0.5, 0.5]]], cat)
    placed = practices.place(h, cat, np.array([0, 1]), np.array([2, 3]),
                             np.array([0.3, 0.9]), np.array([1, 2]))
    # school 0: empty slot taken; school 1: 0.1*0.9=0.09 < weakest 0.2*0.5=0.1: refused
    np.testing.assert_array_equal(placed, [True, False])
    assert h.practice[0, 0].tolist() == [0, 2] and h.depth[0, 0, 1] == 0.3
    assert h.generation[0, 0, 1] == 1 and h.effect[0, 0, 1] == 1.0
    placed = practices.place(h, cat, np.array([1]), np.array([2]), np.array([0.2]),
                             np.array([3]))
    # 1.0*0.2 = 0.2 > 0.1: replaces practice 0 (the weakest), not practice 1
    assert placed[0] and h.practice[1, 0].tolist() == [2, 1]


def test_place_keeps_the_deeper_of_two_holdings_of_the_same_practice():
    cat = catalogue([0.5], [0])
    h = holdings([[[0, -1]]], [[[0.6, 0.0]]], cat)
    assert not practices.place(h, cat, np.array([0]), np.array([0]), np.array([0.4]),
                               np.array([1]))[0]
    assert h.depth[0, 0].tolist() == [0.6, 0.0]
    assert practices.place(h, cat, np.array([0]), np.array([0]), np.array([0.8]),
                           np.array([2]))[0]
    assert h.depth[0, 0].tolist() == [0.8, 0.0] and h.generation[0, 0, 0] == 2


def test_place_refuses_a_school_twice_in_one_call():
    cat = catalogue([0.5], [0])
    h = holdings([[[-1, -1]]], [[[0.0, 0.0]]], cat)
    with pytest.raises(ValueError, match="at most once"):
        practices.place(h, cat, np.array([0, 0]), np.array([0, 0]), np.array([0.1, 0.2]),
                        np.array([1, 1]))


class FixedDraws:
    """A stand-in generator returning given uniforms, checking how many are asked for."""

    def __init__(self, uniforms):
        self.uniforms = np.asarray(uniforms, float)

    def random(self, n):
        assert n == len(self.uniforms), f"{n} draws asked for, {len(self.uniforms)} expected"
        return self.uniforms


def test_embedding_ends_two_years_of_39_weeks_after_the_take_up():
    assert practices.embedding_end(10, 2.0) == 10 + 78
    assert practices.embedding_end(10, 0.0) == 10


def test_lapse_unembedded_hand_worked():
    cat = catalogue([0.5, 0.4], [0, 0])
    h = holdings([[[0, 1]], [[0, -1]], [[0, 1]], [[0, -1]]],
                 [[[0.3, 0.5]], [[0.3, 0.0]], [[0.3, 0.4]], [[0.3, 0.0]]], cat)
    week = 50
    # school 0: slot 0 embedding, slot 1 its own; school 1 embedding but met a partner;
    # school 2 both embedding; school 3 embedded exactly this week (its own now).
    h.embedded_week[:] = [[[100, 0]], [[100, 0]], [[100, 90]], [[50, 0]]]
    met = np.array([False, True, False, False])
    # 0.5 a year over a term of 1/3 year: 1 - exp(-1/6) = 0.1535 to drop. At risk, in
    # (school, domain, slot) order: (0,0,0), (2,0,0), (2,0,1) -> uniforms 0.15, 0.16, 0.01.
    assert -np.expm1(-0.5 / 3) == pytest.approx(0.153518, abs=1e-6)
    lost = practices.lapse_unembedded(h, week, met, 0.5, 1 / 3, FixedDraws([0.15, 0.16, 0.01]))
    assert np.argwhere(lost).tolist() == [[0, 0, 0], [2, 0, 1]]
    assert h.practice.tolist() == [[[-1, 1]], [[0, -1]], [[0, -1]], [[0, -1]]]
    assert h.depth[0, 0, 0] == 0 and h.effect[2, 0, 1] == 0 and h.embedded_week[2, 0, 1] == 0
    assert h.embedded_week[2, 0, 0] == 100 and h.depth[2, 0, 0] == 0.3
    # A year later school 2's remaining practice is its own: nothing is at risk, no draws.
    assert not practices.lapse_unembedded(h, 100, met, 0.5, 1 / 3, FixedDraws([])).any()


def test_place_starts_embedding_only_for_a_practice_new_to_the_school():
    cat = catalogue([0.5, 0.4], [0, 0])
    h = holdings([[[0, -1]]], [[[0.3, 0.0]]], cat)
    # a deeper copy of a practice the school holds as its own: still its own
    assert practices.place(h, cat, np.array([0]), np.array([0]), np.array([0.6]),
                           np.array([1]), embedded_week=120)[0]
    # a new practice in the empty slot: embedding until week 120
    assert practices.place(h, cat, np.array([0]), np.array([1]), np.array([0.2]),
                           np.array([1]), embedded_week=120)[0]
    assert h.embedded_week[0, 0].tolist() == [0, 120]
    # staff moves and creation place practices as the school's own (the default)
    practices.clear(h, np.array([[[False, True]]]))
    practices.place(h, cat, np.array([0]), np.array([1]), np.array([0.2]), np.array([1]))
    assert h.embedded_week[0, 0].tolist() == [0, 0]


def test_catalogue_add_appends():
    cat = catalogue([0.5], [0])
    assert cat.add(2, 0.7, 5, 9, 40) == 1
    assert cat.domain.tolist() == [0, 2] and cat.origin.tolist() == [INITIAL, 5]
    assert cat.partner.tolist() == [INITIAL, 9] and cat.created_week.tolist() == [0, 40]
