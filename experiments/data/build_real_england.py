"""Build the compact real-England files that `region=england_real` reads (sim/data/real/).

    python -m experiments.data.build_real_england                 # from ../shared/data
                                                                  # (next to the checkout)
    python -m experiments.data.build_real_england --source DIR --out sim/data/real

Inputs (Crown copyright, Open Government Licence v3.0; sources in ../shared/data/README.md):
    england_schools_2023.csv                    DfE January 2023 census, one row per school
    gias_group_links_2022-03-29.csv             GIAS group links (multi-academy trust joins)
    imd2019_lsoa11_ranks_deciles.csv            IMD 2019 ranks and deciles per 2011 LSOA
    imd2019_lsoa11_idaci_income_numerators.csv  income-deprived children per LSOA
    lsoa2011_centroids_ons.csv                  LSOA centre points (British National Grid)

Outputs (Parquet, zstd; each a few hundred KB):
    schools.parquet        every state-funded primary and secondary school: URN, name, local
                           authority, phase, pupils, % FSM, easting/northing, LSOA (row of
                           lsoas.parquet), Ofsted grade (April 2024), trust (row of
                           trusts.parquet), the year it joined and the establishment type
    lsoas.parquet          every English 2011 LSOA: code, local authority (education
                           authority), IMD rank and decile, income rank, income-deprived
                           children, centre point
    trusts.parquet         every academy trust with a school in the census: name, schools,
                           multi-academy or single-academy
    PROVENANCE.json        the inputs' sizes and SHA-256, the counts of every choice below

Choices, each counted in PROVENANCE.json:
- Schools: `PhaseOfEducation (name)` Primary or Secondary (the census's state-funded
  primaries and secondaries); the rest (nursery, special, alternative provision, independent)
  is not real-region material. Schools with no pupils on roll are kept (the region reader
  counts and drops them).
- A school's LSOA is its 2021 LSOA where that code is also a 2011 LSOA (most are unchanged),
  else the 2011 LSOA whose centre is nearest to the school.
- An LSOA's local authority is the education authority of most of the schools in its 2019
  district (districts sit inside one county or unitary authority).
- Trusts: an academy's `Trust` in the census. The year it joined is the GIAS multi-academy
  trust link's joined date where the URN has one, else the academy's open date (when it
  opened or converted into that trust). Local-authority schools in a foundation trust are not
  academy-trust members.
- Ofsted: GIAS grade of April 2024 where present (schools in special measures are missing
  from that source, so inadequate is under-counted); empty otherwise.
- Establishment type: the census's, kept so that the region reader can leave out, counted,
  the secondaries whose pupils start above Year 7 (16-19 schools, UTCs, studio schools).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data"
OUT = ROOT / "sim" / "data" / "real"
INPUTS = {
    "schools": "england_schools_2023.csv",
    "links": "gias_group_links_2022-03-29.csv",
    "imd": "imd2019_lsoa11_ranks_deciles.csv",
    "idaci": "imd2019_lsoa11_idaci_income_numerators.csv",
    "centroids": "lsoa2011_centroids_ons.csv",
}
GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
PHASES = ("Primary", "Secondary")


def read(source: Path, key: str) -> pd.DataFrame:
    return pd.read_csv(source / INPUTS[key], dtype=str, keep_default_na=False)


def lsoas(source: Path) -> pd.DataFrame:
    imd = read(source, "imd")
    idaci = read(source, "idaci")
    centres = read(source, "centroids")
    table = imd.merge(idaci, on="lsoa11_code", how="left", validate="1:1") \
               .merge(centres, on="lsoa11_code", how="left", validate="1:1")
    assert (table.easting != "").all(), "an LSOA without a centre point"
    return pd.DataFrame({
        "code": table.lsoa11_code,
        "district": table.lad19_name,
        "imd_rank": table.index_of_multiple_deprivation_imd_rank.astype(float).astype(np.int32),
        "imd_decile": table.index_of_multiple_deprivation_imd_decile.astype(float)
                           .astype(np.int8),
        "income_rank": table.income_rank.astype(float).astype(np.int32),
        # Suppressed in the source for small counts: kept missing, never zero.
        "income_deprived_children": pd.to_numeric(
            table.income_deprivation_affecting_children_index_idaci_numerator).astype("Int32"),
        "easting": table.easting.astype(float).astype(np.int32),
        "northing": table.northing.astype(float).astype(np.int32),
    })


def school_lsoa(schools: pd.DataFrame, lsoa: pd.DataFrame, counts: dict) -> np.ndarray:
    """Row of `lsoa` for each school: its 2021 code if it is a 2011 code, else the nearest."""
    row_of = pd.Series(np.arange(len(lsoa)), index=lsoa.code)
    row = schools.LSOA21.map(row_of)
    same = row.notna().to_numpy()
    tree = cKDTree(lsoa[["easting", "northing"]].to_numpy(float))
    xy = schools[["Easting", "Northing"]].astype(float).to_numpy()
    _, nearest = tree.query(xy[~same])
    out = np.empty(len(schools), np.int32)
    out[same] = row[same].astype(np.int32)
    out[~same] = nearest
    counts["school_lsoa_same_code_2021_2011"] = int(same.sum())
    counts["school_lsoa_nearest_centre"] = int((~same).sum())
    return out


def lsoa_authority(lsoa: pd.DataFrame, schools: pd.DataFrame, row: np.ndarray,
                   counts: dict) -> pd.Series:
    """Education authority of each LSOA: that of most schools in its 2019 district."""
    by_district = pd.DataFrame({"district": lsoa.district.to_numpy()[row],
                                "la": schools["LA (name)"].to_numpy()})
    majority = by_district.groupby("district")["la"].agg(lambda s: s.value_counts().index[0])
    la = lsoa.district.map(majority)
    assert la.notna().all(), "a district with no school"
    counts["districts"] = int(lsoa.district.nunique())
    return la


def join_year(schools: pd.DataFrame, links: pd.DataFrame, counts: dict) -> np.ndarray:
    mat = links[links["Group Type"] == "Multi-academy trust"]
    joined = schools.URN.map(mat.drop_duplicates("URN").set_index("URN")["Joined date"])
    opened = pd.to_datetime(schools.OpenDate, format="%d/%m/%Y", errors="coerce")
    year = pd.to_datetime(joined, format="%Y-%m-%d", errors="coerce").dt.year \
             .fillna(opened.dt.year)
    member = (schools.AcademyFlag == "Academy") & (schools.Trust != "")
    counts["trust_join_from_gias_link"] = int((member & joined.notna()).sum())
    counts["trust_join_from_open_date"] = int((member & joined.isna()).sum())
    assert year[member].notna().all(), "a trust member without a date"
    return np.where(member, year.fillna(-1), -1).astype(np.int16)


def trusts(schools: pd.DataFrame, links: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    member = (schools.AcademyFlag == "Academy") & (schools.Trust != "")
    names = np.sort(schools.Trust[member].unique())
    index = np.where(member, np.searchsorted(names, schools.Trust), -1).astype(np.int32)
    size = np.bincount(index[index >= 0], minlength=len(names))
    mats = set(links.loc[links["Group Type"] == "Multi-academy trust", "Group Name"].str.upper())
    multi = (size >= 2) | np.isin(np.char.upper(names.astype(str)), list(mats))
    return pd.DataFrame({"name": names, "schools": size.astype(np.int32),
                         "multi_academy": multi}), index


def schools_table(source: Path, lsoa: pd.DataFrame, counts: dict):
    raw = read(source, "schools")
    counts["census_rows"] = len(raw)
    s = raw[raw["PhaseOfEducation (name)"].isin(PHASES)].reset_index(drop=True)
    counts["state_funded_primary_secondary"] = len(s)
    links = read(source, "links")
    row = school_lsoa(s, lsoa, counts)
    trust_table, trust = trusts(s, links)
    grade = s.OfstedRating2024_partial.map({g: i for i, g in enumerate(GRADES)})
    counts["ofsted_known"] = int(grade.notna().sum())
    table = pd.DataFrame({
        "urn": s.URN.astype(np.int32),
        "name": s.EstablishmentName,
        "la": s["LA (name)"],
        "phase": s["PhaseOfEducation (name)"].map(PHASES.index).astype(np.int8),
        "pupils": s.NumberOfPupils.astype(float).astype(np.float32),
        "fsm_percent": s.PercentageFSM.astype(float).astype(np.float32),
        "easting": s.Easting.astype(float).astype(np.int32),
        "northing": s.Northing.astype(float).astype(np.int32),
        "lsoa": row,
        "ofsted": grade.fillna(-1).astype(np.int8),
        "trust": trust,
        "trust_joined_year": join_year(s, links, counts),
        # The census's establishment type: 16-19 schools, UTCs and studio schools, whose
        # pupils start above Year 7, are told by it (`sim.geography.late_entry_reason`).
        "establishment": s["TypeOfEstablishment (name)"].astype("category"),
    })
    return table, trust_table, row


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(source: Path, out: Path) -> dict:
    counts: dict = {}
    lsoa = lsoas(source)
    schools, trust_table, row = schools_table(source, lsoa, counts)
    raw = read(source, "schools")
    raw = raw[raw["PhaseOfEducation (name)"].isin(PHASES)].reset_index(drop=True)
    lsoa.insert(1, "la", lsoa_authority(lsoa, raw, row, counts))
    lsoa = lsoa.drop(columns="district")
    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("schools", schools), ("lsoas", lsoa), ("trusts", trust_table)):
        table.to_parquet(out / f"{name}.parquet", compression="zstd", index=False)
    counts.update(lsoas=len(lsoa), trusts=len(trust_table),
                  multi_academy_trusts=int(trust_table.multi_academy.sum()))
    provenance = {
        "built_by": "python -m experiments.data.build_real_england",
        "inputs": {f: {"bytes": (source / f).stat().st_size, "sha256": sha256(source / f)}
                   for f in INPUTS.values()},
        "counts": counts,
    }
    (out / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    missing = [f for f in INPUTS.values() if not (args.source / f).is_file()]
    if missing:
        parser.error(f"--source {args.source} lacks {', '.join(missing)}; allowed: the "
                     "folder of ../shared/data/README.md")
    print(json.dumps(build(args.source, args.out)["counts"], indent=2))


if __name__ == "__main__":
    main()
