"""What each policy lever applies to (`needs` / `traits`, sim.component): a lever set for a
scheme it does not apply to changes nothing in the run, one it applies to changes something,
and --help, the command line's note and the dashboard's controls say the same."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.component import applies, applies_to, applies_to_text, registered
from sim.policies import Broadcast, Brokering, MeetingMode, ProgrammeFunding, not_applying

# Each lever set as hard as it goes, so that where it applies it must show.
STRONG = {
    "funding": ProgrammeFunding(start_year=0.0, end_year=0.5, sustain_trust=1.0, backfill=0.5),
    "brokering": Brokering(enabled=False, formation_success=0.1, trust_cut=0.9,
                           lapse_factor=10.0),
    "meetings": MeetingMode(mode="in_person", interval_factor=0.5),
    "broadcast": Broadcast(enabled=False),
}
SMALL = ["region.n_schools=300", "years=1", "seed=3"]
# Families of the default size need a bigger region than SMALL.
FITS = {"families": ["scheme.min_size=4", "scheme.max_size=8"]}


def tables(scheme: str, lever=None) -> list[pd.DataFrame]:
    result = sim.run([f"scheme={scheme}", *SMALL, *FITS.get(scheme, [])],
                     policies=[lever] if lever else None)
    return [result.metrics, result.schools, result.partnerships]


def pairs(apply: bool) -> list[tuple[str, str]]:
    schemes = registered("scheme")
    return [(lever, scheme) for lever in STRONG for scheme, cls in schemes.items()
            if applies(registered("policy")[lever], cls) == apply]


def test_declared_traits():
    """By hand from the schemes' hooks: trusts run no programme groups (`programme_groups`
    all false) but their groups meet (funding's backfill pays those days), none and market
    form no groups, only trios broadcast."""
    assert applies_to(Brokering) == [
        "families", "leadership", "mixed", "network", "peer_review", "trios"]
    assert applies_to(ProgrammeFunding) == applies_to(MeetingMode) == [
        "families", "leadership", "mixed", "network", "peer_review", "trios", "trusts"]
    assert applies_to(Broadcast) == ["mixed", "trios"]
    assert applies_to_text(registered("policy")["accountability"]) == "every scheme"


@pytest.mark.parametrize("lever, scheme", pairs(apply=False))
def test_a_lever_that_does_not_apply_changes_nothing(lever, scheme):
    for plain, levered in zip(tables(scheme), tables(scheme, STRONG[lever])):
        pd.testing.assert_frame_equal(plain, levered)


@pytest.mark.slow
@pytest.mark.parametrize("lever, scheme", pairs(apply=True))
def test_a_lever_that_applies_changes_something(lever, scheme):
    changed = [not plain.equals(levered)
               for plain, levered in zip(tables(scheme), tables(scheme, STRONG[lever]))]
    assert any(changed), f"{lever} set hard changed nothing with scheme={scheme}"


def test_not_applying_names_the_first_changed_setting_only_where_it_does_not_apply():
    cfg = sim.compose_config(["scheme=market", "policy.broadcast.enabled=false",
                              "policy.funding.start_year=0", "policy.funding.end_year=3",
                              "policy.meetings.interval_factor=1"])
    assert not_applying(cfg) == [("policy.funding.end_year=3.0", ProgrammeFunding),
                                 ("policy.broadcast.enabled=false", Broadcast)]
    cfg = sim.compose_config(["scheme=trios", "policy.broadcast.enabled=false"])
    assert not_applying(cfg) == []


def test_help_says_what_each_lever_applies_to():
    out = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert ("Policy broadcast (applies to: mixed, trios: schemes that send summaries of their "
            "meetings to every school):") in out
    assert "Policy accountability (applies to: every scheme):" in out


def test_the_command_line_notes_a_lever_that_changes_nothing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "scheme=market", "years=1",
                           "region.n_schools=100", "policy.broadcast.enabled=false"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.splitlines() == [
        "schoolsim: note: policy.broadcast.enabled=false changes nothing with scheme=market "
        "(policy.broadcast applies to: mixed, trios)"]
