"""The declared targets and checks (`experiments/targets.yaml`): loader and pass rules.

`experiments/targets.yaml` is the one list of every quantity the model is compared with:
each entry names its source, its band, its *kind* (input, calibration target, by
construction, held out, seen), the scenarios it needs by *role* ("programme", "comparison",
...) and the named function of `experiments/validation/measures.py` that computes it
from one seed's run tables. `load_checks` reads and checks that file; `CHECKS`,
`SCENARIOS` and `FACTS` are the default file's. `schoolsim-validate` runs every scenario
once per seed and hands each check its roles' tables; `schoolsim-calibrate` fits the
parameters to the checks of kind `calibration target` (`centre` is the value the fit aims
at, `band` the range the real value lies in).

Pass rules (`rule`), over the seeds' values of the measure:
- ``mean``: the mean across seeds lies in the target band (quantitative facts);
- ``majority``: the mean lies in the band *and* more than half of the seeds do (directional
  facts, as in tests/test_patterns.py);
- ``all``: every seed lies in the band (facts that must hold by construction).
Seeds where a measure is undefined (NaN, e.g. no partnership outlived the funding) count
against ``majority`` and ``all``; a check with no defined value fails.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from experiments.spec import SpecError, need
from experiments.validation import measures as m

TARGETS = Path(__file__).resolve().parents[1] / "targets.yaml"

RULES = ("mean", "majority", "all")
# A calibration target whose source gives only the most the real value can be: it needs no
# centre and the fit counts it only above its band (experiments.calibration.bayes).
UPPER = "upper"
BOUNDS = (UPPER,)
INPUT, CALIBRATION, BY_CONSTRUCTION, HELD_OUT = ("input", "calibration target",
                                                 "by construction", "held out")
# A check that was held out, failed, and whose model (or measure) was then changed with
# its observed value known: no longer a test of the model, whatever the change's source.
SEEN = "seen"
KINDS = (INPUT, CALIBRATION, BY_CONSTRUCTION, HELD_OUT, SEEN)
REPORT_ORDER = (HELD_OUT, SEEN, CALIBRATION, INPUT, BY_CONSTRUCTION)   # held out leads


@dataclass(frozen=True)
class Check:
    id: str
    fact: int
    title: str
    source: str
    target: str                       # the target as a reader should see it
    band: tuple[float, float]         # [low, high] for the pass rule
    measure: Callable = field(compare=False)
    roles: dict[str, str] = field(default_factory=dict, compare=False)
    unit: str = ""
    rule: str = "mean"
    definition: str = ""              # what exactly is measured
    note: str = ""                    # known limits of the check
    kind: str = HELD_OUT
    centre: float | None = None
    measure_name: str = ""            # the function of measures.py, with `args`
    args: dict = field(default_factory=dict, compare=False)
    why: str = ""                     # why the kind fits
    band_source: str = ""             # where the band's numbers come from ("": no source)
    bound: str = ""                   # UPPER: an upper bound ("": a band with a centre)

    @property
    def sourced_band(self) -> bool:
        """Whether the band's numbers come from a source (not a direction or a threshold of
        ours)."""
        return bool(self.band_source)

    @property
    def calibrate(self) -> bool:
        return self.kind == CALIBRATION

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(self.roles.values())

    def passes(self, values) -> bool:
        import numpy as np

        values = np.asarray(values, float)
        defined = values[~np.isnan(values)]
        if len(defined) == 0:
            return False
        lo, hi = self.band
        inside = (values >= lo) & (values <= hi)
        mean_ok = lo <= defined.mean() <= hi
        if self.rule == "mean":
            return bool(mean_ok)
        if self.rule == "majority":
            return bool(mean_ok and inside.sum() > len(values) / 2)
        return bool(inside.all())


ENTRY_KEYS = ("id", "fact", "kind", "why", "title", "source", "target", "band", "band_source",
              "centre", "bound", "unit", "rule", "measure", "args", "roles", "definition", "note")
REQUIRED = ("id", "fact", "kind", "why", "title", "source", "target", "band", "measure",
            "roles")


@dataclass(frozen=True)
class Declared:
    facts: dict[int, str]
    scenarios: dict[str, tuple[str, ...]]
    checks: tuple[Check, ...]


def load_checks(path: str | Path = TARGETS) -> Declared:
    """Read and check the declared list; a SpecError (one line) names the first bad entry."""
    path = Path(path)
    need(path.is_file(), f"targets={path} is not a file; allowed: a YAML list of targets")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    need(isinstance(data, dict) and set(data) == {"facts", "scenarios", "targets"},
         f"targets={path} has keys {sorted(data) if isinstance(data, dict) else data!r}; "
         "allowed: facts, scenarios, targets")
    facts = {int(k): str(v) for k, v in data["facts"].items()}
    scenarios = {str(k): tuple(str(o) for o in v) for k, v in data["scenarios"].items()}
    checks = tuple(_check(entry, facts, scenarios) for entry in data["targets"])
    ids = [c.id for c in checks]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    need(not twice, f"target id '{twice[0] if twice else ''}' is declared twice; allowed: "
                    "unique ids")
    return Declared(facts, scenarios, checks)


def _check(entry: dict, facts: dict, scenarios: dict) -> Check:
    name = entry.get("id", "?") if isinstance(entry, dict) else "?"
    where = f"target '{name}'"
    need(isinstance(entry, dict), f"{where} is not a mapping; allowed: keys "
                                  f"{', '.join(ENTRY_KEYS)}")
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    need(not unknown, f"{where} has unknown key '{unknown[0] if unknown else ''}'; allowed: "
                      f"{', '.join(ENTRY_KEYS)}")
    missing = [k for k in REQUIRED if k not in entry]
    need(not missing, f"{where} lacks '{missing[0] if missing else ''}'; required: "
                      f"{', '.join(REQUIRED)}")
    need(entry["kind"] in KINDS, f"{where} has kind={entry['kind']!r}; allowed: "
                                 f"{', '.join(KINDS)}")
    need(entry["fact"] in facts, f"{where} has fact={entry['fact']!r}; allowed: "
                                 f"{', '.join(map(str, facts))}")
    band = entry["band"]
    need(isinstance(band, list) and len(band) == 2
         and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in band)
         and band[0] <= band[1], f"{where} has band={band!r}; allowed: [low, high], low <= high")
    centre, bound = entry.get("centre"), entry.get("bound", "")
    need(bound in ("", *BOUNDS), f"{where} has bound={bound!r}; allowed: {', '.join(BOUNDS)} "
                                 "(or no bound: a band with a centre)")
    if entry["kind"] == CALIBRATION and bound:
        need(centre is None and all(math.isfinite(b) for b in band),
             f"{where} has bound={bound!r} with centre={centre!r}, band={band!r}; allowed: an "
             "upper bound needs a finite band and no centre")
    elif entry["kind"] == CALIBRATION:
        need(isinstance(centre, (int, float)) and band[0] <= centre <= band[1]
             and all(math.isfinite(b) for b in band),
             f"{where} has centre={centre!r}, band={band!r}; allowed: a calibration target "
             "needs a finite band and a centre inside it")
    rule = entry.get("rule", "mean")
    need(rule in RULES, f"{where} has rule={rule!r}; allowed: {', '.join(RULES)}")
    fn = getattr(m, str(entry["measure"]), None)
    need(callable(fn) and not str(entry["measure"]).startswith("_"),
         f"{where} has measure={entry['measure']!r}; allowed: a function of "
         "experiments/validation/measures.py")
    args = {k: tuple(v) if isinstance(v, list) else v for k, v in (entry.get("args") or {}).items()}
    roles = entry["roles"]
    need(isinstance(roles, dict) and roles and all(s in scenarios for s in roles.values()),
         f"{where} has roles={roles!r}; allowed: role -> one of {', '.join(scenarios)}")
    return Check(str(entry["id"]), entry["fact"], entry["title"], entry["source"],
                 str(entry["target"]), (float(band[0]), float(band[1])),
                 functools.partial(fn, **args), dict(roles), entry.get("unit", ""), rule,
                 entry.get("definition", ""), entry.get("note", ""), entry["kind"],
                 None if centre is None else float(centre), str(entry["measure"]), args,
                 str(entry["why"]), str(entry.get("band_source", "")), str(bound))


_DECLARED = load_checks()
FACTS, SCENARIOS, CHECKS = _DECLARED.facts, _DECLARED.scenarios, _DECLARED.checks


def select(facts: list[str] | None) -> tuple[Check, ...]:
    """Checks of the named facts ("1", "4") or check ids ("2a"); all when None.
    Raises SpecError (one line) naming an unknown value and what is allowed."""
    if not facts:
        return CHECKS
    allowed_facts = [str(f) for f in FACTS]
    allowed_ids = [c.id for c in CHECKS]
    chosen = []
    for item in facts:
        item = str(item).strip()
        if item in allowed_facts:
            chosen += [c for c in CHECKS if str(c.fact) == item]
        elif item in allowed_ids:
            chosen += [c for c in CHECKS if c.id == item]
        else:
            raise SpecError(f"fact={item} is unknown; allowed: {', '.join(allowed_facts)} "
                             f"or a check id ({', '.join(allowed_ids)})")
    seen: dict[str, Check] = {}
    for c in chosen:
        seen.setdefault(c.id, c)
    return tuple(seen.values())
