"""App layout: the page `schoolsim-dashboard` serves (`solara run sim.dashboard.app`).

Sidebar: the controls (`controls.py`). Main area, top to bottom: the run bar (Run, Stop,
Pin as baseline, how many seeds, the validation error if any, progress), the interactive
charts of the gap, disadvantaged pupils' attainment and expertise (mean over the seeds,
band: their range), the partnership networks of the current run and the baseline side by
side with why partnerships ended, the network of the ended run one layer at a time with the
spread of one practice (`network_view.py`), the comparison (in the report's words, `sim.effects`),
and the downloads.

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
from sim.dashboard.network_view import NetworkView
from sim.dashboard.controls import (Settings, SettingsPanel, base_config, compose,
                                   reads_school_list)
from sim.dashboard.runner import FAILED, FINISHED, STOPPED, RunController, Snapshot
from sim.effects import ENOUGH_SEEDS
from sim.errors import ConfigError

# Seconds between terms when watching a run (so a GM-sized run takes a few seconds).
WATCH_PACE_SECONDS = 0.15

NETWORK_HELP = (
    "<b>The partnership network.</b> Each dot is a school, coloured by local authority; a "
    "line joins two schools in an active partnership and is darker where their trust is "
    "higher. Partnerships whose trust stays low lapse at the end of a year, so weak links "
    "fade from the map as the run advances.")

# Seeds a run uses by default: enough for a confidence interval of an effect.
DEFAULT_SEEDS = ENOUGH_SEEDS
MAX_SEEDS = 20

COMPARISON_NOTE = (
    "Each seed both runs used is a pair: the same region and every random draw the settings "
    "do not touch, so the pair's difference is the effect of the settings. From fewer than "
    f"{ENOUGH_SEEDS} pairs the interval is the range of the differences and no effect is "
    f"called clear; from {ENOUGH_SEEDS} on it is the 90 % confidence interval of the mean "
    "difference (Student's t), and an effect is clear only when that interval excludes zero. "
    "'Current better in' counts the pairs in which the current setting did better: the chance "
    "it beats the baseline in a region drawn like these. The same wording as schoolsim-report.")

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
.partnership-story { font-size: 0.9em; margin: 4px 0 10px; }
.comparison-sentences p { margin: 2px 0 6px; }
.compare-table { border-collapse: collapse; font-size: 0.9em; }
.compare-table th, .compare-table td { padding: 3px 12px; border-bottom: 1px solid #ddd; }
.compare-table td:nth-child(n+2):nth-child(-n+4) { text-align: right; font-variant-numeric: tabular-nums; }
.compare-table th { text-align: left; }
"""


def _compose_or_error(overrides: tuple[str, ...], school_list: str = ""):
    """The composed config, or None and the one-line error to show in the page."""
    try:
        return compose(list(overrides), school_list), None
    except ConfigError as exc:
        return None, str(exc)
    except Exception as exc:  # an override Hydra or OmegaConf could not apply at all
        message = " ".join(str(exc).split()) or type(exc).__name__
        return None, f"could not apply the settings ({' '.join(overrides)}): {message}"


def seeds_error(n: int | None) -> str | None:
    """The one-line error for a number of seeds the dashboard will not run."""
    if n is not None and 1 <= n <= MAX_SEEDS:
        return None
    return f"seeds={n}; allowed: a whole number from 1 to {MAX_SEEDS}"


def _each_update(run: Snapshot | None):
    return None if run is None else (run.number, run.version)


def _yearly(run: Snapshot | None):
    return None if run is None else (run.number, run.week // WEEKS_PER_YEAR, run.status)


def _seeds(run: Snapshot | None):
    return None if run is None else (run.number, run.seeds_done)


@solara.component
def Chart(fig, css: str):
    with solara.Div(classes=["chart", css]):
        solara.FigurePlotly(fig)


@solara.component
def ChartImage(png: bytes, css: str):
    with solara.Div(classes=["chart", css]):
        solara.Image(png, width="100%")


@solara.component
def RunBar(cfg, error: str | None, current: Snapshot | None, baseline: Snapshot | None,
           watch: solara.Reactive[bool], seeds: solara.Reactive[int], on_run, on_stop, on_pin,
           on_clear):
    running = current is not None and current.active
    with solara.Card(margin=0, classes=["run-bar"]):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button("Run", icon_name="mdi-play", color="primary", on_click=on_run,
                          disabled=running or cfg is None or bool(error),
                          classes=["run-button"])
            solara.Button("Stop", icon_name="mdi-stop", color="error", on_click=on_stop,
                          disabled=not running, classes=["stop-button"])
            solara.Button("Pin as baseline", icon_name="mdi-pin", on_click=on_pin,
                          disabled=current is None or current.status not in (FINISHED, STOPPED),
                          classes=["pin-button"])
            if baseline is not None:
                solara.Button("Clear baseline", icon_name="mdi-pin-off", text=True,
                              on_click=on_clear, disabled=running, classes=["clear-button"])
            solara.Switch(label="Watch term by term", value=watch, disabled=running)
            with solara.Div(classes=["seeds-input"], style={"width": "150px"}):
                solara.InputInt("Seeds (replicates)", value=seeds, disabled=running,
                                continuous_update=False)
        if error:
            solara.Error(error, classes=["config-error"])
        if current is not None:
            text = f"{current.label}: {current.progress_text()}"
            if current.status == FAILED:
                solara.Error(text, classes=["run-error"])
            else:
                solara.Text(text, classes=["run-status"])
                # Solara's bar takes 0-100; False hides it once the run is over.
                solara.ProgressLinear(current.percent if current.active else False,
                                      classes=["run-progress"])
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
    # The gap and attainment come from each year's results, so they are redrawn once a year
    # (and when a replicate seed finishes); expertise each update.
    yearly = [_yearly(current), _yearly(baseline), _seeds(current), _seeds(baseline)]
    gap = solara.use_memo(lambda: charts.gap_figure(runs, baseline), dependencies=yearly)
    attainment = solara.use_memo(lambda: charts.attainment_figure(runs, baseline),
                                 dependencies=yearly)
    expertise = solara.use_memo(lambda: charts.expertise_figure(runs, baseline),
                                dependencies=[_each_update(current), _each_update(baseline)])
    with solara.Columns([1, 1]):
        Chart(gap, "gap-chart")
        Chart(attainment, "attainment-chart")
    with solara.Columns([1, 1]):
        Chart(expertise, "expertise-chart")
        if runs:
            items = []
            for run in runs:
                line = "solid blue" if charts.role(run, baseline) == "current" else "dashed grey"
                seeds = (f"{run.n_seeds} seeds ({run.seeds[0]}-{run.seeds[-1]}), band: their "
                         "range" if run.n_seeds > 1 else f"seed {run.seeds[0]}")
                items.append(f"<b>{escape(charts.legend_label(run, baseline))}</b>, {line}, "
                             f"{seeds}: {escape(run.description)}")
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
    stories = [(run, run.partnership_story()) for run in (baseline, current)
               if run is not None and run.status != FAILED]
    if any(text for _, text in stories):
        lines = "<br>".join(f"<b>Why partnerships ended, {escape(run.label)}</b> (seed "
                            f"{run.seeds[0]}): {escape(text)}" for run, text in stories if text)
        solara.HTML("div", lines, classes=["partnership-story"])


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
    said = "".join(f"<p>{escape(t)}</p>" for t in compare.sentences(table, baseline, current))
    pairs = table.attrs["pairs"]
    with solara.Card(f"Baseline vs current at year {year:.1f} ({pairs} seed pair"
                     f"{'' if pairs == 1 else 's'})", margin=0, classes=["comparison"]):
        solara.HTML("div", said, classes=["comparison-sentences"])
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
                                filename=f"{stem}_figures.zip",
                                label="Figures (interactive HTML, map PNG)",
                                mime_type="application/zip")


@solara.component
def Page():
    settings = solara.use_reactive(Settings())
    watch = solara.use_reactive(True)
    seeds = solara.use_reactive(DEFAULT_SEEDS)
    current = solara.use_reactive(None)
    baseline = solara.use_reactive(None)
    run_count = solara.use_reactive(0)
    controller = solara.use_ref(None)

    s = settings.value
    base = base_config(s.groups())
    base_ok = None if isinstance(base, ConfigError) else base
    overrides = tuple(s.overrides(base_ok))
    # An uploaded school list applies while the region reads one.
    school_list = s.school_list if reads_school_list(base_ok) else ""
    cfg, error = solara.use_memo(lambda: _compose_or_error(overrides, school_list),
                                 dependencies=[overrides, school_list])
    error = error or seeds_error(seeds.value)
    levers_cfg = base_ok if base_ok is not None else cfg

    def work(ctrl: RunController):
        ctrl.execute(current.set)

    task = solara.lab.use_task(work, dependencies=None, prefer_threaded=True, raise_error=False)

    def run():
        if cfg is None or error or (current.value is not None and current.value.active):
            return
        run_count.set(run_count.value + 1)
        ctrl = RunController(run_count.value, s.describe(base_ok, cfg), list(overrides), cfg,
                             n_seeds=seeds.value,
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
        RunBar(cfg, error, current.value, baseline.value, watch, seeds, run, stop, pin,
               lambda: baseline.set(None))
        Charts(current.value, baseline.value)
        Networks(current.value, baseline.value)
        NetworkView(next((r for r in (current.value, baseline.value)
                          if r is not None and r.has_tables), None))
        if current.value is not None and baseline.value is not None:
            Comparison(current.value, baseline.value)
        Downloads(current.value, baseline.value)
