"""Hand-built places for the pupil tests (imported as `tests.pupils_helpers`)."""

from __future__ import annotations

import numpy as np

from sim.pupils.places import Places
from sim.region import PRIMARY, SECONDARY


def line_of_schools(primary_places=(30, 30, 30, 30), secondary_places=(70, 70),
                    shares=(0.1, 0.2, 0.3, 0.4), secondary_year_groups=None) -> Places:
    """Primaries 2 km apart along a line, two secondaries between them, a neighbourhood
    every kilometre with deprivation rising along the line. The secondaries' year groups
    (roll / 5) default to the primaries' Year 6 shared in proportion to their places, so no
    Year 7 arrives from outside."""
    n_pri, n_sec = len(primary_places), len(secondary_places)
    if secondary_year_groups is None:
        secondary_year_groups = (np.floor(np.array(secondary_places) * sum(primary_places)
                                          / sum(secondary_places)).astype(int))
    primary_km = np.column_stack([2.0 * np.arange(n_pri), np.zeros(n_pri)])
    secondary_km = np.column_stack([np.linspace(1.0, 2.0 * n_pri - 3.0, n_sec), np.ones(n_sec)])
    n_nb = 2 * n_pri
    return Places(
        school_km=np.vstack([primary_km, secondary_km]),
        phase=np.array([PRIMARY] * n_pri + [SECONDARY] * n_sec),
        entry_places=np.array(list(primary_places) + list(secondary_places)),
        intake_share=np.array(list(shares) + [0.0] * n_sec),
        neighbourhood_km=np.column_stack([np.arange(n_nb, dtype=float), np.zeros(n_nb)]),
        deprivation=np.linspace(0.05, 0.6, n_nb),
        year_group_size=np.array(list(primary_places) + list(secondary_year_groups)))
