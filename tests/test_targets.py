"""The declared list of targets (experiments/targets.yaml) and its loader."""

from __future__ import annotations

import pytest
import yaml

from experiments.spec import SpecError
from experiments.validation import checks, measures

GOOD = {"id": "x1", "fact": 1, "kind": "calibration target", "why": "fitted", "title": "t",
        "source": "s",
        "target": "3 (2 to 4)", "band": [2.0, 4.0], "centre": 3.0,
        "measure": "outstanding_change_points", "args": {"phase": "primary"},
        "roles": {"programme": "gm"}}


def write(tmp_path, **changes):
    entry = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump({"facts": {1: "a fact"}, "scenarios": {"gm": ["years=3"]},
                                    "targets": [entry]}))
    return path


def test_an_entry_loads_with_its_named_measure_and_arguments(tmp_path):
    (check,) = checks.load_checks(write(tmp_path)).checks
    assert check.calibrate and check.centre == 3.0 and check.scenarios == ("gm",)
    assert check.measure.func is measures.outstanding_change_points
    assert check.measure.keywords == {"phase": "primary"}


@pytest.mark.parametrize("changes, message", [
    ({"kind": "fitted"}, "target 'x1' has kind='fitted'; allowed: input, calibration target, "
                         "by construction, held out"),
    ({"measure": "no_such_measure"}, "has measure='no_such_measure'; allowed: a function of"),
    ({"centre": None}, "has centre=None, band=[2.0, 4.0]; allowed: a calibration target needs"),
    ({"centre": 5.0}, "has centre=5.0"),
    ({"band": [4.0, 2.0]}, "has band=[4.0, 2.0]; allowed: [low, high], low <= high"),
    ({"roles": {"programme": "nowhere"}}, "allowed: role -> one of gm"),
    ({"fact": 7}, "has fact=7; allowed: 1"),
    ({"colour": "red"}, "has unknown key 'colour'"),
    ({"source": None}, "lacks 'source'"),
    ({"why": None}, "lacks 'why'"),
    ({"bound": "lower", "centre": None}, "has bound='lower'; allowed: upper"),
    ({"bound": "upper"}, "has bound='upper' with centre=3.0, band=[2.0, 4.0]; allowed: an "
                         "upper bound needs a finite band and no centre"),
])
def test_a_bad_entry_is_one_line_naming_it(tmp_path, changes, message):
    with pytest.raises(SpecError) as err:
        checks.load_checks(write(tmp_path, **changes))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_held_out_check_needs_no_centre(tmp_path):
    (check,) = checks.load_checks(write(tmp_path, kind="held out", centre=None)).checks
    assert not check.calibrate and check.centre is None


def test_an_upper_bound_is_a_calibration_target_without_a_centre(tmp_path):
    (check,) = checks.load_checks(write(tmp_path, bound="upper", centre=None)).checks
    assert check.calibrate and check.bound == checks.UPPER and check.centre is None


def test_every_declared_entry_has_a_kind_and_a_named_measure():
    for c in checks.CHECKS:
        assert c.kind in checks.KINDS
        assert c.measure.func is getattr(measures, c.measure_name)
