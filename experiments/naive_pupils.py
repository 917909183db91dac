"""A naive implementation of the pupil rules, for the benchmark's ratio (`bench_pupils`).

The same rules as `sim.pupils` (progress, results, leavers, transition by deferred
acceptance, ageing, intake, mobility), written the way an agent-based model is often first
written: Mesa agents for schools that step every teaching week, one Python object per pupil
stepping once a year, plain Python loops and the `random` module. It is timed on a small
region and its time per pupil-year compared with the vectorised one's in the same run.
Both start from the same pupils (the vectorised spin-up); their draws differ.
"""

from __future__ import annotations

import heapq
import math
import random

import mesa

from sim.pupils.intake import NATIONAL_DISADVANTAGED_SHARE
from sim.pupils.roll import LAST_PRIMARY_YEAR, LAST_YEAR, YEAR_GROUPS

WEEKS_PER_YEAR = 39


def cohort_gap(cohort: list) -> tuple:
    """Mean of other minus disadvantaged pupils, and the DfE gap index (mid-rank
    percentiles, 20 x the difference of the groups' means)."""
    ranked = sorted(cohort)
    rank_of, i = {}, 0
    while i < len(ranked):                       # ties share the mean of their positions
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        rank_of[ranked[i][0]] = (i + j) / 2
        i = j + 1
    groups = {True: [], False: []}
    for attainment, dis in cohort:
        groups[dis].append((attainment, (rank_of[attainment] + 0.5) / len(cohort)))
    if not groups[True] or not groups[False]:
        return float("nan"), float("nan")
    mean = {dis: [sum(v[k] for v in g) / len(g) for k in (0, 1)] for dis, g in groups.items()}
    return mean[False][0] - mean[True][0], 20.0 * (mean[False][1] - mean[True][1])


class Pupil:
    def __init__(self, school, year, disadvantaged, home, x, y, attainment, persistent):
        self.school, self.year, self.disadvantaged = school, year, disadvantaged
        self.home, self.x, self.y = home, x, y
        self.attainment, self.persistent = attainment, persistent

    def progress(self, model) -> None:
        school = model.school_agents[self.school]
        p = model.params.progress
        phase = school.phase
        va = school.va_dis if self.disadvantaged else school.va_oth
        peers = school.year_mean[self.year] - model.year_mean[self.year]
        self.attainment += (va + model.home[phase] * self.persistent + model.peers[phase] * peers
                            + model.random.gauss(0.0, p.noise_sd_months))


class SchoolAgent(mesa.Agent):
    def __init__(self, model, index, phase, x, y, va_dis, va_oth, places, share, results):
        super().__init__(model)
        self.index, self.phase, self.x, self.y = index, phase, x, y
        self.va_dis, self.va_oth, self.places, self.share = va_dis, va_oth, places, share
        self.results = results
        self.year_mean = [0.0] * YEAR_GROUPS
        self.weeks = 0

    def step(self) -> None:
        self.weeks += 1          # a school's teaching week (the schools-only model's work aside)


class NaiveModel(mesa.Model):
    def __init__(self, pupils, places, areas, schools_now, params, seed=1):
        super().__init__(rng=seed)
        self.random = random.Random(seed)
        self.params, self.places, self.areas = params, places, areas
        self.school_agents = [
            SchoolAgent(self, i, int(places.phase[i]), *map(float, places.school_km[i]),
                        float(schools_now.value_added_disadvantaged[i]),
                        float(schools_now.value_added_other[i]), int(places.entry_places[i]),
                        float(places.intake_share[i]), float(schools_now.published_results[i]))
            for i in range(places.n_schools)]
        self.pupils = [Pupil(int(pupils.school[i]), int(pupils.year[i]),
                             bool(pupils.disadvantaged[i]), int(pupils.home[i]),
                             float(pupils.home_km[i, 0]), float(pupils.home_km[i, 1]),
                             float(pupils.attainment[i]), float(pupils.persistent[i]))
                       for i in range(len(pupils))]
        self.year_mean = [0.0] * YEAR_GROUPS
        self.results = []
        self.home = params.progress.by_phase("home").tolist()
        self.peers = params.progress.by_phase("peers").tolist()
        t = params.transition
        self.weights = [t.by_group(name).tolist()
                        for name in ("distance_weight", "results_weight", "composition_weight")]

    def run_year(self) -> None:
        for _ in range(WEEKS_PER_YEAR):
            self.agents.shuffle_do("step")
        self.peer_means()
        for pupil in self.pupils:
            pupil.progress(self)
        self.results.append(self.key_stage_results())
        self.pupils = [p for p in self.pupils if p.year != LAST_YEAR]
        self.transfer()
        for pupil in self.pupils:
            pupil.year += 1
        self.pupils.extend(self.intake())
        self.move()

    def peer_means(self) -> None:
        totals, counts = {}, {}
        year_total, year_count = [0.0] * YEAR_GROUPS, [0] * YEAR_GROUPS
        for p in self.pupils:
            key = (p.school, p.year)
            totals[key] = totals.get(key, 0.0) + p.attainment
            counts[key] = counts.get(key, 0) + 1
            year_total[p.year] += p.attainment
            year_count[p.year] += 1
        self.year_mean = [t / c if c else 0.0 for t, c in zip(year_total, year_count)]
        for school in self.school_agents:
            school.year_mean = [totals[(school.index, y)] / counts[(school.index, y)]
                                if (school.index, y) in counts else self.year_mean[y]
                                for y in range(YEAR_GROUPS)]

    def key_stage_results(self) -> dict:
        """Per (year, school, group) totals and counts of Year 6 and Year 11, and each
        cohort's gap and DfE gap index (as `sim.pupils.results`)."""
        out, cohorts = {}, {LAST_PRIMARY_YEAR: [], LAST_YEAR: []}
        for p in self.pupils:
            if p.year in cohorts:
                key = (p.year, p.school, p.disadvantaged)
                total, count = out.get(key, (0.0, 0))
                out[key] = (total + p.attainment, count + 1)
                cohorts[p.year].append((p.attainment, p.disadvantaged))
        for year, cohort in cohorts.items():
            out[year] = cohort_gap(cohort)
        return out

    def transfer(self) -> None:
        """Families rank their candidates, deferred acceptance one pupil at a time, then the
        nearest school with room."""
        t = self.params.transition
        secondaries = [s for s in self.school_agents if s.phase == 1]
        year6 = [p for p in self.pupils if p.year == LAST_PRIMARY_YEAR]
        prefs = []
        for p in year6:
            group = 0 if p.disadvantaged else 1
            scored = []
            for j in self.areas.secondary_candidates[p.home]:
                s = secondaries[int(j)]
                d = math.hypot(s.x - p.x, s.y - p.y)
                distance, results, composition = (w[group] for w in self.weights)
                u = (-distance * d + results * s.results - composition * s.share
                     - math.log(-math.log(self.random.random() or 1e-300)))
                scored.append((u, s, d))
            scored.sort(key=lambda item: -item[0])
            prefs.append([(s, d) for _, s, d in scored[:t.preferences]])
        held = {s.index: [] for s in secondaries}
        nxt = [0] * len(year6)
        free = list(range(len(year6)))
        while free:
            i = free.pop()
            if nxt[i] >= len(prefs[i]):
                continue
            school, d = prefs[i][nxt[i]]
            nxt[i] += 1
            heapq.heappush(held[school.index], (-d, self.random.random(), i))
            if len(held[school.index]) > school.places:
                free.append(heapq.heappop(held[school.index])[2])
        placed = [None] * len(year6)
        for index, entries in held.items():
            for _, _, i in entries:
                placed[i] = index
        # The local authority's offer: nearest school with room, the nearer pupils first.
        unplaced = [i for i in range(len(year6)) if placed[i] is None]
        offers = sorted((math.hypot(s.x - year6[i].x, s.y - year6[i].y), i, s.index)
                        for i in unplaced for s in secondaries)
        for _, i, index in offers:
            if placed[i] is None and len(held[index]) < self.school_agents[index].places:
                held[index].append((0.0, 0.0, i))
                placed[i] = index
        for i, p in enumerate(year6):
            p.school = placed[i]

    def intake(self) -> list[Pupil]:
        p, area = self.params.intake, self.areas.reception
        newcomers = []
        primaries = [s for s in self.school_agents if s.phase == 0]
        for k, school in enumerate(primaries):
            for _ in range(school.places):
                dis = self.random.random() < school.share
                weights = (area.cumulative_disadvantaged if dis else area.cumulative_other)[k]
                draw = self.random.random() * weights[-1]
                pick = min(sum(1 for w in weights if w < draw), len(weights) - 1)
                home = int(area.neighbourhoods[k, pick])
                cx, cy = self.places.neighbourhood_km[home]
                theta = (p.entry_gap_months * (NATIONAL_DISADVANTAGED_SHARE - dis)
                         + self.random.gauss(0.0, p.entry_sd_months))
                newcomers.append(Pupil(school.index, 0, dis, home,
                                       cx + self.random.gauss(0.0, p.home_spread_km),
                                       cy + self.random.gauss(0.0, p.home_spread_km), theta, theta))
        return newcomers

    def move(self) -> None:
        m = self.params.mobility
        for p in self.pupils:
            if p.year in (LAST_PRIMARY_YEAR, LAST_YEAR):
                continue
            rate = m.rate_other * (m.disadvantaged_factor if p.disadvantaged else 1.0)
            if self.random.random() < rate:
                phase = 1 if p.year > LAST_PRIMARY_YEAR else 0
                near = [int(s) for s in self.areas.nearby[phase][p.home]]
                options = [s for s in near if s != p.school] if p.school in near else near[:-1]
                p.school = self.random.choice(options)
