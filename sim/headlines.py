"""The few numbers a reader wants first from a run's summary, start vs end."""

from __future__ import annotations

HEADLINES = (
    ("gap_months", "Disadvantage gap (months)"),
    ("gap_months_primary", "  primary"),
    ("gap_months_secondary", "  secondary"),
    ("attainment_disadvantaged", "Disadvantaged pupils (months vs national)"),
    ("attainment_other", "Other pupils (months vs national)"),
    ("expertise_mean", "Mean expertise (0-1)"),
    ("between_school_sd", "Between-school spread (months, sd)"),
    ("segregation", "Segregation (dissimilarity, 0-1)"),
)


def _cell(value, width: int, spec: str = ".2f") -> str:
    """A number right-aligned, or `n/a` where a measure has no value (a missing phase)."""
    return f"{'n/a' if value is None else format(value, spec):>{width}}"


def headline_table(summary: dict) -> str:
    """The few numbers a reader wants first, start vs end."""
    years = summary["years"]
    scenario = f"scenario={summary['scenario']} " if summary.get("scenario") else ""
    lines = [f"schoolsim: {scenario}scheme={summary['scheme']} region={summary['region']} "
             f"schools={summary['n_schools']} seed={summary['seed']} years={years}",
             f"{'':44}{'start':>9}{'year ' + str(years):>10}{'change':>9}"]
    for key, label in HEADLINES:
        a, b = summary["first"][key], summary["last"][key]
        change = None if a is None or b is None else b - a
        lines.append(f"{label:44}{_cell(a, 9)}{_cell(b, 10)}{_cell(change, 9, '+.2f')}")
    if summary.get("region_read_as"):
        lines.append(f"school list: read as {summary['region_read_as']}")
    if summary.get("region_rows_dropped"):
        notes = ", ".join(f"{n} {why}" for why, n in summary["region_rows_dropped"].items())
        lines.append(f"school list: rows not used: {notes}")
    rt = summary["runtime_seconds"]
    lines.append(f"runtime: {rt['setup']:.2f} s setup, {rt['simulation']:.2f} s simulation")
    return "\n".join(lines)
