"""Experiments: sweeps of the model and what is done with them.

One module per concept:
- `plan`: a sweep's jobs in Hydra's order (from multirun.yaml / sweep_plan.json);
- `resume`: what a job leaves in its folder, and skipping finished jobs on a re-run;
- `status`: finished / failed / running / missing for every job of a sweep;
- `progress`: the live count (a Hydra callback and `schoolsim-progress`);
- `collect`: `schoolsim-collect`, one tidy Parquet dataset plus a DuckDB file;
- `sensitivity`: `schoolsim-sensitivity`, Morris and Sobol indices with SALib;
- `atomic`: write-then-rename, so no reader sees half a file;
- `bench_sweep`, `benchmark`: benchmarks.
The sweep definitions are Hydra configs in `configs/experiment/`; the sensitivity specs
are in `experiments/specs/`.
"""
