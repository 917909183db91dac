"""A region built from a real school list: Get Information About Schools (GIAS) columns.

England's register of schools publishes extracts (edubasealldata*.csv) with one row per
establishment, and DfE statistics publish school-level tables in the same columns.
`region=csv region.path=<file>` reads these columns (others are ignored):

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
    TypeOfEstablishment (name)  optional; independent, special and alternative-provision
                                schools are not used, nor (in a file without statutory
                                ages) 16-19 schools, UTCs and studio schools, whose pupils
                                start above Year 7 (`sim.geography.late_entry_reason`)
    StatutoryLowAge,            optional, as a GIAS export has them: a secondary's ages
    StatutoryHighAge            decide its Year 7 (`pre16_share`); one whose ages leave
                                out Year 7 (a UTC at 14, a 16-19 school) is not used

The reader is strict, so that no row is silently lost or mixed with another:
- Encoding is decided once for the whole file and reported: UTF-8 (with or without a byte
  order mark), else Windows-1252 (as GIAS writes) if the file has no UTF-8 sequence at all.
  A file mixing the two, or with a byte neither allows, stops with the first bad byte's line
  and column — never a re-read that garbles names ("Ynys Môn" -> "Ynys MÃ´n").
- Each physical line is one row: a quote left open on its line stops the read with that
  line's number (a GIAS row never spans lines; an unclosed quote would otherwise swallow the
  rows after it into one record of the right width). NUL bytes (binary or UTF-16 files)
  stop the read the same way.
- Rows that cannot be used are never dropped silently: they are counted by reason (closed,
  not yet open, independent / special / alternative-provision school, phase not primary or
  secondary, no pupils on roll, a missing value — DfE's symbols `z c x low u SUPP .. :` each
  counted under its own reason —, missing local authority, a row of empty fields) and the
  counts go into
  `Region.dropped`, the run's summary and the printed table.
- A malformed file or value stops with a one-line ConfigError naming the line and column:
  missing column, wrong number of fields, a value that is not a plain number, pupils below 0
  or above MAX_PUPILS, a percentage outside 0-100, coordinates outside the British National
  Grid, a repeated URN, a field longer than the csv module allows.

A secondary's roll (NumberOfPupils) counts its sixth form and any primary department; its
year group is the part in Years 7-11 / 5 (`Region.secondary_pre16_share`). Without ages that
part is England's share (`sim.region_real.PRE16_SHARE`), as on real regions; with ages it is
the school's own (`pre16_share`).

What a school list lacks is derived as in the synthetic regions (`sim.region`):
neighbourhoods are the squares of a `neighbourhood_km` grid, each with the mean
free-school-meal share of its schools as its deprivation; positions are kilometres from the
south-west corner of the schools' bounding box, from which competition exposure follows
(`sim.state.competition_exposure`); EAL share and mobility are drawn from the `region` stream
rising with deprivation.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.special import logit

from sim.errors import ConfigError
from sim.geography import PRIMARY, SECONDARY, Region, eal_and_mobility, late_entry_reason
from sim.region_real import PRE16_SHARE, SIXTH_FORM_SCHOOL_PRE16_SHARE

DATA_DIR = Path(__file__).parent / "data"
SAMPLE = DATA_DIR / "gias_sample.csv"

COLUMNS = ("URN", "EstablishmentName", "LA (name)", "PhaseOfEducation (name)",
           "NumberOfPupils", "PercentageFSM", "Easting", "Northing")
STATUS = "EstablishmentStatus (name)"
TYPE = "TypeOfEstablishment (name)"
AGES = ("StatutoryLowAge", "StatutoryHighAge")
# Ages GIAS records (nursery from 2, special schools to 25).
AGE_RANGE = (0, 25)
PHASES = {"primary": PRIMARY, "middle deemed primary": PRIMARY,
          "secondary": SECONDARY, "middle deemed secondary": SECONDARY,
          "all-through": SECONDARY}
OPEN = {"open", "open, but proposed to close"}
# Establishment types not in a region of mainstream state schools, by the words GIAS uses.
EXCLUDED_TYPES = (("independent", "independent school"), ("special", "special school"),
                  ("alternative provision", "alternative provision"),
                  ("pupil referral", "alternative provision"))
# DfE and GIAS symbols for a value that is not there, each counted under its own reason.
SYMBOLS = {"z": "z, not applicable", "c": "c, confidential", "x": "x, not available",
           "low": "low, rounds to zero", "u": "u, low reliability", "supp": "SUPP, suppressed",
           "..": "'..', not available", ":": "':', not available",
           "ne": "NE, not entered", "na": "NA, not available", "n/a": "n/a, not available"}
LABELS = {"NumberOfPupils": "pupils", "PercentageFSM": "free-school-meal share",
          "Easting": "coordinates", "Northing": "coordinates",
          "StatutoryLowAge": "statutory ages", "StatutoryHighAge": "statutory ages"}
NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][+-]?\d+)?|[+-]?\.\d+")
# British National Grid extent (metres) and a roll no school in England comes near.
EASTING, NORTHING = (0.0, 700_000.0), (0.0, 1_300_000.0)
MAX_PUPILS = 10_000
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                           rb"|[\xf0-\xf4][\x80-\xbf]{3}")
BOM = b"\xef\xbb\xbf"


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


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding name): UTF-8, or Windows-1252 for a file with no UTF-8 sequence."""
    if b"\x00" in raw:   # binary, or UTF-16: not a text file either encoding reads
        _bad_byte(raw, raw.index(b"\x00"), path, "a text file")
    skip = len(BOM) if raw.startswith(BOM) else 0
    try:
        return raw[skip:].decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        if skip or UTF8_SEQUENCE.search(raw):
            _bad_byte(raw, skip + utf8_error.start, path,
                      "a UTF-8 file (it has UTF-8 characters)")
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as cp_error:
        _bad_byte(raw, cp_error.start, path, "a Windows-1252 file")


def _bad_byte(raw: bytes, at: int, path: Path, what: str):
    line = raw.count(b"\n", 0, at) + 1
    column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
    raise ConfigError(f"region.path={path} line {line}, column {column}: byte "
                      f"0x{raw[at]:02X} is not valid in {what}; allowed: one encoding for "
                      "the whole file, UTF-8 or Windows-1252")


def split_line(text: str, line: int, path: Path) -> list[str]:
    """The fields of one physical line; quotes must open and close on it."""
    if text.count('"') % 2:
        raise ConfigError(f"region.path={path} line {line}: a quote opens a field that does "
                          "not close on this line; allowed: each row on one line, quotes in "
                          'pairs (a quote inside a quoted field written "")')
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise ConfigError(f"region.path={path} line {line}: {exc}; allowed: comma-separated "
                          "fields, quoted where they hold commas") from None


class Row:
    """One data line's fields, read by column name, with one-line errors for bad values."""

    def __init__(self, fields: list[str], col: dict[str, int], line: int, path: Path):
        self.fields, self.col, self.line, self.path = fields, col, line, path

    def text(self, name: str) -> str:
        return self.fields[self.col[name]].strip()

    def fail(self, name: str, message: str):
        raise ConfigError(f"region.path={self.path} line {self.line}, column {name}: "
                          f"{message}")

    def number(self, name: str, lo: float, hi: float) -> float | str:
        """The value as a float in [lo, hi], or the reason it is missing (a string)."""
        text = self.text(name)
        if text.lower() in SYMBOLS or not text:
            symbol = f" ({SYMBOLS[text.lower()]})" if text else ""
            return f"missing {LABELS[name]}{symbol}"
        if not NUMBER.fullmatch(text):
            self.fail(name, f"'{text[:40]}' is not a number; allowed: a number, empty or a "
                            "DfE symbol (z c x low u SUPP .. :)")
        x = float(text.replace(",", ""))
        if not lo <= x <= hi:
            self.fail(name, f"'{text[:40]}' is out of range; allowed: {lo:.15g} to "
                            f"{hi:.15g}")
        return x


def _header(lines: list[str], path: Path) -> tuple[list[str], dict[str, int]]:
    if not lines or not lines[0].strip():
        raise ConfigError(f"region.path={path} is empty; allowed: a CSV with a header line")
    header = [h.strip() for h in split_line(lines[0], 1, path)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"region.path={path} line 1: missing column(s) "
                          f"{', '.join(missing)}; allowed: a GIAS extract with "
                          f"{', '.join(COLUMNS)}")
    return header, {name: header.index(name) for name in (*COLUMNS, STATUS, TYPE, *AGES)
                    if name in header}


def read_school_list(path: str | Path):
    """Parse the file: (path, columns as lists for the usable rows, Counter of dropped
    reasons, encoding)."""
    path = resolve_path(str(path))
    text, encoding = decode(path.read_bytes(), path)
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    header, col = _header(lines, path)
    rows: dict[str, list] = {k: [] for k in ("urn", "name", "la", "phase", "pupils", "fsm",
                                             "easting", "northing", "pre16", "line")}
    dropped: Counter = Counter()
    seen: dict[int, int] = {}
    for line, line_text in enumerate(lines[1:], start=2):
        if not line_text.strip():
            continue
        fields = split_line(line_text, line, path)
        if len(fields) != len(header):
            raise ConfigError(f"region.path={path} line {line}: {len(fields)} fields; "
                              f"allowed: {len(header)}, as in the header")
        if not any(f.strip() for f in fields):
            dropped["empty row"] += 1
            continue
        row = Row(fields, col, line, path)
        urn = _urn(row, seen)
        values = _not_used(row) or _values(row)
        if isinstance(values, str):
            dropped[values] += 1
            continue
        values.update(urn=urn, name=row.text("EstablishmentName"), la=row.text("LA (name)"),
                      line=line)
        for key, v in values.items():
            rows[key].append(v)
    return path, rows, dropped, encoding


def _urn(row: Row, seen: dict[int, int]) -> int:
    text = row.text("URN")
    if not text.isdigit() or int(text) < 1:
        row.fail("URN", f"'{text[:40]}'; allowed: a unique whole number >= 1")
    urn = int(text)
    if urn in seen:
        row.fail("URN", f"{urn} repeats line {seen[urn]}; allowed: each URN once")
    seen[urn] = row.line
    return urn


def _not_used(row: Row) -> str | None:
    """Why a row is not a mainstream open primary or secondary school, if it is not."""
    if STATUS in row.col:
        status = row.text(STATUS).lower()
        if status not in OPEN:
            return "not yet open" if "proposed to open" in status else "closed"
    if TYPE in row.col:
        kind = row.text(TYPE).lower()
        for words, reason in EXCLUDED_TYPES:
            if words in kind:
                return reason
        if not all(age in row.col for age in AGES) and late_entry_reason(kind):
            return late_entry_reason(kind)
    if row.text("PhaseOfEducation (name)").lower() not in PHASES:
        return "phase not primary or secondary"
    return None


def _values(row: Row) -> dict | str:
    """The numbers of a usable row, or the reason it cannot be used."""
    values = {"pupils": row.number("NumberOfPupils", 0, MAX_PUPILS),
              "fsm": row.number("PercentageFSM", 0, 100),
              "easting": row.number("Easting", *EASTING),
              "northing": row.number("Northing", *NORTHING)}
    for v in values.values():
        if isinstance(v, str):
            return v
    if values["pupils"] == 0:
        return "no pupils on roll"
    if not row.text("LA (name)"):
        return "missing local authority"
    values["phase"] = PHASES[row.text("PhaseOfEducation (name)").lower()]
    values["pre16"] = PRE16_SHARE
    if values["phase"] == SECONDARY and all(age in row.col for age in AGES):
        values["pre16"] = _pre16_from_ages(row)
        if isinstance(values["pre16"], str):
            return values["pre16"]
    return values


def _pre16_from_ages(row: Row) -> float | str:
    """The share of a secondary's roll that makes its year group roll x share / 5, from its
    statutory ages (the school teaches ages low to high - 1): its roll below 16 over the
    years below 16 it teaches, x 5. Below 16 is the whole roll of a school without a sixth
    form (high age 16 or less), else SIXTH_FORM_SCHOOL_PRE16_SHARE of it. 11-16: 1 (roll /
    5 a year group); 11-18: 0.82; all-through 4-16: 5 / 12 (roll / 12); middle 9-13: 5 / 4.
    A school whose ages leave out age 11 has no Year 7 places: that is the reason it is not
    used. Missing ages (empty or a DfE symbol): England's share, as a file without ages."""
    low, high = (row.number(age, *AGE_RANGE) for age in AGES)
    if isinstance(low, str) or isinstance(high, str):
        return PRE16_SHARE
    for name, age in zip(AGES, (low, high)):
        if age != int(age):
            row.fail(name, f"'{row.text(name)[:40]}' is not a whole number of years; "
                           "allowed: whole years 0 to 25")
    if low >= high:
        row.fail("StatutoryHighAge", f"{high:g} is not above StatutoryLowAge {low:g}; "
                                     "allowed: a high age above the low age")
    if low > 11 or high <= 11:
        return "statutory ages leave out Year 7"
    below_16 = 1.0 if high <= 16 else SIXTH_FORM_SCHOOL_PRE16_SHARE
    return below_16 * 5.0 / (min(high, 16) - low)


def build_region_from_csv(cfg, rng: np.random.Generator) -> Region:
    path, rows, dropped, encoding = read_school_list(cfg.path)
    n = len(rows["urn"])
    if n < 3:
        reasons = ", ".join(f"{k} {v}" for k, v in dropped.items())
        detail = f"{reasons} not used" if reasons else "no data rows"
        raise ConfigError(f"region.path={path} has {n} usable schools ({detail}); allowed: "
                          "a list with at least 3 open primary or secondary schools")
    la_names = tuple(sorted(set(rows["la"])))
    la = np.searchsorted(np.array(la_names, dtype=object), np.array(rows["la"], dtype=object))
    metres = np.column_stack([rows["easting"], rows["northing"]]).astype(float)
    pos_km = (metres - metres.min(axis=0)) / 1000.0
    cell = np.floor(pos_km / cfg.neighbourhood_km).astype(np.int64)
    cells, neighbourhood = np.unique(cell, axis=0, return_inverse=True)
    neighbourhood = neighbourhood.ravel()
    share = np.asarray(rows["fsm"], float) / 100.0
    counts = np.bincount(neighbourhood)
    deprivation = np.bincount(neighbourhood, weights=share) / counts
    eal, mobility = eal_and_mobility(rng, logit(np.clip(deprivation[neighbourhood],
                                                        0.005, 0.995)))
    return Region(str(cfg.name), la_names, la.astype(np.int64), neighbourhood.astype(np.int64),
                  deprivation, pos_km, np.asarray(rows["phase"], np.int64),
                  np.asarray(rows["pupils"], float), share, eal, mobility,
                  dropped=dict(sorted(dropped.items())),
                  urn=np.asarray(rows["urn"], np.int64),
                  school_names=tuple(rows["name"]), read_as=encoding,
                  secondary_pre16_share=np.asarray(rows["pre16"], float),
                  neighbourhood_pos_km=(cells + 0.5) * cfg.neighbourhood_km)
