"""Charts: the disadvantage gap, disadvantaged pupils' attainment, expertise (interactive,
plotly) and the partnership network (a map, PNG).

Each time chart takes the runs to show (the current run and, when one is pinned, the
baseline) and returns a plotly `Figure`: hover gives each value and its band, drag zooms,
double-click resets. A run over several seeds is drawn as the mean over its seeds with a
band from the lowest to the highest seed, named so (the range of the seeds, not an
interval). The network map is a matplotlib `Figure` built with the object API (no pyplot),
so it can be drawn in the run's background thread.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim import calendar
from sim.dashboard.runner import Snapshot

CURRENT_COLOUR = "#1f6fb2"
BASELINE_COLOUR = "#7a7a7a"
SIZE = (6.4, 3.6)
MAX_LINKS = 400  # beyond this the map draws links between authorities, not schools
HEIGHT, WIDTH = 330, 470  # pixels of a time chart: two side by side in the page
# (plotly's widget draws at a fixed size, 700 px wide unless told, whatever its column)


def role(run: Snapshot, baseline: Snapshot | None) -> str:
    return "baseline" if baseline is not None and run is baseline else "current"


def legend_label(run: Snapshot, baseline: Snapshot | None) -> str:
    return f"{run.label} ({role(run, baseline)})"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _x_limit(runs: list[Snapshot]) -> float:
    return max([r.years_total for r in runs if r.end_week] or [1.0])


def over_seeds(run: Snapshot, column: str, yearly: bool) -> pd.DataFrame:
    """Per week: year, mean, lowest and highest over the run's seeds, and how many seeds."""
    m = run.all_metrics
    if yearly:
        m = m[m["week"] % calendar.WEEKS_PER_YEAR == 0]
    return (m.groupby("week").agg(year=("year", "first"), mean=(column, "mean"),
                                  low=(column, "min"), high=(column, "max"),
                                  seeds=("seed", "nunique")).reset_index())


def _time_chart(runs: list[Snapshot], baseline: Snapshot | None, column: str, title: str,
                unit: str, *, yearly: bool = False, min_span: float = 0.0) -> go.Figure:
    fig = go.Figure()
    drawn = [run for run in runs if not run.metrics.empty and column in run.metrics]
    for run in drawn:
        colour = BASELINE_COLOUR if role(run, baseline) == "baseline" else CURRENT_COLOUR
        name = legend_label(run, baseline)
        t = over_seeds(run, column, yearly)
        if t["seeds"].max() > 1:
            fig.add_trace(go.Scatter(x=t["year"], y=t["high"], mode="lines", line_width=0,
                                     hoverinfo="skip", showlegend=False))
            fig.add_trace(go.Scatter(
                x=t["year"], y=t["low"], mode="lines", line_width=0, fill="tonexty",
                fillcolor=_rgba(colour, 0.15), hoverinfo="skip",
                name=f"{run.label}: range of {run.n_seeds} seeds"))
        fig.add_trace(go.Scatter(
            x=t["year"], y=t["mean"], name=name, mode="lines+markers" if yearly else "lines",
            line={"color": colour, "width": 2.4,
                  "dash": "dash" if colour == BASELINE_COLOUR else "solid"},
            customdata=np.stack([t["low"], t["high"], t["seeds"]], axis=1),
            hovertemplate=(f"{name}<br>year %{{x:.2f}}: %{{y:.2f}} {unit}"
                           "<br>seeds: %{customdata[2]} (range %{customdata[0]:.2f} to "
                           "%{customdata[1]:.2f})<extra></extra>")))
    if not drawn:
        title += " - press Run to start a simulation"
    fig.update_layout(title={"text": title, "font": {"size": 14}}, height=HEIGHT, width=WIDTH,
                      margin={"l": 60, "r": 10, "t": 40, "b": 40}, template="plotly_white",
                      hovermode="closest",
                      legend={"orientation": "h", "y": -0.22, "font": {"size": 11}})
    fig.update_xaxes(title_text="school year", range=[0, _x_limit(runs)])
    fig.update_yaxes(title_text=unit)
    if drawn and min_span:
        # At least `min_span` of the y axis, so noise of a tenth of a month does not fill it.
        values = pd.concat([over_seeds(r, column, yearly)[["low", "high"]] for r in drawn])
        low, high = float(values["low"].min()), float(values["high"].max())
        if high - low < min_span:
            middle = (low + high) / 2
            fig.update_yaxes(range=[middle - min_span / 2, middle + min_span / 2])
    return fig


def gap_figure(runs: list[Snapshot], baseline: Snapshot | None = None) -> go.Figure:
    """Attainment gap of disadvantaged pupils (months of progress), from each year's results."""
    return _time_chart(runs, baseline, "gap_months",
                       "Disadvantage gap each year (lower is better)",
                       "months of progress", yearly=True, min_span=3.0)


def attainment_figure(runs: list[Snapshot], baseline: Snapshot | None = None) -> go.Figure:
    """Disadvantaged pupils' attainment beside the gap: a gap can also narrow because other
    pupils fall."""
    return _time_chart(runs, baseline, "attainment_disadvantaged",
                       "Disadvantaged pupils' attainment",
                       "months vs national mean", yearly=True, min_span=3.0)


def expertise_figure(runs: list[Snapshot], baseline: Snapshot | None = None) -> go.Figure:
    """Mean expertise across schools each term."""
    return _time_chart(runs, baseline, "expertise_mean", "Mean school expertise each term",
                       "expertise (0-1)", min_span=0.1)


def charts_html(figures: dict[str, go.Figure]) -> str:
    """The interactive charts in one HTML file that works offline (plotly.js inline once)."""
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0))
             for i, fig in enumerate(figures.values())]
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>schoolsim charts</title>"
            f"</head><body>{''.join(parts)}</body></html>\n")


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
        ax.set_axis_off()
        ax.text(0.5, 0.5, "The partnership network appears here", ha="center", va="center",
                transform=ax.transAxes, color="#666")
        return fig
    pos, edges = run.pos_km, run.edges
    inside = None
    if len(edges) > MAX_LINKS:
        inside = _authority_links(run, ax)
    elif len(edges):
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
                label = name if inside is None else f"{name}\n{inside[i]:,} inside"
                ax.text(cx, cy, label, fontsize=7, ha="center", va="center", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.7})
    links = (f"{len(edges):,} active links, mean trust {edges[:, 2].mean():.2f}" if len(edges)
             else "no active partnerships")
    if inside is not None:
        links += "\ndrawn as lines between authorities (width: links)"
    ax.set_title(f"{legend_label(run, baseline)}: {links}\n"
                 f"year {run.years_done:.1f}", fontsize=10, loc="left")
    return fig


def authority_pairs(run: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Active links counted per pair of local authorities: (pairs (k, 2) with a <= b, counts)."""
    a = run.la[run.edges[:, 0].astype(int)]
    b = run.la[run.edges[:, 1].astype(int)]
    pairs, counts = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1),
                              axis=0, return_counts=True)
    return pairs, counts


def _authority_links(run: Snapshot, ax) -> np.ndarray:
    """Many links (families of 12-20 are fully linked) drawn as one line per pair of
    authorities, width by its links; returns the links inside each authority."""
    pairs, counts = authority_pairs(run)
    centres = np.array([run.pos_km[run.la == i].mean(axis=0) if (run.la == i).any()
                        else (np.nan, np.nan) for i in range(len(run.la_names))])
    across = pairs[:, 0] != pairs[:, 1]
    top = max(1, int(counts[across].max())) if across.any() else 1
    ax.add_collection(LineCollection(centres[pairs[across]], colors="#333333", alpha=0.45,
                                     linewidths=0.5 + 6 * counts[across] / top, zorder=1))
    inside = np.zeros(len(run.la_names), int)
    inside[pairs[~across, 0]] = counts[~across]
    return inside


def to_png(fig: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
