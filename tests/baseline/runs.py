"""The baseline runs and the fingerprint of their outputs (Starsim/Covasim-style baseline).

Each run is short (a small region, a few years, a fixed seed) and covers one component:
every scheme (mixed twice), the policy levers, the pandemic shock, a named scenario, the
school-list region and the code's own (uncalibrated) defaults. A run's fingerprint is the
sha256 of each output table's canonical bytes and of its summary (timings, versions and the
resolved config left out: a new setting whose default changes nothing is no change in
behaviour, and one that changes something shows in the tables), plus a few headline numbers
compared exactly. `baseline.json` holds the fingerprints
of the code as it was when someone last regenerated them on purpose:

    python -m tests.baseline.regenerate
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

import sim

BASELINE_FILE = Path(__file__).with_name("baseline.json")

SMALL = ["region.n_schools=300", "years=3", "seed=7"]
FAMILIES_SMALL = ["scheme.min_size=4", "scheme.max_size=8"]

RUNS: dict[str, list[str]] = {
    "none": [*SMALL, "scheme=none"],
    "trios": [*SMALL, "scheme=trios"],
    "families": [*SMALL, "scheme=families", *FAMILIES_SMALL],
    "market": [*SMALL, "scheme=market"],
    "leadership": [*SMALL, "scheme=leadership"],
    "peer_review": [*SMALL, "scheme=peer_review"],
    "trusts": [*SMALL, "scheme=trusts"],
    "mixed": [*SMALL, "scheme=mixed"],
    "network": [*SMALL, "scheme=network"],
    "mixed_la_overlays": [
        *SMALL, "scheme=mixed", "scheme.partition=[peer_review,trios]", "scheme.split=la",
        "scheme.las=[[Manchester,Salford,Bolton],[Wigan,Stockport]]",
        "scheme.overlay=[leadership,market]"],
    "trios_levers": [
        *SMALL, "scheme=trios", "policy.funding.end_year=1.0", "policy.funding.backfill=0.5",
        "policy.brokering.enabled=false", "policy.brokering.start_year=0.5",
        "policy.accountability.grade_openness_cut=0.2", "policy.accountability.interval_years=1.0",
        "policy.leadership_time.days_factor=1.2",
        "policy.leadership_time.collaboration_cap_days=2.0",
        "policy.meetings.mode=in_person", "policy.meetings.interval_factor=0.5",
        "policy.broadcast.enabled=false"],
    "pandemic_scenario": ["+scenario=pandemic_recovery_with_trios", *SMALL,
                          "shocks.pandemic.start_year=1.0"],
    "gm_challenge_scenario": ["+scenario=gm_challenge", *SMALL, "scheme.families.min_size=4",
                              "scheme.families.max_size=8"],
    "csv_region": ["region=csv", "years=3", "seed=7", "scheme=trios"],
    "uncalibrated": [*SMALL, "calibration=none", "scheme=trios"],
}

TABLES = ("metrics", "schools", "partnerships", "diffusion", "network", "network_metrics")
# Exact headline numbers beside the hashes, so a failure says what moved and by how much.
HEADLINES = ("gap_months", "attainment_disadvantaged", "expertise_mean", "segregation")
# Summary fields that vary between identical runs, or with any edit of the code.
UNSTABLE_SUMMARY_KEYS = ("runtime_seconds", "schoolsim_version", "code_version")


def canonical_bytes(table: pd.DataFrame) -> bytes:
    """A table as bytes that depend only on its columns, dtypes and values (not on Parquet
    or pandas versions); floats written with 17 significant digits, i.e. exactly."""
    header = json.dumps([[c, str(t)] for c, t in table.dtypes.items()])
    body = io.StringIO()
    table.to_csv(body, index=False, float_format="%.17g", lineterminator="\n")
    return (header + "\n" + body.getvalue()).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(overrides: list[str]) -> dict:
    """The hashes and headline numbers of one run's outputs."""
    result = sim.run(overrides, progress=False)
    summary = {k: v for k, v in result.summary.items()
               if k not in UNSTABLE_SUMMARY_KEYS and k != "config"}
    return {
        "overrides": list(overrides),
        "sha256": {
            **{name: sha256(canonical_bytes(getattr(result, name))) for name in TABLES},
            "summary": sha256(json.dumps(summary, sort_keys=True).encode()),
        },
        "rows": {name: len(getattr(result, name)) for name in TABLES},
        "headlines": {
            "n_partnerships": result.summary["n_partnerships"],
            "meetings_held": result.summary["meetings_held"],
            **{key: result.summary["last"][key] for key in HEADLINES},
        },
    }


def load_baseline() -> dict:
    return json.loads(BASELINE_FILE.read_text())
