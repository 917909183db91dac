"""Families of Schools (sim.schemes.families): 12-20 schools of one phase with similar
intakes and no two competitors."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from tests.helpers import build_model

NO_LA_LISTS = ["region.la_names=[]", "region.la_weights=[]", "region.la_centres_km=[]"]


def groups_of(model):
    return [g[g >= 0] for g in model.partnerships.members]


@pytest.fixture(scope="module")
def gm():
    """Families on the default GM region (1,150 schools)."""
    return build_model(["scheme=families", "seed=1"])


class TestFamilies:

    def test_sizes_phase_and_no_school_twice(self, gm):
        groups = groups_of(gm)
        sizes = [len(g) for g in groups]
        assert min(sizes) >= 12 and max(sizes) <= 20
        for g in groups:
            assert len(set(gm.region.phase[g].tolist())) == 1
        members = np.concatenate(groups)
        assert len(np.unique(members)) == len(members) == gm.n_schools

    def test_no_two_members_compete(self, gm):
        radius = {0: gm.cfg.school.competition_radius_km_primary,
                  1: gm.cfg.school.competition_radius_km_secondary}
        for g in groups_of(gm):
            pos = gm.region.pos_km[g]
            d = np.linalg.norm(pos[:, None] - pos[None, :], axis=2)
            d[np.diag_indices(len(g))] = np.inf
            assert d.min() >= radius[int(gm.region.phase[g[0]])]

    def test_intakes_within_families_far_more_alike_than_random_groups(self, gm):
        index = gm.scheme.intake_index(gm)
        groups = groups_of(gm)
        within = np.mean([index[g].std() for g in groups])
        rng = np.random.default_rng(0)
        random_sd = []
        for _ in range(20):
            for g in groups:                      # same sizes, same phase, random members
                pool = np.flatnonzero(gm.region.phase == gm.region.phase[g[0]])
                random_sd.append(index[rng.choice(pool, len(g), replace=False)].std())
        assert within < 0.4 * np.mean(random_sd)
        # the disadvantaged share, 20 % of the index, is also banded
        share = gm.region.disadvantaged_share
        assert np.mean([share[g].std() for g in groups]) < 0.8 * share.std()

    def test_intake_index_weights(self, gm):
        w = gm.cfg.scheme
        assert (w.weight_prior_attainment, w.weight_deprivation, w.weight_eal,
                w.weight_mobility) == (0.66, 0.20, 0.10, 0.04)

    def test_phase_smaller_than_min_size_is_a_config_error(self):
        # 300 schools: about 51 secondaries, fewer than a minimum family of 60.
        with pytest.raises(sim.ConfigError) as info:
            build_model(["scheme=families", "region.n_schools=300", "scheme.min_size=60",
                         "scheme.max_size=80", "school.competition_radius_km_primary=0.01",
                         "school.competition_radius_km_secondary=0.01"])
        message = str(info.value)
        assert "\n" not in message
        assert "51 participating secondary schools" in message
        assert "scheme.min_size=60" in message

    def test_competitors_that_cannot_be_separated_are_a_config_error(self):
        # 40 schools: 33 primaries too close together to split into families of 12-20.
        with pytest.raises(sim.ConfigError) as info:
            build_model(["scheme=families", "region.n_schools=40"])
        message = str(info.value)
        assert "\n" not in message and "scheme=families" in message and "12-20" in message

    def test_small_groups_in_a_small_region(self):
        model = build_model(["scheme=families", "region.n_schools=150", "scheme.min_size=3",
                             "scheme.max_size=6"])
        sizes = [len(g) for g in groups_of(model)]
        assert min(sizes) >= 3 and max(sizes) <= 6
        assert sum(sizes) == 150
