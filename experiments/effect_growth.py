"""How a scheme's effect on disadvantaged pupils' KS2 results grows after its second year
(issues 11/12; docs/effect_growth.md).

Runs a scheme and `scheme=none` with the same seed, year by year, and writes per year, for the
primaries (weighted by their disadvantaged pupils):
- `expertise_gain`: mean expertise over the domains, scheme minus none;
- `value_added_gain`: months a year the scheme adds for disadvantaged pupils through
  expertise, M_p * w_dis . (E_scheme - E_none) (`sim.pupils.progress.value_added`, whose
  persistent school effect is the same in both runs);
- `ks2_effect`: disadvantaged pupils' KS2 results, scheme minus none (cohort-weighted, as
  target 11's measure);
- `exposure_sum`: the sum of the value-added gains of the last seven years (a KS2 cohort's
  primary years): what the KS2 effect is if pupils carry every year's gain and no more;
- what primaries hold: practices in use, their mean depth and mean effectiveness, both runs.

    python -m experiments.effect_growth --seeds 1,2,3 --years 10 -o /tmp/growth.csv
    python -m experiments.effect_growth --seeds 1 --years 20 \\
        --scheme-override scheme.broadcast=false --scheme-override scheme.meeting_mode=in_person

`decompose` splits the growth of the KS2 effect from year `early` to year `late` into the
exposure lag (a later cohort spent more of its primary years in improved schools) and the
growth of the value added itself.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import calendar
from sim.compose import compose_config
from sim.model import SchoolSystem
from sim.outputs import result_from_model
from sim.pupils.places import YEARS_IN_PHASE

PRIMARY_YEARS = int(YEARS_IN_PHASE[0])    # Reception to Year 6: a KS2 cohort's years


def exposure_sum(value_added_gain: np.ndarray, years: int = PRIMARY_YEARS) -> np.ndarray:
    """For each year t (the array's index + 1), the sum of the gains of years t - years + 1
    to t: the months a KS2 cohort of year t gained if it carried each year's gain."""
    cumulative = np.concatenate([[0.0], np.cumsum(value_added_gain)])
    t = np.arange(1, len(value_added_gain) + 1)
    return cumulative[t] - cumulative[np.maximum(t - years, 0)]


@dataclass
class Decomposition:
    ratio: float        # KS2 effect (exposure sum) at `late` over that at `early`
    exposure: float     # ... if the value added had stayed at its year-`early` level
    growth: float       # the rest: the value added's own growth (ratio = exposure * growth)


def decompose(value_added_gain: np.ndarray, early: int = 2, late: int = 10,
              years: int = PRIMARY_YEARS) -> Decomposition:
    """Split the KS2 effect's growth from year `early` to `late` (1-based years) into the
    exposure lag and the growth of the value added, on the exposure sums."""
    exposed = exposure_sum(value_added_gain, years)
    held = min(late, years) * value_added_gain[early - 1]
    return Decomposition(exposed[late - 1] / exposed[early - 1],
                         held / exposed[early - 1], exposed[late - 1] / held)


def _yearly_run(overrides: list[str]):
    """Run a config; return the model, its tables and a snapshot of every school at each
    year end (expertise, practices held, their summed depth and effectiveness)."""
    model = SchoolSystem(compose_config(overrides))
    snapshots = []

    def snapshot(week: int) -> None:
        if week % calendar.WEEKS_PER_YEAR == 0:
            h = model.knowledge.holdings
            snapshots.append({"expertise": model.state.expertise.copy(),
                              "held": h.held.sum(axis=(1, 2)),
                              "depth": (h.depth * h.held).sum(axis=(1, 2)),
                              "effectiveness": (h.effect * h.held).sum(axis=(1, 2))})

    model.run(progress=snapshot)
    return model, result_from_model(model, setup=0.0, simulate=0.0), snapshots


def _ks2_disadvantaged(results: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = results[(results["year"] == year) & (results["key_stage"].astype(str) == "KS2")]
    return rows.set_index("school_id")[["cohort_disadvantaged", "attainment_disadvantaged"]]


def growth_table(seed: int, years: int, scheme: str = "trios",
                 scheme_overrides: tuple[str, ...] = (), common: tuple[str, ...] = ()
                 ) -> pd.DataFrame:
    """The per-year table of the module's docstring for one seed."""
    shared = [f"seed={seed}", f"years={years}", *common]
    model, run, programme = _yearly_run([f"scheme={scheme}", *shared, *scheme_overrides])
    _, alone, comparison = _yearly_run(["scheme=none", *shared])
    progress = model.cfg.pupils.progress
    weights = np.asarray(progress.weights_disadvantaged, float)
    rows = []
    for year, (a, b) in enumerate(zip(programme, comparison), start=1):
        schools = run.schools[run.schools["year"] == year].sort_values("school_id")
        primary = (schools["phase"].astype(str) == "primary").to_numpy()
        pupils = (schools["pupils"] * schools["disadvantaged_share"]).to_numpy()[primary]
        gain = (a["expertise"] - b["expertise"])[primary]
        seen, base = _ks2_disadvantaged(run.results, year), _ks2_disadvantaged(alone.results, year)
        difference = seen["attainment_disadvantaged"] - base["attainment_disadvantaged"]
        cohort = seen["cohort_disadvantaged"].where(difference.notna(), 0.0)

        def per_practice(snap, key):
            return np.average(snap[key][primary] / np.maximum(snap["held"][primary], 1),
                              weights=pupils)

        rows.append({
            "seed": seed, "year": year,
            "expertise_gain": np.average(gain.mean(axis=1), weights=pupils),
            "value_added_gain": np.average(progress.months_per_expertise_primary
                                           * gain @ weights, weights=pupils),
            "ks2_effect": np.average(difference.fillna(0.0), weights=cohort),
            "practices_held": np.average(a["held"][primary], weights=pupils),
            "practices_held_none": np.average(b["held"][primary], weights=pupils),
            "mean_depth": per_practice(a, "depth"), "mean_depth_none": per_practice(b, "depth"),
            "mean_effectiveness": per_practice(a, "effectiveness"),
            "mean_effectiveness_none": per_practice(b, "effectiveness")})
    table = pd.DataFrame(rows)
    table["exposure_sum"] = exposure_sum(table["value_added_gain"].to_numpy())
    return table


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scheme", default="trios")
    parser.add_argument("--scheme-override", action="append", default=[],
                        help="an override for the scheme's run only (repeatable)")
    parser.add_argument("--override", action="append", default=[],
                        help="an override for both runs (repeatable)")
    parser.add_argument("-o", "--out", help="CSV to write")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    table = pd.concat([growth_table(s, args.years, args.scheme, tuple(args.scheme_override),
                                    tuple(args.override)) for s in seeds])
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    if args.years >= 10:
        for seed, one in table.groupby("seed"):
            d = decompose(one["value_added_gain"].to_numpy())
            print(f"seed {seed}: KS2 effect year 2 {one['ks2_effect'].iloc[1]:.2f}, year 10 "
                  f"{one['ks2_effect'].iloc[9]:.2f} months; on the exposure sums x{d.ratio:.1f} "
                  f"= exposure x{d.exposure:.2f} * value-added growth x{d.growth:.2f}")
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
