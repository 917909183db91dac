"""experiments.bench_pupils: --before's other commit's files and the ratios printed, and the
wait for a quiet machine (--quiet-load)."""

from __future__ import annotations

import io
import subprocess

from experiments.bench_pupils import (QUIET_POLL_S, REPO, Patience, busy_elsewhere,
                                     checkout, compare)


def test_compare_gives_each_cpu_time_before_and_now_and_their_ratio():
    line = compare("england", {"setup_cpu_s": 6.0, "years_cpu_s": 9.0},
                   {"setup_cpu_s": 2.4, "years_cpu_s": 10.0})
    assert "set-up 6.00 -> 2.40 (2.50x)" in line
    assert "simulation 9.00 -> 10.00 (0.90x)" in line


def test_checkout_holds_the_commit_s_files_and_is_removed_after():
    path = "sim/pupils/year_end.py"
    committed = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=REPO, capture_output=True,
                               text=True, check=True).stdout
    with checkout("HEAD") as folder:
        assert (folder / path).read_text() == committed
    assert not folder.exists()


def test_patience_times_anyway_once_used_up_and_says_so(capsys):
    patience = Patience(-1.0, 0.0)                # no load average is at most -1
    assert patience.wait() >= 0.0
    assert "timed anyway" in capsys.readouterr().out


def test_patience_is_spent_over_the_repeats(monkeypatch, capsys):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    patience = Patience(-1.0, 3 * QUIET_POLL_S)
    patience.wait()
    assert patience.left == 0                     # three polls, then no more waiting
    patience.wait()
    assert patience.left == 0


def test_without_a_limit_nothing_waits(capsys):
    patience = Patience(None, 10.0)
    patience.wait()
    assert patience.left == 10.0 and capsys.readouterr().out == ""


def test_busy_elsewhere_counts_the_runnable_tasks_but_this_one(monkeypatch):
    readings = iter(["0.50 0.40 0.30 3/120 999\n", "0.50 0.40 0.30 1/120 999\n"])
    monkeypatch.setattr("builtins.open", lambda path: io.StringIO(next(readings)))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    assert busy_elsewhere(samples=2) == 1.0        # (3 - 1 + 1 - 1) / 2
