"""Why partnerships ended when they did: watched term by term, told in a sentence.

The model ends a partnership group in three ways: when the programme funding stops, a
group whose mean trust is below the funding lever's `sustain_trust` stops with it
(`sim.policies.Funding`); once a year, at priority setting, a group whose mean trust is
below `trust.lapse_threshold` lapses with probability `trust.lapse_probability`
(`sim.trust`); and a scheme may end its own groups (a supported school regraded). The
runner compares which groups are active before and after each term and records, for the
groups that ended, when, how many, their mean trust then, and which rule fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim import calendar

FUNDING, LAPSE, SCHEME = "funding", "lapse", "scheme"


@dataclass(frozen=True)
class Ending:
    week: int
    groups: int
    mean_trust: float
    cause: str

    @property
    def year(self) -> float:
        return self.week / calendar.WEEKS_PER_YEAR


@dataclass(frozen=True)
class Rules:
    """The thresholds that end partnerships, read from the run's config."""

    lapse_threshold: float
    lapse_probability: float
    funding_stop_week: int | None
    sustain_trust: float | None

    @classmethod
    def of(cls, cfg: DictConfig) -> Rules:
        end = OmegaConf.select(cfg, "policy.funding.end_year")
        return cls(float(cfg.trust.lapse_threshold), float(cfg.trust.lapse_probability),
                   None if end is None else round(float(end) * calendar.WEEKS_PER_YEAR),
                   OmegaConf.select(cfg, "policy.funding.sustain_trust"))


def endings(before: np.ndarray, after: np.ndarray, trust: np.ndarray, prev_week: int,
            week: int, rules: Rules) -> list[Ending]:
    """The groups active `before` and not `after` a step from `prev_week` to `week`, split by
    the rule that fits their mean `trust` (per group, after the step)."""
    ended = before & ~after
    if not ended.any():
        return []
    funding_stopped = (rules.funding_stop_week is not None
                       and prev_week < rules.funding_stop_week <= week)
    cause = np.full(len(ended), SCHEME, dtype=object)
    cause[trust < rules.lapse_threshold] = LAPSE
    if funding_stopped and rules.sustain_trust is not None:
        cause[trust < rules.sustain_trust] = FUNDING
    out = []
    for kind in (FUNDING, LAPSE, SCHEME):
        chosen = ended & (cause == kind)
        if chosen.any():
            out.append(Ending(week, int(chosen.sum()), float(trust[chosen].mean()), kind))
    return out


def story(events: tuple[Ending, ...], rules: Rules, groups: int, active: int,
          finished: bool) -> str:
    """Why the partnerships that ended did, in plain words ('' when none ended)."""
    if groups == 0:
        return ("No partnerships were formed: this scheme forms none, or too few schools "
                "could be grouped.")
    if not events:
        return f"All {groups} partnership groups are still meeting."
    parts = [_part(kind, [e for e in events if e.cause == kind], rules)
             for kind in (FUNDING, LAPSE, SCHEME)]
    left = (f"{active} of {groups} groups are still meeting." if active else
            f"None of the {groups} groups is left{' at the end' if finished else ''}.")
    return " ".join([p for p in parts if p] + [left])


def _part(kind: str, events: list[Ending], rules: Rules) -> str:
    if not events:
        return ""
    n = sum(e.groups for e in events)
    trust = sum(e.groups * e.mean_trust for e in events) / n
    years = sorted({f"{e.year:.0f}" if e.year.is_integer() else f"{e.year:.1f}"
                    for e in events})
    when = f"year {years[0]}" if len(years) == 1 else f"years {', '.join(years)}"
    if kind == FUNDING:
        return (f"{n} group{_s(n)} ended when the funding stopped in {when}: an unfunded "
                f"group goes on only with mean trust of at least {rules.sustain_trust:g}, "
                f"and theirs averaged {trust:.2f}.")
    if kind == LAPSE:
        return (f"{n} group{_s(n)} lapsed at the yearly priority setting ({when}): a group "
                f"whose mean trust is below {rules.lapse_threshold:g} lapses with "
                f"probability {rules.lapse_probability:g} each year, and theirs averaged "
                f"{trust:.2f}.")
    return (f"{n} group{_s(n)} ended by the scheme's own rule ({when}; e.g. a supported "
            "school was regraded).")


def _s(n: int) -> str:
    return "" if n == 1 else "s"
