"""Components: the frame every mechanism plugs into.

A *component* is a scheme, a policy lever, a shock, an inspection regime or a region
generator. Each is one module that owns, in one place:

- **its parameters**: a dataclass `Params` whose fields are declared with `param(...)`, which
  records the range (`min`, `max`, with `why` the range is what it is), the `unit`, a short
  `label` and a one-line `help`. The same metadata drives config validation
  (`check_params`), `schoolsim --help`, the dashboard's controls and the ODD parameter table
  (`python -m sim.odd_table`); nothing is declared twice. `Params` is also the Hydra schema of
  the component's config section, so a typo'd key is an error;
- **its validation**: `check_params` checks every field against its metadata; the classmethod
  `validate(params, prefix, cfg)` adds the checks between fields that metadata cannot state.
  Both raise `ConfigError` with one line naming the value and what is allowed;
- **its random streams**: `self.stream(model, "formation")` is the model's stream
  `formation/<name>` (see `sim.streams`), so two components never share draws and the
  parts of a mixed scheme keep theirs whatever their order;
- **its lifecycle**: the model calls these hooks, and only these, in this order:

  ============== ============================================================================
  `setup`        once, when the model is built, after the region, the schools' starting state
                 and the inspectorate's first grades exist (schemes form partnerships here)
  `window_start` a policy lever's window opens (at `calendar.AT_POLICY` of its start week)
  `term_end`     every 13 teaching weeks, after in-school improvement and forgetting
  `year_end`     every 39 teaching weeks, after the year's attainment results
  `window_stop`  a policy lever's window closes
  `finish`       once, when the run reaches its last week
  ============== ============================================================================

  A hook a component does not need is simply not overridden (the base does nothing);
- **its outputs**: `metric_columns(model)` adds columns to each term's metrics row and
  `summary(model)` adds fields to the run's summary. A component reports what happened
  through these, never by setting attributes on the model;
- **what it applies to**: a component that acts only through something some schemes have
  names it in `needs` (one of `TRAITS`: a funding lever needs groups that a funded programme
  runs), and a scheme lists what it has in `traits`. `applies_to(cls)` is then the schemes
  the component can change anything in; `schoolsim --help`, the dashboard (which shows only
  the levers that apply to the chosen scheme) and the command line's note read it from here.

One registry (`REGISTRY`, by kind and name) holds every component class; a class with a
`kind` and a `name` registers itself when its module is imported, and the packages that hold
components (`sim.schemes`) import every module they contain. Adding a scheme is therefore one
module plus its YAML under `configs/scheme/`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import MISSING, dataclass, field
from typing import Any, ClassVar, Iterator

from sim.errors import ConfigError

KINDS = ("scheme", "policy", "shock", "inspection", "region")

# What a scheme may have that a component can need (`Component.needs`, `Scheme.traits`),
# each with the words `schoolsim --help` uses for the schemes that have it.
TRAITS = {
    "meetings": "schemes whose groups meet",
    "programme": "schemes whose groups a funded programme runs",
    "broadcast": "schemes that send summaries of their meetings to every school",
}

# Metadata keys a `param` field carries.
_META = ("min", "max", "why", "unit", "label", "help", "choices", "step", "min_open")


def param(default: Any = MISSING, *, min: float | None = None, max: float | None = None,
          why: str = "", unit: str = "", label: str = "", help: str = "",
          choices: tuple | None = None, step: float | None = None,
          min_open: bool = False) -> Any:
    """A dataclass field carrying a setting's metadata.

    `min`/`max` bound a number (or each number of a list); `min_open` excludes `min` itself
    (a number > min). `why` says where the range comes from. `choices` lists the values a
    string (or each string of a list) may take. `step` is the dashboard slider's step. A list
    default is copied for every instance."""
    meta = {"min": min, "max": max, "why": why, "unit": unit, "label": label, "help": help,
            "choices": tuple(choices) if choices is not None else None, "step": step,
            "min_open": min_open}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


def redefault(schema: type, name: str, default: Any) -> Any:
    """Field `name` of a base parameter dataclass with another default, same metadata (a
    subclass changes a shared setting's default without declaring its metadata again)."""
    f = {f.name: f for f in dataclasses.fields(schema)}[name]
    return param(default, **{k: f.metadata[k] for k in _META})


@dataclass(frozen=True)
class Setting:
    """One field of a component's parameters, with its metadata (see `param`)."""

    name: str
    type: Any
    default: Any
    min: float | None = None
    max: float | None = None
    why: str = ""
    unit: str = ""
    label: str = ""
    help: str = ""
    choices: tuple | None = None
    step: float | None = None
    min_open: bool = False

    @property
    def allowed(self) -> str:
        """What values are allowed, as the error messages and --help say it."""
        if self.choices is not None:
            return ", ".join(_text(c) for c in self.choices)
        low = "" if self.min is None else f"{_text(self.min)}"
        high = "" if self.max is None else f"{_text(self.max)}"
        if low and high:
            text = (f"a number > {low} and <= {high}" if self.min_open else f"{low} to {high}")
        elif low:
            text = f"a number {'>' if self.min_open else '>='} {low}"
        elif high:
            text = f"a number <= {high}"
        else:
            return "any value"
        return f"{text} ({self.why})" if self.why else text


def settings(schema: type) -> list[Setting]:
    """The fields of a parameter dataclass with their metadata, in declaration order."""
    out = []
    for f in dataclasses.fields(schema):
        default = (f.default if f.default is not MISSING else
                   f.default_factory() if f.default_factory is not MISSING else MISSING)
        meta = {k: f.metadata[k] for k in _META if k in f.metadata}
        out.append(Setting(f.name, f.type, default, **meta))
    return out


def nested(schema: type) -> Iterator[tuple[str, type]]:
    """(name, dataclass) of the fields of `schema` that are themselves parameter sections."""
    for f in dataclasses.fields(schema):
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        if dataclasses.is_dataclass(default):
            yield f.name, type(default)


def check_params(node: Any, schema: type, prefix: str) -> None:
    """Check every field of a config section (a DictConfig or a `schema` instance) against its
    metadata; raise ConfigError with one line on the first value out of bounds."""
    for s in settings(schema):
        value = node[s.name] if not dataclasses.is_dataclass(node) else getattr(node, s.name)
        key = f"{prefix}.{s.name}" if prefix else s.name
        if dataclasses.is_dataclass(s.default) or _is_section(value):
            continue
        if _is_sequence(value):
            _check_items(s, value, key)
        else:
            _check_value(s, value, key)
    for name, sub in nested(schema):
        sub_node = node[name] if not dataclasses.is_dataclass(node) else getattr(node, name)
        check_params(sub_node, sub, f"{prefix}.{name}" if prefix else name)


def _check_items(s: Setting, values: Any, key: str) -> None:
    """Each item of a list (of lists) against the setting's metadata."""
    for k, item in enumerate(values):
        if _is_sequence(item):
            _check_items(s, item, f"{key}[{k}]")
        else:
            _check_value(s, item, f"{key}[{k}]")


def _check_value(s: Setting, value: Any, key: str) -> None:
    if value is None:
        return
    if s.choices is not None:
        if value not in s.choices:
            raise ConfigError(f"{key}={_text(value)} is unknown; allowed: {s.allowed}")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if not math.isfinite(value):
        raise ConfigError(f"{key}={value} is not a finite number; allowed: {s.allowed}")
    low_bad = s.min is not None and (value <= s.min if s.min_open else value < s.min)
    high_bad = s.max is not None and value > s.max
    if low_bad or high_bad:
        raise ConfigError(f"{key}={_text(value)} is out of range; allowed: {s.allowed}")


def _is_section(value: Any) -> bool:
    return hasattr(value, "keys") or dataclasses.is_dataclass(value)


def _is_sequence(value: Any) -> bool:
    return not isinstance(value, str) and hasattr(value, "__len__") and hasattr(value, "__iter__") \
        and not hasattr(value, "keys")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def require(ok: bool, message: str) -> None:
    """Raise ConfigError(message) unless `ok` (for a component's own `validate`)."""
    if not ok:
        raise ConfigError(message)


# ------------------------------------------------------------------------------ registry

REGISTRY: dict[str, dict[str, type[Component]]] = {kind: {} for kind in KINDS}


def registered(kind: str) -> dict[str, type[Component]]:
    """The component classes of one kind, by name, in the order they registered (a kind's
    package registers them all when imported: `sim.schemes`, `sim.policies`, ...)."""
    return REGISTRY[kind]


def applies(component: type[Component], scheme: type[Component]) -> bool:
    """Whether `component` can change anything in a run of `scheme`."""
    return not component.needs or component.needs in scheme.has()


def applies_to(component: type[Component]) -> list[str]:
    """The registered schemes `component` applies to, by name."""
    return [name for name, scheme in registered("scheme").items() if applies(component, scheme)]


def applies_to_text(component: type[Component]) -> str:
    """`every scheme`, or the schemes by name and what they have in common."""
    if not component.needs:
        return "every scheme"
    return f"{', '.join(applies_to(component))}: {TRAITS[component.needs]}"


def component_class(kind: str, name: str, key: str) -> type[Component]:
    """The registered class; an unknown name is a one-line ConfigError naming `key`."""
    known = registered(kind)
    if name not in known:
        raise ConfigError(f"{key}={name} is unknown; allowed: {', '.join(known)}")
    return known[name]


class Component:
    """Base of every component; see the module docstring for the lifecycle."""

    kind: ClassVar[str] = ""
    name: ClassVar[str] = ""
    Params: ClassVar[type] = type(None)
    # The scheme trait this component acts through ("": it acts whatever the scheme).
    needs: ClassVar[str] = ""
    # The traits a scheme has (schemes only; see `TRAITS`).
    traits: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        unknown = {cls.needs, *cls.traits} - {"", *TRAITS}
        if unknown:
            raise TypeError(f"{cls.__name__} names traits {sorted(unknown)}; allowed: "
                            f"{', '.join(TRAITS)}")
        if cls.kind and "name" in cls.__dict__ and cls.name:
            if cls.kind not in REGISTRY:
                raise TypeError(f"{cls.__name__}.kind={cls.kind!r}; allowed: {', '.join(KINDS)}")
            REGISTRY[cls.kind][cls.name] = cls

    @classmethod
    def has(cls) -> frozenset[str]:
        """The traits this scheme has (a scheme made of others overrides: theirs)."""
        return cls.traits

    def __init__(self, params):
        self.params = params

    @classmethod
    def schema(cls) -> type:
        """The dataclass of this component's config section (its Hydra schema)."""
        return cls.Params

    @classmethod
    def validate(cls, params, prefix: str, cfg) -> None:
        """Checks between fields that metadata cannot state (override; raise ConfigError)."""

    @classmethod
    def check(cls, params, prefix: str, cfg=None) -> None:
        """Every check of this component's config section: metadata, then `validate`."""
        check_params(params, cls.schema(), prefix)
        cls.validate(params, prefix, cfg)

    def stream(self, model, name: str):
        """This component's own random stream `<name>/<component name>`."""
        return model.streams[f"{name}/{self.name}"]

    # ---- lifecycle (see the module docstring)
    def setup(self, model) -> None:
        """Once, when the model is built."""

    def window_start(self, model) -> None:
        """A lever's window opens."""

    def term_end(self, model) -> None:
        """Every term end, after in-school improvement and forgetting."""

    def year_end(self, model, year: int) -> None:
        """Every year end, after the year's attainment results."""

    def window_stop(self, model) -> None:
        """A lever's window closes."""

    def finish(self, model) -> None:
        """Once, at the end of the run."""

    # ---- outputs
    def metric_columns(self, model) -> dict:
        """Columns this component adds to each term's metrics row."""
        return {}

    def summary(self, model) -> dict:
        """Fields this component adds to the run's summary."""
        return {}
