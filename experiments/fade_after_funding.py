"""Do schools' gains fade once their partnership stops? (validation 7a/7b, issue 12 pattern 4)

Runs validation 7a's two scenarios (`gm_challenge_8y`: three funded years of Families of
Schools, eight years in all; `none_8y`, same seed) and splits the schools by what their
Family did after the funding: still meeting at the end of the run, stopped, or in no Family.
Per school the gain is 7a's: value added (months a year, `measures.school_value_added`) under
the programme minus under no scheme. Per group and seed it writes
- `gain_funding_end`, `gain_end`: the gain pupil-weighted by starting roll (months a year);
- `kept`: gain_end / gain_funding_end (7b's kept share, on value added);
- `fell`, `lost_quarter`: of the schools that had gained at the funding's end, the share
  whose gain is lower at the end, and lower by more than a quarter.

Switch a channel off with `--override` to see what moves the fade, e.g.
`--override practices.unsupported_lapse_rate=0` (practices still embedding lapse at schools
that meet no partner, `sim.practices.lapse_unembedded`), or stop every Family when the
funding ends (`--override policy.funding.sustain_trust=1.0`: all schools then fall in
"stopped", whose `kept` is 1 minus 7a's fade):

    python -m experiments.fade_after_funding --seeds 1,2,3,4,5 --override calibration=posterior
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from experiments.validation import measures as m
from experiments.validation.checks import SCENARIOS
from experiments.validation.tables import (at_year, group_active, group_members, last_year,
                                           weighted_mean)
from sim.outputs import RunResult

# A school "had gained" at the funding's end when its gain was above this (months a year):
# a hundredth of a month is below anything a school's results could show.
GAINED = 0.01
GROUPS = ("still meeting", "stopped", "no family")


def school_status(programme: RunResult) -> pd.Series:
    """Each school's Family at the end of the run: still meeting, stopped, or none (a
    school in a Family still meeting counts as still meeting)."""
    ids = at_year(programme.schools, 0).index
    members = group_members(programme.partnerships, ("families",))
    active = group_active(programme.partnerships)
    status = pd.Series("no family", index=ids)
    for wanted in (False, True):          # still meeting wins over stopped
        for group, schools in members.items():
            if active.get(group, False) == wanted:
                status.loc[schools] = "still meeting" if wanted else "stopped"
    return status


def fade_by_group(runs: dict[str, RunResult]) -> pd.DataFrame:
    """One row per group of `GROUPS` with schools: schools, gains, kept, fell, lost_quarter."""
    programme, comparison = runs["programme"], runs["comparison"]
    funded = int(round(float(programme.setting("policy.funding.end_year"))))
    end = last_year(programme.schools)

    def gain(year: int) -> pd.Series:
        return m.school_value_added(programme, year) - m.school_value_added(comparison, year)

    before, after = gain(funded), gain(end)
    weights = at_year(programme.schools, 0)["pupils"]
    status = school_status(programme)
    rows = []
    for name in GROUPS:
        ids = status.index[status == name]
        if not len(ids):
            continue
        g0 = weighted_mean(before.loc[ids], weights.loc[ids])
        g1 = weighted_mean(after.loc[ids], weights.loc[ids])
        gained = ids[before.loc[ids].to_numpy() > GAINED]
        b, a = before.loc[gained].to_numpy(), after.loc[gained].to_numpy()
        rows.append({"group": name, "schools": len(ids), "gain_funding_end": g0,
                     "gain_end": g1, "kept": g1 / g0 if g0 > 0 else np.nan,
                     "fell": float(np.mean(a < b)) if len(b) else np.nan,
                     "lost_quarter": float(np.mean(a < 0.75 * b)) if len(b) else np.nan})
    return pd.DataFrame(rows)


def run_seed(seed: int, overrides: tuple[str, ...]) -> pd.DataFrame:
    import sim

    def one(scenario: str) -> RunResult:
        return sim.run([*SCENARIOS[scenario], *overrides, f"seed={seed}",
                        "output.print_summary=false"], progress=False)

    runs = {"programme": one("gm_challenge_8y"), "comparison": one("none_8y")}
    return fade_by_group(runs).assign(seed=seed)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--override", action="append", default=[],
                        help="an override for both runs (repeatable)")
    parser.add_argument("-o", "--out", help="CSV to write")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    table = pd.concat([run_seed(s, tuple(args.override)) for s in seeds], ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
        print(table.groupby("group", sort=False)[["gain_funding_end", "gain_end", "kept",
                                                  "fell", "lost_quarter"]]
              .agg(["mean", "min", "max"]).round(3).to_string())
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
