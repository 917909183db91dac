"""The dashboard's network view: one layer at a time and the spread of one practice.

The parts on a hand-made four-school run (which links each layer holds, who took a practice
up and when, what the map draws), then the page in headless Chromium: after a run, switching
the layer changes the map and its caption, and choosing a practice shows its adopters.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

if not os.environ.get("CI"):
    pytest.importorskip("solara", reason="the dashboard extra is not installed")

from sim.calendar import WEEKS_PER_YEAR  # noqa: E402
from sim.dashboard import network_view as view  # noqa: E402
from sim.dashboard.runner import FINISHED, Snapshot  # noqa: E402
from sim.outputs import RunResult  # noqa: E402
from tests.test_dashboard import (  # noqa: E402,F401  (fixtures used by the browser test)
    RUN_TIMEOUT, _fill, _screenshot, _slide, dashboard_page, dashboard_url, playwright_api)

W = WEEKS_PER_YEAR


def four_schools() -> Snapshot:
    """Schools 0,1 in authority A (left), 2,3 in B (right). Year 1 is the last year: trios
    (0,1) and (2,3); staff moved 1->2 in year 0 and 3->0 in year 1. Practice 7 was created
    by school 1 in year 1 and taken up by 2 in year 1 and 3 in year 2; practice 0 was held by
    school 0 at the start."""
    network = pd.DataFrame({
        "year": [0, 0, 0, 1, 1, 1],
        "layer": ["trios", "trios", "staff_moves", "trios", "trios", "staff_moves"],
        "a": [0, 1, 1, 0, 3, 3], "b": [1, 2, 2, 1, 2, 0], "weight": 0.5})
    diffusion = pd.DataFrame({
        "practice": [0, 0, 7, 7], "year": [0, 1, 0, 1], "adopters": [1, 1, 0, 3],
        "origin": [-1, -1, 1, 1], "created_week": [0, 0, W + 3, W + 3]})
    result = RunResult(pd.DataFrame(), pd.DataFrame(), {}, OmegaConf.create({}),
                       diffusion=diffusion, network=network)
    adoptions = np.array([[0, 0, 0], [7, 1, W + 3], [7, 2, W + 5], [7, 3, 2 * W + 1]])
    return Snapshot(1, "four schools", (), FINISHED, week=2 * W, end_week=2 * W,
                    pos_km=np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0], [6.0, 0.0]]),
                    la=np.array([0, 0, 1, 1]), la_names=("A", "B"), result=result,
                    adoptions=adoptions, seeds=(1,))


def _segments(fig) -> list:
    ax = fig.axes[0]
    return [s.tolist() for c in ax.collections if hasattr(c, "get_segments")
            for s in c.get_segments()]


def test_layers_and_their_links():
    run = four_schools()
    assert view.layers_present(run) == ["authority", "trios", "staff_moves"]
    # Trios: the last year's links; staff moves: every move of the run, each pair once.
    assert view.layer_links(run, "trios").tolist() == [[0, 1], [2, 3]]
    assert view.layer_links(run, "staff_moves").tolist() == [[0, 3], [1, 2]]


def test_switching_the_layer_changes_what_is_drawn():
    run = four_schools()
    trios = _segments(view.layer_figure(run, "trios"))
    moves = _segments(view.layer_figure(run, "staff_moves"))
    assert sorted(trios) == [[[0.0, 0.0], [1.0, 0.0]], [[5.0, 0.0], [6.0, 0.0]]]
    assert sorted(moves) == [[[0.0, 0.0], [6.0, 0.0]], [[1.0, 0.0], [5.0, 0.0]]]
    # The authority layer: each school to its authority's centre (0.5, 0) or (5.5, 0).
    spokes = _segments(view.layer_figure(run, "authority"))
    assert sorted(spokes) == [[[0.0, 0.0], [0.5, 0.0]], [[1.0, 0.0], [0.5, 0.0]],
                              [[5.0, 0.0], [5.5, 0.0]], [[6.0, 0.0], [5.5, 0.0]]]
    assert view.caption(run, "trios", None) == "Trios: 2 links"


def test_a_practice_colours_schools_by_the_year_they_took_it_up():
    run = four_schools()
    years = view.adoption_year(run, 7)
    assert np.isnan(years[0]) and years[1:].tolist() == [1, 1, 2]
    choices = view.practice_choices(run)
    # Created practices first, with where and when they were made.
    assert list(choices) == ["practice 7: created in year 1 by school 1, 3 schools",
                             "practice 0: held at the start, 1 schools"]
    assert view.caption(run, "trios", 7) == (
        "Trios: 2 links; practice 7: 3 of 4 schools took it up")
    ax = view.layer_figure(run, "trios", 7).axes[0]
    coloured = [c for c in ax.collections if len(c.get_offsets()) == 3]
    assert coloured[0].get_array().tolist() == [1, 1, 2]           # the adopters, by year
    star = ax.collections[-1]
    assert star.get_offsets().tolist() == [[1.0, 0.0]]             # the origin, school 1


def test_a_dense_layer_is_drawn_between_authorities():
    run = four_schools()
    i, j = np.triu_indices(40, k=1)    # 780 links among 40 schools in two authorities
    pos = np.column_stack([np.arange(40.0), np.zeros(40)])
    net = pd.DataFrame({"year": 1, "layer": "families", "a": i, "b": j, "weight": 0.5})
    from dataclasses import replace
    dense = replace(run, pos_km=pos, la=(np.arange(40) >= 20).astype(int),
                    result=replace(run.result, network=net))
    fig = view.layer_figure(dense, "families")
    assert len(_segments(fig)) == 1    # one line: A to B (the links inside are counted)
    assert "drawn as lines between authorities" in view.caption(dense, "families", None)


def _choose(page, css: str, item: str) -> None:
    page.locator(f".{css} .v-select").click()
    page.locator(".menuable__content__active .v-list-item__title",
                 has_text=item).first.click()


def _map_src(page) -> str:
    return page.locator(".network-layer-map img").get_attribute("src")


def test_network_view_in_headless_chromium(playwright_api, dashboard_url):
    started = time.monotonic()
    with dashboard_page(playwright_api, dashboard_url) as page:
        page.locator(".run-button").wait_for(timeout=RUN_TIMEOUT)  # a loaded machine
        _fill(page, "Schools in the region", 150)
        _slide(page, "lever-years", "ArrowLeft", 7)
        page.get_by_text("School years to simulate: 3").wait_for()
        _fill(page, "Seeds (replicates)", 1)
        page.get_by_text("Watch term by term").click()   # as fast as it goes
        page.locator(".run-button").click()
        page.get_by_text("Run 1: finished: 3 years").wait_for(timeout=RUN_TIMEOUT)
        caption = page.locator(".network-view-caption")
        caption.wait_for()
        assert caption.inner_text().startswith("Trios: ")
        trios_src = _map_src(page)

        _choose(page, "layer-select", "Staff moves (all years)")
        page.wait_for_function("() => document.querySelector('.network-view-caption')"
                               ".innerText.startsWith('Staff moves')")
        page.wait_for_function("""(before) => document.querySelector(
            '.network-layer-map img').src !== before""", arg=trios_src)
        moves_src = _map_src(page)
        page.locator(".network-view").scroll_into_view_if_needed()
        _screenshot(page, "network_staff_moves")

        page.locator(".practice-select .v-select").click()
        first = page.locator(".menuable__content__active .v-list-item__title").nth(1)
        label = first.inner_text()           # the most widely taken-up new practice
        first.click()
        practice = label.split(":")[0]       # "practice 12"
        page.wait_for_function(f"""() => document.querySelector('.network-view-caption')
                                   .innerText.includes('{practice}: ')""")
        page.wait_for_function("""(before) => document.querySelector(
            '.network-layer-map img').src !== before""", arg=moves_src)
        text = caption.inner_text()
        adopters = int(label.rsplit(", ", 1)[1].split()[0])
        assert f"{practice}: {adopters} of 150 schools took it up" in text
        page.locator(".network-view").scroll_into_view_if_needed()
        _screenshot(page, "network_practice")
    print(f"network view browser test took {time.monotonic() - started:.1f} s")
