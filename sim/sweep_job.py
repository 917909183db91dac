"""A sweep job's folder: what the job leaves there as it goes, and whether it can be skipped
(resuming a sweep). Written by `sim.cli`, read by `experiments.status` and `.collect`.

A job of a sweep (`schoolsim -m ...`) marks its folder as it goes:
- `.running.json` (pid, host, start time) while it runs;
- the run's outputs (`sim.outputs.OUTPUT_FILES`), `summary.json` renamed into place last, when it
  finishes; the summary records the config and the code version (`sim.code_version`);
- `error.txt`, one line naming the error, when it fails.
A job killed outright (SIGKILL, out of memory) leaves only `.running.json`, whose process
no longer exists. Running the same sweep again into the same folder
(`hydra.sweep.dir=...`) skips every job whose outputs all read back and were made by the
same code from the same config, and runs the others again (a file cut short, an older
code version or another config: the job is run again, and the reason printed).
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.atomic import write_text
from sim.code_version import code_version
from sim.errors import ConfigError
from sim.outputs import OUTPUT_FILES

ERROR_FILE = "error.txt"
RUNNING_FILE = ".running.json"
# In the sweep folder, while the process that launches the jobs runs (experiments.progress).
SWEEP_RUNNING_FILE = ".sweep_running.json"
SUMMARY_FILE = "summary.json"
# Settings that change how a run reports, not what it computes.
IGNORED_SECTIONS = ("output",)


class BrokenJob(Exception):
    """A job folder whose outputs cannot be trusted (one line saying which file and why)."""


@dataclass
class JobOutputs:
    summary: dict
    tables: dict[str, pd.DataFrame]  # by table name (metrics, ...); empty if not read whole


def read_outputs(job_dir: str | os.PathLike, *, full: bool = True) -> JobOutputs:
    """The job's summary and tables once every output reads back, else BrokenJob.

    `full` reads each Parquet table whole (resume and collect: a file cut short or damaged
    anywhere fails); otherwise only its footer (status: cheap enough for a live count, and
    it still catches a file cut short, whose footer is at the end).
    """
    job_dir = Path(job_dir)
    missing = [name for name in OUTPUT_FILES if not (job_dir / name).is_file()]
    if missing:
        raise BrokenJob(f"missing {', '.join(missing)}")
    summary = _read_summary_file(job_dir / SUMMARY_FILE)
    tables = {}
    for name in OUTPUT_FILES:
        if name.endswith(".parquet"):
            tables[name.removesuffix(".parquet")] = _read_parquet(job_dir / name, full)
    return JobOutputs(summary, tables if full else {})


def _read_summary_file(path: Path) -> dict:
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BrokenJob(f"{path.name} does not read back ({type(exc).__name__})") from None
    if not isinstance(summary, dict) or "last" not in summary or "config" not in summary:
        raise BrokenJob(f"{path.name} lacks the run's results or config")
    return summary


def _read_parquet(path: Path, full: bool):
    try:
        return pd.read_parquet(path) if full else pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise BrokenJob(f"{path.name} does not read back ({type(exc).__name__}: {reason})") \
            from None


def comparable(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in IGNORED_SECTIONS}


def check_finished(job_dir: str | os.PathLike, plain_config: dict) -> None:
    """Raise BrokenJob unless `job_dir` holds outputs that all read back, made by this code
    (`code_version`) from this (plain, resolved) config."""
    summary = read_outputs(job_dir).summary
    made_by = summary.get("code_version", "an unrecorded version")
    if made_by != code_version():
        raise BrokenJob(f"made by code {made_by}, not {code_version()}")
    current = json.loads(json.dumps(plain_config))  # the same JSON round trip as summary.json
    if comparable(summary["config"]) != comparable(current):
        raise BrokenJob("made from another config")


def start(job_dir: str | os.PathLike) -> None:
    """Clear an earlier attempt's error and summary (so an attempt cut short never looks
    finished) and mark the job as running in this process."""
    job_dir = Path(job_dir)
    for name in (ERROR_FILE, SUMMARY_FILE):
        (job_dir / name).unlink(missing_ok=True)
    mark_running(job_dir / RUNNING_FILE)


def mark_running(marker: Path) -> None:
    """Write a marker naming this process (pid, host, start time)."""
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    write_text(marker, json.dumps(info) + "\n")


def finish(job_dir: str | os.PathLike) -> None:
    (Path(job_dir) / RUNNING_FILE).unlink(missing_ok=True)


def fail(job_dir: str | os.PathLike, exc: BaseException) -> str:
    """Write `error.txt` (one line) and drop the running marker; return the line."""
    line = error_line(exc)
    write_text(Path(job_dir) / ERROR_FILE, line + "\n")
    finish(job_dir)
    return line


def error_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return ("stopped (Ctrl-C or SIGTERM) before finishing; running the sweep again into "
                "its folder resumes it")
    text = " ".join(str(exc).split()) or "(no message)"
    return text if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {text}"
