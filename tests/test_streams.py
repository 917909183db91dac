"""sim.streams: one seed, one independent named stream per mechanism."""

from __future__ import annotations

import numpy as np
import pytest

from sim import streams
from sim.streams import STREAM_NAMES, Streams


def test_same_seed_same_name_same_draws():
    np.testing.assert_array_equal(Streams(7)["pupils/progress"].random(20),
                                  Streams(7)["pupils/progress"].random(20))


def test_a_stream_is_one_generator_per_run():
    s = Streams(7)
    first = s["pupils/progress"].random(5)
    assert not np.array_equal(s["pupils/progress"].random(5), first)   # continues, no restart
    np.testing.assert_array_equal(Streams(7)["pupils/progress"].random(10)[:5], first)


def test_different_names_and_seeds_differ():
    s = Streams(7)
    draws = {name: s[name].random(8) for name in STREAM_NAMES}
    for a in STREAM_NAMES:
        for b in STREAM_NAMES:
            if a < b:
                assert not np.array_equal(draws[a], draws[b])
    assert not np.array_equal(Streams(8)["pupils/progress"].random(8), draws["pupils/progress"])


def test_order_of_first_use_does_not_matter():
    a, b = Streams(3), Streams(3)
    a["creation"].random(100)
    a["region"].random(3)
    np.testing.assert_array_equal(a["pupils/progress"].random(10), b["pupils/progress"].random(10))


def test_adding_a_stream_does_not_change_another(monkeypatch):
    before = Streams(11)["turnover"].random(10)
    monkeypatch.setattr(streams, "STREAM_NAMES", ("new_mechanism",) + STREAM_NAMES)
    s = Streams(11)
    s["new_mechanism"].random(1000)
    np.testing.assert_array_equal(s["turnover"].random(10), before)


def test_unknown_name_raises():
    with pytest.raises(KeyError, match="unknown random stream 'cohrot'"):
        Streams(1)["cohrot"]


def test_components_have_their_own_namespaced_streams():
    s = Streams(5)
    trios, families = s["formation/trios"].random(8), s["formation/families"].random(8)
    assert not np.array_equal(trios, families)
    np.testing.assert_array_equal(Streams(5)["formation/trios"].random(8), trios)
    for name in ("formation", "formation/nonsense", "region/trios"):
        with pytest.raises(KeyError, match="unknown random stream"):
            s[name]
