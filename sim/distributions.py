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
    # A mean of exactly 0 or 1 (allowed by the config) has no spread: return it as is.
    edge = (mean <= 0) | (mean >= 1)
    draws = rng.beta(np.where(edge, 0.5, mean * concentration),
                     np.where(edge, 0.5, (1 - mean) * concentration))
    return np.where(edge, mean, draws)
