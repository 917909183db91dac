"""Validation against the evidence (issue 7): the stylised facts as declared checks.

- `tables`: small helpers the measures share over a run's tables (`sim.outputs.RunResult`);
- `measures`: each check's measure, a function of the tidy tables of one seed's runs;
- `checks`: the declarations — scenarios, measure, target band, source — in one place;
- `runner`: runs every scenario a selection of checks needs over the seeds (joblib);
- `report`: the Markdown / HTML report and a figure per fact;
- `cli`: `schoolsim-validate`.
"""
