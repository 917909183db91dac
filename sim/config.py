"""Structured configuration: the schema every Hydra config is checked against.

Each submodel owns one dataclass here, so its parameters sit together in the YAML
(`improvement.rate`, `exchange.learning_rate`, ...). The dataclasses are registered in
Hydra's ConfigStore; YAML files under `configs/` extend them, which makes a typo'd key
an error instead of a silently ignored value. `validate` then checks ranges and the
combinations a schema cannot express, raising `ConfigError` with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

import sim.schemes  # noqa: F401  (registers every scheme)
from sim.component import component_class, registered
from sim.errors import ConfigError
from sim.metrics import OBJECTIVES
from sim.schemes.base import MEETING_MODES, SchemeParams

DOMAINS = ("teaching", "inclusion", "leadership", "curriculum")


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
    fsm_concentration: float = 15.0
    # How strongly deprivation falls with distance from a local authority's centre.
    deprivation_gradient: float = 0.6
    # Spread of deprivation between local authorities (sd of a logit shift).
    la_deprivation_sd: float = 0.35
    primary_pupils_mean: float = 280.0
    secondary_pupils_mean: float = 1000.0
    pupils_cv: float = 0.35


@dataclass
class CsvRegionConfig(RegionConfig):
    """A region read from a school list in Get Information About Schools columns
    (`sim.region_csv`). The synthetic keys above are not used, except the ones that
    describe what a school list lacks (none at present)."""

    name: str = "csv"
    # A GIAS-style CSV. Relative paths are looked up from the working directory, then in
    # the bundled data folder (sim/data), so the default is the made-up sample.
    path: str = "gias_sample.csv"
    # Side of the square grid cells that group schools into neighbourhoods.
    neighbourhood_km: float = 1.5


@dataclass
class RealRegionConfig(RegionConfig):
    """Real schools and neighbourhoods of England from public data (`sim.region_real`).
    The synthetic keys above are not used."""

    name: str = "england_real"
    # Local authorities by name (as in the 2023 school census); empty means all of England.
    local_authorities: list[str] = field(default_factory=list)


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
    # Other same-phase schools within the radius that make competition exposure one half.
    competition_half_count: float = 4.0


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
    # Partners closer than this profile distance have little new to offer each other.
    novelty_distance: float = 0.1
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
class InspectionConfig:
    """Inspection grades (`sim.inspection`), judged from school mean attainment (months)."""

    interval_years: float = 4.0
    # Schools graded requires improvement or inadequate are re-inspected sooner.
    interval_years_weak: float = 2.0
    # Inspectors' judgement noise, months.
    noise_months: float = 2.0
    # Judged attainment (months vs national) at or above which a school is outstanding /
    # good; below `inadequate_months` it is inadequate, else requires improvement.
    # Calibrated on the gm region at the start (seeds 1-10) to about 2008-09 shares:
    # primary 17 % outstanding, 52 % good, 27 % requires improvement (then "satisfactory"),
    # 4 % inadequate; secondary 12 / 44 / 34 / 10 %.
    outstanding_months_primary: float = 4.4
    good_months_primary: float = -2.1
    inadequate_months_primary: float = -8.8
    outstanding_months_secondary: float = 7.0
    good_months_secondary: float = -0.3
    inadequate_months_secondary: float = -9.2


@dataclass
class MeetingsConfig:
    """Online meetings relative to in-person ones (`sim.policies`, `sim.model`)."""

    online_cost_factor: float = 0.5
    online_learning_factor: float = 0.8
    online_trust_factor: float = 0.7


@dataclass
class WindowConfig:
    """A lever's time window in school years from the start; null end: to the end of the run."""

    start_year: float = 0.0
    end_year: Optional[float] = None


@dataclass
class FundingPolicyConfig(WindowConfig):
    # When funding ends, groups whose mean trust is below this stop meeting.
    sustain_trust: float = 0.5
    # Share of meeting days paid back (supply cover) while funded.
    backfill: float = 0.0


@dataclass
class BrokeringPolicyConfig(WindowConfig):
    # (Not "on": YAML reads a bare `on` key as true.)
    enabled: bool = True
    # Without brokering: share of groups that form, cut in starting trust, lapse factor.
    formation_success: float = 0.6
    trust_cut: float = 0.4
    lapse_factor: float = 2.0


@dataclass
class AccountabilityPolicyConfig(WindowConfig):
    # Inspection interval during the window (null: inspection.interval_years).
    interval_years: Optional[float] = None
    # Openness lost after an inadequate grade (half of it after requires improvement).
    grade_openness_cut: float = 0.0


@dataclass
class LeadershipTimePolicyConfig(WindowConfig):
    # Multiplies every school's leadership days.
    days_factor: float = 1.0
    # Most days per term a school may spend in partnership meetings (null: no cap).
    collaboration_cap_days: Optional[float] = None


@dataclass
class MeetingModePolicyConfig(WindowConfig):
    # "scheme": each scheme's own mode; or "online" / "in_person" for every group.
    mode: str = "scheme"
    # Multiplies every group's meeting interval (0.5: twice as often).
    interval_factor: float = 1.0


@dataclass
class BroadcastPolicyConfig(WindowConfig):
    # null: each scheme's own setting; true/false forces summaries on or off.
    enabled: Optional[bool] = None


@dataclass
class PolicyConfig:
    """Policy levers (`sim.policies`), each with a time window. Defaults change nothing."""

    funding: FundingPolicyConfig = field(default_factory=FundingPolicyConfig)
    brokering: BrokeringPolicyConfig = field(default_factory=BrokeringPolicyConfig)
    accountability: AccountabilityPolicyConfig = field(default_factory=AccountabilityPolicyConfig)
    leadership_time: LeadershipTimePolicyConfig = field(default_factory=LeadershipTimePolicyConfig)
    meetings: MeetingModePolicyConfig = field(default_factory=MeetingModePolicyConfig)
    broadcast: BroadcastPolicyConfig = field(default_factory=BroadcastPolicyConfig)


@dataclass
class PandemicConfig:
    """School closure and recovery (`sim.shocks`)."""

    enabled: bool = False
    start_year: float = 2.0
    closure_weeks: int = 24
    # Learning lost by the end of the closure, months (primary maths, autumn 2020).
    loss_months_disadvantaged: float = 4.3
    loss_months_other: float = 3.7
    # Share of leadership time lost during the closure.
    leadership_time_cut: float = 0.5
    meetings_online: bool = True
    # Yearly share of the loss recovered at reference expertise (scales with expertise).
    recovery_rate: float = 0.4


@dataclass
class ShocksConfig:
    pandemic: PandemicConfig = field(default_factory=PandemicConfig)


@dataclass
class OutputConfig:
    # "auto" shows a progress bar once a run has taken two seconds; true/false force it.
    progress: str = "auto"
    print_summary: bool = True
    # What the run returns to Hydra (its final value), for optimising sweepers (Optuna, ...).
    objective: str = "gap_months"


@dataclass
class SimConfig:
    seed: int = 42
    years: int = 10
    region: RegionConfig = MISSING
    scheme: SchemeParams = MISSING
    school: SchoolConfig = field(default_factory=SchoolConfig)
    improvement: ImprovementConfig = field(default_factory=ImprovementConfig)
    exchange: ExchangeConfig = field(default_factory=ExchangeConfig)
    trust: TrustConfig = field(default_factory=TrustConfig)
    attainment: AttainmentConfig = field(default_factory=AttainmentConfig)
    inspection: InspectionConfig = field(default_factory=InspectionConfig)
    meetings: MeetingsConfig = field(default_factory=MeetingsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    shocks: ShocksConfig = field(default_factory=ShocksConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    # Set by a `scenario` config (configs/scenario/); empty for plain runs.
    scenario_name: str = ""
    # The scenario this one is compared with (`schoolsim -m +scenario=X --with-baseline`).
    scenario_baseline: str = ""


def scheme_schemas() -> dict[str, type]:
    """The config dataclass of every registered scheme, by name."""
    return {name: cls.schema() for name, cls in registered("scheme").items()}


def register_configs() -> None:
    """Put the schemas in Hydra's ConfigStore; YAML files name them in their defaults."""
    cs = ConfigStore.instance()
    cs.store(name="sim_schema", node=SimConfig)
    cs.store(group="region", name="region_schema", node=RegionConfig)
    cs.store(group="region", name="region_csv_schema", node=CsvRegionConfig)
    cs.store(group="region", name="region_real_schema", node=RealRegionConfig)
    for name, schema in scheme_schemas().items():
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
                   unit=("absorptive_floor", "creation_step", "competition_openness_cut",
                         "creation_rate", "broadcast_rate"))
    _positive(cfg.exchange.max_distance, "exchange.max_distance")
    _positive(cfg.school.competition_half_count, "school.competition_half_count")
    _check_section(cfg.trust, "trust", unit=tuple(cfg.trust.keys()))
    _validate_attainment(cfg.attainment, len(cfg.school.domains))
    _validate_scheme(cfg.scheme, cfg)
    # Sections added by the schemes/policies/shocks work; absent from hand-built configs.
    if "inspection" in cfg:
        _validate_inspection(cfg.inspection)
    if "meetings" in cfg:
        _check_section(cfg.meetings, "meetings", unit=tuple(cfg.meetings.keys()))
        for key, value in cfg.meetings.items():
            _positive(value, f"meetings.{key}")
    if "policy" in cfg:
        _validate_policy(cfg.policy)
    if "shocks" in cfg:
        _validate_pandemic(cfg.shocks.pandemic)
    progress = str(cfg.output.progress).lower()
    _check(progress in ("auto", "true", "false"),
           f"output.progress={cfg.output.progress} is not allowed; allowed: auto, true, false")
    _check(cfg.output.objective in OBJECTIVES,
           f"output.objective={cfg.output.objective} is unknown; allowed: {', '.join(OBJECTIVES)}")


def _validate_region(region: Any) -> None:
    if "local_authorities" in region:  # real schools (sim.region_real)
        from sim.region_real import chosen_authorities

        chosen_authorities(region.local_authorities)
        return
    if "path" in region:  # a school list: sizes come from the file (sim.region_csv)
        _check(bool(str(region.path).strip()),
               "region.path is empty; allowed: the path of a school-list CSV")
        from sim.region_csv import resolve_path

        resolve_path(str(region.path))
        _positive(region.neighbourhood_km, "region.neighbourhood_km")
        return
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
    _check(0 < school.expertise_mean < 1,
           f"school.expertise_mean={school.expertise_mean}; allowed: between 0 and 1")
    _positive(school.leadership_days_mean, "school.leadership_days_mean")


def _validate_attainment(att: Any, n_domains: int) -> None:
    for key in ("weights_disadvantaged", "weights_other"):
        weights = list(att[key])
        _check(len(weights) == n_domains,
               f"attainment.{key} has {len(weights)} weights; allowed: one per domain ({n_domains})")
        _check(all(w >= 0 for w in weights) and abs(sum(weights) - 1) < 1e-9,
               f"attainment.{key}={weights}; allowed: non-negative weights summing to 1")
    _check_section(att, "attainment", unit=("reference_expertise",))


def _validate_scheme(scheme: Any, cfg: Any) -> None:
    component_class("scheme", scheme.name, "scheme.name").check(scheme, "scheme", cfg)


def _validate_inspection(ins: Any) -> None:
    _check_section({k: v for k, v in ins.items() if "_months_" not in k}, "inspection")
    for key in ("interval_years", "interval_years_weak"):
        _positive(ins[key], f"inspection.{key}")
    for phase in ("primary", "secondary"):
        o, g, i = (ins[f"{k}_months_{phase}"] for k in ("outstanding", "good", "inadequate"))
        _check(o > g > i, f"inspection thresholds for {phase}: outstanding={o}, good={g}, "
               f"inadequate={i}; allowed: outstanding > good > inadequate")


def _window(node: Any, prefix: str) -> None:
    _non_negative(node.start_year, f"{prefix}.start_year")
    if node.end_year is not None:
        _check(node.end_year > node.start_year,
               f"{prefix}.end_year={node.end_year} is not after {prefix}.start_year="
               f"{node.start_year}; allowed: null or a year > start_year")


def _validate_policy(pol: Any) -> None:
    for name in pol.keys():
        _window(pol[name], f"policy.{name}")
    _in_unit(pol.funding.sustain_trust, "policy.funding.sustain_trust")
    _in_unit(pol.funding.backfill, "policy.funding.backfill")
    for key in ("formation_success", "trust_cut"):
        _in_unit(pol.brokering[key], f"policy.brokering.{key}")
    _check(pol.brokering.lapse_factor >= 1,
           f"policy.brokering.lapse_factor={pol.brokering.lapse_factor}; allowed: a number >= 1")
    if pol.accountability.interval_years is not None:
        _positive(pol.accountability.interval_years, "policy.accountability.interval_years")
    _in_unit(pol.accountability.grade_openness_cut, "policy.accountability.grade_openness_cut")
    _non_negative(pol.leadership_time.days_factor, "policy.leadership_time.days_factor")
    if pol.leadership_time.collaboration_cap_days is not None:
        _non_negative(pol.leadership_time.collaboration_cap_days,
                      "policy.leadership_time.collaboration_cap_days")
    allowed = ("scheme",) + MEETING_MODES
    _check(pol.meetings.mode in allowed,
           f"policy.meetings.mode={pol.meetings.mode} is unknown; allowed: {', '.join(allowed)}")
    _check(0 < pol.meetings.interval_factor <= 13,
           f"policy.meetings.interval_factor={pol.meetings.interval_factor}; allowed: "
           "a number > 0 and <= 13")


def _validate_pandemic(pan: Any) -> None:
    _non_negative(pan.start_year, "shocks.pandemic.start_year")
    _check(1 <= pan.closure_weeks <= 78,
           f"shocks.pandemic.closure_weeks={pan.closure_weeks}; allowed: 1 to 78")
    _check_section(pan, "shocks.pandemic", unit=("leadership_time_cut",))
    _check(pan.recovery_rate <= 5,
           f"shocks.pandemic.recovery_rate={pan.recovery_rate}; allowed: 0 to 5 per year")


def as_plain(cfg: DictConfig) -> dict:
    """The resolved config, or a section of it, as plain Python containers (for summary.json,
    repr and the kernels' fast namespaces)."""
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
