"""Bayesian calibration on the emulators: reachability, likelihood, posterior sample.

Statistical model, per calibration target k with centre c_k and band [c_k - h_k, c_k + h_k]:

    c_k = f_k(θ) + ε_seed + ε_obs,   ε_seed ~ N(0, σ_seed,k²),   ε_obs ~ N(0, (h_k / 2)²)

f_k(θ) is the model's expected value over seeds (the emulator's mean, with the emulator's
own uncertainty σ_emu,k(θ)²), the real world is one realisation of the system (seed noise
σ_seed,k, the emulator's noise term) and the band is read as a 95 % interval of the real
value (h_k = 2 sd). The prior is uniform on every range (log scale where declared). There
is no separate model-discrepancy term: a target the model cannot reach is left out instead.

An *upper bound* (a target whose source gives only the most the real value can be, e.g. 11b)
counts only above its band's top b_k = c_k + h_k: its likelihood is the chance that the
model's realisation lies below the bound, read as soft with the same observation sd,

    Phi((b_k - f_k(θ)) / sqrt(σ_seed,k² + σ_emu,k(θ)² + (h_k / 2)²)),

so every set well below the bound is equally likely, and its distance outside the band is
max(f_k(θ) - b_k, 0).

Reachability: can the model's expected value get into the band? At each point of a dense
sample of the prior, the distance of the emulated expected value outside the band,
max(|c_k - f_k(θ)| - h_k, 0), in the emulator's sd σ_emu,k(θ). A target for which that
distance exceeds `cutoff` (3, Pukelsheim's three-sigma rule, as in history matching)
everywhere is reached by no parameter set: it is reported and left out of the likelihood,
so it cannot drive the fit (a fit that cannot meet a target otherwise spends itself on it).

Posterior sample: adaptive importance sampling on the emulators (the model is not run):
the first round draws from the prior, each further round from a defensive mixture (a tenth
prior, the rest a Gaussian with the previous round's weighted mean and twice its
covariance); the last round's weighted sample is resampled into the ensemble.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from experiments.calibration.emulator import Emulator

CUTOFF = 3.0
MIN_DEFINED = 8     # runs with a defined value a target's emulator needs
ROUNDS = 3
DEFENSIVE = 0.1     # share of each later round drawn from the prior
INFLATE = 2.0       # proposal covariance = INFLATE x the previous round's


@dataclass(frozen=True)
class Target:
    id: str
    centre: float
    half_width: float
    upper_bound: bool = False     # counts only above the band's top (the module's docstring)

    @property
    def obs_sd(self) -> float:
        return self.half_width / 2

    @property
    def top(self) -> float:
        return self.centre + self.half_width


@dataclass(frozen=True)
class Reach:
    target: str
    reachable: bool
    distance: float       # smallest distance outside the band, in emulator sd (0: inside)
    closest: float        # the emulated expected value nearest the centre
    why_not: str = ""     # why the target is left out of the fit


def distance_outside(target: Target, emulator: Emulator, u: np.ndarray) -> np.ndarray:
    """How far the emulated expected value lies outside the band, in emulator sd."""
    mean, sd = emulator.predict(u)
    if target.upper_bound:
        outside = np.maximum(mean - target.top, 0.0)
    else:
        outside = np.maximum(np.abs(target.centre - mean) - target.half_width, 0.0)
    return outside / np.maximum(sd, 1e-12 * target.half_width)


def reachability(target: Target, emulator: Emulator, candidates: np.ndarray,
                 cutoff: float = CUTOFF) -> Reach:
    distance = distance_outside(target, emulator, candidates)
    mean, _ = emulator.predict(candidates)
    reachable = bool(distance.min() <= cutoff)
    return Reach(target.id, reachable, float(distance.min()),
                 float(mean[np.argmin(np.abs(target.centre - mean))]),
                 "" if reachable else "no parameter set reaches its band")


def unmeasured(target: Target, defined: int) -> Reach:
    """A target too few runs could measure: no emulator, left out of the fit."""
    return Reach(target.id, False, float("nan"), float("nan"),
                 f"defined in {defined} runs only (an emulator needs {MIN_DEFINED})")


def log_likelihood(targets: Sequence[Target], emulators: Mapping[str, Emulator],
                   u: np.ndarray) -> np.ndarray:
    total = np.zeros(len(u))
    for t in targets:
        em = emulators[t.id]
        mean, sd = em.predict(u)
        spread = np.sqrt(t.obs_sd ** 2 + em.seed_sd ** 2 + sd ** 2)
        if t.upper_bound:
            total += stats.norm.logcdf(t.top, mean, spread)
        else:
            total += stats.norm.logpdf(t.centre, mean, spread)
    return total


@dataclass
class Sample:
    u: np.ndarray         # (n, d) points in the unit cube
    weights: np.ndarray   # normalised importance weights

    @property
    def ess(self) -> float:
        """Effective sample size of the weights (Kish)."""
        return float(1.0 / np.sum(self.weights ** 2))


def _normalise(log_w: np.ndarray) -> np.ndarray:
    finite = np.isfinite(log_w)
    w = np.zeros_like(log_w)
    if finite.any():
        w[finite] = np.exp(log_w[finite] - log_w[finite].max())
    return w / w.sum()


def importance_sample(log_lik, d: int, n: int, rng: np.random.Generator,
                      rounds: int = ROUNDS) -> Sample:
    """Posterior over the unit cube (uniform prior) from `log_lik(u)`."""
    u = rng.random((n, d))
    sample = Sample(u, _normalise(log_lik(u)))
    for _ in range(rounds - 1):
        mean = sample.weights @ sample.u
        centred = sample.u - mean
        cov = INFLATE * (centred.T * sample.weights) @ centred + 1e-6 * np.eye(d)
        n_prior = int(round(DEFENSIVE * n))
        u = np.vstack([rng.random((n_prior, d)),
                       rng.multivariate_normal(mean, cov, n - n_prior)])
        inside = np.all((u >= 0) & (u <= 1), axis=1)
        q = DEFENSIVE + (1 - DEFENSIVE) * stats.multivariate_normal(mean, cov).pdf(u)
        log_w = np.full(n, -np.inf)
        log_w[inside] = log_lik(u[inside]) - np.log(q[inside])
        sample = Sample(u, _normalise(log_w))
    return sample


def resample(sample: Sample, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points from the weighted sample (systematic resampling: low variance)."""
    positions = (rng.random() + np.arange(n)) / n
    index = np.searchsorted(np.cumsum(sample.weights), positions, side="right")
    return sample.u[np.minimum(index, len(sample.u) - 1)]
