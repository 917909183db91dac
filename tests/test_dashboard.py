"""The what-if dashboard: its parts without a browser, then the page in headless Chromium.

The browser test starts `schoolsim-dashboard` on a free localhost port and drives it with
Playwright in Debian's Chromium (`/usr/bin/chromium`; Playwright's own browser download
is never used): the page loads, bad input shows the one-line config error, a lever is
changed, a run is started and the chart shows it, a run is pinned as the baseline and a
second is compared against it, a run is stopped and its tables downloaded. Screenshots go
to tests/artifacts/ (ignored by git); their paths are printed.

Without Chromium the browser test is skipped, except under CI (the CI variable set),
where it fails: CI must install chromium (.ci/run does).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

if not os.environ.get("CI"):
    pytest.importorskip("solara", reason="the dashboard extra is not installed")

from sim.dashboard import charts, compare, exports  # noqa: E402
from sim.dashboard.app import _compose_or_error  # noqa: E402
from sim.dashboard.controls import (  # noqa: E402
    LEVERS, Settings, base_config, compose, config_options, format_value, group_override,
    levers_for, parse_extra, scenario_title)
from sim.dashboard.runner import FAILED, FINISHED, STOPPED, RunController  # noqa: E402
from sim.dashboard.server import parse_args, solara_argv  # noqa: E402
from sim.errors import ConfigError  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
SMALL = ["region=gm", "scheme=trios", "region.n_schools=60", "years=2"]


# ---------------------------------------------------------------------------- parts


def test_levers_follow_the_scheme_and_exist_in_the_config():
    trios = base_config(("region=gm", "scheme=trios"))
    market = base_config(("region=gm", "scheme=market"))
    trio_keys = {lv.key for lv in levers_for(trios)}
    market_keys = {lv.key for lv in levers_for(market)}
    assert {"scheme.participation", "scheme.broadcast", "scheme.cross_border",
            "scheme.meeting_interval_weeks", "region.n_schools", "years", "seed"} <= trio_keys
    assert "scheme.broadcast" not in market_keys and "scheme.funding_elasticity" in market_keys
    # Every row of the table names a real key in at least one scheme's config (rows for a
    # section the config does not have yet aside; rows sharing a label are one lever under
    # its old and new key, and one of them must exist).
    configs = [base_config(("region=gm", f"scheme={s}")) for s in config_options("scheme")]
    shown = {lv.key for c in configs for lv in levers_for(c)}
    for lever in LEVERS:
        parent = lever.key.rpartition(".")[0]
        if not parent or any(OmegaConf.select(c, parent) is not None for c in configs):
            keys = {lv.key for lv in LEVERS if lv.label == lever.label}
            assert keys & shown, lever.key
    assert {"gm", "england"} <= set(config_options("region"))
    assert {"none", "trios", "families", "market"} <= set(config_options("scheme"))


def test_new_policy_keys_get_controls_from_their_type():
    cfg = OmegaConf.create({"seed": 1, "policy": {"new_lever": {
        "on": True, "rate": 0.3, "start_year": 1.0, "end_year": None, "label": "x"}}})
    levers = {lv.key: lv for lv in levers_for(cfg)}
    assert levers["seed"].kind == "int"
    assert levers["policy.new_lever.on"].kind == "switch"
    assert levers["policy.new_lever.rate"].kind == "slider"
    assert levers["policy.new_lever.start_year"].max == 20
    assert levers["policy.new_lever.end_year"].kind == "optional"
    assert "policy.new_lever.label" not in levers
    assert all(lv.generic for key, lv in levers.items() if key.startswith("policy."))
    assert levers["policy.new_lever.rate"].label == "New lever: rate"
    s = Settings(values={"policy.new_lever.end_year": 4.0, "policy.new_lever.on": False})
    assert s.overrides(cfg)[-2:] == ["policy.new_lever.on=false", "policy.new_lever.end_year=4"]
    assert format_value(None) == "null"


def test_a_scenario_brings_its_own_region_and_scheme():
    names = config_options("scenario")
    plain = Settings(region="england", scheme="market", values={"years": 2})
    assert plain.groups() == ("region=england", "scheme=market")
    for name in names:
        s = Settings(region="england", scheme="market", scenario=name, values={"years": 2})
        assert s.groups() == (f"+scenario={name}",)   # not region=/scheme=: the scenario's
        base = base_config(s.groups())
        assert not isinstance(base, ConfigError), base
        cfg = compose(s.overrides(base))
        assert cfg.years == 2 and cfg.scheme.name == base.scheme.name
        assert scenario_title(name).startswith(name)
        assert s.describe(base, cfg).startswith(f"scenario {name}: {cfg.scheme.name}, ")


def test_settings_become_validated_overrides():
    base = base_config(("region=gm", "scheme=trios"))
    s = Settings(values={"scheme.participation": 0.6, "scheme.broadcast": False,
                         "scheme.initial_trust": 0.5},  # the default: no override
                 extra="trust.decay_per_term=0.1")
    overrides = s.overrides(base)
    assert overrides == ["region=gm", "scheme=trios", "scheme.participation=0.6",
                         "scheme.broadcast=false", "trust.decay_per_term=0.1"]
    cfg = compose(overrides)
    assert cfg.scheme.participation == 0.6 and cfg.scheme.broadcast is False
    text = s.describe(base, cfg)
    assert "share of schools taking part 0.6" in text and "summaries go to every school off" in text
    with pytest.raises(ConfigError, match="region.n_schools=2 is too small"):
        compose(Settings(values={"region.n_schools": 2}).overrides(base))
    assert format_value(True) == "true" and format_value(0.30000000000000004) == "0.3"
    # Commas belong to Hydra lists; anything Hydra cannot apply is one line in the page.
    assert parse_extra(" scheme.shares=[0.5,0.5]  years=4 ") == ["scheme.shares=[0.5,0.5]",
                                                                 "years=4"]
    cfg, error = _compose_or_error(("years=oops",))
    assert cfg is None and "years" in error and "\n" not in error
    assert group_override("scheme", "trios") == "scheme=trios"
    assert group_override("no_such_group", "x") == "+no_such_group=x"


def test_a_run_publishes_each_term_and_can_be_stopped():
    cfg = compose(SMALL)
    seen = []
    last = RunController(1, "small", SMALL, cfg, min_interval=0).execute(seen.append)
    assert last.status == FINISHED and last.week == last.end_week == 78
    assert [s.status for s in seen[:2]] == ["starting", "running"]
    assert len(last.metrics) == 7 and last.result is not None and len(last.edges) > 0
    assert [s.version for s in seen] == sorted(s.version for s in seen)

    stopper = RunController(2, "stopped", SMALL, cfg, min_interval=0)

    def publish(snap):
        if snap.week >= 26:
            stopper.stop()

    stopped = stopper.execute(publish)
    assert stopped.status == STOPPED and stopped.week == 26
    assert stopped.result.summary["completed_weeks"] == 26

    families = compose(["scheme=families", "region.n_schools=60", "years=1"])
    failed = RunController(3, "too small", [], families).execute(lambda s: None)
    assert failed.status == FAILED and "families" in failed.error and "\n" not in failed.error


def test_comparison_exports_and_charts():
    a = RunController(1, "a", SMALL, compose(SMALL), min_interval=60).execute(lambda s: None)
    b_over = [*SMALL, "scheme.participation=0.5"]
    b = RunController(2, "b", b_over, compose(b_over), min_interval=60).execute(lambda s: None)
    table = compare.comparison_table(a, b)
    assert table.attrs["year"] == 2.0 and len(table) >= 8
    assert table.iloc[0, 0] == "Disadvantage gap (months)"
    np.testing.assert_allclose(table["difference"],
                               table["Run 2 (current)"] - table["Run 1 (baseline)"])
    with zipfile.ZipFile(io.BytesIO(exports.tables_zip(b.result, "csv"))) as zf:
        assert {"metrics.csv", "schools.csv", "partnerships.csv", "summary.json",
                "config.yaml"} <= set(zf.namelist())
        assert len(pd.read_csv(zf.open("metrics.csv"))) == 7
    with zipfile.ZipFile(io.BytesIO(exports.tables_zip(b.result, "parquet"))) as zf:
        assert len(pd.read_parquet(io.BytesIO(zf.read("schools.parquet")))) == 60 * 3
    with zipfile.ZipFile(io.BytesIO(exports.figures_zip(b, a))) as zf:
        names = set(zf.namelist())
        assert names == {"gap.png", "expertise.png", "network.png", "network_baseline.png"}
        assert all(zf.read(n).startswith(b"\x89PNG") for n in names)
    assert charts.to_png(charts.gap_figure([], None)).startswith(b"\x89PNG")


def test_server_binds_to_localhost_unless_told():
    args = parse_args([])
    assert args.host == "127.0.0.1" and args.port == 8765
    argv = solara_argv(parse_args(["--host", "0.0.0.0", "--port", "9001"]))
    assert argv[:2] == ["run", "sim.dashboard.app"]
    assert argv[argv.index("--host") + 1] == "0.0.0.0" and "--production" in argv
    with pytest.raises(SystemExit):
        parse_args(["--port", "70000"])


# ---------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def playwright_api():
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: install Debian's chromium "
                   "(apt-get install -y chromium) to run the browser test")
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim.dashboard", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start on {url}:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        print(f"dashboard server log: {log}")


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"dashboard_{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def _fill(page, label: str, value) -> None:
    box = page.get_by_label(label)
    box.fill(str(value))
    box.press("Enter")


def _slide(page, css: str, key: str, presses: int) -> None:
    page.locator(f".{css} [role=slider]").focus()
    for _ in range(presses):
        page.keyboard.press(key)


def test_dashboard_in_headless_chromium(playwright_api, dashboard_url):
    started = time.monotonic()
    with playwright_api() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000},
                                    accept_downloads=True)
            page.set_default_timeout(30_000)
            page.goto(dashboard_url)

            # The page loads with its controls, charts and a hint.
            page.locator(".run-button").wait_for()
            page.locator(".start-hint").wait_for()
            assert page.locator(".group-region").inner_text().find("Greater Manchester") >= 0

            # Bad input: the one-line config error, and Run is disabled.
            _fill(page, "Schools in the region", 2)
            error = page.locator(".config-error")
            error.wait_for()
            assert "region.n_schools=2 is too small" in error.inner_text()
            assert page.locator(".run-button").is_disabled()
            _screenshot(page, "error")

            # A small region, three years; run and watch it finish.
            _fill(page, "Schools in the region", 60)
            error.wait_for(state="detached")
            _slide(page, "lever-years", "ArrowLeft", 7)
            page.get_by_text("School years to simulate: 3").wait_for()
            empty_chart = page.locator(".gap-chart img").get_attribute("src")
            page.locator(".run-button").click()
            page.get_by_text("Run 1: finished: 3 years").wait_for()
            first_chart = page.locator(".gap-chart img").get_attribute("src")
            assert first_chart != empty_chart
            caption = page.locator(".chart-caption").inner_text()
            assert "Run 1 (current)" in caption and "60 schools, 3 years" in caption
            _screenshot(page, "run1")

            # Pin it; change two levers; run again: both runs are shown and compared.
            page.locator(".pin-button").click()
            page.locator(".baseline-hint").wait_for()
            _slide(page, "lever-scheme-participation", "ArrowLeft", 8)
            page.get_by_text("Share of schools taking part: 0.6").wait_for()
            page.get_by_text("Summaries go to every school").click()
            page.get_by_text("Watch term by term").click()   # as fast as it goes
            page.locator(".run-button").click()
            page.get_by_text("Run 2: finished: 3 years").wait_for()
            page.locator(".comparison").wait_for()
            caption = page.locator(".chart-caption").inner_text()
            assert "Run 1 (baseline)" in caption and "Run 2 (current)" in caption
            assert "share of schools taking part 0.6" in caption
            assert "summaries go to every school off" in caption
            assert page.locator(".gap-chart img").get_attribute("src") != first_chart
            page.locator(".network-baseline img").wait_for()
            page.locator(".network-current img").wait_for()
            table = page.locator(".comparison").inner_text()
            assert "Baseline vs current at year 3.0" in table
            assert "Run 1 (baseline)" in table and "Run 2 (current)" in table
            assert "Disadvantage gap (months)" in table
            _screenshot(page, "compare")
            page.locator(".controls-policy").scroll_into_view_if_needed()
            _screenshot(page, "policy_levers")
            page.locator(".comparison").scroll_into_view_if_needed()
            _screenshot(page, "compare_table")

            # A long run can be stopped; its tables can still be downloaded.
            _slide(page, "lever-years", "End", 1)
            page.get_by_text("School years to simulate: 20").wait_for()
            page.get_by_text("Watch term by term").click()   # paced again, to stop it
            page.locator(".run-button").click()
            page.get_by_text("Run 3: running").wait_for()
            page.locator(".stop-button").click()
            page.get_by_text("Run 3: stopped at year").wait_for()
            page.locator(".downloads").scroll_into_view_if_needed()
            with page.expect_download() as info:
                page.get_by_role("button", name="Tables (CSV)").click()
            data = Path(info.value.path()).read_bytes()
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                assert "metrics.csv" in zf.namelist()
                stopped_rows = len(pd.read_csv(zf.open("metrics.csv")))
            assert 1 < stopped_rows < 61   # stopped before its 60 terms
            _screenshot(page, "stopped")
        finally:
            browser.close()
    print(f"browser test took {time.monotonic() - started:.1f} s")
