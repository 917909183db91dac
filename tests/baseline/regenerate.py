"""Regenerate `baseline.json` ON PURPOSE, after a change meant to alter the model's outputs.

    python -m tests.baseline.regenerate            # every run
    python -m tests.baseline.regenerate trios mixed    # only these runs

Say in the commit which runs changed and why; `git diff tests/baseline/baseline.json` shows
which outputs and headline numbers moved.
"""

from __future__ import annotations

import json
import sys

from tests.baseline.runs import BASELINE_FILE, RUNS, fingerprint, load_baseline


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(RUNS))
    if unknown:
        sys.exit(f"unknown baseline run(s) {', '.join(unknown)}; allowed: {', '.join(RUNS)}")
    baseline = load_baseline() if names and BASELINE_FILE.exists() else {}
    for name in names or RUNS:
        baseline[name] = fingerprint(RUNS[name])
        print(f"{name}: {baseline[name]['sha256']}")
    ordered = {name: baseline[name] for name in RUNS if name in baseline}
    BASELINE_FILE.write_text(json.dumps(ordered, indent=2) + "\n")
    print(f"wrote {BASELINE_FILE}")


if __name__ == "__main__":
    main(sys.argv[1:])
