"""The one spec reader (experiments.spec) that sensitivity, calibration and validation share."""

from __future__ import annotations

import pytest

from experiments import spec
from experiments.spec import Parameter, SpecError


def test_seeds_are_a_count_or_distinct_seeds():
    assert spec.seeds(3) == (1, 2, 3)
    assert spec.seeds([0, 7]) == (0, 7)
    for bad in (0, [], [1, 1], [-1], [True], "3"):
        with pytest.raises(SpecError, match="allowed: a count >= 1 or a list of distinct seeds"):
            spec.seeds(bad)
    with pytest.raises(SpecError, match=r"^--seeds=0; "):
        spec.seeds(0, "--seeds")


def test_jobs_refuse_zero_and_name_the_key():
    assert spec.jobs(2) == 2 and spec.jobs(-1) == -1
    with pytest.raises(SpecError, match=r"^--n-jobs=0; allowed: a positive count"):
        spec.jobs(0, "--n-jobs")


def test_parameters_in_both_forms_with_the_tool_s_option():
    got = spec.parameters({"a": [0, 1], "b": {"low": 0.1, "high": 2, "log": True}}, "log")
    assert got == (Parameter("a", 0.0, 1.0), Parameter("b", 0.1, 2.0, log=True))
    (n,) = spec.parameters({"n": {"low": 1, "high": 6, "integer": True}}, "integer")
    assert n.value(2.5) == 2 and n.value(2.51) == 3 and isinstance(n.value(4.0), int)
    with pytest.raises(SpecError, match=r"parameters.n has unknown key 'integer'"):
        spec.parameters({"n": {"low": 1, "high": 6, "integer": True}}, "log")
    with pytest.raises(SpecError, match="low > 0 on a log scale"):
        spec.parameters({"b": {"low": 0, "high": 2, "log": True}}, "log")
    with pytest.raises(SpecError, match=r"parameters.a=\[2, 1\]; allowed: \[low, high\]"):
        spec.parameters({"a": [2, 1]}, "log")


def test_a_spec_file_must_be_a_yaml_mapping(tmp_path):
    with pytest.raises(SpecError, match=r"^SPEC=.* is not a file; allowed: a test spec YAML$"):
        spec.read_mapping(tmp_path / "none.yaml", "SPEC", "test spec", ["a"])
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(SpecError, match=r"is not a mapping; allowed: keys a, b$"):
        spec.read_mapping(tmp_path / "list.yaml", "SPEC", "test spec", ["a", "b"])
    (tmp_path / "ok.yaml").write_text("a: 1\n")
    assert spec.read_mapping(tmp_path / "ok.yaml", "SPEC", "test spec", ["a"]) == {"a": 1}
