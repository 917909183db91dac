"""The record of a fit: Markdown (targets, achieved values, fitted parameters and what the
trials say about their identification, method, budget, seeds), every trial as CSV, and a
profile figure per parameter."""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.style import OKABE_ITO, theme  # noqa: E402
from experiments.calibration.fit import DELTA, FitResult, profile  # noqa: E402
from experiments.validation.checks import select  # noqa: E402
from sim.atomic import write_all  # noqa: E402


def profiles_figure(result: FitResult, parameters):
    theme()
    n = len(parameters)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False,
                             layout="constrained")
    table = result.trials
    ident = result.identification.set_index("parameter")
    for ax, p in zip(axes.flat, parameters):
        ax.scatter(table[p.name], table["loss"], s=10, color=OKABE_ITO[0], alpha=0.5,
                   label="one trial")
        prof = profile(table, p).dropna()
        ax.plot(prof.index, prof.values, "-o", color="black", ms=4, label="profile (lowest "
                "loss per fifth of the range)")
        r = ident.loc[p.name]
        ax.axvspan(r["plausible_low"], r["plausible_high"], color=OKABE_ITO[2], alpha=0.2,
                   lw=0, label=f"trials within {DELTA:g} of the best loss")
        sl = result.slices[result.slices["parameter"] == p.name]
        ax.plot(sl["value"], sl["loss"], "--s", color=OKABE_ITO[1], ms=4,
                label="slice: this parameter moved, the others at the fit")
        ax.axvline(r["best"], color=OKABE_ITO[3], lw=1.5, label="fitted value")
        ax.set_yscale("log")
        if p.log:
            from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

            ax.set_xscale("log")
            ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(p.name)
        ax.set_ylabel("loss")
        ax.set_title(r["status"].split(" (")[0], fontsize=9)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    fig.suptitle("Calibration: loss against each parameter over all trials", fontsize=11)
    return fig


TARGETS_FORMAT = (
    "## The targets\n\n"
    "Every quantity the model is compared with is declared once, in `experiments/targets.yaml` "
    "(read and checked by `experiments.validation.checks.load_checks`; the format is described "
    "at the top of the file). Each entry has an `id`, the `fact` it belongs to, its `kind` "
    "(*input*: given to the model; *calibration target*: fitted here; *by construction*; "
    "*held out*: never used to set or fit anything), a `title`, its `source`, the `target` as a "
    "reader sees it, its `band` (for a calibration target: where the real value lies with about "
    "95 % probability) and `centre`, the `measure` it is computed from (a named function of "
    "`experiments/validation/measures.py`, with keyword `args`, on the tidy tables of one "
    "seed's runs) and the `roles` it needs (role -> a scenario of the file's `scenarios`). "
    "`schoolsim-validate` checks them all; `schoolsim-calibrate` fits the parameters to the "
    "entries of kind *calibration target* that its spec lists.\n")


def markdown(result: FitResult, spec, runtime: float, config_path: str, files: dict) -> str:
    checks = {c.id: c for c in select(list(spec.targets))}
    lines = ["# Calibration record", "",
             "Written by `schoolsim-calibrate`; do not edit by hand. The fitted values are in "
             f"`{config_path}`, which `configs/config.yaml` uses by default "
             "(`calibration: default`; `calibration=none` gives the code's own defaults).", "",
             TARGETS_FORMAT,
             "## Method and budget", "",
             f"- **Method**: optuna {_optuna_version()} TPE sampler (multivariate), in-memory "
             f"storage; {spec.startup_trials} random start-up trials, then TPE.",
             f"- **Loss**: Σ over targets of ((replicate mean − target) / half-width of the "
             "target band)²; an undefined mean costs 25.",
             f"- **Budget**: {spec.trials} trials × {len(spec.replicates)} replicate seeds "
             f"({', '.join(map(str, spec.replicates))}; the same seeds in every trial: common "
             f"random numbers); runtime {runtime / 60:.1f} min on this machine.",
             f"- **Sampler seed**: {spec.sampler_seed} (the same spec gives the same fit).",
             f"- **Runs**: every scenario the targets need, with "
             + (", ".join(f"`{b}`" for b in spec.base) or "no extra overrides")
             + " (the target measures are ratios, shares and gaps, which do not depend on the "
             "number of schools; a smaller region keeps the budget in minutes).",
             f"- **Spec**: `{files.get('spec', '')}`.", "",
             "## Targets and achieved values (best trial, replicate mean)", "",
             "| Target | Check | Target value | Band | Achieved | In band |",
             "|---|---|---|---|---|---|"]
    for tid in spec.targets:
        c = checks[tid]
        value = result.achieved[tid]
        inside = c.band[0] <= value <= c.band[1] if not math.isnan(value) else False
        lines.append(f"| {tid} | {c.title} | {c.centre:g} | {c.band[0]:g} to {c.band[1]:g} "
                     f"| {value:.3g} | {'yes' if inside else '**no**'} |")
    lines += ["", f"Best loss: {result.best_loss:.2f} (0 = every target hit exactly; "
              f"{len(spec.targets)} = every target at the edge of its band).", "",
              "## Fitted parameters", "",
              "| Parameter | Range | Fitted | Trials within 1 of the best loss | Status |",
              "|---|---|---|---|---|"]
    for r in result.identification.itertuples():
        lines.append(f"| `{r.parameter}` | {r.low:g} to {r.high:g} | {r.best:.4g} | "
                     f"{r.plausible_low:.3g} to {r.plausible_high:.3g} "
                     f"({100 * r.plausible_share_of_range:.0f} % of the range) | {r.status} |")
    lines += ["", "*Status*: *not identified* when moving the parameter across its whole range, "
              f"the others held at the fit, changes the loss by less than {DELTA:g} (the "
              "targets do not pin it down; its fitted value is one of many as good); *pinned "
              "at the edge of its range* when the fit lies within 5 % of an end of the range "
              "(on the log scale for log parameters): the targets push it further than the "
              "range allows; *bounded on one side only* when the slice rises by "
              f"{DELTA:g} at one end of the range only (the targets rule out high, or low, "
              "values; the rest of the range is as good as the fit); *weakly identified* when the trials within "
              f"{DELTA:g} of the best loss span half its range or more (it trades off against "
              "other parameters); otherwise *identified*. The figure shows each parameter's "
              "trials, its profile (lowest loss per fifth of the range) and the slice.",
              "", f"![Profiles]({files['figure']})", "",
              f"Every trial: `{files['trials']}`; the slices: `{files['slices']}`.", ""]
    return "\n".join(lines) + "\n"


def _optuna_version() -> str:
    import optuna

    return optuna.__version__


def write_record(result: FitResult, spec, runtime: float, config_path: str,
                 record_path: str | os.PathLike, spec_path: str) -> Path:
    record_path = Path(record_path)
    folder = record_path.with_suffix("")          # docs/calibration.md -> docs/calibration/
    fig_path, slices_path, trials_path = (folder / "profiles.png", folder / "slices.csv",
                                          folder / "trials.csv")
    rel = lambda p: os.path.relpath(p, record_path.parent)  # noqa: E731
    files = {"figure": rel(fig_path), "trials": rel(trials_path), "spec": spec_path,
             "slices": rel(slices_path)}
    text = markdown(result, spec, runtime, config_path, files)
    fig = profiles_figure(result, spec.parameters)
    try:
        write_all({
            fig_path: lambda p: fig.savefig(p, dpi=110, format="png"),
            slices_path: lambda p: result.slices.to_csv(p, index=False),
            trials_path: lambda p: result.trials.to_csv(p, index=False),
            record_path: lambda p: p.write_text(text, encoding="utf-8"),
        })
    finally:
        plt.close(fig)
    return record_path


def header(result: FitResult, spec, record_path: str) -> str:
    lines = [f"Calibrated by schoolsim-calibrate ({spec.method}, {spec.trials} trials x "
             f"{len(spec.replicates)} seeds, sampler seed {spec.sampler_seed}); best loss "
             f"{result.best_loss:.2f}.",
             f"Record of the fit (targets, achieved values, identification): {record_path}.",
             "Identification:"]
    for r in result.identification.itertuples():
        lines.append(f"  {r.parameter}: {r.status}")
    return "\n".join(lines)
