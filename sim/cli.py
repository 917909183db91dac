"""`schoolsim`: the Hydra command line.

    schoolsim                                  # default scenario (GM region, trios, 10 years)
    schoolsim scheme=market years=5 seed=3
    schoolsim -m scheme=none,trios,families,market seed=1,2,3   # a multirun sweep

Bad input (for a single run or a sweep, Hydra's options included) and a folder that cannot
be written end with one line on stderr, ``schoolsim: error: ...``, exit status 2, and no
output folder left behind (`sim.cli_input` checks the arguments before Hydra starts). A
policy lever set for a scheme it does not apply to runs, with one line
``schoolsim: note: ... changes nothing with scheme=...`` on stderr (see `sim.cli_input`).
Ctrl-C or SIGTERM stops a run promptly with one line, exit status 130 or 143: a single run
leaves no folder; a sweep's unfinished jobs are marked so that running it again resumes.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim import sweep_job
from sim.cli_input import check_arguments, sweep_values
from sim.compose import compose_config, refuse_schema_choices
from sim.config import as_plain
from sim.errors import ConfigError
from sim.headlines import headline_table
from sim.heap import tune_memory
from sim.run import run_config


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, so it unwinds as Ctrl-C does (clean-up runs)."""


def fail(message: str) -> None:
    print(f"schoolsim: error: {message}", file=sys.stderr)
    sys.exit(2)


@hydra.main(version_base="1.3", config_path="pkg://configs", config_name="config")
def app(cfg: DictConfig) -> float:
    """Run one job; return its objective (`output.objective`) for optimising sweepers."""
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    sweeping = HydraConfig.get().mode.name == "MULTIRUN"
    if sweeping and _resume_skips(out_dir, cfg):
        return objective(json.loads((out_dir / "summary.json").read_text()), cfg)
    try:
        from sim.config import validate

        refuse_schema_choices(HydraConfig.get().runtime.choices)
        validate(cfg)
        result = run_config(cfg)
        _write(result, out_dir)
    except ConfigError as exc:
        _discard(out_dir, exc)
        if sweeping:
            raise  # the other jobs go on; error.txt in the job folder names the error
        fail(str(exc))
    except BaseException as exc:
        stop = interrupt_behind(exc)
        _discard(out_dir, stop or exc)
        if stop is None:
            raise
        raise stop from None
    if sweeping:
        sweep_job.finish(out_dir)
    if cfg.output.print_summary and not sweeping:  # a sweep prints a line per job instead
        print(headline_table(result.summary))
        print(f"outputs: {out_dir}")
    return objective(result.summary, cfg)


def objective(summary: dict, cfg: DictConfig) -> float:
    """The final value of the metric `output.objective` names."""
    return float(summary["last"][cfg.output.objective])


def _write(result, out_dir: Path) -> None:
    """Write the outputs; a full disk or a folder taken away is one line naming the path."""
    try:
        result.write(out_dir, with_config=False)
    except OSError as exc:
        raise ConfigError(f"cannot write the outputs to {exc.filename or out_dir} "
                          f"({exc.strerror or exc}); allowed: a folder with room to write in") \
            from None


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM behind `exc`, if any. A library interrupted in its own work can
    raise an error of its own while the interrupt unwinds (numba, stopped while compiling a
    kernel into its cache, raises RuntimeError 'no compiled object yet'); the stop is what
    happened, so it is reported as a stop."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _discard(out_dir: Path, exc: BaseException) -> None:
    """Remove a single run's folder (Hydra already wrote .hydra/ there) on failure.

    In a multirun the job folder is kept, with the error in `error.txt`, so the failure can
    be inspected beside the others and `schoolsim-collect` lists it.
    """
    if HydraConfig.get().mode.name == "RUN":
        shutil.rmtree(out_dir, ignore_errors=True)
        _remove_empty_parents(out_dir)
    else:
        sweep_job.fail(out_dir, exc)


def _remove_empty_parents(path: Path) -> None:
    """Remove the folders Hydra made above a discarded run (outputs/<date>/), if now empty."""
    here = Path(HydraConfig.get().runtime.cwd).resolve()  # the cwd, even with job.chdir
    for parent in path.resolve().parents:
        if here not in parent.parents:
            break
        try:
            parent.rmdir()  # fails, and stops, at the first folder that holds anything
        except OSError:
            break


def _resume_skips(out_dir: Path, cfg: DictConfig) -> bool:
    """In a sweep, skip a job whose folder already holds its finished outputs (resume)."""
    try:
        sweep_job.check_finished(out_dir, as_plain(cfg))
    except sweep_job.BrokenJob as why:
        if (out_dir / sweep_job.SUMMARY_FILE).exists():
            print(f"schoolsim: {out_dir} has earlier outputs that cannot be reused ({why}); "
                  "running it again")
        sweep_job.start(out_dir)
        return False
    print(f"schoolsim: {out_dir} finished earlier with this config; skipped")
    return True


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


WITH_BASELINE = "--with-baseline"


def add_baselines(argv: list[str]) -> list[str]:
    """`--with-baseline`: the sweep's scenarios (`+scenario=a,b`, or `glob(...)` as Hydra
    expands it) are joined by the baseline each names (`scenario_baseline`), so both run on
    the same seeds in one sweep."""
    if WITH_BASELINE not in argv:
        return argv
    argv = [a for a in argv if a != WITH_BASELINE]
    if not {"-m", "--multirun"} & set(argv):
        fail(f"{WITH_BASELINE} runs a sweep; allowed: with -m "
             f"(schoolsim -m +scenario=NAME {WITH_BASELINE})")
    at = [i for i, a in enumerate(argv) if a.partition("=")[0] == "+scenario"]
    if not at:
        fail(f"{WITH_BASELINE} needs a scenario; allowed: with +scenario=NAME[,NAME...]")
    try:
        names = sweep_values(argv[at[0]])
    except ConfigError as exc:
        fail(str(exc))
    baselines = {name: _baseline(name) for name in names}
    for name, baseline in baselines.items():
        if not baseline and name not in baselines.values():
            fail(f"+scenario={name} names no baseline (scenario_baseline); allowed with "
                 f"{WITH_BASELINE}: a scenario that names one, or the baseline of another")
    argv[at[0]] = "+scenario=" + ",".join(dict.fromkeys([*names, *filter(None,
                                                                   baselines.values())]))
    return argv


def _baseline(scenario: str) -> str:
    """The scenario's baseline ("" when it names none)."""
    try:
        return str(compose_config([f"+scenario={scenario}"]).scenario_baseline or "")
    except ConfigError as exc:
        fail(str(exc))


def main() -> None:
    if any(a in ("--help", "-h") for a in sys.argv[1:]):
        # Every setting with its description, read from the field metadata (sim.parameters);
        # Hydra's own help stays under --hydra-help.
        from hydra import initialize_config_module

        from sim.compose import group_options
        from sim.parameters import help_text

        with initialize_config_module(config_module="configs", version_base="1.3"):
            groups = "\n".join(f"{g}: {', '.join(sorted(group_options(g)))}"
                                for g in ("calibration", "experiment", "region", "scenario",
                                          "scheme"))
        print(help_text(groups))
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    tune_memory()    # arrays reuse freed memory, in ordinary pages (sim.heap)
    sys.argv[1:] = add_baselines(sys.argv[1:])
    try:
        for note in check_arguments(sys.argv[1:]):
            print(f"schoolsim: note: {note}", file=sys.stderr)
        app()
    except ConfigError as exc:
        fail(str(exc))
    except KeyboardInterrupt as exc:
        how = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
        print(f"schoolsim: stopped by {how}; a single run leaves nothing, a sweep resumes when "
              "run again into its folder", file=sys.stderr)
        sys.exit(143 if isinstance(exc, Terminated) else 130)


if __name__ == "__main__":
    main()
