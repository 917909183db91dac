"""Draws parameterised by mean and spread, as the config states them."""

from __future__ import annotations

import numpy as np


def gamma_with_mean(rng, mean, sd: float) -> np.ndarray:
    """Positive values with the given mean and standard deviation."""
    mean = np.asarray(mean, float)
    if sd == 0:
        return mean.copy()
    shape = (mean / sd) ** 2
    return rng.gamma(shape, mean / shape)


def beta_with_mean(rng, mean, sd: float) -> np.ndarray:
    """Values in (0, 1) with the given mean and (at most) the given standard deviation.

    A beta distribution cannot be wider than sqrt(mean (1 - mean)); the concentration is
    kept at 1 or more, which narrows an over-wide request to the widest unimodal shape."""
    mean = np.asarray(mean, float)
    if sd == 0:
        return mean.copy()
    concentration = np.maximum(mean * (1 - mean) / sd**2 - 1, 1.0)
    return rng.beta(mean * concentration, (1 - mean) * concentration)
