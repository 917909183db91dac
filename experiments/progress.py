"""Progress of a sweep: a live count of finished / failed / remaining jobs.

Two ways to see it, both reading the job folders (so any launcher, any machine that sees
the sweep folder):
- `SweepCallback` (switched on in configs/config.yaml under `hydra.callbacks`) writes the
  sweep's plan when it starts and logs a count after every job:
  ``[sweep] 37 of 80 jobs finished, 1 failed, 2 running, 40 missing``;
- `schoolsim-progress SWEEP_DIR` prints the same line every few seconds until no job is
  left running or missing (`--once` to print it once), e.g. for a sweep queued on SLURM.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from experiments.plan import SweepDirError, jobs_from_config, write_plan
from experiments.status import counts, describe, sweep_status

log = logging.getLogger("schoolsim.sweep")


class SweepCallback(Callback):
    """Writes `sweep_plan.json` when a sweep starts; logs the job counts after each job."""

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from hydra.core.global_hydra import GlobalHydra

        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            jobs = jobs_from_config(config, GlobalHydra.instance().config_loader())
        except Exception as exc:  # a sweeper other than the basic one: no plan, no counts
            log.warning(f"no sweep plan ({type(exc).__name__}: {exc}); counts unavailable")
            return
        write_plan(sweep_dir, jobs)
        log.info(f"[sweep] {len(jobs)} jobs in {sweep_dir}")

    def on_job_end(self, config: DictConfig, job_return=None, **kwargs) -> None:
        try:
            line = describe(sweep_status(Path(config.hydra.sweep.dir), quick=True))
        except (SweepDirError, OSError, ValueError):
            return
        log.info(f"[sweep] {line}")


def done(statuses) -> bool:
    c = counts(statuses)
    return c["running"] == 0 and c["missing"] == 0


def watch(sweep_dir: str | Path, interval: float = 5.0, once: bool = False,
          out=None) -> list:
    """Print the counts every `interval` seconds until every job finished or failed."""
    while True:
        statuses = sweep_status(sweep_dir)
        print(f"{time.strftime('%H:%M:%S')} {describe(statuses)}", file=out or sys.stdout,
              flush=True)
        if once or done(statuses):
            return statuses
        time.sleep(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schoolsim-progress",
                                     description="Live count of a sweep's jobs.")
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a folder made by `schoolsim -m`")
    parser.add_argument("-n", "--interval", type=float, default=5.0, help="seconds between counts")
    parser.add_argument("--once", action="store_true", help="print the counts once and stop")
    args = parser.parse_args(argv)
    if args.interval <= 0:
        print(f"schoolsim-progress: error: --interval={args.interval}; allowed: a number > 0",
              file=sys.stderr)
        return 2
    try:
        statuses = watch(args.sweep_dir, args.interval, args.once)
    except SweepDirError as exc:
        print(f"schoolsim-progress: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1 if counts(statuses)["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
