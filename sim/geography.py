"""The record every region generator returns: the geography and intake of each school.

Shared by the synthetic generator (`sim.region`) and school lists (`sim.region_csv`), so
neither imports the other's module for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, logit

PRIMARY, SECONDARY = 0, 1
PHASE_NAMES = ("primary", "secondary")
# Establishment types (words of the GIAS and census names, lower case) of schools in the
# secondary phase whose pupils start above Year 7: 16-19 academies and free schools take
# pupils at 16; university technical colleges and studio schools at 14 (DfE, *Types of
# school*, gov.uk: both for pupils aged 14 to 19; a few UTCs have since added Year 7, which
# the census does not show). The model's pupils enter secondary in Year 7, so these schools
# have no place in it: each is not used, counted under its reason.
SIXTEEN_TO_NINETEEN = "16-19 school (no Year 7)"
LATE_ENTRY_TYPES = (("16 to 19", SIXTEEN_TO_NINETEEN), ("16-19", SIXTEEN_TO_NINETEEN),
                    ("university technical college", "UTC or studio school (entry at 14)"),
                    ("studio school", "UTC or studio school (entry at 14)"))


def late_entry_reason(establishment_type: str) -> str | None:
    """Why a school of this establishment type offers no Year 7 places, if it offers none."""
    kind = establishment_type.lower()
    return next((reason for words, reason in LATE_ENTRY_TYPES if words in kind), None)


@dataclass(frozen=True)
class Region:
    """The geography and intake of every school, as arrays indexed by school."""

    name: str
    la_names: tuple[str, ...]
    la: np.ndarray                     # int, local authority of each school
    neighbourhood: np.ndarray          # int, neighbourhood of each school
    neighbourhood_deprivation: np.ndarray  # float, mean disadvantaged share per neighbourhood
    pos_km: np.ndarray                 # (n, 2) float, position in km
    phase: np.ndarray                  # int, PRIMARY or SECONDARY
    pupils: np.ndarray                 # float, pupils on roll
    disadvantaged_share: np.ndarray    # float in (0, 1)
    eal_share: np.ndarray              # float in (0, 1), English as an additional language
    mobility: np.ndarray               # float in (0, 1), pupils joining mid-phase
    # Rows of a school list (`sim.region_csv`) or census schools (`sim.region_real`) not
    # used, by reason; each school's URN and name.
    dropped: dict = field(default_factory=dict)
    urn: np.ndarray | None = None
    school_names: tuple[str, ...] | None = None
    # (n_neighbourhoods, 2) centre of each neighbourhood in km, where pupils live
    # (`sim.pupils`); every generator sets it.
    neighbourhood_pos_km: np.ndarray | None = None
    read_as: str = ""                  # the school list's encoding, e.g. "Windows-1252"
    # Facts of real regions (`sim.region_real`); None where the model draws them instead.
    ofsted: np.ndarray | None = None   # int8 starting grade code (sim.inspection), -1 unknown
    trust: np.ndarray | None = None    # int, the school's academy trust, -1 none
    trust_names: tuple[str, ...] = ()
    trust_joined_year: np.ndarray | None = None  # year the school joined its trust, or -1
    # Share of a secondary's roll in Years 7-11, the rest being its sixth form (and a
    # primary department): one share for every secondary (real rolls count the sixth form:
    # `sim.region_real`; synthetic rolls are fitted to them: `sim.region`), or one per school
    # where a school list gives each school's statutory ages (`sim.region_csv`).
    secondary_pre16_share: float | np.ndarray = 1.0
    # Secondaries in the neighbouring authorities of a real region that is part of England,
    # where its Year 6 may go at 11 (`sim.pupils.transition.places_beyond`): positions in
    # km on the region's axes and disadvantaged shares; None for a region with no such map.
    outside_secondary_km: np.ndarray | None = None
    outside_secondary_share: np.ndarray | None = None

    @property
    def n_schools(self) -> int:
        return len(self.la)

    @property
    def n_local_authorities(self) -> int:
        return len(self.la_names)


def eal_and_mobility(rng, dep_logit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EAL share (England mean about 20 %) and mobility (about 5 %), both rising with deprivation."""
    eal_mean = expit(logit(0.18) + 0.8 * (dep_logit - dep_logit.mean()))
    mob_mean = expit(logit(0.05) + 0.5 * (dep_logit - dep_logit.mean()))
    eal = rng.beta(eal_mean * 5.0, (1 - eal_mean) * 5.0)
    mobility = rng.beta(mob_mean * 20.0, (1 - mob_mean) * 20.0)
    return eal, mobility
