"""Overrides as the command line writes them: the one place that formats `key=value`.

Its own module, importing nothing from `sim`, so the levers and shocks (imported while the
config schema is built) can format their overrides without an import cycle through
`sim.compose`.
"""

from __future__ import annotations


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
