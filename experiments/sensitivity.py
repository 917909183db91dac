"""`schoolsim-sensitivity SPEC.yaml`: Morris screening or Sobol indices with SALib.

    schoolsim-sensitivity experiments/specs/gap_morris.yaml            # -> sensitivity/gap_morris/
    schoolsim-sensitivity experiments/specs/gap_sobol.yaml -o out/ --n-jobs 2

The spec (YAML) declares the parameters and their ranges, the settings held fixed, the
outputs and the replicates::

    method: morris            # morris (screening) or sobol (first-order and total indices)
    samples: 10               # morris: trajectories; sobol: base sample size N (a power of 2)
    levels: 4                 # morris grid levels
    seed: 1                   # seeds SALib's sampling and its bootstrap confidence intervals
    replicates: 3             # model seeds 1..3 (or a list): every point runs the same seeds
    base: [scheme=trios, years=5, region.n_schools=300]   # overrides for every run
    outputs: [gap_months]     # columns of metrics.parquet
    statistic: change         # last, change (last - first) or mean over the terms
    parameters:               # config key: [low, high], or {low:, high:, integer: true}
      trust.growth: [0.02, 0.2]
      scheme.meeting_interval_weeks: {low: 1, high: 6, integer: true}

Replicates use common random numbers: every sampled point runs the same model seeds, and
the indices are computed on the replicate mean, so the noise between seeds does not
masquerade as a parameter's effect. Runs go in parallel (joblib, `--n-jobs`); the result
does not depend on the number of processes. Writes `indices.parquet` and `indices.csv`
(one row per output and parameter: Morris mu, mu_star, mu_star_conf, sigma, or Sobol S1,
S1_conf, ST, ST_conf; `*_conf` is the half-width of the confidence interval),
`samples.parquet` (every run: point, seed, parameter values, outputs), `indices.png` and
the spec, each written under a temporary name and renamed into place.
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import spec as common
from experiments.spec import SpecError, need
from sim.atomic import write_all

METHODS = ("morris", "sobol")
STATISTICS = ("last", "change", "mean")
SPEC_KEYS = ("method", "samples", "levels", "seed", "replicates", "base", "outputs",
             "statistic", "parameters", "n_jobs", "conf_level", "num_resamples")


@dataclass(frozen=True, kw_only=True)
class Spec(common.Spec):
    method: str = "morris"
    samples: int = 10
    levels: int = 4
    seed: int = 1
    outputs: tuple[str, ...] = ("gap_months",)
    statistic: str = "change"
    conf_level: float = 0.95
    num_resamples: int = 1000
    name: str = field(default="sensitivity", compare=False)

    @property
    def problem(self) -> dict:
        return {"num_vars": len(self.parameters),
                "names": [p.name for p in self.parameters],
                "bounds": [[p.low, p.high] for p in self.parameters]}


# ---------------------------------------------------------------------------- the spec


def load_spec(path: str | Path) -> Spec:
    """Read and check a spec; raise SpecError (one line) for anything wrong."""
    path = Path(path)
    data = common.read_mapping(path, "CONFIG", "sensitivity spec", SPEC_KEYS)
    return spec_from_dict(data, name=path.stem)


def spec_from_dict(data: dict, name: str = "sensitivity") -> Spec:
    common.known_keys(data, SPEC_KEYS)
    spec = Spec(parameters=common.parameters(data.get("parameters"), option="integer"),
                method=common.choice(data, "method", METHODS, "morris"),
                samples=common.integer(data, "samples", 10, 2),
                levels=common.integer(data, "levels", 4, 2),
                seed=common.integer(data, "seed", 1, 0),
                replicates=common.seeds(data.get("replicates", 3)),
                base=common.overrides(data),
                outputs=tuple(str(o) for o in common.listed(data, "outputs", ["gap_months"])),
                statistic=common.choice(data, "statistic", STATISTICS, "change"),
                n_jobs=common.jobs(data.get("n_jobs", -1)),
                conf_level=float(data.get("conf_level", 0.95)),
                num_resamples=common.integer(data, "num_resamples", 1000, 10), name=name)
    need(0 < spec.conf_level < 1, f"conf_level={spec.conf_level}; allowed: between 0 and 1")
    need(len(spec.outputs) > 0, "outputs is empty; allowed: one or more metrics columns")
    return spec


# ---------------------------------------------------------------------------- SALib


def sample(spec: Spec) -> np.ndarray:
    """The points to run (rows), deterministic for the spec's seed."""
    if spec.method == "morris":
        from SALib.sample import morris

        return morris.sample(spec.problem, spec.samples, num_levels=spec.levels, seed=spec.seed)
    from SALib.sample import sobol

    need(spec.samples & (spec.samples - 1) == 0,
          f"samples={spec.samples}; allowed for sobol: a power of 2 (e.g. 64, 256, 1024)")
    return sobol.sample(spec.problem, spec.samples, calc_second_order=False, seed=spec.seed)


def analyse(spec: Spec, X: np.ndarray, Y: np.ndarray) -> pd.DataFrame:
    """Indices with confidence intervals: one row per output and parameter."""
    Y = np.asarray(Y, float).reshape(len(X), -1)
    frames = []
    for k, output in enumerate(spec.outputs):
        y = Y[:, k]
        need(np.isfinite(y).all(), f"output {output} has NaN or infinite values; allowed: an "
                                    "output defined for every run (e.g. not mean_trust under none)")
        table = _analyse_one(spec, X, y)
        table.insert(0, "output", output)
        table.insert(1, "method", spec.method)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def _analyse_one(spec: Spec, X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    common = {"conf_level": spec.conf_level, "num_resamples": spec.num_resamples,
              "seed": spec.seed, "print_to_console": False}
    if spec.method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(spec.problem, X, y, num_levels=spec.levels, **common)
        keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(spec.problem, y, calc_second_order=False, **common)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    return pd.DataFrame({"parameter": spec.problem["names"],
                         **{k: np.asarray(res[k], float) for k in keys}})


# ---------------------------------------------------------------------------- the model


@functools.lru_cache(maxsize=4)
def _base_config(base: tuple[str, ...]):
    from sim.compose import compose_config

    return compose_config(list(base))


def check_keys(spec: Spec) -> None:
    """Every parameter must be a numeric key of the composed base config."""
    common.numeric_settings(spec, _base_config(spec.base))


def run_point(spec: Spec, x: np.ndarray) -> np.ndarray:
    """Run one point for every replicate seed: array (replicates, outputs)."""
    from omegaconf import OmegaConf

    from sim.config import validate
    from sim.run import run_config

    out = np.empty((len(spec.replicates), len(spec.outputs)))
    for r, seed in enumerate(spec.replicates):
        cfg = _base_config(spec.base).copy()
        for p, value in zip(spec.parameters, x):
            OmegaConf.update(cfg, p.name, p.value(value))
        cfg.seed = seed
        cfg.output.progress = "false"
        validate(cfg)
        out[r] = _statistics(run_config(cfg).metrics, spec)
    return out


def _statistics(metrics: pd.DataFrame, spec: Spec) -> list[float]:
    missing = [o for o in spec.outputs if o not in metrics.columns]
    need(not missing, f"outputs has '{missing[0] if missing else ''}'; allowed: "
                       f"{', '.join(c for c in metrics.columns if c not in ('week', 'year'))}")
    col = metrics[list(spec.outputs)]
    if spec.statistic == "last":
        return col.iloc[-1].tolist()
    if spec.statistic == "change":
        return (col.iloc[-1] - col.iloc[0]).tolist()
    return col.mean().tolist()


def evaluate(spec: Spec, X: np.ndarray, n_jobs: int | None = None) -> np.ndarray:
    """Every point x replicate: array (points, replicates, outputs), in point order."""
    from joblib import Parallel, delayed

    check_keys(spec)
    first = run_point(spec, X[0])  # fails fast, with one line, on a bad output or value
    rest = Parallel(n_jobs=n_jobs or spec.n_jobs)(delayed(run_point)(spec, x) for x in X[1:])
    return np.stack([first, *rest])


def samples_table(spec: Spec, X: np.ndarray, runs: np.ndarray) -> pd.DataFrame:
    rows = []
    for i, x in enumerate(X):
        params = {p.name: p.value(v) for p, v in zip(spec.parameters, x)}
        for r, seed in enumerate(spec.replicates):
            rows.append({"point": i, "seed": seed, **params,
                         **dict(zip(spec.outputs, runs[i, r].tolist()))})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- outputs


def figure(spec: Spec, indices: pd.DataFrame):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outputs = list(dict.fromkeys(indices["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(5 * len(outputs), 0.5 * len(
        spec.parameters) + 1.5), squeeze=False)
    for ax, output in zip(axes[0], outputs):
        _bars(ax, spec, indices[indices["output"] == output])
        ax.set_title(f"{output} ({spec.statistic})")
    fig.tight_layout()
    return fig


def _bars(ax, spec: Spec, table: pd.DataFrame) -> None:
    pos = np.arange(len(table))
    if spec.method == "morris":
        ax.barh(pos, table["mu_star"], xerr=table["mu_star_conf"], color="#0072B2", capsize=3)
        ax.set_xlabel(f"Morris mu* ({spec.conf_level:.0%} CI), output units")
    else:
        ax.barh(pos - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="S1 (first order)",
                color="#0072B2", capsize=3)
        ax.barh(pos + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="ST (total)",
                color="#E69F00", capsize=3)
        ax.set_xlabel(f"Sobol index ({spec.conf_level:.0%} CI)")
        ax.legend(loc="lower right")
    ax.set_yticks(pos, table["parameter"])
    ax.invert_yaxis()


def write_outputs(out_dir: str | Path, spec: Spec, indices: pd.DataFrame,
                  samples: pd.DataFrame, spec_text: str | None = None) -> list[Path]:
    out = Path(out_dir)
    fig = figure(spec, indices)
    writers = {
        out / "indices.parquet": lambda p: indices.to_parquet(p, index=False),
        out / "indices.csv": lambda p: indices.to_csv(p, index=False),
        out / "samples.parquet": lambda p: samples.to_parquet(p, index=False),
        out / "indices.png": lambda p: fig.savefig(p, dpi=120, format="png"),
    }
    if spec_text is not None:
        writers[out / "spec.yaml"] = lambda p: p.write_text(spec_text, encoding="utf-8")
    return write_all(writers)


def run_spec(spec: Spec, n_jobs: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sample, run the model (replicates averaged), analyse: (indices, samples)."""
    X = sample(spec)
    runs = evaluate(spec, X, n_jobs)
    indices = analyse(spec, X, runs.mean(axis=1))
    return indices, samples_table(spec, X, runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schoolsim-sensitivity",
                                     description="Morris or Sobol sensitivity analysis (SALib).")
    parser.add_argument("config", metavar="CONFIG", help="a sensitivity spec YAML")
    parser.add_argument("-o", "--out", help="output folder (default: sensitivity/<spec name>)")
    parser.add_argument("--n-jobs", type=int, help="processes (default: the spec's n_jobs)")
    args = parser.parse_args(argv)
    try:
        if args.n_jobs is not None:
            common.jobs(args.n_jobs, "--n-jobs")
        spec = load_spec(args.config)
        print(f"schoolsim-sensitivity: {spec.method}, {len(sample(spec))} points x "
              f"{len(spec.replicates)} seeds", file=sys.stderr)
        indices, samples = run_spec(spec, args.n_jobs)
    except SpecError as exc:
        print(f"schoolsim-sensitivity: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # sim.ConfigError: a sampled value the model rejects
        print(f"schoolsim-sensitivity: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("sensitivity") / spec.name
    files = write_outputs(out, spec, indices, samples, Path(args.config).read_text())
    print(indices.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("\n".join(f"wrote {f}" for f in files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
