"""Absorptive capacity, and the broadcast of shared summaries of practice.

Sources: absorptive capacity (Cohen & Levinthal 1990): what a school can take in from what
it sees rises with what it already knows, and openness is cut where competition bites
(Armstrong & Ainscow 2018: "school-to-school support within a competitive education
system"); the Pathways trios' summaries "have been shared with all Greater Manchester
schools" (seed 000).

    A = openness * (1 - competition_openness_cut * competition) * (floor + (1 - floor) * mean E)

How practice moves between partners (adoption, creation) is `sim.diffusion`.
"""

from __future__ import annotations

import numpy as np

from sim.rowsum import row_mean


def absorptive_capacity(expertise, openness, competition, cfg, extra_cut: float = 0.0):
    """How much of what a school sees it can take in (0 to 1)."""
    cut = cfg.competition_openness_cut + extra_cut
    cut = np.clip(cut, 0.0, 1.0) if np.ndim(cut) else min(max(cut, 0.0), 1.0)
    effective_openness = openness * (1 - cut * competition)
    floor = cfg.absorptive_floor
    return effective_openness * (floor + (1 - floor) * row_mean(expertise))


def broadcast(expertise, summary, absorptive, rate: float) -> np.ndarray:
    """Every school drifts towards a shared summary of practice, where it is below it.

    The pull (rate x absorptive capacity) is capped at 1: never past the summary."""
    pull = np.minimum(rate * absorptive, 1.0)[:, None]
    return expertise + pull * np.maximum(summary[None, :] - expertise, 0.0)
