"""The `scenario` config group: named what-ifs a policy team asks about (configs/scenario/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sim

SCENARIO_DIR = Path(sim.__file__).parent.parent / "configs" / "scenario"
EXPECTED = {
    "gm_challenge": "mixed",
    "pathways_trios": "trios",
    "spp_peer_review": "peer_review",
    "market_academies": "mixed",
    "pandemic_recovery_with_trios": "trios",
    "pandemic_recovery_alone": "none",
}


def test_every_named_scenario_is_there():
    assert set(EXPECTED) <= {p.stem for p in SCENARIO_DIR.glob("*.yaml")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_file_is_global_and_says_what_question_it_answers(name):
    text = (SCENARIO_DIR / f"{name}.yaml").read_text()
    assert text.startswith("# @package _global_\n")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Question:" in line for line in comments)
    assert sum(len(line) for line in comments) > 200      # a real explanation, not a label


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_composes_with_its_scheme_and_name(name):
    cfg = sim.compose_config([f"+scenario={name}"])
    assert cfg.scenario_name == name
    assert cfg.scheme.name == EXPECTED[name]
    assert cfg.region.name == "gm"


def test_gm_challenge_is_three_funded_years_of_families_with_system_leaders():
    cfg = sim.compose_config(["+scenario=gm_challenge"])
    assert list(cfg.scheme.partition) == ["families"] and list(cfg.scheme.shares) == [1.0]
    assert list(cfg.scheme.overlay) == ["leadership"]
    assert cfg.policy.funding.end_year == 3.0 and cfg.policy.brokering.enabled


def test_pandemic_scenarios_differ_only_in_the_scheme():
    a = sim.compose_config(["+scenario=pandemic_recovery_with_trios"])
    b = sim.compose_config(["+scenario=pandemic_recovery_alone"])
    assert a.shocks == b.shocks and a.shocks.pandemic.enabled
    assert a.years == b.years and a.policy == b.policy
    assert (a.scheme.name, b.scheme.name) == ("trios", "none")


def test_command_line_overrides_beat_the_scenario():
    cfg = sim.compose_config(["+scenario=pathways_trios", "scheme.participation=0.5",
                              "years=3", "region=england"])
    assert cfg.scheme.participation == 0.5 and cfg.years == 3
    assert cfg.region.name == "england" and cfg.scenario_name == "pathways_trios"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_runs_a_year(name):
    r = sim.run([f"+scenario={name}", "years=1"], progress=False)
    assert r.summary["scenario"] == name
    assert r.summary["n_schools"] == 1150 and len(r.metrics) == 4
    if "pandemic" in name:
        assert r.metrics["learning_loss_disadvantaged"].iloc[-1] > 0


def test_unknown_scenario_is_a_one_line_error():
    with pytest.raises(sim.ConfigError) as info:
        sim.compose_config(["+scenario=moonshot"])
    message = str(info.value)
    assert "scenario=moonshot is unknown" in message and "gm_challenge" in message
    assert "\n" not in message


def test_cli_runs_a_scenario_and_records_it(in_tmp):
    out = subprocess.run([sys.executable, "-m", "sim", "+scenario=pandemic_recovery_alone",
                          "years=2"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "scenario=pandemic_recovery_alone scheme=none" in out.stdout
    summaries = list(in_tmp.glob("outputs/*/*/summary.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text())
    assert summary["scenario"] == "pandemic_recovery_alone"
    assert summary["config"]["shocks"]["pandemic"]["enabled"] is True


def test_cli_unknown_scenario_exits_2_without_outputs(in_tmp):
    out = subprocess.run([sys.executable, "-m", "sim", "+scenario=moonshot"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("schoolsim: error: scenario=moonshot is unknown")
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (in_tmp / "outputs").exists()
