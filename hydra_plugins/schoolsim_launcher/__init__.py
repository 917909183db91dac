"""`LightJoblibLauncher`: hydra-joblib-launcher with less work per job.

The joblib launcher pickles Hydra's whole context (config loader, ConfigStore, the sweep's
config, the task function: about 130 kB of OmegaConf objects) again for every job, the
worker unpickles it again for every job, and every job sends its full configs back. With
jobs that take a fraction of a second this is a large share of the work, and the part
done in the launching process is not parallel. This launcher pickles the context once,
sends those same bytes with every job (copied, not pickled again), unpickles them once per
worker process, and sends back each job's status and return value without the configs
(Hydra's sweeper reads only those); Hydra's global state is set once per worker, not once
per job. Each job runs as in the joblib launcher's own `execute_job` (Hydra's `run_job`),
so job folders, numbering, job logging and callbacks are unchanged (but it does not list
every job up front: each job has its line when it ends), and the joblib settings are the
joblib launcher's (`hydra.launcher.n_jobs`, ...), except that
`hydra.launcher.backend=multiprocessing` is honoured: on Linux its workers are forked from
the launching process, so they start without importing anything, but a worker that is
killed (out of memory, `kill -9`) makes the sweep wait forever, where loky (the default)
stops it with an error.
Selected in configs/config.yaml (`hydra/launcher: schoolsim_joblib`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import cloudpickle
from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, run_job, setup_globals
from hydra_plugins.hydra_joblib_launcher import _core
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
from joblib import Parallel, delayed
from omegaconf import open_dict

log = logging.getLogger(__name__)

PROCESS_BACKENDS = ("loky", "multiprocessing")

# In each worker process: the unpickled context of the sweep it last ran a job for.
_CONTEXT: dict[str, Any] = {}
# In each worker process: the thread that ends it when the sweep's process is gone.
_WATCHDOG: list[threading.Thread] = []


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
        # No line per job here: each job's line comes when it ends (experiments.progress).
        log.info(f"Joblib.Parallel(n_jobs={settings.get('n_jobs')}) is launching "
                 f"{len(job_overrides)} jobs in {sweep_dir}")
        blob = cloudpickle.dumps((self.hydra_context, self.config, self.task_function,
                                  Singleton.get_state()))
        key = hashlib.sha1(blob).hexdigest()
        return Parallel(**settings)(
            delayed(execute_job)(initial_job_idx + idx, overrides, blob, key)
            for idx, overrides in enumerate(job_overrides))


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    """End this worker process soon after the sweep's process is gone (SIGKILL, a crash):
    otherwise loky's workers outlive it for many minutes, holding memory and a job marked
    running. Started once per worker; the job it was running is then listed as killed and
    runs again when the sweep is resumed."""
    if _WATCHDOG:
        return
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)  # no clean-up to run: the job's folder already says it was not finished

    _WATCHDOG.append(threading.Thread(target=watch, name="exit-with-parent", daemon=True))
    _WATCHDOG[0].start()


def execute_job(idx: int, overrides, blob: bytes, key: str) -> JobReturn:
    """Run one job as hydra-joblib-launcher's `execute_job` does, with the context unpickled
    and Hydra's global state set once per worker and sweep instead of for every job (that
    state-setting re-discovers the plugins: about 40 ms a job)."""
    if key not in _CONTEXT:
        exit_with_parent()
        context = cloudpickle.loads(blob)
        Singleton.set_state(context[3])  # plugin discovery may re-run this module: store after
        _CONTEXT.clear()
        _CONTEXT[key] = context
    hydra_context, config, task_function, _ = _CONTEXT[key]
    setup_globals()
    sweep_config = hydra_context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    HydraConfig.instance().set_config(sweep_config)
    ret = run_job(hydra_context=hydra_context, config=sweep_config, task_function=task_function,
                  job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")
    ret.cfg = ret.hydra_cfg = None  # not read by the sweeper; costly to send back
    return ret
