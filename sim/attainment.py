"""Attainment of each learner group, in months of progress against the national mean.

Sources: disadvantaged pupils in England end primary about 9-10 months and secondary about
18-19 months behind their peers (Education Policy Institute); inclusive practice matters
more for learners at the margins (Ainscow, think piece 4), so the inclusion domain weighs
more in the disadvantaged group's weights; peer composition affects both groups.

For school i with phase p, disadvantaged share s and expertise E (per domain):
    group mean = base_g,p + M_p * (w_g . E - reference) - C * (s - S) + u_i + noise
    base_dis,p = -G_p (1 - S),  base_other,p = G_p S   (so a school at the reference with the
    national share S has a pupil-weighted mean of zero and a gap of G_p)
    noise ~ Normal(0, pupil_sd / sqrt(cohort size of the group))
with G_p the gap and M_p the months per unit expertise of the phase, C the composition
effect and u_i a persistent school effect.
"""

from __future__ import annotations

import numpy as np

from sim.geography import PRIMARY

# England's share of pupils eligible for free school meals (2023/24), the national reference.
NATIONAL_DISADVANTAGED_SHARE = 0.24


def _by_phase(phase, primary_value, secondary_value) -> np.ndarray:
    return np.where(phase == PRIMARY, primary_value, secondary_value)


def expected_attainment(expertise, phase, share, school_effect, cfg):
    """The two groups' expected attainment (months), before cohort noise."""
    gap = _by_phase(phase, cfg.gap_months_primary, cfg.gap_months_secondary)
    months = _by_phase(phase, cfg.months_per_expertise_primary, cfg.months_per_expertise_secondary)
    s_nat = NATIONAL_DISADVANTAGED_SHARE
    common = school_effect - cfg.composition_months * (share - s_nat)
    quality_dis = expertise @ np.asarray(cfg.weights_disadvantaged) - cfg.reference_expertise
    quality_oth = expertise @ np.asarray(cfg.weights_other) - cfg.reference_expertise
    dis = -gap * (1 - s_nat) + months * quality_dis + common
    oth = gap * s_nat + months * quality_oth + common
    return dis, oth


def cohort_noise(pupils_dis, pupils_oth, years_on_roll, cfg, rng):
    """Noise of one year's results: smaller cohorts are noisier. Always draws 2 x n."""
    z = rng.standard_normal((2, len(pupils_dis)))
    cohort_dis = np.maximum(pupils_dis / years_on_roll, 1.0)
    cohort_oth = np.maximum(pupils_oth / years_on_roll, 1.0)
    return (cfg.pupil_sd_months * z[0] / np.sqrt(cohort_dis),
            cfg.pupil_sd_months * z[1] / np.sqrt(cohort_oth))
