"""How figures look: readable labels with units, colour-blind-safe colours, one theme.

Every figure in `analysis.figures` takes its axis labels from `label` and its scenario
colours from `scenario_palette`, so the same scenario has the same colour (and dash) in
every figure of a report or notebook.
"""

from __future__ import annotations

from collections.abc import Iterable

import seaborn as sns

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common forms of
# colour blindness and in greyscale print. Black-grey is kept for the baseline.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
BASELINE_COLOUR = "#555555"
# Sequential and diverging maps that stay readable for colour-blind readers.
SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr_r"

# Units always in the label: attainment is in months of progress against the national mean.
LABELS = {
    "year": "Years since the start",
    "gap_months": "Disadvantage gap (months of progress)",
    "gap_months_primary": "Disadvantage gap, primary (months of progress)",
    "gap_months_secondary": "Disadvantage gap, secondary (months of progress)",
    # Long units go on a second line so that labels fit beside a panel.
    "attainment_disadvantaged": "Disadvantaged pupils' attainment\n(months of progress vs national mean)",
    "attainment_other": "Other pupils' attainment\n(months of progress vs national mean)",
    "attainment_school": "School attainment\n(months of progress vs national mean)",
    "expertise_mean": "Mean expertise (index, 0-1)",
    "expertise_sd_between": "Spread of expertise between schools\n(sd, index 0-1)",
    "between_school_sd": "Spread of attainment between schools (sd, months)",
    "segregation": "Segregation of disadvantaged pupils\n(dissimilarity index, 0-1)",
    "mean_trust": "Mean trust between partners (0-1)",
    "active_partnerships": "Active partnerships (count)",
    "disadvantaged_share": "Disadvantaged pupils in the school (%)",
    "take_up": "Schools that have taken up the practice (%)",
    "learning_loss_disadvantaged": "Pandemic learning loss still to recover,\n"
                                   "disadvantaged pupils (months)",
    "learning_loss_other": "Pandemic learning loss still to recover,\nother pupils (months)",
    "outstanding_share": "Schools graded outstanding (share, 0-1)",
}

# What a scheme name means to a reader who has not seen the code.
SCENARIO_NAMES = {
    "none": "no partnership",
    "trios": "trios",
    "families": "Families of Schools",
    "market": "a competitive market",
    "leadership": "system leadership",
    "peer_review": "peer review",
    "trusts": "multi-academy trusts",
    "mixed": "the mix of schemes",
}


def label(column: str) -> str:
    """An axis label with units for a column of the tidy tables."""
    if column in LABELS:
        return LABELS[column]
    if column.startswith("expertise_"):
        return f"Expertise in {column.removeprefix('expertise_')} (index, 0-1)"
    if "." in column:  # a config setting: its dotted name is what the user typed
        return column
    return column.replace("_", " ").capitalize()


# Panel titles where the label without its unit would still be too long for a title.
TITLES = {"learning_loss_disadvantaged": "Learning loss: disadvantaged pupils",
          "learning_loss_other": "Learning loss: other pupils"}


def short_label(column: str) -> str:
    """The label without its parenthesised unit (for titles)."""
    return TITLES.get(column) or label(column).replace("\n", " ").split(" (")[0]


def scenario_order(scenarios: Iterable[str], baseline: str | None = "none") -> list[str]:
    """Scenarios in a stable order with the baseline first, so colours never shuffle."""
    unique = sorted(set(scenarios))
    if baseline in unique:
        unique.remove(baseline)
        unique.insert(0, baseline)
    return unique


# The core schemes keep their colour in every figure, whatever else is plotted beside them.
FIXED_COLOURS = {"trios": "#009E73", "families": "#0072B2", "market": "#D55E00"}


def scenario_palette(scenarios: Iterable[str], baseline: str | None = "none") -> dict[str, str]:
    """Scenario -> colour: grey for the baseline, fixed colours for the core schemes,
    the remaining Okabe-Ito colours for any other scenario."""
    order = scenario_order(scenarios, baseline)
    palette = {s: FIXED_COLOURS[s] for s in order if s in FIXED_COLOURS and s != baseline}
    others = [s for s in order if s not in palette and s != baseline]
    # Other scenarios take the colours no core scheme owns first, so none looks like one.
    free = ([c for c in OKABE_ITO if c not in FIXED_COLOURS.values()]
            + [c for c in FIXED_COLOURS.values() if c not in palette.values()])
    if len(others) > len(free):
        free = sns.color_palette("colorblind", len(others)).as_hex()
    palette.update(zip(others, free))
    if baseline in order:
        palette[baseline] = BASELINE_COLOUR
    return palette


def categorical_palette(n: int) -> list:
    """n distinguishable colours for categories that are not scenarios (local authorities)."""
    return sns.color_palette("colorblind", n)


def theme() -> None:
    """The seaborn theme every figure uses: white grid, text large enough to project."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=1.0,
                  rc={"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold",
                      "axes.titlesize": 12, "figure.titlesize": 13})
