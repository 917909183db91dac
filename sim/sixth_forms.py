"""The part of a real secondary's roll below 16, by DfE region: census rolls count the sixth
form, the model's pupils stop at Year 11.

The census file gives no school's age range, so no school's own sixth form. DfE *School
capacity 2022/23* ("Sixth form capacity - national, regional, local authority") counts the
sixth-formers on roll in May 2023 in the mainstream state schools that reported a sixth-form
capacity, by region (16-19-only establishments excluded; the report is voluntary, so these
are lower bounds). Four regions' counts are read here; the other five regions are pooled as
the rest of England (England's 415,162 less the four). A region's share below 16 is
1 - its sixth-formers / the census roll of its secondaries (without the 16-19 schools, as
the count). Regions differ: the North West, with its sixth-form colleges, has 7.1 % of its
secondary roll in school sixth forms, England 11.4 %. The counts are the source's; no share
is set to meet what the model is compared with (leavers at 11, segregation).
"""

from __future__ import annotations

import pandas as pd

from sim.geography import SECONDARY, SIXTEEN_TO_NINETEEN, late_entry_reason

ENGLAND_SIXTH_FORMERS = 415_162
SIXTH_FORMERS = {"North East": 14_279, "North West": 33_274,
                 "Yorkshire and The Humber": 30_296, "East Midlands": 34_707}
REST_OF_ENGLAND = "rest of England"
# The census's local authorities of those four regions (ONS regions; Northamptonshire is
# North and West Northamptonshire since 2021; Cumbria is still one authority in January 2023).
AUTHORITIES = {
    "North East": ("County Durham", "Darlington", "Gateshead", "Hartlepool", "Middlesbrough",
                   "Newcastle upon Tyne", "North Tyneside", "Northumberland",
                   "Redcar and Cleveland", "South Tyneside", "Stockton-on-Tees", "Sunderland"),
    "North West": ("Blackburn with Darwen", "Blackpool", "Bolton", "Bury", "Cheshire East",
                   "Cheshire West and Chester", "Cumbria", "Halton", "Knowsley", "Lancashire",
                   "Liverpool", "Manchester", "Oldham", "Rochdale", "Salford", "Sefton",
                   "St. Helens", "Stockport", "Tameside", "Trafford", "Warrington", "Wigan",
                   "Wirral"),
    "Yorkshire and The Humber": (
        "Barnsley", "Bradford", "Calderdale", "Doncaster", "East Riding of Yorkshire",
        "Kingston upon Hull, City of", "Kirklees", "Leeds", "North East Lincolnshire",
        "North Lincolnshire", "North Yorkshire", "Rotherham", "Sheffield", "Wakefield", "York"),
    "East Midlands": ("Derby", "Derbyshire", "Leicester", "Leicestershire", "Lincolnshire",
                      "North Northamptonshire", "Nottingham", "Nottinghamshire", "Rutland",
                      "West Northamptonshire"),
}


def region_of(authorities: pd.Series) -> pd.Series:
    """Each authority's region among the four, else the rest of England."""
    region = {la: name for name, las in AUTHORITIES.items() for la in las}
    return authorities.map(region).fillna(REST_OF_ENGLAND)


def pre16_share_by_authority(schools: pd.DataFrame) -> dict[str, float]:
    """Authority -> the share of its secondaries' rolls below 16, its region's (`schools`:
    the census's, with columns la, phase, pupils, establishment)."""
    sixteen_nineteen = schools["establishment"].map(
        lambda kind: late_entry_reason(kind) == SIXTEEN_TO_NINETEEN).astype(bool)
    counted = (schools["phase"] == SECONDARY) & ~sixteen_nineteen
    roll = schools.loc[counted, "pupils"].groupby(region_of(schools["la"])[counted]).sum()
    sixth = {**SIXTH_FORMERS,
             REST_OF_ENGLAND: ENGLAND_SIXTH_FORMERS - sum(SIXTH_FORMERS.values())}
    share = {name: 1.0 - sixth[name] / float(roll[name]) for name in sixth}
    authorities = pd.Series(schools["la"].unique())
    return dict(zip(authorities, region_of(authorities).map(share)))
