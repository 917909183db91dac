"""The experiment specs: one reader for sensitivity, calibration and validation.

Every experiment names the model seeds each point runs (`replicates`: common random
numbers), the overrides held fixed for every run (`base`) and its parallel jobs (`n_jobs`);
sensitivity and calibration also name free `parameters` with ranges. Each tool's spec class
(`experiments.sensitivity.Spec`, `experiments.calibration.spec.Spec`) extends `Spec` with
its own settings and reads them with the helpers here, so a setting shared by the tools is
read, checked and described in one place. Any problem is a `SpecError`: one line naming
the key, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from omegaconf import DictConfig, OmegaConf


class SpecError(ValueError):
    """A bad experiment spec (one line: the key, the value and what is allowed)."""


@dataclass(frozen=True)
class Parameter:
    """A free parameter: a config key and its range (sampled on a log scale, or rounded to
    integers, when the spec says so)."""

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def value(self, x: float):
        return int(round(x)) if self.integer else float(x)


@dataclass(frozen=True, kw_only=True)
class Spec:
    """What every experiment spec holds."""

    parameters: tuple[Parameter, ...] = ()
    replicates: tuple[int, ...] = (1, 2, 3)
    base: tuple[str, ...] = ()
    n_jobs: int = -1
    name: str = field(default="experiment", compare=False)


def need(ok: bool, message: str) -> None:
    if not ok:
        raise SpecError(message)


def read_mapping(path: Path, label: str, what: str, keys) -> dict:
    """The YAML mapping in `path`; a SpecError naming `label`=path if there is none."""
    if not path.is_file():
        raise SpecError(f"{label}={path} is not a file; allowed: a {what} YAML")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise SpecError(f"{label}={path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    need(isinstance(data, dict),
         f"{label}={path} is not a mapping; allowed: keys {', '.join(keys)}")
    return data


def known_keys(data: dict, keys) -> None:
    unknown = sorted(set(data) - set(keys))
    need(not unknown, f"unknown key '{unknown[0] if unknown else ''}'; allowed: {', '.join(keys)}")


def choice(data: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = data.get(key, default)
    need(value in allowed, f"{key}={value} is unknown; allowed: {', '.join(allowed)}")
    return value


def integer(data: dict, key: str, default: int, minimum: int) -> int:
    value = data.get(key, default)
    need(isinstance(value, int) and not isinstance(value, bool) and value >= minimum,
         f"{key}={value}; allowed: an integer >= {minimum}")
    return value


def listed(data: dict, key: str, default=()) -> list:
    value = data.get(key, list(default))
    need(isinstance(value, list), f"{key}={value}; allowed: a list")
    return value


def seeds(value, key: str = "replicates") -> tuple[int, ...]:
    """A count n (seeds 1..n) or a list of distinct seeds >= 0."""
    allowed = "allowed: a count >= 1 or a list of distinct seeds >= 0"
    if isinstance(value, int) and not isinstance(value, bool):
        need(value >= 1, f"{key}={value}; {allowed}")
        return tuple(range(1, value + 1))
    need(isinstance(value, list) and value and len(set(value)) == len(value)
         and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value),
         f"{key}={value}; {allowed}")
    return tuple(value)


def jobs(value: int, key: str = "n_jobs") -> int:
    """Parallel processes: a positive count, or negative as joblib counts back from all cores."""
    need(isinstance(value, int) and not isinstance(value, bool) and value != 0 and value >= -64,
         f"{key}={value}; allowed: a positive count, or -1 for every core")
    return value


def overrides(data: dict, key: str = "base") -> tuple[str, ...]:
    value = data.get(key) or []
    need(isinstance(value, list), f"{key}={value}; allowed: a list of overrides key=value")
    return tuple(str(o) for o in value)


def parameters(value, option: str) -> tuple[Parameter, ...]:
    """`{key: [low, high] or {low:, high:, <option>: true}}`; `option` is `log` or `integer`."""
    need(isinstance(value, dict) and len(value) >= 1,
         f"parameters={value}; allowed: a mapping of config keys to [low, high]")
    return tuple(_parameter(str(k), v, option) for k, v in value.items())


def _parameter(name: str, value, option: str) -> Parameter:
    allowed = (f"allowed: [low, high] or {{low: x, high: y, {option}: true}} with numbers "
               "low < high")
    flag = False
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"low", "high", option})
        need(not unknown, f"parameters.{name} has unknown key '{unknown[0] if unknown else ''}'"
                          f"; {allowed}")
        flag = bool(value.get(option, False))
        value = [value.get("low"), value.get("high")]
    need(isinstance(value, (list, tuple)) and len(value) == 2,
         f"parameters.{name}={value}; {allowed}")
    low, high = value
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
    need(numbers and low < high, f"parameters.{name}=[{low}, {high}]; {allowed}")
    need(option != "log" or not flag or low > 0,
         f"parameters.{name}=[{low}, {high}] with log: true; allowed: low > 0 on a log scale")
    return Parameter(name, float(low), float(high), **{option: flag})


def numeric_settings(spec: Spec, cfg: DictConfig) -> None:
    """Every parameter must be a numeric setting of the config composed from `spec.base`."""
    for p in spec.parameters:
        value = OmegaConf.select(cfg, p.name, default=None)
        need(isinstance(value, (int, float)) and not isinstance(value, bool),
             f"parameters.{p.name} is not a numeric setting of the model (found {value!r}); "
             "allowed: a number shown by `schoolsim --cfg job` with the base overrides")
