"""Trust on each partnership link.

Sources: partnerships "need trust built over time" and are "tested when hard decisions on
priorities come" (Armstrong & Ainscow 2018, quoted by the Schools Partnership Programme);
brokered partnerships start with some borrowed trust.

- After a meeting: T <- T + growth (1 - T).
- A term without a meeting on the link: T <- T (1 - decay_per_term).
- Once a year (priority setting) a group whose mean trust is below `lapse_threshold`
  stops meeting with probability `lapse_probability`.
"""

from __future__ import annotations

import numpy as np


def grow(trust: np.ndarray, links: np.ndarray, growth: float) -> None:
    trust[links] += growth * (1 - trust[links])


def decay_unmet(trust: np.ndarray, met: np.ndarray, decay_per_term: float) -> None:
    trust[~met] *= 1 - decay_per_term


def lapsing_groups(mean_trust: np.ndarray, active: np.ndarray, cfg, rng) -> np.ndarray:
    """Groups that lapse this year. Draws one uniform per group whatever the outcome."""
    u = rng.random(len(mean_trust))
    return active & (mean_trust < cfg.lapse_threshold) & (u < cfg.lapse_probability)
