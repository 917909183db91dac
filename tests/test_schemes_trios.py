"""Trios (sim.schemes.trios, Pathways to Success): three schools of one phase from three
local authorities, no school twice."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.schemes.trios import cross_border_trios
from tests.helpers import build_model

NO_LA_LISTS = ["region.la_names=[]", "region.la_weights=[]", "region.la_centres_km=[]",
               "region.la_fsm_shares=[]", "region.la_deprivation_shares=[]"]


def groups_of(model):
    return [g[g >= 0] for g in model.partnerships.members]


class TestTrios:
    @pytest.mark.parametrize("seed", [0, 1])
    @pytest.mark.parametrize("n", [150, 1150])
    def test_three_authorities_same_phase_no_school_twice(self, n, seed):
        model = build_model(["scheme=trios", f"region.n_schools={n}", f"seed={seed}"])
        r, groups = model.region, groups_of(model)
        assert groups and all(len(g) == 3 for g in groups)
        for g in groups:
            assert len(set(r.la[g].tolist())) == 3
            assert len(set(r.phase[g].tolist())) == 1
        members = np.concatenate(groups)
        assert len(np.unique(members)) == len(members)
        # full participation: only a handful are left over (fewer than 3 per phase)
        assert model.scheme.unpartnered == n - len(members) <= 4

    def test_cross_border_trios_hand_worked(self):
        # LAs 0: [10, 11, 12], 1: [20, 21], 2: [30]: first trio from all three; then only
        # two authorities have schools left, so no more trios.
        pool = np.array([10, 20, 30, 11, 21, 12])
        trios = cross_border_trios(pool, np.array([0, 1, 2, 0, 1, 0]))
        assert [t.tolist() for t in trios] == [[10, 20, 30]]

    def test_cross_border_trios_take_the_fullest_authorities(self):
        # counts (3, 3, 3, 3): 4 trios over 4 LAs, each LA used 3 times
        pool = np.arange(12)
        trios = cross_border_trios(pool, pool % 4)
        assert len(trios) == 4
        for t in trios:
            assert len(set((t % 4).tolist())) == 3
        assert len(np.unique(np.concatenate(trios))) == 12

    def test_fewer_than_three_authorities_is_a_config_error(self):
        overrides = ["scheme=trios", "region.n_local_authorities=2", "region.n_schools=60",
                     *NO_LA_LISTS]
        with pytest.raises(sim.ConfigError) as info:
            build_model(overrides)
        message = str(info.value)
        assert "\n" not in message and "3 local authorities" in message and "2" in message

    def test_without_cross_border_two_authorities_are_enough(self):
        model = build_model(["scheme=trios", "scheme.cross_border=false",
                             "region.n_local_authorities=2", "region.n_schools=60", *NO_LA_LISTS])
        per_phase = np.bincount(model.region.phase, minlength=2)
        assert model.partnerships.n_groups == (per_phase // 3).sum()
        assert all(len(set(model.region.phase[g].tolist())) == 1 for g in groups_of(model))

    def test_participation_zero_forms_nothing(self):
        model = build_model(["scheme=trios", "scheme.participation=0", "region.n_schools=150"])
        assert model.partnerships.n_groups == 0


def test_cross_border_trios_in_one_authority_is_one_line_saying_what_is_allowed():
    from sim.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        build_model(["region=trafford_primaries", "scheme=trios", "years=1"])
    message = str(err.value)
    assert "\n" not in message and "region has 1" in message
    assert "allowed: cross_border=false" in message
    model = build_model(["region=trafford_primaries", "scheme=trios", "scheme.cross_border=false",
                         "years=1"])
    assert len(model.partnerships.members) > 0
