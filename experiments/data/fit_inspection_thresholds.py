"""Fit the inspection thresholds (`inspection.*_months_<phase>`) to the 2008-09 grade shares.

    python -m experiments.data.fit_inspection_thresholds          # prints the values for sim/inspection.py

At the start every school is graded from its judged attainment (its latest KS2 or KS4
results in months plus inspectors' noise, `sim.inspection`). The thresholds are the
quantiles of that judged attainment, pooled over the `gm` region of seeds 1-10 (the noise
integrated by `--noise-draws` normal draws per school), at which the starting shares are
2008-09's (seed 002's GM Challenge figures for outstanding; the rest from Ofsted's 2008-09
annual report): primary 17 % outstanding, 52 % good, 27 % satisfactory (now requires
improvement), 4 % inadequate; secondary 12 / 44 / 34 / 10 %. Only the starting shares are
fitted: the rise under the Challenge (to 22 % and 18 % outstanding) is left to the model.
The outstanding thresholds are calibrated since session 6 (`schoolsim-calibrate`, targets
2c/2d, so that 2a/2b are fitted with them; `configs/calibration/default.yaml`): their
printed values are only a check on the calibrated ones. Re-run after a refit, a change to
the starting region or to how attainment is computed, and copy the printed good and
inadequate values into `InspectionParams` (rounded to 0.1 month, as there).
"""

from __future__ import annotations

import argparse

import numpy as np

import sim
from sim.geography import PHASE_NAMES

# Shares (outstanding, good, requires improvement, inadequate) at the start, by phase.
SHARES_2008 = {"primary": (0.17, 0.52, 0.27, 0.04), "secondary": (0.12, 0.44, 0.34, 0.10)}


def judged_attainment(seeds, noise_draws: int) -> dict[str, np.ndarray]:
    """Pooled judged attainment at the start, by phase (noise by Monte Carlo)."""
    noise_rng = np.random.default_rng(0)
    pooled = {name: [] for name in PHASE_NAMES}
    for seed in seeds:
        model = sim.SchoolSystem(sim.compose_config([f"seed={seed}", "years=1"]))
        attainment = model.pupil_system.published_results()
        noise_sd = model.inspection.params.noise_months
        for phase, name in enumerate(PHASE_NAMES):
            mine = attainment[model.region.phase == phase]
            noise = noise_sd * noise_rng.standard_normal((noise_draws, len(mine)))
            pooled[name].append((mine + noise).ravel())
    return {name: np.concatenate(values) for name, values in pooled.items()}


def thresholds(judged: np.ndarray, shares) -> dict[str, float]:
    outstanding, good, _, inadequate = shares
    return {"outstanding": float(np.quantile(judged, 1 - outstanding)),
            "good": float(np.quantile(judged, 1 - outstanding - good)),
            "inadequate": float(np.quantile(judged, inadequate))}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="gm regions, seeds 1..N")
    parser.add_argument("--noise-draws", type=int, default=200)
    args = parser.parse_args(argv)
    judged = judged_attainment(range(1, args.seeds + 1), args.noise_draws)
    for name in PHASE_NAMES:
        for grade, value in thresholds(judged[name], SHARES_2008[name]).items():
            print(f"{grade}_months_{name}: {value:.1f}")


if __name__ == "__main__":
    main()
