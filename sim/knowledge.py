"""What schools know, as the model holds it: practices, their spread, and expertise from them.

`Knowledge` joins the kernels of `sim.practices`, `sim.diffusion` and `sim.staff_moves` to
the model's calendar:
- at the start, the catalogue is drawn and each school's holdings are fitted to the
  starting expertise drawn by `sim.state` (stream `practices`);
- at each week's meetings, adoption on the scheme's (learner, source) pairs and creation on
  its mutual links; it returns what each link's meeting realised, which builds trust;
- at each term end, in-school deepening and forgetting of practice, the lapse of practices
  taken up from partners and not yet embedded at schools that met no partner that term
  (stream `sustainment`), then staff leaving and moving with their practice (stream
  `turnover`);
- at each year end, the count of schools holding each practice, and the year's staff
  moves as a network layer.

`state.expertise` (schools x domains) stays the interface the rest of the model reads:
    E_d = 1 - exp(-(sum v h + tacit_d))
`tacit` is know-how not tied to a practice in the catalogue: what the schemes' own
mechanisms add or take directly to expertise (the trios' broadcast summaries, the market's
imitation of league-table leaders, peer-review champions, trusts' standardisation, and a
starting level beyond what a school's practices could give, or held in practices too thin
to be in use). After each of those hooks the
model calls `absorb`, which moves the change into `tacit`; tacit know-how is forgotten at
the forgetting rate, since nothing embeds it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim import diffusion, practices, staff_moves
from sim.config import as_plain
from sim.diffusion import AdoptionLog, Channel
from sim.diffusion_table import diffusion_table
from sim.practices import strength
from sim.rowsum import row_mean, row_sum


class Knowledge:
    def __init__(self, model, exchange_cfg):
        cfg = model.cfg
        self.exchange_cfg = exchange_cfg
        # Plain copies of the sections read every term (OmegaConf access is slow).
        self.practice_cfg = SimpleNamespace(**as_plain(cfg.practices))
        self.moves_cfg = SimpleNamespace(**as_plain(cfg.staff_moves))
        self.improvement_cfg = SimpleNamespace(**as_plain(cfg.improvement))
        rng = model.streams["practices"]
        self.catalogue = practices.initial_catalogue(model.n_domains, cfg.practices, rng)
        self.holdings = practices.initial_holdings(model.state.expertise, self.catalogue,
                                                   cfg.practices, rng)
        self.tacit = strength(model.state.expertise) - self.practice_strength()
        self.log = AdoptionLog()
        school, domain, slot = np.nonzero(self.holdings.held)
        self.log.record(0, school, self.holdings.practice[school, domain, slot], np.full(
            len(school), -1), np.zeros(len(school), np.int64), Channel.START)
        self.holders_by_year = [self.holder_counts()]
        self.moves_this_year: list[np.ndarray] = []
        self.staff_move_edges = np.zeros((0, 2), np.int64)
        model.state.expertise = self.expertise()

    # ------------------------------------------------------------------ views
    def practice_strength(self, rows=None) -> np.ndarray:
        """sum v h per school (`rows`: some schools, by index; None: every school) and domain."""
        h = self.holdings
        if rows is None:
            return row_sum(h.effect * h.depth)
        return row_sum(h.effect.take(rows, axis=0) * h.depth.take(rows, axis=0))

    def expertise(self, rows=None) -> np.ndarray:
        # tacit = strength(E) - sum v h can be a rounding error below -sum v h: floor at 0
        tacit = self.tacit if rows is None else self.tacit.take(rows, axis=0)
        return -np.expm1(-np.maximum(self.practice_strength(rows) + tacit, 0.0))

    def holder_counts(self) -> np.ndarray:
        held = self.holdings.practice[self.holdings.held]
        return np.bincount(held, minlength=self.catalogue.size)

    def absorb(self, expertise: np.ndarray) -> None:
        """Take a direct change of expertise (a scheme's own mechanism) into tacit know-how."""
        self.tacit = strength(expertise) - self.practice_strength()

    # ------------------------------------------------------------------ calendar
    def meet(self, model, plan, weight: np.ndarray) -> np.ndarray:
        """This week's adoptions on the plan's pairs and creation on its mutual links.

        `weight` is the learning weight of each pair (its link's trust times any scheme or
        mode factor). Returns how many practices each link of the model's partnerships
        carried this week (adopted either way, or created together)."""
        p, s, ex = model.partnerships, model.state, self.exchange_cfg
        realised = np.zeros(p.n_links)
        distance = row_mean(np.abs(s.expertise.take(plan.learner, axis=0)
                                   - s.expertise.take(plan.source, axis=0)))
        fidelity = (np.where(plan.mutual, ex.mutual_fidelity, ex.copy_fidelity)
                    if np.ndim(plan.mutual) else
                    ex.mutual_fidelity if plan.mutual else ex.copy_fidelity)
        pairs, practice, generation = diffusion.adopt(
            self.holdings, self.catalogue, s.expertise, plan.learner, plan.source, weight,
            model.absorptive_capacity(), model.time_left(), distance, fidelity, plan.weights,
            ex, ex.max_distance, model.streams["adoption"],
            practices.embedding_end(model.week, self.practice_cfg.embedding_years))
        learner = plan.learner[pairs]
        self.log.record(model.week, learner, practice, plan.source[pairs], generation,
                        Channel.PARTNER)
        realised += np.bincount(plan.links[pairs], minlength=p.n_links)
        on = np.zeros(p.n_links, bool)   # each mutual link once (cheaper than np.unique)
        if np.ndim(plan.mutual):
            on[plan.links.compress(plan.mutual)] = True
        elif plan.mutual:
            on[plan.links] = True
        links = on.nonzero()[0]
        # Each mutual link's two schools are a pair of the plan (either way round: the same
        # distance), and expertise is updated only below: the pairs' distances serve.
        link_distance = np.empty(p.n_links)
        link_distance[plan.links] = distance
        created_on, schools, created = diffusion.create(
            self.holdings, self.catalogue, s.expertise, p.link_a[links], p.link_b[links],
            p.trust[links], link_distance.take(links), ex, ex.max_distance, model.week,
            model.streams["creation"], model.streams["invention"])
        self.log.record(model.week, schools, created, np.full(len(schools), -1),
                        np.zeros(len(schools), np.int64), Channel.CREATED)
        realised[links[created_on]] += 1
        # A school in both lists gets the same row twice: no need to make them unique.
        changed = np.concatenate([learner, schools])
        s.expertise[changed] = self.expertise(changed)
        return realised

    def end_term(self, model, resource: np.ndarray, dt_years: float) -> None:
        """In-school work and forgetting on practice and tacit know-how; the lapse of
        practices still embedding without a partner; staff moves."""
        s, imp = model.state, self.improvement_cfg
        share = s.disadvantaged_share
        practices.deepen_and_forget(self.holdings, resource, share, imp,
                                    self.practice_cfg.drop_depth, dt_years)
        practices.lapse_unembedded(self.holdings, model.week, self.met_partner(model),
                                   self.practice_cfg.unsupported_lapse_rate, dt_years,
                                   model.streams["sustainment"])
        forgetting = imp.forgetting_rate * (1 + imp.turnover_deprivation_factor * share)
        self.tacit *= np.exp(-forgetting * dt_years)[:, None]
        moves = staff_moves.move_staff(self.holdings, self.catalogue, share, model.region.la,
                                       imp, self.moves_cfg, dt_years, model.streams["turnover"])
        arrived = moves.placed
        self.log.record(model.week, moves.destination[arrived], moves.practice[arrived],
                        moves.origin[arrived], moves.generation[arrived], Channel.STAFF_MOVE)
        moved = moves.destination >= 0
        self.moves_this_year.append(np.column_stack([moves.origin[moved],
                                                     moves.destination[moved]]))
        s.expertise = self.expertise()

    @staticmethod
    def met_partner(model) -> np.ndarray:
        """Schools that met a partner this term (on a link whose two schools both attended)."""
        p = model.partnerships
        met = np.zeros(model.n_schools, bool)
        met[p.link_a[p.met_this_term]] = True
        met[p.link_b[p.met_this_term]] = True
        return met

    def end_year(self) -> None:
        """The year's holder counts and staff-move edges."""
        self.holders_by_year.append(self.holder_counts())
        self.staff_move_edges = np.concatenate(self.moves_this_year or [np.zeros((0, 2),
                                                                                 np.int64)])
        self.moves_this_year = []

    def summary(self) -> dict:
        log = self.log.table()
        channel = log[:, 5]
        created = self.catalogue.origin != practices.INITIAL
        return {"practices_created": int(created.sum()),
                "adoptions_from_partners": int((channel == Channel.PARTNER).sum()),
                "practices_carried_by_staff": int((channel == Channel.STAFF_MOVE).sum())}

    def table(self, adjacency, weeks_per_year: int):
        """`diffusion.parquet` (see `sim.diffusion_table`)."""
        counts = self.holders_by_year
        size = self.catalogue.size
        holders = np.stack([np.pad(c, (0, size - len(c))) for c in counts])
        return diffusion_table(self.log.table(), holders, self.catalogue,
                               len(self.tacit), adjacency, weeks_per_year)
