"""`School`: a Mesa agent that is a thin view over the model's arrays.

The arithmetic runs on whole arrays (`sim.state`); an agent reads and writes its own row,
so the agent API serves teaching, notebooks and the dashboard without a second copy of the
state. `school.expertise` is a live view: changing it changes the model.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.geography import PHASE_NAMES


class School(mesa.Agent):
    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def _state(self):
        return self.model.state

    @property
    def local_authority(self) -> str:
        return self.model.region.la_names[self.model.region.la[self.index]]

    @property
    def phase(self) -> str:
        return PHASE_NAMES[self.model.region.phase[self.index]]

    @property
    def pos_km(self) -> tuple[float, float]:
        x, y = self.model.region.pos_km[self.index]
        return float(x), float(y)

    @property
    def pupils(self) -> float:
        return float(self._state.pupils[self.index])

    @property
    def disadvantaged_share(self) -> float:
        return float(self._state.disadvantaged_share[self.index])

    @property
    def expertise(self) -> np.ndarray:
        return self._state.expertise[self.index]

    @property
    def expertise_by_domain(self) -> dict[str, float]:
        return dict(zip(self.model.cfg.school.domains, map(float, self.expertise)))

    @property
    def leadership_days(self) -> float:
        return float(self._state.leadership_days[self.index])

    @property
    def openness(self) -> float:
        return float(self._state.openness[self.index])

    @property
    def competition(self) -> float:
        return float(self._state.competition[self.index])

    @property
    def attainment_disadvantaged(self) -> float:
        return float(self._state.attainment_disadvantaged[self.index])

    @property
    def attainment_other(self) -> float:
        return float(self._state.attainment_other[self.index])

    @property
    def gap_months(self) -> float:
        return self.attainment_other - self.attainment_disadvantaged

    @property
    def trust(self) -> dict[int, float]:
        """Trust in each active partner, by partner's school index."""
        p = self.model.partnerships
        live = p.active[p.link_group]
        mine = live & ((p.link_a == self.index) | (p.link_b == self.index))
        other = np.where(p.link_a[mine] == self.index, p.link_b[mine], p.link_a[mine])
        return dict(zip(other.tolist(), p.trust[mine].tolist()))

    @property
    def partners(self) -> list["School"]:
        return [self.model.school(i) for i in self.trust]

    def __repr__(self) -> str:
        return (f"School({self.index}, {self.local_authority}, {self.phase}, "
                f"pupils={self.pupils:.0f}, disadvantaged={self.disadvantaged_share:.0%})")
