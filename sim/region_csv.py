"""A region built from a real school list: Get Information About Schools (GIAS) columns.

England's register of schools publishes extracts (edubasealldata*.csv) with one row per
establishment. `region=csv region.path=<file>` reads these columns (others are ignored):

    URN                         unique reference number (integer, unique in the file)
    EstablishmentName           name (kept for the outputs)
    LA (name)                   local authority
    PhaseOfEducation (name)     Primary, Middle deemed primary -> primary;
                                Secondary, Middle deemed secondary, All-through -> secondary;
                                anything else (Nursery, 16 plus, Not applicable) is not used
    NumberOfPupils              pupils on roll
    PercentageFSM               % eligible for free school meals (the disadvantaged share)
    Easting, Northing           British National Grid, metres
    EstablishmentStatus (name)  optional; rows not "Open" / "Open, but proposed to close"
                                are not used

Rows that cannot be used are never dropped silently: they are counted by reason (closed,
not yet open, phase not primary or secondary, missing pupils, missing free-school-meal
share — GIAS writes SUPP where it is suppressed —, missing coordinates, missing local
authority) and the counts go into `Region.dropped`, the run's summary and the printed
table. A malformed file (missing column, wrong number of fields, a value that is not a
number, a percentage outside 0-100, a repeated URN) stops with a one-line ConfigError naming
the line and column. Files are read as UTF-8, or as Windows-1252 (as GIAS writes them) if
that fails.

What a school list lacks is derived as in the synthetic regions (`sim.region`):
neighbourhoods are the squares of a `neighbourhood_km` grid, each with the mean
free-school-meal share of its schools as its deprivation; positions are kilometres from the
south-west corner of the schools' bounding box, from which competition exposure follows
(`sim.state.competition_exposure`); EAL share and mobility are drawn from the `region` stream
rising with deprivation.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.special import logit

from sim.errors import ConfigError
from sim.geography import PRIMARY, SECONDARY, Region, eal_and_mobility

DATA_DIR = Path(__file__).parent / "data"
SAMPLE = DATA_DIR / "gias_sample.csv"

COLUMNS = ("URN", "EstablishmentName", "LA (name)", "PhaseOfEducation (name)",
           "NumberOfPupils", "PercentageFSM", "Easting", "Northing")
STATUS = "EstablishmentStatus (name)"
PHASES = {"primary": PRIMARY, "middle deemed primary": PRIMARY,
          "secondary": SECONDARY, "middle deemed secondary": SECONDARY,
          "all-through": SECONDARY}
OPEN = {"open", "open, but proposed to close"}
MISSING = {"", "supp", "ne", "na", "n/a", "x", "..", ":"}


def resolve_path(path: str) -> Path:
    """The file a `region.path` names: as given (absolute or from the working directory),
    else in the bundled data folder."""
    p = Path(path).expanduser()
    if p.is_file():
        return p
    bundled = DATA_DIR / path
    if not p.is_absolute() and bundled.is_file():
        return bundled
    raise ConfigError(f"region.path={path} does not exist (looked in {Path.cwd()} and "
                      f"{DATA_DIR}); allowed: a school-list CSV in GIAS columns")


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"region.path={path} is neither UTF-8 nor Windows-1252 text; "
                      "allowed: a CSV file")


def read_school_list(path: str | Path):
    """Parse the file: (columns as arrays for the usable rows, Counter of dropped reasons)."""
    path = resolve_path(str(path))
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ConfigError(f"region.path={path} is empty; allowed: a CSV with a header line")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"region.path={path} line 1: missing column(s) "
                          f"{', '.join(missing)}; allowed: a GIAS extract with "
                          f"{', '.join(COLUMNS)}")
    col = {name: header.index(name) for name in COLUMNS}
    status_col = header.index(STATUS) if STATUS in header else None
    rows: dict[str, list] = {k: [] for k in ("urn", "name", "la", "phase", "pupils", "fsm",
                                             "easting", "northing", "line")}
    dropped: Counter = Counter()
    seen: dict[int, int] = {}
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise ConfigError(f"region.path={path} line {line}: {len(fields)} fields; "
                              f"allowed: {len(header)}, as in the header")

        def value(name):
            return fields[col[name]].strip()

        def number(name, *, whole=False, lo=None, hi=None):
            text = value(name)
            if text.lower() in MISSING:
                return None
            try:
                x = float(text.replace(",", ""))
            except ValueError:
                raise ConfigError(f"region.path={path} line {line}, column {name}: '{text}' "
                                  f"is not a number; allowed: a number or empty") from None
            if not np.isfinite(x) or (whole and x != int(x)) or (lo is not None and x < lo) \
                    or (hi is not None and x > hi):
                allowed = ("a whole number" if whole else "a number") + (
                    f" from {lo:g} to {hi:g}" if hi is not None else
                    f" >= {lo:g}" if lo is not None else "")
                raise ConfigError(f"region.path={path} line {line}, column {name}: '{text}'; "
                                  f"allowed: {allowed}")
            return x

        urn = number("URN", whole=True, lo=1)
        if urn is None:
            raise ConfigError(f"region.path={path} line {line}, column URN: empty; allowed: "
                              "a unique whole number")
        if int(urn) in seen:
            raise ConfigError(f"region.path={path} line {line}, column URN: {int(urn)} repeats "
                              f"line {seen[int(urn)]}; allowed: each URN once")
        seen[int(urn)] = line
        if status_col is not None:
            status = fields[status_col].strip().lower()
            if status not in OPEN:
                dropped["not yet open" if "proposed to open" in status else "closed"] += 1
                continue
        phase = PHASES.get(value("PhaseOfEducation (name)").lower())
        pupils = number("NumberOfPupils", lo=0)
        fsm = number("PercentageFSM", lo=0, hi=100)
        easting, northing = number("Easting"), number("Northing")
        la = value("LA (name)")
        reason = ("phase not primary or secondary" if phase is None else
                  "missing pupils" if pupils is None or pupils == 0 else
                  "missing free-school-meal share" if fsm is None else
                  "missing coordinates" if easting is None or northing is None else
                  "missing local authority" if not la else None)
        if reason:
            dropped[reason] += 1
            continue
        for key, v in (("urn", int(urn)), ("name", value("EstablishmentName")), ("la", la),
                       ("phase", phase), ("pupils", pupils), ("fsm", fsm),
                       ("easting", easting), ("northing", northing), ("line", line)):
            rows[key].append(v)
    return path, rows, dropped


def build_region_from_csv(cfg, rng: np.random.Generator) -> Region:
    path, rows, dropped = read_school_list(cfg.path)
    n = len(rows["urn"])
    if n < 3:
        reasons = ", ".join(f"{k} {v}" for k, v in dropped.items()) or "no rows"
        raise ConfigError(f"region.path={path} has {n} usable schools ({reasons} not used); "
                          "allowed: a list with at least 3 open primary or secondary schools")
    la_names = tuple(sorted(set(rows["la"])))
    la = np.searchsorted(np.array(la_names, dtype=object), np.array(rows["la"], dtype=object))
    metres = np.column_stack([rows["easting"], rows["northing"]]).astype(float)
    pos_km = (metres - metres.min(axis=0)) / 1000.0
    cell = np.floor(pos_km / cfg.neighbourhood_km).astype(np.int64)
    cells, neighbourhood = np.unique(cell, axis=0, return_inverse=True)
    neighbourhood = neighbourhood.ravel()
    share = np.clip(np.asarray(rows["fsm"], float) / 100.0, 0.0, 1.0)
    counts = np.bincount(neighbourhood)
    deprivation = np.bincount(neighbourhood, weights=share) / counts
    eal, mobility = eal_and_mobility(rng, logit(np.clip(deprivation[neighbourhood],
                                                         0.005, 0.995)))
    return Region(str(cfg.name), la_names, la.astype(np.int64), neighbourhood.astype(np.int64),
                  deprivation, pos_km, np.asarray(rows["phase"], np.int64),
                  np.asarray(rows["pupils"], float), share, eal, mobility,
                  dropped=dict(sorted(dropped.items())),
                  urn=np.asarray(rows["urn"], np.int64),
                  school_names=tuple(rows["name"]),
                  neighbourhood_pos_km=(cells + 0.5) * cfg.neighbourhood_km)
