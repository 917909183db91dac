"""Calibration of the free parameters to the quantitative facts (issue 7).

- `spec`: the free parameters with their ranges, the targets and the budget (YAML);
- `fit`: the likelihood-free fit (optuna TPE on a loss over the targets, replicates with
  common random numbers) and what the trials say about identification;
- `config`: reading and writing the calibrated config group `configs/calibration/`;
- `record`: the record of the fit (Markdown, trials, profile figure);
- `cli`: `schoolsim-calibrate`.
"""
