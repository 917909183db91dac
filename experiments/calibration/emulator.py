"""Gaussian-process emulators of the model's measures, with a term for seed noise.

One emulator per target: a GP over the unit cube (scikit-learn) with an anisotropic
squared-exponential kernel for the measure's *expected value over seeds*, plus a white-noise
kernel for the seed-to-seed spread. Every seed's value is one training observation, so the
replicates at a design point tell the noise term how large the seed noise is and the mean
function does not chase it. `predict` returns the expected value and the emulator's own
uncertainty about it (the noise variance taken out); `seed_sd` the fitted seed noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

RESTARTS = 3   # restarts of the hyperparameter optimiser (seeded)


@dataclass
class Emulator:
    gp: GaussianProcessRegressor
    centre: float      # the outputs are standardised for the GP: y = centre + scale * z
    scale: float

    @property
    def noise_variance(self) -> float:
        """The white-noise term, standardised units."""
        return float(self.gp.kernel_.k2.noise_level)

    @property
    def seed_sd(self) -> float:
        """Seed-to-seed standard deviation of the measure, as the noise term fitted it."""
        return self.scale * self.noise_variance ** 0.5

    @property
    def length_scales(self) -> np.ndarray:
        return np.atleast_1d(self.gp.kernel_.k1.k2.length_scale)

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected value over seeds at each point, and the emulator's sd of it."""
        z, sd = self.gp.predict(np.atleast_2d(u), return_std=True)
        # scikit-learn's predictive sd includes the white-noise term: take it out.
        latent = np.sqrt(np.maximum(sd ** 2 - self.noise_variance, 0.0))
        return self.centre + self.scale * z, self.scale * latent


def fit_emulator(u: np.ndarray, y: np.ndarray, seed: int) -> Emulator:
    """Fit to observations y (one per seed run) at unit-cube points u (NaNs left out)."""
    u, y = np.atleast_2d(u), np.asarray(y, float)
    keep = ~np.isnan(y)
    u, y = u[keep], y[keep]
    centre, scale = float(y.mean()), float(y.std()) or 1.0
    d = u.shape[1]
    kernel = (ConstantKernel(1.0, (1e-3, 1e5)) * RBF(np.full(d, 0.5), (1e-2, 1e3))
              + WhiteKernel(0.1, (1e-8, 10.0)))
    gp = GaussianProcessRegressor(kernel, n_restarts_optimizer=RESTARTS, random_state=seed)
    gp.fit(u, (y - centre) / scale)
    return Emulator(gp, centre, scale)
