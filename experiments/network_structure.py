"""Read a collected `+experiment=network_structure` sweep: the response to rewiring.

    schoolsim -m +experiment=network_structure
    schoolsim-collect multirun/<date>/<time>
    python -m experiments.network_structure multirun/<date>/<time>/collected docs/network_structure.png

Several collected sweeps (e.g. more seeds at some p) are read together:
`python -m experiments.network_structure DIR [DIR ...] FIGURE.png`; a (p, seed) pair given
twice, or sweeps of different lengths, are refused (exit 2).

For each rewiring probability p of the Watts-Strogatz partner graph it prints, per run's
final year: long-run mean expertise, the spread of expertise between schools, the diversity
of the practices held, how different two schools' practices are, the reach of the practices
created in the first five years (the share of schools that took each up), and the practices
created. Then, for each p, the difference from the lattice (p = 0) paired by seed (a seed
shares the region, the starting state and every draw the graph does not change), with a 95 %
t-interval of the mean difference over the seeds and the number of seeds above the lattice:
whether a shape is told apart from seed noise.

Practice diversity is the Gini-Simpson index of holdings within a domain, averaged over
domains: the chance that two practices held (by any schools) in a domain are different
ones, 1 - sum_p s_p^2 with s_p practice p's share of the domain's holdings. The difference
between schools is the exploration/exploitation literature's diversity (Lazer & Friedman
2007; Fang, Lee & Schilling 2010: copying makes everyone hold the same solution): over every
pair of distinct schools, the share of the practices in the pair's holdings that only one of
the two holds, pooled over pairs (mean |A xor B| / mean |A or B|). It needs only each
practice's holders h_p among n schools: a pair both hold p with chance h(h-1) / (n(n-1)),
one of them with chance 2h(n-h) / (n(n-1)).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim import calendar
from sim.extras import require

EARLY_YEARS = 5   # practices created in the first five years have time to travel
MEASURES = {
    "expertise_mean": "Mean expertise",
    "expertise_sd_between": "Spread of expertise between schools (sd)",
    "practice_diversity": "Diversity of practices held (Gini-Simpson)",
    "between_school_difference": "Difference between two schools' practices\n"
                                 "(share of a pair's practices only one holds)",
    "early_reach": "Reach of practices created in years 1-5\n(share of schools)",
    "created": "Practices created",
}


def per_run(collected: Path) -> pd.DataFrame:
    """One row per run: p, seed and the measures, at the sweep's last year."""
    runs = pd.read_parquet(collected / "runs.parquet")
    diffusion = pd.read_parquet(collected / "diffusion.parquet")
    made = diffusion[diffusion["origin"] >= 0]
    last = made[made["year"] == made["year"].max()]
    early = last[last["created_week"] <= EARLY_YEARS * calendar.WEEKS_PER_YEAR]
    reach = early.groupby("job")["reach"].mean().rename("early_reach")
    created = last.groupby("job")["practice"].nunique().rename("created")
    final = diffusion[diffusion["year"] == diffusion["year"].max()]
    schools = runs.set_index("job")["n_schools"]
    out = runs[["job", "scheme.p", "seed", "last_expertise_mean",
                "last_expertise_sd_between"]].rename(columns={
                    "scheme.p": "p", "last_expertise_mean": "expertise_mean",
                    "last_expertise_sd_between": "expertise_sd_between"})
    out = (out.join(practice_diversity(final), on="job")
           .join(between_school_difference(final, schools), on="job")
           .join(reach, on="job").join(created, on="job"))
    out["created"] = out["created"].fillna(0).astype(int)   # a run that created none
    out["p"] = out["p"].astype(float)
    return out.drop(columns="job").sort_values(["p", "seed"]).reset_index(drop=True)


def practice_diversity(final: pd.DataFrame) -> pd.Series:
    """Per job: the Gini-Simpson index of holdings in each domain, averaged over domains."""
    held = final[final["holders"] > 0]
    total = held.groupby(["job", "domain"])["holders"].transform("sum")
    squares = (held["holders"] / total) ** 2
    per_domain = 1 - squares.groupby([held["job"], held["domain"]]).sum()
    return per_domain.groupby(level="job").mean().rename("practice_diversity")


def between_school_difference(final: pd.DataFrame, n_schools: pd.Series) -> pd.Series:
    """Per job: over all pairs of distinct schools, mean number of practices only one of the
    two holds over the mean number either holds (`n_schools`: schools per job)."""
    h = final["holders"].astype(float)
    n = final["job"].map(n_schools).astype(float)
    pairs = n * (n - 1)
    one = (2 * h * (n - h) / pairs).groupby(final["job"]).sum()
    both = (h * (h - 1) / pairs).groupby(final["job"]).sum()
    return (one / (one + both)).rename("between_school_difference")


def by_p(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, 2.5 % and 97.5 % over seeds of each measure, per p."""
    grouped = runs.groupby("p")
    parts = {f"{m}_{stat}": grouped[m].agg(fn) for m in MEASURES
             for stat, fn in (("mean", "mean"), ("low", lambda x: x.quantile(0.025)),
                              ("high", lambda x: x.quantile(0.975)))}
    return pd.DataFrame({"seeds": grouped.size(), **parts}).reset_index()


def paired_with_lattice(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per measure and p > 0: the mean over seeds of (value at p - value at p = 0, same
    seed), the `level` t-interval of that mean, and the seeds above the lattice."""
    lattice = runs[runs["p"] == 0].set_index("seed")
    rows = []
    for p, at_p in runs[runs["p"] > 0].groupby("p"):
        at_p = at_p.set_index("seed")
        for measure in MEASURES:
            diff = (at_p[measure] - lattice[measure]).dropna()
            half = (stats.t.ppf((1 + level) / 2, len(diff) - 1) * diff.std(ddof=1)
                    / np.sqrt(len(diff)))
            rows.append({"measure": measure, "p": p, "seeds": len(diff),
                         "difference": diff.mean(), "low": diff.mean() - half,
                         "high": diff.mean() + half, "seeds_above": int((diff > 0).sum())})
    return pd.DataFrame(rows)


def figure(runs: pd.DataFrame, path: Path, years: int) -> None:
    """Top row: every seed and the mean over seeds; bottom row: the paired difference from
    the lattice with its 95 % t-interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(MEASURES), figsize=(3.9 * len(MEASURES), 6.6),
                             sharex=True)
    means = runs.groupby("p").mean(numeric_only=True)
    paired = paired_with_lattice(runs)
    for (top, bottom), (measure, title) in zip(axes.T, MEASURES.items()):
        top.scatter(runs["p"], runs[measure], s=8, alpha=0.4, color="tab:blue",
                    label="one seed")
        top.plot(means.index, means[measure], color="black", marker="o", label="mean")
        top.set_title(f"{title}, year {years}", fontsize=8)
        d = paired[paired["measure"] == measure]
        bottom.axhline(0, color="grey", lw=0.8)
        bottom.errorbar(d["p"], d["difference"], yerr=[d["difference"] - d["low"],
                                                      d["high"] - d["difference"]],
                        color="tab:red", marker="o", capsize=3)
        bottom.set_xscale("symlog", linthresh=0.01)
        bottom.set_xlabel("rewiring probability p (0 lattice, 1 random)")
        bottom.set_title("minus the lattice, same seed (95 % interval)", fontsize=8)
    axes[0, 0].legend(fontsize=7)
    sizes = runs.groupby("p").size()
    seeds = (f"{sizes.min()}" if sizes.min() == sizes.max()
             else f"{sizes.min()}-{sizes.max()}")
    fig.suptitle(f"Partner network structure (Watts-Strogatz, k = 4), {seeds} seeds per p",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: python -m experiments.network_structure COLLECTED_DIR [COLLECTED_DIR ...] "
              "FIGURE.png", file=sys.stderr)
        sys.exit(2)
    require("experiments.network_structure", "analysis")
    collected = [Path(d) for d in argv[:-1]]
    runs = pd.concat([per_run(d) for d in collected], ignore_index=True)
    twice = runs[runs.duplicated(["p", "seed"])]
    if len(twice):
        first = twice.iloc[0]
        print(f"p = {first['p']}, seed = {first['seed']} is in more than one collected sweep; "
              "each (p, seed) may be given once", file=sys.stderr)
        sys.exit(2)
    runs = runs.sort_values(["p", "seed"]).reset_index(drop=True)
    years = {int(pd.read_parquet(d / "diffusion.parquet", columns=["year"])["year"].max())
             for d in collected}
    if len(years) > 1:
        print(f"the collected sweeps ran for different years ({sorted(years)}); give sweeps "
              "of one length", file=sys.stderr)
        sys.exit(2)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(by_p(runs).round(4).to_string(index=False))
        print()
        print(paired_with_lattice(runs).round(5).to_string(index=False))
    figure(runs, Path(argv[-1]), years.pop())
    print(f"wrote {argv[-1]}")


if __name__ == "__main__":
    main()
