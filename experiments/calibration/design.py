"""Where the calibration runs the model: space-filling designs over the prior ranges.

Every parameter's prior is uniform over its range (on the log scale for `log: true`
parameters). The machinery works in the unit cube: `u` in [0, 1]^d maps to a parameter
set by `to_parameters`, so the emulators, the prior and the posterior live where every
parameter has the same scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import qmc

from experiments.spec import Parameter


def to_parameters(parameters: Sequence[Parameter], u: np.ndarray) -> np.ndarray:
    """Unit-cube points (n, d) -> parameter values (n, d)."""
    u = np.atleast_2d(u)
    out = np.empty_like(u, dtype=float)
    for j, p in enumerate(parameters):
        if p.log:
            out[:, j] = np.exp(math.log(p.low) + u[:, j] * (math.log(p.high) - math.log(p.low)))
        else:
            out[:, j] = p.low + u[:, j] * (p.high - p.low)
    return out


def to_unit(parameters: Sequence[Parameter], values: np.ndarray) -> np.ndarray:
    """Parameter values (n, d) -> unit-cube points (n, d)."""
    values = np.atleast_2d(np.asarray(values, float))
    out = np.empty_like(values)
    for j, p in enumerate(parameters):
        if p.log:
            out[:, j] = (np.log(values[:, j]) - math.log(p.low)) / (math.log(p.high)
                                                                    - math.log(p.low))
        else:
            out[:, j] = (values[:, j] - p.low) / (p.high - p.low)
    return out


def latin_hypercube(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points spread over the unit cube (a Latin hypercube with low centred discrepancy)."""
    return qmc.LatinHypercube(d, optimization="random-cd", rng=rng).random(n)


def sobol(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """A scrambled Sobol' sample of the prior: candidates for the reachability search."""
    return qmc.Sobol(d, rng=rng).random(n)
