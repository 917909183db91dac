"""Controls: the region, the scheme and the policy levers, built from the config.

Every control edits one config key and becomes one command-line style override
(`scheme.participation=0.6`) that goes through `sim.compose_config`, exactly as
`schoolsim` would take it, so the page validates input like the CLI and shows the same
one-line error.

Each control is made from its setting's metadata (`sim.component.param`: label, range,
step, choices, one-line help), read from the dataclass the config node was built from, so
nothing about a setting is declared here. `SHOWN` only chooses which settings are on the
page and in what order; every other setting of a policy lever or shock gets a control too
(in the card's "more" section), so a new lever shows up without touching this file. A lever
is shown only when its key exists in the config composed for the chosen region and scheme,
so scheme-specific levers come and go with the scheme, and a policy lever only when it
applies to the chosen scheme (`sim.component.applies`: no funding lever for the market). The region, scheme and scenario lists
are read from `configs/`. A region read from a school list (`region=csv`) takes the user's
own list by upload (`SchoolListUpload`): the page never names a file on the server.
"""

from __future__ import annotations

import dataclasses
import functools
import atexit
import hashlib
import math
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import ipywidgets
import solara
from omegaconf import DictConfig, OmegaConf

from sim.component import Setting, applies, registered, settings
from sim.errors import ConfigError
from sim.policies import WindowParams
from sim.region import RegionConfig
from sim.schemes import SCHEMES
from sim.compose import compose_config
from sim.overrides import override_value

# Hydra's global state is not thread-safe; every compose in the dashboard takes this lock.
_COMPOSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Lever:
    """One control: which key it sets, how it is shown, and its range."""

    key: str
    label: str
    # "slider", "slider_int", "int", "float", "switch", "choice", or "optional": a switch
    # that turns a slider on (a value) or off (null, e.g. a window with no end).
    kind: str
    section: str = "Scheme"      # the card it sits in, one of SECTIONS
    min: float = 0.0
    max: float = 1.0
    step: float = 0.05
    choices: tuple[tuple[Any, str], ...] = ()   # (value, label) for "choice"
    help: str = ""
    first: float | None = None   # "optional": the value when switched on (default: min)
    generic: bool = False        # not in SHOWN: shown in the card's "more" section

    @property
    def css(self) -> str:
        return "lever-" + self.key.replace(".", "-").replace("_", "-")


SECTIONS = ("Region and run", "Scheme", "Policy", "Shock")

# The settings on the page, in order (everything about each comes from its metadata).
SHOWN: tuple[str, ...] = (
    "region.n_schools", "years", "seed",
    "scheme.participation", "scheme.mode", "scheme.meeting_interval_weeks",
    "scheme.meeting_cost_days", "scheme.initial_trust", "scheme.cross_border",
    "scheme.broadcast", "scheme.min_size", "scheme.max_size", "scheme.funding_elasticity",
    "scheme.market_openness_cut", "scheme.imitation_rate", "scheme.meeting_mode",
    "scheme.max_supported", "scheme.support_intensity", "scheme.end_when_regraded",
    "scheme.cluster_size", "scheme.fidelity_mean", "scheme.champion_days_per_term",
    "scheme.size_median", "scheme.standardisation_rate", "scheme.cross_trust_openness_cut",
    "school.leadership_days_mean",
    "policy.funding.end_year", "policy.funding.sustain_trust", "policy.funding.backfill",
    "policy.brokering.enabled", "policy.accountability.grade_openness_cut",
    "policy.accountability.interval_years", "policy.leadership_time.days_factor",
    "policy.leadership_time.collaboration_cap_days", "policy.meetings.mode",
    "policy.meetings.interval_factor", "policy.broadcast.enabled",
    "shocks.pandemic.enabled", "shocks.pandemic.start_year", "shocks.pandemic.closure_weeks",
    "shocks.pandemic.recovery_rate",
)

# Sections by the key's first part (school.leadership_days_mean is a policy lever in use).
_SECTION_OF = {"region": "Region and run", "years": "Region and run", "seed": "Region and run",
               "scheme": "Scheme", "school": "Policy", "policy": "Policy", "shocks": "Shock"}

# Settings every lever has (their labels need the lever's name).
_WINDOW = {f.name for f in dataclasses.fields(WindowParams)}

# Config sections whose every setting gets a control (the shown ones first).
GENERIC_SECTIONS = ("policy", "shocks")

# How the options of a config group read in the page; a name missing here shows as itself
# (schemes read as their module's first line: `scheme_title`).
OPTION_LABELS = {
    "region": {"gm": "Greater Manchester, synthetic, fitted to the real one (gm)",
               "england": "England, synthetic, fitted to the real one (england)",
               "gm_real": "Real Greater Manchester, 2023 census (gm_real)",
               "england_real": "Real England, 2023 census (england_real; one authority: "
                               "region.local_authorities=[Trafford] below)",
               "csv": "A school list: upload your own GIAS csv (csv)",
               "trafford_primaries": "Real Trafford, its primaries only, 2023 census "
                                     "(trafford_primaries)"},
}


# ---------------------------------------------------------------------------- config


def config_options(group: str) -> list[str]:
    """Names of the YAML files in `configs/<group>/` (e.g. the regions or schemes)."""
    try:
        folder = resources.files("configs").joinpath(group)
        names = [p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(n for n in names if not n.startswith("_"))


def _scenario_comment(name: str) -> list[str]:
    try:
        text = resources.files("configs").joinpath("scenario", f"{name}.yaml").read_text()
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [line.lstrip("#").strip() for line in text.splitlines()
            if line.startswith("#") and "@package" not in line]


@functools.lru_cache(maxsize=32)
def scenario_title(name: str) -> str:
    """`gm_challenge: the Greater Manchester Challenge, 2008-11` from the header comment."""
    lines = _scenario_comment(name)
    head = lines[0] if lines else ""
    _, dash, title = head.partition(" — ")
    if not dash:
        return name
    title = re.sub(r"\s*\(seeds?\b.*$", "", title).rstrip(" .")
    return f"{name}: {title}" if title else name


def scheme_title(name: str) -> str:
    """`trios: Pathways to Success` from the first line of the scheme's module docstring."""
    cls = SCHEMES.get(name)
    doc = (sys.modules[cls.__module__].__doc__ or "") if cls is not None else ""
    _, colon, title = doc.strip().splitlines()[0].partition(": ") if doc.strip() else ("", "", "")
    title = re.sub(r"\s*\(.*$", "", title).rstrip(" .")
    return f"{name}: {title}" if colon and title else name


@functools.lru_cache(maxsize=32)
def scenario_question(name: str) -> str:
    """The question a scenario answers, from its YAML's header comment (or its name)."""
    comment = " ".join(_scenario_comment(name))
    start = comment.find("Question:")
    if start < 0:
        return comment[:300] or name
    end = comment.find("?", start)
    return comment[start:end + 1 if end > 0 else start + 300]


@functools.lru_cache(maxsize=8)
def group_override(group: str, option: str) -> str:
    """`group=option` when config.yaml's defaults list has the group, else `+group=option`."""
    text = resources.files("configs").joinpath("config.yaml").read_text()
    listed = re.search(rf"^\s*-\s*(optional\s+)?(override\s+)?{re.escape(group)}\s*:", text,
                       re.MULTILINE)
    return f"{'' if listed else '+'}{group}={option}"


# Settings a page may not change: a school list's path would let whoever drives the page
# probe the server's disk (a missing file and an unreadable one give different errors). A
# list of the user's own comes by upload instead, kept where the server chooses
# (`save_upload`).
SERVER_ONLY = ("region.path",)
# A full GIAS export of every establishment in England is about 60 MB.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def compose(overrides: list[str], school_list: str = "") -> DictConfig:
    """`sim.compose_config` under the dashboard's lock (raises ConfigError); `school_list`
    is the path `save_upload` returned, for a region read from a school list."""
    for item in overrides:
        key = item.partition("=")[0].lstrip("+~")
        if key in SERVER_ONLY:
            raise ConfigError(f"{key} cannot be set from the dashboard; allowed: the school "
                              "lists of the region menu or one uploaded under 'Your school "
                              "list' (or run schoolsim on the command line)")
    path = [f"region.path={school_list}"] if school_list else []
    with _COMPOSE_LOCK:
        return compose_config([*overrides, *path])


@functools.lru_cache(maxsize=1)
def _upload_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="schoolsim-lists-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def save_upload(content: bytes) -> str:
    """Keep an uploaded school list in the server's own temporary folder, named by its
    content's hash (so the page's file name never reaches the disk), and return its path."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ConfigError(f"the school list is {len(content) / 1e6:.0f} MB; allowed: at most "
                          f"{MAX_UPLOAD_BYTES // 1024 ** 2} MB (a GIAS csv)")
    path = _upload_folder() / f"{hashlib.sha256(content).hexdigest()[:20]}.csv"
    path.write_bytes(content)
    return str(path)


def reads_school_list(cfg: DictConfig | None) -> bool:
    """Whether the region of this config is read from a school list (`region.path`)."""
    return cfg is not None and _has_key(cfg, "region.path")


def region_text(cfg: DictConfig, list_name: str = "") -> str:
    """The region as a run's description names it: a synthetic one with its size, a school
    list with its file, a real one with its authorities."""
    region = lookup(cfg, "region")
    if _has_key(cfg, "region.local_authorities"):
        names = list(region.local_authorities)
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10
                                         else "")
        return f"{region.name} ({shown or 'every authority of England'})"
    if reads_school_list(cfg):
        return f"{region.name} (school list {list_name or Path(region.path).name})"
    return f"{region.name}, {region.n_schools} schools"


@functools.lru_cache(maxsize=32)
def base_config(groups: tuple[str, ...]) -> DictConfig | ConfigError:
    """The config for these group choices (`region=gm`, ...) with every default, or the error."""
    try:
        cfg = compose(list(groups))
    except ConfigError as exc:
        return exc
    OmegaConf.set_readonly(cfg, True)
    return cfg


_MISSING = object()


def lookup(cfg: DictConfig, key: str) -> Any:
    value = OmegaConf.select(cfg, key, default=_MISSING, throw_on_missing=False)
    return value


def levers_for(cfg: DictConfig) -> list[Lever]:
    """The controls for the settings the composed config has: `SHOWN` first, then every
    other setting of the policy levers and shocks."""
    shown = [lv for key in SHOWN if _has_key(cfg, key) and _applies(cfg, key)
             for lv in [lever_for(cfg, key)] if lv is not None]
    known = set(SHOWN)
    for section in GENERIC_SECTIONS:
        node = lookup(cfg, section)
        if isinstance(node, DictConfig):
            for key in _leaves(node, section):
                if key not in known and _applies(cfg, key):
                    lever = lever_for(cfg, key, generic=True)
                    if lever is not None:
                        shown.append(lever)
    return shown


def _applies(cfg: DictConfig, key: str) -> bool:
    """False for a policy lever's setting when the lever does not apply to the scheme, and
    for a synthetic region's setting on a region read from a list or real data (their
    schemas inherit the synthetic keys without using them)."""
    section, name = key.split(".")[:2] if "." in key else (key, "")
    if section == "region":
        schema = OmegaConf.get_type(lookup(cfg, "region"))
        return schema is RegionConfig or name in vars(schema).get("__annotations__", {})
    if section != "policy":
        return True
    return applies(registered("policy")[name], SCHEMES[lookup(cfg, "scheme.name")])


def _has_key(cfg: DictConfig, key: str) -> bool:
    return lookup(cfg, key) is not _MISSING


def _leaves(node: DictConfig, prefix: str):
    for key in node.keys():
        value = node[key]
        full = f"{prefix}.{key}"
        if isinstance(value, DictConfig):
            yield from _leaves(value, full)
        else:
            yield full


def setting_of(cfg: DictConfig, key: str) -> Setting | None:
    """The metadata of a config key: from the dataclass its parent node was built from."""
    parent, _, name = key.rpartition(".")
    node = lookup(cfg, parent) if parent else cfg
    schema = OmegaConf.get_type(node) if isinstance(node, DictConfig) else None
    if schema is None or not dataclasses.is_dataclass(schema):
        return None
    return next((s for s in settings(schema) if s.name == name), None)


def lever_for(cfg: DictConfig, key: str, generic: bool = False) -> Lever | None:
    """A control made from the key's metadata, or None for a setting with no control
    (lists, free text, a node without metadata: those go in the overrides box)."""
    s = setting_of(cfg, key)
    if s is None:
        return None
    head = key.split(".")[0]
    section = _SECTION_OF.get(head, "Policy")
    label = s.label or key
    if generic or s.name in _WINDOW:   # under its lever's name: "Funding: window ends in year"
        label = f"{key.split('.')[1].replace('_', ' ').capitalize()}: {label[0].lower()}{label[1:]}"
    common = dict(key=key, label=label, section=section, help=s.help, generic=generic)
    kind = str(s.type)
    optional = "Optional" in kind or "None" in kind
    if s.choices is not None:
        if "list" in kind:
            return None
        return Lever(kind="choice", choices=tuple((c, str(c).replace("_", " "))
                                                  for c in s.choices), **common)
    if "bool" in kind:
        if optional:
            return Lever(kind="choice", choices=((None, "not forced"), (True, "on for all"),
                                                 (False, "off for all")), **common)
        return Lever(kind="switch", **common)
    if "list" in kind or ("int" not in kind and "float" not in kind):
        return None
    if s.min is None or s.max is None:
        return Lever(kind="int" if "int" in kind else "float", **common)
    low, high = float(s.min), float(s.max)
    if "int" in kind:
        if high - low > 200:
            return Lever(kind="int", **common)
        return Lever(kind="slider_int", min=low, max=high, step=s.step or 1, **common)
    step = s.step or _nice_step(high - low)
    if s.min_open:
        low += step
    if optional:
        first = _round_to_step(low + (high - low) / 10, step)
        return Lever(kind="optional", min=low, max=high, step=step, first=first, **common)
    return Lever(kind="slider", min=low, max=high, step=step, **common)


def _nice_step(span: float) -> float:
    """A round slider step giving about 20-50 positions over the span."""
    raw = span / 40
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


# ---------------------------------------------------------------------------- overrides


def format_value(value: Any) -> str:
    """A value as it is written in an override (`true`, `0.6`, `3`); floats to six
    significant digits, so a slider's 0.30000000000000004 reads 0.3."""
    return override_value(format(round(value, 6), "g") if isinstance(value, float) else value)


def describe_value(lever: Lever, value: Any) -> str:
    """A value as a person reads it (`on`, `0.6`, `mutual learning`)."""
    if lever.kind == "switch":
        return "on" if value else "off"
    if lever.kind == "optional" and value is None:
        return "off"
    for choice, label in lever.choices:
        if choice is value or (type(choice) is type(value) and choice == value):
            return label
    return format_value(value)


def parse_extra(text: str) -> list[str]:
    """Free-text overrides separated by spaces: `trust.decay_per_term=0.1 years=4`.

    Commas belong to Hydra's list syntax (`scheme.shares=[0.5,0.5]`), so they do not separate.
    """
    return text.split()


@dataclass
class Settings:
    """What the page holds: group choices, the levers the user moved, free-text overrides."""

    region: str = "gm"
    scheme: str = "trios"
    scenario: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    extra: str = ""
    # An uploaded school list: where the server keeps it (`save_upload`) and its file name.
    school_list: str = ""
    school_list_name: str = ""

    def groups(self) -> tuple[str, ...]:
        # A scenario chooses its own region and scheme; naming them as well would override
        # the scenario's choice and leave its scheme settings without a scheme to fit.
        if self.scenario:
            return (group_override("scenario", self.scenario),)
        return (f"region={self.region}", f"scheme={self.scheme}")

    def changed(self, cfg: DictConfig) -> list[tuple[Lever, Any]]:
        """Levers set to something other than the composed default, in table order."""
        out = []
        for lever in levers_for(cfg):
            if lever.key in self.values:
                value = self.values[lever.key]
                if value != lookup(cfg, lever.key):
                    out.append((lever, value))
        return out

    def overrides(self, cfg: DictConfig | None) -> list[str]:
        lever_overrides = ([f"{lv.key}={format_value(v)}" for lv, v in self.changed(cfg)]
                           if cfg is not None else [])
        return [*self.groups(), *lever_overrides, *parse_extra(self.extra)]

    def describe(self, base: DictConfig | None, cfg: DictConfig) -> str:
        """`trios, gm, 1150 schools, 10 years, seed 42; share of schools taking part 0.6`.

        `base` is the config of the group choices alone (the defaults the levers started
        from), `cfg` the composed config of the run.
        """
        list_name = self.school_list_name if self.school_list else ""
        head = (f"{lookup(cfg, 'scheme.name')}, {region_text(cfg, list_name)}, "
                f"{lookup(cfg, 'years')} years, seed {lookup(cfg, 'seed')}")
        if self.scenario:
            head = f"scenario {self.scenario}: " + head
        run_keys = {"region.n_schools", "years", "seed"}
        changed = self.changed(base) if base is not None else []
        changes = [f"{lv.label.lower()} {describe_value(lv, v)}"
                   for lv, v in changed if lv.key not in run_keys]
        changes += parse_extra(self.extra)
        return head + ("; " + ", ".join(changes) if changes else "")


# ---------------------------------------------------------------------------- components


def _round_to_step(value: float, step: float) -> float:
    decimals = max(0, len(format(step, "g").partition(".")[2]))
    return round(round(value / step) * step, decimals)


@solara.component
def _Slider(lever: Lever, value: Any, on_value, disabled: bool):
    if lever.kind == "slider_int":
        solara.SliderInt("", value=int(value), min=int(lever.min), max=int(lever.max),
                         step=int(lever.step), thumb_label=False, disabled=disabled,
                         on_value=lambda v: on_value(int(v)))
    else:
        solara.SliderFloat("", value=float(value), min=lever.min, max=lever.max,
                           step=lever.step, thumb_label=False, disabled=disabled,
                           on_value=lambda v: on_value(_round_to_step(v, lever.step)))


@solara.component
def LeverControl(lever: Lever, value: Any, on_value, disabled: bool = False):
    """One lever; the value is always shown in the label, so a slider needs no thumb label."""
    with solara.Column(gap="0px", classes=["lever", lever.css]):
        if lever.kind == "switch":
            solara.Switch(label=lever.label, value=bool(value), on_value=on_value,
                          disabled=disabled)
        elif lever.kind in ("slider", "slider_int"):
            solara.Text(f"{lever.label}: {describe_value(lever, value)}",
                        classes=["lever-label"])
            _Slider(lever, value, on_value, disabled)
        elif lever.kind == "optional":
            first = lever.first if lever.first is not None else lever.min
            shown = "" if value is None else f": {describe_value(lever, value)}"
            solara.Switch(label=lever.label + shown, value=value is not None,
                          on_value=lambda on: on_value(first if on else None),
                          disabled=disabled)
            if value is not None:
                _Slider(lever, value, on_value, disabled)
        elif lever.kind == "int":
            solara.InputInt(lever.label, value=int(value), on_value=on_value,
                            continuous_update=False, disabled=disabled)
        elif lever.kind == "float":
            solara.InputFloat(lever.label, value=float(value), on_value=on_value,
                              continuous_update=False, disabled=disabled)
        elif lever.kind == "choice":
            labels = {label: choice for choice, label in lever.choices}
            current = describe_value(lever, value)
            solara.Select(lever.label, values=list(labels), value=current, disabled=disabled,
                          on_value=lambda label: on_value(labels[label]))
        if lever.help:
            solara.Text(lever.help, style={"font-size": "0.8em", "color": "#666"})


@solara.component
def GroupSelect(label: str, group: str, value: str, on_value, disabled: bool = False,
                optional: bool = False):
    """A choice among the YAML files of a config group, shown with readable names."""
    names = config_options(group)
    if group == "scenario":
        labels = {scenario_title(n): n for n in names}
    elif group == "scheme":
        labels = {scheme_title(n): n for n in names}
    else:
        labels = {OPTION_LABELS.get(group, {}).get(n, n): n for n in names}
    if optional:
        labels = {"(none)": "", **labels}
    current = next((lab for lab, n in labels.items() if n == value), value)
    with solara.Column(gap="0px", classes=[f"group-{group}"]):
        solara.Select(label, values=list(labels), value=current, disabled=disabled,
                      on_value=lambda lab: on_value(labels.get(lab, lab)))


@solara.component
def SchoolListUpload(settings: solara.Reactive[Settings], disabled: bool = False):
    """Upload a school list of one's own for `region=csv` (a GIAS csv, e.g. one authority's
    primaries); without one the region menu's list is used."""
    problem = solara.use_reactive("")

    def received(files):
        if not files:
            return
        try:
            path = save_upload(bytes(files[0]["content"]))
        except ConfigError as exc:
            problem.set(str(exc))
            return
        problem.set("")
        s = settings.value
        settings.set(Settings(**{**s.__dict__, "school_list": path,
                                 "school_list_name": files[0]["name"]}))

    s = settings.value
    with solara.Column(gap="0px", classes=["school-list"]):
        ipywidgets.FileUpload.element(accept=".csv", multiple=False, disabled=disabled,
                                      description="Your school list", on_value=received)
        solara.Text(f"Running {s.school_list_name}" if s.school_list else
                    "Upload a GIAS csv of your own (e.g. one authority's primaries); until "
                    "then the region's own list runs.",
                    classes=["school-list-name"], style={"font-size": "0.8em", "color": "#444"})
        if problem.value:
            solara.Error(problem.value, classes=["upload-error"])


@solara.component
def SettingsPanel(settings: solara.Reactive[Settings], cfg: DictConfig | None,
                  disabled: bool = False):
    """The sidebar's inputs: group choices, every lever of the config, free-text overrides."""
    s = settings.value

    def set_group(name: str, value: str):
        if getattr(s, name) == value:
            return
        # Values typed for another region or scheme rarely fit this one: start from its
        # defaults. A scenario is a whole set of settings: start from all of them.
        prefix = {"region": "region.", "scheme": "scheme."}.get(name)
        values = {} if name == "scenario" else {
            k: v for k, v in s.values.items() if not (prefix and k.startswith(prefix))}
        settings.set(Settings(**{**s.__dict__, name: value, "values": values}))

    def set_value(key: str, value: Any):
        settings.set(Settings(**{**s.__dict__, "values": {**s.values, key: value}}))

    levers = levers_for(cfg) if cfg is not None else []
    by_section = {name: [lv for lv in levers if lv.section == name] for name in SECTIONS}

    def controls(section: str, generic: bool = False):
        for lever in by_section[section]:
            if lever.generic == generic:
                LeverControl(lever, s.values.get(lever.key, lookup(cfg, lever.key)),
                             functools.partial(set_value, lever.key), disabled=disabled)

    # Under a scenario the region and scheme are the scenario's: shown, not chosen.
    fixed = bool(s.scenario) and cfg is not None
    region = lookup(cfg, "region.name") if fixed else s.region
    scheme = lookup(cfg, "scheme.name") if fixed else s.scheme
    with solara.Card("Region and run", margin=0, classes=["controls-run"]):
        if config_options("scenario"):
            GroupSelect("Scenario (a named what-if)", "scenario", s.scenario,
                        lambda v: set_group("scenario", v), disabled, optional=True)
            if s.scenario:
                solara.Text(scenario_question(s.scenario), classes=["scenario-question"],
                            style={"font-size": "0.8em", "color": "#444"})
        GroupSelect("Region", "region", region, lambda v: set_group("region", v),
                    disabled or fixed)
        if reads_school_list(cfg) and not fixed:
            SchoolListUpload(settings, disabled)
        controls("Region and run")
    with solara.Card("Scheme", margin=0, classes=["controls-scheme"]):
        GroupSelect("Scheme", "scheme", scheme, lambda v: set_group("scheme", v),
                    disabled or fixed)
        if fixed:
            solara.Text("Set by the scenario; choose scenario (none) to pick your own.",
                        style={"font-size": "0.8em", "color": "#666"})
        controls("Scheme")
    for section, title in (("Policy", "Policy levers"), ("Shock", "Shocks")):
        if by_section[section]:
            with solara.Card(title, margin=0, classes=[f"controls-{section.lower()}"]):
                controls(section)
                if any(lv.generic for lv in by_section[section]):
                    with solara.Details(f"More {title.lower()}: windows and rates"):
                        controls(section, generic=True)
    with solara.Card("Any other setting", margin=0, classes=["controls-extra"]):
        solara.InputText("Overrides, as on the command line", value=s.extra,
                         on_value=lambda v: settings.set(Settings(**{**s.__dict__, "extra": v})),
                         continuous_update=False, disabled=disabled,
                         message="separated by spaces, e.g. trust.decay_per_term=0.1 "
                                 "scheme.shares=[0.5,0.5]")
