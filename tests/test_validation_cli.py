"""schoolsim-validate end to end on a small region, and its bad input."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from experiments.validation import cli


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "experiments.validation.cli", *args],
                          capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("args, message", [
    (["--facts", "12"], "fact=12 is unknown; allowed: 1, 2, 3"),
    (["--seeds", "x"], "--seeds=x is not understood"),
    (["--seeds", "5-2"], "--seeds=5-2 is not understood"),
    (["--override", "trust.nope=1"], "trust.nope"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, message):
    out = tmp_path / "report"
    with pytest.raises(SystemExit) as exit_:
        cli.main([*args, "-o", str(out)])
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("schoolsim-validate: error: ")
    assert message in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_console_script_fails_the_same_way(tmp_path):
    proc = run_cli("--facts", "0", "-o", str(tmp_path / "r"))
    assert proc.returncode == 2 and proc.stderr.startswith("schoolsim-validate: error: fact=0")
    assert list(tmp_path.iterdir()) == []


def test_parse_seeds():
    assert cli.parse_seeds("3") == [1, 2, 3]
    assert cli.parse_seeds("4-6") == [4, 5, 6]
    assert cli.parse_seeds("1,9") == [1, 9]


def test_report_for_two_facts_on_a_small_region(tmp_path):
    out, md = tmp_path / "v", tmp_path / "docs" / "validation.md"
    code = cli.main(["--facts", "3,4a", "--seeds", "2", "--n-jobs", "1", "-o", str(out),
                     "--markdown", str(md), "--override", "region.n_schools=150"])
    assert code == 0
    assert {p.name for p in out.iterdir()} == {"fact_3.png", "fact_4.png", "values.csv",
                                               "summary.csv", "validation.html"}
    text = md.read_text()
    assert "| Fact | Check | Kind | Source | Target | Model mean | 90 % interval |" in text
    assert "](../v/fact_3.png)" in text            # figure links relative to the Markdown
    values = pd.read_csv(out / "values.csv")
    assert sorted(values["check"].unique()) == ["3a", "3b", "4a"]
    assert len(values) == 3 * 2 and values["value"].notna().all()
    html = (out / "validation.html").read_text()
    assert "<table>" in html and "data:image/png;base64," in html
    # Deterministic: the same values again, in one process or two.
    again = tmp_path / "again"
    cli.main(["--facts", "3,4a", "--seeds", "2", "--n-jobs", "2", "-o", str(again),
              "--override", "region.n_schools=150"])
    pd.testing.assert_frame_equal(values, pd.read_csv(again / "values.csv"))


def test_a_runs_first_years_do_not_depend_on_how_long_it_goes_on():
    """Target 11 reads its comparison (none_3y) at year 2, as if it had stopped there: the
    results of a run's first years equal those of a shorter run, same seed."""
    from experiments.validation.runner import run_one

    small = ("region.n_schools=150",)
    longer = run_one("none_3y", 2, small)
    shorter = run_one("none_3y", 2, (*small, "years=2"))
    assert longer.results["year"].max() == 3 and shorter.results["year"].max() == 2
    first = longer.results[longer.results["year"] <= 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, shorter.results.reset_index(drop=True))
