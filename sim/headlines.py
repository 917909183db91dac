"""The few numbers a reader wants first from a run's summary, start vs end.

Every gap is shown with the attainment of disadvantaged pupils (and of the others) beside
it, and a gap that narrows mostly because other pupils fell is flagged ("levelling down",
the same test as the comparisons', `sim.effects.narrowed_by_falling`), which no one should
mistake for help.
"""

from __future__ import annotations

from sim.effects import narrowed_by_falling, paired_effect

# Each gap (other minus disadvantaged, months) and the two groups' attainment it is made of.
GAPS = (
    ("", "Disadvantage gap, KS2 and KS4 cohorts (months)"),
    ("_primary", "Gap at KS2, end of primary (months)"),
    ("_secondary", "Gap at KS4, end of secondary (months)"),
)
HEADLINES = tuple(row for suffix, label in GAPS for row in (
    (f"gap_months{suffix}", label),
    (f"attainment_disadvantaged{suffix}", "  disadvantaged pupils (months vs expected)"),
    (f"attainment_other{suffix}", "  other pupils (months vs expected)"),
)) + (
    ("gap_index_ks2", "DfE gap index, KS2 (0-10)"),
    ("gap_index_ks4", "DfE gap index, KS4 (0-10)"),
    ("expertise_mean", "Mean expertise (0-1)"),
    ("between_school_sd", "Between-school spread (months, sd)"),
    ("segregation_primary", "Segregation, primary (dissimilarity, 0-1)"),
    ("segregation_secondary", "Segregation, secondary (dissimilarity, 0-1)"),
    ("pupils", "Pupils on roll"),
)
# Counts print whole; every other row with two decimals.
WHOLE = {"pupils"}
DECIMALS = 2


def levelling_down_notes(first: dict, last: dict) -> list[str]:
    """One line per gap that narrowed from `first` to `last` mostly because other pupils
    fell (`sim.effects.narrowed_by_falling`, the comparisons' test, on the one run's
    changes). One run has no uncertainty to weigh a change against, so the test reads the
    changes as the table prints them: one that rounds to 0.00 is no change, not a narrowing
    (or a fall) too small to see."""
    notes = []
    for suffix, label in GAPS:
        gap, dis, oth = (_change(first, last, f"{key}{suffix}") for key in
                         ("gap_months", "attainment_disadvantaged", "attainment_other"))
        if None in (gap, dis, oth):
            continue
        gap, dis, oth = (round(c, DECIMALS) for c in (gap, dis, oth))
        if narrowed_by_falling(*(paired_effect([c]) for c in (gap, dis, oth))):
            notes.append(f"levelling down: {label.split(' (')[0].lower()} narrowed by "
                         f"{-gap:.2f} months mostly because other pupils fell {-oth:.2f}; "
                         f"disadvantaged pupils changed {dis:+.2f}")
    return notes


def _change(first: dict, last: dict, key: str):
    a, b = first.get(key), last.get(key)
    return None if a is None or b is None else b - a


def _cell(value, width: int, spec: str = f".{DECIMALS}f") -> str:
    """A number right-aligned, or `n/a` where a measure has no value (a missing phase); a
    signed number that rounds to zero without its sign (a change of -0.004 is 0.00, not a
    fall)."""
    text = "n/a" if value is None else format(value, spec)
    if text[0] in "+-" and float(text) == 0:
        text = text[1:]
    return f"{text:>{width}}"


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
        spec = ".0f" if key in WHOLE else f".{DECIMALS}f"
        lines.append(f"{label:44}{_cell(a, 9, spec)}{_cell(b, 10, spec)}"
                     f"{_cell(change, 9, '+' + spec)}")
    lines.extend(summary["levelling_down"])
    if summary.get("pupils_left_region_at_11"):
        lines.append(f"no secondary school in the region: {summary['pupils_left_region_at_11']}"
                     " pupils left it at the end of Year 6")
    if summary.get("pupils_left_to_neighbouring_authorities_at_11"):
        lines.append("to secondaries in neighbouring authorities: "
                     f"{summary['pupils_left_to_neighbouring_authorities_at_11']} pupils left "
                     "the region at the end of Year 6")
    if summary.get("pupils_without_year7_place_left_region_at_11"):
        lines.append("no Year 7 place in the region's secondaries: "
                     f"{summary['pupils_without_year7_place_left_region_at_11']} pupils left "
                     "it at the end of Year 6 (a school list's pupils also go to schools "
                     "outside it)")
    if summary.get("pupils_arrived_region_at_11"):
        lines.append(f"Year 7 from outside the region: {summary['pupils_arrived_region_at_11']}"
                     " pupils joined its secondaries' unfilled year groups")
    if summary.get("region_read_as"):
        lines.append(f"school list: read as {summary['region_read_as']}")
    if summary.get("region_rows_dropped"):
        notes = ", ".join(f"{n} {why}" for why, n in summary["region_rows_dropped"].items())
        # Only a school list is read from a file of the user's (`region_read_as`); a real
        # region's schools come from the census.
        source = "school list: rows" if summary.get("region_read_as") else "census: schools"
        lines.append(f"{source} not used: {notes}")
    rt = summary["runtime_seconds"]
    lines.append(f"runtime: {rt['setup']:.2f} s setup, {rt['simulation']:.2f} s simulation")
    return "\n".join(lines)
