"""The network view: one layer of the finished run's network at a time, and the spread of
one practice over it.

Read from the run's tables (`network.parquet`, `diffusion.parquet`) and from the first
take-up of each practice by each school (`Snapshot.adoptions`), once the run has ended.
A layer is drawn as lines between schools at their positions; a layer with more links than
the map can show one by one (families of 12-20 are fully linked; GM has ~1,150 schools) is
drawn as one line per pair of local authorities (`charts._authority_links`), as the
partnership map does. The local-authority layer (each school to its authority) is drawn as
spokes to the authority's centre, or as the centres alone when there are too many schools.
With a practice chosen, schools are coloured by the year they took it up (grey: never),
and its origin is a star.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.calendar import WEEKS_PER_YEAR
from sim.dashboard import charts
from sim.dashboard.runner import Snapshot

# Every layer the model can write, in the order the selector lists them.
LAYER_TITLES = {
    "authority": "Local authority",
    "trios": "Trios",
    "families": "Families",
    "peer_review": "Peer review",
    "trusts": "Trusts",
    "leadership": "System leadership",
    "network": "Generated network",
    "broadcast": "Broadcast",
    "staff_moves": "Staff moves (all years)",
}
NO_PRACTICE = "none: colour by local authority"
MAX_PRACTICES = 40   # listed in the selector: created ones first, most adopters first
MAX_SPOKES = 2_000   # beyond this many schools the authority layer draws its hubs alone

HELP = (
    "<b>One layer at a time.</b> Pick a layer of the network of schools: each line joins two "
    "schools tied in that layer at the end of the run (staff moves: every move of the run). "
    "Pick a practice to see how it spread: schools are coloured by the year they took it up, "
    "grey if they never did; the star is the school where it was created.")


def layers_present(run: Snapshot) -> list[str]:
    """The layers of this run: the local authorities, and every layer with an edge."""
    written = set(run.result.network["layer"].astype(str))
    return ["authority"] + [name for name in LAYER_TITLES if name in written]


def layer_links(run: Snapshot, layer: str) -> np.ndarray:
    """(links, 2) school pairs of a layer: at the run's last year, or (staff moves) every
    move of the run, each pair once."""
    net = run.result.network
    rows = net[net["layer"] == layer]
    if layer != "staff_moves":
        rows = rows[rows["year"] == net["year"].max()]
    pairs = rows[["a", "b"]].to_numpy(np.int64).reshape(-1, 2)
    return np.unique(np.sort(pairs, axis=1), axis=0)


def practice_choices(run: Snapshot) -> dict[str, int]:
    """Selector label -> practice id: the practices created in the run, then those held at
    the start, each by the schools that took it up, most first."""
    d = run.result.diffusion
    last = d[d["year"] == d["year"].max()].copy()
    last["created"] = last["origin"] >= 0
    last = last.sort_values(["created", "adopters", "practice"],
                            ascending=[False, False, True]).head(MAX_PRACTICES)
    return {_practice_label(row): int(row.practice) for row in last.itertuples()}


def _practice_label(row) -> str:
    where = (f"created in year {row.created_week // WEEKS_PER_YEAR} by school {row.origin}"
             if row.origin >= 0 else "held at the start")
    return f"practice {row.practice}: {where}, {row.adopters} schools"


def adoption_year(run: Snapshot, practice: int) -> np.ndarray:
    """Per school, the school year in which it first took the practice up (0: held at the
    start or taken up in the first year), NaN if it never did."""
    years = np.full(len(run.pos_km), np.nan)
    taken = run.adoptions[run.adoptions[:, 0] == practice]
    years[taken[:, 1]] = taken[:, 2] // WEEKS_PER_YEAR
    return years


def origin_of(run: Snapshot, practice: int) -> int:
    d = run.result.diffusion
    return int(d.loc[d["practice"] == practice, "origin"].iloc[0])


def caption(run: Snapshot, layer: str, practice: int | None) -> str:
    """What the map shows, in words (its title, and the text under the selectors)."""
    if layer == "authority":
        text = (f"{LAYER_TITLES[layer]}: {len(run.la_names)} authorities, "
                f"{len(run.pos_km):,} schools")
    else:
        links = len(layer_links(run, layer))
        text = f"{LAYER_TITLES[layer]}: {links:,} links"
        if links > charts.MAX_LINKS:
            text += ", drawn as lines between authorities (width: links)"
    if practice is not None:
        took = int((~np.isnan(adoption_year(run, practice))).sum())
        text += f"; practice {practice}: {took:,} of {len(run.pos_km):,} schools took it up"
    return text


def layer_figure(run: Snapshot, layer: str, practice: int | None = None) -> Figure:
    """The map of one layer, schools coloured by authority or by when they took up a
    practice."""
    fig = Figure(figsize=charts._map_size(run))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.86, bottom=0.01)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_anchor("N")
    ax.set_axis_off()
    if layer == "authority":
        _authority_layer(run, ax)
    else:
        _links(run, layer_links(run, layer), ax)
    size = max(2.0, min(14.0, 6000 / max(len(run.pos_km), 1)))
    if practice is None:
        palette = colormaps["tab10" if len(run.la_names) <= 10 else "tab20"]
        ax.scatter(*run.pos_km.T, s=size, c=palette(run.la % palette.N), linewidths=0,
                   zorder=2)
    else:
        _spread(run, practice, ax, size)
    title = caption(run, layer, practice).replace(", drawn", "\ndrawn").replace("; ", "\n")
    ax.set_title(f"{run.label}, {title}", fontsize=9, loc="left")
    return fig


def _links(run: Snapshot, pairs: np.ndarray, ax) -> None:
    """Lines between schools, or between authorities when there are too many."""
    if len(pairs) > charts.MAX_LINKS:
        weighted = np.column_stack([pairs, np.ones(len(pairs))])
        charts._authority_links(replace(run, edges=weighted), ax)
        return
    density = min(1.0, float(np.sqrt(400 / max(len(pairs), 1))))
    ax.add_collection(LineCollection(run.pos_km[pairs], colors="#333333", zorder=1,
                                     alpha=0.2 + 0.5 * density, linewidths=0.7))
    ax.autoscale_view()


def _authority_layer(run: Snapshot, ax) -> None:
    """Each school joined to the centre of its local authority (the hub); at England's
    size, the centres alone."""
    centres = np.array([run.pos_km[run.la == k].mean(axis=0) if (run.la == k).any()
                        else (np.nan, np.nan) for k in range(len(run.la_names))])
    if len(run.pos_km) <= MAX_SPOKES:
        spokes = np.stack([run.pos_km, centres[run.la]], axis=1)
        ax.add_collection(LineCollection(spokes, colors="#999999", linewidths=0.4, zorder=1))
    ax.scatter(*centres.T, s=40, marker="s", c="black", zorder=3)
    ax.autoscale_view()


def _spread(run: Snapshot, practice: int, ax, size: float) -> None:
    years = adoption_year(run, practice)
    took = ~np.isnan(years)
    ax.scatter(*run.pos_km[~took].T, s=size, c="#cccccc", linewidths=0, zorder=2)
    # Adopters stand out at any region size: at least a readable dot, outlined.
    last = max(1, int(np.ceil(run.years_total)))
    points = ax.scatter(*run.pos_km[took].T, s=max(size * 1.6, 24.0), c=years[took],
                        cmap="viridis", vmin=0, vmax=last, edgecolors="black",
                        linewidths=0.3, zorder=3)
    ax.figure.colorbar(points, ax=ax, shrink=0.6, pad=0.01, ticks=range(last + 1),
                       label="school year taken up (0: the first)")
    origin = origin_of(run, practice)
    if origin >= 0:
        ax.scatter(*run.pos_km[origin], s=160, marker="*", c="red", edgecolors="black",
                   linewidths=0.5, zorder=4)


@solara.component
def NetworkView(run: Snapshot | None):
    """The view of an ended run (its tables are needed), nothing before."""
    if run is not None and run.result is not None:
        LayerMap(run)


@solara.component
def LayerMap(run: Snapshot):
    """Selectors for the layer and the practice, and the map they choose."""
    layers = layers_present(run)
    titles = [LAYER_TITLES[name] for name in layers]
    choices = practice_choices(run)
    # A partnership layer first when there is one: the authorities are always there.
    layer_title = solara.use_reactive(titles[min(1, len(titles) - 1)])
    practice_label = solara.use_reactive(NO_PRACTICE)
    # A new run may lack the layer or practice chosen for the last one.
    layer = layers[titles.index(layer_title.value)] if layer_title.value in titles else layers[0]
    practice = choices.get(practice_label.value)
    png = solara.use_memo(lambda: charts.to_png(layer_figure(run, layer, practice)),
                          dependencies=[run.number, run.version, layer, practice])
    with solara.Card(f"The network of {run.label}, one layer at a time", margin=0,
                     classes=["network-view"]):
        with solara.Row(gap="12px", style={"flex-wrap": "wrap"}):
            with solara.Div(classes=["layer-select"], style={"width": "260px"}):
                solara.Select("Network layer", values=titles, value=layer_title)
            with solara.Div(classes=["practice-select"], style={"width": "460px"}):
                solara.Select("Spread of a practice", values=[NO_PRACTICE, *choices],
                              value=practice_label)
        solara.Text(caption(run, layer, practice), classes=["network-view-caption"])
        with solara.Columns([1, 1]):
            with solara.Div(classes=["chart", "network-layer-map"]):
                solara.Image(png, width="100%")
            solara.HTML("div", HELP, classes=["network-view-help"])
