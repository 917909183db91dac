"""Named random streams: one seed, one independent generator per mechanism.

Each stream is derived from the run's seed and the stream's *name* (not from the order in
which streams are asked for), so adding a mechanism never shifts another's draws. Two
scenarios with the same seed therefore share the region, the initial state and every draw
their schemes do not touch: common random numbers.
"""

from __future__ import annotations

import zlib

import numpy as np

# Every stream the model uses, so a misspelt name fails loudly instead of silently
# creating a fresh, uncorrelated stream.
STREAM_NAMES = (
    "region",        # geography, sizes, intakes
    "initial",       # initial expertise, leadership time, openness, school effects
    "turnover",      # staff-turnover shocks
    "cohort",        # yearly cohort noise in attainment
    "formation",     # who partners whom
    "trust",         # starting trust on each link
    "creation",      # new practice created in mutual meetings
    "lapse",         # partnerships lapsing when hard decisions come
    "inspection",    # inspection timing and judgement noise
    "brokering",     # which groups form without local-authority brokering
    "fidelity",      # how faithfully each peer-review cluster runs its cycle
    "mixing",        # which schools join which scheme in a mixed scheme
)


class Streams:
    """Hands out the named `numpy.random.Generator` for each mechanism."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in STREAM_NAMES:
            raise KeyError(f"unknown random stream '{name}'; known: {', '.join(STREAM_NAMES)}")
        if name not in self._generators:
            key = zlib.crc32(name.encode())
            self._generators[name] = np.random.default_rng(
                np.random.SeedSequence(self.seed, spawn_key=(key,))
            )
        return self._generators[name]
