"""The state of every job of a sweep: finished, failed, running or missing.

Read from the job folders alone (see `sim.sweep_job` for what a job leaves there), so
it works for any launcher and while the sweep is still running.
"""

from __future__ import annotations

import json
import os
import socket
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sim import sweep_job
from experiments.plan import Job, load_jobs

STATUSES = ("finished", "failed", "running", "missing")


@dataclass(frozen=True)
class JobStatus:
    job: Job
    status: str
    error: str = ""


def job_status(sweep_dir: Path, job: Job, quick: bool = False) -> JobStatus:
    """A job is finished when its outputs read back (Parquet footers, summary.json); one
    whose summary is there but whose outputs do not is failed, with the reason. `quick`
    trusts summary.json's presence (it is renamed into place last) instead: cheap enough to
    count a large sweep after every job."""
    job_dir = sweep_dir / job.subdir
    if not job_dir.is_dir():
        return JobStatus(job, "missing")
    if (job_dir / sweep_job.SUMMARY_FILE).is_file():
        if quick:
            return JobStatus(job, "finished")
        try:
            sweep_job.read_outputs(job_dir, full=False)
        except sweep_job.BrokenJob as why:
            return JobStatus(job, "failed", f"outputs unusable: {why}")
        return JobStatus(job, "finished")
    error = job_dir / sweep_job.ERROR_FILE
    if error.is_file():
        return JobStatus(job, "failed", error.read_text().strip() or "(empty error.txt)")
    return _running_or_killed(job, job_dir / sweep_job.RUNNING_FILE)


def _running_or_killed(job: Job, marker: Path) -> JobStatus:
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return JobStatus(job, "running")  # folder made, job not started or marker half-made
    pid, host = int(info.get("pid", -1)), str(info.get("host", ""))
    if host != socket.gethostname() or _alive(pid):
        return JobStatus(job, "running")  # another host's processes cannot be checked
    return JobStatus(job, "failed",
                     f"killed: process {pid} on {host} ended without outputs or an error")


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_status(sweep_dir: str | Path, quick: bool = False) -> list[JobStatus]:
    """Every planned job's status, in job order (raises SweepDirError for a bad folder)."""
    jobs = load_jobs(sweep_dir)
    return [job_status(Path(sweep_dir), job, quick) for job in jobs]


def counts(statuses: list[JobStatus]) -> dict[str, int]:
    found = Counter(s.status for s in statuses)
    return {name: found.get(name, 0) for name in STATUSES}


def describe(statuses: list[JobStatus]) -> str:
    """'12 of 80 jobs finished, 1 failed, 67 remaining (2 running, 65 not started)'."""
    c = counts(statuses)
    return (f"{c['finished']} of {len(statuses)} jobs finished, {c['failed']} failed, "
            f"{c['running'] + c['missing']} remaining ({c['running']} running, "
            f"{c['missing']} not started)")
