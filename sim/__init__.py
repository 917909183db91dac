"""schoolsim: an agent-based simulation of school systems that move knowledge around.

    import sim
    result = sim.run(["scheme=families", "years=5"])
    result.metrics, result.schools, result.summary, result.config
"""

__version__ = "0.1.0"

from sim.errors import ConfigError  # noqa: E402
from sim.compose import compose_config  # noqa: E402
from sim.model import SchoolSystem  # noqa: E402
from sim.outputs import RunResult  # noqa: E402
from sim.run import run  # noqa: E402

__all__ = ["ConfigError", "RunResult", "SchoolSystem", "compose_config", "run", "__version__"]
