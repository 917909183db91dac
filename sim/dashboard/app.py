"""App layout: the page `schoolsim-dashboard` serves (`solara run sim.dashboard.app`).

Sidebar: the controls (`controls.py`). Main area, top to bottom: the run bar (Run, Stop,
Pin as baseline, the validation error if any, progress), the gap and expertise charts,
the partnership networks of the current run and the baseline side by side, the comparison
table, and the downloads.

State lives in the page component (`use_reactive`), so every browser tab has its own runs.
A run is a `RunController` executed by a Solara task in a background thread; it publishes
a snapshot each term and the page redraws from it.

Mesa's `SolaraViz` is not used for the layout: its controller rebuilds a model from keyword
arguments and steps it one `step()` (a week here) per tick, and its plot and space
components read a Mesa `DataCollector` and a Mesa space, none of which `SchoolSystem`
has (it takes one validated config, reports per term, and places schools in km).
"""

from __future__ import annotations

from html import escape

import solara
import solara.lab

from sim.calendar import WEEKS_PER_YEAR
from sim.dashboard import charts, compare, exports
from sim.dashboard.controls import Settings, SettingsPanel, base_config, compose
from sim.dashboard.runner import FAILED, FINISHED, STOPPED, RunController, Snapshot
from sim.errors import ConfigError

# Seconds between terms when watching a run (so a GM-sized run takes a few seconds).
WATCH_PACE_SECONDS = 0.15

NETWORK_HELP = (
    "<b>The partnership network.</b> Each dot is a school, coloured by local authority; a "
    "line joins two schools in an active partnership and is darker where their trust is "
    "higher. Partnerships whose trust stays low lapse at the end of a year, so weak links "
    "fade from the map as the run advances.")

COMPARISON_NOTE = (
    "With the same seed both runs share the region and every random draw the settings do not "
    "touch, so the difference is the effect of the settings in this one region. Differences "
    "under half a month (0.01 for expertise and segregation) are read as about the same: "
    "one run carries cohort noise of that size. For how sure a difference is, run replicates "
    "with several seeds (schoolsim -m ... seed=1,2,3).")

CSS = """
/* Solara's sidebar grows with its widest content (up to 600px) but the page is laid out for
   400px: a long scenario name would slide the sidebar over the charts. Keep it at 400px. */
.v-navigation-drawer { max-width: 400px !important; }
.v-navigation-drawer .v-card, .v-navigation-drawer .v-select { min-width: 0; max-width: 100%; }
.lever { margin-bottom: 6px; }
/* The run bar stays in view while scrolling; the white shadow hides what scrolls above. */
.v-card.run-bar { position: sticky; top: 0; z-index: 5;
                  box-shadow: 0 -24px 0 #fff, 0 2px 4px rgba(0, 0, 0, 0.2) !important; }
.lever-label { font-size: 0.9em; }
.run-status { font-size: 1.05em; }
.chart-caption { font-size: 0.85em; color: #444; }
.compare-table { border-collapse: collapse; font-size: 0.9em; }
.compare-table th, .compare-table td { padding: 3px 12px; border-bottom: 1px solid #ddd; }
.compare-table td:nth-child(n+2):nth-child(-n+4) { text-align: right; font-variant-numeric: tabular-nums; }
.compare-table th { text-align: left; }
"""


def _compose_or_error(overrides: tuple[str, ...]):
    """The composed config, or None and the one-line error to show in the page."""
    try:
        return compose(list(overrides)), None
    except ConfigError as exc:
        return None, str(exc)
    except Exception as exc:  # an override Hydra or OmegaConf could not apply at all
        message = " ".join(str(exc).split()) or type(exc).__name__
        return None, f"could not apply the settings ({' '.join(overrides)}): {message}"


def _each_update(run: Snapshot | None):
    return None if run is None else (run.number, run.version)


def _yearly(run: Snapshot | None):
    return None if run is None else (run.number, run.week // WEEKS_PER_YEAR, run.status)


@solara.component
def ChartImage(png: bytes, css: str):
    with solara.Div(classes=["chart", css]):
        solara.Image(png, width="100%")


@solara.component
def RunBar(cfg, error: str | None, current: Snapshot | None, baseline: Snapshot | None,
           watch: solara.Reactive[bool], on_run, on_stop, on_pin, on_clear):
    running = current is not None and current.active
    with solara.Card(margin=0, classes=["run-bar"]):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button("Run", icon_name="mdi-play", color="primary", on_click=on_run,
                          disabled=running or cfg is None, classes=["run-button"])
            solara.Button("Stop", icon_name="mdi-stop", color="error", on_click=on_stop,
                          disabled=not running, classes=["stop-button"])
            solara.Button("Pin as baseline", icon_name="mdi-pin", on_click=on_pin,
                          disabled=current is None or current.status not in (FINISHED, STOPPED),
                          classes=["pin-button"])
            if baseline is not None:
                solara.Button("Clear baseline", icon_name="mdi-pin-off", text=True,
                              on_click=on_clear, disabled=running, classes=["clear-button"])
            solara.Switch(label="Watch term by term", value=watch, disabled=running)
        if error:
            solara.Error(error, classes=["config-error"])
        if current is not None:
            text = f"{current.label}: {current.progress_text()}"
            if current.status == FAILED:
                solara.Error(text, classes=["run-error"])
            else:
                solara.Text(text, classes=["run-status"])
                solara.ProgressLinear(current.fraction if current.active else False)
        elif error:
            pass
        elif baseline is not None:
            solara.Info(f"{baseline.label} is pinned as the baseline. Change a lever and press "
                        "Run to compare.", classes=["baseline-hint"])
        else:
            solara.Info("Pick a region and scheme, set the levers on the left, and press Run. "
                        "The charts update each term; pin a finished run as the baseline to "
                        "compare another against it.", classes=["start-hint"])


@solara.component
def Charts(current: Snapshot | None, baseline: Snapshot | None):
    runs = [r for r in (baseline, current) if r is not None and not r.metrics.empty]
    # The gap comes from each year's results, so it is redrawn once a year; expertise each
    # update. Drawing is most of the cost of watching a run.
    gap_png = solara.use_memo(lambda: charts.to_png(charts.gap_figure(runs, baseline)),
                              dependencies=[_yearly(current), _yearly(baseline)])
    expertise_png = solara.use_memo(
        lambda: charts.to_png(charts.expertise_figure(runs, baseline)),
        dependencies=[_each_update(current), _each_update(baseline)])
    with solara.Columns([1, 1]):
        ChartImage(gap_png, "gap-chart")
        ChartImage(expertise_png, "expertise-chart")
    if runs:
        items = []
        for run in runs:
            line = "solid blue" if charts.role(run, baseline) == "current" else "dashed grey"
            items.append(f"<b>{escape(charts.legend_label(run, baseline))}</b>, {line}: "
                         f"{escape(run.description)}")
        solara.HTML("div", "<br>".join(items), classes=["chart-caption"])


@solara.component
def Networks(current: Snapshot | None, baseline: Snapshot | None):
    def draw(run):
        return lambda: charts.to_png(charts.network_figure(run, baseline))

    # One memo per run, so the pinned baseline's map is not redrawn with every term; the
    # current map is redrawn each year (partnerships lapse at year ends) and at the end.
    current_png = solara.use_memo(draw(current), dependencies=[
        _yearly(current), None if baseline is None else baseline.number])
    baseline_png = solara.use_memo(draw(baseline), dependencies=[_yearly(baseline)])
    with solara.Columns([1, 1]):
        if current is not None and baseline is not None:
            ChartImage(baseline_png, "network-baseline")
            ChartImage(current_png, "network-current")
        else:
            ChartImage(current_png if current is not None else baseline_png, "network-current")
            solara.HTML("div", NETWORK_HELP, classes=["network-help"])


@solara.component
def Comparison(current: Snapshot, baseline: Snapshot):
    table = compare.comparison_table(baseline, current)
    if table.empty:
        return
    year = table.attrs["year"]
    shown = compare.format_table(table)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))
    with solara.Card(f"Baseline vs current at year {year:.1f}", margin=0,
                     classes=["comparison"]):
        solara.HTML("table", f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>",
                    classes=["compare-table"])
        solara.Text(COMPARISON_NOTE, style={"font-size": "0.8em", "color": "#666"})


@solara.component
def Downloads(current: Snapshot | None, baseline: Snapshot | None):
    run = next((r for r in (current, baseline) if r is not None and r.has_tables), None)
    if run is None:
        return
    if run is baseline:
        baseline = None  # the baseline's own figures, drawn as the run it was
    stem = exports.file_stem(run)
    with solara.Card(f"Download {run.label}", margin=0, classes=["downloads"]):
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            solara.FileDownload(lambda: exports.tables_zip(run.result, "parquet"),
                                filename=f"{stem}_tables_parquet.zip", label="Tables (Parquet)",
                                mime_type="application/zip")
            solara.FileDownload(lambda: exports.tables_zip(run.result, "csv"),
                                filename=f"{stem}_tables_csv.zip", label="Tables (CSV)",
                                mime_type="application/zip")
            solara.FileDownload(lambda: exports.figures_zip(run, baseline),
                                filename=f"{stem}_figures_png.zip", label="Figures (PNG)",
                                mime_type="application/zip")


@solara.component
def Page():
    settings = solara.use_reactive(Settings())
    watch = solara.use_reactive(True)
    current = solara.use_reactive(None)
    baseline = solara.use_reactive(None)
    run_count = solara.use_reactive(0)
    controller = solara.use_ref(None)

    s = settings.value
    base = base_config(s.groups())
    base_ok = None if isinstance(base, ConfigError) else base
    overrides = tuple(s.overrides(base_ok))
    cfg, error = solara.use_memo(lambda: _compose_or_error(overrides), dependencies=[overrides])
    levers_cfg = base_ok if base_ok is not None else cfg

    def work(ctrl: RunController):
        ctrl.execute(current.set)

    task = solara.lab.use_task(work, dependencies=None, prefer_threaded=True, raise_error=False)

    def run():
        if cfg is None or (current.value is not None and current.value.active):
            return
        run_count.set(run_count.value + 1)
        ctrl = RunController(run_count.value, s.describe(base_ok, cfg), list(overrides), cfg,
                             pace_seconds=WATCH_PACE_SECONDS if watch.value else 0.0)
        controller.current = ctrl
        task(ctrl)

    def stop():
        if controller.current is not None:
            controller.current.stop()

    def pin():
        baseline.set(current.value)
        current.set(None)

    def cleanup():
        # A closed tab stops its run rather than leaving it to finish unseen.
        return stop

    solara.use_effect(cleanup, dependencies=[])
    running = current.value is not None and current.value.active

    solara.Title("schoolsim: what-if dashboard")
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text("schoolsim: what if schools moved knowledge around?")
    with solara.Sidebar():
        SettingsPanel(settings, levers_cfg, disabled=running)
    with solara.Column(style={"padding": "8px 16px", "max-width": "1400px"}):
        RunBar(cfg, error, current.value, baseline.value, watch, run, stop, pin,
               lambda: baseline.set(None))
        Charts(current.value, baseline.value)
        Networks(current.value, baseline.value)
        if current.value is not None and baseline.value is not None:
            Comparison(current.value, baseline.value)
        Downloads(current.value, baseline.value)
