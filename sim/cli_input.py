"""Checking `schoolsim`'s arguments before Hydra makes any folder.

Hydra reports its own errors (an unknown launcher, a bad sweep value) in several lines with
exit status 1, after it has made the run's or sweep's folder. So the command line is checked
first, the way a run would use it, and anything wrong is one `ConfigError` line:
- a single run's config is composed and validated, Hydra's options included
  (`hydra/launcher=...`, `hydra.job.chdir=...`);
- a sweep's jobs are expanded as Hydra's basic sweeper does (an experiment's own swept
  values, `hydra.sweeper.params`, included, and `glob(...)`) and enough of them composed and
  validated that every swept value is checked at least once (the first in full, the others
  with `sim.compose.Composer`: a 1,000-seed sweep is checked in seconds, not minutes); a job
  repeated (`seed=1,1`) is refused, since jobs' folders are named for their overrides;
- the folder the run or sweep would write to must be one this process can make files in
  (not a file, not read-only, not a system folder), checked by making and removing a
  temporary folder there.
A policy lever set for a scheme it does not apply to (`sim.policies.not_applying`) is not an
error: a sweep over schemes with one lever setting (the `none` baseline beside trios) is an
ordinary comparison. It is a note instead, one line each, so nothing is dropped unsaid.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.component import applies_to
from sim.compose import Composer, compose_config, refuse_indirection
from sim.errors import ConfigError
from sim.overrides import folder_name
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
    refuse_indirection(overrides)  # before Hydra's parser, which resolves interpolations
    with _hydra_context() as loader:
        parser = _parser(loader)
        # As Hydra does: the sweep's own config (swept values left out) says what an
        # experiment sweeps (`hydra.sweeper.params`); those come first, then the command line.
        fixed = [o.input_line for o in _parse(parser, overrides) if not o.is_sweep_override()]
        params = OmegaConf.select(compose_config(fixed, hydra=True), "hydra.sweeper.params")
        jobs = expand_sweep(params or {}, overrides, parser)
    refuse_repeated_jobs(jobs)
    first, *others = covering(jobs)
    cfg = compose_config(first, hydra=True)
    check_writable(_select(cfg, "hydra.sweep.dir"), "hydra.sweep.dir")
    yield cfg
    composer = Composer()  # one at a time: a 1,000-seed sweep's configs are never all kept
    for job in others:
        yield composer.compose(job)


def expand_sweep(params, overrides: list[str], parser=None) -> list[list[str]]:
    """The jobs of a sweep, as Hydra's basic sweeper numbers them: the config's swept
    values (`hydra.sweeper.params`) then the command line's, `glob(...)` expanded against the
    config groups (a `parser` made with a config loader)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    arguments = [f"{k}={v}" for k, v in params.items()] + list(overrides)
    return [list(job) for job in BasicSweeper.split_arguments(
        _parse(parser or _parser(None), arguments), None)[0]]


def sweep_values(override: str) -> list[str]:
    """The values one sweep override takes (`+scenario=a,glob(gm_*)` -> its scenarios)."""
    with _hydra_context() as loader:
        parsed = _parse(_parser(loader), [override])[0]
        if not parsed.is_sweep_override():
            return [parsed.get_value_element_as_str()]
        return list(parsed.sweep_string_iterator())


def _parser(loader):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create(config_loader=loader)


def _parse(parser, overrides: list[str]) -> list:
    from hydra.errors import HydraException

    try:
        return parser.parse_overrides(list(overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(" ".join(str(exc).split())) from None


@contextlib.contextmanager
def _hydra_context():
    """Hydra's config loader for schoolsim's configs (what `glob(...)` is expanded against)."""
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        yield GlobalHydra.instance().config_loader()
        return
    with initialize_config_module(config_module="configs", version_base="1.3"):
        yield GlobalHydra.instance().config_loader()


def refuse_repeated_jobs(jobs: list[list[str]]) -> None:
    """Two jobs with the same overrides would share a folder (named for them) and compute
    the same outputs (same config, same seed)."""
    seen: set[str] = set()
    for job in jobs:
        name = folder_name(job)
        if name in seen:
            raise ConfigError(f"the sweep has the job {' '.join(job)} twice; allowed: each "
                              "job once (a value repeated in a sweep list runs the same job)")
        seen.add(name)


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
