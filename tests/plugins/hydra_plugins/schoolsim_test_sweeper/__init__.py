"""A minimal optimising sweeper, for tests: what Hydra's Optuna sweeper asks of a task.

hydra-optuna-sweeper pins optuna<3 while schoolsim uses optuna 4, so the tests use this
stand-in instead: it launches every job of the sweep, casts each job's return value to a
float exactly as the Optuna sweeper does (the same error when it cannot), and writes the
best job to `optimization_results.yaml` in the sweep folder, as Optuna's does.
Used as `hydra.sweeper._target_=hydra_plugins.schoolsim_test_sweeper.MinimisingSweeper`
with `tests/plugins` on PYTHONPATH.
"""

from __future__ import annotations

from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from omegaconf import OmegaConf


class MinimisingSweeper(Sweeper):
    def __init__(self, max_batch_size=None, params=None):
        self.params = params

    def setup(self, *, hydra_context, task_function, config) -> None:
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: list[str]) -> None:
        parsed = OverridesParser.create().parse_overrides(arguments)
        jobs = [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
        returns = self.launcher.launch(jobs, initial_job_idx=0)
        values = []
        for ret in returns:
            try:
                values.append(float(ret.return_value))
            except (TypeError, ValueError):
                raise ValueError(
                    f"Return value must be float-castable. Got '{ret.return_value}'.") from None
        best = min(range(len(values)), key=values.__getitem__)
        out = Path(self.config.hydra.sweep.dir) / "optimization_results.yaml"
        OmegaConf.save({"best_params": list(jobs[best]), "best_value": values[best],
                        "values": values}, out)
