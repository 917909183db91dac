"""`none`: no partnerships; every school improves and forgets on its own. The baseline."""

from dataclasses import dataclass

from sim.schemes.base import Scheme, SchemeParams


@dataclass
class NoneParams(SchemeParams):
    name: str = "none"


class NoScheme(Scheme):
    name = "none"
    Params = NoneParams
    combinable = False
