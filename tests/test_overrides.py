"""Settings by dotted key (sim.overrides): overrides as the command line writes them, the
one formatter every lever, shock, dashboard setting and calibration trial goes through; and
nested configs flattened to dotted keys and back."""

from __future__ import annotations

import sim
from sim.compose import as_override_list
from sim.overrides import flatten, nest, override, override_value
from sim.policies import ProgrammeFunding
from sim.shocks import Pandemic


def test_values_are_written_in_hydra_grammar():
    assert override_value(None) == "null"
    assert override_value(True) == "true" and override_value(False) == "false"
    assert override_value([0.5, [1, 2], None]) == "[0.5,[1,2],null]"
    assert override_value(0.1 + 0.2) == "0.30000000000000004"   # in full: no rounding
    assert override("policy.funding.end_year", 3.0) == "policy.funding.end_year=3.0"


def test_a_dict_of_settings_becomes_overrides():
    assert as_override_list({"scheme": "trios", "scheme.broadcast": False,
                             "policy.funding.end_year": None}) == [
        "scheme=trios", "scheme.broadcast=false", "policy.funding.end_year=null"]
    assert as_override_list(None) == []


def test_levers_and_shocks_survive_the_round_trip_through_a_config():
    funding = ProgrammeFunding(start_year=0.0, end_year=1.0 / 3.0, sustain_trust=0.45)
    pandemic = Pandemic(start_year=1.5, closure_weeks=20, meetings_online=False)
    cfg = sim.compose_config(funding.overrides() + pandemic.overrides())
    assert ProgrammeFunding.from_config(cfg.policy.funding) == funding
    assert Pandemic.from_config(cfg.shocks.pandemic) == pandemic
    assert cfg.shocks.pandemic.enabled is True


def test_flatten_and_nest_are_inverse():
    nested = {"seed": 3, "scheme": {"name": "mixed", "shares": [0.3, 0.7],
                                    "trios": {"initial_trust": 0.5}}, "empty": {}}
    flat = {"seed": 3, "scheme.name": "mixed", "scheme.shares": [0.3, 0.7],
            "scheme.trios.initial_trust": 0.5}
    assert flatten(nested) == flat
    assert nest(flat) == {k: v for k, v in nested.items() if v != {}}
