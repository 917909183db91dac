"""Real regions: England's state-funded primary and secondary schools and its neighbourhoods.

`region=england_real` is every state-funded primary and secondary school in England in the
DfE January 2023 census (20,227 schools); `region=gm_real` the ten Greater Manchester
authorities; `region=england_real region.local_authorities=[Trafford,Salford]` any set of
authorities. The data are the compact files in `sim/data/real/` (built from the public
releases by `experiments/data/build_real_england.py`; provenance, licence and attribution in
`sim/data/real/NOTICE.md`):

- schools: exact coordinates (British National Grid), pupils on roll, free-school-meal share,
  local authority, Ofsted grade of April 2024 where known, academy trust and the year the
  school joined it. Schools with no pupils on roll are not used, nor the secondaries whose
  pupils start above Year 7 (16-19 schools, UTCs and studio schools, told by the census's
  establishment type: `sim.geography.late_entry_reason`), each counted under its reason.
- neighbourhoods are the real 2011 LSOAs (about 1,500 residents each) of the chosen
  authorities, and any other LSOA a chosen school sits in: IMD 2019 rank and decile, the
  number of income-deprived children (IDACI numerator; missing where the source suppresses
  small counts) and the centre point. Each school's neighbourhood is its own LSOA.
- `neighbourhood_deprivation` — in synthetic regions the mean disadvantaged share of a
  neighbourhood — is here the national school free-school-meal share at the LSOA's income
  deprivation percentile (pupil-weighted quantiles over all English schools): the k-th most
  income-deprived percent of LSOAs gets the share that the k-th percent of pupils' schools
  has. It orders neighbourhoods by a fact (the income domain rank), on the scale the
  synthetic regions use.
- a secondary's roll counts its sixth form; its Years 7-11 are taken as its region's share
  of secondary rolls below 16 (`sim.sixth_forms`: DfE's sixth-formers by region), the data
  giving no school's age range.
- a region that is part of England (some authorities, not all) keeps England's other
  secondaries as the schools across its border where its Year 6 may go at 11
  (`sim.pupils.transition.places_beyond`): their positions and free-school-meal shares.
- positions are kilometres east and north of the south-west corner of the region's schools
  and neighbourhoods; EAL share and mobility, which the files lack, are drawn from the
  `region` stream rising with deprivation, as for school lists (`sim.region_csv`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logit

from sim.errors import ConfigError
from sim.geography import SECONDARY, Region, eal_and_mobility, late_entry_reason
from sim.sixth_forms import pre16_share_by_authority

DATA = Path(__file__).parent / "data" / "real"
GREATER_MANCHESTER = ("Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford",
                      "Stockport", "Tameside", "Trafford", "Wigan")
NO_TRUST = -1
# England's share of state-funded secondary rolls in Years 7-11, for synthetic regions and
# school lists (real regions take their DfE region's: `sim.sixth_forms`; the 3,630,171
# include the 16-19 schools' 15,486 pupils, which the sixth-form count leaves out, a
# difference of 0.0005 in the share): 1 - 415,162 / 3,630,171. DfE *School
# capacity 2022/23* counts 415,162 sixth-form pupils (Years 12-14) on roll in May 2023 in
# the 1,989 mainstream schools that reported a sixth-form capacity (a lower bound: the
# report is voluntary); DfE *Schools, pupils and their characteristics 2022/23* counts
# 3,630,171 pupils in state-funded secondaries (the sum of `schools.parquet`). England's
# year groups by the regions' shares, 635,749, are checked against an independent count
# (tests/test_region_real.py): the 644,580 pupils of the 2018/19 KS2 cohort, who were in
# Year 10 in January 2023.
SIXTH_FORM_PUPILS, SECONDARY_PUPILS = 415_162, 3_630_171
PRE16_SHARE = 1.0 - SIXTH_FORM_PUPILS / SECONDARY_PUPILS
# The same for a school with a sixth form, when a school list gives each school's ages
# (`sim.region_csv`): the 1,989 schools of *School capacity 2022/23* hold the 415,162
# sixth-formers, 209 each; if Years 7-11 are the same size in secondaries with and without
# a sixth form (the 3,444 state-funded secondaries of the census hold 3,215,009 pupils
# below 16, 933 each: an assumption, not a count), such a school's roll is 933 + 209 and
# 0.82 of it is below 16.
_PRE16_PER_SCHOOL = (SECONDARY_PUPILS - SIXTH_FORM_PUPILS) / 3_444
SIXTH_FORM_SCHOOL_PRE16_SHARE = _PRE16_PER_SCHOOL / (_PRE16_PER_SCHOOL
                                                     + SIXTH_FORM_PUPILS / 1_989)


@dataclass(frozen=True)
class RealRegion(Region):
    """A region of real schools and LSOAs: the synthetic arrays plus what the data adds
    (with the Ofsted grades and trusts of the base record set)."""

    neighbourhood_code: tuple[str, ...] = ()        # LSOA 2011 code of each neighbourhood
    neighbourhood_la: np.ndarray | None = None      # int, index into la_names
    neighbourhood_imd_rank: np.ndarray | None = None    # 1 = most deprived of England's
    neighbourhood_imd_decile: np.ndarray | None = None  # 1 = most deprived tenth
    # Children in income-deprived families (IDACI numerator); NaN where suppressed at source.
    neighbourhood_income_deprived_children: np.ndarray | None = None


@lru_cache(maxsize=1)
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The shipped schools, LSOAs and trusts (read once per process)."""
    return tuple(pd.read_parquet(DATA / f"{name}.parquet")
                 for name in ("schools", "lsoas", "trusts"))


def authority_names() -> tuple[str, ...]:
    return tuple(sorted(tables()[0]["la"].unique()))


def chosen_authorities(names) -> tuple[str, ...]:
    """The authorities a config names (all of England if none), or a one-line error with
    the closest real names for the first unknown one."""
    known = authority_names()
    if not names:
        return known
    by_lower = {k.lower(): k for k in known}
    chosen = []
    for name in names:
        match = by_lower.get(str(name).strip().lower())
        if match is None:
            close = difflib.get_close_matches(str(name), known, n=4, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ConfigError(f"region.local_authorities: '{name}' is not an English local "
                              f"authority in the 2023 school census; {hint}allowed: "
                              f"{len(known)} names such as {', '.join(known[:3])} "
                              "(sim.region_real.authority_names())")
        chosen.append(match)
    return tuple(sorted(set(chosen)))


def income_share(income_rank: np.ndarray, n_lsoas: int, schools: pd.DataFrame) -> np.ndarray:
    """Free-school-meal share of England's pupils at each LSOA's income-deprivation
    percentile (rank 1 = most deprived = highest share)."""
    share = schools["fsm_percent"].to_numpy(float) / 100.0
    pupils = schools["pupils"].to_numpy(float)
    order = np.argsort(-share, kind="stable")
    cum = np.cumsum(pupils[order])
    midpoints = (cum - pupils[order] / 2) / cum[-1]
    percentile = (np.asarray(income_rank, float) - 0.5) / n_lsoas
    return np.interp(percentile, midpoints, share[order])


def build_real_region(cfg, rng: np.random.Generator) -> RealRegion:
    schools, lsoas, trusts = tables()
    la_names = chosen_authorities(cfg.local_authorities)
    not_used = reasons_not_used(schools)
    in_region = schools["la"].isin(la_names).to_numpy()
    dropped = {reason: int(n) for reason, n in
               pd.Series(not_used[in_region & (not_used != "")]).value_counts().items()}
    chosen = schools[in_region & (not_used == "")]
    nb_rows = np.union1d(np.flatnonzero(lsoas["la"].isin(la_names)), chosen["lsoa"])
    nb = lsoas.iloc[nb_rows]
    metres = np.vstack([chosen[["easting", "northing"]].to_numpy(float),
                        nb[["easting", "northing"]].to_numpy(float)])
    origin = metres.min(axis=0)
    la_index = {name: i for i, name in enumerate(la_names)}
    deprivation = income_share(nb["income_rank"], len(lsoas), schools)
    neighbourhood = np.searchsorted(nb_rows, chosen["lsoa"].to_numpy())
    trust, present = _local_trusts(chosen["trust"].to_numpy(np.int64))
    beyond = schools[(schools["phase"] == SECONDARY) & ~in_region & (not_used == "")]
    eal, mobility = eal_and_mobility(rng, logit(np.clip(deprivation[neighbourhood],
                                                         0.005, 0.995)))
    return RealRegion(
        str(cfg.name), la_names, _indices(chosen["la"], la_index),
        neighbourhood.astype(np.int64), deprivation,
        (chosen[["easting", "northing"]].to_numpy(float) - origin) / 1000.0,
        chosen["phase"].to_numpy(np.int64), chosen["pupils"].to_numpy(float),
        chosen["fsm_percent"].to_numpy(float) / 100.0, eal, mobility,
        dropped=dict(sorted(dropped.items())),
        urn=chosen["urn"].to_numpy(np.int64), school_names=tuple(chosen["name"].tolist()),
        neighbourhood_code=tuple(nb["code"].tolist()),
        neighbourhood_pos_km=(nb[["easting", "northing"]].to_numpy(float) - origin) / 1000.0,
        # LSOAs outside the chosen authorities (a school across the border) get -1.
        neighbourhood_la=_indices(nb["la"], la_index),
        neighbourhood_imd_rank=nb["imd_rank"].to_numpy(np.int64),
        neighbourhood_imd_decile=nb["imd_decile"].to_numpy(np.int64),
        neighbourhood_income_deprived_children=nb["income_deprived_children"]
        .to_numpy(float, na_value=np.nan),
        ofsted=chosen["ofsted"].to_numpy(np.int8),
        trust=trust, trust_names=tuple(trusts["name"].iloc[present]),
        trust_joined_year=chosen["trust_joined_year"].to_numpy(np.int64),
        secondary_pre16_share=chosen["la"].map(_pre16_shares()).to_numpy(float),
        # All of England has nothing beyond its borders: None, not an empty map.
        outside_secondary_km=((beyond[["easting", "northing"]].to_numpy(float) - origin)
                              / 1000.0 if len(beyond) else None),
        outside_secondary_share=(beyond["fsm_percent"].to_numpy(float) / 100.0
                                 if len(beyond) else None),
    )


@lru_cache(maxsize=1)
def _pre16_shares() -> dict[str, float]:
    return pre16_share_by_authority(tables()[0])


def reasons_not_used(schools: pd.DataFrame) -> np.ndarray:
    """Why each school is not used ("" if it is): no pupils on roll, or pupils who start
    above Year 7 (`sim.geography.late_entry_reason`)."""
    late = schools["establishment"].map(lambda kind: late_entry_reason(kind) or "")
    return np.where(schools["pupils"].to_numpy() <= 0, "no pupils on roll",
                    late.to_numpy(str))


def _indices(names: pd.Series, index: dict[str, int]) -> np.ndarray:
    """Each name's index in `index`, -1 where it has none. Names are read as a list (pandas
    maps and iterates its Arrow strings one Python call each, several times slower)."""
    return np.array([index.get(name, -1) for name in names.tolist()], np.int64)


def _local_trusts(national: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """National trust rows renumbered 0..k-1 over the trusts present (NO_TRUST kept), and
    the national rows of those k trusts."""
    present, local = np.unique(national[national >= 0], return_inverse=True)
    out = np.full(len(national), NO_TRUST, np.int64)
    out[national >= 0] = local
    return out, present
