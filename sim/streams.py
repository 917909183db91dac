"""Named random streams: one seed, one independent generator per mechanism.

Each stream is derived from the run's seed and the stream's *name* (not from the order in
which streams are asked for), so adding a mechanism never shifts another's draws. Two
scenarios with the same seed therefore share the region, the initial state and every draw
their schemes do not touch: common random numbers.

Components draw from streams namespaced by their name, `<stream>/<component>` (e.g.
`formation/trios`, `trust/families`; `sim.component.Component.stream`), so two components
never share draws and the parts of a mixed scheme keep theirs whatever their order.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.component import REGISTRY

# Every stream the model uses, so a misspelt name fails loudly instead of silently
# creating a fresh, uncorrelated stream.
STREAM_NAMES = (
    "region",        # geography, sizes, intakes
    "initial",       # initial expertise, leadership time, openness, school effects
    "turnover",      # staff leaving, and where they move with their practice
    "practices",     # the starting catalogue and each school's starting holdings
    "adoption",      # which practice a meeting discusses and whether it is taken up
    "affinity",      # how readily each partnership builds trust
    "network",       # which schools the network's path-length estimate starts from
    "pupils/intake",      # Reception pupils' status, homes and entry attainment
    "pupils/progress",    # pupils' yearly progress noise
    "pupils/transition",  # families' tastes and lottery numbers at 11
    "pupils/mobility",    # who changes school within a phase, and where to
    "creation",      # new practice created in mutual meetings
    "invention",     # how effective each new practice turns out (recombinant uncertainty)
    "sustainment",   # practices taken up from partners that lapse before they are embedded
    "lapse",         # hard decisions on priorities: faced, and groups breaking up
    "inspection",    # inspection timing and judgement noise
    "brokering",     # which groups form without local-authority brokering
    "mixing",        # which schools join which scheme in a mixed scheme
    "posterior",     # which parameter set of the posterior ensemble a run takes
)

# Streams each component has its own of, as `<stream>/<component name>`.
COMPONENT_STREAMS = (
    "formation",     # who partners whom
    "trust",         # starting trust on each link
    "fidelity",      # how faithfully each peer-review cluster runs its cycle
    "rebrokering",   # who is matched with whom, and when they meet, when lapsed groups are
                     # re-brokered
)


def known(name: str) -> bool:
    """A stream the model uses: a mechanism's, or a registered component's own."""
    base, _, component = name.partition("/")
    return name in STREAM_NAMES or (
        base in COMPONENT_STREAMS and any(component in kind for kind in REGISTRY.values()))


class Streams:
    """Hands out the named `numpy.random.Generator` for each mechanism."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        generator = self._generators.get(name)   # a stream handed out before (every week)
        if generator is not None:
            return generator
        if not known(name):
            raise KeyError(f"unknown random stream '{name}'; known: {', '.join(STREAM_NAMES)}, "
                           f"or {', '.join(COMPONENT_STREAMS)} followed by /<component name>")
        key = zlib.crc32(name.encode())
        generator = self._generators[name] = np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(key,)))
        return generator
