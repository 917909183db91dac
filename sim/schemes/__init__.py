"""Partnership schemes, chosen by name from the Hydra group `scheme`."""

from sim.schemes.base import MeetingPlan, Scheme
from sim.schemes.families import Families
from sim.schemes.leadership import Leadership
from sim.schemes.market import Market
from sim.schemes.mixed import Mixed
from sim.schemes.none import NoScheme
from sim.schemes.peer_review import PeerReview
from sim.schemes.trios import Trios
from sim.schemes.trusts import Trusts

SCHEMES: dict[str, type[Scheme]] = {
    "none": NoScheme,
    "trios": Trios,
    "families": Families,
    "market": Market,
    "leadership": Leadership,
    "peer_review": PeerReview,
    "trusts": Trusts,
    "mixed": Mixed,
}


def make_scheme(cfg) -> Scheme:
    return SCHEMES[cfg.name](cfg)


__all__ = ["SCHEMES", "MeetingPlan", "Scheme", "make_scheme"]
