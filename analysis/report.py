"""`schoolsim-report RUN_OR_SWEEP_DIR... -o report.html`: one self-contained HTML report.

    schoolsim-report multirun/2026-11-25/10-40-00-123456 -o report.html
    schoolsim-report outputs/a outputs/b --baseline trios -o compare.html

Any mix of runs: each scenario is compared with the baseline run under the same settings
(`analysis.compare.matching_baselines`). For each headline metric it gives, per scenario,
the mean and the spread of the runs at the end; the difference from the baseline (default
`none`, when the runs include it) with its interval named for what it is and a reading
that calls an effect clear only when it is larger than its uncertainty (`sim.effects`,
shared with the dashboard); sentences a policy reader can quote, disadvantaged pupils'
attainment beside the gap; what is left once a programme's funding stops; how many runs
each number rests on, with a warning below `analysis.compare.MIN_RUNS`; and the figures,
embedded as PNG so the file stands alone.

Bad input (no runs, an unknown baseline, an output folder that does not exist) ends with
one line on stderr and exit status 2; the report file is written only when complete.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a report is written without a display

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import figures, network  # noqa: E402
from analysis.compare import (MIN_RUNS, comparison, effect_of, level_of,  # noqa: E402
                              matching_baselines)
from analysis.load import Tables, load, NoRunsError, parameter_draws  # noqa: E402
from analysis.sentences import (BY_COLUMN, HEADLINES, SENTENCE_COLUMNS,  # noqa: E402
                                difference_sentence, level_sentence, scenario_name)
from analysis.style import label  # noqa: E402
from sim import calendar, effects  # noqa: E402
from sim.atomic import write_text  # noqa: E402

DEFAULT_BASELINE = "none"
# The measures whose chance of beating the baseline the findings state.
CHANCE_COLUMNS = ("gap_months", "attainment_disadvantaged")
MAX_NETWORKS = 4  # network drawings are large; one per scenario up to this many
# What is left once the money stops: these measures at the funding's end and at the end.
FUNDING_ROWS = ("gap_months", "attainment_disadvantaged", "active_partnerships",
                "mean_trust", "outstanding_share")
FUNDING_END = "policy.funding.end_year"
# Partnerships end with the money at the very moment it stops: these are read a term before.
FUNDING_BEFORE = ("active_partnerships", "mean_trust")
TERM_YEARS = calendar.WEEKS_PER_TERM / calendar.WEEKS_PER_YEAR


class ReportError(ValueError):
    """Input the report cannot use; the message is the one line the user sees."""


# ------------------------------------------------------------------ choosing the baseline


def choose_baseline(requested: str | None, runs: pd.DataFrame, explicit: bool) -> str | None:
    """The baseline: a scenario, or a base scenario whose variants are matched setting by
    setting; None when the default is absent and none was asked for."""
    if requested is None:
        return None
    allowed = sorted(set(runs["scenario"]) | set(runs["base_scenario"]))
    if requested in allowed:
        return requested
    if not explicit:
        return None
    raise ReportError(f"--baseline={requested} is not a scenario in these runs; allowed: "
                      f"{', '.join(allowed)}")


class Plan:
    """Which scenario is compared with which, and in what order they are shown."""

    def __init__(self, tables: Tables, baseline: str | None):
        self.tables, self.baseline = tables, baseline
        self.against = matching_baselines(tables.runs, baseline, list(tables.varied))
        bases = tables.runs.groupby("scenario")["base_scenario"].first()
        self.is_baseline = {s: baseline is not None and (s == baseline or b == baseline)
                            and s not in self.against for s, b in bases.items()}
        self.order = sorted(bases.index, key=lambda s: (not self.is_baseline[s], s))

    def baseline_of(self, scenario: str) -> str | None:
        return self.against.get(scenario)


# ------------------------------------------------------------------ numbers


def headline_columns(metrics: pd.DataFrame) -> list[str]:
    """Headline metrics the runs have; a metric that is zero throughout (the pandemic's
    learning loss when no pandemic was run) would only add lines saying nothing changed."""
    return [h.column for h in HEADLINES if h.column in metrics.columns
            and metrics[h.column].fillna(0).ne(0).any()]


def years_of(tables: Tables, scenario: str | None = None) -> int | None:
    """The run length all runs (of a scenario) share, or None when they differ."""
    runs = tables.runs if scenario is None else tables.runs[tables.runs["scenario"] == scenario]
    years = runs["years"].dropna().unique()
    return int(years[0]) if len(years) == 1 else None


def findings(table: pd.DataFrame, plan: Plan) -> list[tuple]:
    """(scenario, sentences, notes) per compared scenario, the gap first and disadvantaged
    pupils' attainment beside it."""
    out = []
    for scenario in plan.order:
        if plan.is_baseline[scenario]:
            continue
        every = table[table["scenario"] == scenario].set_index("metric")
        rows = every.loc[[c for c in SENTENCE_COLUMNS if c in every.index]]
        base = plan.baseline_of(scenario)
        years = years_of(plan.tables, scenario)
        said, notes = [], []
        for metric, row in rows.iterrows():
            h = BY_COLUMN[metric]
            if base is None:
                said.append(level_sentence(h, scenario, level_of(row), years))
            else:
                said.append(difference_sentence(h, scenario, base, effect_of(row), years))
                if metric in CHANCE_COLUMNS:
                    said.append(effects.chance_sentence(h, scenario_name(scenario),
                                                        scenario_name(base), effect_of(row),
                                                        years))
        said = [s for s in said if s]
        if plan.baseline is not None and base is None:
            notes.append(f"No baseline run ({scenario_name(plan.baseline)}) shares this "
                         "scenario's settings (years, schools, region and swept settings), "
                         "so it is described on its own.")
        for suffix in ("", "_primary", "_secondary"):
            columns = [f"{c}{suffix}" for c in
                       ("gap_months", "attainment_disadvantaged", "attainment_other")]
            if base is not None and set(columns) <= set(every.index):
                gap, dis, oth = (effect_of(every.loc[c]) for c in columns)
                if effects.narrowed_by_falling(gap, dis, oth):
                    notes.append(effects.narrowed_by_falling_note(dis, oth, suffix))
        out.append((scenario, said, notes))
    return out


# ------------------------------------------------------------------ HTML pieces

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } .meta { color: #555; margin-top: 0; }
.warning { background: #fff4ce; border-left: 6px solid #E69F00; padding: 0.6em 1em; }
.finding { background: #eef5fb; border-left: 6px solid #0072B2; padding: 0.5em 1em;
           margin: 0.6em 0; }
.finding p { margin: 0.3em 0; } .finding p.lead { font-size: 1.1em; font-weight: 600; }
table { border-collapse: collapse; margin: 0.8em 0 1.5em; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right;
         white-space: nowrap; }
th { background: #f2f2f2; } td.name, th.name { text-align: left; white-space: normal; }
td.better { background: #d6ecf7; } td.worse { background: #fbe3cf; }
.few { color: #B35900; font-weight: 600; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; }
.small { color: #555; font-size: 0.9em; }
"""


def esc(text) -> str:
    return html.escape(str(text))


def png(fig, dpi: int = 110) -> str:
    """A figure as an <img> with the PNG inline, then closed (reports draw many)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def figure_block(fig, caption: str, dpi: int = 110) -> str:
    return f"<figure>{png(fig, dpi)}<figcaption>{esc(caption)}</figcaption></figure>"


def warning_block(counts: pd.Series) -> str:
    few = counts[counts < MIN_RUNS]
    if few.empty:
        return ""
    listed = ", ".join(f"{esc(s)}: {n} run{'s' if n != 1 else ''}" for s, n in few.items())
    return (f'<p class="warning"><b>Warning: too few runs.</b> These scenarios rest on fewer '
            f"than {MIN_RUNS} runs ({listed}). From fewer than {effects.ENOUGH_SEEDS} seeds "
            "no effect is called clear: the report gives the range of the paired differences, "
            "not a confidence interval. Run more seeds, e.g. "
            "<code>schoolsim -m scheme=... seed=range(1,21)</code>.</p>")


def runs_table(plan: Plan) -> str:
    runs = plan.tables.runs
    rows = []
    for scenario in plan.order:
        r = runs[runs["scenario"] == scenario]
        shown = seed_ranges(r["seed"].unique())
        few = ' class="few"' if len(r) < MIN_RUNS else ""
        base = plan.baseline_of(scenario)
        role = ("baseline" if plan.is_baseline[scenario] else
                f"against {base}" if base else "no baseline" if plan.baseline else "")
        rows.append(f'<tr><td class="name">{esc(scenario)}</td><td class="name">{esc(role)}'
                    f"</td><td{few}>{len(r)}</td><td>{esc(shown)}</td>"
                    f"<td>{esc(_unique(r['years']))}</td><td>{esc(_unique(r['n_schools']))}</td>"
                    f'<td class="name">{esc(region_label(r))}</td></tr>')
    head = ("<tr><th class='name'>Scenario</th><th class='name'>Compared</th><th>Runs</th>"
            "<th>Seeds</th><th>Years</th><th>Schools</th><th class='name'>Region</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def region_label(runs: pd.DataFrame) -> str:
    """The region's name and, for real regions, the authorities chosen:
    'england_real: Salford, Trafford' (Greater Manchester's ten named too; how many, beyond
    ten)."""
    names = ", ".join(sorted({str(v) for v in runs["region"].dropna()})) or "?"
    column = "config.region.local_authorities"
    if column not in runs.columns:
        return names
    chosen = sorted({a for text in runs[column].dropna() for a in json.loads(text)})
    if not chosen:
        return f"{names}: all of England"
    shown = ", ".join(chosen) if len(chosen) <= 10 else f"{len(chosen)} authorities"
    return f"{names}: {shown}"


def seed_ranges(seeds) -> str:
    """1, 2, 3, 5, 6 -> '1-3, 5-6': short, and a missing seed (a failed job) shows."""
    seeds = sorted(int(s) for s in seeds)
    spans, start = [], seeds[0]
    for prev, cur in zip(seeds, seeds[1:] + [None]):
        if cur is None or cur != prev + 1:  # a span ends here
            spans.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = cur
    return ", ".join(spans)


def incomplete_block(tables: Tables) -> str:
    """Sweep jobs without outputs: the numbers below leave them out, so say so."""
    if not tables.incomplete:
        return ""
    shown = ", ".join(esc(p) for p in tables.incomplete[:10])
    more = f" and {len(tables.incomplete) - 10} more" if len(tables.incomplete) > 10 else ""
    n = len(tables.incomplete)
    return (f'<p class="warning"><b>{n} job{"s" if n != 1 else ""} without outputs</b> '
            f"(failed or unfinished; see error.txt or the job's log there): {shown}{more}. "
            "The numbers below leave them out.</p>")


def _unique(values: pd.Series) -> str:
    u = sorted(values.dropna().unique())
    return ", ".join(str(int(v)) if float(v).is_integer() else str(v) for v in u) or "?"


VERDICT_WORDS = {effects.BETTER: "clearly better", effects.WORSE: "clearly worse",
                 effects.UNCLEAR: "unclear", effects.SAME: "no difference"}


def reading_words(h, d) -> str:
    """'clearly better', 'unclear', ...; 'clearly higher' for a measure with no better."""
    if d.clear and h.lower_is_better is None:
        return "clearly " + ("lower" if d.mean < 0 else "higher")
    return VERDICT_WORDS[effects.verdict(h, d)]


def numbers_table(table: pd.DataFrame, plan: Plan) -> str:
    head = ("<tr><th class='name'>Measure</th><th class='name'>Scenario</th><th>Mean</th>"
            "<th class='name'>Spread of the runs</th><th>Runs</th>")
    if plan.baseline is not None:
        head += ("<th class='name'>Baseline</th><th>Difference</th><th class='name'>"
                 "Interval of the difference</th><th class='name'>Reading</th>"
                 "<th class='name'>Seeds</th>")
    rows = []
    for metric, group in table.groupby("metric", sort=False):
        h = BY_COLUMN[metric]
        group = group.set_index("scenario", drop=False).loc[
            [s for s in plan.order if s in set(group["scenario"])]]
        for i, (_, row) in enumerate(group.iterrows()):
            rows.append(_numbers_row(h, row, plan, len(group) if i == 0 else 0))
    return f"<table>{head}</tr>{''.join(rows)}</table>"


def _numbers_row(h, row, plan: Plan, span: int) -> str:
    metric = (f'<td class="name" rowspan="{span}">{esc(h.label)}</td>' if span else "")
    level, scenario = level_of(row), row["scenario"]
    few = ' class="few"' if level.n < MIN_RUNS else ""
    cells = (f'{metric}<td class="name">{esc(scenario)}</td><td>{h.number(level.mean)}</td>'
             f'<td class="name">{h.number(level.low)} to {h.number(level.high)} '
             f'<span class="small">({esc(level.interval_name())})</span></td>'
             f"<td{few}>{level.n}</td>")
    if plan.baseline is None:
        return f"<tr>{cells}</tr>"
    base = plan.baseline_of(scenario)
    if plan.is_baseline[scenario]:
        return f"<tr>{cells}<td class='name'>(baseline)</td>{'<td></td>' * 4}</tr>"
    if base is None:
        return f"<tr>{cells}<td class='name'>none with these settings</td>{'<td></td>' * 4}</tr>"
    d = effect_of(row)
    reading = effects.verdict(h, d)
    words = reading_words(h, d)
    few = ' class="name few"' if d.few else ' class="name"'
    cells += (f'<td class="name">{esc(base)}</td><td class="{reading}">{effects.plus(h, d.mean, d)}</td>'
              f"<td{few}>{effects.plus(h, d.low, d)} to {effects.plus(h, d.high, d)} "
              f'<span class="small">({esc(d.interval_name())})</span></td>'
              f'<td class="name">{words}</td>'
              f'<td class="name">{esc(effects.seeds_in_favour(h, d))}</td>')
    return f"<tr>{cells}</tr>"


def findings_block(found: list[tuple], plan: Plan, table: pd.DataFrame) -> str:
    blocks = []
    for scenario, said, notes in found:
        rows = table[table["scenario"] == scenario]
        n = int(rows["n"].max())
        basis = f"{n} run{'s' if n != 1 else ''}"
        base = plan.baseline_of(scenario)
        if base is not None:
            d = effect_of(rows.iloc[0])
            basis = (f"{d.n} runs of each, paired by seed" if d.paired
                     else f"{n} runs against {_count(table, base)} runs of {base}, seeds differ")
            basis += f"; the interval is the {d.interval_name()}"
        lead, rest = said[0], said[1:]
        items = "".join(f"<p>{esc(s)}</p>" for s in rest)
        warn = "".join(f'<p class="warning">{esc(note)}</p>' for note in notes)
        blocks.append(f'<div class="finding"><p class="lead">{esc(lead)}</p>{items}{warn}'
                      f'<p class="small">Based on {esc(basis)}.</p></div>')
    return "".join(blocks)


def _count(table: pd.DataFrame, scenario: str) -> int:
    return int(table[table["scenario"] == scenario]["n"].max())


# ------------------------------------------------------------------ once the money stops


def funding_end(tables: Tables, scenario: str) -> float | None:
    """The year the scenario's programme funding stopped, when it stopped before the end."""
    runs = tables.runs[tables.runs["scenario"] == scenario]
    column = FUNDING_END if FUNDING_END in runs else f"config.{FUNDING_END}"
    if column not in runs:
        return None
    ends = pd.to_numeric(runs[column], errors="coerce").dropna().unique()
    years = years_of(tables, scenario)
    if len(ends) != 1 or years is None or not 0 < ends[0] < years:
        return None
    return float(ends[0])


def funding_block(plan: Plan) -> str:
    """For scenarios whose funding stopped before the end: each measure when the money
    stopped and at the end, and how much of the effect on the gap was kept."""
    tables = plan.tables
    parts = []
    for scenario in plan.order:
        stop = funding_end(tables, scenario)
        base = plan.baseline_of(scenario)
        if stop is None or plan.is_baseline[scenario]:
            continue
        present = [c for c in FUNDING_ROWS if c in tables.metrics.columns]
        against = {scenario: base} if base else {}
        metrics = tables.metrics[tables.metrics["scenario"].isin([scenario, base])]
        before = [c for c in present if c in FUNDING_BEFORE]
        at_stop = pd.concat([
            comparison(metrics, [c for c in present if c not in before], against, year=stop),
            comparison(metrics, before, against, year=stop - TERM_YEARS)], ignore_index=True)
        at_end = comparison(metrics, present, against)
        parts.append(_funding_table(scenario, base, stop, years_of(tables, scenario),
                                    at_stop, at_end))
    if not parts:
        return ""
    return ("<h2>Once the money stops</h2><p>Scenarios whose programme funding ended before "
            "the end of the runs: each measure when the funding stopped and at the end. "
            "Partnerships whose trust was too low end with the money; the rest go on "
            "unfunded.</p>" + "".join(parts))


def _funding_table(scenario, base, stop, years, at_stop, at_end) -> str:
    head = (f"<tr><th class='name'>Measure</th><th>When the funding stopped (year {stop:g})"
            f"</th><th>At the end (year {years})</th>")
    if base:
        head += (f"<th>Difference from {esc(base)} when it stopped</th>"
                 "<th>Difference at the end</th><th class='name'>Kept</th>")
    rows = []
    for metric in at_end["metric"].unique():
        h = BY_COLUMN[metric]
        a = at_stop[(at_stop["metric"] == metric) & (at_stop["scenario"] == scenario)].iloc[0]
        b = at_end[(at_end["metric"] == metric) & (at_end["scenario"] == scenario)].iloc[0]
        name = h.label + (" (a term before it stopped)" if metric in FUNDING_BEFORE else "")
        cells = (f'<td class="name">{esc(name)}</td><td>{h.number(a["mean"])}</td>'
                 f'<td>{h.number(b["mean"])}</td>')
        if base:
            da, db = effect_of(a), effect_of(b)
            cells += (f"<td>{effects.plus(h, da.mean, da)} ({reading_words(h, da)})</td>"
                      f"<td>{effects.plus(h, db.mean, db)} ({reading_words(h, db)})</td>"
                      f'<td class="name">{esc(kept(da, db))}</td>')
        rows.append(f"<tr>{cells}</tr>")
    return (f"<h3>{esc(scenario)}</h3><table>{head}</tr>{''.join(rows)}</table>")


def kept(at_stop, at_end) -> str:
    """How much of the effect at the funding's end is left at the end, in words; only for
    an effect that was clear when the money stopped (a ratio of noise says nothing)."""
    if not at_stop.clear:
        return "no clear effect when the funding stopped"
    return f"{100 * at_end.mean / at_stop.mean:.0f} % of it"


# ------------------------------------------------------------------ figures


def figures_block(tables: Tables, plan: Plan) -> str:
    # The first baseline variant is drawn in the baseline's grey.
    baseline = next((s for s in plan.order if plan.is_baseline[s]), None)
    m, s = tables.metrics, tables.schools
    parts = [figure_block(figures.trajectories(m, ("gap_months", "attainment_disadvantaged"),
                                               baseline),
                          "The disadvantage gap, and disadvantaged pupils' attainment beside "
                          "it, over time.")]
    parts.append(figure_block(
        figures.trajectories(m, ("attainment_other", "expertise_mean"), baseline),
        "Other pupils' attainment (0 = national mean) and schools' mean expertise over time."))
    grades = [c for c in ("active_partnerships", "mean_trust", "outstanding_share")
              if c in m.columns and m[c].fillna(0).ne(0).any()]
    if grades:
        parts.append(figure_block(figures.trajectories(m, tuple(grades), baseline),
                                  "Partnerships, trust between partners and inspection "
                                  "grades over time."))
    if not s.empty:
        parts.append(figure_block(figures.distributions(s, baseline=baseline),
                                  "How schools are spread at the end of the runs, each school "
                                  "weighted by the pupils it describes."))
        parts.append(figure_block(figures.equity_slope(s, baseline=baseline),
                                  "School attainment against the share of disadvantaged "
                                  "pupils: the flatter the line, the less intake decides results."))
        parts.append(figure_block(figures.diffusion_curve(s, baseline=baseline),
                                  "How far practice that was in the best schools at the start "
                                  "has spread."))
    parts.extend(_heatmap_block(tables))
    parts.extend(_network_blocks(tables, plan.order))
    return "".join(parts)


def _heatmap_block(tables: Tables) -> list[str]:
    """A heatmap when the runs form a 2-D sweep of two numeric settings."""
    settings = [c for c in tables.varied if c in tables.metrics.columns
                and pd.api.types.is_numeric_dtype(tables.metrics[c])]
    if len(settings) != 2:
        return []
    x, y = settings
    return [figure_block(figures.heatmap(tables.metrics, x, y, "gap_months"),
                         f"The disadvantage gap at the end for each setting of {x} and {y}.")]


def _network_blocks(tables: Tables, order: list[str]) -> list[str]:
    if tables.partnerships.empty or tables.schools.empty:
        return []
    linked = tables.partnerships.groupby("scenario")["run_id"].first()
    out = []
    for scenario in [s for s in order if s in linked.index][:MAX_NETWORKS]:
        fig = network.network(tables.schools, tables.partnerships, run_id=linked[scenario])
        out.append(figure_block(fig, f"Who partners whom under {scenario_name(scenario)} "
                                     "(one run).", dpi=90))
    return out


def how_to_read(baseline: str | None) -> str:
    pct = round(100 * effects.LEVEL)
    paired = ("Differences from the baseline are worked out seed by seed: with the same seed "
              "both scenarios have the same schools and the same chance events, so the "
              "difference is the policy's doing. Each scenario is set against the baseline "
              "run with the same settings (years, schools, swept settings). "
              if baseline else "")
    return (f"<h2>How to read this report</h2><ul>"
            "<li>Attainment is in <b>months of progress</b> against the national mean; the "
            "disadvantage gap is other pupils' minus disadvantaged pupils' attainment, so a "
            "smaller gap is better. Disadvantaged pupils' attainment is always given beside "
            "the gap: a gap can also narrow because other pupils fall, and the report says so "
            "when it does.</li>"
            f"<li>Each number is taken at the end of the runs. <b>Mean</b> is the average over "
            f"runs (seeds). The <b>spread of the runs</b> is where they fell: their range, or "
            f"from {MIN_RUNS} runs on the middle {pct} % (5th to 95th percentile). {paired}</li>"
            f"<li>Every interval says what it is. From fewer than {effects.ENOUGH_SEEDS} seeds "
            "a difference comes with the <b>range of the paired differences</b>, and is called "
            f"<b>unclear</b> whatever its size. From {effects.ENOUGH_SEEDS} seeds on it comes "
            f"with the <b>{pct} % confidence interval of the mean difference</b> (Student's t "
            "over the seed pairs; Welch's t when the seeds differ), and is called clear only "
            "when that interval excludes zero, i.e. when the difference is larger than its "
            "uncertainty. Shaded cells: blue where the scenario did clearly better than the "
            "baseline, orange where clearly worse.</li>"
            "<li>The <b>chance</b> that a scenario beats the baseline, P(...), is the share of "
            "seed pairs in which it did better, with the "
            f"{pct} % Jeffreys interval of that probability; from fewer than "
            f"{effects.ENOUGH_SEEDS} pairs only the count is given. With "
            "<code>calibration=posterior</code> every seed draws its own parameter set from "
            "the calibration's posterior (the same set for a scenario and its baseline), so "
            "intervals and chances carry parameter as well as stochastic uncertainty; "
            "otherwise stochastic uncertainty only. The report says which.</li>"
            "<li>This is a simulation: its numbers show what the model's mechanisms imply, "
            "not a forecast for real schools.</li></ul>")


# ------------------------------------------------------------------ the document


def build(tables: Tables, baseline: str | None, sources: list[str], title: str) -> str:
    plan = Plan(tables, baseline)
    metrics = headline_columns(tables.metrics)
    table = comparison(tables.metrics, metrics, plan.against)
    counts = tables.runs_per_scenario()
    intro = (f"Compared with <b>{esc(scenario_name(baseline))}</b> (scenario "
             f"<code>{esc(baseline)}</code>)." if baseline else
             "No baseline scenario: each scenario is described on its own (give "
             "<code>--baseline NAME</code> to compare).")
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="meta">{len(tables.runs)} runs of {len(counts)} scenarios from '
            f"{esc(', '.join(sources))}; written {datetime.now():%Y-%m-%d %H:%M}.</p>",
            warning_block(counts), incomplete_block(tables),
            f"<h2>What the runs show</h2><p>{intro}"
            + (f" {esc(effects.uncertainty_note(parameter_draws(tables.runs)))}" if baseline
               else "") + "</p>",
            findings_block(findings(table, plan), plan, table),
            "<h2>The runs</h2>", runs_table(plan),
            "<h2>Headline numbers at the end of the runs</h2>", numbers_table(table, plan),
            funding_block(plan), how_to_read(baseline), "<h2>Figures</h2>",
            figures_block(tables, plan)]
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"{''.join(body)}</body></html>\n")


def make_report(paths: list[str], out: str | Path, baseline: str | None = DEFAULT_BASELINE,
                explicit_baseline: bool = False, title: str | None = None) -> Path:
    """Load the runs under `paths`, compare them and write the report to `out`."""
    out = Path(out)
    if not out.parent.is_dir():
        raise ReportError(f"-o {out}: folder {out.parent} does not exist; allowed: a file in an "
                          "existing folder")
    try:
        tables = load(*paths)
    except NoRunsError as exc:
        raise ReportError(f"{exc}; allowed: run folders (with summary.json and metrics.parquet),"
                          " sweep folders holding them, or a schoolsim-collect dataset") from None
    chosen = choose_baseline(baseline, tables.runs, explicit_baseline)
    text = build(tables, chosen, [str(p) for p in paths], title or "schoolsim: scenario report")
    write_text(out, text)
    for line in chances(tables, chosen):
        print(line)
    return out


def chances(tables: Tables, baseline: str | None) -> list[str]:
    """What the terminal shows: each scenario's chance of beating the baseline on the gap and
    on disadvantaged pupils' attainment, and which uncertainty that carries."""
    if baseline is None:
        return []
    plan = Plan(tables, baseline)
    present = [c for c in CHANCE_COLUMNS if c in tables.metrics.columns]
    table = comparison(tables.metrics, present, plan.against)
    lines = []
    for scenario in plan.order:
        base = None if plan.is_baseline[scenario] else plan.baseline_of(scenario)
        rows = table[table["scenario"] == scenario].set_index("metric")
        for metric in present if base is not None else ():
            lines.append(effects.chance_sentence(BY_COLUMN[metric], scenario_name(scenario),
                                                 scenario_name(base),
                                                 effect_of(rows.loc[metric]),
                                                 years_of(tables, scenario)))
    lines = [line for line in lines if line]
    return lines + [effects.uncertainty_note(parameter_draws(tables.runs))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schoolsim-report",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", metavar="RUN_OR_SWEEP_DIR",
                        help="run folders, sweep folders or collected datasets")
    parser.add_argument("-o", "--output", default="report.html", help="the HTML file to write")
    parser.add_argument("--baseline", default=None,
                        help=f"scenario to compare against (default: {DEFAULT_BASELINE}, "
                             "when the runs include it)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="describe each scenario on its own")
    parser.add_argument("--title", help="the report's title")
    args = parser.parse_args(argv)
    baseline = None if args.no_baseline else (args.baseline or DEFAULT_BASELINE)
    try:
        out = make_report(args.paths, args.output, baseline, args.baseline is not None,
                          args.title)
    except ReportError as exc:
        print(f"schoolsim-report: error: {exc}", file=sys.stderr)
        return 2
    print(f"schoolsim-report: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
