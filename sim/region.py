"""Synthetic regions: local authorities, neighbourhoods with a deprivation level, schools.

The generator reproduces the structure the seed documents describe rather than any real
map: local authorities of realistic relative size, each with a territory of its own (real
authorities tile the map: `_own_territory`), deprived inner neighbourhoods, deprivation
clustered in space as real neighbourhoods' is (deprived neighbourhoods next to each other:
part of each neighbourhood's deviation is a smooth random field, `spatial_field`), primary
and secondary schools in England's proportions (about 83 % / 17 % of state-funded
primary and secondary schools) in each authority, whose secondaries seat its own Year 6
(`_phases`, `_seated_by_authority`), and a disadvantaged (free-school-meal) share per school
drawn around its neighbourhood's (a secondary: around its nearest primaries',
`_school_shares`) with England's mean (about 24 %) and right skew, or with each local
authority's own share where the region names real ones (`la_fsm_shares`: gm's are its
boroughs' census shares; `la_deprivation_shares` their neighbourhoods' own). Rolls are
lognormal with a spread per phase (secondaries' vary less than primaries') and fitted to
the census's (experiments/data/fit_synthetic_regions.py), which count a secondary's sixth
form, so a synthetic secondary's Years 7-11 are England's pre-16 share
of its roll (`sim.region_real.PRE16_SHARE`; a real one's is its region's: `sim.sixth_forms`).

Region generators are components (`sim.component`, kind "region"): `Synthetic` (this
module), `SchoolList` (a GIAS-style CSV, `sim.region_csv`) and `RealEngland` (public data,
`sim.region_real`), each with its parameter dataclass (the schema of `region`), its
`validate` and `build(rng) -> Region`. A region YAML names its generator by its schema
(`region_schema`, `region_csv_schema`, `region_real_schema`); `build_region` finds the
generator from the type of the config node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from omegaconf import MISSING, OmegaConf
from scipy.spatial import cKDTree
from scipy.special import expit
from threadpoolctl import threadpool_limits

from sim.component import Component, param, registered, require
from sim.errors import ConfigError
from sim.geography import PRIMARY, SECONDARY, Region, eal_and_mobility
from sim.pupils.places import YEARS_IN_PHASE, entry_places, largest_remainders
from sim.region_csv import build_region_from_csv, resolve_path
from sim.region_real import PRE16_SHARE, build_real_region, chosen_authorities

# Plane waves summed for a spatial field (`spatial_field`): the field's correlations at a
# given distance deviate from their expectation by about 1 / sqrt(2 x waves) in one draw.
FIELD_WAVES = 500
# Share of England's secondary places unfilled: 452,000 in May 2024, about one in nine (DfE,
# *School capacity 2023/24*): the spare places that let a region's secondaries seat Year 6
# (`_sufficient_secondaries`).
SPARE_PLACES = 1.0 / 9.0


@dataclass
class RegionConfig:
    """A synthetic region (see `sim.region`). Sizes like Greater Manchester by default."""

    name: str = MISSING
    n_schools: int = param(1150, min=3, max=30000, why="from a toy region to all of England",
                           unit="schools", label="Schools in the region",
                           help="Fewer schools run faster; the Greater Manchester Challenge "
                                "had 1,150.")
    n_local_authorities: int = param(10, min=1, max=200, why="England has about 150",
                                     unit="authorities", label="Local authorities")
    # Relative number of schools per local authority; empty means lognormal sizes.
    la_weights: list[float] = param([], min=0.001, max=1000,
                                    why="relative sizes, within a millionfold of each other", unit="weight",
                                    label="Relative sizes of the local authorities")
    la_names: list[str] = param([], label="Names of the local authorities")
    # Local-authority centres in km; empty means a jittered grid `la_spacing_km` apart.
    la_centres_km: list[list[float]] = param([], min=-1000, max=1000,
                                             why="within England's extent", unit="km",
                                             label="Centres of the local authorities (km)")
    la_spacing_km: float = param(20.0, min=1, max=200,
                                 why="authorities a few to a few hundred km apart", unit="km",
                                 label="Distance between authority centres")
    primary_share: float = param(0.83, min=0.05, max=0.95, unit="share",
                                 why="a region has primary and secondary schools; the gap "
                                     "is reported for each phase",
                                 label="Share of schools that are primary")
    schools_per_neighbourhood: float = param(4.0, min=0.5, max=100,
                                             why="a neighbourhood holds a few schools; "
                                                 "fewer than half a school each would make "
                                                 "neighbourhoods by the million",
                                             unit="schools", label="Schools per neighbourhood")
    # Disadvantaged (free-school-meal) share: England's mean about 24 %, right-skewed.
    fsm_mean: float = param(0.24, min=0.01, max=0.99,
                            why="a share; below 1 % no school has disadvantaged pupils to count", unit="share",
                            label="Mean disadvantaged (FSM) share")
    fsm_concentration: float = param(15.0, min=1, max=1000,
                                     why="a beta concentration; below 1 schools' shares pile "
                                         "up at exactly 0 and 1", unit="1",
                                     label="Concentration of schools' FSM shares")
    # How strongly deprivation falls with distance from a local authority's centre.
    deprivation_gradient: float = param(0.6, min=0, max=10, why="a logit slope", unit="logit",
                                        label="Deprivation gradient towards the centre")
    # Spread of deprivation between local authorities (sd of a logit shift).
    la_deprivation_sd: float = param(0.35, min=0, max=5, why="sd of a logit shift",
                                     unit="logit", label="Spread of deprivation between LAs")
    # Each local authority's disadvantaged share; empty means drawn (la_deprivation_sd about
    # fsm_mean). Given, it replaces both: a named real region's authorities keep their own.
    la_fsm_shares: list[float] = param(
        [], min=0.01, max=0.99, why="a share; as fsm_mean", unit="share",
        label="Disadvantaged (FSM) share of each local authority",
        help="Empty: drawn around the mean share. Given (one per authority), each "
             "authority's schools average its share, e.g. a real region's census shares, "
             "and so do its neighbourhoods unless la_deprivation_shares gives theirs.")
    # Each local authority's neighbourhoods' mean deprivation, where it differs from its
    # schools' share; empty means la_fsm_shares.
    la_deprivation_shares: list[float] = param(
        [], min=0.01, max=0.99, why="a share; as fsm_mean", unit="share",
        label="Mean deprivation of each local authority's neighbourhoods",
        help="Empty: the authorities' FSM shares. Given (one per authority), each "
             "authority's neighbourhoods average it, and its schools its FSM share: a real "
             "region's boroughs differ less in their neighbourhoods' income deprivation "
             "than in their schools' free-school-meal shares.")
    # Neighbourhoods' own deprivation: a logit deviation of this sd, partly shared with the
    # nearby neighbourhoods (a spatial field), partly each neighbourhood's own.
    deprivation_sd: float = param(0.8, min=0, max=5, why="sd of a logit deviation",
                                  unit="logit", label="Spread of deprivation between neighbourhoods")
    deprivation_clustered_share: float = param(
        0.0, min=0, max=1, why="a share of a variance", unit="share",
        label="Share of neighbourhood deprivation shared with neighbours",
        help="0: each neighbourhood's deprivation is its own; 1: it all varies smoothly "
             "over space, so deprived neighbourhoods sit next to each other.")
    deprivation_range_km: float = param(
        1.0, min=0.05, max=100, why="from a street block to a county", unit="km",
        label="Distance over which deprivation is shared",
        help="The shared part's correlation at distance d is exp(-d^2 / (2 range^2)).")
    primary_pupils_mean: float = param(280.0, min=20, max=3000,
                                       why="a school's mean roll; England's smallest "
                                           "primaries have about 20 pupils", unit="pupils",
                                       label="Mean primary roll")
    secondary_pupils_mean: float = param(1000.0, min=100, max=5000,
                                         why="a school's mean roll; England's smallest "
                                             "secondaries have about 100 pupils",
                                         unit="pupils",
                                         label="Mean secondary roll")
    primary_pupils_cv: float = param(0.35, min=0, max=3, why="a coefficient of variation",
                                     unit="1", label="Spread of primary rolls (cv)")
    # Secondaries' rolls vary less than primaries' (census 2023, IQR / median: Greater
    # Manchester's secondaries 0.40, primaries 0.77), so each phase has its spread.
    secondary_pupils_cv: float = param(0.35, min=0, max=3, why="a coefficient of variation",
                                       unit="1", label="Spread of secondary rolls (cv)")


@dataclass
class CsvRegionConfig(RegionConfig):
    """A region read from a school list in Get Information About Schools columns
    (`sim.region_csv`). The synthetic keys above are not used, except the ones that
    describe what a school list lacks (none at present)."""

    name: str = "csv"
    # A GIAS-style CSV. Relative paths are looked up from the working directory, then in
    # the bundled data folder (sim/data), so the default is the made-up sample.
    path: str = param("gias_sample.csv", label="School list (CSV)",
                      help="A GIAS-style CSV; relative paths are looked up from the working "
                           "directory, then in the bundled data folder.")
    # Side of the square grid cells that group schools into neighbourhoods.
    neighbourhood_km: float = param(1.5, min=0.1, max=100,
                                    why="from a street (100 m) to a region about 100 km across", unit="km",
                                    label="Side of a neighbourhood cell")


@dataclass
class RealRegionConfig(RegionConfig):
    """Real schools and neighbourhoods of England from public data (`sim.region_real`).
    The synthetic keys above are not used."""

    name: str = "england_real"
    # Local authorities by name (as in the 2023 school census); empty means all of England.
    local_authorities: list[str] = param([], label="Local authorities (empty: all England)")


class RegionGenerator(Component):
    """Builds a region's schools and neighbourhoods from its parameters."""

    kind: ClassVar[str] = "region"

    def build(self, rng: np.random.Generator) -> Region:
        raise NotImplementedError


class Synthetic(RegionGenerator):
    """A synthetic region (`gm`, `england`, any variant)."""

    name = "synthetic"
    Params = RegionConfig

    @classmethod
    def validate(cls, params, prefix, cfg):
        require(params.n_schools >= params.n_local_authorities,
                f"{prefix}.n_schools={params.n_schools} is fewer than {prefix}.n_local_authorities="
                f"{params.n_local_authorities}; allowed: at least one school per local authority")
        for key in ("la_weights", "la_names", "la_centres_km", "la_fsm_shares",
                    "la_deprivation_shares"):
            values = params[key]
            require(len(values) in (0, params.n_local_authorities),
                    f"{prefix}.{key} has {len(values)} entries; allowed: 0 or "
                    f"{prefix}.n_local_authorities={params.n_local_authorities}")

    def build(self, rng):
        return _synthetic(self.params, rng)


class SchoolList(RegionGenerator):
    """A school list in Get Information About Schools columns (`region=csv`)."""

    name = "csv"
    Params = CsvRegionConfig

    @classmethod
    def validate(cls, params, prefix, cfg):
        require(bool(str(params.path).strip()),
                f"{prefix}.path is empty; allowed: the path of a school-list CSV")
        resolve_path(str(params.path))

    def build(self, rng):
        return build_region_from_csv(self.params, rng)


class RealEngland(RegionGenerator):
    """Real schools and neighbourhoods of England (`region=england_real`, `gm_real`)."""

    name = "england_real"
    Params = RealRegionConfig

    @classmethod
    def check(cls, params, prefix, cfg=None):
        """Only the authorities are checked: the synthetic keys are not used."""
        chosen_authorities(params.local_authorities)

    def build(self, rng):
        return build_real_region(self.params, rng)


def generator_for(node) -> type[RegionGenerator]:
    """The generator whose schema the region's config node was built from."""
    schema = OmegaConf.get_type(node)
    found = [c for c in registered("region").values() if c.schema() is schema]
    if not found:
        raise ConfigError(f"region has schema {getattr(schema, '__name__', schema)}; allowed: "
                          + ", ".join(f"{c.schema().__name__}" for c in registered("region").values()))
    return found[0]


def build_region(cfg, rng: np.random.Generator) -> Region:
    """Build the region the config names (`gm`, `england`, any synthetic variant, or a
    school list: `region=csv`, see `sim.region_csv`; real England: `region=england_real`,
    see `sim.region_real`)."""
    return generator_for(cfg)(cfg).build(rng)


def _synthetic(cfg, rng: np.random.Generator) -> Region:
    """Local authorities, neighbourhoods and schools drawn as the module docstring says."""
    counts = _schools_per_la(cfg, rng)
    centres = _la_centres(cfg, rng)
    la_names = tuple(cfg.la_names) or tuple(f"LA{i + 1:03d}" for i in range(len(counts)))
    radius = 0.25 * cfg.la_spacing_km * np.sqrt(counts / counts.mean())
    given_shares = len(cfg.la_fsm_shares) > 0
    la_shift = (np.zeros(len(counts)) if given_shares
                else rng.normal(0.0, cfg.la_deprivation_sd, len(counts)))

    nb_la, nb_pos, nb_logit = _neighbourhoods(cfg, rng, counts, centres, radius, la_shift)
    nb_logit += _share_offsets(cfg, nb_logit, nb_la, "la_deprivation_shares")[nb_la]
    nb_mean = expit(nb_logit)

    la = np.repeat(np.arange(len(counts)), counts)
    neighbourhood = _place_schools(rng, la, nb_la)
    pos = nb_pos[neighbourhood] + rng.normal(0.0, 0.5, (len(la), 2))
    phase = _phases(cfg, rng, la)
    pupils = _pupils(cfg, rng, phase, la)
    school_logit = nb_logit[neighbourhood]
    school_logit += _share_offsets(cfg, school_logit, la)[la]
    share = _school_shares(cfg, rng, expit(school_logit), phase, pos, pupils)
    eal, mobility = eal_and_mobility(rng, nb_logit[neighbourhood])
    return Region(cfg.name, la_names, la, neighbourhood, nb_mean, pos, phase, pupils,
                  share, eal, mobility, neighbourhood_pos_km=nb_pos,
                  secondary_pre16_share=PRE16_SHARE)


def _school_shares(cfg, rng, expected: np.ndarray, phase: np.ndarray, pos: np.ndarray,
                   pupils: np.ndarray) -> np.ndarray:
    """Each school's disadvantaged share, drawn (a beta of concentration `fsm_concentration`)
    around an expected share: a primary's is its neighbourhood's (`expected`); a
    secondary's is that of the primaries whose nearest secondary it is (their drawn shares,
    weighted by their rolls), as most pupils move at 11 to a secondary near home (a
    secondary no primary has nearest keeps its neighbourhood's). Real secondaries draw on
    wider areas than primaries and their shares vary less (Greater Manchester, census 2023:
    sd 0.14 against the primaries' 0.17)."""
    conc = cfg.fsm_concentration
    share = np.empty(len(phase))
    primary, secondary = np.flatnonzero(phase == PRIMARY), np.flatnonzero(phase == SECONDARY)
    share[primary] = beta_around(rng, expected[primary], conc)
    mean = expected[secondary]
    _, nearest = cKDTree(pos[secondary]).query(pos[primary])
    roll = np.bincount(nearest, pupils[primary], len(secondary))
    disadvantaged = np.bincount(nearest, pupils[primary] * share[primary], len(secondary))
    fed = roll > 0
    mean[fed] = disadvantaged[fed] / roll[fed]
    share[secondary] = beta_around(rng, mean, conc)
    return share


def beta_around(rng, mean: np.ndarray, concentration: float) -> np.ndarray:
    """A beta draw of concentration `concentration` around each mean. A mean of exactly 0 or
    1 gives itself, the beta's limit: a neighbourhood's expected share rounds to 1 beyond a
    logit of about 37, and a primary's drawn share underflows to 0 at low concentration, so
    a secondary fed only by such primaries has a mean of 0 (numpy's beta refuses it). Its
    draw is still made, with valid parameters, so where every mean lies inside (0, 1) the
    draws are those of one `rng.beta` call."""
    inside = (mean > 0) & (mean < 1)
    drawn = rng.beta(np.where(inside, mean * concentration, 1.0),
                     np.where(inside, (1 - mean) * concentration, 1.0))
    return np.where(inside, drawn, mean)


def _schools_per_la(cfg, rng) -> np.ndarray:
    """Split n_schools over local authorities by weight (largest remainder, at least one)."""
    n_la = cfg.n_local_authorities
    weights = np.asarray(list(cfg.la_weights), float) if len(cfg.la_weights) else \
        rng.lognormal(0.0, 0.5, n_la)
    spare = cfg.n_schools - n_la
    if spare < 0:
        raise ConfigError(f"region.n_schools={cfg.n_schools} is fewer than the "
                          f"{n_la} local authorities; allowed: at least one school each")
    exact = spare * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    short = spare - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts + 1


def _la_centres(cfg, rng) -> np.ndarray:
    if len(cfg.la_centres_km):
        # As plain lists: numpy looks for the array protocol on each list of the config, and
        # each look raises and formats an OmegaConf error (2 ms of GM's set-up).
        return np.asarray([list(centre) for centre in cfg.la_centres_km], float)
    n_la = cfg.n_local_authorities
    cols = int(np.ceil(np.sqrt(n_la)))
    grid = np.column_stack([np.arange(n_la) % cols, np.arange(n_la) // cols]).astype(float)
    jitter = rng.uniform(-0.2, 0.2, (n_la, 2))
    return (grid + jitter) * cfg.la_spacing_km


def _neighbourhoods(cfg, rng, counts, centres, radius, la_shift):
    """Neighbourhood positions in a disc per LA; deprivation higher towards the centre."""
    per_la = np.maximum(1, np.round(counts / cfg.schools_per_neighbourhood)).astype(int)
    nb_la = np.repeat(np.arange(len(counts)), per_la)
    pos, r = _own_territory(rng, nb_la, centres, radius)
    inner = 1.0 - r / radius[nb_la]
    clustered = cfg.deprivation_clustered_share
    local = (np.sqrt(clustered) * spatial_field(rng, pos, cfg.deprivation_range_km)
             + np.sqrt(1.0 - clustered) * rng.normal(0.0, 1.0, len(nb_la)))
    nb_logit = (la_shift[nb_la] + cfg.deprivation_gradient * (inner - 0.5)
                + cfg.deprivation_sd * local)
    return nb_la, pos, nb_logit


def _own_territory(rng, nb_la, centres, radius) -> tuple[np.ndarray, np.ndarray]:
    """Neighbourhood positions uniform in their authority's disc and in its territory, and
    their distances from its centre.

    Real authorities tile the map: in real Greater Manchester 3 % of pairs of schools within
    1 km of each other are in different boroughs (6 % of LSOAs), but the discs of neighbouring
    synthetic boroughs overlap (Manchester's reaches past Salford's and Trafford's centres),
    so a third of such pairs were, and the boroughs' different shares interleaved
    (experiments/deprivation_range.py). A point belongs to the authority it is nearest in
    units of the authorities' radii (a multiplicatively weighted Voronoi cell, so a larger
    authority has the larger territory, as its disc is larger: an assumption). A draw in
    another authority's territory is drawn again, the disc and the territory always sharing
    the authority's centre; discs that do not overlap keep their first draws."""
    r = radius[nb_la] * np.sqrt(rng.uniform(0, 1, len(nb_la)))
    angle = rng.uniform(0, 2 * np.pi, len(nb_la))
    pos = centres[nb_la] + np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    outside = np.flatnonzero(_territory(pos, centres, radius) != nb_la)
    while len(outside):
        la = nb_la[outside]
        r[outside] = radius[la] * np.sqrt(rng.uniform(0, 1, len(outside)))
        angle = rng.uniform(0, 2 * np.pi, len(outside))
        pos[outside] = centres[la] + np.column_stack([r[outside] * np.cos(angle),
                                                      r[outside] * np.sin(angle)])
        outside = outside[_territory(pos[outside], centres, radius) != la]
    return pos, r


def _territory(pos: np.ndarray, centres: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """The authority each point is nearest, in units of each authority's radius."""
    scaled = np.hypot(pos[:, None, 0] - centres[None, :, 0],
                      pos[:, None, 1] - centres[None, :, 1]) / radius[None, :]
    return scaled.argmin(axis=1)


def spatial_field(rng, pos_km: np.ndarray, range_km: float, waves: int = FIELD_WAVES,
                  chunk: int = 4096) -> np.ndarray:
    """A stationary Gaussian random field of mean 0 and variance 1 at the points, whose
    correlation at distance d is exp(-d^2 / (2 range_km^2)): the sum of `waves` plane waves
    of random direction, wavelength and phase (random Fourier features, Rahimi & Recht 2007:
    the wave numbers are drawn from the covariance's spectrum, a normal of sd 1 / range).
    Needs no grid, so an England-sized region costs points x waves; the points are done
    `chunk` at a time to bound the memory, in single precision (numpy's float32 cosine is
    vectorised: 7x faster on England's 25,000 neighbourhoods) about their centre (so the
    phases stay small enough for single precision to resolve)."""
    omega = rng.normal(0.0, 1.0 / range_km, (waves, 2)).astype(np.float32)
    phase = rng.uniform(0.0, 2 * np.pi, waves).astype(np.float32)
    centred = (pos_km - pos_km.mean(axis=0)).astype(np.float32)
    out = np.empty(len(pos_km))
    # On one BLAS thread: OpenBLAS runs GM's product on a second thread, which then spins
    # for ~80 ms of CPU after it (7 % of a GM run's); the same floats (each is a sum of two
    # products, whatever the threads' share of the rows).
    with threadpool_limits(1, user_api="blas"):
        for start in range(0, len(pos_km), chunk):
            block = centred[start:start + chunk]
            out[start:start + chunk] = np.cos(block @ omega.T + phase).sum(axis=1,
                                                                          dtype=np.float64)
    return out * np.sqrt(2.0 / waves)


def _share_offsets(cfg, logits: np.ndarray, la: np.ndarray,
                   key: str = "la_fsm_shares") -> np.ndarray:
    """Per local authority, the logit shift that gives `logits` (of neighbourhoods or schools
    in authorities `la`) the authority's share (`cfg[key]`), or one shift for all that
    gives them the mean share `fsm_mean`. An empty key falls back on `la_fsm_shares`."""
    n_la = la.max() + 1
    shares = cfg[key] if len(cfg[key]) else cfg.la_fsm_shares
    if not len(shares):
        return np.full(n_la, _calibrate_offset(logits, cfg.fsm_mean))
    return np.array([_calibrate_offset(logits[la == i], share)
                     for i, share in enumerate(shares)])


def _calibrate_offset(nb_logit: np.ndarray, target_mean: float) -> float:
    """The logit shift that gives neighbourhoods the target mean share (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if expit(nb_logit + mid).mean() < target_mean:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _place_schools(rng, la: np.ndarray, nb_la: np.ndarray) -> np.ndarray:
    """Each school goes to a random neighbourhood of its own local authority."""
    first = np.searchsorted(nb_la, np.arange(nb_la.max() + 1))
    n_in_la = np.bincount(nb_la)
    return first[la] + (rng.uniform(0, 1, len(la)) * n_in_la[la]).astype(int)


def _phases(cfg, rng, la: np.ndarray) -> np.ndarray:
    """Each local authority's schools split into primaries and secondaries in England's
    proportions (`primary_share`; its secondaries, in proportion to its schools, by largest
    remainders): an authority plans the secondary places for its own children (its duty to
    secure sufficient places, Education Act 1996 s.14), so its share of the region's
    secondaries follows its share of the schools, not a region-wide draw. Which of its
    schools are secondaries is random (one permutation of all the schools, taken in order
    within each authority)."""
    n = len(la)
    phase = np.full(n, PRIMARY)
    # At least one school of each phase, so that each phase's metrics exist in a tiny region.
    n_secondary = min(n - 1, max(1, int(round(n * (1 - cfg.primary_share)))))
    per_la = largest_remainders(n_secondary, np.bincount(la).astype(float))
    drawn = rng.permutation(n)
    for authority, count in enumerate(per_la):
        phase[drawn[la[drawn] == authority][:count]] = SECONDARY
    return phase


def _pupils(cfg, rng, phase: np.ndarray, la: np.ndarray) -> np.ndarray:
    primary = phase == PRIMARY
    mean = np.where(primary, cfg.primary_pupils_mean, cfg.secondary_pupils_mean)
    cv = np.where(primary, cfg.primary_pupils_cv, cfg.secondary_pupils_cv)
    sigma = np.sqrt(np.log1p(cv**2))
    # A school has pupils: with a wide spread (a cv up to 3) the lognormal's low tail
    # would otherwise round some rolls to zero, and every per-pupil rate to NaN.
    drawn = np.maximum(1, np.round(mean * rng.lognormal(-sigma**2 / 2, sigma, len(phase))))
    return _seated_by_authority(drawn, phase, la)


def _seated_by_authority(pupils: np.ndarray, phase: np.ndarray, la: np.ndarray) -> np.ndarray:
    """`_sufficient_secondaries` for each local authority's schools, then for the region's.

    The duty to secure sufficient places is each authority's (Education Act 1996, s.14): an
    authority whose secondaries could not seat its own Year 6 has their rolls scaled up even
    where its neighbours' spare places could seat them. An authority with no secondary (a
    tiny region) sends its Year 6 to the others', for whom the region's pass makes room."""
    pupils = pupils.copy()
    for authority in np.unique(la):
        own = la == authority
        pupils[own] = _sufficient_secondaries(pupils[own], phase[own])
    return _sufficient_secondaries(pupils, phase)


def _sufficient_secondaries(pupils: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Rolls whose secondaries have places for the primaries' Year 6.

    Local authorities must secure sufficient school places (Education Act 1996, s.14), and
    England's secondaries have spare places on the whole: about one in nine unfilled
    (`SPARE_PLACES`), so a school's places are its pupils x 9/8. A year group of a synthetic
    secondary is its roll x PRE16_SHARE / 5 (the roll counts the sixth form, as a census
    roll: `sim.region_real.PRE16_SHARE`), so its Year 7 places are that x 9/8. A draw whose
    secondaries' Year 7 places could not seat the primaries' Year 6 (their Reception places,
    `sim.pupils.places.entry_places`) is not such a region: its secondary rolls are scaled
    up, in their drawn proportions, until they can. Other draws are kept as drawn."""
    secondary = phase == SECONDARY
    year6 = entry_places(pupils[~secondary], phase[~secondary], 0.0).sum()
    seats = (pupils[secondary].sum() * PRE16_SHARE / YEARS_IN_PHASE[SECONDARY]
             / (1.0 - SPARE_PLACES))
    if seats == 0 or seats >= year6:
        return pupils
    scaled = pupils.copy()
    scaled[secondary] = np.ceil(pupils[secondary] * (year6 / seats))
    return scaled
