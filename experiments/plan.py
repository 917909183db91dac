"""The plan of a sweep: which jobs it has, in Hydra's order, and their overrides.

Hydra's basic sweeper numbers jobs by the cartesian product of the sweep overrides
(`hydra.sweeper.params` first, then the command line). The plan repeats that expansion
from the `multirun.yaml` the sweeper saves in the sweep folder, so `schoolsim-collect` and
`schoolsim-progress` know the jobs that have not started yet ("missing") as well as those
that have. `SweepCallback` also writes it as `sweep_plan.json` when a sweep starts.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from sim.atomic import write_text
from sim.cli_input import expand_sweep
from sim.overrides import folder_name

PLAN_FILE = "sweep_plan.json"
MULTIRUN_FILE = "multirun.yaml"


class SweepDirError(ValueError):
    """A folder that is not a sweep folder (one line, names the value and what is allowed)."""


@dataclass(frozen=True)
class Job:
    num: int
    overrides: tuple[str, ...]
    # The job's folder in the sweep folder: named for its overrides (`folder_name`, as
    # configs/config.yaml names it); a sweep planned before names were used has numbers.
    subdir: str = ""

    def __post_init__(self):
        if not self.subdir:
            object.__setattr__(self, "subdir", folder_name(self.overrides))

    def swept_values(self) -> dict[str, object]:
        """Each override as column name -> typed value (`seed=3` -> {'seed': 3})."""
        return dict(override_value(o) for o in self.overrides)


def jobs_from_config(multirun_cfg: DictConfig, config_loader=None) -> list[Job]:
    """Expand a sweep's saved config into its jobs, exactly as the basic sweeper does."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    sweeper = str(OmegaConf.select(multirun_cfg, "hydra.sweeper._target_") or "BasicSweeper")
    if sweeper.rpartition(".")[2] not in ("BasicSweeper", "LightBasicSweeper"):
        raise SweepDirError(f"hydra.sweeper={sweeper} is not supported; allowed: Hydra's "
                            "basic sweeper (the default)")
    params = OmegaConf.select(multirun_cfg, "hydra.sweeper.params") or {}
    task = list(OmegaConf.select(multirun_cfg, "hydra.overrides.task") or [])
    jobs = expand_sweep(params, task, OverridesParser.create(config_loader=config_loader))
    return [Job(num, tuple(o)) for num, o in enumerate(jobs)]


def compute_jobs(sweep_dir: Path) -> list[Job]:
    """The plan from `multirun.yaml`, using schoolsim's configs to expand `glob(...)`."""
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    cfg = OmegaConf.load(sweep_dir / MULTIRUN_FILE)
    if GlobalHydra.instance().is_initialized():
        return jobs_from_config(cfg, GlobalHydra.instance().config_loader())
    with initialize_config_module(config_module="configs", version_base="1.3"):
        return jobs_from_config(cfg, GlobalHydra.instance().config_loader())


def load_jobs(sweep_dir: str | Path) -> list[Job]:
    """The plan of the sweep in `sweep_dir` (from sweep_plan.json, else multirun.yaml)."""
    sweep_dir = check_sweep_dir(sweep_dir)
    plan = sweep_dir / PLAN_FILE
    if plan.is_file():
        data = json.loads(plan.read_text())
        return [Job(int(j["num"]), tuple(j["overrides"]), j.get("subdir", str(j["num"])))
                for j in data["jobs"]]
    return compute_jobs(sweep_dir)


def write_plan(sweep_dir: str | Path, jobs: list[Job]) -> Path:
    data = {"n_jobs": len(jobs),
            "jobs": [{"num": j.num, "subdir": j.subdir, "overrides": list(j.overrides)}
                     for j in jobs]}
    return write_text(Path(sweep_dir) / PLAN_FILE, json.dumps(data, indent=1) + "\n")


def check_sweep_dir(sweep_dir: str | Path) -> Path:
    path = Path(sweep_dir)
    if not path.is_dir():
        raise SweepDirError(f"SWEEP_DIR={sweep_dir} is not a folder; allowed: a sweep folder "
                            "made by `schoolsim -m` (it holds multirun.yaml)")
    if not (path / MULTIRUN_FILE).is_file() and not (path / PLAN_FILE).is_file():
        raise SweepDirError(f"SWEEP_DIR={sweep_dir} has no {MULTIRUN_FILE}; allowed: a sweep "
                            "folder made by `schoolsim -m` (e.g. multirun/<date>/<time>)")
    return path


@functools.cache
def _parser():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create()


def override_value(override: str) -> tuple[str, object]:
    """`scheme.initial_trust=0.3` -> ('scheme.initial_trust', 0.3); `+experiment=x` -> ('experiment', 'x')."""
    parsed = _parser().parse_override(override)
    key = parsed.get_key_element().lstrip("+~")
    value = parsed.value()
    if isinstance(value, (list, dict)):
        value = parsed.get_value_element_as_str()
    return key, value
