"""Synthetic regions: local authorities, neighbourhoods with a deprivation level, schools.

The generator reproduces the structure the seed documents describe rather than any real
map: local authorities of realistic relative size, deprived inner neighbourhoods, primary
and secondary schools in England's proportions (about 83 % / 17 % of state-funded
primary and secondary schools), and a disadvantaged (free-school-meal) share per school
drawn from its neighbourhood with England's mean (about 24 %) and right skew.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sim.errors import ConfigError
from sim.geography import PRIMARY, SECONDARY, Region, eal_and_mobility
from sim.region_csv import build_region_from_csv
from sim.region_real import build_real_region


def build_region(cfg, rng: np.random.Generator) -> Region:
    """Build the region the config names (`gm`, `england`, any synthetic variant, or a
    school list: `region=csv`, see `sim.region_csv`; real England: `region=england_real`,
    see `sim.region_real`)."""
    if getattr(cfg, "local_authorities", None) is not None:
        return build_real_region(cfg, rng)
    if getattr(cfg, "path", None) is not None:
        return build_region_from_csv(cfg, rng)
    counts = _schools_per_la(cfg, rng)
    centres = _la_centres(cfg, rng)
    la_names = tuple(cfg.la_names) or tuple(f"LA{i + 1:03d}" for i in range(len(counts)))
    radius = 0.25 * cfg.la_spacing_km * np.sqrt(counts / counts.mean())
    la_shift = rng.normal(0.0, cfg.la_deprivation_sd, len(counts))

    nb_la, nb_pos, nb_logit = _neighbourhoods(cfg, rng, counts, centres, radius, la_shift)
    nb_logit += _calibrate_offset(nb_logit, cfg.fsm_mean)
    nb_mean = expit(nb_logit)

    la = np.repeat(np.arange(len(counts)), counts)
    neighbourhood = _place_schools(rng, la, nb_la)
    pos = nb_pos[neighbourhood] + rng.normal(0.0, 0.5, (len(la), 2))
    phase = _phases(cfg, rng, len(la))
    pupils = _pupils(cfg, rng, phase)
    share = rng.beta(nb_mean[neighbourhood] * cfg.fsm_concentration,
                     (1 - nb_mean[neighbourhood]) * cfg.fsm_concentration)
    eal, mobility = eal_and_mobility(rng, nb_logit[neighbourhood])
    return Region(cfg.name, la_names, la, neighbourhood, nb_mean, pos, phase, pupils,
                  share, eal, mobility, neighbourhood_pos_km=nb_pos)


def _schools_per_la(cfg, rng) -> np.ndarray:
    """Split n_schools over local authorities by weight (largest remainder, at least one)."""
    n_la = cfg.n_local_authorities
    weights = np.asarray(cfg.la_weights, float) if len(cfg.la_weights) else \
        rng.lognormal(0.0, 0.5, n_la)
    spare = cfg.n_schools - n_la
    if spare < 0:
        raise ConfigError(f"region.n_schools={cfg.n_schools} is fewer than the "
                          f"{n_la} local authorities; allowed: at least one school each")
    exact = spare * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    short = spare - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts + 1


def _la_centres(cfg, rng) -> np.ndarray:
    if len(cfg.la_centres_km):
        return np.asarray(cfg.la_centres_km, float)
    n_la = cfg.n_local_authorities
    cols = int(np.ceil(np.sqrt(n_la)))
    grid = np.column_stack([np.arange(n_la) % cols, np.arange(n_la) // cols]).astype(float)
    jitter = rng.uniform(-0.2, 0.2, (n_la, 2))
    return (grid + jitter) * cfg.la_spacing_km


def _neighbourhoods(cfg, rng, counts, centres, radius, la_shift):
    """Neighbourhood positions in a disc per LA; deprivation higher towards the centre."""
    per_la = np.maximum(1, np.round(counts / cfg.schools_per_neighbourhood)).astype(int)
    nb_la = np.repeat(np.arange(len(counts)), per_la)
    r = radius[nb_la] * np.sqrt(rng.uniform(0, 1, len(nb_la)))
    angle = rng.uniform(0, 2 * np.pi, len(nb_la))
    pos = centres[nb_la] + np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    inner = 1.0 - r / radius[nb_la]
    nb_logit = (la_shift[nb_la] + cfg.deprivation_gradient * (inner - 0.5)
                + rng.normal(0.0, 0.8, len(nb_la)))
    return nb_la, pos, nb_logit


def _calibrate_offset(nb_logit: np.ndarray, target_mean: float) -> float:
    """The logit shift that gives neighbourhoods the target mean share (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if expit(nb_logit + mid).mean() < target_mean:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _place_schools(rng, la: np.ndarray, nb_la: np.ndarray) -> np.ndarray:
    """Each school goes to a random neighbourhood of its own local authority."""
    first = np.searchsorted(nb_la, np.arange(nb_la.max() + 1))
    n_in_la = np.bincount(nb_la)
    return first[la] + (rng.uniform(0, 1, len(la)) * n_in_la[la]).astype(int)


def _phases(cfg, rng, n: int) -> np.ndarray:
    phase = np.full(n, PRIMARY)
    # At least one school of each phase, so that each phase's metrics exist in a tiny region.
    n_secondary = min(n - 1, max(1, int(round(n * (1 - cfg.primary_share)))))
    phase[rng.permutation(n)[:n_secondary]] = SECONDARY
    return phase


def _pupils(cfg, rng, phase: np.ndarray) -> np.ndarray:
    mean = np.where(phase == PRIMARY, cfg.primary_pupils_mean, cfg.secondary_pupils_mean)
    sigma = np.sqrt(np.log1p(cfg.pupils_cv**2))
    # A school has pupils: with a wide spread (pupils_cv up to 3) the lognormal's low tail
    # would otherwise round some rolls to zero, and every per-pupil rate to NaN.
    return np.maximum(1, np.round(mean * rng.lognormal(-sigma**2 / 2, sigma, len(phase))))
