"""The record of a calibration: Markdown (targets and their reachability, what the
posterior says about each parameter and target, correlations, diagnostics, method, budget),
every run as CSV, and a figure of the posterior marginals."""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from analysis.style import OKABE_ITO, theme  # noqa: E402
from experiments.calibration.fit import FOLDS, LEVEL, PARTLY, PINNED, FitResult  # noqa: E402
from experiments.validation.checks import CHECKS, select  # noqa: E402
from sim.atomic import write_all  # noqa: E402

PCT = round(100 * LEVEL)


TARGETS_FORMAT = (
    "## The targets\n\n"
    "Every quantity the model is compared with is declared once, in `experiments/targets.yaml` "
    "(read and checked by `experiments.validation.checks.load_checks`; the format is described "
    "at the top of the file). Each entry has an `id`, the `fact` it belongs to, its `kind` "
    "(*input*: given to the model; *calibration target*: fitted here; *by construction*; "
    "*held out*: never used to set or fit anything; *seen*: held out until it failed, then "
    "the model or its measure changed with its value known), a `title`, its `source`, the "
    "`target` as a reader sees it, its `band` (for a calibration target: where the real value "
    "lies with about 95 % probability) and `centre`, the `measure` it is computed from (a "
    "named function of "
    "`experiments/validation/measures.py`, with keyword `args`, on the tidy tables of one "
    "seed's runs) and the `roles` it needs (role -> a scenario of the file's `scenarios`). "
    "`schoolsim-validate` checks them all; `schoolsim-calibrate` fits the parameters to the "
    "entries of kind *calibration target* that its spec lists.\n")


def marginals_figure(result: FitResult):
    theme()
    parameters = result.parameters
    n = len(parameters)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False,
                             layout="constrained")
    summary = result.summary.set_index("parameter")
    points = result.runs.drop_duplicates("point")
    for ax, p in zip(axes.flat, parameters):
        bins = (np.geomspace(p.low, p.high, 21) if p.log else np.linspace(p.low, p.high, 21))
        ax.hist(result.ensemble[p.name], bins=bins, color=OKABE_ITO[0], alpha=0.8,
                label="posterior ensemble")
        ax.plot(points[p.name], np.zeros(len(points)), "|", color="black", ms=8,
                label="design points (all waves)")
        r = summary.loc[p.name]
        ax.axvspan(r["interval_low"], r["interval_high"], color=OKABE_ITO[2], alpha=0.2, lw=0,
                   label=f"{PCT} % posterior interval")
        if p.log:
            ax.set_xscale("log")
            # 1-2-5 ticks as plain numbers: the default minor labels (2 x 10^-2, ...) overlap.
            ticks = [m * 10.0 ** e for e in range(-4, 4) for m in (1, 2, 5)
                     if p.low <= m * 10.0 ** e <= p.high]
            ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlim(p.low, p.high)
        ax.set_xlabel(p.name)
        ax.set_title(f"{r['status'].split(' (')[0]}; contraction {r['contraction']:.2f}",
                     fontsize=9)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    fig.suptitle("Calibration: the posterior of each parameter over its prior range",
                 fontsize=11)
    return fig


def _g(x: float) -> str:
    return "n/a" if x != x else f"{x:.3g}"


def reach_table(result: FitResult, checks) -> list[str]:
    point_means = (result.runs.groupby(["target", "point"])["value"].mean()
                   .groupby("target").agg(["min", "max"]))
    lines = ["| Target | Check | Band | Seed means over the design points | Nearest emulated "
             "value | Smallest distance outside the band (emulator sd) | Reachable |", "|---|---|---|---|---|---|---|"]
    for t in result.targets:
        c, r = checks[t.id], result.reach[t.id]
        lo, hi = point_means.loc[t.id] if t.id in point_means.index else (np.nan, np.nan)
        lines.append(f"| {t.id} | {c.title} | {c.band[0]:g} to {c.band[1]:g} | {_g(lo)} to "
                     f"{_g(hi)} | {_g(r.closest)} | {_g(r.distance)} | "
                     + ("yes" if r.reachable else f"**no ({r.why_not}): left out of the fit**")
                     + " |")
    return lines


def declared_table(result: FitResult) -> list[str]:
    """Every declared target and what this calibration does with it."""
    listed = {t.id: result.reach[t.id] for t in result.targets}
    lines = ["| Target | Kind | In this calibration |", "|---|---|---|"]
    for c in CHECKS:
        if c.id in listed:
            use = ("fitted" if listed[c.id].reachable
                   else f"listed, **left out of the fit** ({listed[c.id].why_not})")
        elif c.calibrate:
            use = "not in this calibration's spec"
        else:
            use = f"not fitted ({c.kind}: {c.why})"
        lines.append(f"| {c.id}: {c.title} | {c.kind} | {use} |")
    return lines


def _upper_bounds(result: FitResult) -> str:
    """The method's sentence on targets that are upper bounds ("" when there are none)."""
    upper = [t.id for t in result.targets if t.upper_bound]
    if not upper:
        return ""
    return (f" Upper bounds ({', '.join(upper)}: the source gives only the most the real value "
            "can be) count only above the band's top b: the likelihood is the chance that the "
            "model's realisation lies below the bound, read as soft with the same observation "
            "sd, Phi((b - expected value) / sd), so every set well below the bound is equally "
            "likely (`bayes.py`).")


def markdown(result: FitResult, meta: dict, files: dict) -> str:
    checks = {c.id: c for c in select([t.id for t in result.targets])}
    b = result.budget
    left_out = [t.id for t in result.targets if not result.reach[t.id].reachable]
    lines = ["# Calibration record", "",
             "Written by `schoolsim-calibrate`; do not edit by hand. "
             f"**{meta['label']}** Model: code version `{meta['code_version']}`. The posterior "
             f"ensemble ({len(result.ensemble)} parameter sets) is `{files['ensemble']}`, used "
             "by `calibration=posterior` (each run draws its set from its seed); the "
             f"posterior medians are `{files['config']}` (`calibration="
             f"{Path(files['config']).stem}`). {meta['defaults']}", "", TARGETS_FORMAT,
             "Every declared target, its kind and what this calibration does with it (a "
             "parameter fitted to a target is free: no setting is itself a target's value):",
             "", *declared_table(result), "",
             "## Method and budget", "",
             "- **Method**: history matching with Gaussian-process emulators (scikit-learn "
             f"{meta['sklearn']}), then the Bayesian posterior on the emulators "
             "(`experiments/calibration/`: `fit.py`, `bayes.py`, `emulator.py`). One emulator "
             "per target models the expected value over seeds and, with a white-noise term "
             "fitted to the replicates, the seed noise. The real value of target *k* is read "
             "as the model's expected value plus seed noise plus an observation error whose "
             "95 % range is the target's band (sd = half the band's half-width); the prior is "
             "uniform on each range (log-uniform where marked). The posterior is sampled by "
             "adaptive importance sampling on the emulators and resampled into the ensemble."
             + _upper_bounds(result),
             f"- **Reachability first**: a target whose emulated expected value lies more than "
             f"{b.cutoff:g} emulator sd outside its band at every one of {b.candidates} prior "
             "points is reached by no parameter set; it is reported below and left out of "
             "the fit.",
             f"- **Budget**: {b.design_points} Latin-hypercube points"
             + (f", then {b.waves - 1} wave(s) of {b.wave_points} drawn from the current "
                "posterior" if b.waves > 1 else " (one wave)") + ": "
             f"{result.runs['point'].nunique()} parameter sets × {b.seeds_per_point} seeds of "
             f"their own = {result.runs.drop_duplicates(['point', 'seed']).shape[0]} jobs, "
             "each running every scenario the targets need"
             + (f" ({meta['target_seeds']})" if meta.get("target_seeds") else "")
             + f"; runtime {meta['runtime']}."
             + (f" {meta['full_budget']}" if meta.get("full_budget") else ""),
             f"- **Sampler seed**: {b.sampler_seed} (the same spec gives the same posterior, "
             "whatever the number of processes).",
             "- **Runs**: " + (", ".join(f"`{x}`" for x in meta["base"]) or "no extra overrides")
             + f"; spec `{files['spec']}`.", "",
             "## Reachability", ""]
    lines += reach_table(result, checks)
    lines += ["", ("Left out of the fit: "
                   + ", ".join(left_out) + ".") if left_out else
              "Every target is reachable.", "",
              "## The targets over the posterior", "",
              f"The model's expected value (over seeds) at the ensemble's parameter sets, as "
              f"the emulators give it: median and {PCT} % interval over the ensemble "
              "(parameter uncertainty; a single run adds the seed noise of the diagnostics "
              "table).", "",
              "| Target | Band | Median | " + f"{PCT} % interval | Median in band | In the fit |",
              "|---|---|---|---|---|---|"]
    for r in result.predictive.itertuples():
        lines.append(f"| {r.target} | {r.band_low:g} to {r.band_high:g} | {_g(r.median)} | "
                     f"{_g(r.interval_low)} to {_g(r.interval_high)} | "
                     f"{'yes' if r.in_band else '**no**'} | "
                     f"{'yes' if r.reachable else 'no (' + r.why_not + ')'} |")
    met = result.predictive[result.predictive["in_band"]]["target"].tolist()
    missed = result.predictive[~result.predictive["in_band"]
                               & result.predictive["reachable"]]["target"].tolist()
    lines += ["", f"Met by the posterior (median in band): {', '.join(met) or 'none'}. "
              + (f"Reachable one at a time but not met by the posterior: {', '.join(missed)} "
                 "(the targets pull against each other, or seed noise leaves them little "
                 "weight: see the diagnostics)." if missed else ""),
              "", "## Parameters", "",
              f"| Parameter | Prior range | Posterior median | {PCT} % posterior interval | "
              "Contraction | What the targets say |", "|---|---|---|---|---|---|"]
    for r in result.summary.itertuples():
        scale = " (log)" if r.log else ""
        lines.append(f"| `{r.parameter}` | {r.low:g} to {r.high:g}{scale} | {r.median:.4g} | "
                     f"{r.interval_low:.4g} to {r.interval_high:.4g} | {r.contraction:.2f} | "
                     f"{r.status} |")
    lines += ["", "*Contraction*: 1 − posterior variance / prior variance on the unit scale "
              f"of the range (0: the targets say nothing; 1: one value). *Pinned down* from "
              f"{PINNED:g}, *partly constrained* from {PARTLY:g}; *at an end of its range* when "
              "the posterior median lies in the outer 5 % (the targets push it further than "
              "the range allows).", "",
              "### Which targets speak to which parameter", "",
              "Range of the emulated expected value as the parameter moves over its whole "
              "range, the others at the posterior median, in the target's observation sd "
              "(above 1, in bold: the target tells values of the parameter apart).", "",
              "| Target | " + " | ".join(f"`{p.name}`" for p in result.parameters) + " |",
              "|---|" + "---|" * len(result.parameters)]
    for tid, row in result.informs.iterrows():
        cells = [f"**{v:.1f}**" if v >= 1 else f"{v:.1f}" for v in row]
        lines.append(f"| {tid} | " + " | ".join(cells) + " |")
    lines += ["", "### Posterior correlations", "",
              "Between the ensemble's parameters (unit scale of the ranges): a strong "
              "correlation is a trade-off the targets cannot resolve.", "",
              "| | " + " | ".join(f"`{n}`" for n in result.correlations.columns) + " |",
              "|---|" + "---|" * len(result.correlations.columns)]
    for name, row in result.correlations.iterrows():
        lines.append(f"| `{name}` | " + " | ".join(f"{v:+.2f}" for v in row) + " |")
    lines += ["", "## Diagnostics", "",
              f"- Effective sample size of the final importance sample: {result.ess:.0f} "
              f"(the ensemble resamples {len(result.ensemble)} sets from it"
              + ("; fewer than the ensemble: sets repeat" if result.ess < len(result.ensemble)
                 else "") + ").",
              f"- Distinct parameter sets in the ensemble: "
              f"{len(result.ensemble.drop_duplicates())}.", "",
              "| Target | Runs | Undefined | Seed sd (emulator's noise term) | Seed sd "
              f"(replicates) | Cross-validated coverage of the {PCT} % predictive interval |",
              "|---|---|---|---|---|---|"]
    for r in result.diagnostics.itertuples():
        lines.append(f"| {r.target} | {r.runs} | {r.undefined} | {_g(r.seed_sd_emulator)} | "
                     f"{_g(r.seed_sd_replicates)} | {_g(r.cv_coverage)} |")
    lines += ["", "*Undefined*: runs where the measure has no value (a scenario could not be "
              "set up, or the quantity is not defined for that seed); they are left out of the "
              "emulator. *Coverage*: the share of seed values of held-out design points "
              f"({FOLDS} folds of design points) inside the emulator's {PCT} % "
              f"predictive interval; near {LEVEL:g} the emulator's uncertainty is honest.", "",
              f"![Posterior marginals]({files['figure']})", "",
              f"Every run's values: `{files['runs']}`.", ""]
    return "\n".join(lines) + "\n"


def write_record(result: FitResult, meta: dict, record_path: str | os.PathLike,
                 files: dict) -> Path:
    record_path = Path(record_path)
    folder = record_path.with_suffix("")          # docs/calibration.md -> docs/calibration/
    fig_path, runs_path = folder / "posterior.png", folder / "runs.csv"
    rel = lambda p: os.path.relpath(p, record_path.parent)  # noqa: E731
    files = {**files, "figure": rel(fig_path), "runs": rel(runs_path)}
    text = markdown(result, meta, files)
    fig = marginals_figure(result)
    try:
        write_all({
            fig_path: lambda p: fig.savefig(p, dpi=110, format="png"),
            runs_path: lambda p: result.runs.to_csv(p, index=False, float_format="%.6g"),
            record_path: lambda p: p.write_text(text, encoding="utf-8"),
        })
    finally:
        plt.close(fig)
    return record_path


def header(result: FitResult, meta: dict, record_path: str) -> str:
    lines = [f"Calibrated by schoolsim-calibrate (history matching, GP emulators; "
             f"{result.runs['point'].nunique()} parameter sets x "
             f"{result.budget.seeds_per_point} seeds; code version {meta['code_version']}).",
             meta["label"],
             f"Record (targets, reachability, posterior, diagnostics): {record_path}.",
             "Posterior (median; " + f"{PCT} % interval; what the targets say):"]
    for r in result.summary.itertuples():
        lines.append(f"  {r.parameter}: {r.median:.4g} ({r.interval_low:.4g} to "
                     f"{r.interval_high:.4g}); {r.status}")
    return "\n".join(lines)
