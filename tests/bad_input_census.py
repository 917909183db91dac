"""Run every case of the bad-input corpus through the real command line and count outcomes.

    python -m tests.bad_input_census            # all cases, a table of counts
    python -m tests.bad_input_census --list     # and one line per case

Each case runs `python -m sim SMALL_BASE... ARGS...` in its own empty folder, with a 3 GB
address-space limit and a 90 s timeout (a wrongly accepted huge region must not take the
machine down). Outcomes: one-line (exit 2, one stderr line `schoolsim: error: ...` naming
the value), traceback, silently accepted (exit 0), other error (any other failure: a
multi-line message, a wrong exit status, the value not named), hang (timeout); and
separately, left files (anything the run left in its folder).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.bad_inputs import CLI_CASES, SMALL_BASE, VALUE_CASES

MEMORY_LIMIT = 3 * 2**30
TIMEOUT = 90
PREPARED = ("file", "readonly")


def prepare(folder: Path) -> None:
    (folder / "file").write_text("a file where a folder is expected\n")
    (folder / "readonly").mkdir()
    (folder / "readonly").chmod(0o555)


def command(args: tuple[str, ...], tmp: Path) -> list[str]:
    args = tuple(a.replace("{tmp}", str(tmp)) for a in args)
    flags = [a for a in args if a == "-m"]
    rest = [a for a in args if a != "-m"]
    return [sys.executable, "-m", "sim", *flags, *SMALL_BASE, *rest]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def classify(args: tuple[str, ...], named: str, repo: Path) -> tuple[str, bool, str]:
    """(outcome, left_files, first stderr line) of one case."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        prepare(tmp)
        env = {**os.environ, "PYTHONPATH": str(repo)}
        try:
            proc = subprocess.run(command(args, tmp), cwd=tmp, capture_output=True, text=True,
                                  timeout=TIMEOUT, env=env, preexec_fn=_limit_memory)
        except subprocess.TimeoutExpired:
            return "hang", _left(tmp), ""
        finally:
            (tmp / "readonly").chmod(0o755)
        left = _left(tmp)
    err = proc.stderr.strip().splitlines()
    first = err[0] if err else ""
    if "Traceback (most recent call last)" in proc.stderr + proc.stdout:
        return "traceback", left, first
    if proc.returncode == 0:
        return "silently accepted", left, first
    named = named.replace("{tmp}", str(tmp))
    if (proc.returncode == 2 and len(err) == 1 and first.startswith("schoolsim: error:")
            and named in first):
        return "one-line", left, first
    return "other error", left, first


def _left(tmp: Path) -> bool:
    return any(p.name not in PREPARED for p in tmp.iterdir()) or any(
        (tmp / "readonly").iterdir())


OUTCOMES = ("one-line", "traceback", "silently accepted", "other error", "hang")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="print one line per case")
    parser.add_argument("--repo", default=os.getcwd(), help="the checkout to test (PYTHONPATH)")
    args = parser.parse_args(argv)
    outcomes, left = Counter(), 0
    for case, named in VALUE_CASES + CLI_CASES:
        outcome, left_files, first = classify(case, named, Path(args.repo))
        outcomes[outcome] += 1
        left += left_files
        if args.list:
            flag = " [left files]" if left_files else ""
            print(f"{outcome:18} {' '.join(case)}{flag}  | {first[:150]}", flush=True)
    total = len(VALUE_CASES) + len(CLI_CASES)
    print(f"tried {total}: " + ", ".join(f"{o} {outcomes[o]}" for o in OUTCOMES)
          + f"; left files {left}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
