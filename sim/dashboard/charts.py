"""Charts: the disadvantage gap, expertise, and the partnership network, as PNG.

Each chart takes the runs to show (the current run and, when one is pinned, the baseline)
and returns a matplotlib `Figure` built with the object API (no pyplot), so it can be drawn
in the run's background thread. The page shows the PNG; the download offers the same
figures at a higher resolution.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim import calendar
from sim.dashboard.runner import Snapshot

CURRENT_COLOUR = "#1f6fb2"
BASELINE_COLOUR = "#7a7a7a"
SIZE = (6.4, 3.6)


def role(run: Snapshot, baseline: Snapshot | None) -> str:
    return "baseline" if baseline is not None and run is baseline else "current"


def legend_label(run: Snapshot, baseline: Snapshot | None) -> str:
    return f"{run.label} ({role(run, baseline)})"


def _line_style(run: Snapshot, baseline: Snapshot | None) -> dict:
    if role(run, baseline) == "baseline":
        return {"color": BASELINE_COLOUR, "linestyle": "--", "linewidth": 2.0}
    return {"color": CURRENT_COLOUR, "linestyle": "-", "linewidth": 2.4}


def _x_limit(runs: list[Snapshot]) -> float:
    return max([r.years_total for r in runs if r.end_week] or [1.0])


def _empty(ax, text: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666")


def _time_chart(runs: list[Snapshot], baseline: Snapshot | None, column: str, title: str,
                ylabel: str, *, band: str | None = None, yearly: bool = False,
                min_span: float = 0.0) -> Figure:
    # Fixed margins: a constrained layout would double the drawing time of every update.
    fig = Figure(figsize=SIZE)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.9, bottom=0.14)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11, loc="left")
    drawn = [run for run in runs if not run.metrics.empty and column in run.metrics]
    if not drawn:
        _empty(ax, "Press Run to start a simulation")
        return fig
    for run in drawn:
        m = run.metrics
        if yearly:
            m = m[m["week"] % calendar.WEEKS_PER_YEAR == 0]
        style = _line_style(run, baseline)
        ax.plot(m["year"], m[column], label=legend_label(run, baseline),
                marker="o" if yearly else None, markersize=4, **style)
        # One band (the run in front) keeps two overlapping bands from muddying the chart.
        if band and band in m and run is drawn[-1]:
            ax.fill_between(m["year"], m[column] - m[band], m[column] + m[band],
                            color=style["color"], alpha=0.12, linewidth=0)
    ax.set_xlim(0, _x_limit(runs))
    if min_span:
        # At least `min_span` of the y axis, so noise of a tenth of a month does not fill it.
        low, high = ax.get_ylim()
        if high - low < min_span:
            middle = (low + high) / 2
            ax.set_ylim(middle - min_span / 2, middle + min_span / 2)
    ax.set_xlabel("school year")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9, loc="best")
    return fig


def gap_figure(runs: list[Snapshot], baseline: Snapshot | None = None) -> Figure:
    """Attainment gap of disadvantaged pupils (months of progress), from each year's results."""
    return _time_chart(runs, baseline, "gap_months",
                       "Disadvantage gap at each year's results (lower is better)",
                       "months of progress", yearly=True, min_span=3.0)


def expertise_figure(runs: list[Snapshot], baseline: Snapshot | None = None) -> Figure:
    """Mean expertise across schools each term, with a band of one sd between schools."""
    return _time_chart(runs, baseline, "expertise_mean",
                       "Mean school expertise each term (band: spread between schools)",
                       "expertise (0-1)", band="expertise_sd_between", min_span=0.1)


def _map_size(run: Snapshot | None, width: float = 5.6) -> tuple[float, float]:
    """A figure as wide as the charts and as tall as the region's shape needs."""
    if run is None or len(run.pos_km) < 2:
        return width, 3.6
    span = np.ptp(run.pos_km, axis=0) + 1e-9
    return width, float(np.clip(width * 0.98 * span[1] / span[0] / 0.85, 2.8, 6.0))


def network_figure(run: Snapshot | None, baseline: Snapshot | None = None) -> Figure:
    """Schools at their positions, coloured by local authority; lines are active links,
    darker where trust is higher."""
    fig = Figure(figsize=_map_size(run))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.86, bottom=0.01)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_anchor("N")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if run is None or len(run.pos_km) == 0:
        _empty(ax, "The partnership network appears here")
        return fig
    pos, edges = run.pos_km, run.edges
    if len(edges):
        a, b, trust = edges[:, 0].astype(int), edges[:, 1].astype(int), edges[:, 2]
        segments = np.stack([pos[a], pos[b]], axis=1)
        # Thinner, fainter lines the more there are, so an England-sized network stays a
        # map and not a black mass.
        density = min(1.0, float(np.sqrt(400 / len(edges))))
        colours = np.zeros((len(edges), 4))
        colours[:, 3] = (0.08 + 0.6 * np.clip(trust, 0, 1)) * density
        ax.add_collection(LineCollection(segments, colors=colours, zorder=1,
                                         linewidths=0.6 * max(density, 0.4)))
    palette = colormaps["tab10" if len(run.la_names) <= 10 else "tab20"]
    colours = palette(run.la % palette.N)
    size = max(2.0, min(14.0, 6000 / max(len(pos), 1)))
    ax.scatter(pos[:, 0], pos[:, 1], s=size, c=colours, linewidths=0, zorder=2)
    if len(run.la_names) <= 12:
        for i, name in enumerate(run.la_names):
            members = pos[run.la == i]
            if len(members):
                cx, cy = members.mean(axis=0)
                ax.text(cx, cy, name, fontsize=7, ha="center", va="center", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.7})
    links = (f"{len(edges):,} active links, mean trust {edges[:, 2].mean():.2f}" if len(edges)
             else "no active partnerships")
    ax.set_title(f"{legend_label(run, baseline)}: {links}\n"
                 f"year {run.years_done:.1f}", fontsize=10, loc="left")
    return fig


def to_png(fig: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
