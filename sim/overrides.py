"""Overrides as the command line writes them: the one place that formats `key=value`.

Its own module, importing nothing from `sim`, so the levers and shocks (imported while the
config schema is built) can format their overrides without an import cycle through
`sim.compose`.
"""

from __future__ import annotations

import hashlib
import re

# Characters a job folder's name keeps (safe on Linux, macOS and Windows, and in a shell or
# a glob pattern unquoted); the longest name kept whole (file systems allow 255 bytes).
_UNSAFE = re.compile(r"[^A-Za-z0-9._=,+-]")
MAX_FOLDER_NAME = 120


def override(key: str, value) -> str:
    """`key=value` as written on the command line (the one place that formats an override)."""
    return f"{key}={override_value(value)}"


def override_value(value) -> str:
    """A value in Hydra's override grammar: null, true/false, [a,b]; numbers and text as
    Python writes them (floats in full, so a lever's value survives the round trip)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(override_value(v) for v in value) + "]"
    return str(value)


def flatten(node: dict, prefix: str = "") -> dict:
    """A nested mapping as dotted keys: {"a": {"b": 1}} -> {"a.b": 1}."""
    out = {}
    for key, value in (node or {}).items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, full + "."))
        else:
            out[full] = value
    return out


def nest(values: dict) -> dict:
    """Dotted keys as a nested mapping (the inverse of `flatten`)."""
    out: dict = {}
    for dotted, value in values.items():
        node = out
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def folder_name(overrides) -> str:
    """A sweep job's folder, named for its overrides: `scheme=trios,seed=3`.

    Sorted by key, so the same job gets the same name whatever the order on the command
    line (stable: a resumed sweep finds its jobs). Any other character becomes `_`, and a
    comma inside an override (a list: `[0.5,0.5]`) would make the name ambiguous, and a name
    over MAX_FOLDER_NAME is cut; in each case eight hex digits of the overrides' SHA-1 follow,
    so two jobs never share a folder. No overrides at all: `defaults`."""
    ordered = sorted(overrides, key=lambda o: (o.lstrip("+~").partition("=")[0], o))
    text = ",".join(ordered)
    if not text:
        return "defaults"
    safe = _UNSAFE.sub("_", text)
    if safe == text and len(safe) <= MAX_FOLDER_NAME and not any("," in o for o in ordered):
        return safe
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    return f"{safe[:MAX_FOLDER_NAME - 9]}_{digest}"
