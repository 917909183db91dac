"""The component frame: parameter metadata, one validator, the registry."""

from __future__ import annotations

import dataclasses
import math

import pytest

import sim
from sim.component import (REGISTRY, Component, check_params, component_class, nested,
                           param, redefault, registered, settings)
from sim.errors import ConfigError


@dataclasses.dataclass
class Toy:
    rate: float = param(0.5, min=0, max=1, why="a share", unit="share", label="Rate")
    size: float = param(2.0, min=0, min_open=True, max=10, why="a count", label="Size")
    mode: str = param("a", choices=("a", "b"), label="Mode")
    weights: list[float] = param([0.2, 0.8], min=0, max=1, why="weights", label="Weights")


@dataclasses.dataclass
class ToyChild(Toy):
    rate: float = redefault(Toy, "rate", 0.25)


@pytest.mark.parametrize("key, value, allowed", [
    ("rate", 1.5, "allowed: 0 to 1 (a share)"),
    ("rate", -0.01, "allowed: 0 to 1 (a share)"),
    ("size", 0.0, "allowed: a number > 0 and <= 10 (a count)"),
    ("size", 10.5, "allowed: a number > 0 and <= 10 (a count)"),
    ("rate", math.nan, "is not a finite number"),
    ("size", math.inf, "is not a finite number"),
    ("mode", "c", "is unknown; allowed: a, b"),
])
def test_a_value_outside_its_metadata_is_one_line_naming_it_and_what_is_allowed(key, value,
                                                                                 allowed):
    with pytest.raises(ConfigError) as info:
        check_params(Toy(**{key: value}), Toy, "toy")
    message = str(info.value)
    assert message.startswith(f"toy.{key}=") and allowed in message and "\n" not in message


def test_each_number_of_a_list_is_checked_and_named_by_its_position():
    with pytest.raises(ConfigError, match=r"toy\.weights\[1\]=1\.2 is out of range"):
        check_params(Toy(weights=[0.1, 1.2]), Toy, "toy")


def test_values_on_the_edges_of_a_closed_range_pass():
    check_params(Toy(rate=0.0, size=10.0, weights=[0.0, 1.0]), Toy, "toy")
    check_params(Toy(rate=1.0), Toy, "toy")


def test_a_new_default_keeps_the_settings_metadata():
    rate = {s.name: s for s in settings(ToyChild)}["rate"]
    assert (rate.default, rate.min, rate.max, rate.why, rate.label) == (0.25, 0, 1, "a share",
                                                                        "Rate")


def test_list_defaults_are_not_shared_between_instances():
    a, b = Toy(), Toy()
    a.weights.append(0.0)
    assert b.weights == [0.2, 0.8]


def test_a_component_with_kind_and_name_registers_itself(monkeypatch):
    monkeypatch.setitem(REGISTRY, "shock", {})

    class Storm(Component):
        kind = "shock"
        name = "storm"
        Params = Toy

    assert registered("shock") == {"storm": Storm}
    assert component_class("shock", "storm", "shocks.name") is Storm
    with pytest.raises(ConfigError, match="shocks.name=flood is unknown; allowed: storm"):
        component_class("shock", "flood", "shocks.name")


def test_a_component_streams_are_namespaced_by_its_name():
    class Streams(dict):
        def __missing__(self, key):
            return key

    class Model:
        streams = Streams()

    class Probe(Component):
        name = "probe"   # no kind: not registered

    assert Probe(None).stream(Model(), "formation") == "formation/probe"
    assert "probe" not in {n for kind in REGISTRY.values() for n in kind}


def test_every_scheme_is_registered_by_importing_its_module():
    assert {"none", "trios", "families", "market", "leadership", "peer_review", "trusts",
            "mixed"} <= set(registered("scheme"))


def _numeric(s) -> bool:
    t = str(s.type)
    return any(word in t for word in ("int", "float")) and "str" not in t


@pytest.mark.parametrize("name", sorted(registered("scheme")))
def test_every_numeric_scheme_setting_is_bounded_with_a_reason_and_labelled(name):
    for s in settings(registered("scheme")[name].schema()):
        if s.name == "name" or dataclasses.is_dataclass(s.default):
            continue
        assert s.label, f"scheme {name}: {s.name} has no label"
        if _numeric(s):
            assert s.min is not None and s.max is not None and s.why, \
                f"scheme {name}: {s.name} lacks min, max or why"


def test_the_mixed_schema_has_a_section_for_every_combinable_scheme():
    schema = registered("scheme")["mixed"].schema()
    sections = {name for name, _ in nested(schema)}
    assert sections == {n for n, c in registered("scheme").items() if c.combinable}
    assert "none" not in sections and "mixed" not in sections


@pytest.mark.parametrize("override, expected", [
    ("scheme.participation=1.5", "scheme.participation=1.5 is out of range; allowed: 0 to 1"),
    ("scheme.meeting_interval_weeks=40", "scheme.meeting_interval_weeks=40 is out of range"),
    ("scheme.meeting_mode=carrier_pigeon", "scheme.meeting_mode=carrier_pigeon is unknown"),
    ("scheme.trios.initial_trust=2", "scheme.trios.initial_trust=2 is out of range"),
])
def test_scheme_settings_are_validated_from_their_metadata(override, expected):
    scheme = "scheme=mixed" if override.startswith("scheme.trios") else "scheme=trios"
    with pytest.raises(ConfigError) as info:
        sim.compose_config([scheme, override])
    assert expected in str(info.value)


@pytest.mark.parametrize("override", ["scheme.meeting_intervl_weeks=3",
                                      "scheme.trios.meeting_intervl_weeks=3"])
def test_a_typod_scheme_key_is_still_an_error(override):
    scheme = "scheme=mixed" if override.startswith("scheme.trios") else "scheme=trios"
    with pytest.raises(ConfigError, match="meeting_intervl_weeks"):
        sim.compose_config([scheme, override])


def test_numbers_in_a_list_of_lists_are_checked_too():
    @dataclasses.dataclass
    class Points:
        xy: list[list[float]] = param([[0.0, 1.0]], min=-5, max=5, why="km", label="Points")

    check_params(Points(), Points, "p")
    with pytest.raises(ConfigError, match=r"p\.xy\[1\]\[0\]=9 is out of range; allowed: -5 to 5"):
        check_params(Points(xy=[[0.0, 1.0], [9.0, 0.0]]), Points, "p")
