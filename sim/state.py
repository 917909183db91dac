"""The mutable state of every school, as numpy arrays indexed by school.

The model owns one `SchoolState`; the Mesa `School` agents are views over it and every
submodel reads and writes these arrays. Initial values follow what the seed documents say
about where expertise and capacity sit: expertise exists everywhere but is somewhat lower,
and leadership time scarcer, in schools serving disadvantaged communities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import expit, logit

from sim.distributions import beta_with_mean, gamma_with_mean
from sim.geography import Region


@dataclass
class SchoolState:
    expertise: np.ndarray            # (n, domains) in [0, 1]
    leadership_days: np.ndarray      # days per term for improvement work
    days_used: np.ndarray            # days spent with partners this term
    openness: np.ndarray             # [0, 1]
    competition: np.ndarray          # exposure in [0, 1): rises with nearby same-phase schools
    school_effect: np.ndarray        # months, persistent
    # Pupils on roll and their mean attainment (months vs the national expectation for
    # age), per group, kept up to date by the pupils (`sim.pupils.system`). A school can be
    # without pupils (no family chose it and the region's Year 6 filled the other
    # secondaries, or every pupil moved away): it is still a school with staff and practice,
    # and `has_pupils` says which schools have any.
    pupils_disadvantaged: np.ndarray
    pupils_other: np.ndarray
    initial_pupils: np.ndarray       # on roll at the start
    funding: np.ndarray              # improvement resource relative to the start (market)
    attainment_disadvantaged: np.ndarray
    attainment_other: np.ndarray
    # The disadvantaged share the region records for each school (drawn, or its real
    # free-school-meal share): the community it serves, which its intake follows.
    recorded_share: np.ndarray
    # Standing commitments of leadership days per term (system leadership, trusts, peer
    # review champions). None (hand-built states) means zeros.
    days_committed: np.ndarray | None = field(default=None)

    def __post_init__(self):
        if self.days_committed is None:
            self.days_committed = np.zeros(len(self.openness))

    @property
    def pupils(self) -> np.ndarray:
        return self.pupils_disadvantaged + self.pupils_other

    @property
    def has_pupils(self) -> np.ndarray:
        return self.pupils > 0

    @property
    def disadvantaged_share(self) -> np.ndarray:
        """The disadvantaged share of the pupils on roll; for a school without pupils, the
        share of the community it serves (`recorded_share`), what its staff and families
        would see of it."""
        pupils = self.pupils
        return np.divide(self.pupils_disadvantaged, pupils, out=self.recorded_share.copy(),
                         where=pupils > 0)

    @property
    def n_schools(self) -> int:
        return len(self.openness)


def initial_state(region: Region, cfg, rng: np.random.Generator) -> SchoolState:
    """Draw the starting state of every school from the `initial` stream."""
    n, school = region.n_schools, cfg.school
    share = region.disadvantaged_share
    centred = share - share.mean()
    expertise = _initial_expertise(rng, n, len(school.domains), school, centred)
    # Less time in more disadvantaged schools; never below a tenth of the mean.
    leadership_mean = np.maximum(school.leadership_days_mean
                                 - school.leadership_days_deprivation_slope * centred,
                                 0.1 * school.leadership_days_mean)
    leadership = gamma_with_mean(rng, leadership_mean, school.leadership_days_sd)
    openness = beta_with_mean(rng, np.full(n, school.openness_mean), school.openness_sd)
    school_effect = rng.normal(0.0, cfg.attainment.school_effect_sd, n)
    pupils = region.pupils.astype(float)
    return SchoolState(
        expertise=expertise,
        leadership_days=leadership,
        days_used=np.zeros(n),
        openness=openness,
        competition=competition_exposure(region, school),
        school_effect=school_effect,
        pupils_disadvantaged=pupils * share,
        pupils_other=pupils * (1 - share),
        initial_pupils=pupils.copy(),
        funding=np.ones(n),
        attainment_disadvantaged=np.zeros(n),
        attainment_other=np.zeros(n),
        recorded_share=np.asarray(share, float).copy(),
    )


def _initial_expertise(rng, n, n_domains, school, centred_share) -> np.ndarray:
    """Logit-normal: a school-wide factor plus domain noise, lower with deprivation."""
    mean = np.clip(school.expertise_mean - school.expertise_deprivation_slope * centred_share,
                   0.05, 0.95)
    base = logit(mean)
    spread = school.expertise_sd / (school.expertise_mean * (1 - school.expertise_mean))
    school_factor = rng.normal(0.0, spread * 0.75, n)
    domain_noise = rng.normal(0.0, spread * 0.66, (n, n_domains))
    return expit(base[:, None] + school_factor[:, None] + domain_noise)


def competition_exposure(region: Region, school) -> np.ndarray:
    """k / (k + half), k = other same-phase schools within the phase's competition radius.

    `school.competition_half_count` other schools nearby give an exposure of one half."""
    exposure = np.zeros(region.n_schools)
    radii = (school.competition_radius_km_primary, school.competition_radius_km_secondary)
    for phase, radius in enumerate(radii):
        idx = np.flatnonzero(region.phase == phase)
        if len(idx) == 0:
            continue
        tree = cKDTree(region.pos_km[idx])
        neighbours = tree.query_ball_point(region.pos_km[idx], r=radius, return_length=True)
        others = neighbours - 1
        exposure[idx] = others / (others + school.competition_half_count)
    return exposure

