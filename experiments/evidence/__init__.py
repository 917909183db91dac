"""The published series the model is compared with, copied into the project with its notice
(`NOTICE.md`) and provenance (`PROVENANCE.json`) beside this module: the DfE disadvantage gap
index for England, 2010/11 to 2018/19, at KS2 and KS4 (`dfe_gap_index.csv`).

    gap_index()            the series: school_year, start_year, ks2, ks4
    trend_change(values)   its decade change: the least-squares line's relative change from
                           the first year to the last, with its standard error

The decade's fall is read from the fitted line, not from the two end years, so that one
year's wobble (KS4 2014/15, KS2 2017/18) does not decide it; its standard error comes from the
scatter of the years about the line, and the targets' bands are the change +/- two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

GAP_INDEX = Path(__file__).with_name("dfe_gap_index.csv")
STAGES = ("ks2", "ks4")


def gap_index(path: Path = GAP_INDEX) -> pd.DataFrame:
    """The DfE gap index by school year; `start_year` is the calendar year the school year
    starts in (2010 for 2010/11)."""
    frame = pd.read_csv(path, dtype={"school_year": str})
    frame.insert(1, "start_year", frame["school_year"].str[:4].astype(int))
    return frame


@dataclass(frozen=True)
class TrendChange:
    """Relative change of a series' least-squares line over its span, and its standard
    error (delta method on the line's coefficients)."""

    change: float
    se: float

    def band(self, widths: float = 2.0) -> tuple[float, float]:
        return (self.change - widths * self.se, self.change + widths * self.se)


def trend_change(values) -> TrendChange:
    """Fit y = a + b t (t = 0 .. n-1, one value a year); the change is (n-1) b / a, the
    line's last value over its first minus 1. Needs at least three values (two leave no
    scatter to estimate the error from)."""
    y = np.asarray(values, float)
    if len(y) < 3 or not np.isfinite(y).all():
        raise ValueError(f"values={y.tolist()}; allowed: at least three finite yearly values")
    t = np.arange(len(y), dtype=float)
    x = np.column_stack([np.ones_like(t), t])
    (a, b), *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ np.array([a, b])
    covariance = residual @ residual / (len(y) - 2) * np.linalg.inv(x.T @ x)
    span = len(y) - 1
    gradient = np.array([-span * b / a**2, span / a])
    return TrendChange(float(span * b / a), float(np.sqrt(gradient @ covariance @ gradient)))
