"""The calibration spec (YAML): free parameters with ranges, targets, budget.

    method: history_matching  # GP emulators + history matching + posterior (fit.py)
    design_points: 40         # wave 1: a Latin hypercube over the prior ranges
    waves: 2                  # later waves run sets drawn from the current posterior
    wave_points: 30           # ... this many per later wave
    seeds_per_point: 3        # each set runs at seeds of its own (the emulators' noise term)
    posterior_size: 200       # parameter sets in the shipped ensemble (>= 100)
    candidates: 16384         # prior sample for reachability and importance sampling
    cutoff: 3.0               # emulator sd outside its band beyond which a target is unreachable
    sampler_seed: 1           # the same spec gives the same posterior
    base: [region.n_schools=600]   # overrides for every run
    targets: [1, 2a, 2b, 3a, 3b, 4b, 8]   # ids of kind `calibration target` (targets.yaml)
    target_seeds: {"8": 1}    # optional: a target measured at only the first k seeds of each
                              # set (all of them if a set has fewer): for a target whose runs
                              # are dear and whose seed noise is small against its band
    parameters:               # config key: [low, high] (uniform), or {low:, high:, log: true}
      exchange.learning_rate: {low: 0.03, high: 0.3, log: true}

The settings every experiment shares (parameters, base, n_jobs) are read by
`experiments.spec`; any problem is a `SpecError` with one line naming the key, the value and
what is allowed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from experiments import spec as common
from experiments.calibration.fit import Budget
from experiments.spec import need

BUDGET_KEYS = ("design_points", "waves", "wave_points", "seeds_per_point", "posterior_size",
               "candidates", "sampler_seed")
SPEC_KEYS = ("method", *BUDGET_KEYS, "cutoff", "base", "targets", "target_seeds", "parameters",
             "n_jobs")
METHODS = ("history_matching",)
MINIMUM = {"design_points": 4, "waves": 1, "wave_points": 2, "seeds_per_point": 2,
           "posterior_size": 100, "candidates": 1024, "sampler_seed": 0}


@dataclass(frozen=True, kw_only=True)
class Spec(common.Spec):
    targets: tuple[str, ...]
    target_seeds: dict[str, int] = dataclasses.field(default_factory=dict)
    method: str = "history_matching"
    budget: Budget = Budget()


def load_spec(path: str | Path) -> Spec:
    path = Path(path)
    data = common.read_mapping(path, "SPEC", "calibration spec", SPEC_KEYS)
    return spec_from_dict(data, name=path.stem)


def spec_from_dict(data: dict, name: str = "calibration", allowed_targets=None) -> Spec:
    common.known_keys(data, SPEC_KEYS)
    method = common.choice(data, "method", METHODS, "history_matching")
    parameters = common.parameters(data.get("parameters"), option="log")
    targets = data.get("targets")
    need(isinstance(targets, list) and targets,
         f"targets={targets}; allowed: a list of target ids")
    targets = tuple(str(t) for t in targets)
    if allowed_targets is None:
        from experiments.validation.checks import CHECKS

        allowed_targets = [c.id for c in CHECKS if c.calibrate]
    for t in targets:
        need(t in allowed_targets, f"targets has '{t}'; allowed: {', '.join(allowed_targets)} "
                                   "(entries of kind 'calibration target')")
    return Spec(parameters=parameters, targets=targets,
                target_seeds=target_seeds_from(data.get("target_seeds", {}), targets),
                method=method, budget=budget_from(data), base=common.overrides(data),
                n_jobs=common.jobs(data.get("n_jobs", -1)), name=name)


def target_seeds_from(value, targets: tuple[str, ...]) -> dict[str, int]:
    """`{target id: k}`: the target is measured at the first k seeds of each set only."""
    need(isinstance(value, dict), f"target_seeds={value}; allowed: a mapping of target ids "
                                  "to an integer >= 1")
    out = {}
    for key, k in value.items():
        need(str(key) in targets, f"target_seeds has '{key}'; allowed: a target of the spec "
                                  f"({', '.join(targets)})")
        need(isinstance(k, int) and not isinstance(k, bool) and k >= 1,
             f"target_seeds['{key}']={k}; allowed: an integer >= 1")
        out[str(key)] = k
    return out


def budget_from(data: dict, base: Budget = Budget()) -> Budget:
    """The budget keys present in `data` (the others from `base`), each checked."""
    values = {k: common.integer(data, k, getattr(base, k), MINIMUM[k])
              for k in BUDGET_KEYS if k in data}
    cutoff = data.get("cutoff", base.cutoff)
    need(isinstance(cutoff, (int, float)) and not isinstance(cutoff, bool) and cutoff > 0,
         f"cutoff={cutoff}; allowed: a number > 0 (3 is the three-sigma rule)")
    return dataclasses.replace(base, **values, cutoff=float(cutoff))


def check_keys(spec: Spec) -> None:
    """Every parameter must be a numeric key of the composed config (typos are errors)."""
    import sim

    common.numeric_settings(spec, sim.compose_config(list(spec.base)))
