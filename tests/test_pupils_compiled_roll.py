"""sim.pupils.compiled_roll: a large roll's per-pupil passes, compiled, give numpy's numbers
to the bit (England-sized rolls use them; a small roll is made to, with COMPILED_ROLL at 0)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import sim
import sim.pupils
from sim.model import SchoolSystem
from sim.pupils import mobility, progress, results, roll

compiled_roll = pytest.importorskip("sim.pupils.compiled_roll")


def model_outputs(monkeypatch, threshold: int) -> dict:
    """A small run with every per-pupil pass of the year end and the pandemic's loss and
    recovery, the roll compiled from `threshold` pupils on."""
    monkeypatch.setattr(roll, "COMPILED_ROLL", threshold)
    model = SchoolSystem(sim.compose_config([
        "region.n_schools=120", "seed=4", "years=3", "shocks.pandemic.enabled=true",
        "shocks.pandemic.start_year=1"]))
    model.run()
    pupils = model.pupil_system
    return {"pupils": pupils.table(), "results": pupils.results_table(),
            "metrics": model.metric_rows, "attainment": model.state.attainment_disadvantaged}


def test_a_run_compiled_is_the_run_in_numpy_to_the_bit(monkeypatch):
    in_numpy = model_outputs(monkeypatch, sys.maxsize)
    compiled = model_outputs(monkeypatch, 0)
    assert compiled["pupils"]["loss_months"].gt(0).any()        # the recovery ran on a loss
    for key in ("pupils", "results"):
        # Float columns compared as bits: NaN where a group is empty, equal to the last bit.
        for column in in_numpy[key]:
            a, b = in_numpy[key][column].to_numpy(), compiled[key][column].to_numpy()
            if a.dtype.kind == "f":
                a, b = a.view(f"i{a.itemsize}"), b.view(f"i{b.itemsize}")
            np.testing.assert_array_equal(b, a, err_msg=f"{key}.{column}")
    pd.testing.assert_frame_equal(pd.DataFrame(compiled["metrics"]),
                                  pd.DataFrame(in_numpy["metrics"]), check_exact=True)
    np.testing.assert_array_equal(compiled["attainment"], in_numpy["attainment"])


def test_compiled_sort_orders_signs_zeros_and_ties_as_numpy():
    values = np.array([3.5, -0.0, 0.0, -2.25, 3.5, -1e-30, np.inf, -np.inf, 1e-30, -2.25],
                      np.float32)
    np.testing.assert_array_equal(compiled_roll.sorted_values(values), np.sort(values))
    many = np.random.default_rng(1).normal(0, 30, 100_000).astype(np.float32)
    assert (compiled_roll.sorted_values(many).view(np.int32)
            == np.sort(many).view(np.int32)).all()


def test_ranks_below_and_tied_by_hand():
    # Other pupils 1, 2, 2, 5; disadvantaged 0 (none below), 2 (one below, two tied),
    # 2 again (the same), 6 (four below): 0 + 1 + 1 + 4 = 6 below, 2 + 2 = 4 tied.
    dis = np.array([2, 6, 0, 2], np.float32)
    oth = np.array([5, 2, 1, 2], np.float32)
    assert results.below_and_tied(dis, oth) == (6, 4)
    assert results.below_and_tied(dis, oth, compiled_roll) == (6, 4)


def test_movers_go_where_numpy_sends_them_by_hand():
    # Row 0 holds the own school 7 in column 1: the other columns 0, 2, 3 are picked by
    # pick x 3 = 0.1 -> 0, 1.5 -> 1 (column 2), 2.9 -> 2 (column 3). Row 1 does not hold
    # school 9: its last column is dropped, pick 0.99 -> column 2.
    options = np.array([[5, 7, 8, 6], [1, 2, 3, 4]])
    home, school = np.array([0, 1, 0, 0], np.int32), np.array([7, 9, 7, 7], np.int32)
    mover, pick = np.array([0, 1, 2, 3]), np.array([0.1 / 3, 0.99, 0.5, 2.9 / 3])
    expected = [5, 3, 8, 6]
    np.testing.assert_array_equal(
        mobility._elsewhere(options.take(home[mover], axis=0), school[mover], pick), expected)
    np.testing.assert_array_equal(
        compiled_roll.elsewhere(options, home, school, mover, pick), expected)


def test_a_week_s_loss_compiled_is_numpy_s_to_the_bit():
    rng = np.random.default_rng(3)
    n = 10_001
    pupils = roll.Pupils(np.zeros(n, np.int32), np.zeros(n, np.int8), rng.random(n) < 0.3,
                         np.zeros(n, np.int32), np.zeros((n, 2), np.float32),
                         rng.normal(0, 9, n).astype(np.float32), np.zeros(n, np.float32),
                         rng.random(n).astype(np.float32))
    attainment, loss = pupils.attainment.copy(), pupils.loss.copy()
    progress.learning_loss(pupils, progress.months_lost(pupils, 0.37, 0.21))
    compiled_roll.lose(pupils.disadvantaged, attainment, loss,
                       np.array([0.21, 0.37], np.float32))
    np.testing.assert_array_equal(attainment.view(np.int32), pupils.attainment.view(np.int32))
    np.testing.assert_array_equal(loss.view(np.int32), pupils.loss.view(np.int32))


def test_without_numba_the_roll_runs_in_numpy():
    assert roll.compiled_kernels(roll.COMPILED_ROLL) is compiled_roll
    assert roll.compiled_kernels(roll.COMPILED_ROLL - 1) is None
    with pytest.MonkeyPatch.context() as patch:     # numba not installed
        patch.setitem(sys.modules, "numba", None)
        patch.delitem(sys.modules, "sim.pupils.compiled_roll")
        patch.delattr(sim.pupils, "compiled_roll")
        roll._compiled_roll.cache_clear()
        try:
            assert roll.compiled_kernels(10**9) is None
        finally:
            roll._compiled_roll.cache_clear()
