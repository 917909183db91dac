"""Partnership schemes, chosen by name from the Hydra group `scheme`.

Every module in this package is imported here, so each scheme registers itself (see
`sim.schemes.base`); adding a scheme is one module plus `configs/scheme/<name>.yaml`.
"""

import importlib
import pkgutil

from sim.component import REGISTRY
from sim.schemes.base import MeetingPlan, Scheme

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

# Every registered scheme class, by name (the registry's view of kind "scheme").
SCHEMES: dict[str, type[Scheme]] = REGISTRY["scheme"]


def make_scheme(params) -> Scheme:
    """The scheme a config section names, built from its (typed) parameters."""
    return SCHEMES[params.name](params)


__all__ = ["SCHEMES", "MeetingPlan", "Scheme", "make_scheme"]
