"""`none`: no partnerships; every school improves and forgets on its own. The baseline."""

from sim.schemes.base import Scheme


class NoScheme(Scheme):
    name = "none"
