"""Small helpers shared by the tests (imported as `tests.helpers`)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

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


def assert_one_line_error(overrides, expected: str) -> None:
    """Composing `overrides` fails with one line that names `expected` and what is allowed."""
    with pytest.raises(sim.ConfigError) as info:
        sim.compose_config(list(overrides))
    message = str(info.value)
    assert expected in message and "allowed" in message and "\n" not in message


def assert_runs_and_reports(scheme: str) -> None:
    """Two years of `scheme` on a small region: partnerships from the first week, a metrics
    row per term, expertise within 0-1."""
    r = sim.run([f"scheme={scheme}", "region.n_schools=300", "years=2"], progress=False)
    assert len(r.metrics) == 7 and r.summary["n_partnerships"] > 0
    assert r.metrics["active_partnerships"].iloc[0] > 0
    assert ((r.schools["expertise_mean"] >= 0) & (r.schools["expertise_mean"] <= 1)).all()
