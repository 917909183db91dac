"""Figures from the tidy tables. Each function takes tables and returns a matplotlib Figure.

Tables may combine several runs: they need the `run_id`, `scenario` and `seed` columns
that `analysis.load` adds. Bands are the spread across runs (seeds), named as
`analysis.compare` names it: the range of the runs, or from MIN_RUNS runs the 5th to 95th
percentile. School-level figures weight each school by the pupils its value describes.

    from analysis import figures
    fig = figures.trajectories(tables.metrics)
    fig.savefig("gap.png")

The partnership network is drawn in `analysis.network`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from analysis import diffusion, gap
from analysis.compare import LEVEL, MIN_RUNS
from analysis.style import (DIVERGING_CMAP, OKABE_ITO, SEQUENTIAL_CMAP, label,
                            scenario_order, scenario_palette, short_label, theme)



def band(frame: pd.DataFrame) -> tuple[tuple[str, int], str]:
    """Seaborn's band across runs and what to call it: the range of the runs, or with
    MIN_RUNS or more per scenario their middle LEVEL (as `sim.effects.spread` names them)."""
    fewest = frame.groupby("scenario")["run_id"].nunique().min()
    if fewest < MIN_RUNS:
        return ("pi", 100), "lines: mean over runs; bands: range of the runs"
    pct = round(100 * LEVEL)
    return ("pi", pct), f"lines: mean over runs; bands: middle {pct} % of runs"

# What the usual Sobol and Morris indices measure, for the legend.
INDEX_NAMES = {"S1": "S1: first-order (alone)", "ST": "ST: total (with interactions)",
               "S2": "S2: second-order", "mu_star": "\u03bc*: mean |elementary effect|",
               "mu": "\u03bc: mean elementary effect",
               "sigma": "\u03c3: non-linearity and interactions"}
MAX_POINTS = 1500  # scatter points per scenario; beyond this the cloud hides the lines


def _new(ncols: int = 1, width: float = 5.5, height: float = 4.2, **kwargs):
    theme()
    return plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False,
                        layout="constrained", **kwargs)


def _runs_note(frame: pd.DataFrame) -> str:
    n = frame.groupby("scenario")["run_id"].nunique()
    counts = sorted(set(n))
    if counts == [1]:
        return "1 run per scenario, so no band"
    runs = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{runs} runs per scenario"


def _caption(fig: Figure, text: str) -> None:
    """A small note above the panels saying what the marks mean and how many runs."""
    fig.suptitle(text, fontsize=9.5, fontweight="normal", wrap=True)


def _scenario_legend(fig: Figure, axes, order: list[str]) -> None:
    """One legend for the figure, below the panels, instead of one per panel."""
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    by_label = dict(zip(labels, handles))
    shown = [s for s in order if s in by_label]
    # Long scenario names (sweep settings) go in fewer columns so the figure stays narrow.
    per_row = 4 if max(map(len, shown)) <= 20 else 2 if max(map(len, shown)) <= 45 else 1
    fig.legend([by_label[s] for s in shown], shown, title="Scenario",
               loc="outside lower center", ncols=min(len(shown), per_row), frameon=False)


def at_year(schools: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Each run's rows for `year` (default: each run's last year)."""
    if year is not None:
        return schools[schools["year"] == year]
    last = schools.groupby("run_id")["year"].transform("max")
    return schools[schools["year"] == last]


# ------------------------------------------------------------------ trajectories


def trajectories(metrics: pd.DataFrame, columns=("gap_months", "expertise_mean"),
                 baseline: str | None = "none") -> Figure:
    """A panel per metric over time: one line per scenario, band across seeds."""
    order = scenario_order(metrics["scenario"], baseline)
    palette = scenario_palette(order, baseline)
    errorbar, note = band(metrics)
    fig, axes = _new(len(columns), height=5)  # tall enough for two-line labels
    for ax, column in zip(axes[0], columns):
        sns.lineplot(data=metrics, x="year", y=column, hue="scenario", hue_order=order,
                     palette=palette, style="scenario", style_order=order, errorbar=errorbar,
                     estimator="mean", ax=ax)
        ax.set(xlabel=label("year"), ylabel=label(column), title=short_label(column))
    _scenario_legend(fig, axes[0], order)
    _caption(fig, f"Over time ({note}; {_runs_note(metrics)})")
    return fig


def gap_parts(results: pd.DataFrame, baseline: str | None = "none") -> Figure:
    """The gap's two parts over the years (see `analysis.gap`): inside schools, between them,
    on the KS2 and KS4 cohorts of results.parquet."""
    parts = gap.components(results)
    order = scenario_order(parts["scenario"], baseline)
    palette = scenario_palette(order, baseline)
    errorbar, note = band(parts)
    fig, axes = _new(2, height=5)
    titles = {"within_school": "Gap inside schools", "between_school": "Gap between schools"}
    for ax, column in zip(axes[0], titles):
        sns.lineplot(data=parts, x="year", y=column, hue="scenario", hue_order=order,
                     palette=palette, style="scenario", style_order=order, errorbar=errorbar,
                     marker="o", ax=ax)
        ax.set(xlabel=label("year"), ylabel="Months of progress", title=titles[column])
    _scenario_legend(fig, axes[0], order)
    _caption(fig, "The disadvantage gap = the gap inside the schools disadvantaged pupils "
             "attend + the part due to other pupils being in higher-attaining schools\n"
             f"({note}; {_runs_note(parts)})")
    return fig


# ------------------------------------------------------------------ distributions


def pupil_weights(schools: pd.DataFrame, column: str) -> pd.Series:
    """How many pupils a school's value describes: its disadvantaged pupils for their
    attainment, its other pupils for theirs, all its pupils otherwise. A school with three
    disadvantaged pupils then counts for three, not as much as one with three hundred."""
    share = schools["disadvantaged_share"]
    if column == "attainment_disadvantaged":
        return schools["pupils"] * share
    if column == "attainment_other":
        return schools["pupils"] * (1 - share)
    return schools["pupils"].astype(float)


def weighted_quantiles(values, weights, qs) -> np.ndarray:
    """Quantiles of values where each counts `weight` times: for each q the smallest value
    with at least a share q of the weight at or below it (the inverse of the weighted
    distribution function, so a tiny cohort never pulls a quantile part of the way)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    keep = ~np.isnan(values) & (weights > 0)
    order = np.argsort(values[keep])
    v, w = values[keep][order], weights[keep][order]
    cum = np.cumsum(w) / w.sum()
    index = np.searchsorted(cum, np.asarray(qs, float) - 1e-12)
    return v[np.minimum(index, len(v) - 1)]


def distributions(schools: pd.DataFrame,
                  columns=("expertise_mean", "attainment_disadvantaged"),
                  year: int | None = None, baseline: str | None = "none") -> Figure:
    """How schools are spread at the end, weighted by the pupils each value describes
    (`pupil_weights`): a box per scenario (quartiles, median, 5th-95th percentile)."""
    final = at_year(schools, year)
    order = scenario_order(final["scenario"], baseline)
    palette = scenario_palette(order, baseline)
    fig, axes = _new(len(columns), width=max(4.5, 1.6 * len(order)))
    for ax, column in zip(axes[0], columns):
        boxes = []
        for scenario in order:
            rows = final[final["scenario"] == scenario]
            p5, q1, med, q3, p95 = weighted_quantiles(rows[column],
                                                      pupil_weights(rows, column),
                                                      [0.05, 0.25, 0.5, 0.75, 0.95])
            boxes.append({"label": scenario, "med": med, "q1": q1, "q3": q3,
                          "whislo": p5, "whishi": p95, "fliers": []})
        drawn = ax.bxp(boxes, patch_artist=True, widths=0.6)
        for patch, scenario in zip(drawn["boxes"], order):
            patch.set(facecolor=palette[scenario], alpha=0.75)
        ax.set(xlabel="", ylabel=label(column), title=short_label(column))
        ax.tick_params(axis="x", rotation=20 if len(order) > 3 else 0)
    when = f"year {year}" if year is not None else "the end of each run"
    _caption(fig, f"Schools at {when}, each weighted by the pupils its value describes "
             f"(boxes: quartiles and median; whiskers: 5th to 95th percentile; "
             f"{_runs_note(final)})")
    return fig


# ------------------------------------------------------------------ equity slope


def school_attainment(schools: pd.DataFrame) -> pd.Series:
    """Pupil-weighted attainment of a school's two groups: what a league table shows."""
    share = schools["disadvantaged_share"]
    return share * schools["attainment_disadvantaged"] + (1 - share) * schools["attainment_other"]


def equity_slope(schools: pd.DataFrame, year: int | None = None,
                 baseline: str | None = "none") -> Figure:
    """School attainment against disadvantaged share, with a fitted line per scenario.

    A steeper (more negative) line means attainment depends more on intake: less equity."""
    final = at_year(schools, year)
    final = final.assign(attainment_school=school_attainment(final),
                         disadvantaged_pct=100 * final["disadvantaged_share"])
    order = scenario_order(final["scenario"], baseline)
    palette = scenario_palette(order, baseline)
    fig, axes = _new(1, width=7.5, height=5)
    ax = axes[0, 0]
    for scenario in order:
        rows = final[final["scenario"] == scenario]
        shown = rows.sample(min(len(rows), MAX_POINTS), random_state=0)
        ax.scatter(shown["disadvantaged_pct"], shown["attainment_school"], s=8, alpha=0.25,
                   color=palette[scenario], linewidths=0)
        # Weighted least squares (polyfit weights multiply residuals: sqrt of pupils).
        slope, intercept = np.polyfit(rows["disadvantaged_pct"], rows["attainment_school"], 1,
                                      w=np.sqrt(rows["pupils"]))
        xs = np.array([rows["disadvantaged_pct"].min(), rows["disadvantaged_pct"].max()])
        ax.plot(xs, intercept + slope * xs, color=palette[scenario], lw=2.5,
                label=f"{scenario}: {10 * slope:+.1f}")
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlabel=label("disadvantaged_share"), ylabel=label("attainment_school"),
           title="Equity: does a school's attainment depend on its intake?")
    ax.legend(title="Slope: months per 10 % points\nmore disadvantaged pupils",
              loc="upper right", fontsize=9, title_fontsize=9)
    _caption(fig, f"Each dot is a school at the end of a run ({_runs_note(final)}); "
             "lines: least-squares fit per scenario, each school weighted by its pupils. "
             "Flatter lines mean a fairer system.")
    return fig


# ------------------------------------------------------------------ diffusion


def diffusion_curve(schools: pd.DataFrame, domain: str = diffusion.DEFAULT_DOMAIN,
                    threshold: float | None = None, quantile: float = diffusion.DEFAULT_QUANTILE,
                    baseline: str | None = "none") -> Figure:
    """Share of schools that have taken up a practice, per year (see `analysis.diffusion`)."""
    result = diffusion.take_up(schools, domain, threshold, quantile)
    order = scenario_order(result.table["scenario"], baseline)
    palette = scenario_palette(order, baseline)
    fig, axes = _new(1, width=7.5, height=5)
    ax = axes[0, 0]
    errorbar, note = band(result.table)
    sns.lineplot(data=result.table, x="year", y="take_up", hue="scenario", hue_order=order,
                 palette=palette, style="scenario", style_order=order, errorbar=errorbar,
                 marker="o", ax=ax)
    ax.set(xlabel=label("year"), ylabel=label("take_up"), ylim=(0, 100),
           title=f"Diffusion of {domain} practice")
    ax.legend(title="Scenario", loc="upper left")
    _caption(fig, f"{result.definition()}\n{note.capitalize()}; "
             f"{_runs_note(result.table)}.")
    return fig


# ------------------------------------------------------------------ sweeps


def heatmap(table: pd.DataFrame, x: str, y: str, value: str = "gap_months",
            centre: float | None = None) -> Figure:
    """A 2-D sweep: the mean of `value` over runs for each (x, y) setting.

    `table` may be a metrics table (each run's last row is used) or any table with one row
    per run. Give `centre` (e.g. 0 for differences) for a diverging colour map."""
    if "week" in table.columns:
        table = table.sort_values("week").groupby("run_id").tail(1)
    grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean")
    runs = table.groupby([x, y])["run_id"].nunique()
    fig, axes = _new(1, width=1.1 * grid.shape[1] + 3.5, height=0.7 * grid.shape[0] + 2.5)
    ax = axes[0, 0]
    sns.heatmap(grid.sort_index(ascending=False), annot=True, fmt=_cell_format(grid), ax=ax,
                cmap=SEQUENTIAL_CMAP if centre is None else DIVERGING_CMAP, center=centre,
                cbar_kws={"label": label(value)}, linewidths=0.5)
    ax.set(xlabel=label(x), ylabel=label(y), title=f"{short_label(value)}: mean at the end")
    many = f"{runs.min()}" if runs.min() == runs.max() else f"{runs.min()}-{runs.max()}"
    _caption(fig, f"Each cell: mean of {many} runs at the end of the run.")
    return fig


def _cell_format(grid: pd.DataFrame) -> str:
    """Enough decimals to tell the cells apart (two significant digits of their range)."""
    spread = float(np.nanmax(grid.to_numpy()) - np.nanmin(grid.to_numpy()))
    decimals = 2 if spread == 0 else int(np.clip(np.ceil(-np.log10(spread)) + 1, 0, 4))
    return f".{decimals}f"


# ------------------------------------------------------------------ sensitivity


def long_indices(indices: pd.DataFrame) -> pd.DataFrame:
    """parameter, index, value, ci from a wide table such as `schoolsim-sensitivity` writes
    (columns S1, S1_conf, ST, ST_conf or mu, mu_star, mu_star_conf, sigma)."""
    if "index" in indices.columns:
        return indices
    kinds = [k for k in ("S1", "ST", "mu_star", "sigma") if k in indices.columns]
    keep = [c for c in ("output", "method") if c in indices.columns]
    frames = [indices[["parameter", *keep]].assign(
        index=k, value=indices[k],
        ci=indices[f"{k}_conf"] if f"{k}_conf" in indices.columns else np.nan) for k in kinds]
    return pd.concat(frames, ignore_index=True)


def sensitivity(indices: pd.DataFrame, output: str | None = None) -> Figure:
    """Bars of sensitivity indices per parameter, with confidence intervals.

    `indices` has columns parameter, index (e.g. S1 and ST, or mu_star and sigma), value
    and ci (half-width of the confidence interval; optional), or is the wide table
    `schoolsim-sensitivity` writes. With an `output` column, give `output` to pick one."""
    indices = long_indices(indices)
    if "output" in indices.columns:
        output = output or indices["output"].iloc[0]
        indices = indices[indices["output"] == output]
    kinds = list(dict.fromkeys(indices["index"]))
    order = (indices.groupby("parameter")["value"].max().sort_values(ascending=True).index)
    fig, axes = _new(1, width=7.5, height=0.45 * len(order) * max(1, len(kinds) / 1.5) + 1.8)
    ax = axes[0, 0]
    height = 0.8 / len(kinds)
    colours = dict(zip(kinds, OKABE_ITO * len(kinds)))
    for k, kind in enumerate(kinds):
        rows = indices[indices["index"] == kind].set_index("parameter").reindex(order)
        # The first index listed sits on top within each parameter's group of bars.
        ypos = np.arange(len(order)) + ((len(kinds) - 1) / 2 - k) * height
        has_ci = "ci" in rows and rows["ci"].notna().any()  # Morris sigma has none
        err = rows["ci"].fillna(0).to_numpy() if has_ci else None
        ax.barh(ypos, rows["value"], height=height * 0.95, xerr=err, color=colours[kind],
                label=INDEX_NAMES.get(kind, kind), capsize=3, error_kw={"elinewidth": 1})
    ax.set_yticks(np.arange(len(order)), order)
    ax.axvline(0, color="black", lw=0.8)
    about = f" of {short_label(output).lower()}" if output else ""
    ax.set(xlabel="Index value (bars: estimate; whiskers: confidence interval)",
           ylabel="Parameter", title=f"Sensitivity{about}")
    ax.legend(title="Index", loc="lower right", fontsize=9)
    return fig
