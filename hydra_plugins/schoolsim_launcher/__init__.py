"""`LightJoblibLauncher`: hydra-joblib-launcher with less work per job.

The joblib launcher pickles Hydra's whole context (config loader, ConfigStore, the sweep's
config, the task function: about 130 kB of OmegaConf objects) again for every job, the
worker unpickles it again for every job, and every job sends its full configs back. With
jobs that take a fraction of a second this is a large share of the work, and the part
done in the launching process is not parallel. This launcher pickles the context once,
sends those same bytes with every job (copied, not pickled again), unpickles them once per
worker process, and sends back each job's status and return value without the configs
(Hydra's sweeper reads only those); Hydra's global state is set once per worker, not once
per job, and each job's config is composed by `SweepConfigs`: the config of each distinct
choice of config groups once per worker, the job's values applied to a copy (about 0.02 s
a job instead of 0.2-0.4 s; `sim.compose.Composer` says why that is the same config, and
tests/test_compose_cache.py checks it). Each job runs as in the joblib launcher's own
`execute_job` (Hydra's `run_job`), so job folders, numbering, job logging and callbacks are unchanged (but it does not list
every job up front: each job has its line when it ends), and the joblib settings are the
joblib launcher's (`hydra.launcher.n_jobs`, ...), except that
`hydra.launcher.backend=multiprocessing` is honoured: on Linux its workers are forked from
the launching process, so they start without importing anything, but a worker that is
killed (out of memory, `kill -9`) makes the sweep wait forever, where loky (the default)
stops it with an error.
Selected in configs/config.yaml (`hydra/launcher: schoolsim_joblib`).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import cloudpickle
from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, run_job, setup_globals
from hydra_plugins.hydra_joblib_launcher import _core
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
from joblib import Parallel, delayed
from omegaconf import DictConfig, open_dict

from sim.batch import worker_backend
from sim.compose import applicable, split_overrides

log = logging.getLogger(__name__)

PROCESS_BACKENDS = ("loky", "multiprocessing")

# In each worker process: the unpickled context of the sweep it last ran a job for, and its
# job configs (SweepConfigs).
_CONTEXT: dict[str, Any] = {}


class LightJoblibLauncher(JoblibLauncher):
    def launch(self, job_overrides, initial_job_idx: int) -> list[JobReturn]:
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        settings = dict(self.joblib)
        if settings.get("backend") not in PROCESS_BACKENDS:  # threads are incompatible with Hydra
            settings["backend"] = "loky"
        _core.process_joblib_cfg(settings)
        # Workers end soon after the sweep's process is gone (SIGKILL, a crash); the job one
        # was running is then listed as killed and runs again when the sweep is resumed.
        settings["backend"] = worker_backend(settings["backend"])
        # No line per job here: each job's line comes when it ends (experiments.progress).
        log.info(f"Joblib.Parallel(n_jobs={settings.get('n_jobs')}) is launching "
                 f"{len(job_overrides)} jobs in {sweep_dir}")
        blob = cloudpickle.dumps((self.hydra_context, self.config, self.task_function,
                                  Singleton.get_state()))
        key = hashlib.sha1(blob).hexdigest()
        return Parallel(**settings)(
            delayed(execute_job)(initial_job_idx + idx, overrides, blob, key)
            for idx, overrides in enumerate(job_overrides))


def execute_job(idx: int, overrides, blob: bytes, key: str) -> JobReturn:
    """Run one job as hydra-joblib-launcher's `execute_job` does, with the context unpickled
    and Hydra's global state set once per worker and sweep instead of for every job (that
    state-setting re-discovers the plugins: about 40 ms a job)."""
    if key not in _CONTEXT:
        hydra_context, config, task_function, state = cloudpickle.loads(blob)
        Singleton.set_state(state)  # plugin discovery may re-run this module: store after
        _CONTEXT.clear()
        _CONTEXT[key] = (hydra_context, SweepConfigs(hydra_context.config_loader, config),
                         task_function)
    hydra_context, configs, task_function = _CONTEXT[key]
    setup_globals()
    sweep_config = configs.load(list(overrides))
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    HydraConfig.instance().set_config(sweep_config)
    ret = run_job(hydra_context=hydra_context, config=sweep_config, task_function=task_function,
                  job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")
    ret.cfg = ret.hydra_cfg = None  # not read by the sweeper; costly to send back
    return ret


class SweepConfigs:
    """`config_loader.load_sweep_config(master_config, overrides)` for the jobs of one sweep,
    with the config of each distinct choice of config groups composed once.

    Hydra composes a job's config from the groups, then applies the value overrides, then
    records the job's overrides (`hydra.overrides.task`, `hydra.job.override_dirname`); here
    the first step is cached. A job that overrides Hydra's own settings, deletes a key or
    sets a dict is composed in full.
    """

    def __init__(self, loader, master_config: DictConfig):
        self.loader = loader
        self.master = master_config
        self._bases: dict[tuple, DictConfig] = {}

    def load(self, overrides: list[str]) -> DictConfig:
        parsed = OverridesParser.create(config_loader=self.loader).parse_overrides(overrides)
        groups, values = split_overrides(parsed, self.loader)
        if any(o.is_hydra_override() for o in parsed) or not all(map(applicable, values)):
            return self.loader.load_sweep_config(self.master, overrides)
        # The folder Hydra records as the cwd (hydra.runtime.cwd) is part of the config.
        key = (tuple(o.input_line for o in groups), os.getcwd())
        if key not in self._bases:
            self._bases[key] = self.loader.load_sweep_config(self.master, list(key[0]))
        cfg = copy.deepcopy(self._bases[key])
        ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
        dirname = cfg.hydra.job.config.override_dirname
        cfg.hydra.overrides.task = [o.input_line for o in parsed]
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=parsed, kv_sep=dirname.kv_sep, item_sep=dirname.item_sep,
            exclude_keys=dirname.exclude_keys)
        return cfg
