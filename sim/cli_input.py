"""Checking `schoolsim`'s arguments before Hydra makes any folder.

Hydra reports its own errors (an unknown launcher, a bad sweep value) in several lines with
exit status 1, after it has made the run's or sweep's folder. So the command line is checked
first, the way a run would use it, and anything wrong is one `ConfigError` line:
- a single run's config is composed and validated, Hydra's options included
  (`hydra/launcher=...`, `hydra.job.chdir=...`);
- a sweep's jobs are expanded as Hydra's basic sweeper does and enough of them composed and
  validated that every swept value is checked at least once (the first in full, the others
  with `sim.compose.Composer`: a 1,000-seed sweep is checked in seconds, not minutes);
- the folder the run or sweep would write to must be one this process can make files in
  (not a file, not read-only, not a system folder), checked by making and removing a
  temporary folder there.
A policy lever set for a scheme it does not apply to (`sim.policies.not_applying`) is not an
error: a sweep over schemes with one lever setting (the `none` baseline beside trios) is an
ordinary comparison. It is a note instead, one line each, so nothing is dropped unsaid.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.component import applies_to
from sim.compose import Composer, compose_config, refuse_indirection
from sim.errors import ConfigError
from sim.policies import not_applying

SWEEP_FLAGS = ("-m", "--multirun")
# Hydra's other flags (help, --cfg, config paths ...): with these, Hydra is left to itself.
OTHER_FLAGS = ("--cfg", "-c", "--help", "-h", "--hydra-help", "--info", "-i", "--version",
               "--resolve", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
               "--config-dir", "-cd", "--run", "-r", "--shell-completion", "-sc",
               "--experimental-rerun")


def check_arguments(argv: list[str]) -> list[str]:
    """Raise ConfigError (one line) for arguments a run or sweep would fail on; return notes
    on levers set where they change nothing."""
    if any(a.split("=")[0] in OTHER_FLAGS for a in argv):
        return []
    overrides = [a for a in argv if a not in SWEEP_FLAGS]
    if len(overrides) < len(argv):
        cfgs = _check_sweep(overrides)
    else:
        cfgs = [compose_config(overrides, hydra=True)]
        check_writable(_select(cfgs[0], "hydra.run.dir"), "hydra.run.dir")
    return list(dict.fromkeys(note for cfg in cfgs for note in _notes(cfg)))


def _notes(cfg: DictConfig) -> list[str]:
    return [f"{setting} changes nothing with scheme={cfg.scheme.name} (policy.{lever.name} "
            f"applies to: {', '.join(applies_to(lever))})"
            for setting, lever in not_applying(cfg)]


def _check_sweep(overrides: list[str]) -> Iterator[DictConfig]:
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    refuse_indirection(overrides)  # before Hydra's parser, which resolves interpolations
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        jobs = BasicSweeper.split_arguments(parsed, None)[0]
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(" ".join(str(exc).split())) from None
    first, *others = covering(jobs)
    cfg = compose_config(first, hydra=True)
    check_writable(_select(cfg, "hydra.sweep.dir"), "hydra.sweep.dir")
    yield cfg
    composer = Composer()  # one at a time: a 1,000-seed sweep's configs are never all kept
    for job in others:
        yield composer.compose(job)


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
