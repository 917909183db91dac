"""Sensitivity analysis: SALib's indices on functions with known answers, an inert model
parameter gets zero, the result does not depend on the number of processes, and a bad
spec ends with one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments import sensitivity as sa


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x1, x2, x3 = X.T
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


def spec(**overrides) -> sa.Spec:
    data = {"method": "morris", "samples": 4, "seed": 3, "replicates": 2,
            "base": ["scheme=none", "years=1", "region.n_schools=60"],
            "outputs": ["expertise_mean", "gap_months"], "statistic": "change",
            "parameters": {"improvement.rate": [0.02, 0.2], "trust.growth": [0.02, 0.2]},
            **overrides}
    return sa.spec_from_dict(data)


def test_sobol_on_ishigami_matches_the_known_indices():
    s = sa.spec_from_dict({"method": "sobol", "samples": 1024, "seed": 11, "outputs": ["y"],
                           "parameters": {f"x{i}": [-np.pi, np.pi] for i in (1, 2, 3)}})
    X = sa.sample(s)
    indices = sa.analyse(s, X, ishigami(X)).set_index("parameter")
    # Analytical values for a=7, b=0.1 (Ishigami & Homma 1990; Saltelli et al. 2010).
    np.testing.assert_allclose(indices["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(indices["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    assert (indices[["S1_conf", "ST_conf"]] > 0).all().all()
    assert (indices[["S1_conf", "ST_conf"]] < 0.1).all().all()


def test_morris_on_a_linear_function_gives_slope_times_range():
    s = sa.spec_from_dict({"samples": 10, "outputs": ["y"],
                           "parameters": {"a": [0.0, 2.0], "b": [0.0, 1.0], "c": [5.0, 6.0]}})
    X = sa.sample(s)
    indices = sa.analyse(s, X, 3 * X[:, 0] - 1.5 * X[:, 2]).set_index("parameter")
    np.testing.assert_allclose(indices["mu_star"], [6.0, 0.0, 1.5], atol=1e-9)
    np.testing.assert_allclose(indices["sigma"], [0.0, 0.0, 0.0], atol=1e-9)


def test_inert_model_parameter_gets_zero_and_parallel_equals_serial():
    # Under scheme=none there are no partnerships, so trust.growth cannot matter; with
    # common random numbers its elementary effects are exactly zero.
    s = spec()
    serial, samples = sa.run_spec(s, n_jobs=1)
    table = serial.set_index(["output", "parameter"])
    for output in s.outputs:
        assert table.loc[(output, "trust.growth"), "mu_star"] < 1e-12
        assert table.loc[(output, "improvement.rate"), "mu_star"] > 1e-3
    assert len(samples) == len(sa.sample(s)) * 2 and set(samples["seed"]) == {1, 2}
    parallel, _ = sa.run_spec(s, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)


def test_replicates_share_seeds_across_points():
    s = spec(replicates=[5, 9])
    X = sa.sample(s)[:2]
    runs = sa.evaluate(s, X, n_jobs=1)
    assert runs.shape == (2, 2, 2)  # points x replicates x outputs
    table = sa.samples_table(s, X, runs)
    assert list(table["seed"]) == [5, 9, 5, 9]


def test_cli_writes_table_figure_and_spec(tmp_path, capsys):
    path = tmp_path / "inert.yaml"
    path.write_text("method: morris\nsamples: 2\nreplicates: 1\nn_jobs: 1\n"
                    "base: [scheme=none, years=1, region.n_schools=60]\n"
                    "outputs: [expertise_mean]\n"
                    "parameters:\n  improvement.rate: [0.02, 0.2]\n  trust.growth: [0.02, 0.2]\n")
    out = tmp_path / "out"
    assert sa.main([str(path), "-o", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {"indices.parquet", "indices.csv", "indices.png",
                                                "samples.parquet", "spec.yaml"}
    table = pd.read_csv(out / "indices.csv")
    assert list(table.columns) == ["output", "method", "parameter", "mu", "mu_star",
                                   "mu_star_conf", "sigma"]
    assert (out / "indices.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("text, message", [
    ("method: fast\nparameters: {a: [0, 1]}\n", "method=fast is unknown; allowed: morris, sobol"),
    ("parameters: {a: [1, 0]}\n",
     "parameters.a=[1, 0]; allowed: [low, high] or {low: x, high: y, integer: true}"),
    ("parametres: {a: [0, 1]}\n", "unknown key 'parametres'; allowed: method,"),
    ("parameters: {trust.grwth: [0, 1]}\n",
     "parameters.trust.grwth is not a numeric setting of the model"),
    ("replicates: 0\nparameters: {a: [0, 1]}\n", "replicates=0; allowed: a count >= 1"),
    ("method: sobol\nsamples: 100\nparameters: {trust.growth: [0, 1]}\n",
     "samples=100; allowed for sobol: a power of 2"),
    ("outputs: [gap]\nsamples: 2\nbase: [years=1, region.n_schools=60]\n"
     "parameters: {trust.growth: [0, 1]}\n", "outputs has 'gap'; allowed: expertise_mean"),
    ("- just a list\n", "is not a mapping"),
])
def test_bad_spec_is_one_line_and_writes_nothing(tmp_path, capsys, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert sa.main([str(path), "-o", str(tmp_path / "out"), "--n-jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("schoolsim-sensitivity: error: ") and message in err, err
    assert not (tmp_path / "out").exists()


def test_missing_spec_file(tmp_path, capsys):
    assert sa.main([str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("schoolsim-sensitivity: error: CONFIG=") and "is not a file" in err


@pytest.mark.parametrize("name", ["gap_morris", "gap_sobol"])
def test_example_specs_are_valid(name):
    from pathlib import Path

    s = sa.load_spec(Path(__file__).parents[1] / "experiments" / "specs" / f"{name}.yaml")
    sa.check_keys(s)
    assert len(sa.sample(s)) > len(s.parameters)
