"""Trust on each partnership link: relational capital built by joint work.

Sources: "relationships definitely strengthened as a result" of successful joint work (SPP,
seed 004); "it is relatively easy to maintain cooperation until the moments when hard
decisions have to be made, most particularly regarding the setting of priorities and the
allocation of resources. That is when the quality - and maturity - of a partnership is
tested" (Armstrong & Ainscow 2018, quoted by seed 004); partnerships "can lead to meetings
without any significant action" (think piece 4); trust as a relational asset built by
repeated successful exchange and eroded by neglect (Ring & Van de Ven 1994; Bryk &
Schneider 2002).

- After a meeting, on each link between two schools that attended it:
      T <- T + growth * affinity * r * (1 - T),   r = c + (1 - c) (1 - exp(-k))
  k counts the practices the link's meeting carried (adopted either way, or created
  together), c (`contact_credit`) is what meeting alone is worth, and `affinity` (mean 1,
  drawn per link) makes partnerships differ in how readily they build trust.
- Trust fades slowly without contact: every term, a link whose schools did not meet that
  term loses a share `decay_per_term`.
- Once a year each active group faces a hard decision on priorities with probability
  `hard_decision_rate`: a group whose mean trust is at least `lapse_threshold` holds and
  comes out stronger (T += strengthen_gain (1 - T) on its links); one below it breaks up
  with probability `lapse_probability`.
"""

from __future__ import annotations

import numpy as np


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
