"""Build the bundled real primary-only school list (sim/data/trafford_primaries_2023.csv).

    python -m experiments.data.build_primary_list                # from ../shared/data
    python -m experiments.data.build_primary_list --source DIR --authority Trafford

The most common real extract a policy team holds is one authority's primaries. This writes
one, unchanged, from the DfE January 2023 school census (england_schools_2023.csv, Crown
copyright, Open Government Licence v3.0; attribution in sim/data/real/NOTICE.md): the rows of
the authority whose `PhaseOfEducation (name)` is Primary, in the ten Get Information About
Schools columns `region=csv` reads (`sim.region_csv`), in the file's order. `region=
trafford_primaries` runs it (CLI, report, dashboard); the model's Year 6 leave at 11.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from experiments.data.build_real_england import ROOT, SOURCE

GIAS_COLUMNS = 10     # the census file's first ten columns are GIAS's
OUT = ROOT / "sim" / "data" / "trafford_primaries_2023.csv"


def primaries(source: Path, authority: str) -> list[list[str]]:
    """The header and the authority's primary rows, first ten columns, as written."""
    with open(source / "england_schools_2023.csv", newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        la, phase = header.index("LA (name)"), header.index("PhaseOfEducation (name)")
        kept = [r[:GIAS_COLUMNS] for r in rows if r[la] == authority and r[phase] == "Primary"]
    if not kept:
        raise SystemExit(f"--authority {authority}: no primary school in the census; allowed: "
                         "an English local authority's name as the census spells it")
    return [header[:GIAS_COLUMNS], *kept]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--authority", default="Trafford")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = primaries(args.source, args.authority)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    print(f"{args.out}: {len(rows) - 1} primaries of {args.authority}")


if __name__ == "__main__":
    main()
