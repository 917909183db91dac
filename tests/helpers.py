"""Small helpers shared by the tests (imported as `tests.helpers`)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import sim

# A small but complete region: the 10 GM local authorities with a few hundred schools.
SMALL = ["region.n_schools=200", "years=1"]


def section(**values) -> SimpleNamespace:
    """A stand-in for one config section (e.g. `cfg.exchange`) holding exactly these values."""
    return SimpleNamespace(**values)


def clone(rng: np.random.Generator) -> np.random.Generator:
    """An independent generator in the same state as `rng`, to replay its draws."""
    copy = np.random.default_rng()
    copy.bit_generator.state = rng.bit_generator.state
    return copy


def build_model(overrides) -> sim.SchoolSystem:
    """A model built (region, state, partnerships) but not run."""
    return sim.SchoolSystem(sim.compose_config(list(overrides)))
