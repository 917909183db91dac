"""Read a collected `+experiment=network_structure` sweep: the response to rewiring.

    schoolsim -m +experiment=network_structure
    schoolsim-collect multirun/<date>/<time>
    python -m experiments.network_structure multirun/<date>/<time>/collected docs/network_structure.png

For each rewiring probability p of the Watts-Strogatz partner graph it prints, over the
seeds, the mean and the 2.5-97.5 % range of: long-run mean expertise, the spread of
expertise between schools, the diversity of the practices schools hold at the end, the
reach at the end of the practices created in the first five years (the share of schools
that took each up), and the practices created. Practice diversity is the Gini-Simpson
index of holdings within a domain, averaged over domains: the chance that two practices
held (by any schools) in a domain are different ones, 1 - sum_p s_p^2 with s_p practice
p's share of the domain's holdings; copying that spreads a few practices everywhere lowers
it, creation and practices kept apart raise it. The
figure shows every seed as a point and the mean over seeds as a line: with ten seeds a range
is a range, not an interval.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sim import calendar
from sim.extras import require

EARLY_YEARS = 5   # practices created in the first five years have time to travel
MEASURES = {
    "expertise_mean": "Mean expertise, year 10",
    "expertise_sd_between": "Spread of expertise between schools (sd), year 10",
    "practice_diversity": "Diversity of practices held (Gini-Simpson), year 10",
    "early_reach": "Reach of practices created in years 1-5, by year 10 (share of schools)",
    "created": "Practices created in ten years",
}


def per_run(collected: Path) -> pd.DataFrame:
    """One row per run: p, seed and the measures."""
    runs = pd.read_parquet(collected / "runs.parquet")
    diffusion = pd.read_parquet(collected / "diffusion.parquet")
    made = diffusion[diffusion["origin"] >= 0]
    last = made[made["year"] == made["year"].max()]
    early = last[last["created_week"] <= EARLY_YEARS * calendar.WEEKS_PER_YEAR]
    reach = early.groupby("job")["reach"].mean().rename("early_reach")
    created = last.groupby("job")["practice"].nunique().rename("created")
    final = diffusion[diffusion["year"] == diffusion["year"].max()]
    out = runs[["job", "scheme.p", "seed", "last_expertise_mean",
                "last_expertise_sd_between"]].rename(columns={
                    "scheme.p": "p", "last_expertise_mean": "expertise_mean",
                    "last_expertise_sd_between": "expertise_sd_between"})
    out = out.join(practice_diversity(final), on="job").join(reach, on="job").join(
        created, on="job")
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


def by_p(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, 2.5 % and 97.5 % over seeds of each measure, per p."""
    grouped = runs.groupby("p")
    parts = {f"{m}_{stat}": grouped[m].agg(fn) for m in MEASURES
             for stat, fn in (("mean", "mean"), ("low", lambda x: x.quantile(0.025)),
                              ("high", lambda x: x.quantile(0.975)))}
    return pd.DataFrame({"seeds": grouped.size(), **parts}).reset_index()


def figure(runs: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(MEASURES), figsize=(4.2 * len(MEASURES), 3.8))
    means = runs.groupby("p").mean(numeric_only=True)
    for ax, (measure, title) in zip(axes, MEASURES.items()):
        ax.scatter(runs["p"], runs[measure], s=10, alpha=0.5, color="tab:blue",
                   label="one seed")
        ax.plot(means.index, means[measure], color="black", marker="o", label="mean")
        ax.set_xscale("symlog", linthresh=0.01)
        ax.set_xlabel("rewiring probability p (0 lattice, 1 random)")
        ax.set_title(title, fontsize=9)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Partner network structure (Watts-Strogatz, k = 4), GM, "
                 f"{runs.groupby('p').size().min()} seeds per p", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m experiments.network_structure COLLECTED_DIR FIGURE.png",
              file=sys.stderr)
        sys.exit(2)
    require("experiments.network_structure", "analysis")
    runs = per_run(Path(argv[0]))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(by_p(runs).round(4).to_string(index=False))
    figure(runs, Path(argv[1]))
    print(f"wrote {argv[1]}")


if __name__ == "__main__":
    main()
