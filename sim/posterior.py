"""Runs over the calibration's posterior ensemble (`calibration=posterior`).

`schoolsim-calibrate` writes a posterior ensemble: a CSV with one column per calibrated
setting (dotted config key) and one row per parameter set. A run whose config names the
ensemble (`posterior.ensemble`) takes one row of it before the model is built: the row is
drawn from the run's seed on its own named stream ("posterior"), so

- the same seed gives the same parameter set in any process, launcher or job order;
- a scenario and its baseline run with the same seed draw the same set, so a paired
  comparison keeps common random numbers and the per-seed difference isolates the scenario;
- a sweep over seeds integrates both parameter and stochastic uncertainty.

`posterior.index` pins one row instead (the run's config records the row it used).
"""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config import DRAWN, validate
from sim.errors import ConfigError
from sim.streams import Streams


def ensemble_path(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else Path(str(files("configs"))) / path


@functools.lru_cache(maxsize=4)
def load_ensemble(path: Path) -> pd.DataFrame:
    """The ensemble's parameter sets (read once per process)."""
    if not path.is_file():
        raise ConfigError(f"posterior.ensemble={path} is not a file; allowed: a CSV written "
                          "by schoolsim-calibrate")
    table = pd.read_csv(path)
    numeric = table.select_dtypes("number")
    if table.empty or numeric.shape[1] != table.shape[1] or numeric.isna().any().any():
        raise ConfigError(f"posterior.ensemble={path} is not a table of numbers; allowed: "
                          "one column per setting, one row per parameter set")
    return table


def draw_index(seed: int, n_sets: int) -> int:
    """The row a run with this seed takes: a function of the seed alone."""
    return int(Streams(seed)["posterior"].integers(n_sets))


def with_draw(cfg: DictConfig) -> DictConfig:
    """The config with its parameter set from the ensemble (unchanged without one)."""
    if not cfg.posterior.ensemble:
        return cfg
    table = load_ensemble(ensemble_path(cfg.posterior.ensemble))
    index = int(cfg.posterior.index)
    if index == DRAWN:
        index = draw_index(int(cfg.seed), len(table))
    elif index >= len(table):
        raise ConfigError(f"posterior.index={index} is not a row of the ensemble; allowed: "
                          f"-1 (drawn from the seed) or 0 to {len(table) - 1}")
    drawn = cfg.copy()
    for key, value in table.iloc[index].items():
        if OmegaConf.select(drawn, key, default=None) is None:
            raise ConfigError(f"posterior.ensemble has column '{key}'; allowed: settings of "
                              "the model")
        OmegaConf.update(drawn, key, _native(value, OmegaConf.select(drawn, key)))
    drawn.posterior.index = index
    drawn.posterior.drawn = list(table.columns)
    validate(drawn)   # a set outside a setting's range is an error, never clamped
    return drawn


def _native(value: np.generic, current):
    """A CSV number as the setting's own type (an integer setting stays an integer)."""
    return int(value) if isinstance(current, int) and not isinstance(current, bool) \
        else float(value)
