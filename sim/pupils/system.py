"""The pupils of a run as the model sees them: built at set-up, advanced at every year end.

At set-up the roll is filled by thirteen year ends under the schools' starting practice, one
intake each (the first intake sits KS4 in the last of them), so that every year group from
Reception to Year 11 is on roll, the starting results exist, and the gap, the spread and the
segregation at the start are the model's own, not inputs. Each year end then
moves every pupil through `sim.pupils.year_end` with the schools' current practice (their
value added), and the school state is brought up to date: pupils on roll per group and their
mean attainment per school (what league tables and inspection see). The latest KS2 and KS4
results are the headline: the gap is measured on those cohorts as the EPI measures it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.geography import PHASE_NAMES
from sim.pupils import progress
from sim.pupils.places import places_of
from sim.pupils.results import cell_sums
from sim.pupils.roll import LAST_PRIMARY_YEAR, YEAR_GROUPS, Pupils, compiled_kernels
from sim.pupils.roll_buffer import RollBuffer
from sim.pupils.year_end import (STREAMS, PupilParams, SchoolsNow, YearEnd, catchments,
                                 end_of_year)
from sim.region import PRIMARY, SECONDARY

SPIN_UP_YEARS = 13
KEY_STAGES = (("ks2", PHASE_NAMES[0]), ("ks4", PHASE_NAMES[1]))


def _spin_up_room(places) -> RollBuffer:
    """An empty roll with room for what the spin-up admits: a Reception cohort at the tail
    every year, and at the head, until the first intake reaches Year 7, secondaries' whole
    year groups from outside (at most; later, only what the region's Year 6 leave empty)."""
    intake = int(places.entry_places[places.schools_of(PRIMARY)].sum())
    year_groups = int(places.year_group_size[places.schools_of(SECONDARY)].sum())
    return RollBuffer.empty(front=(LAST_PRIMARY_YEAR + 1) * year_groups,
                            tail=SPIN_UP_YEARS * intake)


class PupilSystem:
    def __init__(self, region, state, params: PupilParams, streams):
        self.params = params
        self.places = places_of(region, params.transition.capacity_headroom)
        self.areas = catchments(self.places, params)
        self._streams = {name: streams[name] for name in STREAMS}
        self._roll = _spin_up_room(self.places)
        self.latest: YearEnd | None = None
        self.results_by_year: list[tuple[int, YearEnd]] = []   # tabled once, at the end
        # During the run (not the set-up): Year 6 leaving a region with no secondary, and
        # Year 7 arriving from outside for places the region's Year 6 leave empty.
        self.left_at_11 = 0
        self.left_to_neighbours = 0     # Year 6 to secondaries across the region's border
        self.left_without_place = 0     # Year 6 with no Year 7 place in the region
        self.arrived_at_11 = 0
        # Pupils at the head of the roll who may carry a learning loss: those on roll at the
        # last closure week, less the leavers since (later entrants join at the tail).
        self.lossy = 0
        self._groups: tuple[np.ndarray, np.ndarray] | None = None   # see `group_members`
        self._lost: tuple[tuple, np.ndarray] | None = None           # see `lose`
        # Only the last spin-up year's region-wide gaps are ever read (the starting headline).
        for year in range(1, SPIN_UP_YEARS + 1):
            self._advance(state, gaps=year == SPIN_UP_YEARS)
        self.update_state(state)
        state.initial_pupils = state.pupils.copy()
        self.results_by_year.append((0, self.latest))      # year 0: the starting results

    # ------------------------------------------------------------------ year end
    def year_end(self, state, year: int, results_salience: float = 1.0,
                 extra_disadvantaged: tuple[float, float] = (0.0, 0.0)) -> YearEnd:
        """One year end under the schools' current practice; records the year's results.
        `results_salience` multiplies the weight families give published results;
        `extra_disadvantaged` adds months of progress a year for disadvantaged pupils by
        phase (primary, secondary): a policy's funding (`sim.policies.PupilPremium`)."""
        self._advance(state, results_salience, extra_disadvantaged)
        self.left_at_11 += self.latest.left_at_11
        self.left_to_neighbours += self.latest.left_to_neighbours
        self.left_without_place += self.latest.left_without_place
        self.arrived_at_11 += self.latest.arrived_at_11
        self.results_by_year.append((year, self.latest))
        self.update_state(state)
        return self.latest

    def _advance(self, state, results_salience: float = 1.0,
                 extra_disadvantaged: tuple[float, float] = (0.0, 0.0),
                 gaps: bool = True) -> None:
        schools = self.schools_now(state, results_salience, extra_disadvantaged)
        # Each year group joined the roll at once, so Year 6 is wholly in the head or out.
        year6_in_head = self.lossy > self.roll.cohort(LAST_PRIMARY_YEAR).start
        self.latest = end_of_year(self._roll, self.places, self.areas, schools, self.params,
                                  self._streams, gaps)
        # Arrivals join inside the head (behind the region's Year 7), with no loss.
        gone = self.latest.leavers + self.latest.left_at_11
        if year6_in_head:
            gone += self.latest.left_to_neighbours
        self.lossy = max(self.lossy - gone, 0)
        if self.lossy:
            self.lossy += self.latest.arrived_at_11
        self._groups = None
        self._lost = None

    def group_members(self) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the disadvantaged and of the other pupils on roll, computed once per
        roll: gathering by index is several times faster than a mask in random order."""
        if self._groups is None:
            dis = self.roll.disadvantaged
            self._groups = (np.flatnonzero(dis), np.flatnonzero(~dis))
        return self._groups

    def schools_now(self, state, results_salience: float = 1.0,
                    extra_disadvantaged: tuple[float, float] = (0.0, 0.0)) -> SchoolsNow:
        va_dis, va_oth = progress.value_added(state.expertise, self.places.phase,
                                              state.school_effect, self.params.progress)
        va_dis = va_dis + np.asarray(extra_disadvantaged, float)[self.places.phase]
        return SchoolsNow(va_dis, va_oth, results_salience * self.published_results(),
                          state.disadvantaged_share)

    def published_results(self) -> np.ndarray:
        """Each school's mean attainment in its latest KS2 (primary) or KS4 (secondary)
        results, months. A school without results (none yet) shows 0, the national
        expectation: a family sees nothing to prefer or avoid."""
        out = np.zeros(self.places.n_schools)
        if self.latest is None:
            return out
        for stage, phase in ((self.latest.ks2, 0), (self.latest.ks4, 1)):
            n_dis, n_oth = stage["cohort_disadvantaged"], stage["cohort_other"]
            total = (np.nan_to_num(stage["attainment_disadvantaged"]) * n_dis
                     + np.nan_to_num(stage["attainment_other"]) * n_oth)
            mine = (self.places.phase == phase) & (n_dis + n_oth > 0)
            out[mine] = total[mine] / (n_dis + n_oth)[mine]
        return out

    def update_state(self, state) -> None:
        """Pupils on roll per group and their mean attainment per school (0 where a school
        has no pupil of the group: it then weighs nothing in any pupil-weighted mean).
        Summed by (school, group) cell one year group at a time: each is a run of the roll,
        small enough to stay in the cache (England: 40 rather than 70 ms; compiled, 14)."""
        n, roll = self.places.n_schools, self.roll
        count, total = np.zeros(2 * n, np.int64), np.zeros(2 * n)
        compiled = compiled_kernels(len(roll))
        for year in range(YEAR_GROUPS):
            run = roll.cohort(year)
            size, sums = cell_sums(roll.school[run], roll.disadvantaged[run],
                                   roll.attainment[run], n, compiled)
            count += size
            total += sums
        count, total = count.reshape(n, 2).astype(float), total.reshape(n, 2)
        mean = total / np.maximum(count, 1.0)
        state.pupils_other, state.pupils_disadvantaged = count[:, 0].copy(), count[:, 1].copy()
        state.attainment_other, state.attainment_disadvantaged = (mean[:, 0].copy(),
                                                                  mean[:, 1].copy())

    # ------------------------------------------------------------------ shocks
    def lose(self, months_disadvantaged: float, months_other: float) -> None:
        """A week's learning loss for every pupil on roll. Each pupil's loss is worked out
        once per roll and closure rate, not every week of a closure (England: 16 -> 5 ms
        a week; compiled, in one pass with no array of every pupil's loss, 2.5 ms)."""
        self.lossy = len(self.roll)
        compiled = compiled_kernels(len(self.roll))
        if compiled is not None:
            roll = self.roll
            compiled.lose(roll.disadvantaged, roll.attainment, roll.loss,
                          np.array([months_other, months_disadvantaged], np.float32))
            return
        months = (months_disadvantaged, months_other)
        if self._lost is None or self._lost[0] != months:
            self._lost = (months, progress.months_lost(self.roll, *months))
        progress.learning_loss(self.roll, self._lost[1])

    def recover(self, rate_by_school_group: np.ndarray, years: float) -> None:
        """Recovery of the pupils who may carry a loss (the others have none to make up)."""
        progress.recover(self.roll.head(self.lossy), rate_by_school_group, years)

    # ------------------------------------------------------------------ outputs
    def table(self) -> pd.DataFrame:
        """Every pupil on roll, one row each (a copy: for teaching and analysis)."""
        return self.roll.frame()

    def results_frame(self, year: int) -> pd.DataFrame:
        """The latest results as year `year`'s, one row per school: KS2 for primaries, KS4
        for secondaries."""
        return self._results_table([(year, self.latest)])

    def results_table(self) -> pd.DataFrame:
        """Every year's results (`results.parquet`), years in order, schools in order."""
        return self._results_table(self.results_by_year)

    def _results_table(self, years: list[tuple[int, YearEnd]]) -> pd.DataFrame:
        phase = self.places.phase
        primary = phase == 0
        n = len(phase)
        stages = np.asarray([stage.upper() for stage, _ in KEY_STAGES], dtype=object)
        return pd.DataFrame({
            "year": np.repeat(np.asarray([year for year, _ in years], np.int64), n),
            "school_id": np.tile(np.arange(n, dtype=np.int64), len(years)),
            "phase": np.tile(np.asarray(PHASE_NAMES, dtype=object)[phase], len(years)),
            "key_stage": np.tile(stages[phase], len(years)),
            **{key: np.concatenate([np.where(primary, got.ks2[key], got.ks4[key])
                                    for _, got in years]) for key in
               ("cohort_disadvantaged", "cohort_other", "attainment_disadvantaged",
                "attainment_other")}})

    def headline(self) -> dict[str, float]:
        """The gap and each group's attainment on the latest KS2 and KS4 cohorts, per phase
        and pooled, with the DfE gap index of each cohort."""
        out, pooled = {}, {"disadvantaged": [0.0, 0], "other": [0.0, 0]}
        for stage, phase_name in KEY_STAGES:
            gap = getattr(self.latest, f"{stage}_gap")
            results = getattr(self.latest, stage)
            for group in ("disadvantaged", "other"):
                mean, size = gap[f"attainment_{group}"], int(results[f"cohort_{group}"].sum())
                out[f"attainment_{group}_{phase_name}"] = mean
                if size:
                    pooled[group][0] += mean * size
                    pooled[group][1] += size
            out[f"gap_months_{phase_name}"] = gap["gap_months"]
            out[f"gap_index_{stage}"] = gap["gap_index"]
        for group, (total, size) in pooled.items():
            out[f"attainment_{group}"] = total / size if size else float("nan")
        out["gap_months"] = out["attainment_other"] - out["attainment_disadvantaged"]
        return out

    def loss_by_group(self) -> dict[str, float]:
        """Mean learning loss not yet made up, over each group's pupils on roll."""
        groups = ("disadvantaged", "other")
        if not self.lossy:     # nobody on roll carries a loss: only the groups' sizes matter
            n_dis = int(np.count_nonzero(self.roll.disadvantaged))
            return {f"learning_loss_{group}": 0.0 if size else float("nan")
                    for group, size in zip(groups, (n_dis, len(self.roll) - n_dis))}
        compiled = compiled_kernels(len(self.roll))
        by_group = (compiled.by_group(self.roll.disadvantaged, self.roll.loss)
                    if compiled is not None else
                    [self.roll.loss[members] for members in self.group_members()])
        return {f"learning_loss_{group}": float(loss.mean()) if len(loss) else float("nan")
                for group, loss in zip(groups, by_group)}

    @property
    def roll(self) -> Pupils:
        """Every pupil on roll, as views (`RollBuffer.pupils`): the next year end changes
        them."""
        return self._roll.pupils

    @property
    def on_roll(self) -> int:
        return len(self.roll)

