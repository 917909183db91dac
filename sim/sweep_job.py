"""A sweep job's folder: what the job leaves there as it goes, and whether it can be skipped
(resuming a sweep). Written by `sim.cli`, read by `experiments.status` and `.collect`.

A job of a sweep (`schoolsim -m ...`) marks its folder as it goes:
- `.running.json` (pid, host, start time) while it runs;
- the run's outputs (`sim.outputs.OUTPUT_FILES`), `summary.json` renamed into place last, when it
  finishes;
- `error.txt`, one line naming the error, when it fails.
A job killed outright (SIGKILL, out of memory) leaves only `.running.json`, whose process
no longer exists. Running the same sweep again into the same folder
(`hydra.sweep.dir=...`) skips every job whose outputs are complete and were made from the
same config, and runs the others again.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from sim.atomic import write_text
from sim.errors import ConfigError
from sim.outputs import OUTPUT_FILES

ERROR_FILE = "error.txt"
RUNNING_FILE = ".running.json"
SUMMARY_FILE = "summary.json"
# Settings that change how a run reports, not what it computes.
IGNORED_SECTIONS = ("output",)


def read_summary(job_dir: Path) -> dict | None:
    """The job's summary if every output file is there and summary.json parses, else None."""
    if not all((job_dir / name).is_file() for name in OUTPUT_FILES):
        return None
    try:
        summary = json.loads((job_dir / SUMMARY_FILE).read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) and "last" in summary else None


def comparable(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in IGNORED_SECTIONS}


def finished_with(job_dir: str | os.PathLike, plain_config: dict) -> bool:
    """True if `job_dir` holds complete outputs made from this (plain, resolved) config."""
    summary = read_summary(Path(job_dir))
    if summary is None:
        return False
    current = json.loads(json.dumps(plain_config))  # the same JSON round trip as summary.json
    return comparable(summary.get("config", {})) == comparable(current)


def start(job_dir: str | os.PathLike) -> None:
    """Clear an earlier attempt's error and mark the job as running in this process."""
    job_dir = Path(job_dir)
    (job_dir / ERROR_FILE).unlink(missing_ok=True)
    marker = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    write_text(job_dir / RUNNING_FILE, json.dumps(marker) + "\n")


def finish(job_dir: str | os.PathLike) -> None:
    (Path(job_dir) / RUNNING_FILE).unlink(missing_ok=True)


def fail(job_dir: str | os.PathLike, exc: BaseException) -> str:
    """Write `error.txt` (one line) and drop the running marker; return the line."""
    line = error_line(exc)
    write_text(Path(job_dir) / ERROR_FILE, line + "\n")
    finish(job_dir)
    return line


def error_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return text if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {text}"
