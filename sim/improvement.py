"""Within-school improvement, forgetting and staff turnover.

Sources: the seed documents hold that expertise already exists inside schools and that
within-school strategies improve practice slowly on their own (Ainscow, think piece 4);
staff turnover is higher in schools serving disadvantaged communities, so practice is lost
faster there (the disadvantaged schools "lost most" and have least capacity). The
forgetting rate b is the loss of a practice's users as teachers leave: about 14 % of a
school's teachers leave it each year (DfE School Workforce Census: about 9 % leave the
state-funded sector and 4-8 % move to another state school; Smithers & Robinson 2004,
Teacher Turnover, Wastage and Movements between Schools, DfES RR640: 13.6 % primary, 12.8 %
secondary); at the mean disadvantaged share, 0.30, `forgetting_rate` 0.11 gives that.

Per term, each domain follows dE/dt = a (1 - E) - b E, solved exactly over the term so it
stays in [0, 1]:
    a = rate * resource,  resource = funding * (leadership days left) / (mean days)
    b = forgetting_rate * (1 + turnover_deprivation_factor * disadvantaged share)
    E(t + dt) = E* + (E - E*) exp(-(a + b) dt),  E* = a / (a + b)
Since issue 12 the equation acts on the implementation depth of each practice a school
holds (`sim.practices`); key staff leaving, with the practice they carry, is
`sim.staff_moves`.
"""

from __future__ import annotations

import numpy as np


def improvement_resource(leadership_days, days_used, funding, mean_days: float) -> np.ndarray:
    """Leadership time left for in-school work this term, relative to the average school."""
    return funding * np.maximum(leadership_days - days_used, 0.0) / mean_days


def improve_and_forget(expertise, resource, disadvantaged_share, cfg, dt_years: float):
    """Exact solution of the linear improvement/forgetting equation over `dt_years`."""
    a = (cfg.rate * resource)[:, None]
    b = (cfg.forgetting_rate * (1 + cfg.turnover_deprivation_factor * disadvantaged_share))[:, None]
    total = a + b
    safe = np.where(total > 0, total, 1.0)
    equilibrium = np.where(total > 0, a / safe, expertise)
    return equilibrium + (expertise - equilibrium) * np.exp(-total * dt_years)
