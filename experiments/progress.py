"""Progress of a sweep: a live count of finished / failed / remaining jobs.

Two ways to see it, both reading the job folders (so any launcher, any machine that sees
the sweep folder):
- `SweepCallback` (switched on in configs/config.yaml under `hydra.callbacks`) marks the
  sweep as running (`.sweep_running.json`, its process), writes the sweep's plan when it
  starts and logs a count after every job:
  ``[sweep] 37 of 80 jobs finished, 1 failed, 2 running, 40 missing``;
- `schoolsim-progress SWEEP_DIR` prints the same line every few seconds until no job is
  left running or missing, or the sweep's process has ended with jobs never started
  (`--once` to print it once), e.g. for a sweep queued on SLURM.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from experiments.plan import SweepDirError, jobs_from_config, write_plan
from experiments.status import counts, describe, sweep_running, sweep_status
from sim import sweep_job

log = logging.getLogger("schoolsim.sweep")


class SweepCallback(Callback):
    """Writes `sweep_plan.json` when a sweep starts; one line after each job (its settings,
    gap and disadvantaged pupils' attainment, and the counts); the table once at the end."""

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from hydra.core.global_hydra import GlobalHydra

        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        sweep_job.mark_running(sweep_dir / sweep_job.SWEEP_RUNNING_FILE)
        try:
            jobs = jobs_from_config(config, GlobalHydra.instance().config_loader())
        except Exception as exc:  # a sweeper other than the basic one: no plan, no counts
            log.warning(f"no sweep plan ({type(exc).__name__}: {exc}); counts unavailable")
            return
        write_plan(sweep_dir, jobs)
        log.info(f"[sweep] {len(jobs)} jobs in {sweep_dir}")

    def on_job_end(self, config: DictConfig, job_return=None, **kwargs) -> None:
        if config.hydra.mode != RunMode.MULTIRUN:
            return  # a single run prints its own table
        job_dir = Path(config.hydra.runtime.output_dir)
        settings = " ".join(config.hydra.overrides.task)
        try:
            count = describe(sweep_status(Path(config.hydra.sweep.dir), quick=True))
        except (SweepDirError, OSError, ValueError):
            count = "counts unavailable"
        print(f"[sweep] #{config.hydra.job.num} {settings}: {job_result(job_dir)} | {count}",
              flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        (Path(config.hydra.sweep.dir) / sweep_job.SWEEP_RUNNING_FILE).unlink(missing_ok=True)
        try:
            statuses = sweep_status(Path(config.hydra.sweep.dir), quick=True)
        except (SweepDirError, OSError, ValueError):
            return
        print(results_table(Path(config.hydra.sweep.dir), statuses), flush=True)


def _last(job_dir: Path) -> dict | None:
    try:
        return json.loads((job_dir / sweep_job.SUMMARY_FILE).read_text())["last"]
    except (OSError, ValueError, KeyError):
        return None


def job_result(job_dir: Path) -> str:
    """A finished job's gap with disadvantaged pupils' attainment beside it, or its error."""
    last = _last(job_dir)
    if last is None:
        error = job_dir / sweep_job.ERROR_FILE
        reason = error.read_text().strip().splitlines()[0] if error.is_file() else "no outputs"
        return f"failed: {reason}"
    return (f"gap {last['gap_months']:.2f} months, disadvantaged pupils "
            f"{last['attainment_disadvantaged']:+.2f}")


def results_table(sweep_dir: Path, statuses) -> str:
    """Every job's settings and results at the end, one row each (the sweep's last words)."""
    settings = [" ".join(s.job.overrides) for s in statuses]
    width = max([len("settings"), *map(len, settings)])
    lines = [f"[sweep] {describe(statuses)}",
             f"{'job':>4}  {'settings':<{width}}  {'gap (months)':>12}  "
             f"{'disadvantaged (months)':>22}"]
    for status, text in zip(statuses, settings):
        last = _last(sweep_dir / status.job.subdir)
        values = (f"{last['gap_months']:12.2f}  {last['attainment_disadvantaged']:22.2f}"
                  if last else f"{status.status:>12}")
        lines.append(f"{status.job.num:>4}  {text:<{width}}  {values}")
    return "\n".join(lines)


def done(statuses, sweep_dir: str | Path) -> bool:
    """No job running, and none left to start (or no sweep process left to start them)."""
    c = counts(statuses)
    return c["running"] == 0 and (c["missing"] == 0 or not sweep_running(Path(sweep_dir)))


def watch(sweep_dir: str | Path, interval: float = 5.0, once: bool = False,
          out=None) -> list:
    """Print the counts every `interval` seconds until every job finished or failed."""
    while True:
        statuses = sweep_status(sweep_dir)
        print(f"{time.strftime('%H:%M:%S')} {describe(statuses)}", file=out or sys.stdout,
              flush=True)
        if once or done(statuses, sweep_dir):
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
