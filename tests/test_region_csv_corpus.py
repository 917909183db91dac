"""The malformed school-list corpus (issue 16, item 2): every broken or awkward file either
stops with one line naming the line (and column) and what is allowed, or loads with every row
it does not use counted under its reason. No traceback, no silent loss, nothing written.

Each case is a small file built from ten good rows (`GOOD`, lines 2-11) by changing one thing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.region_csv import build_region_from_csv, read_school_list
from tests.helpers import section

HEADER = ("URN,EstablishmentName,LA (name),EstablishmentStatus (name),"
          "TypeOfEstablishment (name),PhaseOfEducation (name),NumberOfPupils,PercentageFSM,"
          "Easting,Northing")
FIELDS = HEADER.split(",")
GOOD = [{"URN": str(100001 + i), "EstablishmentName": f"School {i + 1}",
         "LA (name)": ("Ayton", "Beeton", "Ceeton")[i % 3],
         "EstablishmentStatus (name)": "Open", "TypeOfEstablishment (name)": "Community school",
         "PhaseOfEducation (name)": "Secondary" if i % 4 == 3 else "Primary",
         "NumberOfPupils": str(200 + 10 * i), "PercentageFSM": f"{5 + 3 * i}.0",
         "Easting": str(400000 + 700 * i), "Northing": str(300000 + 500 * (i % 4))}
        for i in range(10)]


def line_of(row: dict) -> str:
    return ",".join(row[f] for f in FIELDS)


def text(changes: dict | None = None, extra: tuple[str, ...] = (), header: str = HEADER) -> str:
    """The good file with `changes` = {row index: {column: raw text}} and extra lines."""
    rows = [dict(r) for r in GOOD]
    for i, change in (changes or {}).items():
        rows[i].update(change)
    return "\n".join([header, *map(line_of, rows), *extra]) + "\n"


def col(name: str, value: str, row: int = 0) -> str:
    return text({row: {name: value}})


YNYS = text({0: {"EstablishmentName": "Ysgol Ynys Môn"}})
ERROR, DROPPED = "error", "dropped"

# (id, file bytes, ERROR + substrings of the message | DROPPED + {reason: count})
CASES = [
    # --- encoding: decided once for the whole file, reported, or refused at the bad byte
    ("utf8", YNYS.encode("utf-8"), DROPPED, {}),
    ("utf8-bom", b"\xef\xbb\xbf" + YNYS.encode("utf-8"), DROPPED, {}),
    ("windows-1252", YNYS.encode("cp1252"), DROPPED, {}),
    ("utf8-with-one-stray-1252-byte",
     YNYS.encode("utf-8") + "100011,Café,Ayton,Open,Community school,Primary,99,9,400000,"
     "300000\n".encode("cp1252"), ERROR, ["line 12, column 11", "0xE9", "one encoding"]),
    ("1252-undefined-byte", YNYS.encode("cp1252").replace(b"School 3", b"School \x81"),
     ERROR, ["line 4, column 15", "0x81"]),
    ("bom-then-1252-byte", b"\xef\xbb\xbf" + YNYS.encode("cp1252"),
     ERROR, ["line 2, column 20", "0xF4"]),
    ("utf16", YNYS.encode("utf-16"), ERROR, ["line 1", "text file"]),
    ("nul-byte", text().encode().replace(b"School 5", b"School\x005"),
     ERROR, ["line 6, column 14", "0x00"]),
    ("truncated-utf8-sequence", YNYS.encode("utf-8") + b"100011,Caf\xc3",
     ERROR, ["line 12, column 11", "0xC3"]),
    # --- quotes: balanced on each physical line, or the row is refused at its true line
    ("quote-opens-line5-stray-line9", text({3: {"EstablishmentName": '"School 4'},
                                            7: {"EstablishmentName": 'School" 8'}}).encode(),
     ERROR, ["line 5:", "quote"]),
    ("unclosed-quote-last-line", text({9: {"EstablishmentName": '"School 10'}}).encode(),
     ERROR, ["line 11:", "quote"]),
    ("stray-quote-in-name", col("EstablishmentName", 'Bob"s School').encode(),
     ERROR, ["line 2:", "quote"]),
    ("doubled-quotes", col("EstablishmentName", '"The ""Best"" School"').encode(), DROPPED, {}),
    ("quoted-comma", col("EstablishmentName", '"School, Upper Site"').encode(), DROPPED, {}),
    ("text-after-closing-quote", col("EstablishmentName", '"School"x').encode(),
     ERROR, ["line 2:", "allowed: comma-separated"]),
    ("field-spanning-two-lines",
     col("EstablishmentName", '"School\nAnnexe"', row=2).encode(), ERROR, ["line 4:", "quote"]),
    ("unbalanced-quote-in-header", text(header=HEADER.replace("URN,", '"URN,', 1)).encode(),
     ERROR, ["line 1:", "quote"]),
    ("bare-carriage-return", col("EstablishmentName", "School\rAnnexe", row=1).encode(),
     ERROR, ["line 3:"]),
    ("field-over-128-kib", col("EstablishmentName", "x" * 140_000).encode(),
     ERROR, ["line 2:", "field larger than field limit"]),
    # --- structure
    ("empty-file", b"", ERROR, ["is empty"]),
    ("header-only", (HEADER + "\n").encode(), ERROR, ["0 usable schools", "no data rows"]),
    ("missing-column", text(header=HEADER.replace("PercentageFSM", "FSM")).encode(),
     ERROR, ["line 1: missing column(s) PercentageFSM"]),
    ("too-few-fields", text(extra=("100011,Short,Ayton,Open",)).encode(),
     ERROR, ["line 12: 4 fields; allowed: 10"]),
    ("unquoted-comma-shifts-fields", col("EstablishmentName", "School, Upper").encode(),
     ERROR, ["line 2: 11 fields; allowed: 10"]),
    ("blank-lines-between-rows", text().replace("\n100004", "\n\n\n100004").encode(),
     DROPPED, {}),
    ("row-of-empty-fields", text(extra=(",,,,,,,,,",)).encode(), DROPPED, {"empty row": 1}),
    ("crlf-line-ends", text().replace("\n", "\r\n").encode(), DROPPED, {}),
    ("repeated-urn", col("URN", "100001", row=4).encode(),
     ERROR, ["line 6, column URN: 100001 repeats line 2"]),
    ("too-few-usable-schools", text({i: {"EstablishmentStatus (name)": "Closed"}
                                     for i in range(8)}).encode(),
     ERROR, ["2 usable schools", "closed 8"]),
    # --- URN
    ("urn-empty", col("URN", "").encode(), ERROR, ["line 2, column URN: ''"]),
    ("urn-fraction", col("URN", "100001.5").encode(), ERROR, ["line 2, column URN"]),
    ("urn-word", col("URN", "abc").encode(), ERROR, ["line 2, column URN: 'abc'"]),
    ("urn-zero", col("URN", "0").encode(), ERROR, ["line 2, column URN: '0'"]),
    # --- pupils
    ("pupils-word", col("NumberOfPupils", "lots").encode(),
     ERROR, ["line 2, column NumberOfPupils: 'lots' is not a number"]),
    ("pupils-negative", col("NumberOfPupils", "-5").encode(),
     ERROR, ["column NumberOfPupils: '-5' is out of range; allowed: 0 to 10000"]),
    ("pupils-1e300", col("NumberOfPupils", "1e300").encode(), ERROR, ["out of range"]),
    ("pupils-inf", col("NumberOfPupils", "inf").encode(), ERROR, ["'inf' is not a number"]),
    ("pupils-nan", col("NumberOfPupils", "nan").encode(), ERROR, ["'nan' is not a number"]),
    ("pupils-huge", col("NumberOfPupils", "20000").encode(), ERROR, ["'20000' is out of range"]),
    ("pupils-zero", col("NumberOfPupils", "0").encode(), DROPPED, {"no pupils on roll": 1}),
    ("pupils-thousands-comma", col("NumberOfPupils", '"1,234"').encode(), DROPPED, {}),
    ("pupils-z", col("NumberOfPupils", "z").encode(),
     DROPPED, {"missing pupils (z, not applicable)": 1}),
    ("pupils-empty", col("NumberOfPupils", "").encode(), DROPPED, {"missing pupils": 1}),
    # --- free-school-meal share
    ("fsm-over-100", col("PercentageFSM", "120").encode(),
     ERROR, ["column PercentageFSM: '120' is out of range; allowed: 0 to 100"]),
    ("fsm-negative", col("PercentageFSM", "-1").encode(), ERROR, ["'-1' is out of range"]),
    ("fsm-percent-sign", col("PercentageFSM", "12%").encode(), ERROR, ["'12%' is not a number"]),
    *[(f"fsm-symbol-{symbol}", col("PercentageFSM", symbol).encode(), DROPPED,
       {f"missing free-school-meal share ({meaning})": 1})
      for symbol, meaning in (("z", "z, not applicable"), ("c", "c, confidential"),
                              ("x", "x, not available"), ("low", "low, rounds to zero"),
                              ("u", "u, low reliability"), ("SUPP", "SUPP, suppressed"),
                              ("..", "'..', not available"), (":", "':', not available"))],
    # --- coordinates: British National Grid
    ("easting-negative", col("Easting", "-5").encode(),
     ERROR, ["column Easting: '-5' is out of range; allowed: 0 to 700000"]),
    ("easting-1e12", col("Easting", "1e12").encode(), ERROR, ["column Easting"]),
    ("northing-1e300", col("Northing", "1e300").encode(), ERROR, ["column Northing"]),
    ("northing-north-of-shetland", col("Northing", "1400000").encode(),
     ERROR, ["allowed: 0 to 1300000"]),
    ("easting-empty", col("Easting", "").encode(), DROPPED, {"missing coordinates": 1}),
    # --- rows that are not mainstream open primary or secondary schools
    ("la-empty", col("LA (name)", "").encode(), DROPPED, {"missing local authority": 1}),
    ("independent-school", col("TypeOfEstablishment (name)", "Other independent school")
     .encode(), DROPPED, {"independent school": 1}),
    ("independent-special-school", col("TypeOfEstablishment (name)",
                                       "Other independent special school").encode(),
     DROPPED, {"independent school": 1}),
    ("special-school", col("TypeOfEstablishment (name)", "Community special school").encode(),
     DROPPED, {"special school": 1}),
    ("pupil-referral-unit", col("TypeOfEstablishment (name)", "Pupil referral unit").encode(),
     DROPPED, {"alternative provision": 1}),
    ("academy-ap", col("TypeOfEstablishment (name)", "Academy alternative provision converter")
     .encode(), DROPPED, {"alternative provision": 1}),
    ("closed", col("EstablishmentStatus (name)", "Closed").encode(), DROPPED, {"closed": 1}),
    ("proposed-to-open", col("EstablishmentStatus (name)", "Proposed to open").encode(),
     DROPPED, {"not yet open": 1}),
    ("nursery-phase", col("PhaseOfEducation (name)", "Nursery").encode(),
     DROPPED, {"phase not primary or secondary": 1}),
]


def load(path: Path):
    return build_region_from_csv(section(name="csv", path=str(path), neighbourhood_km=1.5),
                                 np.random.default_rng(0))


@pytest.mark.parametrize("case, content, outcome, expected", CASES, ids=[c[0] for c in CASES])
def test_malformed_school_list(tmp_path, case, content, outcome, expected):
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    before = sorted(tmp_path.rglob("*"))
    if outcome == ERROR:
        with pytest.raises(ConfigError) as info:
            load(path)
        message = str(info.value)
        assert "\n" not in message and "allowed" in message and str(path) in message
        for part in expected:
            assert part in message
    else:
        region = load(path)
        assert region.dropped == expected
        assert region.n_schools == len(GOOD) - sum(expected.values()) + \
            expected.get("empty row", 0)
    assert sorted(tmp_path.rglob("*")) == before


def test_the_corpus_has_the_issues_57_files_and_more():
    assert len(CASES) >= 57 and len({c[0] for c in CASES}) == len(CASES)


def test_both_encodings_give_the_same_names_and_report_which(tmp_path):
    names = {}
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(YNYS.encode(encoding))
        _, rows, _, read_as = read_school_list(path)
        names[encoding] = (rows["name"][0], read_as)
    assert names == {"utf-8": ("Ysgol Ynys Môn", "UTF-8"),
                     "utf-8-sig": ("Ysgol Ynys Môn", "UTF-8"),
                     "cp1252": ("Ysgol Ynys Môn", "Windows-1252")}


def test_quotes_keep_every_row_apart(tmp_path):
    """The issue's case: an opening quote on line 5 and a stray one on line 9 used to merge
    lines 5-9 into one record. Balanced quotes keep each school's own values."""
    path = tmp_path / "list.csv"
    path.write_bytes(col("EstablishmentName", '"The ""Best"" School, Upper"', row=3).encode())
    _, rows, dropped, _ = read_school_list(path)
    assert rows["name"][3] == 'The "Best" School, Upper' and dropped == {}
    assert rows["pupils"] == [200.0 + 10 * i for i in range(10)]
    assert rows["line"] == list(range(2, 12))


def test_cli_refuses_bad_lists_in_one_line_and_writes_nothing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(sim.__file__).parents[1])}
    for name, content in (("mixed.csv", CASES[3][1]), ("quote.csv", CASES[9][1]),
                          ("range.csv", col("Northing", "1e300").encode())):
        (tmp_path / name).write_bytes(content)
        before = sorted(tmp_path.rglob("*"))
        out = subprocess.run([sys.executable, "-m", "sim", "region=csv",
                              f"region.path={tmp_path / name}", "years=1"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 2, (name, out.stderr)
        assert out.stderr.startswith("schoolsim: error: ") and out.stderr.count("\n") == 1
        assert "Traceback" not in out.stderr
        assert sorted(tmp_path.rglob("*")) == before
