"""Composing a run's config: Hydra's defaults plus command-line style overrides, validated.

Errors from Hydra and OmegaConf (often several lines) become one `ConfigError` line that
names the bad value and what is allowed.

`compose_config` composes from the YAML files every time. `Composer` is for many configs in
one process (a sweep's worker, `sim.batch`): Hydra builds a config from the config groups
(`scheme=trios`, `+scenario=...`), then applies the value overrides (`seed=3`) to it, so a
`Composer` builds each distinct choice of groups once (about 0.2 s) and applies each job's
values to a copy of it (about 0.02 s): the same config, as tests/test_compose_cache.py checks.
"""

from __future__ import annotations

import copy
import os
import re

from hydra import compose, initialize_config_module
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import validate
from sim.errors import ConfigError
from sim.overrides import folder_name, override


# Config-store entries that type-check a group's YAML files (`trios_schema`); not choices.
SCHEMA_SUFFIX = "_schema"


def run_name(scenario: str, scheme: str) -> str:
    """A run folder's name (configs/config.yaml, `hydra.run.dir`): the scenario's, else the scheme's."""
    return scenario or scheme


OmegaConf.register_new_resolver("run_name", run_name, replace=True)
# A sweep job's folder (configs/config.yaml, `hydra.sweep.subdir`), from its overrides.
OmegaConf.register_new_resolver("job_folder", lambda overrides: folder_name(list(overrides)),
                                replace=True)


def compose_config(overrides: list[str] | dict | None = None, *,
                   hydra: bool = False) -> DictConfig:
    """The config `schoolsim` would use with these command-line overrides, validated;
    `hydra` also composes (and so checks) Hydra's own options, under `cfg.hydra`."""
    overrides = as_override_list(overrides)
    refuse_indirection(overrides)
    try:
        if GlobalHydra.instance().is_initialized():
            cfg = _compose(overrides, hydra)
        else:
            with initialize_config_module(config_module="configs", version_base="1.3"):
                cfg = _compose(overrides, hydra)
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(_describe_in_context(exc, overrides)) from None
    validate(cfg)
    return cfg


class Composer:
    """`compose_config` for many override lists in one process: the config of each distinct
    choice of config groups (and of Hydra's settings) is composed once, and each list's
    value overrides are applied to a copy of it.

    The YAML files are read when a choice of groups is first seen: use one `Composer` for a
    batch of runs, not across edits of the config files. Lists with a deletion or a dict
    value are composed in full, as `compose_config` does.
    """

    def __init__(self) -> None:
        self._bases: dict[tuple, DictConfig] = {}

    def compose(self, overrides: list[str] | dict | None = None) -> DictConfig:
        overrides = as_override_list(overrides)
        refuse_indirection(overrides)
        try:
            with _hydra_initialized():
                cfg = self._compose(overrides)
        except (HydraException, OmegaConfBaseException) as exc:
            raise ConfigError(_describe_in_context(exc, overrides)) from None
        validate(cfg)
        return cfg

    def _compose(self, overrides: list[str]) -> DictConfig:
        refuse_schema_choices(_choices(overrides))
        loader = GlobalHydra.instance().config_loader()
        groups, values = split_overrides(OverridesParser.create().parse_overrides(overrides),
                                         loader)
        if not all(map(applicable, values)):
            return _compose(overrides, hydra=False)
        # Hydra's own settings change only cfg.hydra, which the run's config leaves out, and
        # they are the same for every job of a sweep: composed with the groups. The folder
        # Hydra records as the cwd (hydra.runtime.cwd) is part of the config too.
        settings = [o for o in values if o.is_hydra_override()]
        key = (tuple(o.input_line for o in groups + settings), os.getcwd())
        if key not in self._bases:
            self._bases[key] = _compose(list(key[0]), hydra=False)
        cfg = copy.deepcopy(self._bases[key])
        ConfigLoaderImpl._apply_overrides_to_config(
            [o for o in values if not o.is_hydra_override()], cfg)
        return cfg


def split_overrides(overrides: list, loader) -> tuple[list, list]:
    """(config-group choices, value overrides) of parsed overrides, as Hydra's defaults list
    tells them apart (hydra/_internal/defaults_list.py `Overrides`): a dict value, or a key
    that is not a config group, is a value override, applied after the groups are composed."""
    groups, values = [], []
    for o in overrides:
        is_group = loader.repository.group_exists(o.key_or_group)
        (values if isinstance(o.value(), dict) or not is_group else groups).append(o)
    return groups, values


def applicable(value_override) -> bool:
    """A value override that may be applied to a copy of a config composed without it: a
    plain `key=value` or `+key=value` (not a deletion, a sweep or a dict, whose effect
    depends on what else is merged)."""
    return not (value_override.is_delete() or value_override.is_sweep_override()
                or isinstance(value_override.value(), dict))


class _hydra_initialized:
    """Hydra's global state for composing: the caller's, or schoolsim's configs meanwhile."""

    def __enter__(self):
        self._context = None
        if not GlobalHydra.instance().is_initialized():
            self._context = initialize_config_module(config_module="configs",
                                                     version_base="1.3")
            self._context.__enter__()

    def __exit__(self, *exc):
        if self._context is not None:
            self._context.__exit__(*exc)
        return False


def _compose(overrides: list[str], hydra: bool) -> DictConfig:
    refuse_schema_choices(_choices(overrides))
    return compose(config_name="config", overrides=overrides, return_hydra_config=hydra)


def _choices(overrides: list[str]) -> dict[str, str]:
    return dict(o.lstrip("+").split("=", 1) for o in overrides
                if "=" in o and not o.startswith("~"))


def refuse_schema_choices(choices: dict) -> None:
    """A schema entry chosen as a group's option (`scheme=trios_schema`) is an error."""
    for group, choice in choices.items():
        if str(choice).endswith(SCHEMA_SUFFIX) and "." not in group:
            raise ConfigError(f"{group}={choice} is unknown; allowed: "
                              f"{', '.join(group_options(group))}")


def group_options(group: str) -> list[str]:
    """The options of a config group a user can choose (schemas left out)."""
    loader = GlobalHydra.instance().config_loader()
    return [o for o in loader.get_group_options(group) if not o.endswith(SCHEMA_SUFFIX)]


def refuse_indirection(overrides: list[str]) -> None:
    """Refuse what a user's value must not do: an interpolation (`${oc.env:HOME}` would put
    the environment into the outputs, or a web page; `${nope}` fails deep inside OmegaConf)
    or a deletion (`~years`: every setting needs a value). Hydra's own options are left
    alone (its folder names use `${now:...}`)."""
    for item in overrides:
        key = item.partition("=")[0].lstrip("~+")
        if key.startswith("hydra"):
            continue
        if "${" in item:
            raise ConfigError(f"{item} is an interpolation; allowed: a plain value (${{...}} "
                              "is not accepted in overrides)")
        if item.startswith("~"):
            raise ConfigError(f"{item} deletes {key}; allowed: {key}=<value> (every setting "
                              "needs a value)")


def _describe_in_context(exc, overrides) -> str:
    if GlobalHydra.instance().is_initialized():
        return describe_config_error(exc, overrides)
    with initialize_config_module(config_module="configs", version_base="1.3"):
        return describe_config_error(exc, overrides)


def as_override_list(overrides) -> list[str]:
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [override(k, v) for k, v in overrides.items()]
    return list(overrides)


def describe_config_error(exc: Exception, overrides: list[str] = ()) -> str:
    """One line from Hydra's or OmegaConf's (multi-line) composition errors."""
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file and exc.options:
        group, _, missing = exc.missing_cfg_file.rpartition("/")
        options = sorted(o for o in exc.options if not o.endswith(SCHEMA_SUFFIX))
        return f"{group or 'config'}={missing} is unknown; allowed: {', '.join(options)}"
    scenario_key = _SCENARIO_KEY.search(str(exc))
    if scenario_key:
        return _scenario_key_missing(*scenario_key.groups(), overrides)
    cause = exc.__cause__ or exc
    key = getattr(cause, "full_key", None)
    if key and "not in" in str(cause):
        parent, _, _ = key.rpartition(".")
        allowed = _allowed_keys(parent, overrides)
        return f"unknown config key '{key}'; allowed under '{parent or 'top level'}': {allowed}"
    converted = _CONVERSION.search(str(cause))
    if key and converted:
        value, wanted = converted.groups()
        return f"{key}={value} is not {_TYPE_NAMES.get(wanted, wanted)}; allowed: " \
               f"{_TYPE_NAMES.get(wanted, wanted)}"
    if key:
        return f"{key}: {str(cause).splitlines()[0]}"
    return " ".join(line.strip() for line in str(exc).splitlines() if line.strip())


# Hydra's "In 'scenario/x': ConfigKeyError ... full_key: scheme.y": a scenario sets a key the
# group option chosen beside it (scheme=mixed) does not have.
_SCENARIO_KEY = re.compile(r"In 'scenario/([^']+)': ConfigKeyError.*?full_key: (\S+)", re.S)


def _scenario_key_missing(scenario: str, key: str, overrides) -> str:
    group, _, leaf = key.partition(".")
    chosen = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0] == group]
    where = f"{group}={chosen[-1]}" if chosen else f"the chosen {group}"
    line = f"+scenario={scenario} sets {key}, which {where} does not have"
    nested = _nested_keys(group, leaf, overrides)
    if nested:
        line += f" (it has {', '.join(nested)}: set that without the scenario)"
    return line + f"; allowed: the scenario's own {group}"


def _nested_keys(group: str, leaf: str, overrides) -> list[str]:
    """Keys deeper in the chosen option of `group` that end with `leaf`."""
    choices = [o for o in overrides if o.split("=", 1)[0] == group]
    try:
        node = compose(config_name="config", overrides=choices)[group]
    except Exception:  # the hint is a courtesy; the error message stands without it
        return []
    return [f"{group}.{name}.{leaf}" for name, sub in node.items()
            if isinstance(sub, DictConfig) and leaf in sub]


# OmegaConf's "Value 'abc' of type 'str' could not be converted to Integer".
_CONVERSION = re.compile(r"Value '([^']*)' of type '[^']*' could not be converted to (\w+)")
_TYPE_NAMES = {"Integer": "a whole number", "Float": "a number", "Boolean": "true or false"}


def _allowed_keys(parent: str, overrides: list[str]) -> str:
    """Keys of a config node, composed with the same group choices as the failed call."""
    groups = [o for o in overrides if "=" in o and "." not in o.split("=")[0]
              and o.split("=")[0] in ("region", "scheme")]
    try:
        cfg = compose(config_name="config", overrides=groups)
        node = OmegaConf.select(cfg, parent) if parent else cfg
        return ", ".join(node.keys())
    except Exception:  # listing is a courtesy; the error message stands without it
        return "see `schoolsim --cfg job`"
