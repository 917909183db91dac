"""Structured configuration: the schema every Hydra config is checked against.

The schema is assembled from the components (`sim.component`): each scheme, policy lever,
shock and the inspection regime owns its parameter dataclass in its own module, and the
sections here are the model's core submodels (schools' starting state, improvement,
exchange, trust, attainment, meetings) and the run's own settings. Every field is declared
with `param(...)`, so its range, unit, label and description sit beside its default and
drive validation, `schoolsim --help`, the dashboard's controls and the ODD parameter table.

The dataclasses are registered in Hydra's ConfigStore; YAML files under `configs/` extend
them, which makes a typo'd key an error instead of a silently ignored value. `validate` then
checks every value against its metadata and the combinations metadata cannot express,
raising `ConfigError` with one line.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

# Importing the component packages registers their components (schemes, levers, shocks).
import sim.policies  # noqa: F401
import sim.schemes  # noqa: F401
import sim.shocks  # noqa: F401
from sim.component import check_params, component_class, param, registered, require
from sim.inspection import InspectionParams
from sim.metrics import OBJECTIVES
from sim.practices import PracticeConfig
from sim.pupils.year_end import PupilParams, validate_pupils
from sim.region import CsvRegionConfig, RealRegionConfig, RegionConfig, generator_for
from sim.schemes.base import SchemeParams
from sim.staff_moves import StaffMoveConfig

DOMAINS = ("teaching", "inclusion", "leadership", "curriculum")

_SHARE = dict(min=0, max=1, why="a share", unit="share")
_RATE = dict(min=0, max=5, why="a yearly rate; 5 closes almost all of a gap in a term",
             unit="per year")
_KM = dict(min=0, max=100, why="within a region about 100 km across", unit="km")


@dataclass
class SchoolConfig:
    """Initial state of schools (`sim.initial_state`)."""

    domains: list[str] = param(list(DOMAINS), label="Domains of practice")
    expertise_mean: float = param(0.5, min=0.001, max=0.999,
                                  why="expertise lies strictly between 0 and 1", unit="0-1",
                                  label="Mean starting expertise")
    expertise_sd: float = param(0.1, min=0, max=0.5, why="the widest spread of a share",
                                unit="0-1", label="Spread of starting expertise")
    # Expertise is lower where intake is more disadvantaged (units per unit share).
    expertise_deprivation_slope: float = param(
        0.25, min=0, max=1, why="expertise lies in 0-1", unit="per unit share",
        label="Expertise lower with deprivation")
    # Leadership days per term available for improvement work (in school or with partners).
    leadership_days_mean: float = param(8.0, min=0.1, max=65,
                                        why="from a tenth of a day to every day of a term", unit="days per term",
                                        label="Leadership days per term", step=0.5,
                                        help="Time a school's leaders have for improvement "
                                             "and partnership work.")
    leadership_days_sd: float = param(2.0, min=0, max=30, why="days in a term",
                                      unit="days per term", label="Spread of leadership days")
    leadership_days_deprivation_slope: float = param(
        3.0, min=0, max=65, why="days in a term", unit="days per unit share",
        label="Leadership days lower with deprivation")
    openness_mean: float = param(0.6, **_SHARE, label="Mean openness to partners")
    openness_sd: float = param(0.15, min=0, max=0.5, why="the widest spread of a share",
                               unit="0-1", label="Spread of openness")
    # Same-phase schools within this distance compete for pupils.
    competition_radius_km_primary: float = param(1.5, **_KM,
                                                 label="Competition radius (primary)")
    competition_radius_km_secondary: float = param(3.0, **_KM,
                                                   label="Competition radius (secondary)")
    # Other same-phase schools within the radius that make competition exposure one half.
    competition_half_count: float = param(4.0, min=0.1, max=100,
                                          why="a count of nearby schools", unit="schools",
                                          label="Competitors for half exposure")


@dataclass
class ImprovementConfig:
    """Within-school improvement, forgetting and staff turnover (`sim.improvement`)."""

    # In-school work: an assumption, set with `forgetting_rate` so that an average school's
    # equilibrium depth a / (a + b) is what it was before b was sourced (0.08 with 0.06).
    rate: float = param(0.147, **_RATE, label="In-school improvement rate")
    # Depth lost as the staff who use a practice leave the school: teachers leave their
    # school at about 14 % a year (DfE School Workforce Census: about 9 % leave the
    # state-funded sector and 4-8 % move to another state school each year; Smithers &
    # Robinson 2004: 13.6 % primary, 12.8 % secondary), so 0.14 / (1 + factor x mean
    # disadvantaged share 0.30) = 0.11. That a leaver's replacement starts without the
    # practice, and that staff who stay forget nothing more, are assumptions.
    forgetting_rate: float = param(0.11, **_RATE, label="Forgetting rate (staff turnover)")
    # Turnover and forgetting rise with disadvantaged share: rate * (1 + factor * share).
    turnover_deprivation_factor: float = param(1.0, min=0, max=10,
                                               why="at most eleven times the rate",
                                               unit="x per unit share",
                                               label="Turnover rise with deprivation")
    turnover_shock_probability: float = param(0.08, **_SHARE,
                                              label="Yearly chance of a turnover shock")
    turnover_shock_loss: float = param(0.15, **_SHARE,
                                       label="Expertise lost in a turnover shock")


@dataclass
class ExchangeConfig:
    """Practice moving between partners (`sim.exchange`, `sim.diffusion`)."""

    # Scale of the chance that a pair's discussed practice is taken up (`sim.diffusion`).
    learning_rate: float = param(0.12, min=0, max=10,
                                 why="a scale of a chance, which the kernel caps at 1",
                                 unit="per meeting", label="Learning rate per meeting")
    # Profile distance beyond which a partner's practice cannot be absorbed.
    max_distance: float = param(0.35, min=0.01, max=2,
                                why="profile distances lie in 0-2", unit="distance",
                                label="Largest absorbable profile distance")
    # Absorptive capacity = openness * (floor + (1 - floor) * own mean expertise).
    absorptive_floor: float = param(0.3, **_SHARE, label="Floor of absorptive capacity")
    # A practice must be in use at least this deeply to be shown to partners.
    share_depth: float = param(0.2, **_SHARE, label="Depth a practice is shown at")
    # Depth taken up relative to the source's: worked out together vs shown by a host.
    mutual_fidelity: float = param(0.8, **_SHARE, label="Fidelity of mutual adoption")
    copy_fidelity: float = param(0.5, **_SHARE, label="Fidelity of a copied practice")
    # Chance per mutual link meeting, per unit trust * distance * understanding, that the
    # partners create a new practice (a few per hundred partnerships a year).
    creation_rate: float = param(0.05, min=0, max=1, why="a probability", unit="probability",
                                 label="Chance of new practice per meeting")
    # Spread of a new practice's effectiveness (log-odds of the ceiling) between the most
    # different partners who can still understand each other; its mean falls by as much
    # (recombinant uncertainty, `sim.diffusion.recombined`). Assumption: about the starting
    # catalogue's spread of log-odds (0.58 at its defaults).
    novelty_spread: float = param(0.6, min=0, max=5, why="a spread of log-odds",
                                  unit="log-odds",
                                  label="Spread of new practice's effectiveness")
    effectiveness_ceiling: float = param(1.5, min=0.01, max=10,
                                         why="an effectiveness v (catalogue mean 0.35)",
                                         unit="v", label="Best effectiveness a practice can have")
    # Depth at which both partners hold a practice they created.
    creation_depth: float = param(0.3, **_SHARE, label="Depth of a new practice")
    # Pull of the broadcast summaries on every school (weak, no trust needed).
    broadcast_rate: float = param(0.01, **_SHARE, label="Pull of broadcast summaries")
    # How much competition exposure cuts openness to partners (0 none, 1 all).
    competition_openness_cut: float = param(0.3, **_SHARE,
                                            label="Openness lost to competition exposure")


@dataclass
class TrustConfig:
    """Trust on each partnership link (`sim.trust`)."""

    # Per meeting: T += growth * affinity * r * (1 - T), r = value of the joint work.
    growth: float = param(0.08, **_SHARE, label="Trust growth per valuable meeting")
    # r of a meeting where nothing moved (contact alone); each practice moved adds.
    contact_credit: float = param(0.05, **_SHARE, label="Worth of meeting alone")
    # Spread (sd, mean 1) of how readily each partnership builds trust (one value per group).
    affinity_sd: float = param(0.3, min=0, max=3, why="a spread around a mean of 1",
                               unit="sd", label="Spread of partnerships' affinity")
    # Fading per term of a link whose schools did not meet that term.
    decay_per_term: float = param(0.05, **_SHARE, label="Trust fading per term without contact")
    # Chance per year that a group faces a hard decision on priorities.
    hard_decision_rate: float = param(0.5, min=0, max=1, why="a probability",
                                      unit="probability", label="Yearly chance of a hard decision")
    # A group whose mean trust is at least the threshold holds and comes out stronger
    # (T += strengthen_gain (1 - T)); one below it breaks up with lapse_probability.
    lapse_threshold: float = param(0.35, min=0, max=1, why="trust is a share", unit="0-1",
                                   label="Trust a group needs to hold")
    lapse_probability: float = param(0.5, min=0, max=1, why="a probability",
                                     unit="probability",
                                     label="Chance an immature group breaks up")
    strengthen_gain: float = param(0.1, **_SHARE, label="Trust gained by a hard decision held")


@dataclass
class AttainmentConfig:
    """What schools add to attainment beyond their practice (pupils: `pupils.*`)."""

    # The persistent school effect: months a school adds over a whole phase, beside practice.
    school_effect_sd: float = param(1.5, min=0, max=24, why="at most two years of progress",
                                    unit="months", label="Spread of school effects")


_FACTOR = dict(min=0.01, max=1, why="online is never better than in person and "
               "never worthless", unit="x in person")


@dataclass
class MeetingsConfig:
    """Online meetings relative to in-person ones (`sim.policies`, `sim.model`)."""

    online_cost_factor: float = param(0.5, **_FACTOR, label="Cost of an online meeting")
    online_learning_factor: float = param(0.8, **_FACTOR, label="Learning in an online meeting")
    online_trust_factor: float = param(0.7, **_FACTOR, label="Trust built online")


DRAWN = -1   # posterior.index when the row is to be drawn from the seed


@dataclass
class PosteriorConfig:
    """Which posterior ensemble a run draws its calibrated settings from (none if empty;
    `sim.posterior` does the draw)."""

    ensemble: str = param("", label="Posterior ensemble (CSV)",
                          help="Parameter sets from schoolsim-calibrate; a path, absolute or "
                               "relative to the configs package (calibration/posterior.csv). "
                               "Empty: the settings as given.")
    index: int = param(DRAWN, min=DRAWN, max=1_000_000, why="a row of the ensemble",
                       label="Posterior row",
                       help="-1: drawn from the seed (the same seed, the same set); a row "
                            "number pins that set.")
    # Set by the run (sim.posterior), so the outputs say which settings came from the
    # ensemble and are not scenario settings (analysis.load).
    drawn: list[str] = param([], label="Settings drawn from the ensemble",
                             help="Set by the run: the settings it took from the ensemble.")


@dataclass
class OutputConfig:
    # "auto" shows a progress bar once a run has taken two seconds; true/false force it.
    # (Not metadata choices: the command line's false arrives as the text "False".)
    progress: str = param("auto", label="Progress bar",
                          help="auto, true or false; auto: shown once a run has taken two "
                               "seconds.")
    print_summary: bool = param(True, label="Print the headline table")
    # What the run returns to Hydra (its final value), for optimising sweepers (Optuna, ...).
    objective: str = param("gap_months", choices=OBJECTIVES, label="Objective for sweepers",
                           help="The metric whose final value the run returns to Hydra.")
    # Breadth-first searches behind each year's mean path length per network layer.
    path_samples: int = param(20, min=1, max=10000, why="at least one search",
                              unit="searches", label="Path-length samples")
    # Also write the final network (every layer, hubs included) as network.graphml.
    graphml: bool = param(False, label="Write network.graphml")


def _sections(kind: str, class_name: str) -> type:
    """A dataclass with one section per registered component of `kind`, in their order."""
    parts = [(name, cls.schema(), field(default_factory=cls.schema()))
             for name, cls in registered(kind).items()]
    return dataclasses.make_dataclass(class_name, parts)


# Policy levers (`sim.policies`), each with a time window (defaults change nothing), and
# shocks (`sim.shocks`), each off unless enabled.
PolicyConfig = _sections("policy", "PolicyConfig")
ShocksConfig = _sections("shock", "ShocksConfig")


@dataclass
class RunSettings:
    """The run's own settings (the top level of the config)."""

    seed: int = param(42, min=0, max=2**32 - 1, why="a numpy seed", label="Random seed",
                      help="The same seed gives the same region and draws, so two runs "
                           "differ only where the settings differ.")
    years: int = param(10, min=1, max=100, why="from one school year to a century",
                       unit="school years", label="School years to simulate", step=1)


@dataclass
class SimConfig(RunSettings):
    region: RegionConfig = MISSING
    scheme: SchemeParams = MISSING
    school: SchoolConfig = field(default_factory=SchoolConfig)
    improvement: ImprovementConfig = field(default_factory=ImprovementConfig)
    exchange: ExchangeConfig = field(default_factory=ExchangeConfig)
    practices: PracticeConfig = field(default_factory=PracticeConfig)
    staff_moves: StaffMoveConfig = field(default_factory=StaffMoveConfig)
    trust: TrustConfig = field(default_factory=TrustConfig)
    attainment: AttainmentConfig = field(default_factory=AttainmentConfig)
    pupils: PupilParams = field(default_factory=PupilParams)
    inspection: InspectionParams = field(default_factory=InspectionParams)
    meetings: MeetingsConfig = field(default_factory=MeetingsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)  # type: ignore[valid-type]
    shocks: ShocksConfig = field(default_factory=ShocksConfig)  # type: ignore[valid-type]
    output: OutputConfig = field(default_factory=OutputConfig)
    # calibration=posterior: each run draws its calibrated settings from the ensemble.
    posterior: PosteriorConfig = field(default_factory=PosteriorConfig)
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

# The core sections checked from their metadata (the components check their own).
CORE_SECTIONS = {"school": SchoolConfig, "improvement": ImprovementConfig,
                 "exchange": ExchangeConfig, "practices": PracticeConfig,
                 "staff_moves": StaffMoveConfig, "trust": TrustConfig,
                 "attainment": AttainmentConfig, "meetings": MeetingsConfig,
                 "output": OutputConfig, "posterior": PosteriorConfig}


def validate(cfg: DictConfig | SimConfig) -> None:
    """Raise ConfigError (one line) for a value outside its metadata's range, or a combination
    the model cannot use."""
    check_params(cfg, RunSettings, "")
    generator_for(cfg.region).check(cfg.region, "region", cfg)
    for name, schema in CORE_SECTIONS.items():
        check_params(cfg[name], schema, name)
    _validate_school(cfg.school)
    validate_pupils(cfg.pupils, len(cfg.school.domains))
    component_class("scheme", cfg.scheme.name, "scheme.name").check(cfg.scheme, "scheme", cfg)
    component_class("inspection", "graded", "inspection").check(cfg.inspection, "inspection",
                                                                 cfg)
    for name, cls in registered("policy").items():
        cls.check(cfg.policy[name], f"policy.{name}", cfg)
    for name, cls in registered("shock").items():
        cls.check(cfg.shocks[name], f"shocks.{name}", cfg)
    progress = str(cfg.output.progress).lower()
    require(progress in ("auto", "true", "false"),
            f"output.progress={cfg.output.progress} is not allowed; allowed: auto, true, false")


def _validate_school(school: Any) -> None:
    require(len(school.domains) >= 2 and len(set(school.domains)) == len(school.domains),
            f"school.domains={list(school.domains)}; allowed: two or more distinct names")
    require("inclusion" in school.domains,
            f"school.domains={list(school.domains)} lacks 'inclusion'; allowed: any list that "
            "includes inclusion")


def as_plain(cfg: DictConfig) -> dict:
    """The resolved config, or a section of it, as plain Python containers (for summary.json,
    repr and the kernels' fast namespaces)."""
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
