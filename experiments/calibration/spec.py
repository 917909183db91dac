"""The calibration spec (YAML): free parameters with ranges, targets, budget.

    method: tpe               # optuna's TPE sampler (in-memory storage)
    trials: 80                # budget: number of parameter sets tried
    startup_trials: 20        # random trials before TPE takes over (also feed the profiles)
    sampler_seed: 1           # seeds the sampler: the same spec gives the same fit
    replicates: [1, 2, 3]     # model seeds; every trial runs the same ones (common random numbers)
    base: [region.n_schools=600]   # overrides for every run
    targets: [1, 2a, 2b, 3a, 3b, 4b, 8]   # check ids with `calibrate: true`
    parameters:               # config key: [low, high] (uniform), or {low:, high:, log: true}
      exchange.learning_rate: {low: 0.03, high: 0.3, log: true}

The settings every experiment shares (parameters, replicates, base, n_jobs) are read by
`experiments.spec`; any problem is a `SpecError` with one line naming the key, the value and
what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from experiments import spec as common
from experiments.spec import need

SPEC_KEYS = ("method", "trials", "startup_trials", "sampler_seed", "replicates", "base",
             "targets", "parameters", "n_jobs")
METHODS = ("tpe",)


@dataclass(frozen=True, kw_only=True)
class Spec(common.Spec):
    targets: tuple[str, ...]
    method: str = "tpe"
    trials: int = 80
    startup_trials: int = 20
    sampler_seed: int = 1


def load_spec(path: str | Path) -> Spec:
    path = Path(path)
    data = common.read_mapping(path, "SPEC", "calibration spec", SPEC_KEYS)
    return spec_from_dict(data, name=path.stem)


def spec_from_dict(data: dict, name: str = "calibration", allowed_targets=None) -> Spec:
    common.known_keys(data, SPEC_KEYS)
    method = common.choice(data, "method", METHODS, "tpe")
    parameters = common.parameters(data.get("parameters"), option="log")
    targets = data.get("targets")
    need(isinstance(targets, list) and targets,
         f"targets={targets}; allowed: a list of check ids")
    targets = tuple(str(t) for t in targets)
    if allowed_targets is None:
        from experiments.validation.checks import CHECKS

        allowed_targets = [c.id for c in CHECKS if c.calibrate]
    for t in targets:
        need(t in allowed_targets, f"targets has '{t}'; allowed: "
                                   f"{', '.join(allowed_targets)} (checks with a target value)")
    return Spec(parameters=parameters, targets=targets, method=method,
                trials=common.integer(data, "trials", 80, 2),
                startup_trials=common.integer(data, "startup_trials", 20, 1),
                sampler_seed=common.integer(data, "sampler_seed", 1, 0),
                replicates=common.seeds(data.get("replicates", [1, 2, 3])),
                base=common.overrides(data), n_jobs=common.jobs(data.get("n_jobs", -1)),
                name=name)


def check_keys(spec: Spec) -> None:
    """Every parameter must be a numeric key of the composed config (typos are errors)."""
    import sim

    common.numeric_settings(spec, sim.compose_config(list(spec.base)))
