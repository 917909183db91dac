"""Draws parameterised by mean and spread, as the config states them."""

from __future__ import annotations

import numpy as np


def gamma_with_mean(rng, mean, sd: float) -> np.ndarray:
    """Positive values with the given mean and standard deviation.

    A spread so small against the mean that the shape overflows (sd below about 1e-154
    of the mean) is no spread: those values are the mean."""
    mean = np.asarray(mean, float)
    if sd == 0:
        return mean.copy()
    with np.errstate(over="ignore", divide="ignore"):
        shape = (mean / sd) ** 2
    degenerate = ~np.isfinite(shape)
    safe_shape = np.where(degenerate, 1.0, shape)
    draws = rng.gamma(safe_shape, mean / safe_shape)
    return np.where(degenerate, mean, draws)


def beta_with_mean(rng, mean, sd: float) -> np.ndarray:
    """Values in (0, 1) with the given mean and (at most) the given standard deviation.

    A beta distribution cannot be wider than sqrt(mean (1 - mean)); the concentration is
    kept at 1 or more, which narrows an over-wide request to the widest unimodal shape.
    A spread too small for the concentration to be finite is no spread, as in
    `gamma_with_mean`."""
    mean = np.asarray(mean, float)
    if sd == 0:
        return mean.copy()
    with np.errstate(over="ignore", divide="ignore"):
        concentration = np.maximum(mean * (1 - mean) / sd**2 - 1, 1.0)
    # A mean of exactly 0 or 1 (allowed by the config) has no spread: return it as is.
    fixed = (mean <= 0) | (mean >= 1) | ~np.isfinite(concentration)
    draws = rng.beta(np.where(fixed, 0.5, mean * concentration),
                     np.where(fixed, 0.5, (1 - mean) * concentration))
    return np.where(fixed, mean, draws)
