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


# ---------------------------------------------------------------- relational capital
# Trust as relational capital (issue 12): built by joint work and by what it realises,
# fading slowly without contact, tested by hard decisions; each partnership has its own
# affinity. Sources: "relationships definitely strengthened as a result" of successful
# joint work (SPP, seed 004); "the strength of a partnership is only tested when the going
# gets tough" and "when hard decisions have to be made ... the quality - and maturity - of
# a partnership is tested" (Armstrong & Ainscow 2018); trust as a relational asset built by
# repeated successful exchange (Ring & Van de Ven 1994; Bryk & Schneider 2002).


def joint_work_value(realised: np.ndarray, contact_credit: float) -> np.ndarray:
    """r in [contact_credit, 1): the worth of a meeting to a relationship.

    r = c + (1 - c) (1 - exp(-realised)); `realised` counts what the link's meeting gave
    (practices adopted either way, created together, support given), so meeting alone is
    worth c and every success adds with diminishing returns."""
    return contact_credit + (1 - contact_credit) * -np.expm1(-np.asarray(realised, float))


def build(trust: np.ndarray, links: np.ndarray, growth: float, value: np.ndarray,
          affinity: np.ndarray) -> None:
    """T <- T + growth * affinity * r * (1 - T) on the links that met (capped below 1)."""
    rate = np.minimum(growth * affinity[links] * value, 1.0)
    trust[links] += rate * (1 - trust[links])


def fade_without_contact(trust: np.ndarray, met: np.ndarray, fade_per_term: float) -> None:
    """A term's fading of the links that did not meet: T <- T (1 - fade)."""
    trust[~met] *= 1 - fade_per_term


def hard_decisions(mean_trust: np.ndarray, active: np.ndarray, cfg, rng):
    """This year's test of each active group when priorities must be set.

    Each active group faces a hard decision with probability `hard_decision_rate`. It holds
    if its mean trust is at least `maturity_threshold` (and the partnership comes out
    stronger); otherwise the group breaks up with probability `lapse_probability`.
    Returns (held, lapsed) masks. Two uniforms per group whatever the outcome."""
    u_face, u_lapse = rng.random((2, len(mean_trust)))
    faced = active & (u_face < cfg.hard_decision_rate)
    mature = mean_trust >= cfg.maturity_threshold
    return faced & mature, faced & ~mature & (u_lapse < cfg.lapse_probability)


def strengthen(trust: np.ndarray, links: np.ndarray, gain: float) -> None:
    """A hard decision taken together: T <- T + gain (1 - T) on the group's links."""
    trust[links] += gain * (1 - trust[links])
