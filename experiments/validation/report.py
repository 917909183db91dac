"""The validation report: a table of every check, a figure per fact, in Markdown and HTML.

    write_report(checks, values, summary, out_dir, markdown_path=None, meta={...})

writes `validation.md` (or `markdown_path`), `validation.html` (self-contained: figures
inline), `fact_<k>.png`, `values.csv` (every seed) and `summary.csv` (every check) into
`out_dir`. Everything is first written into a temporary folder beside `out_dir` and moved
into place only when all of it is ready, so a failure leaves no half-written report.
Explanations of failures (and comments on passes) come from `explanations.yaml` beside
this module, keyed by check id; a failure without one is marked as not yet explained.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from analysis.style import OKABE_ITO, theme  # noqa: E402
from experiments.calibration.config import ENSEMBLE  # noqa: E402
from experiments.predictions import (PredictionError, compare, observed_path,  # noqa: E402
                                     read_observed, read_predictions)
from experiments.validation.checks import FACTS, HELD_OUT, REPORT_ORDER, Check  # noqa: E402
from sim.atomic import write_all  # noqa: E402

EXPLANATIONS = Path(__file__).with_name("explanations.yaml")
PASS_COLOUR, FAIL_COLOUR, BAND_COLOUR = OKABE_ITO[2], OKABE_ITO[3], "#bfe3d6"


def explanations(path: Path = EXPLANATIONS) -> dict[str, str]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}


def fmt(value: float, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    a = abs(value)
    text = f"{value:.3f}" if a < 1 else f"{value:.2f}" if a < 100 else f"{value:.0f}"
    return text


# ---------------------------------------------------------------------------- figures


def fact_figure(fact: int, checks: Sequence[Check], values: pd.DataFrame,
                summary: pd.DataFrame):
    """One panel per check of the fact: every seed's value (dots), the mean and the middle
    90 % of seeds (black bar), the target band (shaded), pass / fail in the title."""
    theme()
    n = len(checks)
    fig, axes = plt.subplots(n, 1, figsize=(7.5, 1.55 + 1.25 * n), squeeze=False,
                             layout="constrained")
    for ax, check in zip(axes[:, 0], checks):
        v = values.loc[values["check"] == check.id, "value"].to_numpy(float)
        row = summary.set_index("check").loc[check.id]
        defined = v[~np.isnan(v)]
        lo, hi = check.band
        finite = [x for x in (lo, hi, *defined) if np.isfinite(x)]
        span = (max(finite) - min(finite)) if finite else 1.0
        pad = 0.15 * span if span > 0 else 0.5
        x_min, x_max = min(finite) - pad, max(finite) + pad
        band_lo = lo if np.isfinite(lo) else x_min
        band_hi = hi if np.isfinite(hi) else x_max
        if band_hi > band_lo:
            ax.axvspan(band_lo, band_hi, color=BAND_COLOUR, alpha=0.8, lw=0,
                       label="target band")
        else:
            ax.axvline(band_lo, color=OKABE_ITO[2], lw=3, alpha=0.6, label="target")
        jitter = np.linspace(-0.18, 0.18, len(defined)) if len(defined) > 1 else [0.0]
        ax.scatter(defined, jitter[:len(defined)], s=22, color=OKABE_ITO[0], alpha=0.75,
                   zorder=3, label="one seed")
        if len(defined):
            ax.errorbar([row["mean"]], [0], xerr=[[row["mean"] - row["low"]],
                                                 [row["high"] - row["mean"]]],
                        fmt="D", color="black", ms=7, capsize=5, zorder=4,
                        label="mean, middle 90 % of seeds")
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.set_xlabel(check.unit)
        verdict = "PASS" if row["passed"] else "FAIL"
        missing = f", {int(row['seeds'] - row['defined'])} seeds undefined" \
            if row["defined"] < row["seeds"] else ""
        ax.set_title(f"{check.id}: {check.title} — {verdict}{missing}", fontsize=9.5,
                     loc="left", color=PASS_COLOUR if row["passed"] else FAIL_COLOUR,
                     wrap=True)
        if not len(defined):
            ax.text(0.5, 0.5, "undefined in every seed", transform=ax.transAxes,
                    ha="center", va="center", fontsize=10, color=FAIL_COLOUR)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    for ax in axes[1:, 0]:
        h, lab = ax.get_legend_handles_labels()
        for hh, ll in zip(h, lab):
            if ll not in labels:
                handles.append(hh)
                labels.append(ll)
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False,
               fontsize=8.5)
    fig.suptitle(f"Fact {fact}: {FACTS[fact]}", fontsize=11)
    return fig


# ---------------------------------------------------------------------------- text


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table_markdown(checks: Sequence[Check], summary: pd.DataFrame) -> str:
    lines = ["| Fact | Check | Kind | Source | Target | Model mean | 90 % interval | "
             "Seeds in band | Result |", "|---|---|---|---|---|---|---|---|---|"]
    s = summary.set_index("check")
    for c in checks:
        r = s.loc[c.id]
        interval = f"{fmt(r['low'])} to {fmt(r['high'])}"
        seeds = f"{int(r['in_band'])}/{int(r['seeds'])}" + (
            f" ({int(r['not_run'])} did not run)" if r["not_run"] else "")
        result = "**pass**" if r["passed"] else "**FAIL**"
        target = c.target if c.sourced_band else f"{c.target} (band not from a source)"
        lines.append(f"| {c.fact} | {c.id}: {_cell(c.title)} | {c.kind} | {_cell(c.source)} | "
                     f"{_cell(target)} | {fmt(r['mean'])} | {interval} | {seeds} | "
                     f"{result} |")
    return "\n".join(lines)


def by_kind(checks: Sequence[Check]) -> list[tuple[str, list[Check]]]:
    """The checks grouped by kind, held out first (`REPORT_ORDER`); empty kinds left
    out."""
    groups = [(kind, [c for c in checks if c.kind == kind]) for kind in REPORT_ORDER]
    return [(kind, group) for kind, group in groups if group]


def counts_markdown(checks: Sequence[Check], summary: pd.DataFrame) -> str:
    """One row per kind: checks, passes, and checks whose band has no source."""
    passed = summary.set_index("check")["passed"]
    lines = ["| Kind | Checks | Pass | Band not from a source |", "|---|---|---|---|"]
    for kind in REPORT_ORDER:
        group = [c for c in checks if c.kind == kind]
        unsourced = [c.id for c in group if not c.sourced_band]
        lines.append(f"| {kind} | {len(group)} | {int(sum(passed[c.id] for c in group))} | "
                     f"{len(unsourced)}{' (' + ', '.join(unsourced) + ')' if unsourced else ''} |")
    return "\n".join(lines)


# What an observed series' provenance (its .json) says beside the comparison.
OBSERVED_NOTES = ("left_out", "caveats")


def predictions_markdown(predictions_dir: Path, observed_dir: Path) -> str:
    """The held-out predictions (`experiments.predictions`): per file, what was predicted,
    when, from what, and each value beside the observed one where the project has it
    (compared only if the prediction was written before the data were read)."""
    files = sorted(Path(predictions_dir).glob("*.json"))
    if not files:
        return ""
    out = ["## Held-out predictions", "",
           "*written to a committed file (`experiments/predictions/`) before anything they "
           "predict was read into the project; compared only then.*", ""]
    for path in files:
        out += _prediction_markdown(path, observed_path(path, observed_dir))
    return "\n".join(out) + "\n"


def _prediction_markdown(path: Path, observed_file: Path) -> list[str]:
    pred = read_predictions(path)
    runs = int(pred.rows["runs"].max())
    out = [f"### `{path.name}`", "",
           f"- *Quantity*: {pred.quantity}",
           f"- *Written*: {pred.written_at.isoformat()} by code {pred.code_version}; "
           f"seeds {pred.seeds[0]}-{pred.seeds[-1]} ({len(pred.seeds)} runs)",
           f"- *Status*: {pred.status}", *_posterior_note(pred)]
    for key, source in pred.inputs.get("sources", {}).items():
        out.append(f"- *Input {key}*: {source}")
    table = pred.rows.rename(columns={"value": "predicted"}).assign(
        value_observed=np.nan, observed_in_range=False)
    verdict, notes = "not in the project", []
    if observed_file.is_file():
        observed, read_at, source = read_observed(observed_file)
        provenance = yaml.safe_load(observed_file.with_suffix(".json").read_text())
        notes = [f"- *Observed, {key.replace('_', ' ')}*: {provenance[key]}"
                 for key in OBSERVED_NOTES if key in provenance]
        try:
            table = compare(pred, observed, read_at)
            seen = table["value_observed"].notna()
            verdict = (f"{source} (read {read_at:%Y-%m-%d}); in the predicted range: "
                       f"{int(table.loc[seen, 'observed_in_range'].sum())} of {int(seen.sum())}")
        except PredictionError as exc:
            verdict = f"not compared: {exc}"
    out += [f"- *Observed*: {verdict}", *notes, "",
            f"| Stage | School year | Predicted (mean of {runs} runs) | Range over the runs | "
            "Observed | Observed in the range |", "|---|---|---|---|---|---|"]
    for r in table.itertuples():
        seen = not np.isnan(r.value_observed)
        out.append(f"| {r.stage.upper()} | {r.school_year} | {_percent(r.predicted)} | "
                   f"{_percent(r.low)} to {_percent(r.high)} | "
                   f"{_percent(r.value_observed) if seen else 'n/a'} | "
                   f"{('yes' if r.observed_in_range else '**no**') if seen else 'n/a'} |")
    return out + [""]


def _posterior_note(pred, shipped_ensemble: Path = ENSEMBLE) -> list[str]:
    """Which posterior the prediction drew from, against the one shipped now: after a refit
    it stays the earlier model's prediction, and the refit does not make a new one held out
    (the observed values may have been read since)."""
    written_on = pred.inputs.get("posterior_ensemble_sha256")
    if written_on is None:
        return []
    shipped = (hashlib.sha256(shipped_ensemble.read_bytes()).hexdigest()
               if shipped_ensemble.is_file() else "none")
    if written_on == shipped:
        return [f"- *Posterior*: the one shipped now (sha256 {written_on[:8]})"]
    return [f"- *Posterior*: an earlier ensemble (sha256 {written_on[:8]}), not the one "
            f"shipped now ({shipped[:8]}): this is the earlier calibration's prediction, kept "
            "as written and compared with the observed values as they were first read; no "
            "prediction of the current calibration is held out unless written before the "
            "values it predicts were read"]


def _percent(value: float) -> str:
    return f"{100 * value:+.1f} %"


KIND_MEANING = {
    "held out": "nothing was fitted to these: they test the model.",
    "seen": "held out until they failed; the model (from an independent source, not "
            "fitted to them) or the check's measure was then changed with their observed "
            "values known, so a pass here is not a test.",
    "calibration target": "parameters were fitted, or set by hand, against these: a pass "
                          "shows the fit, not the model's truth.",
    "input": "the value is a setting: the check guards that nothing undoes it.",
    "by construction": "a rule of the model makes these hold: the check guards the rule.",
}


def build_markdown(checks: Sequence[Check], values: pd.DataFrame, summary: pd.DataFrame,
                   figure_paths: dict[int, str], meta: dict, predictions: str = "") -> str:
    """The report; `predictions` (`predictions_markdown`) goes first, after the counts."""
    notes = explanations()
    passed = int(summary["passed"].sum())
    held_out = summary[summary["kind"] == HELD_OUT]
    out = ["# Validation against the evidence", "",
           "Generated by `schoolsim-validate` — do not edit by hand; regenerate with the "
           "command below. Each stylised fact of issue 7 is a declared check "
           "(`experiments/targets.yaml`: scenarios, measure, target band, source, kind). "
           "Every scenario runs at every seed; paired scenarios share the seed (common "
           "random numbers). The interval is the middle 90 % of seeds (5th to 95th "
           "percentile).", ""]
    for key, value in meta.items():
        out.append(f"- **{key}**: {value}")
    out += ["", f"**Held out: {int(held_out['passed'].sum())} of {len(held_out)} pass.** "
            f"All kinds: {passed} of {len(checks)} checks pass.", "",
            "Each check is labelled with the kind of evidence it is: *held out* (nothing "
            "was fitted to it), *seen* (held out until it failed, then the model or "
            "its measure changed with its value known), *calibration target*, *input* or *by construction*; "
            "only the held-out checks test the model. A band marked *not from a source* is a "
            "direction or a threshold of ours, not a number from the evidence.", "",
            counts_markdown(checks, summary), "",
            "Pass rules: *mean* — the mean over seeds lies in the target band; *majority* — "
            "and more than half of the seeds do; *all* — every seed does. A seed where the "
            "measure is undefined counts against *majority* and *all*; a seed whose scenario "
            "cannot be set up (e.g. Families cannot be formed in that seed's region) is left "
            "out and listed under its check.", ""]
    if predictions:
        out += [predictions]
    for kind, group in by_kind(checks):
        out += [f"## {kind.capitalize()} ({len(group)})", "", f"*{KIND_MEANING[kind]}*", "",
                table_markdown(group, summary), ""]
    s = summary.set_index("check")
    for fact in sorted({c.fact for c in checks}):
        out += [f"## Fact {fact}: {FACTS[fact]}", ""]
        if fact in figure_paths:
            out += [f"![Fact {fact}]({figure_paths[fact]})", ""]
        for c in (c for c in checks if c.fact == fact):
            r = s.loc[c.id]
            verdict = "passes" if r["passed"] else "**fails**"
            out.append(f"**{c.id}** {verdict} (rule *{c.rule}*; target {c.target}; model "
                       f"{fmt(r['mean'])} {c.unit}, 90 % of seeds {fmt(r['low'])} to "
                       f"{fmt(r['high'])}; {int(r['defined'])} of {int(r['seeds'])} seeds "
                       "defined).")
            out.append("")
            out.append(f"- *Measure*: {c.definition}")
            out.append(f"- *Scenarios*: " + "; ".join(f"{role} = `{scenario}`"
                                                        for role, scenario in c.roles.items()))
            out.append(f"- *Kind*: {c.kind} ({c.why})")
            out.append(f"- *Source*: {c.source}")
            out.append(f"- *Band*: {c.band_source or 'not from a source'}")
            if c.note:
                out.append(f"- *Note*: {c.note}")
            errors = values.loc[(values["check"] == c.id) & (values["error"] != ""),
                                ["seed", "error"]]
            for seed, error in errors.itertuples(index=False):
                out.append(f"- *Seed {seed} did not run*: {error}")
            if c.id in notes:
                label = "Comment" if r["passed"] else "Why it fails"
                out.append(f"- *{label}*: {notes[c.id]}")
            elif not r["passed"]:
                out.append("- *Why it fails*: not yet explained.")
            out.append("")
    return "\n".join(out) + "\n"


CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
table { border-collapse: collapse; font-size: 0.88em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; }
th { background: #f2f2f2; }
img { max-width: 100%; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""


def build_html(markdown_text: str, figures: dict[int, bytes], figure_refs: dict[int, str]
               ) -> str:
    import markdown

    text = markdown_text
    for fact, ref in figure_refs.items():   # figures inline: the file stands alone
        data = base64.b64encode(figures[fact]).decode("ascii")
        text = text.replace(f"]({ref})", f"](data:image/png;base64,{data})")
    body = markdown.markdown(text, extensions=["tables"])
    body = body.replace("<strong>FAIL</strong>",
                        f"<strong style='color:{FAIL_COLOUR}'>FAIL</strong>").replace(
        "<strong>pass</strong>", f"<strong style='color:{PASS_COLOUR}'>pass</strong>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>schoolsim validation</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>\n")


def write_report(checks: Sequence[Check], values: pd.DataFrame, summary: pd.DataFrame,
                 out_dir: str | os.PathLike, markdown_path: str | os.PathLike | None = None,
                 meta: dict | None = None, predictions: str = "") -> Path:
    """Write the report; returns the Markdown file's path."""
    out_dir = Path(out_dir)
    md_path = Path(markdown_path) if markdown_path else out_dir / "validation.md"
    figures: dict[int, bytes] = {}
    refs: dict[int, str] = {}
    for fact in sorted({c.fact for c in checks}):
        fig = fact_figure(fact, [c for c in checks if c.fact == fact], values, summary)
        png = io.BytesIO()
        fig.savefig(png, dpi=110, format="png")
        plt.close(fig)
        figures[fact] = png.getvalue()
        refs[fact] = os.path.relpath(out_dir / f"fact_{fact}.png", md_path.parent)
    text = build_markdown(checks, values, summary, refs, meta or {}, predictions)
    write_all({
        **{out_dir / f"fact_{fact}.png": _bytes_writer(data) for fact, data in figures.items()},
        out_dir / "validation.html": lambda p: p.write_text(build_html(text, figures, refs)),
        out_dir / "values.csv": lambda p: values.to_csv(p, index=False),
        out_dir / "summary.csv": lambda p: summary.to_csv(p, index=False),
        md_path: lambda p: p.write_text(text),
    })
    return md_path


def _bytes_writer(data: bytes):
    return lambda path: path.write_bytes(data)
