"""Regions from a school list in Get Information About Schools columns (sim.region_csv):
the bundled sample, rows that cannot be used (counted by reason), and malformed files
(errors naming the line and column)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.region_csv import SAMPLE, build_region_from_csv, read_school_list
from sim.headlines import headline_table
from tests.helpers import section

HEADER = ["URN", "EstablishmentName", "LA (name)", "PhaseOfEducation (name)",
          "NumberOfPupils", "PercentageFSM", "Easting", "Northing"]
GOOD_ROWS = [
    [100001, "Alpha Primary", "Ayton", "Primary", 200, "10.0", 400000, 300000],
    [100002, "Beta Primary", "Ayton", "Primary", 300, "30.0", 400500, 300400],
    [100003, "Gamma Academy", "Beeton", "Secondary", 900, "20.0", 410000, 305000],
    [100004, "Delta Primary", "Ceeton", "Primary", 250, "40.0", 420000, 299000],
]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def region_cfg(path, neighbourhood_km=1.5):
    return section(name="csv", path=str(path), neighbourhood_km=neighbourhood_km)


# ----------------------------------------------------------------------------- the sample
def test_the_sample_reports_every_row_it_does_not_use():
    path, rows, dropped, encoding = read_school_list(SAMPLE)
    assert encoding == "UTF-8"
    assert dropped == {"closed": 2, "not yet open": 1, "phase not primary or secondary": 2,
                       "missing pupils": 1,
                       "missing free-school-meal share (SUPP, suppressed)": 1,
                       "missing coordinates": 1}
    with open(path, encoding="utf-8") as f:
        n_rows = sum(1 for _ in f) - 1
    assert len(rows["urn"]) == n_rows - sum(dropped.values()) == 138


def test_sample_region_phases_positions_and_authorities():
    region = build_region_from_csv(region_cfg("gias_sample.csv"), np.random.default_rng(0))
    assert region.n_schools == 138
    assert region.la_names == ("Eastvale", "Northbrook", "Southmoor", "Westford")
    # 24 secondaries + a middle-deemed-secondary + an all-through school
    assert (region.phase == 1).sum() == 26
    assert region.pos_km.min(axis=0).tolist() == [0.0, 0.0]
    assert ((region.disadvantaged_share > 0) & (region.disadvantaged_share < 1)).all()
    assert region.urn[0] == 900001 and region.school_names[0] == "Ashby Primary School"


def test_region_csv_runs_every_scheme_and_reports_drops():
    r = sim.run(["region=csv", "scheme=trios", "years=1"], progress=False)
    assert r.summary["n_schools"] == 138 and r.summary["n_local_authorities"] == 4
    assert r.summary["region_rows_dropped"]["closed"] == 2
    assert r.schools["urn"].iloc[0] == 900001
    assert "school list: rows not used: 2 closed" in headline_table(r.summary)


def test_cli_prints_the_rows_not_used(in_tmp):
    out = subprocess.run([sys.executable, "-m", "sim", "region=csv", "scheme=none", "years=1"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "school list: rows not used:" in out.stdout and "1 missing pupils" in out.stdout


# ----------------------------------------------------------------------------- one phase
PRIMARIES = [r for r in GOOD_ROWS if r[3] == "Primary"]            # rolls 200, 300, 250
SECONDARIES = [
    [100003, "Gamma Academy", "Beeton", "Secondary", 900, "20.0", 410000, 305000],
    [100005, "Eta School", "Beeton", "Secondary", 700, "25.0", 412000, 306000],
    [100006, "Iota College", "Beeton", "Secondary", 800, "15.0", 405000, 303000],
]


def test_a_primary_only_list_runs_and_counts_the_pupils_leaving_at_11(tmp_path):
    path = write_csv(tmp_path / "primaries.csv", PRIMARIES)
    r = sim.run(["region=csv", f"region.path={path}", "scheme=none", "years=2"],
                progress=False)
    # Year groups of round(200 / 7), round(300 / 7), round(250 / 7) = 29 + 43 + 36 = 108:
    # seven of them on roll, and one leaves the region at 11 each year.
    assert r.summary["pupils_on_roll"] == 7 * 108
    assert r.summary["pupils_left_region_at_11"] == 2 * 108
    assert r.summary["last"]["gap_months_secondary"] is None
    assert r.summary["last"]["segregation_secondary"] is None
    assert r.summary["last"]["gap_months_primary"] > 0
    assert (r.results["key_stage"] == "KS2").all()
    assert "216 pupils left it at the end of Year 6" in headline_table(r.summary)


def test_the_real_primary_only_list_runs_through_the_cli_and_the_report(tmp_path):
    """Trafford's 64 primaries in the 2023 census (region=trafford_primaries), the most
    common real extract: the command line runs it and prints n/a for KS4, and the report
    reads the run."""
    run_dir = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "region=trafford_primaries",
                           "scheme=peer_review", "years=1", f"hydra.run.dir={run_dir}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "region=trafford_primaries schools=64" in proc.stdout
    assert re.search(r"Gap at KS4, end of secondary \(months\)\s+n/a\s+n/a\s+n/a", proc.stdout)
    assert re.search(r"no secondary school in the region: \d+ pupils left it", proc.stdout)
    from analysis import report

    out = tmp_path / "report.html"
    assert report.main([str(run_dir), "-o", str(out)]) == 0
    assert "trafford_primaries" in out.read_text()


def test_a_secondary_only_list_runs_with_year_7_arriving_from_outside(tmp_path):
    path = write_csv(tmp_path / "secondaries.csv", SECONDARIES)
    r = sim.run(["region=csv", f"region.path={path}", "scheme=market", "years=2"],
                progress=False)
    # Year 7 arrivals fill the year groups of rolls 900, 700, 800 without their sixth forms
    # (England's share 1 - 415,162 / 3,630,171 = 0.8856 below 16):
    # round(159.4) + round(124.0) + round(141.7) = 425 places; five year groups.
    assert r.summary["pupils_on_roll"] == 5 * 425
    assert "pupils_left_region_at_11" not in r.summary
    assert r.summary["last"]["gap_months_primary"] is None
    assert r.summary["last"]["gap_months_secondary"] > 0
    assert (r.results.groupby("year")[["cohort_disadvantaged", "cohort_other"]].sum()
            .sum(axis=1) == 425).all()


def test_year_6_beyond_the_listed_secondaries_places_leave_counted_with_a_line(in_tmp):
    # One authority's list often has more Year 6 than its secondaries have Year 7 places
    # (its pupils also go to schools across its border): the run goes on, and the pupils
    # left without a place leave the region at 11, counted under that reason.
    rows = [[100001, "A", "Ayton", "Primary", 700, "10.0", 400000, 300000],
            [100002, "B", "Ayton", "Primary", 700, "30.0", 400500, 300400],
            [100003, "G", "Beeton", "Secondary", 200, "20.0", 410000, 305000]]
    path = write_csv(in_tmp / "short.csv", rows)
    out = subprocess.run([sys.executable, "-m", "sim", "region=csv", f"region.path={path}",
                          "scheme=none", "years=1", "hydra.run.dir=out"],
                         capture_output=True, text=True, timeout=120)
    # 2 x round(700 / 7) = 200 pupils a year; ceil(200 x 0.8856 / 5 x 1.2) = 43 Year 7
    # places: 157 leave at the end of the year.
    assert out.returncode == 0, out.stderr
    assert ("no Year 7 place in the region's secondaries: 157 pupils left it at the end of "
            "Year 6 (a school list's pupils also go to schools outside it)") in out.stdout
    summary = json.loads((in_tmp / "out" / "summary.json").read_text())
    assert summary["pupils_without_year7_place_left_region_at_11"] == 157


# ----------------------------------------------------------------------------- sixth forms
AGES_HEADER = [*HEADER[:3], "TypeOfEstablishment (name)", *HEADER[3:], "StatutoryLowAge",
               "StatutoryHighAge"]
WITH_AGES = [
    [1, "A Primary", "Ayton", "Community school", "Primary", 700, "10", 400000, 300000, 4, 11],
    [3, "C High", "Ayton", "Academy converter", "Secondary", 1000, "20", 410000, 305000,
     11, 16],
    [4, "D High", "Ayton", "Academy converter", "Secondary", 1200, "20", 410500, 305000,
     11, 18],
    [5, "E UTC", "Ayton", "University technical college", "Secondary", 500, "20", 410000,
     305500, 14, 19],
    [6, "F Through", "Ayton", "Academy converter", "All-through", 1200, "20", 411000, 305000,
     4, 16],
    [7, "G Middle", "Ayton", "Community school", "Middle deemed secondary", 400, "20", 412000,
     305000, 9, 13],
    [8, "H Missing", "Ayton", "Academy converter", "Secondary", 1000, "20", 413000, 305000,
     "", ""],
]


def test_a_gias_export_s_statutory_ages_give_each_secondary_its_year_group(tmp_path):
    from sim.pupils.places import year_group_size

    region = build_region_from_csv(region_cfg(write_csv(tmp_path / "a.csv", WITH_AGES,
                                                        AGES_HEADER)),
                                   np.random.default_rng(0))
    # The UTC (ages 14-19) has no Year 7: not used, counted.
    assert region.dropped == {"statutory ages leave out Year 7": 1}
    assert region.urn.tolist() == [1, 3, 4, 6, 7, 8]
    # 11-16: 1000 / 5 = 200. 11-18: a sixth-form school's roll is 933.5 below 16 + 208.7
    # sixth-formers (3,215,009 pupils below 16 over 3,444 secondaries; 415,162 sixth-formers
    # over 1,989 schools), 1200 x 933.5 / 1142.2 / 5 = 196.1. All-through 4-16: twelve year
    # groups, 1200 / 12 = 100. Middle 9-13: four, 400 / 4 = 100. No ages: England's share,
    # 1000 x 0.8856 / 5 = 177.1.
    sizes = year_group_size(region.pupils, region.phase, region.secondary_pre16_share)
    assert sizes.tolist() == [100, 200, 196, 100, 100, 177]


def test_late_entry_types_are_not_used_in_a_list_without_ages(tmp_path):
    # A DfE statistics file has the GIAS columns but no ages: the type tells the UTC.
    path = write_csv(tmp_path / "t.csv", [r[:9] for r in WITH_AGES], AGES_HEADER[:-2])
    region = build_region_from_csv(region_cfg(path), np.random.default_rng(0))
    assert region.dropped == {"UTC or studio school (entry at 14)": 1}
    assert 5 not in region.urn.tolist()
    assert np.allclose(region.secondary_pre16_share, 1.0 - 415_162 / 3_630_171)


@pytest.mark.parametrize("low, high, message", [
    ("11.5", "16", "'11.5' is not a whole number of years; allowed: whole years 0 to 25"),
    ("16", "11", "11 is not above StatutoryLowAge 16; allowed: a high age above the low age"),
    ("eleven", "16", "'eleven' is not a number"),
    ("11", "30", "'30' is out of range; allowed: 0 to 25")])
def test_bad_statutory_ages_name_line_and_column(tmp_path, low, high, message):
    rows = [list(r) for r in WITH_AGES]
    rows[1][-2:] = [low, high]
    path = write_csv(tmp_path / "bad.csv", rows, AGES_HEADER)
    with pytest.raises(ConfigError) as err:
        read_school_list(path)
    assert "line 3, column Statutory" in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


# ----------------------------------------------------------------------------- derived values
def test_neighbourhoods_are_grid_cells_with_their_mean_share(tmp_path):
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    region = build_region_from_csv(region_cfg(path, neighbourhood_km=1.0),
                                   np.random.default_rng(0))
    # the first two schools are 0.5 km / 0.4 km apart: the same 1 km cell
    assert region.neighbourhood[0] == region.neighbourhood[1]
    assert len(set(region.neighbourhood.tolist())) == 3
    np.testing.assert_allclose(region.neighbourhood_deprivation[region.neighbourhood[0]], 0.2)
    np.testing.assert_allclose(region.disadvantaged_share, [0.1, 0.3, 0.2, 0.4])
    np.testing.assert_allclose(region.pos_km[0], [0.0, 1.0])
    np.testing.assert_allclose(region.pupils, [200, 300, 900, 250])


def test_windows_1252_files_are_read(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "École Primaire"
    path = write_csv(tmp_path / "s.csv", rows, encoding="cp1252")
    region = build_region_from_csv(region_cfg(path), np.random.default_rng(0))
    assert region.school_names[0] == "École Primaire"


def test_quoted_commas_and_optional_status_column(tmp_path):
    header = HEADER + ["EstablishmentStatus (name)"]
    rows = [r + ["Open"] for r in GOOD_ROWS]
    rows[1][1] = "Beta Primary, Upper Site"
    rows[2][-1] = "Open, but proposed to close"
    rows.append([100005, "Gone School", "Ayton", "Primary", 100, "5", 400100, 300100, "Closed"])
    path = write_csv(tmp_path / "s.csv", rows, header=header)
    _, kept, dropped, _ = read_school_list(path)
    assert kept["name"][1] == "Beta Primary, Upper Site"
    assert len(kept["urn"]) == 4 and dropped == {"closed": 1}


# ----------------------------------------------------------------------------- bad files
def bad(tmp_path, rows, header=HEADER):
    path = write_csv(tmp_path / "bad.csv", rows, header=header)
    with pytest.raises(ConfigError) as info:
        build_region_from_csv(region_cfg(path), np.random.default_rng(0))
    message = str(info.value)
    assert "\n" not in message and "allowed" in message and "bad.csv" in message
    return message


def test_missing_column_names_line_1(tmp_path):
    header = [h for h in HEADER if h != "PercentageFSM"]
    message = bad(tmp_path, [r[:5] + r[6:] for r in GOOD_ROWS], header=header)
    assert "line 1: missing column(s) PercentageFSM" in message


def test_wrong_number_of_fields_names_the_line(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1] = rows[1][:6]
    assert "line 3: 6 fields; allowed: 8" in bad(tmp_path, rows)


def test_a_word_where_a_number_belongs_names_line_and_column(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][4] = "lots"
    assert "line 4, column NumberOfPupils: 'lots' is not a number" in bad(tmp_path, rows)


def test_a_percentage_out_of_range_names_line_and_column(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][5] = "120"
    assert "line 2, column PercentageFSM: '120' is out of range; allowed: 0 to 100" in \
        bad(tmp_path, rows)


def test_negative_pupils_and_fractional_urn_are_errors(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[3][4] = "-5"
    assert "line 5, column NumberOfPupils: '-5' is out of range; allowed: 0 to 10000" in \
        bad(tmp_path, rows)
    rows = [list(r) for r in GOOD_ROWS]
    rows[3][0] = "1000.5"
    assert "line 5, column URN" in bad(tmp_path, rows)


def test_a_repeated_urn_names_both_lines(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[3][0] = rows[0][0]
    assert "line 5, column URN: 100001 repeats line 2" in bad(tmp_path, rows)


def test_too_few_usable_schools_lists_the_reasons(tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][4] = ""
    rows[1][3] = "Nursery"
    message = bad(tmp_path, rows)
    assert "2 usable schools" in message and "missing pupils 1" in message
    assert "phase not primary or secondary 1" in message


def test_empty_file_and_missing_path(tmp_path):
    empty = tmp_path / "bad.csv"
    empty.write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        read_school_list(empty)
    with pytest.raises(ConfigError) as info:
        sim.compose_config(["region=csv", f"region.path={tmp_path}/nothing.csv"])
    assert "does not exist" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="region.neighbourhood_km=0"):
        sim.compose_config(["region=csv", "region.neighbourhood_km=0"])


def test_suppressed_and_missing_values_are_counted_not_errors(tmp_path):
    rows = [list(r) for r in GOOD_ROWS] + [
        [100005, "Suppressed", "Ayton", "Primary", 80, "SUPP", 400200, 300200],
        [100006, "Nowhere", "Ayton", "Primary", 80, "5", "", ""],
        [100007, "Empty", "Ayton", "Primary", 0, "5", 400300, 300300],
        [100008, "No LA", "", "Primary", 80, "5", 400400, 300400],
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    _, kept, dropped, _ = read_school_list(path)
    assert len(kept["urn"]) == 4
    assert dropped == {"missing free-school-meal share (SUPP, suppressed)": 1,
                       "missing coordinates": 1, "no pupils on roll": 1,
                       "missing local authority": 1}
