"""Checking `schoolsim`'s arguments before Hydra makes any folder.

Hydra reports its own errors (an unknown launcher, a bad sweep value) in several lines with
exit status 1, after it has made the run's or sweep's folder. So the command line is checked
first, the way a run would use it, and anything wrong is one `ConfigError` line:
- a single run's config is composed and validated, Hydra's options included
  (`hydra/launcher=...`, `hydra.job.chdir=...`);
- a sweep's jobs are expanded as Hydra's basic sweeper does and enough of them composed and
  validated that every swept value is checked at least once;
- the folder the run or sweep would write to must be one this process can make files in
  (not a file, not read-only, not a system folder), checked by making and removing a
  temporary folder there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.compose import compose_config, refuse_indirection
from sim.errors import ConfigError

SWEEP_FLAGS = ("-m", "--multirun")
# Hydra's other flags (help, --cfg, config paths ...): with these, Hydra is left to itself.
OTHER_FLAGS = ("--cfg", "-c", "--help", "-h", "--hydra-help", "--info", "-i", "--version",
               "--resolve", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
               "--config-dir", "-cd", "--run", "-r", "--shell-completion", "-sc",
               "--experimental-rerun")


def check_arguments(argv: list[str]) -> None:
    """Raise ConfigError (one line) for arguments a run or sweep would fail on."""
    if any(a.split("=")[0] in OTHER_FLAGS for a in argv):
        return
    overrides = [a for a in argv if a not in SWEEP_FLAGS]
    if len(overrides) < len(argv):
        _check_sweep(overrides)
    else:
        cfg = compose_config(overrides, hydra=True)
        check_writable(_select(cfg, "hydra.run.dir"), "hydra.run.dir")


def _check_sweep(overrides: list[str]) -> None:
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    refuse_indirection(overrides)  # before Hydra's parser, which resolves interpolations
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        jobs = BasicSweeper.split_arguments(parsed, None)[0]
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(" ".join(str(exc).split())) from None
    for k, job in enumerate(covering(jobs)):
        cfg = compose_config(job, hydra=(k == 0))
        if k == 0:
            check_writable(_select(cfg, "hydra.sweep.dir"), "hydra.sweep.dir")


def covering(jobs: list[list[str]]) -> list[list[str]]:
    """The first job, then each job that has an override no earlier kept job had: every
    swept value is in one of them (a sweep of a x b x c jobs needs at most a + b + c)."""
    seen: set[str] = set()
    kept = []
    for job in jobs:
        if not kept or not seen.issuperset(job):
            kept.append(job)
            seen.update(job)
    return kept


def _select(cfg: DictConfig, key: str) -> str:
    try:
        return str(OmegaConf.select(cfg, key, throw_on_missing=True))
    except OmegaConfBaseException as exc:
        raise ConfigError(f"{key}: {' '.join(str(exc).split())}") from None


def check_writable(folder: str, key: str) -> None:
    """Raise ConfigError unless this process can make `folder` and write in it."""
    path = Path(folder).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise ConfigError(f"{key}={folder}: {existing} is a file, not a folder; allowed: a "
                          "folder schoolsim can write in")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".schoolsim-check-", dir=existing))
    except OSError as exc:
        raise ConfigError(f"{key}={folder}: cannot write in {existing} ({exc.strerror}); "
                          "allowed: a folder schoolsim can write in") from None
