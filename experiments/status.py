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
    return _running_or_killed(job, job_dir, sweep_dir)


def _running_or_killed(job: Job, job_dir: Path, sweep_dir: Path) -> JobStatus:
    """Running while its process (or, before it has one, the sweep's) may still run."""
    marker = job_dir / sweep_job.RUNNING_FILE
    gone = ended(marker)
    if gone:
        return JobStatus(job, "failed", f"killed: {gone} ended without outputs or an error")
    if _readable(marker):
        return JobStatus(job, "running")  # alive, or on another host (cannot be checked)
    sweep_gone = ended(sweep_dir / sweep_job.SWEEP_RUNNING_FILE)
    if sweep_gone:
        return JobStatus(job, "failed", f"not started: the sweep's {sweep_gone} ended first")
    return JobStatus(job, "running")  # folder made, job about to mark itself


def ended(marker: Path) -> str:
    """'process P on H' if `marker` names a process of this host that no longer runs, else
    '' (no marker, or its process may still run)."""
    try:
        info = json.loads(marker.read_text())
        pid, host = int(info.get("pid", -1)), str(info.get("host", ""))
    except (OSError, ValueError, TypeError, AttributeError):
        return ""
    if host != socket.gethostname() or _alive(pid):
        return ""
    return f"process {pid} on {host}"


def _readable(marker: Path) -> bool:
    try:
        return isinstance(json.loads(marker.read_text()), dict)
    except (OSError, ValueError):
        return False


def sweep_running(sweep_dir: Path) -> bool:
    """True while the sweep's launching process runs (or runs on another host)."""
    marker = sweep_dir / sweep_job.SWEEP_RUNNING_FILE
    return _readable(marker) and not ended(marker)


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
    if quick:
        return _quick_status(str(sweep_dir), jobs)
    return [job_status(Path(sweep_dir), job) for job in jobs]


def _quick_status(sweep_dir: str, jobs: list[Job]) -> list[JobStatus]:
    """`job_status(..., quick=True)` of every job, as the sweep counts after each job: one
    listing of the sweep folder and a plain stat per finished job (a Path per job costs a
    few times more, which a 1,000-job sweep pays a million times)."""
    started = set(os.listdir(sweep_dir))
    out = []
    for job in jobs:
        if job.subdir not in started:
            out.append(JobStatus(job, "missing"))
        elif os.path.isfile(os.path.join(sweep_dir, job.subdir, sweep_job.SUMMARY_FILE)):
            out.append(JobStatus(job, "finished"))
        else:
            out.append(job_status(Path(sweep_dir), job, quick=True))
    return out


def counts(statuses: list[JobStatus]) -> dict[str, int]:
    found = Counter(s.status for s in statuses)
    return {name: found.get(name, 0) for name in STATUSES}


def describe(statuses: list[JobStatus]) -> str:
    """'12 of 80 jobs finished, 1 failed, 67 remaining (2 running, 65 not started)'."""
    c = counts(statuses)
    return (f"{c['finished']} of {len(statuses)} jobs finished, {c['failed']} failed, "
            f"{c['running'] + c['missing']} remaining ({c['running']} running, "
            f"{c['missing']} not started)")
