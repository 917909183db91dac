"""Console scripts of `experiments/`: each checks its pip extra before importing the tools."""

from __future__ import annotations

from sim.extras import require


def collect() -> int:
    require("schoolsim-collect", "experiments")
    from experiments.collect import main

    return main()


def sensitivity() -> int:
    require("schoolsim-sensitivity", "experiments")
    from experiments.sensitivity import main

    return main()


def validate() -> int:
    require("schoolsim-validate", "experiments")
    from experiments.validation.cli import main

    return main()


def calibrate() -> int:
    require("schoolsim-calibrate", "calibration")
    from experiments.calibration.cli import main

    return main()
