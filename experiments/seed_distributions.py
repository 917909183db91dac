"""Final metrics of 20 seeds per scheme, written as JSON (for comparing the distributions of
two commits, e.g. before and after a stream is renamed: docs/component_frame.md).

    python experiments/seed_distributions.py OUT.json
"""

import json
import sys

import sim

SCHEMES = {"trios": ["scheme=trios"],
           "families": ["scheme=families", "scheme.min_size=4", "scheme.max_size=8"],
           "leadership": ["scheme=leadership"], "peer_review": ["scheme=peer_review"],
           "trusts": ["scheme=trusts"], "mixed": ["scheme=mixed", "scheme.overlay=[leadership]"]}
KEYS = ("gap_months", "expertise_mean", "mean_trust", "active_partnerships", "between_school_sd")


def final_metrics(overrides: list[str], seed: int) -> dict:
    r = sim.run(overrides + ["region.n_schools=300", "years=5", f"seed={seed}"], progress=False)
    return {k: r.summary["last"][k] for k in KEYS} | {"n_partnerships": r.summary["n_partnerships"]}


if __name__ == "__main__":
    out = {name: [final_metrics(o, seed) for seed in range(1, 21)] for name, o in SCHEMES.items()}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
