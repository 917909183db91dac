"""Trust on each partnership link.

Sources: partnerships "need trust built over time" and are "tested when hard decisions on
priorities come" (Armstrong & Ainscow 2018, quoted by the Schools Partnership Programme);
brokered partnerships start with some borrowed trust; partnerships "can lead to meetings
without any significant action" (think piece 4), and those do not build commitment.

- After a meeting, on each link between two schools that attended it:
      T <- T + growth * q * (1 - T)
  where q, the meeting's value to the pair, is high when the partners differ enough to
  have something new (distance delta at least `novelty_distance`) yet not so much that
  they cannot understand each other (`exchange.max_distance`):
      q = min(1, delta / novelty_distance) * max(0, 1 - delta / max_distance)
- Trust fades unless renewed: every term, T <- T (1 - decay_per_term) on every link, so a
  link that stops meeting, or meets without value, loses trust.
- Once a year (priority setting) a group whose mean trust is below `lapse_threshold`
  stops meeting with probability `lapse_probability`.
"""

from __future__ import annotations

import numpy as np


def meeting_value(distance: np.ndarray, novelty_distance: float, max_distance: float):
    """q in [0, 1]: something new to learn, and close enough to understand it."""
    novelty = np.minimum(1.0, distance / novelty_distance) if novelty_distance > 0 else 1.0
    return novelty * np.maximum(0.0, 1 - distance / max_distance)


def grow(trust: np.ndarray, links: np.ndarray, growth) -> None:
    """Trust after a meeting; `growth` is a scalar or one rate per link."""
    trust[links] += growth * (1 - trust[links])


def decay(trust: np.ndarray, decay_per_term: float) -> None:
    """A term's fading of every link's trust."""
    trust *= 1 - decay_per_term


def lapsing_groups(mean_trust: np.ndarray, active: np.ndarray, cfg, rng) -> np.ndarray:
    """Groups that lapse this year. Draws one uniform per group whatever the outcome."""
    u = rng.random(len(mean_trust))
    return active & (mean_trust < cfg.lapse_threshold) & (u < cfg.lapse_probability)
