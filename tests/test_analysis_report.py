"""schoolsim-report: numbers match a direct computation, run counts, warnings, bad input."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import report
from analysis.compare import Estimate, comparison, difference
from analysis.sentences import BY_COLUMN, difference_sentence
from tests.analysis_helpers import write_sweep

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return write_sweep(tmp_path_factory.mktemp("sweep"), seeds=SEEDS)


@pytest.fixture
def text_only(monkeypatch):
    """Skip drawing the figures where a test reads only the text (drawing is most of the time)."""
    monkeypatch.setattr(report, "figures_block", lambda tables, baseline: "")


@pytest.fixture(scope="module")
def html(sweep, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert report.main([str(sweep), "-o", str(out)]) == 0
    return out.read_text()


def finals(sweep, scheme: str) -> pd.Series:
    """Gap at the end of each run of a scheme, by seed, read straight from the files."""
    return pd.Series({seed: pd.read_parquet(sweep / f"{scheme}_{seed}" / "metrics.parquet")
                      ["gap_months"].iloc[-1] for seed in SEEDS})


def test_numbers_match_a_direct_computation(sweep, html):
    trios, none = finals(sweep, "trios"), finals(sweep, "none")
    low, high = np.quantile(trios, [0.05, 0.95])
    diff = trios - none  # paired by seed
    d_low, d_high = np.quantile(diff, [0.05, 0.95])
    row = re.search(r"<td class=\"name\">trios</td><td>([^<]+)</td><td>([^<]+)</td>"
                    r"<td[^>]*>(\d+)</td><td[^>]*>([^<]+)</td><td>([^<]+)</td>", html)
    assert row is not None  # the first trios row is the overall gap
    assert row.group(1) == f"{trios.mean():.1f}"
    assert row.group(2) == f"{low:.1f} to {high:.1f}"
    assert row.group(3) == "3"
    k = BY_COLUMN["gap_months"].digits(diff.mean())
    assert float(row.group(4)) == pytest.approx(round(diff.mean(), k))
    lo, hi = (float(x) for x in row.group(5).split(" to "))
    assert (lo, hi) == (pytest.approx(round(d_low, k)), pytest.approx(round(d_high, k)))


def test_comparison_table_is_the_direct_computation(sweep):
    from analysis.load import load

    table = comparison(load(sweep).metrics, ["gap_months"], baseline="none")
    row = table.set_index("scenario").loc["market"]
    market, none = finals(sweep, "market"), finals(sweep, "none")
    assert row["mean"] == pytest.approx(market.mean())
    assert (row["low"], row["high"]) == pytest.approx(tuple(np.quantile(market, [0.05, 0.95])))
    assert row["diff_mean"] == pytest.approx((market - none).mean())
    assert row["diff_n"] == 3 and row["paired"]


def test_sentence_for_the_gap(sweep, html):
    diff = finals(sweep, "trios") - finals(sweep, "none")
    est = Estimate(diff.mean(), *np.quantile(diff, [0.05, 0.95]), n=3, paired=True)
    sentence = difference_sentence(BY_COLUMN["gap_months"], "trios", "none", est, years=2)
    assert sentence.startswith("After two years, trios ")
    assert sentence.endswith("compared with no partnership.")
    assert sentence.replace("'", "&#x27;") in html


def test_states_run_counts_and_warns_when_too_few(html):
    assert "9 runs of 3 scenarios" in html
    assert "Warning: too few runs" in html
    assert "none: 3 runs" in html
    assert "Based on 3 runs of each, paired by seed." in html


def test_no_warning_with_enough_runs(sweep, tmp_path, text_only):
    # Ten seeds per scenario, made by relabelling copies of one run (the warning depends
    # only on the count; twenty real runs would cost more time than they add).
    for scheme in ("none", "trios"):
        for seed in range(1, 11):
            copy = tmp_path / "runs" / f"{scheme}_{seed}"
            shutil.copytree(sweep / f"{scheme}_1", copy)
            summary = json.loads((copy / "summary.json").read_text())
            summary["seed"] = summary["config"]["seed"] = seed
            (copy / "summary.json").write_text(json.dumps(summary))
    out = tmp_path / "r.html"
    report.make_report([str(tmp_path / "runs")], out)
    text = out.read_text()
    assert "Warning: too few runs" not in text and "20 runs of 2 scenarios" in text


def test_self_contained(html):
    assert html.count("<img") >= 5
    assert 'src="data:image/png;base64,' in html
    assert not re.search(r"(src|href)=\"https?://", html)


def test_unpaired_difference_when_seeds_differ():
    finals_ = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "seed": [1, 2, 3, 4],
                            "value": [1.0, 2.0, 10.0, 20.0]})
    est = difference(finals_, "b", "a")
    assert not est.paired and est.n == 4
    assert est.mean == pytest.approx(np.mean([9, 8, 19, 18]))


def test_no_clear_difference_is_said_so():
    h = BY_COLUMN["gap_months"]
    unclear = difference_sentence(h, "trios", "none", Estimate(-0.1, -0.4, 0.3, 12, True), 5)
    assert "made no clear difference to the disadvantage gap" in unclear
    assert "0.4 months lower to 0.3 months higher" in unclear
    same = difference_sentence(h, "trios", "none", Estimate(0.0, 0.0, 0.0, 12, True), 5)
    assert "made no difference" in same


def test_baseline_absent_by_default_describes_levels(sweep, tmp_path, text_only):
    out = tmp_path / "r.html"
    report.make_report([str(sweep / "trios_1"), str(sweep / "market_1")], out)
    text = out.read_text()
    assert "No baseline scenario" in text and "Difference from" not in text


def test_other_baseline(sweep, tmp_path, text_only):
    out = tmp_path / "r.html"
    assert report.main([str(sweep), "-o", str(out), "--baseline", "market"]) == 0
    assert "Difference from market" in out.read_text()


@pytest.mark.parametrize("args, message", [
    (["{empty}"], r"no runs found in .*empty.*; allowed: run folders"),
    (["{sweep}", "--baseline", "families"],
     r"--baseline=families is not a scenario in these runs; allowed: market, none, trios"),
    (["{sweep}", "-o", "{missing}/r.html"], r"folder .*missing does not exist"),
])
def test_bad_input_is_one_line_and_writes_nothing(sweep, tmp_path, capsys, args, message):
    (tmp_path / "empty").mkdir()
    fill = {"empty": tmp_path / "empty", "sweep": sweep, "missing": tmp_path / "missing"}
    argv = [a.format(**fill) for a in args]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "r.html")]
    assert report.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("schoolsim-report: error: ")
    assert re.search(message, err)
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob(".*partial"))


def test_failure_while_writing_leaves_no_report(sweep, tmp_path, monkeypatch):
    out = tmp_path / "r.html"
    out.write_text("the previous report")

    def broken(*args, **kwargs):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(report, "figures_block", broken)
    with pytest.raises(RuntimeError):
        report.make_report([str(sweep)], out)
    assert out.read_text() == "the previous report"
    assert not list(tmp_path.glob(".*partial"))


def test_failed_jobs_are_reported(sweep, tmp_path, text_only):
    runs = tmp_path / "sweep"
    for name in ("none_1", "trios_1"):
        (runs / name).mkdir(parents=True)
        for f in (sweep / name).iterdir():
            (runs / name / f.name).write_bytes(f.read_bytes())
    (runs / "7" / ".hydra").mkdir(parents=True)
    out = tmp_path / "r.html"
    report.make_report([str(runs)], out)
    text = out.read_text()
    assert "1 job without outputs" in text and str(runs / "7") in text
    assert "2 runs of 2 scenarios" in text
