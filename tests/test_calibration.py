"""Calibration: recovers known parameters of a small synthetic problem, reports what is
not identified, writes a config group the defaults use, and rejects bad specs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import yaml

import sim
from experiments.calibration import config, fit
from experiments.calibration.spec import spec_from_dict
from experiments.spec import Parameter, SpecError

TRUE = {"a": 0.3, "b": 2.0}
PARAMS = [Parameter("a", 0.0, 1.0), Parameter("b", 0.5, 4.0, log=True),
          Parameter("c", 0.0, 1.0)]      # c does not affect any output


def synthetic(theta: dict, seeds=(1, 2, 3)) -> dict:
    """A cheap stochastic simulator: replicate means of three outputs, seeded noise."""
    out = {"y1": [], "y2": [], "y3": []}
    for seed in seeds:
        noise = np.random.default_rng(seed).normal(0, 0.01, 3)
        out["y1"].append(theta["a"] + 0.25 * theta["b"] + noise[0])
        out["y2"].append(theta["a"] * theta["b"] + noise[1])
        out["y3"].append(theta["b"] - theta["a"] + noise[2])
    return {k: float(np.mean(v)) for k, v in out.items()}


def test_recovers_known_parameters_and_flags_the_unidentified_one():
    observed = synthetic({**TRUE, "c": 0.5})
    targets = [fit.Target(k, v, 0.05) for k, v in observed.items()]
    result = fit.fit(PARAMS, targets, synthetic, trials=120, startup_trials=20, sampler_seed=3)
    assert result.best["a"] == pytest.approx(TRUE["a"], abs=0.05)
    assert result.best["b"] == pytest.approx(TRUE["b"], rel=0.05)
    status = result.identification.set_index("parameter")["status"]
    assert status["a"] == "identified" and status["b"] == "identified"
    assert status["c"].startswith("not identified")
    assert len(result.slices) == 3 * fit.SLICE_POINTS
    # Same seed, same fit.
    again = fit.fit(PARAMS, targets, synthetic, trials=120, startup_trials=20, sampler_seed=3)
    assert again.best == result.best


def test_loss_scales_by_band_and_penalises_undefined():
    targets = [fit.Target("x", 1.0, 0.5), fit.Target("y", 0.0, 1.0)]
    assert fit.loss({"x": 1.5, "y": 0.0}, targets) == pytest.approx(1.0)
    assert fit.loss({"x": 1.0, "y": float("nan")}, targets) == fit.NAN_PENALTY


GOOD = {"targets": ["3a"], "parameters": {"attainment.gap_months_primary": [6.0, 10.0]}}


@pytest.mark.parametrize("change, message", [
    ({"parameters": {"trust.growth": [0.3, 0.1]}}, "parameters.trust.growth=[0.3, 0.1]; allowed:"),
    ({"parameters": {"trust.growth": "high"}}, "parameters.trust.growth=high; allowed:"),
    ({"parameters": {"trust.growth": {"low": 0, "high": 1, "log": True}}}, "low > 0"),
    ({"targets": ["5a"]}, "targets has '5a'; allowed: 1, 2a"),
    ({"trials": 1}, "trials=1; allowed: an integer >= 2"),
    ({"method": "grid"}, "method=grid is unknown; allowed: tpe"),
    ({"budget": 3}, "unknown key 'budget'"),
])
def test_bad_spec_is_one_line(change, message):
    with pytest.raises(SpecError) as err:
        spec_from_dict({**GOOD, **change})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_cli_bad_ranges_exit_2_and_nothing_written(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({**GOOD, "parameters": {"trust.growth": [1, 0]}}))
    out_config, record = tmp_path / "cal.yaml", tmp_path / "rec.md"
    proc = subprocess.run([sys.executable, "-m", "experiments.calibration.cli", str(spec),
                           "--config", str(out_config), "--record", str(record)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "schoolsim-calibrate: error: parameters.trust.growth=[1, 0]; allowed: [low, high] or "
        "{low: x, high: y, log: true} with numbers low < high"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_cli_unknown_parameter_key(tmp_path, capsys):
    from experiments.calibration import cli

    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({**GOOD, "parameters": {"trust.grwth": [0.1, 0.2]}}))
    with pytest.raises(SystemExit) as exit_:
        cli.main([str(spec), "--config", str(tmp_path / "c.yaml"), "--record",
                  str(tmp_path / "r.md")])
    assert exit_.value.code == 2
    assert "parameters.trust.grwth is not a numeric setting" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_written_calibration_is_a_global_package_file(tmp_path):
    path = tmp_path / "x.yaml"
    config.write_calibration({"trust.growth": 0.123456, "attainment.gap_months_primary": 8.0},
                             path, "a header\nsecond line")
    text = path.read_text()
    assert text.startswith("# @package _global_\n# a header\n# second line\n")
    assert config.calibrated_values(path) == {"attainment.gap_months_primary": 8.0,
                                              "trust.growth": 0.1235}


def test_the_defaults_use_the_calibration():
    values = config.calibrated_values()
    cfg = sim.compose_config([])
    uncalibrated = sim.compose_config(["calibration=none"])
    for key, value in values.items():
        from omegaconf import OmegaConf

        assert OmegaConf.select(cfg, key) == pytest.approx(value)
    # `schoolsim --cfg job` prints the same composed values.
    proc = subprocess.run([sys.executable, "-m", "sim", "--cfg", "job"], capture_output=True,
                          text=True, check=True)
    printed = yaml.safe_load(proc.stdout)
    for key, value in values.items():
        node = printed
        for part in key.split("."):
            node = node[part]
        assert node == pytest.approx(value)
    assert uncalibrated.scheme.name == cfg.scheme.name
