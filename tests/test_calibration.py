"""Calibration: on a toy model with a known (analytic) posterior, the machinery recovers
it within its interval, reports an unreachable target and leaves it out of the fit; the CLI
rejects bad specs; the written config groups are what the defaults and
`calibration=posterior` use."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from experiments.calibration import bayes, config, fit
from experiments.calibration.spec import spec_from_dict
from experiments.spec import Parameter, SpecError

# Toy model: two outputs linear in two parameters, seed noise sd 0.3, and a third output
# bounded in (-1, 1) whose target (5) nothing reaches.
SEED_SD = 0.3
TOY_PARAMS = (Parameter("a", -5.0, 5.0), Parameter("b", -5.0, 5.0))
TOY_TARGETS = (bayes.Target("sum", 1.0, 1.0), bayes.Target("diff", 0.4, 1.0),
               bayes.Target("far", 5.0, 0.5))


def toy(values: np.ndarray, seeds: list[list[int]]) -> pd.DataFrame:
    rows = []
    for i, (v, point_seeds) in enumerate(zip(values, seeds)):
        for seed in point_seeds:
            e = np.random.default_rng(seed).normal(0, SEED_SD, 3)
            out = {"sum": v[0] + v[1] + e[0], "diff": v[0] - v[1] + e[1],
                   "far": np.tanh(v[0]) + 0.1 * e[2]}
            rows += [{"point": i, "seed": seed, "target": k, "value": x} for k, x in out.items()]
    return pd.DataFrame(rows)


TOY_BUDGET = fit.Budget(design_points=24, waves=1, seeds_per_point=3, posterior_size=400,
                        candidates=4096, sampler_seed=2)


@pytest.fixture(scope="module")
def toy_fit():
    return fit.calibrate(TOY_PARAMS, TOY_TARGETS, toy, TOY_BUDGET)


def analytic_posterior():
    """Flat prior (the ranges are wide), Gaussian likelihood with variance obs_sd^2 + seed
    sd^2 per target: theta ~ N(A^-1 c, s^2 (A'A)^-1), A = [[1, 1], [1, -1]]."""
    a = np.array([[1.0, 1.0], [1.0, -1.0]])
    c = np.array([1.0, 0.4])
    s2 = 0.5 ** 2 + SEED_SD ** 2
    return np.linalg.solve(a, c), np.sqrt(np.diag(s2 * np.linalg.inv(a.T @ a)))


def test_toy_posterior_is_recovered_within_its_interval(toy_fit):
    mean, sd = analytic_posterior()                      # (0.7, 0.3), 0.412 each
    ensemble = toy_fit.ensemble.to_numpy()
    summary = toy_fit.summary.set_index("parameter")
    for j, name in enumerate(["a", "b"]):
        # The analytic mean lies inside the ensemble's 90 % interval, and the interval is
        # the analytic one (mean +- 1.645 sd) to within a fifth of an sd at each end.
        low, high = summary.loc[name, ["interval_low", "interval_high"]]
        assert low < mean[j] < high
        assert low == pytest.approx(mean[j] - 1.645 * sd[j], abs=0.2 * sd[j] + 0.1)
        assert high == pytest.approx(mean[j] + 1.645 * sd[j], abs=0.2 * sd[j] + 0.1)
        assert ensemble[:, j].std() == pytest.approx(sd[j], rel=0.2)
        assert summary.loc[name, "status"] == "pinned down by the targets"


def test_toy_unreachable_target_is_reported_and_left_out(toy_fit):
    assert not toy_fit.reach["far"].reachable
    # tanh stays below 1: the nearest emulated value is far below the band (4.5 to 5.5).
    assert toy_fit.reach["far"].closest < 1.5
    assert toy_fit.reach["far"].why_not == "no parameter set reaches its band"
    assert [t.id for t in toy_fit.fitted] == ["sum", "diff"]
    predictive = toy_fit.predictive.set_index("target")
    assert not predictive.loc["far", "in_band"] and predictive.loc["sum", "in_band"]


def test_toy_noise_term_and_coverage_are_honest(toy_fit):
    diag = toy_fit.diagnostics.set_index("target")
    assert diag.loc["sum", "seed_sd_emulator"] == pytest.approx(SEED_SD, rel=0.3)
    assert diag.loc["diff", "cv_coverage"] == pytest.approx(0.9, abs=0.08)


def test_toy_fit_is_the_same_for_the_same_sampler_seed(toy_fit):
    again = fit.calibrate(TOY_PARAMS, TOY_TARGETS, toy, TOY_BUDGET)
    pd.testing.assert_frame_equal(again.ensemble, toy_fit.ensemble)


def test_importance_sampling_matches_a_known_gaussian():
    """The sampler alone, on a likelihood known in closed form (no emulator)."""
    rng = np.random.default_rng(5)
    centre, sd = np.array([0.3, 0.6]), np.array([0.02, 0.1])
    sample = bayes.importance_sample(
        lambda u: -0.5 * (((u - centre) / sd) ** 2).sum(axis=1), 2, 8192, rng)
    drawn = bayes.resample(sample, 2000, rng)
    assert drawn.mean(axis=0) == pytest.approx(centre, abs=0.01)
    assert drawn.std(axis=0) == pytest.approx(sd, rel=0.1)
    assert sample.ess > 2000


GOOD = {"targets": ["3a"], "parameters": {"pupils.progress.home_primary": [0.0, 0.3]}}


@pytest.mark.parametrize("change, message", [
    ({"parameters": {"trust.growth": [0.3, 0.1]}}, "parameters.trust.growth=[0.3, 0.1]; allowed:"),
    ({"parameters": {"trust.growth": "high"}}, "parameters.trust.growth=high; allowed:"),
    ({"parameters": {"trust.growth": {"low": 0, "high": 1, "log": True}}}, "low > 0"),
    ({"targets": ["5a"]}, "targets has '5a'; allowed: 1, 2a"),
    ({"design_points": 1}, "design_points=1; allowed: an integer >= 4"),
    ({"posterior_size": 50}, "posterior_size=50; allowed: an integer >= 100"),
    ({"seeds_per_point": 1}, "seeds_per_point=1; allowed: an integer >= 2"),
    ({"cutoff": -1}, "cutoff=-1; allowed: a number > 0"),
    ({"method": "tpe"}, "method=tpe is unknown; allowed: history_matching"),
    ({"budget": 3}, "unknown key 'budget'"),
    ({"target_seeds": {"3b": 1}}, "target_seeds has '3b'; allowed: a target of the spec (3a)"),
    ({"target_seeds": {"3a": 0}}, "target_seeds['3a']=0; allowed: an integer >= 1"),
    ({"target_seeds": [1]}, "target_seeds=[1]; allowed: a mapping"),
])
def test_bad_spec_is_one_line(change, message):
    with pytest.raises(SpecError) as err:
        spec_from_dict({**GOOD, **change})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_target_with_fewer_seeds_is_run_and_measured_only_at_a_sets_first_seeds(monkeypatch):
    # Two sets at seeds (1, 2, 3) and (4, 5, 6); target 8 at the first seed of each only: the
    # jobs at seeds 2, 3, 5, 6 do not ask for it (its scenarios are not run there) and give
    # no row for it.
    from experiments.calibration import model

    asked = {}

    def fake_job(target_ids, extra, seed):
        asked[seed] = target_ids
        return [float(seed)] * len(target_ids)

    monkeypatch.setattr(model, "job", fake_job)
    evaluator = model.ModelEvaluator(["3a", "8"], ["trust.growth"], n_jobs=1,
                                     target_seeds={"8": 1})
    with evaluator as evaluate:
        rows = evaluate(np.array([[0.1], [0.2]]), [[1, 2, 3], [4, 5, 6]])
    assert asked == {1: ("3a", "8"), 2: ("3a",), 3: ("3a",), 4: ("3a", "8"), 5: ("3a",),
                     6: ("3a",)}
    assert sorted(rows.loc[rows["target"] == "8", "seed"]) == [1, 4]
    assert sorted(rows.loc[rows["target"] == "3a", "seed"]) == [1, 2, 3, 4, 5, 6]
    assert (rows["value"] == rows["seed"]).all()


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
    config.write_calibration({"trust.growth": 0.123456, "pupils.progress.home_primary": 0.12},
                             path, "a header\nsecond line")
    text = path.read_text()
    assert text.startswith("# @package _global_\n# a header\n# second line\n")
    assert config.calibrated_values(path) == {"pupils.progress.home_primary": 0.12,
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


def test_written_posterior_is_a_group_file_naming_its_ensemble(tmp_path):
    ensemble = pd.DataFrame({"trust.growth": [0.05, 0.06], "exchange.learning_rate": [0.1, 0.2]})
    group = config.write_posterior(ensemble, tmp_path / "post.csv", "a header")
    text = group.read_text()
    assert group.name == "post.yaml" and text.startswith("# @package _global_\n# a header\n")
    assert yaml.safe_load(text) == {"posterior": {"ensemble": str(tmp_path / "post.csv")}}
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "post.csv"), ensemble)


def test_cli_runs_end_to_end_on_a_tiny_budget(tmp_path):
    from experiments.calibration import cli

    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"targets": ["3a", "3b"], "base": ["region.n_schools=200"],
                                    "parameters": {"trust.growth": [0.02, 0.25]},
                                    "design_points": 4, "waves": 1, "seeds_per_point": 2,
                                    "posterior_size": 100, "candidates": 1024, "n_jobs": 1}))
    out = {"--config": tmp_path / "median.yaml", "--posterior": tmp_path / "post.csv",
           "--record": tmp_path / "rec.md"}
    assert cli.main([str(spec), *[str(x) for kv in out.items() for x in kv]]) == 0
    ensemble = pd.read_csv(tmp_path / "post.csv")
    assert list(ensemble.columns) == ["trust.growth"] and len(ensemble) == 100
    assert ensemble["trust.growth"].between(0.02, 0.25).all()
    runs = pd.read_csv(tmp_path / "rec" / "runs.csv")
    assert len(runs) == 4 * 2 * 2                   # points x seeds x targets
    assert runs.groupby("point")["seed"].nunique().eq(2).all()
    assert runs.drop_duplicates(["point", "seed"])["seed"].is_unique   # seeds of their own
    record = (tmp_path / "rec.md").read_text()
    assert "## Reachability" in record and "code version" in record
    # Every declared target is listed with what this calibration did with it.
    rows = {line.split(":")[0][2:]: line for line in record.splitlines()
            if line.startswith("| ")
            and (" | calibration target | " in line or " | held out | " in line)}
    assert rows["3a"].endswith((" | fitted |", "left out of the fit (no parameter set reaches "
                                "its band) |"))
    assert rows["2a"].endswith(" | not in this calibration's spec |")
    assert "| held out | not fitted (held out: " in rows["7b"]
    assert yaml.safe_load((tmp_path / "post.yaml").read_text())["posterior"]["ensemble"] == \
        str(tmp_path / "post.csv")


class FixedEmulator:
    """An emulator stand-in: the same expected value and sd everywhere."""

    def __init__(self, mean: float, sd: float):
        self.mean, self.sd = mean, sd

    def predict(self, u):
        return np.full(len(u), self.mean), np.full(len(u), self.sd)


@pytest.mark.parametrize("sd, reachable, distance", [
    (0.001, False, 10.0),   # 0.06 is 0.01 below the band 0.07-0.13: 10 sd
    (0.005, True, 2.0),     # the emulator cannot rule the band out: 2 sd
])
def test_reachability_is_the_distance_outside_the_band_in_emulator_sd(sd, reachable, distance):
    target = bayes.Target("4b", 0.10, 0.03)
    reach = bayes.reachability(target, FixedEmulator(0.06, sd), np.zeros((5, 1)))
    assert reach.reachable is reachable
    assert reach.distance == pytest.approx(distance)
    assert reach.closest == pytest.approx(0.06)


@pytest.mark.parametrize("mean, distance", [(3.5, 2.0), (0.5, 0.0), (-3.0, 0.0)])
def test_an_upper_bound_is_outside_only_above_its_top(mean, distance):
    # Band 0 to 3: the top is 3. 3.5 lies 0.5 above it, 2 emulator sd of 0.25; anything
    # below the top is inside, however far below the band's lower end.
    target = bayes.Target("11b", 1.5, 1.5, upper_bound=True)
    assert bayes.distance_outside(target, FixedEmulator(mean, 0.25), np.zeros((1, 1)))[0] \
        == pytest.approx(distance)


def test_an_upper_bound_s_likelihood_is_the_chance_of_lying_below_it():
    # Band 0 to 3 (observation sd 1.5 / 2 = 0.75), emulator sd 0.4, seed sd 0.6: the spread
    # is sqrt(0.75^2 + 0.6^2 + 0.4^2) = sqrt(1.0825). At an expected value of the top, half
    # the chance: log 0.5; one spread above the top: log Phi(-1) = log 0.158655.
    spread = np.sqrt(0.75 ** 2 + 0.6 ** 2 + 0.4 ** 2)

    class Em(FixedEmulator):
        seed_sd = 0.6

    target = bayes.Target("11b", 1.5, 1.5, upper_bound=True)
    at_top = bayes.log_likelihood([target], {"11b": Em(3.0, 0.4)}, np.zeros((1, 1)))[0]
    above = bayes.log_likelihood([target], {"11b": Em(3.0 + spread, 0.4)}, np.zeros((1, 1)))[0]
    far_below = bayes.log_likelihood([target], {"11b": Em(-20.0, 0.4)}, np.zeros((1, 1)))[0]
    assert at_top == pytest.approx(np.log(0.5))
    assert above == pytest.approx(np.log(0.158655), rel=1e-5)
    assert far_below == pytest.approx(0.0, abs=1e-12)


def test_the_shipped_posterior_was_fitted_to_the_specs_parameters():
    """The shipped ensemble (calibration=posterior) has one column per free parameter of the
    default spec, each inside its prior range: a spec changed without refitting (a stale
    posterior, as after the pupils wiring dropped two of its columns) fails here."""
    from experiments.calibration.cli import DEFAULT_SPEC
    from experiments.calibration.spec import load_spec

    spec = load_spec(DEFAULT_SPEC)
    ensemble = pd.read_csv(config.ENSEMBLE)
    assert list(ensemble.columns) == [p.name for p in spec.parameters]
    assert len(ensemble) >= 100
    for p in spec.parameters:
        assert ensemble[p.name].between(p.low, p.high).all(), p.name


def test_the_defaults_are_the_shipped_posteriors_medians():
    """The default run and `calibration=posterior` agree: `calibration=default` holds the
    shipped ensemble's median of every calibrated parameter (to the file's four
    significant digits), so a refit that is not adopted, or an edited default, fails here."""
    ensemble = pd.read_csv(config.ENSEMBLE)
    defaults = config.calibrated_values(config.DEFAULT)
    assert sorted(defaults) == sorted(ensemble.columns)
    for key, value in defaults.items():
        assert value == pytest.approx(ensemble[key].median(), rel=5e-4), key
