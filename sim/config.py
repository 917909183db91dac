"""Structured configuration: the schema every Hydra config is checked against.

Each submodel owns one dataclass here, so its parameters sit together in the YAML
(`improvement.rate`, `exchange.learning_rate`, ...). The dataclasses are registered in
Hydra's ConfigStore; YAML files under `configs/` extend them, which makes a typo'd key
an error instead of a silently ignored value. `validate` then checks ranges and the
combinations a schema cannot express, raising `ConfigError` with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from sim.errors import ConfigError

DOMAINS = ("teaching", "inclusion", "leadership", "curriculum")
MODES = ("mutual", "one_way")


@dataclass
class RegionConfig:
    """A synthetic region (see `sim.region`). Sizes like Greater Manchester by default."""

    name: str = MISSING
    n_schools: int = 1150
    n_local_authorities: int = 10
    # Relative number of schools per local authority; empty means lognormal sizes.
    la_weights: list[float] = field(default_factory=list)
    la_names: list[str] = field(default_factory=list)
    # Local-authority centres in km; empty means a jittered grid `la_spacing_km` apart.
    la_centres_km: list[list[float]] = field(default_factory=list)
    la_spacing_km: float = 20.0
    primary_share: float = 0.83
    schools_per_neighbourhood: float = 4.0
    # Disadvantaged (free-school-meal) share: England's mean about 24 %, right-skewed.
    fsm_mean: float = 0.24
    fsm_concentration: float = 6.0
    # How strongly deprivation falls with distance from a local authority's centre.
    deprivation_gradient: float = 0.6
    # Spread of deprivation between local authorities (sd of a logit shift).
    la_deprivation_sd: float = 0.35
    primary_pupils_mean: float = 280.0
    secondary_pupils_mean: float = 1000.0
    pupils_cv: float = 0.35


@dataclass
class SchoolConfig:
    """Initial state of schools (`sim.initial_state`)."""

    domains: list[str] = field(default_factory=lambda: list(DOMAINS))
    expertise_mean: float = 0.5
    expertise_sd: float = 0.1
    # Expertise is lower where intake is more disadvantaged (units per unit share).
    expertise_deprivation_slope: float = 0.25
    # Leadership days per term available for improvement work (in school or with partners).
    leadership_days_mean: float = 8.0
    leadership_days_sd: float = 2.0
    leadership_days_deprivation_slope: float = 3.0
    openness_mean: float = 0.6
    openness_sd: float = 0.15
    # Same-phase schools within this distance compete for pupils.
    competition_radius_km_primary: float = 1.5
    competition_radius_km_secondary: float = 3.0


@dataclass
class ImprovementConfig:
    """Within-school improvement, forgetting and staff turnover (`sim.improvement`)."""

    rate: float = 0.08
    forgetting_rate: float = 0.06
    # Turnover and forgetting rise with disadvantaged share: rate * (1 + factor * share).
    turnover_deprivation_factor: float = 1.0
    turnover_shock_probability: float = 0.08
    turnover_shock_loss: float = 0.15


@dataclass
class ExchangeConfig:
    """Knowledge exchange between partners (`sim.exchange`)."""

    learning_rate: float = 0.12
    # Profile distance beyond which a partner's practice cannot be absorbed.
    max_distance: float = 0.35
    # Absorptive capacity = openness * (floor + (1 - floor) * own mean expertise).
    absorptive_floor: float = 0.3
    # Chance per mutual meeting per unit distance * trust that new practice is created.
    creation_rate: float = 0.6
    # Share of the remaining headroom above the better partner that new practice adds.
    creation_step: float = 0.08
    # Pull of the broadcast summaries on every school (weak, no trust needed).
    broadcast_rate: float = 0.01
    # How much competition exposure cuts openness to partners (0 none, 1 all).
    competition_openness_cut: float = 0.3


@dataclass
class TrustConfig:
    """Trust on each partnership link (`sim.trust`)."""

    growth: float = 0.08
    decay_per_term: float = 0.1
    # Each year a group whose mean trust is below the threshold may lapse.
    lapse_threshold: float = 0.35
    lapse_probability: float = 0.5


@dataclass
class AttainmentConfig:
    """Attainment of each learner group, in months of progress (`sim.attainment`)."""

    # Gap in months between disadvantaged and other pupils at reference expertise.
    gap_months_primary: float = 7.5
    gap_months_secondary: float = 17.0
    # Months of progress per unit of weighted expertise.
    months_per_expertise_primary: float = 14.0
    months_per_expertise_secondary: float = 22.0
    # Domain weights (same order as school.domains); inclusion weighs more for the disadvantaged.
    weights_disadvantaged: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.15, 0.15])
    weights_other: list[float] = field(default_factory=lambda: [0.4, 0.1, 0.2, 0.3])
    # Composition (peer) effect: months per unit of disadvantaged share above the mean.
    composition_months: float = 4.0
    school_effect_sd: float = 1.5
    # Spread of one pupil's result; cohort noise shrinks with the group's cohort size.
    pupil_sd_months: float = 14.0
    reference_expertise: float = 0.5


@dataclass
class SchemeConfig:
    """Base of every scheme; each scheme's YAML extends its own subclass."""

    name: str = MISSING
    mode: str = "mutual"
    participation: float = 1.0


@dataclass
class NoneSchemeConfig(SchemeConfig):
    name: str = "none"


@dataclass
class TriosConfig(SchemeConfig):
    name: str = "trios"
    meeting_interval_weeks: int = 3
    meeting_cost_days: float = 0.5
    initial_trust: float = 0.5
    initial_trust_sd: float = 0.15
    cross_border: bool = True
    broadcast: bool = True


@dataclass
class FamiliesConfig(SchemeConfig):
    name: str = "families"
    min_size: int = 12
    max_size: int = 20
    meeting_interval_weeks: int = 6
    meeting_cost_days: float = 1.0
    initial_trust: float = 0.4
    initial_trust_sd: float = 0.15
    # Greater Manchester 2011 weights: prior attainment, deprivation, EAL, mobility.
    weight_prior_attainment: float = 0.66
    weight_deprivation: float = 0.20
    weight_eal: float = 0.10
    weight_mobility: float = 0.04


@dataclass
class MarketConfig(SchemeConfig):
    name: str = "market"
    mode: str = "one_way"
    # Schools a family considers: the nearest this many of the right phase.
    choice_set: int = 8
    # Logit weights per month of league-table attainment and per km of travel: advantaged
    # families read league tables more and travel further.
    performance_weight_advantaged: float = 0.4
    performance_weight_disadvantaged: float = 0.1
    distance_weight_advantaged: float = 0.3
    distance_weight_disadvantaged: float = 1.0
    # Extra utility of the local (catchment) school: most families stay local.
    home_preference: float = 1.5
    capacity_headroom: float = 0.1
    # Share of a school's improvement resource that follows its roll.
    funding_elasticity: float = 0.8
    # Yearly pull towards the best nearby competitor in visible domains only.
    imitation_rate: float = 0.05
    visible_domains: list[str] = field(default_factory=lambda: ["teaching", "curriculum"])
    # Competition exposure cuts openness by this much more under a market.
    market_openness_cut: float = 0.5


@dataclass
class OutputConfig:
    # "auto" shows a progress bar once a run has taken two seconds; true/false force it.
    progress: str = "auto"
    print_summary: bool = True


@dataclass
class SimConfig:
    seed: int = 42
    years: int = 10
    region: RegionConfig = MISSING
    scheme: SchemeConfig = MISSING
    school: SchoolConfig = field(default_factory=SchoolConfig)
    improvement: ImprovementConfig = field(default_factory=ImprovementConfig)
    exchange: ExchangeConfig = field(default_factory=ExchangeConfig)
    trust: TrustConfig = field(default_factory=TrustConfig)
    attainment: AttainmentConfig = field(default_factory=AttainmentConfig)
    output: OutputConfig = field(default_factory=OutputConfig)


SCHEME_SCHEMAS: dict[str, type[SchemeConfig]] = {
    "none": NoneSchemeConfig,
    "trios": TriosConfig,
    "families": FamiliesConfig,
    "market": MarketConfig,
}


def register_configs() -> None:
    """Put the schemas in Hydra's ConfigStore; YAML files name them in their defaults."""
    cs = ConfigStore.instance()
    cs.store(name="sim_schema", node=SimConfig)
    cs.store(group="region", name="region_schema", node=RegionConfig)
    for name, schema in SCHEME_SCHEMAS.items():
        cs.store(group="scheme", name=f"{name}_schema", node=schema)


register_configs()


# ---------------------------------------------------------------------------- validation


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _in_unit(value: float, key: str) -> None:
    _check(0.0 <= value <= 1.0, f"{key}={value} is out of range; allowed: 0 to 1")


def _non_negative(value: float, key: str) -> None:
    _check(value >= 0, f"{key}={value} is negative; allowed: a number >= 0")


def _positive(value: float, key: str) -> None:
    _check(value > 0, f"{key}={value} is not positive; allowed: a number > 0")


def _check_section(section: Any, prefix: str, unit: tuple[str, ...] = ()) -> None:
    """Every numeric key must be >= 0; those named in `unit` must lie in [0, 1]."""
    for key, value in section.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        full = f"{prefix}.{key}"
        (_in_unit if key in unit else _non_negative)(value, full)


def validate(cfg: DictConfig | SimConfig) -> None:
    """Raise ConfigError (one line) for values the schema accepts but the model cannot use."""
    _check(cfg.years >= 1, f"years={cfg.years} is too small; allowed: an integer >= 1")
    _check(cfg.seed >= 0, f"seed={cfg.seed} is negative; allowed: an integer >= 0")
    _validate_region(cfg.region)
    _validate_school(cfg.school)
    _check_section(cfg.improvement, "improvement",
                   unit=("turnover_shock_probability", "turnover_shock_loss"))
    _check_section(cfg.exchange, "exchange",
                   unit=("absorptive_floor", "creation_step", "competition_openness_cut"))
    _check_section(cfg.trust, "trust", unit=tuple(cfg.trust.keys()))
    _validate_attainment(cfg.attainment, len(cfg.school.domains))
    _validate_scheme(cfg.scheme, list(cfg.school.domains))
    progress = str(cfg.output.progress).lower()
    _check(progress in ("auto", "true", "false"),
           f"output.progress={cfg.output.progress} is not allowed; allowed: auto, true, false")


def _validate_region(region: Any) -> None:
    _check(region.n_schools >= 3,
           f"region.n_schools={region.n_schools} is too small; allowed: an integer >= 3")
    _check(region.n_local_authorities >= 1,
           f"region.n_local_authorities={region.n_local_authorities}; allowed: an integer >= 1")
    _check(region.n_schools >= region.n_local_authorities,
           f"region.n_schools={region.n_schools} is fewer than region.n_local_authorities="
           f"{region.n_local_authorities}; allowed: at least one school per local authority")
    for key in ("la_weights", "la_names", "la_centres_km"):
        values = region[key]
        _check(len(values) in (0, region.n_local_authorities),
               f"region.{key} has {len(values)} entries; allowed: 0 or "
               f"region.n_local_authorities={region.n_local_authorities}")
    for w in region.la_weights:
        _positive(w, "region.la_weights[]")
    _check(0 < region.fsm_mean < 1, f"region.fsm_mean={region.fsm_mean}; allowed: between 0 and 1")
    _check_section(region, "region", unit=("primary_share",))
    for key in ("schools_per_neighbourhood", "fsm_concentration", "primary_pupils_mean",
                "secondary_pupils_mean", "la_spacing_km"):
        _positive(region[key], f"region.{key}")


def _validate_school(school: Any) -> None:
    _check(len(school.domains) >= 2 and len(set(school.domains)) == len(school.domains),
           f"school.domains={list(school.domains)}; allowed: two or more distinct names")
    _check("inclusion" in school.domains,
           f"school.domains={list(school.domains)} lacks 'inclusion'; allowed: any list that "
           "includes inclusion")
    _check_section(school, "school", unit=("expertise_mean", "openness_mean"))


def _validate_attainment(att: Any, n_domains: int) -> None:
    for key in ("weights_disadvantaged", "weights_other"):
        weights = list(att[key])
        _check(len(weights) == n_domains,
               f"attainment.{key} has {len(weights)} weights; allowed: one per domain ({n_domains})")
        _check(all(w >= 0 for w in weights) and abs(sum(weights) - 1) < 1e-9,
               f"attainment.{key}={weights}; allowed: non-negative weights summing to 1")
    _check_section(att, "attainment", unit=("reference_expertise",))


def _validate_scheme(scheme: Any, domains: list[str]) -> None:
    name = scheme.name
    _check(name in SCHEME_SCHEMAS,
           f"scheme.name={name} is unknown; allowed: {', '.join(SCHEME_SCHEMAS)}")
    _check(scheme.mode in MODES, f"scheme.mode={scheme.mode} is unknown; allowed: {', '.join(MODES)}")
    _check_section(scheme, "scheme", unit=("participation", "initial_trust", "capacity_headroom",
                                           "funding_elasticity", "imitation_rate",
                                           "market_openness_cut"))
    if "meeting_interval_weeks" in scheme:
        _check(1 <= scheme.meeting_interval_weeks <= 39,
               f"scheme.meeting_interval_weeks={scheme.meeting_interval_weeks}; allowed: 1 to 39")
    if name == "families":
        _check(2 <= scheme.min_size <= scheme.max_size,
               f"scheme.min_size={scheme.min_size}, scheme.max_size={scheme.max_size}; allowed: "
               "2 <= min_size <= max_size")
    if name == "market":
        _check(scheme.choice_set >= 2,
               f"scheme.choice_set={scheme.choice_set}; allowed: an integer >= 2")
        for d in scheme.visible_domains:
            _check(d in domains, f"scheme.visible_domains has '{d}'; allowed: {', '.join(domains)}")


def as_plain(cfg: DictConfig) -> dict:
    """The resolved config as plain Python containers (for summary.json and repr)."""
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
