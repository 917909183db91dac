"""The mixed scheme: its parts keep their own draws whatever their order."""

from __future__ import annotations

import numpy as np

from tests.helpers import build_model

BASE = ["region.n_schools=300", "years=1", "seed=4", "scheme=mixed", "scheme.split=la"]
PEER_LAS, TRIO_LAS = "[Manchester,Salford,Bolton]", "[Wigan,Stockport,Oldham,Trafford]"


def _groups(model, name: str) -> dict[tuple, float]:
    """Each group of the named part: its sorted members -> mean starting trust."""
    k = model.scheme.component_names.index(name)
    p = model.scheme.components[k].groups
    trust = p.mean_trust_by_group()
    return {tuple(sorted(row[row >= 0].tolist())): float(trust[g])
            for g, row in enumerate(p.members)}


def test_reordering_the_parts_keeps_each_parts_groups_and_starting_trust():
    ab = build_model([*BASE, "scheme.partition=[peer_review,trios]",
                      f"scheme.las=[{PEER_LAS},{TRIO_LAS}]", "scheme.overlay=[leadership]"])
    ba = build_model([*BASE, "scheme.partition=[trios,peer_review]",
                      f"scheme.las=[{TRIO_LAS},{PEER_LAS}]", "scheme.overlay=[leadership]"])
    for name in ("peer_review", "trios", "leadership"):
        assert _groups(ab, name) == _groups(ba, name), name
        assert len(_groups(ab, name)) > 0, name
    np.testing.assert_array_equal(
        np.sort(ab.scheme.components[0].fidelity), np.sort(ba.scheme.components[1].fidelity))


def test_a_part_forms_the_same_groups_as_the_scheme_alone_on_the_same_schools():
    alone = build_model(["region.n_schools=300", "years=1", "seed=4", "scheme=trios"])
    mixed = build_model(["region.n_schools=300", "years=1", "seed=4", "scheme=mixed",
                         "scheme.partition=[trios]", "scheme.shares=[1.0]"])
    assert _groups(mixed, "trios") == {
        tuple(sorted(row[row >= 0].tolist())): float(t)
        for row, t in zip(alone.partnerships.members,
                          alone.partnerships.mean_trust_by_group())}
