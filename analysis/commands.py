"""Console scripts of `analysis/`: each checks its pip extra before importing the tools."""

from __future__ import annotations

from sim.extras import require


def report() -> int:
    require("schoolsim-report", "analysis")
    from analysis.report import main

    return main()
