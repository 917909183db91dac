"""Settings by dotted key (sim.overrides): overrides as the command line writes them, the
one formatter every lever, shock, dashboard setting and calibration trial goes through;
nested configs flattened to dotted keys and back; sweep job folders named for overrides."""

from __future__ import annotations

import sim
from sim.compose import as_override_list
import hashlib

from hypothesis import given, strategies as st

from sim.overrides import MAX_FOLDER_NAME, flatten, folder_name, nest, override, override_value
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


def test_a_job_folder_is_named_for_its_overrides_sorted_by_key():
    assert folder_name(["seed=3", "scheme=trios"]) == "scheme=trios,seed=3"
    assert folder_name(["scheme=trios", "seed=3"]) == "scheme=trios,seed=3"   # stable
    assert folder_name(["+scenario=gm_challenge", "seed=1"]) == "+scenario=gm_challenge,seed=1"
    assert folder_name([]) == "defaults"


def test_an_unsafe_or_long_folder_name_is_cleaned_and_keeps_a_hash():
    text = "region.path=/data/my schools.csv"
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    assert folder_name([text]) == f"region.path=_data_my_schools.csv_{digest}"
    # Two values the cleaning would confuse keep apart by their hash.
    assert folder_name(["scheme.shares=[0.5,0.5]"]) != folder_name(["scheme.shares=_0.5,0.5_"])
    long = folder_name([f"seed={'9' * 300}"])
    assert len(long) == MAX_FOLDER_NAME and long.startswith("seed=999")


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4, unique=True),
       st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4, unique=True))
def test_distinct_jobs_get_distinct_safe_folders(a, b):
    name_a, name_b = folder_name([f"k{k}={v}" for k, v in enumerate(a)]), \
        folder_name([f"k{k}={v}" for k, v in enumerate(b)])
    assert (name_a == name_b) == (a == b)
    assert all(c.isascii() and (c.isalnum() or c in "._=,+-") for c in name_a)
    assert 0 < len(name_a) <= MAX_FOLDER_NAME and name_a not in (".", "..")
