"""The catalogue of every setting, read from the components' field metadata.

One walk over the schemas (`catalogue`) feeds `schoolsim --help` (`help_text`) and the
generated parameter table of docs/ODD.md (`odd_table`), so neither can drift from the code:

    python -m sim.parameters                 # print the ODD table (markdown)
    python -m sim.parameters --write docs/ODD.md   # replace the table between its markers
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Iterator, NamedTuple

from sim.component import Setting, applies_to_text, nested, registered, settings
from sim.config import CORE_SECTIONS, RunSettings
from sim.pupils.year_end import PupilParams
from sim.region import RegionConfig
from sim.schemes.base import GroupParams, SchemeParams

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


class Entry(NamedTuple):
    group: str     # the heading it is listed under
    key: str       # as written on the command line
    setting: Setting


def catalogue() -> list[Entry]:
    """Every setting with its key, grouped: run, region, core sections, pupils, inspection, schemes
    (shared settings once, then each scheme's own), policy levers, shocks."""
    out = list(_section("Run", "", RunSettings))
    for name, cls in registered("region").items():
        if cls.schema() is RegionConfig:
            out += _section(f"Region ({name})", "region", RegionConfig)
        else:
            out += _own(f"Region: {cls.__doc__.splitlines()[0].rstrip('.')}", "region",
                        cls.schema(), RegionConfig)
    for name, schema in CORE_SECTIONS.items():
        out += _section(name.capitalize(), name, schema)
    for name, schema in nested(PupilParams):
        out += _section(f"Pupils: {name}", f"pupils.{name}", schema)
    for name, cls in registered("inspection").items():
        out += _section(f"Inspection ({name})", "inspection", cls.schema())
    out += _section("Every scheme", "scheme", SchemeParams)
    out += _own("Schemes whose groups meet", "scheme", GroupParams, SchemeParams)
    for name, cls in registered("scheme").items():
        base = GroupParams if issubclass(cls.schema(), GroupParams) else SchemeParams
        out += _own(f"Scheme {name}", "scheme", cls.schema(), base)
    for kind, prefix in (("policy", "policy"), ("shock", "shocks")):
        for name, cls in registered(kind).items():
            out += _section(f"{kind.capitalize()} {name} (applies to: {applies_to_text(cls)})",
                            f"{prefix}.{name}", cls.schema())
    return out


def _section(group: str, prefix: str, schema: type) -> Iterator[Entry]:
    sections = {name for name, _ in nested(schema)}
    for s in settings(schema):
        if s.name != "name" and s.name not in sections:
            yield Entry(group, f"{prefix}.{s.name}" if prefix else s.name, s)


def _own(group: str, prefix: str, schema: type, base: type) -> Iterator[Entry]:
    """The settings `schema` adds to `base`, or gives another default."""
    inherited = {s.name: s.default for s in settings(base)}
    for entry in _section(group, prefix, schema):
        name = entry.setting.name
        if name not in inherited or inherited[name] != entry.setting.default:
            yield entry


def _value(value) -> str:
    if value is dataclasses.MISSING:
        return "(required)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _describe(s: Setting) -> str:
    return _sentences(s.label, s.help)


def _sentences(*parts: str | None) -> str:
    """Join texts as sentences: one period between them, not two where a text ends in one."""
    text = ""
    for part in filter(None, parts):
        stop = "" if text.endswith((".", "!", "?")) else "."
        text = f"{text}{stop} {part}" if text else part
    return text


def help_text(groups: str) -> str:
    """`schoolsim --help`: usage, the config groups' options (`groups`, one `group: a, b`
    line each), then every setting with its default, range and description."""
    lines = [
        "schoolsim: simulate a school system's partnerships (Hydra command line).",
        "",
        "usage  schoolsim [key=value ...]            one run, e.g. scheme=families years=5",
        "       schoolsim -m key=a,b ...             a sweep (multirun)",
        "       schoolsim --cfg job                  print the composed config",
        "       schoolsim --hydra-help               Hydra's own options",
        "",
        "== Configuration groups ==",
        "Compose your configuration from those groups (group=option)",
        "",
        groups,
        "",
        "== Config ==",
        "Override any setting (key=value). Each: default [allowed range (why); unit], then",
        "what it is.",
    ]
    group = None
    for entry in catalogue():
        if entry.group != group:
            group = entry.group
            lines += ["", f"{group}:"]
        s = entry.setting
        unit = f"; {s.unit}" if s.unit else ""
        lines.append(f"  {entry.key}={_value(s.default)}  [{s.allowed}{unit}]")
        described = _describe(s)
        if described:
            lines.append(f"      {described}")
    return "\n".join(lines)


# The shipped posterior ensemble (calibration=posterior): its intervals go in the ODD table.
POSTERIOR = "calibration/posterior.csv"
LEVEL = 0.90


def posterior_intervals(name: str = POSTERIOR) -> dict[str, tuple[float, float, float]]:
    """Median and LEVEL interval of every setting in the posterior ensemble ({} if none)."""
    from sim.posterior import ensemble_path, load_ensemble

    path = ensemble_path(name)
    if not path.is_file():
        return {}
    tail = (1 - LEVEL) / 2
    return {key: tuple(float(v) for v in column.quantile([0.5, tail, 1 - tail]))
            for key, column in load_ensemble(path).items()}


def _posterior_note(interval: tuple[float, float, float] | None) -> str:
    if interval is None:
        return ""
    median, low, high = interval
    return (f"**Calibrated**: posterior median {median:.4g}, {round(100 * LEVEL)} % "
            f"interval {low:.4g} to {high:.4g} (`configs/{POSTERIOR}`).")


def odd_table() -> str:
    """The ODD parameter table (markdown), one row per setting; a calibrated setting states
    its posterior median and interval."""
    intervals = posterior_intervals()
    rows = ["| Setting | Default | Allowed (why) | Unit | Description |",
            "|---|---|---|---|---|"]
    group = None
    for entry in catalogue():
        if entry.group != group:
            group = entry.group
            rows.append(f"| **{group}** | | | | |")
        s = entry.setting
        cells = (f"`{entry.key}`", _value(s.default), s.allowed, s.unit or "—",
                 _sentences(_describe(s), _posterior_note(intervals.get(entry.key))))
        rows.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(rows)


def write_odd(path: Path) -> None:
    """Replace the table between the START and END markers of `path`."""
    text = path.read_text()
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"{path}: no {START} ... {END} markers; allowed: a file with both")
    path.write_text(f"{head}{START}\n{odd_table()}\n{END}{tail}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write_odd(Path(sys.argv[2]))
    else:
        print(odd_table())
