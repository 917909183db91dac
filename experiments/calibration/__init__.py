"""Calibration of the free parameters to the declared targets (experiments/targets.yaml).

- `spec`: the free parameters with their prior ranges, the targets and the budget (YAML);
- `design`: space-filling designs over the prior ranges (the unit cube);
- `emulator`: one Gaussian-process emulator per target, with a seed-noise term;
- `bayes`: reachability (distance outside the band), the likelihood, the posterior sample;
- `fit`: the waves of history matching, the ensemble and what it says (intervals,
  contraction, correlations, diagnostics);
- `model`: the model as the calibration runs it (parameter sets x seeds -> values);
- `config`: the calibration config groups (`posterior.csv` + `posterior.yaml`, medians);
- `record`: the record (Markdown, every run as CSV, the posterior figure);
- `cli`: `schoolsim-calibrate`.
"""
