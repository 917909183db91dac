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

Any problem is a `SpecError` with one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from experiments.spec_file import read_mapping

SPEC_KEYS = ("method", "trials", "startup_trials", "sampler_seed", "replicates", "base",
             "targets", "parameters", "n_jobs")
METHODS = ("tpe",)


class SpecError(ValueError):
    """A bad calibration spec (one line)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Spec:
    parameters: tuple[Parameter, ...]
    targets: tuple[str, ...]
    method: str = "tpe"
    trials: int = 80
    startup_trials: int = 20
    sampler_seed: int = 1
    replicates: tuple[int, ...] = (1, 2, 3)
    base: tuple[str, ...] = ()
    n_jobs: int = -1
    name: str = field(default="calibration", compare=False)


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise SpecError(message)


def load_spec(path: str | Path) -> Spec:
    path = Path(path)
    data = read_mapping(path, "SPEC", "calibration spec", SPEC_KEYS, SpecError)
    return spec_from_dict(data, name=path.stem)


def _int(data, key, default, minimum):
    value = data.get(key, default)
    _need(isinstance(value, int) and not isinstance(value, bool) and value >= minimum,
          f"{key}={value}; allowed: an integer >= {minimum}")
    return value


def _parameter(name: str, value) -> Parameter:
    allowed = "allowed: [low, high] or {low: x, high: y, log: true} with numbers low < high"
    log = False
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"low", "high", "log"})
        _need(not unknown, f"parameters.{name} has unknown key '{unknown[0] if unknown else ''}'"
                           f"; {allowed}")
        low, high, log = value.get("low"), value.get("high"), bool(value.get("log", False))
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
    else:
        raise SpecError(f"parameters.{name}={value}; {allowed}")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
    _need(numbers and low < high, f"parameters.{name}=[{low}, {high}]; {allowed}")
    _need(not log or low > 0, f"parameters.{name}=[{low}, {high}] with log: true; allowed: "
                              "low > 0 on a log scale")
    return Parameter(name, float(low), float(high), log)


def spec_from_dict(data: dict, name: str = "calibration", allowed_targets=None) -> Spec:
    unknown = sorted(set(data) - set(SPEC_KEYS))
    _need(not unknown, f"unknown key '{unknown[0] if unknown else ''}'; allowed: "
                       f"{', '.join(SPEC_KEYS)}")
    method = data.get("method", "tpe")
    _need(method in METHODS, f"method={method} is unknown; allowed: {', '.join(METHODS)}")
    params = data.get("parameters")
    _need(isinstance(params, dict) and params,
          f"parameters={params}; allowed: a mapping of config keys to [low, high]")
    parameters = tuple(_parameter(str(k), v) for k, v in params.items())
    targets = data.get("targets")
    _need(isinstance(targets, list) and targets,
          f"targets={targets}; allowed: a list of check ids")
    targets = tuple(str(t) for t in targets)
    if allowed_targets is None:
        from experiments.validation.checks import CHECKS

        allowed_targets = [c.id for c in CHECKS if c.calibrate]
    for t in targets:
        _need(t in allowed_targets, f"targets has '{t}'; allowed: "
                                    f"{', '.join(allowed_targets)} (checks with a target value)")
    reps = data.get("replicates", [1, 2, 3])
    if isinstance(reps, int) and not isinstance(reps, bool):
        reps = list(range(1, reps + 1))
    _need(isinstance(reps, list) and reps and all(isinstance(r, int) and r >= 0 for r in reps)
          and len(set(reps)) == len(reps),
          f"replicates={reps}; allowed: a count or a list of distinct seeds >= 0")
    base = data.get("base", []) or []
    _need(isinstance(base, list), f"base={base}; allowed: a list of overrides key=value")
    spec = Spec(parameters=parameters, targets=targets, method=method,
                trials=_int(data, "trials", 80, 2), startup_trials=_int(data, "startup_trials",
                                                                       20, 1),
                sampler_seed=_int(data, "sampler_seed", 1, 0), replicates=tuple(reps),
                base=tuple(str(b) for b in base), n_jobs=_int(data, "n_jobs", -1, -64),
                name=name)
    _need(spec.n_jobs != 0, "n_jobs=0; allowed: a positive count, or -1 for every core")
    return spec


def check_keys(spec: Spec) -> None:
    """Every parameter must be a numeric key of the composed config (typos are errors)."""
    from omegaconf import OmegaConf

    import sim

    cfg = sim.compose_config(list(spec.base))
    for p in spec.parameters:
        value = OmegaConf.select(cfg, p.name, default=None)
        _need(isinstance(value, (int, float)) and not isinstance(value, bool),
              f"parameters.{p.name} is not a numeric setting of the model; allowed: a numeric "
              "key shown by `schoolsim --cfg job`")
