"""Real regions from public data (sim.region_real): England, Greater Manchester, any set of
authorities. Expected counts were taken from the public census file itself
(../shared/data/england_schools_2023.csv, counted with pandas), not from this code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim

from sim.errors import ConfigError
from sim.metrics import dissimilarity
from sim.pupils.places import year_group_size
from sim.region_real import GREATER_MANCHESTER, build_real_region, income_share, tables
from sim.sixth_forms import pre16_share_by_authority
from tests.helpers import build_model, section


# Subprocesses import this checkout's `sim`, whatever the working directory.
ENV = {**os.environ, "PYTHONPATH": str(Path(sim.__file__).parents[1])}


def real(*authorities, name="real"):
    return build_real_region(section(name=name, local_authorities=list(authorities)),
                             np.random.default_rng(0))


@pytest.fixture(scope="module")
def gm():
    return real(*GREATER_MANCHESTER, name="gm_real")


@pytest.fixture(scope="module")
def england():
    return real(name="england_real")


def fsm_dissimilarity(region) -> float:
    disadvantaged = region.pupils * region.disadvantaged_share
    return dissimilarity(disadvantaged, region.pupils - disadvantaged)


# ----------------------------------------------------------------------------- Greater Manchester
def test_gm_has_its_1029_primaries_and_secondaries(gm):
    # 854 primaries and 175 secondaries in the census; one has no pupils on roll, and three
    # secondaries take their pupils above Year 7: Connell Co-Op College (Free schools 16 to
    # 19), AldridgeUTC@MediaCityUK and University Collegiate School (University technical
    # college).
    assert abs(gm.n_schools - 1029) <= 5
    assert (gm.phase == 0).sum() == 853 and (gm.phase == 1).sum() == 172
    assert gm.dropped == {"16-19 school (no Year 7)": 1,
                          "UTC or studio school (entry at 14)": 2, "no pupils on roll": 1}
    assert not {139730, 146303, 141941} & set(gm.urn.tolist())
    assert gm.la_names == tuple(sorted(GREATER_MANCHESTER))


def test_gm_free_school_meal_segregation_is_the_real_one(gm):
    assert fsm_dissimilarity(gm) == pytest.approx(0.31, abs=0.02)


def test_gm_trusts_have_their_real_sizes(gm):
    sizes = np.bincount(gm.trust[gm.trust >= 0])
    assert len(gm.trust_names) == len(sizes) == 118
    assert sizes.max() == 11 and (sizes >= 2).sum() == 67
    assert np.median(sizes[sizes >= 2]) == 3
    largest = {gm.trust_names[t] for t in np.flatnonzero(sizes == 11)}
    assert largest == {"UNITED LEARNING TRUST",
                       "FORWARD AS ONE CHURCH OF ENGLAND MULTI ACADEMY TRUST"}
    joined = gm.trust_joined_year[gm.trust >= 0]
    assert joined.min() >= 2003 and joined.max() <= 2023
    assert (gm.trust_joined_year[gm.trust < 0] == -1).all()


def test_gm_ofsted_grades_from_the_file(gm):
    # Census: 127 outstanding, 721 good, 79 requires improvement, 102 unknown (one of which
    # is the school with no pupils); of the schools not used, two are good (Connell Co-Op
    # College, AldridgeUTC@MediaCityUK) and one unknown.
    counts = np.bincount(gm.ofsted + 1, minlength=5)   # unknown, O, G, RI, I
    assert counts[1] == 127 and counts[2] == 719 and counts[3] == 79
    assert counts[0] + counts[4] == 1025 - 127 - 719 - 79


# ----------------------------------------------------------------------------- England
def test_england_has_every_state_funded_primary_and_secondary(england):
    # Six have no pupils on roll; 96 take their pupils above Year 7 (census types: 29
    # 16-19 academies and free schools, 46 UTCs, 21 studio schools), one of them with none.
    assert england.n_schools == 20227 - 6 - 95
    assert england.dropped == {"16-19 school (no Year 7)": 29,
                               "UTC or studio school (entry at 14)": 66, "no pupils on roll": 6}
    assert england.n_local_authorities == 152
    assert len(england.neighbourhood_code) == 32844
    assert fsm_dissimilarity(england) == pytest.approx(0.31, abs=0.02)


def test_england_trusts_are_real(england):
    sizes = np.bincount(england.trust[england.trust >= 0])
    assert len(sizes) == 2240 and sizes.max() == 78 and (sizes >= 2).sum() == 1082
    assert np.median(sizes[sizes >= 2]) == 5


def test_schools_sit_in_their_own_lsoa(england):
    # The Aldgate School (URN 100000) is in City of London 001F, E01032739.
    aldgate = np.flatnonzero(england.urn == 100000)[0]
    assert england.neighbourhood_code[england.neighbourhood[aldgate]] == "E01032739"
    assert england.school_names[aldgate] == "The Aldgate School"


def test_neighbourhood_arrays_cover_every_neighbourhood(gm):
    n = len(gm.neighbourhood_code)
    for values in (gm.neighbourhood_deprivation, gm.neighbourhood_imd_rank,
                   gm.neighbourhood_imd_decile, gm.neighbourhood_la,
                   gm.neighbourhood_income_deprived_children):
        assert len(values) == n
    assert gm.neighbourhood_pos_km.shape == (n, 2)
    assert gm.neighbourhood.max() < n
    # IMD rank 1 is the most deprived LSOA of England: decile and share agree with it.
    order = np.argsort(gm.neighbourhood_imd_rank)
    assert gm.neighbourhood_imd_decile[order[0]] == 1
    assert ((gm.neighbourhood_imd_decile >= 1) & (gm.neighbourhood_imd_decile <= 10)).all()
    # Schools are within a few km of their LSOA's centre point.
    gap = np.linalg.norm(gm.pos_km - gm.neighbourhood_pos_km[gm.neighbourhood], axis=1)
    assert np.median(gap) < 1.0 and gap.max() < 10.0


def test_neighbourhood_share_by_hand():
    """Shares 0.5, 0.2, 0.1 with 100, 100, 200 pupils: pupil midpoints 1/8, 3/8, 3/4 of
    England's pupils from the most deprived; 4 LSOAs, ranks 1, 2, 3 at 1/8, 3/8, 5/8."""
    schools = pd.DataFrame({"fsm_percent": [10.0, 50.0, 20.0], "pupils": [200, 100, 100]})
    share = income_share(np.array([1, 2, 3]), 4, schools)
    assert share == pytest.approx([0.5, 0.2, 0.2 - 0.1 * (0.25 / 0.375)])


# ----------------------------------------------------------------------------- chosen authorities
def test_two_authorities_by_name():
    region = real("Trafford", "salford")
    assert region.la_names == ("Salford", "Trafford")
    assert np.bincount(region.la).tolist() == [90, 83]


def test_unknown_authority_is_one_line_with_close_matches():
    with pytest.raises(ConfigError) as err:
        real("Traford")
    message = str(err.value)
    assert "\n" not in message and "'Traford'" in message and "Trafford" in message


def test_model_builds_on_a_real_region():
    model = build_model(["region=england_real", "region.local_authorities=[Trafford]",
                         "scheme=none", "years=1"])
    assert model.n_schools == 83
    assert model.region.la_names == ("Trafford",)


def test_cli_runs_gm_real_and_refuses_an_unknown_authority(in_tmp):
    ok = subprocess.run([sys.executable, "-m", "sim", "region=gm_real", "scheme=trios",
                         "years=1", "output.progress=false"],
                        capture_output=True, text=True, timeout=300, env=ENV)
    assert ok.returncode == 0, ok.stderr
    assert ("census: schools not used: 1 16-19 school (no Year 7), 2 UTC or studio school "
            "(entry at 14), 1 no pupils on roll") in ok.stdout
    written = sorted(in_tmp.rglob("*"))
    bad = subprocess.run([sys.executable, "-m", "sim", "region=england_real",
                          "region.local_authorities=[Manchster]", "years=1"],
                         capture_output=True, text=True, timeout=300, env=ENV)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "did you mean Manchester" in bad.stderr
    assert sorted(in_tmp.rglob("*")) == written


# ------------------------------------------------------------------------- pupils by year group
# England's 2018/19 KS2 cohort in state-funded mainstream schools (DfE KS2 attainment by
# disadvantage, via the Social Mobility Commission's State of the Nation data:
# ../shared/data/dfe_ks2_attainment_by_disadvantage_england_2015-16_to_2018-19.csv): these
# pupils were in Year 10 in the January 2023 census the real rolls come from.
KS2_COHORT_2018_19 = 644_580


def test_england_s_secondary_year_groups_leave_out_the_sixth_forms(england):
    # A year group of England's secondaries from their rolls without the sixth forms
    # (`sim.sixth_forms`, from DfE's sixth-form counts by region) is the size of a real
    # year group: within 3 % of the 2018/19 KS2 cohort (a few pupils move to independent
    # and special schools after 11, others arrive from abroad). Roll / 5 with the sixth
    # forms was about 726,000, 12.6 % over.
    secondary = england.phase == 1
    year_groups = year_group_size(england.pupils, england.phase, england.secondary_pre16_share)
    assert year_groups[secondary].sum() == pytest.approx(KS2_COHORT_2018_19, rel=0.03)


@pytest.mark.slow
def test_england_s_pupils_on_roll_from_reception_to_year_11_are_the_census_s():
    # Twelve year groups the size of the 2018/19 KS2 cohort, 7.73 million, within 5 %: one
    # cohort stands for the mean of twelve only to a few per cent (the KS2 cohorts in the
    # same file grew 10 % from 2015/16 to 2018/19). Before the sixth forms were left out,
    # Year 7 arrivals filled the secondaries to roll / 5 and England had 8.28 million (+7 %).
    # What is left over is the primaries' (roll / 7 counts their nursery classes, which the
    # census file does not split out): 663,996 a year group.
    model = build_model(["region=england_real", "scheme=none", "years=1"])
    assert model.pupil_system.on_roll == pytest.approx(12 * KS2_COHORT_2018_19, rel=0.05)


def test_a_secondary_s_share_below_16_is_its_region_s(gm, england):
    # North West: 33,274 sixth-formers (DfE School capacity 2022/23) in a census secondary
    # roll of 465,802 without its 16-19 schools (counted with pandas from the census file):
    # 1 - 33,274 / 465,802 = 0.92857. Every GM secondary has it.
    from sim.sixth_forms import AUTHORITIES

    assert gm.secondary_pre16_share[gm.phase == 1] == pytest.approx(1 - 33_274 / 465_802)
    # The four regions' authorities are census names, none in two regions.
    named = [la for las in AUTHORITIES.values() for la in las]
    assert len(named) == len(set(named)) == 12 + 23 + 15 + 10
    assert set(named) <= set(england.la_names)
    # Over England the regions' sixth-formers are DfE's 415,162: the census's secondaries
    # without the 16-19 schools (3,614,685 pupils, counted with pandas) keep the rest
    # below 16.
    schools = tables()[0]
    shares = schools["la"].map(pre16_share_by_authority(schools))
    counted = (schools["phase"] == 1) & ~schools["establishment"].str.contains("16")
    below_16 = (schools["pupils"] * shares)[counted].sum()
    assert below_16 == pytest.approx(3_614_685 - 415_162, abs=1)


# ------------------------------------------------------------------------- across the border at 11
@pytest.mark.parametrize("authority", ["Salford", "Knowsley", "Middlesbrough"])
def test_cli_runs_an_authority_whose_year_6_go_to_its_neighbours(authority, in_tmp):
    # Their secondaries' year groups (Years 7-11 of their real rolls / 5) are far smaller
    # than their Year 6 (Knowsley's about half): the rest go to neighbouring authorities.
    run = subprocess.run([sys.executable, "-m", "sim", "region=england_real",
                          f"region.local_authorities=[{authority}]", "scheme=none", "years=1",
                          "output.progress=false"],
                         capture_output=True, text=True, timeout=300, env=ENV)
    assert run.returncode == 0, run.stderr
    summary = json.loads(next(in_tmp.rglob("summary.json")).read_text())
    assert summary["pupils_left_to_neighbouring_authorities_at_11"] > 0
    assert "to secondaries in neighbouring authorities: " in run.stdout


def test_pupils_leaving_for_neighbouring_authorities_are_conserved_and_take_their_loss():
    model = build_model(["region=england_real", "region.local_authorities=[Salford]",
                         "scheme=none", "years=1"])
    pupils, state = model.pupil_system, model.state
    secondaries = model.region.phase == 1
    shortfall = (np.count_nonzero(pupils.roll.year == 6)
                 - pupils.places.year_group_size[secondaries].sum())
    assert shortfall > 0
    pupils.lose(2.0, 1.0)
    before = pupils.on_roll
    pupils.year_end(state, 1)
    flows = pupils.latest
    # Salford's own secondaries take their real year groups: the shortfall leaves, nobody
    # arrives.
    assert flows.left_to_neighbours == shortfall and flows.arrived_at_11 == 0
    assert pupils.on_roll == (before + flows.intake + flows.arrived_at_11 - flows.leavers
                              - flows.left_at_11 - flows.left_to_neighbours)
    assert pupils.left_to_neighbours == flows.left_to_neighbours
    # Those who left took their loss with them: the head of the roll is exactly the pupils
    # still on roll from the closure.
    assert pupils.lossy == before - flows.leavers - flows.left_to_neighbours
    assert np.count_nonzero(pupils.roll.loss[:pupils.lossy]) == pupils.lossy
    assert not pupils.roll.loss[pupils.lossy:].any()


def test_the_schools_across_the_border_are_the_rest_of_england_s_secondaries(england):
    # 3,348 secondaries with pupils and a Year 7 in the census (3,443 with pupils less 95
    # 16-19 schools, UTCs and studio schools), 14 of them in Salford (AldridgeUTC@MediaCityUK
    # is not used); all of England has nothing beyond its border. (A school list keeps its
    # one-line refusal of too few places: tests/test_region_csv.py.)
    assert england.outside_secondary_km is None
    salford = real("Salford")
    assert (salford.phase == 1).sum() == 14
    assert salford.outside_secondary_km.shape == (3348 - 14, 2)
    assert len(salford.outside_secondary_share) == 3348 - 14


@pytest.mark.parametrize("kind, reason", [
    ("Free schools 16 to 19", "16-19 school (no Year 7)"),
    ("Academy 16-19 converter", "16-19 school (no Year 7)"),
    ("Academy 16 to 19 sponsor led", "16-19 school (no Year 7)"),
    ("University technical college", "UTC or studio school (entry at 14)"),
    ("Studio schools", "UTC or studio school (entry at 14)"),
    ("Academy converter", None), ("City technology college", None),
    ("Community school", None), ("Free schools", None)])
def test_schools_whose_pupils_start_above_year_7_by_establishment_type(kind, reason):
    from sim.geography import late_entry_reason

    assert late_entry_reason(kind) == reason


# ----------------------------------------------------------------------------- what the model uses
def test_real_trusts_by_hand():
    from sim.schemes.trusts import real_trusts

    trust = np.array([-1, 2, 0, 2, 0, 1, 2])
    groups = real_trusts(trust, min_size=2)
    assert [g.tolist() for g in groups] == [[2, 4], [1, 3, 6]]
    assert real_trusts(np.full(3, -1), min_size=2) == []


def test_scheme_trusts_on_gm_real_is_its_real_trusts():
    model = build_model(["region=gm_real", "scheme=trusts", "years=1"])
    sizes = np.sort((model.scheme.partnerships_of(model).members >= 0).sum(axis=1))
    # The census's GM multi-academy trusts with 2+ schools: 67, median 3, the two largest 11.
    assert len(sizes) == 67 and np.median(sizes) == 3 and sizes[-2:].tolist() == [11, 11]
    members = model.scheme.partnerships_of(model).members
    for row in members:
        row = row[row >= 0]
        assert len(set(model.region.trust[row].tolist())) == 1


def test_starting_grades_are_the_published_ones_where_known():
    model = build_model(["region=gm_real", "scheme=none", "years=1"])
    known = model.region.ofsted >= 0
    assert known.sum() == 127 + 719 + 79 and not known.all()
    assert (model.inspection.grade[known] == model.region.ofsted[known]).all()
    assert set(np.unique(model.inspection.grade[~known])) <= {0, 1, 2, 3}


def test_the_report_names_the_region_and_its_authorities():
    from analysis.report import region_label

    real = pd.DataFrame({"region": ["england_real"] * 2,
                         "config.region.local_authorities": ['["Trafford", "Salford"]'] * 2})
    assert region_label(real) == "england_real: Salford, Trafford"
    gm = pd.DataFrame({"region": ["gm_real"],
                       "config.region.local_authorities": [json.dumps(list(GREATER_MANCHESTER))]})
    assert region_label(gm) == "gm_real: " + ", ".join(GREATER_MANCHESTER)
    eleven = pd.DataFrame({"region": ["england_real"], "config.region.local_authorities":
                           [json.dumps([*GREATER_MANCHESTER, "Wirral"])]})
    assert region_label(eleven) == "england_real: 11 authorities"
    everywhere = pd.DataFrame({"region": ["england_real"],
                               "config.region.local_authorities": ["[]"]})
    assert region_label(everywhere) == "england_real: all of England"
    assert region_label(pd.DataFrame({"region": ["gm", "gm"]})) == "gm"
