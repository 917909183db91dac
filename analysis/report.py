"""`schoolsim-report RUN_OR_SWEEP_DIR... -o report.html`: one self-contained HTML report.

    schoolsim-report multirun/2026-11-25/10-40-00-123456 -o report.html
    schoolsim-report outputs/a outputs/b --baseline trios -o compare.html

For each headline metric it gives, per scenario, the mean and the 90 % interval across
runs at the end of the runs; the difference from a baseline scenario (default `none`, when
the runs include it) with its interval, paired by seed where the seeds match; sentences a
policy reader can quote; how many runs each number rests on, with a warning below
`analysis.compare.MIN_RUNS`; and the figures, embedded as PNG so the file stands alone.

Bad input (no runs, an unknown baseline, an output folder that does not exist) ends with
one line on stderr and exit status 2; the report file is written only when complete.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import os
import sys
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a report is written without a display

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import figures, network  # noqa: E402
from analysis.compare import LEVEL, MIN_RUNS, Estimate, comparison  # noqa: E402
from analysis.load import Tables, load, NoRunsError  # noqa: E402
from analysis.sentences import (BY_COLUMN, HEADLINES, SENTENCE_COLUMNS,  # noqa: E402
                                difference_sentence, judgement, level_sentence,
                                scenario_name)
from analysis.style import label, scenario_order  # noqa: E402
from sim.atomic import write_text  # noqa: E402

DEFAULT_BASELINE = "none"
MAX_NETWORKS = 4  # network drawings are large; one per scenario up to this many


class ReportError(ValueError):
    """Input the report cannot use; the message is the one line the user sees."""


# ------------------------------------------------------------------ choosing the baseline


def choose_baseline(requested: str | None, scenarios: list[str], explicit: bool) -> str | None:
    """The baseline scenario, or None when the default is absent and none was asked for."""
    if requested is None:
        return None
    if requested in scenarios:
        return requested
    if not explicit:
        return None
    raise ReportError(f"--baseline={requested} is not a scenario in these runs; allowed: "
                      f"{', '.join(scenarios)}")


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


def findings(table: pd.DataFrame, tables: Tables, baseline: str | None) -> list[tuple]:
    """(scenario, sentences) per scenario, the gap first."""
    out = []
    for scenario in scenario_order(table["scenario"], baseline):
        if scenario == baseline:
            continue
        rows = table[(table["scenario"] == scenario) & table["metric"].isin(SENTENCE_COLUMNS)]
        said = []
        for row in rows.itertuples():
            h = BY_COLUMN[row.metric]
            if baseline is None:
                est = Estimate(row.mean, row.low, row.high, row.n)
                said.append(level_sentence(h, scenario, est, years_of(tables, scenario)))
            else:
                said.append(difference_sentence(h, scenario, baseline, _diff(row),
                                                years_of(tables, scenario)))
        out.append((scenario, said))
    return out


def _diff(row) -> Estimate:
    return Estimate(row.diff_mean, row.diff_low, row.diff_high, int(row.diff_n),
                    bool(row.paired))


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
            f"than {MIN_RUNS} runs ({listed}). With so few seeds the intervals below are rough "
            f"and a difference may be chance. Run more seeds, e.g. "
            f"<code>schoolsim -m scheme=... seed=range(1,21)</code>.</p>")


def runs_table(tables: Tables, baseline: str | None) -> str:
    runs = tables.runs
    rows = []
    for scenario in scenario_order(runs["scenario"], baseline):
        r = runs[runs["scenario"] == scenario]
        shown = seed_ranges(r["seed"].unique())
        few = ' class="few"' if len(r) < MIN_RUNS else ""
        rows.append(f'<tr><td class="name">{esc(scenario)}'
                    f'{" (baseline)" if scenario == baseline else ""}</td>'
                    f"<td{few}>{len(r)}</td><td>{esc(shown)}</td>"
                    f"<td>{esc(_unique(r['years']))}</td><td>{esc(_unique(r['n_schools']))}</td></tr>")
    head = ("<tr><th class='name'>Scenario</th><th>Runs</th><th>Seeds</th><th>Years</th>"
            "<th>Schools</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


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


def numbers_table(table: pd.DataFrame, baseline: str | None) -> str:
    pct = round(100 * LEVEL)
    head = (f"<tr><th class='name'>Metric</th><th class='name'>Scenario</th><th>Mean</th>"
            f"<th>{pct} % interval</th><th>Runs</th>")
    if baseline is not None:
        head += (f"<th>Difference from {esc(baseline)}</th><th>{pct} % interval</th>"
                 "<th>Runs compared</th>")
    rows = []
    order = scenario_order(table["scenario"], baseline)
    for metric, group in table.groupby("metric", sort=False):
        h = BY_COLUMN[metric]
        group = group.set_index("scenario", drop=False).loc[order]
        for i, row in enumerate(group.itertuples(index=False)):
            rows.append(_numbers_row(h, row, baseline, len(group) if i == 0 else 0))
    return f"<table>{head}</tr>{''.join(rows)}</table>"


def _numbers_row(h, row, baseline, span: int) -> str:
    metric = (f'<td class="name" rowspan="{span}">{esc(label(h.column).replace(chr(10), " "))}'
              "</td>" if span else "")
    few = ' class="few"' if row.n < MIN_RUNS else ""
    cells = (f'{metric}<td class="name">{esc(row.scenario)}</td><td>{h.number(row.mean)}</td>'
             f"<td>{h.number(row.low)} to {h.number(row.high)}</td><td{few}>{row.n}</td>")
    if baseline is not None:
        if row.scenario == baseline:
            cells += "<td>(baseline)</td><td></td><td></td>"
        else:
            d = _diff(row)
            how = "paired by seed" if d.paired else "all pairs, seeds differ"
            few = ' class="few"' if d.few else ""
            k = h.digits(d.mean)
            cells += (f'<td class="{judgement(h, d)}">{_plus(d.mean, k)}</td>'
                      f"<td>{_plus(d.low, k)} to {_plus(d.high, k)}</td>"
                      f"<td{few}>{d.n} ({how})</td>")
    return f"<tr>{cells}</tr>"


def _plus(value: float, decimals: int) -> str:
    """Signed, and 0 without a sign when it rounds to zero (never '-0.000')."""
    text = f"{value:+.{decimals}f}"
    return text[1:] if float(text) == 0 else text


def findings_block(found: list[tuple], baseline: str | None, table: pd.DataFrame) -> str:
    blocks = []
    for scenario, said in found:
        n = int(table[table["scenario"] == scenario]["n"].max())
        basis = f"{n} run{'s' if n != 1 else ''}"
        if baseline is not None:
            pairs = table[(table["scenario"] == scenario)].iloc[0]
            basis = (f"{int(pairs['diff_n'])} runs of each, paired by seed" if pairs["paired"]
                     else f"{n} runs against {_count(table, baseline)} baseline runs")
        lead, rest = said[0], said[1:]
        items = "".join(f"<p>{esc(s)}</p>" for s in rest)
        blocks.append(f'<div class="finding"><p class="lead">{esc(lead)}</p>{items}'
                      f'<p class="small">Based on {esc(basis)}.</p></div>')
    return "".join(blocks)


def _count(table: pd.DataFrame, scenario: str) -> int:
    return int(table[table["scenario"] == scenario]["n"].max())


def figures_block(tables: Tables, baseline: str | None) -> str:
    m, s, p = tables.metrics, tables.schools, tables.partnerships
    parts = [figure_block(figures.trajectories(m, ("gap_months", "expertise_mean"), baseline),
                          "The disadvantage gap and schools' mean expertise over time.")]
    parts.append(figure_block(
        figures.trajectories(m, ("attainment_disadvantaged", "attainment_other"), baseline),
        "Attainment of disadvantaged and other pupils over time (0 = national mean)."))
    if not s.empty:
        parts.append(figure_block(figures.distributions(s, baseline=baseline),
                                  "How schools are spread at the end of the runs."))
        parts.append(figure_block(figures.equity_slope(s, baseline=baseline),
                                  "School attainment against the share of disadvantaged "
                                  "pupils: the flatter the line, the less intake decides results."))
        parts.append(figure_block(figures.diffusion_curve(s, baseline=baseline),
                                  "How far practice that was in the best schools at the start "
                                  "has spread."))
    parts.extend(_heatmap_block(tables))
    parts.extend(_network_blocks(tables, baseline))
    return "".join(parts)


def _heatmap_block(tables: Tables) -> list[str]:
    """A heatmap when the runs form a 2-D sweep of two numeric settings."""
    settings = [c for c in tables.metrics.columns if "." in c
                and pd.api.types.is_numeric_dtype(tables.metrics[c])]
    if len(settings) != 2:
        return []
    x, y = settings
    return [figure_block(figures.heatmap(tables.metrics, x, y, "gap_months"),
                         f"The disadvantage gap at the end for each setting of {x} and {y}.")]


def _network_blocks(tables: Tables, baseline: str | None) -> list[str]:
    if tables.partnerships.empty or tables.schools.empty:
        return []
    linked = tables.partnerships.groupby("scenario")["run_id"].first()
    out = []
    for scenario in scenario_order(linked.index, baseline)[:MAX_NETWORKS]:
        fig = network.network(tables.schools, tables.partnerships, run_id=linked[scenario])
        # A lower resolution: thousands of links make these the largest images.
        out.append(figure_block(fig, f"Who partners whom under {scenario_name(scenario)} "
                                     "(one run; lapsed links dashed).", dpi=80))
    return out


def how_to_read(baseline: str | None) -> str:
    pct = round(100 * LEVEL)
    paired = ("Differences from the baseline are worked out seed by seed: with the same seed "
              "both scenarios have the same schools and the same chance events, so the "
              "difference is the policy's doing. " if baseline else "")
    return (f"<h2>How to read this report</h2><ul>"
            "<li>Attainment is in <b>months of progress</b> against the national mean; the "
            "disadvantage gap is other pupils' minus disadvantaged pupils' attainment, so a "
            "smaller gap is better.</li>"
            f"<li>Each number is taken at the end of the runs. <b>Mean</b> is the average over "
            f"runs (seeds); the <b>{pct} % interval</b> is the range that the middle {pct} % of "
            f"runs fell in (5th to 95th percentile). {paired}</li>"
            "<li>A difference whose interval includes zero is reported as <b>no clear "
            "difference</b>. Shaded cells: blue where the scenario did clearly better than the "
            "baseline, orange where clearly worse.</li>"
            f"<li>With fewer than {MIN_RUNS} runs an interval from percentiles is rough; such "
            "counts are marked in orange.</li>"
            "<li>This is a simulation: its numbers show what the model's mechanisms imply, "
            "not a forecast for real schools.</li></ul>")


# ------------------------------------------------------------------ the document


def build(tables: Tables, baseline: str | None, sources: list[str], title: str) -> str:
    metrics = headline_columns(tables.metrics)
    table = comparison(tables.metrics, metrics, baseline)
    counts = tables.runs_per_scenario()
    intro = (f"Compared with <b>{esc(scenario_name(baseline))}</b> (scenario "
             f"<code>{esc(baseline)}</code>)." if baseline else
             "No baseline scenario: each scenario is described on its own (give "
             "<code>--baseline NAME</code> to compare).")
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="meta">{len(tables.runs)} runs of {len(counts)} scenarios from '
            f"{esc(', '.join(sources))}; written {datetime.now():%Y-%m-%d %H:%M}.</p>",
            warning_block(counts), incomplete_block(tables),
            f"<h2>What the runs show</h2><p>{intro}</p>",
            findings_block(findings(table, tables, baseline), baseline, table),
            "<h2>The runs</h2>", runs_table(tables, baseline),
            "<h2>Headline numbers at the end of the runs</h2>", numbers_table(table, baseline),
            how_to_read(baseline), "<h2>Figures</h2>", figures_block(tables, baseline)]
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
    chosen = choose_baseline(baseline, tables.scenarios, explicit_baseline)
    text = build(tables, chosen, [str(p) for p in paths], title or "schoolsim: scenario report")
    write_text(out, text)
    return out


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
