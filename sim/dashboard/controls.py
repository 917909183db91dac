"""Controls: the region, the scheme and the policy levers, built from the config.

Every control edits one config key and becomes one command-line style override
(`scheme.participation=0.6`) that goes through `sim.compose_config`, exactly as
`schoolsim` would take it, so the page validates input like the CLI and shows the same
one-line error.

A lever is shown only when its key exists in the config composed for the chosen region
and scheme, so scheme-specific levers come and go with the scheme. To add a lever, add a
row to `LEVERS`; a key under one of `GENERIC_SECTIONS` (new policy levers) without a row
still gets a control chosen from its type, so a new lever shows up before anyone writes
its row. The region, scheme and scenario lists are read from `configs/`.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import solara
from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError
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
    generic: bool = False        # made from the config's type, not from a row of LEVERS

    @property
    def css(self) -> str:
        return "lever-" + self.key.replace(".", "-").replace("_", "-")


SECTIONS = ("Region and run", "Scheme", "Policy", "Shock")

LEVERS: tuple[Lever, ...] = (
    Lever("region.n_schools", "Schools in the region", "int", "Region and run",
          help="Fewer schools run faster; the Greater Manchester Challenge had 1,150."),
    Lever("years", "School years to simulate", "slider_int", "Region and run", 1, 20, 1),
    Lever("seed", "Random seed", "int", "Region and run",
          help="The same seed gives the same region and draws, so two runs differ only "
               "where the settings differ."),
    Lever("scheme.participation", "Share of schools taking part", "slider", min=0, max=1,
          step=0.05),
    Lever("scheme.mode", "How partners learn", "choice",
          choices=(("mutual", "mutual learning"), ("one_way", "one-way (host teaches)"))),
    Lever("scheme.meeting_interval_weeks", "Weeks between meetings", "slider_int",
          min=1, max=13, step=1),
    Lever("scheme.meeting_cost_days", "Leadership days per meeting", "slider",
          min=0, max=3, step=0.25),
    Lever("scheme.initial_trust", "Trust at the start", "slider", min=0, max=1, step=0.05,
          help="Brokered partnerships start with more trust."),
    Lever("scheme.cross_border", "Trios across local-authority borders", "switch"),
    Lever("scheme.broadcast", "Summaries go to every school", "switch"),
    Lever("scheme.min_size", "Smallest family", "slider_int", min=2, max=30, step=1),
    Lever("scheme.max_size", "Largest family", "slider_int", min=2, max=40, step=1),
    Lever("scheme.funding_elasticity", "Funding follows pupils", "slider", min=0, max=1,
          step=0.05),
    Lever("scheme.market_openness_cut", "Openness lost to competition", "slider",
          min=0, max=1, step=0.05),
    Lever("scheme.imitation_rate", "Imitation of league-table leaders", "slider",
          min=0, max=0.5, step=0.01),
    Lever("scheme.meeting_mode", "Meetings held", "choice",
          choices=(("online", "online"), ("in_person", "in person"))),
    # System leadership, peer review, multi-academy trusts.
    Lever("scheme.max_supported", "Schools one system leader supports", "slider_int",
          min=1, max=6, step=1),
    Lever("scheme.support_intensity", "Intensity of hands-on support", "slider",
          min=0, max=6, step=0.5),
    Lever("scheme.end_when_regraded", "Support ends when re-graded good", "switch"),
    Lever("scheme.cluster_size", "Schools per peer-review cluster", "slider_int",
          min=3, max=7, step=1),
    Lever("scheme.fidelity_mean", "How faithfully clusters run the review cycle", "slider",
          min=0, max=1, step=0.05),
    Lever("scheme.champion_days_per_term", "Improvement champion's days per term", "slider",
          min=0, max=5, step=0.5),
    Lever("scheme.size_median", "Typical trust size (schools)", "slider", min=2, max=20, step=1),
    Lever("scheme.standardisation_rate", "Yearly pull towards the trust's central model",
          "slider", min=0, max=1, step=0.05),
    Lever("scheme.cross_trust_openness_cut", "Openness lost to schools outside the trust",
          "slider", min=0, max=1, step=0.05),
    Lever("school.leadership_days_mean", "Leadership days per term", "slider", "Policy",
          min=0, max=20, step=0.5,
          help="Time a school's leaders have for improvement and partnership work."),
    # Policy levers, each with a time window in school years (sim/policies.py).
    Lever("policy.funding.end_year", "Programme funding stops", "optional", "Policy",
          min=1, max=20, step=1, first=3,
          help="After funding stops, groups meet on only where trust has grown enough "
               "(the Greater Manchester Challenge was funded for three years)."),
    Lever("policy.funding.sustain_trust", "Trust needed to carry on unfunded", "slider",
          "Policy", 0, 1, 0.05),
    Lever("policy.funding.backfill", "Share of meeting days paid back while funded", "slider",
          "Policy", 0, 1, 0.05),
    Lever("policy.brokering.enabled", "Local-authority brokering", "switch", "Policy",
          help="Brokered partnerships form more often and start with more trust."),
    # The same lever under its first name (a config has one or the other).
    Lever("policy.brokering.on", "Local-authority brokering", "switch", "Policy",
          help="Brokered partnerships form more often and start with more trust."),
    Lever("policy.accountability.grade_openness_cut", "Openness lost after a poor grade",
          "slider", "Policy", 0, 1, 0.05, help="Accountability pressure."),
    Lever("policy.accountability.interval_years", "Inspection interval set by policy",
          "optional", "Policy", 1, 8, 0.5, first=4),
    Lever("policy.leadership_time.days_factor", "Leadership time (x usual)", "slider",
          "Policy", 0, 2, 0.1),
    Lever("policy.leadership_time.collaboration_cap_days", "Cap on partnership days per term",
          "optional", "Policy", 0, 10, 0.5, first=2),
    Lever("policy.meetings.mode", "Meetings", "choice", "Policy",
          choices=(("scheme", "as each scheme holds them"), ("online", "all online"),
                   ("in_person", "all in person"))),
    Lever("policy.meetings.interval_factor", "Meeting interval (x the scheme's)", "slider",
          "Policy", 0.25, 3, 0.25),
    Lever("policy.broadcast.enabled", "Summaries to every school", "choice", "Policy",
          choices=((None, "as each scheme does"), (True, "on for all"), (False, "off for all"))),
    Lever("policy.broadcast.on", "Summaries to every school", "choice", "Policy",
          choices=((None, "as each scheme does"), (True, "on for all"), (False, "off for all"))),
    # Shocks (sim/shocks.py).
    Lever("shocks.pandemic.enabled", "Pandemic school closure", "switch", "Shock",
          help="Learning lost while closed, more for disadvantaged pupils; leadership time "
               "shrinks and meetings move online; then recovery."),
    Lever("shocks.pandemic.start_year", "Closure starts in year", "slider", "Shock", 0, 20, 0.5),
    Lever("shocks.pandemic.closure_weeks", "Weeks closed", "slider_int", "Shock", 1, 39, 1),
    Lever("shocks.pandemic.recovery_rate", "Share of the loss recovered per year", "slider",
          "Shock", 0, 1, 0.05),
)

# How the options of a config group read in the page; a name missing here shows as itself.
OPTION_LABELS = {
    "region": {"gm": "Greater Manchester (gm)", "england": "England (england)",
               "gm_real": "Real Greater Manchester, 2023 census (gm_real)",
               "england_real": "Real England, 2023 census (england_real; one authority: "
                               "region.local_authorities=[Trafford] below)",
               "gm_twin": "Greater Manchester, fitted to the real one (gm_twin)",
               "england_twin": "England, fitted to the real one (england_twin)",
               "csv": "A school list (csv, needs region.path)"},
    "scheme": {
        "none": "none: schools improve alone",
        "trios": "trios: Pathways to Success",
        "families": "families: Families of Schools",
        "market": "market: league tables and choice",
        "leadership": "leadership: system leaders support weaker schools",
        "peer_review": "peer_review: Schools Partnership Programme",
        "trusts": "trusts: multi-academy trusts",
        "mixed": "mixed: several schemes at once",
    },
}

# Config sections whose keys get a control even without a row in LEVERS.
GENERIC_SECTIONS = ("policy", "policies", "shock", "shocks")


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


def compose(overrides: list[str]) -> DictConfig:
    """`sim.compose_config` under the dashboard's lock (raises ConfigError)."""
    with _COMPOSE_LOCK:
        return compose_config(list(overrides))


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
    """The levers whose key the composed config has, table rows first, then generic ones."""
    shown = [lv for lv in LEVERS if _has_key(cfg, lv.key)
             and (_is_leaf(lookup(cfg, lv.key)) or lv.kind in ("optional", "choice"))]
    known = {lv.key for lv in shown}
    for section in GENERIC_SECTIONS:
        node = lookup(cfg, section)
        if isinstance(node, DictConfig):
            for key, value in _leaves(node, section):
                if key not in known:
                    generic = _generic_lever(key, value)
                    if generic is not None:
                        shown.append(generic)
    return shown


def _has_key(cfg: DictConfig, key: str) -> bool:
    return lookup(cfg, key) is not _MISSING


def _is_leaf(value: Any) -> bool:
    return value is not _MISSING and isinstance(value, (bool, int, float, str))


def _leaves(node: DictConfig, prefix: str):
    for key in node.keys():
        value = node[key]
        full = f"{prefix}.{key}"
        if isinstance(value, DictConfig):
            yield from _leaves(value, full)
        elif _is_leaf(value) or value is None:
            yield full, value


# Ranges for generic numeric levers, by a word in the key's name (first match wins).
_GENERIC_RANGES = (
    ("factor", "slider", 0, 3, 0.1),
    ("year", "slider", 0, 20, 0.5),
    ("years", "slider", 0, 20, 0.5),
    ("weeks", "slider_int", 0, 39, 1),
    ("months", "slider", 0, 12, 0.1),
    ("days", "slider", 0, 10, 0.5),
)


def _generic_lever(key: str, value: Any) -> Lever | None:
    """A control for a key without a row in LEVERS, from its value's type and its name."""
    parts = key.split(".")[1:]
    label = ": ".join(p.replace("_", " ") for p in parts).capitalize()
    section = "Shock" if key.startswith("shock") else "Policy"
    name = parts[-1]
    if isinstance(value, bool):
        return Lever(key, label, "switch", section, generic=True)
    if value is not None and not isinstance(value, (int, float)):
        return None
    words = name.split("_")
    for word, kind, low, high, step in _GENERIC_RANGES:
        if word in words:
            if value is None:   # e.g. a window's end_year: null means "to the end of the run"
                return Lever(key, label, "optional", section, low, high, step, generic=True)
            return Lever(key, label, kind, section, low, max(high, value), step, generic=True)
    if value is None:
        return None
    if isinstance(value, float) and 0.0 <= value <= 1.0:
        return Lever(key, label, "slider", section, 0.0, 1.0, 0.05, generic=True)
    return Lever(key, label, "int" if isinstance(value, int) else "float", section,
                 generic=True)


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
        head = (f"{lookup(cfg, 'scheme.name')}, {lookup(cfg, 'region.name')}, "
                f"{lookup(cfg, 'region.n_schools')} schools, "
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
    else:
        labels = {OPTION_LABELS.get(group, {}).get(n, n): n for n in names}
    if optional:
        labels = {"(none)": "", **labels}
    current = next((lab for lab, n in labels.items() if n == value), value)
    with solara.Column(gap="0px", classes=[f"group-{group}"]):
        solara.Select(label, values=list(labels), value=current, disabled=disabled,
                      on_value=lambda lab: on_value(labels.get(lab, lab)))


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
