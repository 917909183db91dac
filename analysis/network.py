"""The partnership network of one run, drawn on the map.

Schools sit at their positions (x_km, y_km from schools.parquet) and are coloured by
local authority, with each authority's name at the middle of its schools, so that
cross-border links (trios) and local ones (families) can be told apart at a glance.

Up to MAX_LINKS links are drawn school to school (active solid, lapsed faint and dashed).
Beyond that (families of 12-20 schools are fully linked: thousands of links) the map draws
groups instead: one line between two authorities whose width grows with the active links
between their schools, and each authority's links inside it written under its name.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.style import categorical_palette, theme

MAX_LINKS = 400  # beyond this, links are drawn between authorities, not schools


def one_run(table: pd.DataFrame, run_id: str | None) -> pd.DataFrame:
    if "run_id" not in table.columns:
        return table
    run_id = table["run_id"].iloc[0] if run_id is None else run_id
    return table[table["run_id"] == run_id]


def graph(schools: pd.DataFrame, partnerships: pd.DataFrame) -> nx.Graph:
    """Schools as nodes (with local authority and position), links as edges."""
    g = nx.Graph()
    for row in schools.itertuples():
        g.add_node(int(row.school_id), la=row.local_authority, pos=(row.x_km, row.y_km))
    for row in partnerships.itertuples():
        g.add_edge(int(row.school_a), int(row.school_b), active=bool(row.active),
                   trust=float(row.trust))
    return g


def positions(g: nx.Graph, seed: int = 0) -> dict:
    """Map positions where the table has them, a seeded spring layout otherwise."""
    pos = nx.get_node_attributes(g, "pos")
    if len(pos) == g.number_of_nodes() and all(np.isfinite(p).all() for p in pos.values()):
        return pos
    return nx.spring_layout(g, seed=seed)


def network(schools: pd.DataFrame, partnerships: pd.DataFrame, run_id: str | None = None,
            seed: int = 0) -> Figure:
    """The partnership network of one run (default: the first run in the tables)."""
    schools = one_run(schools, run_id)
    schools = schools[schools["year"] == schools["year"].max()]
    links = one_run(partnerships, schools["run_id"].iloc[0] if "run_id" in schools else None)
    g = graph(schools, links)
    pos = positions(g, seed)
    theme()
    fig, ax = plt.subplots(figsize=(9, 8), layout="constrained")
    las = sorted(schools["local_authority"].unique())
    colours = dict(zip(las, categorical_palette(len(las))))
    grouped = len(links) > MAX_LINKS
    if grouped:
        inside = _draw_authority_links(schools, links, ax)
    else:
        _draw_links(g, pos, ax)
        inside = None
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=8 if grouped else 14, linewidths=0,
                           alpha=0.5 if grouped else 1.0,
                           node_color=[colours[g.nodes[n]["la"]] for n in g.nodes])
    _name_authorities(schools, colours, ax, inside)
    ax.set(xlabel="km east of the region's centre", ylabel="km north of the region's centre",
           aspect="equal")
    ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
    ax.grid(False)  # grid lines would read as links
    _title(ax, schools, links)
    return fig


def _draw_links(g: nx.Graph, pos: dict, ax) -> None:
    active = [e for e in g.edges if g.edges[e]["active"]]
    lapsed = [e for e in g.edges if not g.edges[e]["active"]]
    # Thousands of links (families of 12-20 are fully linked) would paint the map black:
    # fade them as their number grows so that the density still reads.
    fade = min(1.0, 600 / max(1, g.number_of_edges()))
    nx.draw_networkx_edges(g, pos, edgelist=active, ax=ax, width=0.6, alpha=0.45 * fade,
                           edge_color="#333333")
    nx.draw_networkx_edges(g, pos, edgelist=lapsed, ax=ax, width=0.5, alpha=0.25 * fade,
                           edge_color="#999999", style="dashed")
    ax.legend(handles=[Line2D([], [], color="#333333", lw=1, label=f"active ({len(active)})"),
                       Line2D([], [], color="#999999", lw=1, ls="--",
                              label=f"lapsed ({len(lapsed)})")],
              title="Partnership links", loc="lower right", fontsize=9)


def authority_links(schools: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Active links counted per pair of local authorities (la_a <= la_b; equal: inside)."""
    la = schools.drop_duplicates("school_id").set_index("school_id")["local_authority"]
    active = links[links["active"].astype(bool)]
    a = la.loc[active["school_a"]].to_numpy()
    b = la.loc[active["school_b"]].to_numpy()
    pairs = pd.DataFrame({"la_a": np.where(a <= b, a, b), "la_b": np.where(a <= b, b, a)})
    return pairs.value_counts().rename("links").reset_index()


def _draw_authority_links(schools: pd.DataFrame, links: pd.DataFrame, ax) -> pd.Series:
    """One line per pair of authorities, width by its active links; returns the links
    inside each authority (written under its name)."""
    counts = authority_links(schools, links)
    centres = schools.groupby("local_authority")[["x_km", "y_km"]].median()
    between = counts[counts["la_a"] != counts["la_b"]]
    top = max(1, int(between["links"].max())) if len(between) else 1
    segments = [[tuple(centres.loc[r.la_a]), tuple(centres.loc[r.la_b])]
                for r in between.itertuples()]
    widths = 0.5 + 7.5 * between["links"].to_numpy() / top
    ax.add_collection(LineCollection(segments, linewidths=widths, colors="#333333",
                                     alpha=0.45, zorder=1))
    lapsed = int((~links["active"].astype(bool)).sum())
    ax.legend(handles=[Line2D([], [], color="#333333", lw=0.5 + 7.5 * k, alpha=0.6,
                              label=f"{round(top * k):,} links") for k in (0.1, 0.5, 1.0)],
              title=f"Active links between authorities\n(lapsed links not drawn: {lapsed:,})",
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    inside = counts[counts["la_a"] == counts["la_b"]].set_index("la_a")["links"]
    return inside.reindex(centres.index, fill_value=0)


def _name_authorities(schools: pd.DataFrame, colours: dict, ax,
                      inside: pd.Series | None = None) -> None:
    """Names beside the schools, so the colours need no legend to be read."""
    centres = schools.groupby("local_authority")[["x_km", "y_km"]].median()
    for la, (x, y) in centres.iterrows():
        text = la if inside is None else f"{la}\n{inside[la]:,} links inside"
        ax.annotate(text, (x, y), ha="center", va="center", fontsize=9, fontweight="bold",
                    color="black", bbox={"boxstyle": "round,pad=0.2", "fc": "white",
                                         "ec": colours[la], "lw": 2, "alpha": 0.85})


def _title(ax, schools: pd.DataFrame, links: pd.DataFrame) -> None:
    scheme = schools["scenario"].iloc[0] if "scenario" in schools else ""
    seed = f", seed {schools['seed'].iloc[0]}" if "seed" in schools else ""
    cross = _cross_border_share(schools, links)
    what = (f"{cross:.0f} % of links cross a local-authority border" if len(links)
            else "no partnership links")
    grouped = (f"\n{len(links):,} links drawn as lines between authorities"
               if len(links) > MAX_LINKS else "")
    ax.set_title(f"Partnerships: {scheme}{seed}\n{len(schools)} schools coloured by local "
                 f"authority; {what}{grouped}", fontsize=11)


def _cross_border_share(schools: pd.DataFrame, links: pd.DataFrame) -> float:
    if links.empty:
        return 0.0
    la = schools.set_index("school_id")["local_authority"]
    return 100 * float((la.loc[links["school_a"]].to_numpy()
                        != la.loc[links["school_b"]].to_numpy()).mean())
