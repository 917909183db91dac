"""sim.pupils.roll_buffer: leavers out at the head, arrivals in behind the older years,
intake at the tail, in place while there is room; the pupils and their order as a new roll
built by joining would have them."""

from __future__ import annotations

import numpy as np

from sim.pupils.roll import Pupils
from sim.pupils.roll_buffer import MAX_BLOCKS, SPARE_YEARS, RollBuffer, _move


def pupils(ids) -> Pupils:
    """Pupils told apart by their home neighbourhood (`ids`), every other field from it."""
    ids = np.asarray(ids, np.int32)
    return Pupils(ids.copy(), (ids % 12).astype(np.int8), ids % 2 == 1, ids.copy(),
                  np.column_stack([ids, -ids]).astype(np.float32), ids.astype(np.float32),
                  ids.astype(np.float32) / 2, ids.astype(np.float32) / 4)


def assert_roll(roll: RollBuffer, ids) -> None:
    expected, got = pupils(ids), roll.pupils
    for name in Pupils.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)


def test_leavers_out_arrivals_behind_the_older_years_intake_at_the_tail():
    # Pupils 0-9; 0-2 leave; 100, 101 join behind the first two staying (3, 4); 200-202 at
    # the tail. The first admit has no room (arrays exactly the roll): new arrays.
    roll = RollBuffer(pupils(range(10)))
    roll.drop(3)
    roll.admit(pupils([100, 101]), 2, pupils([200, 201, 202]))
    assert_roll(roll, [3, 4, 100, 101, 5, 6, 7, 8, 9, 200, 201, 202])


def test_later_years_reuse_the_room_in_place_and_changes_through_views_stay():
    roll = RollBuffer(pupils(range(10)))
    roll.drop(3)
    roll.admit(pupils([100, 101]), 2, pupils([200, 201, 202]))
    store = roll.pupils.school.base
    roll.pupils.attainment[4] = -1.0                  # pupil 5, through the views
    # Room: the head's for the 1 arrival; 3 years' intakes of 3 spare at the tail for the 2.
    roll.drop(3)                                      # 3, 4, 100 leave
    roll.admit(pupils([300]), 1, pupils([400, 401]))
    assert roll.pupils.school.base is store           # the same arrays
    assert roll.pupils.attainment[2] == -1.0          # pupil 5 kept the change
    roll.pupils.attainment[2] = 5.0
    assert_roll(roll, [101, 300, 5, 6, 7, 8, 9, 200, 201, 202, 400, 401])


def test_with_too_little_room_at_the_tail_the_roll_moves_to_the_front_of_its_arrays():
    # After the first admit the arrays hold room for SPARE_YEARS more intakes of 3 at the
    # tail; dropping 3 and admitting 3 a year uses it up, then the roll moves to the front.
    roll = RollBuffer(pupils(range(10)))
    roll.drop(3)
    roll.admit(pupils([100, 101]), 2, pupils([200, 201, 202]))
    store = roll.pupils.school.base
    expected = [3, 4, 100, 101, 5, 6, 7, 8, 9, 200, 201, 202]
    for intake in range(SPARE_YEARS + 1):
        roll.drop(3)
        new = [500 + 3 * intake + k for k in range(3)]
        roll.admit(pupils([]), 0, pupils(new))
        expected = expected[3:] + new
        assert_roll(roll, expected)
    assert roll.pupils.school.base is store           # moved within its arrays, not copied


def test_arrivals_use_the_room_kept_at_the_head_then_get_new_arrays():
    roll = RollBuffer(pupils(range(4)))
    roll.admit(pupils([100, 101, 102]), 0, pupils([]))   # nobody left: no room at the head
    assert_roll(roll, [100, 101, 102, 0, 1, 2, 3])
    store = roll.pupils.school.base
    # Room was left for SPARE_YEARS more years of 3 arrivals at the head: 9 places.
    roll.admit(pupils(range(103, 112)), 3, pupils([]))
    assert roll.pupils.school.base is store
    assert_roll(roll, [100, 101, 102, *range(103, 112), 0, 1, 2, 3])
    roll.admit(pupils([200]), 1, pupils([]))
    assert roll.pupils.school.base is not store
    assert_roll(roll, [100, 200, 101, 102, *range(103, 112), 0, 1, 2, 3])


def test_pupils_leaving_from_inside_the_roll_close_their_gaps_in_order():
    # Pupils 0-9; 1 and 5, 6 go (Year 6 leaving for a neighbouring authority): the rest keep
    # their order, and an admit after it works from the new head.
    roll = RollBuffer(pupils(range(10)))
    roll.drop(1)                                      # 0 leaves at 16
    roll.leave(np.array([0, 4, 5]))                   # positions of 1, 5, 6
    assert_roll(roll, [2, 3, 4, 7, 8, 9])
    roll.admit(pupils([100]), 3, pupils([200]))
    assert_roll(roll, [2, 3, 4, 100, 7, 8, 9, 200])


def test_an_empty_roll_with_room_admits_up_to_its_room_in_the_same_arrays():
    roll = RollBuffer.empty(front=3, tail=4)
    store = roll.pupils.school.base
    assert len(roll.pupils) == 0
    roll.admit(pupils([100, 101]), 0, pupils([200, 201]))
    roll.admit(pupils([102]), 1, pupils([202, 203]))
    assert roll.pupils.school.base is store
    assert_roll(roll, [100, 102, 101, 200, 201, 202, 203])
    roll.admit(pupils([]), 0, pupils([204]))        # a fifth intake: beyond the room
    assert roll.pupils.school.base is not store
    assert_roll(roll, [100, 102, 101, 200, 201, 202, 203, 204])


def test_rows_moved_over_themselves_in_blocks_end_as_a_copy_would_put_them():
    # Rows 5-16 (values 5-16) moved 3 places towards the head, then 4 towards the tail:
    # blocks of 3 and of 4 rows, each overwriting only rows already moved.
    array = np.arange(20)
    _move(array, 2, 5, 12)
    assert array.tolist() == [0, 1, *range(5, 17), 14, 15, 16, 17, 18, 19]
    _move(array, 6, 2, 12)
    assert array.tolist() == [0, 1, 5, 6, 7, 8, *range(5, 17), 18, 19]
    # One place over more rows than MAX_BLOCKS: so many blocks that numpy moves them.
    n = MAX_BLOCKS + 1
    rows = np.column_stack([np.arange(n + 1), -np.arange(n + 1)])
    _move(rows, 0, 1, n)
    np.testing.assert_array_equal(rows[:n], np.column_stack([np.arange(1, n + 1),
                                                             -np.arange(1, n + 1)]))
