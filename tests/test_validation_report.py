"""The validation report: every check labelled with its kind, held-out results first, counts
per kind (issue 14). Built from hand-made values, no model run."""

from __future__ import annotations

import pandas as pd

from experiments.validation import checks, report, runner

# Hand-made per-seed values: 1 passes (3x), 4a fails (1.0 is below 1.08), 5b passes (> 0),
# 9b passes (0 pairs).
VALUES = {"1": [3.0, 3.0, 3.0], "4a": [1.0, 1.0, 1.0], "5b": [0.5, 0.5, 0.5],
          "9b": [0.0, 0.0, 0.0]}


def hand_report():
    chosen = checks.select(list(VALUES))
    values = pd.DataFrame([{"check": c.id, "fact": c.fact, "seed": seed, "value": v, "error": ""}
                           for c in chosen for seed, v in enumerate(VALUES[c.id], 1)])
    summary = runner.summarise(chosen, values)
    return chosen, summary, report.build_markdown(chosen, values, summary, {}, {})


def test_every_check_has_a_kind_and_the_fitted_ones_are_calibration_targets():
    for c in checks.CHECKS:
        assert c.kind in checks.KINDS and c.why, c.id
        if c.calibrate:
            assert c.kind == checks.CALIBRATION, c.id
    # The losses of the pandemic are settings; formation refuses competitors.
    kinds = {c.id: c.kind for c in checks.CHECKS}
    assert kinds["4a"] == checks.INPUT and kinds["9b"] == checks.BY_CONSTRUCTION
    assert kinds["5b"] == checks.HELD_OUT


def test_the_report_leads_with_the_held_out_results():
    _, _, text = hand_report()
    headline = next(line for line in text.splitlines() if line.startswith("**Held out"))
    assert headline.startswith("**Held out: 1 of 1 pass.** All kinds: 3 of 4 checks pass.")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections[:4] == ["## Held out (1)", "## Calibration target (1)", "## Input (1)",
                            "## By construction (1)"]
    held_out = text.index("## Held out (1)")
    assert text.index("| 5 | 5b:") > held_out
    assert text.index("| 5 | 5b:") < text.index("## Calibration target") < text.index("| 1 | 1:")


def test_counts_per_kind_and_unsourced_bands():
    _, _, text = hand_report()
    rows = [line for line in text.splitlines() if line.startswith("| ") and " | " in line
            and line.split(" | ")[0][2:] in checks.KINDS]
    assert rows == ["| held out | 1 | 1 | 1 (5b) |",
                    "| calibration target | 1 | 1 | 0 |",
                    "| input | 1 | 0 | 0 |",
                    "| by construction | 1 | 1 | 0 |"]
    assert "market - families > 0 (band not from a source)" in text


def test_the_summary_carries_the_kind():
    chosen, summary, _ = hand_report()
    assert dict(zip(summary["check"], summary["kind"])) == {c.id: c.kind for c in chosen}
