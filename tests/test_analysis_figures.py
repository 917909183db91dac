"""Each figure function: axes, labels with units, and one line/series per scenario."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import diffusion, figures, gap, network
from analysis.load import from_results
from analysis.style import BASELINE_COLOUR, OKABE_ITO, label, scenario_palette
from tests.analysis_helpers import tiny_run

SCHEMES = ("none", "trios", "market")


@pytest.fixture(scope="module")
def tables():
    return from_results([tiny_run(s, k) for s in SCHEMES for k in (1, 2, 3)])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def data_lines(ax) -> list:
    """Lines that draw data (not reference lines or legend proxies)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 2]


def test_trajectories(tables):
    fig = figures.trajectories(tables.metrics, ["gap_months", "expertise_mean"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    gap_ax, expertise_ax = fig.axes
    assert gap_ax.get_ylabel() == "Disadvantage gap (months of progress)"
    assert expertise_ax.get_xlabel() == "Years since the start"
    for ax in fig.axes:
        assert len(data_lines(ax)) == len(SCHEMES)
        assert len(ax.collections) == len(SCHEMES)  # one uncertainty band per scenario
    # Each line is the mean over seeds of the metric at each term.
    means = tables.metrics.query("scenario == 'trios'").groupby("year")["gap_months"].mean()
    trios = next(line for line in data_lines(gap_ax)
                 if line.get_color() == scenario_palette(SCHEMES)["trios"])
    np.testing.assert_allclose(trios.get_ydata(), means.to_numpy())
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["none", "market", "trios"]
    assert "3 runs per scenario" in fig.get_suptitle()


def test_distributions(tables):
    fig = figures.distributions(tables.schools, ["expertise_mean", "attainment_disadvantaged"])
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "market", "trios"]
    assert "months of progress" in fig.axes[1].get_ylabel()


def test_equity_slope_fits_one_line_per_scenario(tables):
    fig = figures.equity_slope(tables.schools)
    ax = fig.axes[0]
    assert ax.get_xlabel() == label("disadvantaged_share")
    assert "months of progress" in ax.get_ylabel()
    # One fitted line per scenario (the zero line is unlabelled).
    fitted = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(fitted) == len(SCHEMES)
    final = figures.at_year(tables.schools).query("scenario == 'market'")
    # Weighted least squares by pupils: minimise sum pupils * residual^2.
    x, y, w = (100 * final["disadvantaged_share"], figures.school_attainment(final),
               final["pupils"])
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    slope = np.sum(w * (x - xm) * (y - ym)) / np.sum(w * (x - xm) ** 2)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"market: {10 * slope:+.1f}" in legend


def test_diffusion_curve_states_its_definition(tables):
    fig = figures.diffusion_curve(tables.schools, domain="inclusion")
    ax = fig.axes[0]
    assert len(data_lines(ax)) == len(SCHEMES)
    assert ax.get_ylim() == (0, 100) and "(%)" in ax.get_ylabel()
    result = diffusion.take_up(tables.schools, "inclusion")
    assert result.definition() in fig.get_suptitle()
    # Default threshold: the top fifth at the start, so about 20 % have taken it up then.
    start = result.table.query("year == 0")["take_up"].mean()
    assert 15 <= start <= 25


def test_diffusion_unknown_domain_names_the_allowed_ones(tables):
    with pytest.raises(ValueError, match="domain=art.*allowed: curriculum, inclusion"):
        diffusion.take_up(tables.schools, "art")


def test_network_draws_every_school_and_link(tables):
    trios = tables.runs.query("scenario == 'trios' and seed == 1")["run_id"].iloc[0]
    fig = network.network(tables.schools, tables.partnerships, run_id=trios)
    ax = fig.axes[0]
    links = tables.partnerships.query("run_id == @trios")
    drawn_edges = sum(len(c.get_segments()) for c in ax.collections
                      if hasattr(c, "get_segments"))
    assert drawn_edges == len(links)
    nodes = [c for c in ax.collections if c.get_offsets().shape[0] == 90]
    assert len(nodes) == 1
    # Colour by local authority: as many distinct colours as authorities.
    colours = {tuple(c) for c in nodes[0].get_facecolors().round(3)}
    assert len(colours) == tables.schools.query("run_id == @trios")["local_authority"].nunique()
    assert "100 % of links cross" in ax.get_title()  # trios are cross-border by design
    assert ax.get_xlabel().startswith("km")


def test_network_without_links(tables):
    fig = network.network(tables.schools, tables.partnerships.iloc[0:0],
                          run_id=tables.runs["run_id"].iloc[0])
    assert "no partnership links" in fig.axes[0].get_title()


def test_heatmap_cells_are_means_over_runs():
    rows = [{"run_id": f"r{i}", "a": a, "b": b, "seed": s, "gap_months": a * 10 + b + s}
            for i, (a, b, s) in enumerate((a, b, s) for a in (0.1, 0.2, 0.3) for b in (1, 2)
                                          for s in (1, 2))]
    fig = figures.heatmap(pd.DataFrame(rows), x="a", y="b", value="gap_months")
    ax = fig.axes[0]
    cells = ax.collections[0].get_array().reshape(2, 3)  # rows: b descending
    np.testing.assert_allclose(cells, [[4.5, 5.5, 6.5], [3.5, 4.5, 5.5]])  # 10a + b + 1.5
    assert fig.axes[1].get_ylabel() == "Disadvantage gap (months of progress)"  # colour bar
    assert ax.get_xlabel() == "A" and ax.get_ylabel() == "B"


def test_sensitivity_bars_with_intervals():
    wide = pd.DataFrame({"output": "gap_months", "method": "sobol",
                         "parameter": ["trust.growth", "exchange.learning_rate"],
                         "S1": [0.1, 0.6], "S1_conf": [0.02, 0.05],
                         "ST": [0.2, 0.7], "ST_conf": [0.03, 0.04]})
    fig = figures.sensitivity(wide)
    ax = fig.axes[0]
    bars = [c for c in ax.containers if hasattr(c, "patches")]
    assert len(bars) == 2 and all(len(c.patches) == 2 for c in bars)
    # Parameters sorted so the most influential is on top.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["trust.growth",
                                                            "exchange.learning_rate"]
    widths = sorted(p.get_width() for c in bars for p in c.patches)
    assert widths == [0.1, 0.2, 0.6, 0.7]
    assert "disadvantage gap" in ax.get_title()
    long = figures.long_indices(wide)
    assert set(long["index"]) == {"S1", "ST"} and long["ci"].notna().all()


def test_gap_parts_add_up_to_the_gap(tables):
    parts = gap.components(tables.results)
    np.testing.assert_allclose(parts["within_school"] + parts["between_school"],
                               parts["gap_months"])
    whole = np.isclose(tables.metrics["year"], tables.metrics["year"].round())
    yearly = tables.metrics[whole].assign(year=lambda m: m["year"].round().astype(int))
    merged = parts.merge(yearly, on=["run_id", "year"], suffixes=("", "_metrics"))
    np.testing.assert_allclose(merged["gap_months"], merged["gap_months_metrics"])
    fig = figures.gap_parts(tables.results)
    assert len(fig.axes) == 2
    assert all(len(data_lines(ax)) == len(SCHEMES) for ax in fig.axes)


def test_palette_is_colour_blind_safe():
    palette = scenario_palette(["none", "trios", "families", "market", "new idea"])
    assert palette["none"] == BASELINE_COLOUR
    assert all(c in OKABE_ITO for s, c in palette.items() if s != "none")
    assert len(set(palette.values())) == len(palette)


def test_a_dense_network_is_drawn_as_links_between_authorities(tables):
    # Families-like groups: 6 fully linked groups of 15 (630 links) over 90 schools.
    run = tables.runs.query("scenario == 'none' and seed == 1")["run_id"].iloc[0]
    schools = tables.schools.query("run_id == @run")
    ids = np.sort(schools["school_id"].unique())
    pairs = [(a, b) for g in np.array_split(ids, 6) for i, a in enumerate(g) for b in g[i + 1:]]
    links = pd.DataFrame({"school_a": [a for a, _ in pairs], "school_b": [b for _, b in pairs],
                          "group": 0, "kind": "families", "trust": 0.5,
                          "active": [k % 10 != 0 for k in range(len(pairs))], "run_id": run})
    assert len(links) == 630 > network.MAX_LINKS
    fig = network.network(schools, links, run_id=run)
    ax = fig.axes[0]
    segments = sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))
    las = schools["local_authority"].nunique()
    assert segments <= las * (las - 1) / 2   # one line per pair of authorities at most
    counts = network.authority_links(schools, links)
    assert counts["links"].sum() == links["active"].sum()
    assert "630 links drawn as lines between authorities" in ax.get_title()
    assert any("links inside" in t.get_text() for t in ax.texts)


def test_school_figures_are_weighted_by_the_pupils_they_describe():
    # Two schools: 2 disadvantaged pupils at -20 months, 200 at +1: the weighted median
    # is +1 (the small cohort cannot pull it), where the unweighted middle would be -9.5.
    schools = pd.DataFrame({"run_id": "r", "scenario": "none", "seed": 1, "year": 1,
                            "pupils": [4, 400], "disadvantaged_share": [0.5, 0.5],
                            "attainment_disadvantaged": [-20.0, 1.0],
                            "attainment_other": [0.0, 0.0], "expertise_mean": [0.5, 0.5]})
    w = figures.pupil_weights(schools, "attainment_disadvantaged")
    assert list(w) == [2, 200]
    assert figures.weighted_quantiles([1.0, 2.0, 3.0], [1, 1, 1], [0.5]) == [2.0]
    assert figures.weighted_quantiles(schools["attainment_disadvantaged"], w, [0.5]) == [1.0]
    fig = figures.distributions(schools, ["attainment_disadvantaged"])
    median = [line for line in fig.axes[0].get_lines() if "median" in line.get_label()
              or len(line.get_xdata()) == 2]
    assert any(np.allclose(line.get_ydata(), 1.0) for line in median)
