"""The stylised facts (issue 7) as declared checks: scenarios, measure, target, source.

A check names the scenarios it needs by *role* ("programme", "comparison", ...), each role
pointing at a named scenario in `SCENARIOS` (schoolsim overrides); `schoolsim-validate`
runs every scenario once per seed and hands each check its roles' tables (`measures`).

Pass rules (`rule`), over the seeds' values of the measure:
- ``mean``: the mean across seeds lies in the target band (quantitative facts);
- ``majority``: the mean lies in the band *and* more than half of the seeds do (directional
  facts, as in tests/test_patterns.py);
- ``all``: every seed lies in the band (facts that must hold by construction).
Seeds where a measure is undefined (NaN, e.g. no partnership outlived the funding) count
against ``majority`` and ``all``; a check with no defined value fails.

`calibrate: True` marks the quantitative targets `schoolsim-calibrate` fits; `centre` is
the target value the calibration loss aims at, `band`'s half-width its scale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from experiments.spec import SpecError
from experiments.validation import measures as m

RULES = ("mean", "majority", "all")
INF = float("inf")

# Named scenarios: schoolsim overrides (with the seed added per run).
SCENARIOS: dict[str, tuple[str, ...]] = {
    # Greater Manchester Challenge: three funded years (configs/scenario/gm_challenge.yaml).
    "gm_challenge_3y": ("+scenario=gm_challenge", "years=3"),
    "gm_challenge_8y": ("+scenario=gm_challenge", "years=8"),
    # England without the Challenge, 2008-11: school-led system leadership was the national
    # strategy (seed 001: "'strong' schools and 'system leaders' ... taking responsibility
    # for 'failing' schools"); no Families, no brokering, no funded programme.
    "england_leadership_3y": ("scheme=leadership", "years=3"),
    "none_3y": ("scheme=none", "years=3"),
    "none_8y": ("scheme=none", "years=8"),
    "pandemic_3y": ("+scenario=pandemic_recovery_alone", "years=3"),
    "no_pandemic_3y": ("+scenario=pandemic_recovery_alone", "years=3",
                       "shocks.pandemic.enabled=false"),
    "market_10y": ("scheme=market", "years=10"),
    "families_10y": ("scheme=families", "years=10"),
    "trios_mutual_10y": ("scheme=trios", "scheme.mode=mutual", "years=10"),
    "trios_one_way_10y": ("scheme=trios", "scheme.mode=one_way", "years=10"),
    "peer_review_3y": ("+scenario=spp_peer_review", "years=3"),
    "families_1y": ("scheme=families", "years=1"),
}

BRIEFING = "Briefing 2015 (seed 002), GM Challenge evaluation"
SPP = "SPP blog (seed 004), footnote: Ainscow 2015; Chapman & Hadfield 2010; Muijs et al. 2011"


@dataclass(frozen=True)
class Check:
    id: str
    fact: int
    title: str
    source: str
    target: str                       # the target as a reader should see it
    band: tuple[float, float]         # [low, high] for the pass rule
    measure: Callable = field(compare=False)
    roles: dict[str, str] = field(default_factory=dict, compare=False)
    unit: str = ""
    rule: str = "mean"
    definition: str = ""              # what exactly is measured
    note: str = ""                    # known limits of the check
    calibrate: bool = False
    centre: float | None = None

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(self.roles.values())

    def passes(self, values) -> bool:
        import numpy as np

        values = np.asarray(values, float)
        defined = values[~np.isnan(values)]
        if len(defined) == 0:
            return False
        lo, hi = self.band
        inside = (values >= lo) & (values <= hi)
        mean_ok = lo <= defined.mean() <= hi
        if self.rule == "mean":
            return bool(mean_ok)
        if self.rule == "majority":
            return bool(mean_ok and inside.sum() > len(values) / 2)
        return bool(inside.all())


def _p(fn, **kw):
    return functools.partial(fn, **kw)


CHECKS: tuple[Check, ...] = (
    Check("1", 1, "GM Challenge: the most disadvantaged schools improve about three times "
          "as much as similar schools without the programme", BRIEFING + " (\"schools "
          "serving the most disadvantaged communities had improved three times faster than "
          "equivalent schools across England\")",
          "about 3x (2 to 4)", (2.0, 4.0), m.disadvantaged_improvement_ratio,
          {"programme": "gm_challenge_3y", "comparison": "england_leadership_3y"}, "ratio",
          definition="Top fifth of schools by disadvantaged share at the start. Improvement: "
          "change in their mean attainment (months, weighted by roll) over the three funded "
          "years. Ratio: improvement under gm_challenge / improvement of the same schools, "
          "same seed, in England's business as usual of 2008-11 (system leadership alone: "
          "scheme=leadership, no Families, no brokering, no funded programme).",
          note="Against scheme=none the ratio is undefined: attainment is measured against a "
          "fixed national reference and the no-programme baseline is stationary, so similar "
          "schools there improve by 0 +/- cohort noise (seeds 1-4 before calibration: -0.25 "
          "to +0.22 months over three years, against +2.2 to +2.5 under the programme). The "
          "comparison stands in for England's business as usual, which the evidence compares "
          "against; the ratio is noisy per seed because the comparison's improvement is "
          "small (about 0.4-0.9 months).",
          calibrate=True, centre=3.0),
    Check("2a", 2, "Outstanding primaries over the programme: 17 % -> 22 %", BRIEFING,
          "+5 points (3 to 7)", (3.0, 7.0), _p(m.outstanding_change_points, phase="primary"),
          {"programme": "gm_challenge_3y"}, "percentage points",
          definition="Share of primary schools graded outstanding at the end of year 3 minus "
          "at the start (inspections every 4 years, weak schools every 2).",
          calibrate=True, centre=5.0),
    Check("2b", 2, "Outstanding secondaries over the programme: 12 % -> 18 %", BRIEFING,
          "+6 points (4 to 8)", (4.0, 8.0),
          _p(m.outstanding_change_points, phase="secondary"),
          {"programme": "gm_challenge_3y"}, "percentage points",
          definition="As 2a for secondary schools.", calibrate=True, centre=6.0),
    Check("2c", 2, "Outstanding primaries at the start: about 17 %", BRIEFING, "17 % (15 to 19)",
          (15.0, 19.0), _p(m.outstanding_start_percent, phase="primary"),
          {"programme": "gm_challenge_3y"}, "%",
          definition="Share of primary schools graded outstanding at the start."),
    Check("2d", 2, "Outstanding secondaries at the start: about 12 %", BRIEFING,
          "12 % (10 to 14)", (10.0, 14.0), _p(m.outstanding_start_percent, phase="secondary"),
          {"programme": "gm_challenge_3y"}, "%",
          definition="Share of secondary schools graded outstanding at the start."),
    Check("3a", 3, "Disadvantage gap at the end of primary: about 9-10 months",
          "Education Policy Institute (DESIGN.md)", "9 to 10 months", (9.0, 10.0),
          _p(m.initial_gap, phase="primary"), {"run": "none_3y"}, "months",
          definition="gap_months_primary at week 0 (other minus disadvantaged pupils, "
          "pupil-weighted over the region).", calibrate=True, centre=9.5),
    Check("3b", 3, "Disadvantage gap at the end of secondary: about 18-19 months",
          "Education Policy Institute (DESIGN.md)", "18 to 19 months", (18.0, 19.0),
          _p(m.initial_gap, phase="secondary"), {"run": "none_3y"}, "months",
          definition="gap_months_secondary at week 0.", calibrate=True, centre=18.5),
    Check("4a", 4, "Pandemic: disadvantaged pupils lose more (about 4.3 vs 3.7 months)",
          "EPI / Renaissance Learning, autumn 2020, primary maths (issue 7; sim/shocks.py)",
          "ratio 4.3 / 3.7 = 1.16 (1.08 to 1.25)", (1.08, 1.25), m.peak_loss_ratio,
          {"pandemic": "pandemic_3y"}, "ratio",
          definition="Peak (over term ends) of the pupil-weighted unrecovered loss of "
          "disadvantaged pupils over that of other pupils, pandemic_recovery_alone.",
          note="The losses are inputs (shocks.pandemic.loss_months_*); the check guards the "
          "recovery not undoing the difference before it is seen."),
    Check("4b", 4, "Pandemic: the disadvantage gap index rises by about a tenth",
          "DfE KS2 disadvantage gap index 2019 -> 2022, 2.91 -> 3.23 (issue 7)",
          "+10 % (7 to 13 %)", (0.07, 0.13), _p(m.gap_rise, phase="primary"),
          {"pandemic": "pandemic_3y", "no_pandemic": "no_pandemic_3y"}, "relative rise",
          definition="Primary gap at the first yearly results after the closure, with the "
          "pandemic over the same seed without it, minus 1.", calibrate=True, centre=0.10),
    Check("5a", 5, "A market ends more segregated than collaboration",
          "ECER 2022 (seed 001); Briefing 2015 (seed 002)", "market - families > 0",
          (0.0, INF), _p(m.end_difference, metric="segregation", a="market", b="families"),
          {"market": "market_10y", "families": "families_10y"}, "dissimilarity index",
          rule="majority", definition="Segregation (dissimilarity) at year 10, market minus "
          "Families of Schools, same seed."),
    Check("5b", 5, "A market ends with a wider spread between schools than collaboration",
          "Briefing 2015 (\"widening disparities\"); Think piece 4 (seed 003)",
          "market - families > 0", (0.0, INF),
          _p(m.end_difference, metric="between_school_sd", a="market", b="families"),
          {"market": "market_10y", "families": "families_10y"}, "months (sd)",
          rule="majority", definition="Between-school sd of attainment at year 10, market "
          "minus Families of Schools, same seed."),
    Check("6", 6, "Mutual learning beats host-as-teacher transfer in the long run",
          "Think piece 4 (seed 003), \"learning from differences\"", "mutual - one-way > 0",
          (0.0, INF),
          _p(m.end_difference, metric="expertise_mean", a="mutual", b="one_way"),
          {"mutual": "trios_mutual_10y", "one_way": "trios_one_way_10y"}, "expertise index",
          rule="majority", definition="Mean expertise at year 10, trios in mutual mode minus "
          "trios in one-way (host-as-teacher) mode, same seed."),
    Check("7a", 7, "Three funded years are too short: gains fade after funding stops",
          BRIEFING + " (\"three years too short\"); seed 001 (\"not always sustained\")",
          "share of the year-3 gain lost by year 8 > 0", (0.0, 1.0), m.gain_fade,
          {"programme": "gm_challenge_8y", "comparison": "none_8y"}, "share of gain",
          rule="majority", definition="Gain: school attainment under gm_challenge minus under "
          "scheme=none, same seed (cohort noise cancels), weighted by roll. Fade: 1 - gain at "
          "year 8 / gain at year 3 (funding ends at year 3)."),
    Check("7b", 7, "... less so where partnerships outlive the funding",
          BRIEFING + " (collaboration \"continued to be applied after it ended\")",
          "kept share (outliving) - kept share (stopped) > 0", (0.0, INF),
          m.retention_where_partnerships_outlive,
          {"programme": "gm_challenge_8y", "comparison": "none_8y"}, "share of gain",
          rule="majority", definition="Gain kept at year 8 (gain year 8 / gain year 3) by "
          "members of families still meeting at year 8 minus that of members of families "
          "that stopped. Undefined (NaN) in a seed where no family outlived the funding."),
    Check("8", 8, "Partnership effects are mixed: a sizeable share have no measurable effect",
          SPP + " (\"Some have been shown to make a difference ...; many have not\")",
          "30 % to 90 % of partnerships", (0.3, 0.9),
          _p(m.share_without_measurable_effect, kinds=("peer_review",)),
          {"programme": "peer_review_3y", "comparison": "none_3y"}, "share",
          definition="spp_peer_review clusters. A cluster's effect: its members' attainment "
          "change over 3 years minus the same schools' change under scheme=none, same seed. "
          "Measurable: |effect| >= 1.96 x the cohort noise of comparing two cohorts of its "
          "members (pupil_sd x sqrt(2 / cohort)).", calibrate=True, centre=0.6),
    Check("9a", 9, "Families of Schools: intake spread inside a family far below random "
          "groups", "Think piece 4 (seed 003); GM 2011 weights (DESIGN.md)",
          "ratio < 0.5", (0.0, 0.5), m.family_spread_ratio, {"families": "families_1y"},
          "ratio of sd", rule="all",
          definition="Pooled within-family sd of the intake index (prior attainment 0.66, "
          "deprivation 0.20, renormalised; EAL and mobility are not in the tables) over its "
          "sd within the phase, which random groups match on average."),
    Check("9b", 9, "Families of Schools: no two members in competition",
          "Think piece 4 (seed 003): \"not in direct competition\"", "0 pairs", (0.0, 0.0),
          m.family_competitor_pairs, {"families": "families_1y"}, "pairs", rule="all",
          definition="Member pairs of one family of the same phase closer than the phase's "
          "competition radius."),
)

FACTS = {
    1: "GM Challenge: the most disadvantaged schools improve ~3x as much",
    2: "GM Challenge: outstanding shares rise (primary 17->22 %, secondary 12->18 %)",
    3: "Initial disadvantage gap (9-10 months primary, 18-19 secondary)",
    4: "Pandemic: larger loss for the disadvantaged; gap index up by a tenth",
    5: "A market sorts pupils",
    6: "Mutual learning beats host-as-teacher transfer",
    7: "Three funded years are too short where trust has not formed",
    8: "Partnership effects are mixed",
    9: "Families of Schools: similar intakes, no competitors",
}


def select(facts: list[str] | None) -> tuple[Check, ...]:
    """Checks of the named facts ("1", "4") or check ids ("2a"); all when None.
    Raises SpecError (one line) naming an unknown value and what is allowed."""
    if not facts:
        return CHECKS
    allowed_facts = [str(f) for f in FACTS]
    allowed_ids = [c.id for c in CHECKS]
    chosen = []
    for item in facts:
        item = str(item).strip()
        if item in allowed_facts:
            chosen += [c for c in CHECKS if str(c.fact) == item]
        elif item in allowed_ids:
            chosen += [c for c in CHECKS if c.id == item]
        else:
            raise SpecError(f"fact={item} is unknown; allowed: {', '.join(allowed_facts)} "
                             f"or a check id ({', '.join(allowed_ids)})")
    seen: dict[str, Check] = {}
    for c in chosen:
        seen.setdefault(c.id, c)
    return tuple(seen.values())


for _c in CHECKS:  # declarations are checked once, at import
    assert _c.rule in RULES, _c.id
    assert all(s in SCENARIOS for s in _c.scenarios), _c.id
