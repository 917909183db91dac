"""The bad-input corpus (tests/bad_inputs.py): every case is refused with one line that
names the value and what is allowed, exit status 2, and nothing written.

The value cases are checked in-process (composing and validating the config is all a bad
value must get through, and it is what the command line runs first); the cases only the
command line can show (Hydra's options, sweeps, the run folder) and a few value cases run
the real `python -m sim`. Ctrl-C and SIGTERM are here too: one line, no folder left."""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.cli
from sim.compose import compose_config
from sim.errors import ConfigError
from tests.bad_inputs import CLI_CASES, SMALL_BASE, VALUE_CASES
from tests.experiments_helpers import ctrl_c_as_in_a_terminal


def case_id(case) -> str:
    return " ".join(case[0])


@pytest.mark.parametrize("case", VALUE_CASES, ids=case_id)
def test_bad_value_is_one_line_naming_it(case):
    args, named = case
    with pytest.raises(ConfigError) as refused:
        compose_config([*SMALL_BASE, *args])
    message = str(refused.value)
    assert "\n" not in message and named in message and "allowed" in message, message


def run_cli(args, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    flags = [a for a in args if a == "-m"]
    rest = [a.replace("{tmp}", str(cwd)) for a in args if a != "-m"]
    return subprocess.run([sys.executable, "-m", "sim", *flags, *SMALL_BASE, *rest], cwd=cwd,
                          capture_output=True, text=True, timeout=300, **kwargs)


SUBPROCESS_VALUE_CASES = [c for c in VALUE_CASES if c[0] in (
    ("years=${oc.env:HOME}",), ("~years",), ("region.n_schools=2",),
    ("scheme=nope",))]


@pytest.mark.parametrize("case", CLI_CASES + SUBPROCESS_VALUE_CASES, ids=case_id)
def test_command_line_refuses_in_one_line_and_writes_nothing(case, tmp_path):
    args, named = case
    (tmp_path / "file").write_text("a file where a folder is expected\n")
    proc = run_cli(args, tmp_path)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("schoolsim: error: "), proc.stderr[-3000:]
    assert named.replace("{tmp}", str(tmp_path)) in lines[0] and "allowed" in lines[0]
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_an_experiments_own_sweep_values_are_checked_before_any_folder(tmp_path):
    """An experiment sweeps its own values (`hydra.sweeper.params`): a bad one is refused
    up front like a bad value on the command line, not job by job in a sweep folder."""
    experiment = tmp_path / "conf" / "experiment"
    experiment.mkdir(parents=True)
    (experiment / "bad.yaml").write_text("# @package _global_\nhydra:\n  sweeper:\n"
                                         "    params:\n      region.fsm_mean: 0.2,5\n      seed: 1,2\n")
    proc = run_cli(["-m", "+experiment=bad", f"hydra.searchpath=[file://{tmp_path}/conf]"],
                   tmp_path)
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "schoolsim: error: region.fsm_mean=5 is out of range; allowed: 0.01 to 0.99"), lines
    assert [p.name for p in tmp_path.iterdir()] == ["conf"]


def test_environment_is_never_read_into_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHOOLSIM_SECRET", "s3cr3t-value")
    with pytest.raises(ConfigError) as refused:
        compose_config(["scheme.name=${oc.env:SCHOOLSIM_SECRET}"])
    assert "s3cr3t-value" not in str(refused.value)


@pytest.mark.parametrize("how, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_stopped_single_run_says_so_in_one_line_and_leaves_no_folder(tmp_path, how, status):
    proc = subprocess.Popen([sys.executable, "-m", "sim", "years=100", "region.n_schools=5000",
                             "output.progress=false"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=ctrl_c_as_in_a_terminal)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("outputs/*/*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(tmp_path.glob("outputs/*/*")), "the run never started"
    time.sleep(1.0)  # into the simulation
    proc.send_signal(how)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()  # a run that ignored the signal must not outlive the test
    assert proc.returncode == status, err[-3000:]
    assert err.strip().splitlines() == [next(line for line in err.splitlines()
                                             if line.startswith("schoolsim: stopped by"))]
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_turned_into_a_library_error_is_still_a_stop():
    """Ctrl-C while numba compiles a kernel into its cache surfaced as numba's RuntimeError
    ('no compiled object yet') with the KeyboardInterrupt as its context: exit 1 and a
    traceback (fresh-clone CI, session 9). The interrupt behind it is what is reported."""
    try:
        try:
            raise sim.cli.Terminated()
        except KeyboardInterrupt:
            raise RuntimeError("no compiled object yet")
    except RuntimeError as exc:
        library_error = exc
    assert isinstance(sim.cli.interrupt_behind(library_error), sim.cli.Terminated)
    assert sim.cli.interrupt_behind(RuntimeError("a real failure")) is None


def test_full_disk_is_one_line_naming_the_path(tmp_path):
    class Result:
        def write(self, out_dir, with_config):
            raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / "x.partial"))

    with pytest.raises(ConfigError) as refused:
        sim.cli._write(Result(), tmp_path)
    assert str(tmp_path) in str(refused.value) and "No space left" in str(refused.value)
