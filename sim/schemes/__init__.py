"""Partnership schemes, chosen by name from the Hydra group `scheme`."""

from sim.schemes.base import Scheme
from sim.schemes.families import Families
from sim.schemes.market import Market
from sim.schemes.none import NoScheme
from sim.schemes.trios import Trios

SCHEMES: dict[str, type[Scheme]] = {
    "none": NoScheme,
    "trios": Trios,
    "families": Families,
    "market": Market,
}


def make_scheme(cfg) -> Scheme:
    return SCHEMES[cfg.name](cfg)


__all__ = ["SCHEMES", "Scheme", "make_scheme"]
