"""The benchmark script: it covers every scheme, judges the bars, and its JSON is complete."""

from __future__ import annotations

import json

from experiments import benchmark
from sim.schemes import SCHEMES


def test_default_schemes_are_every_registered_scheme():
    assert benchmark.scheme_names() == list(SCHEMES)


def _row(region, scheme, sim_s, peak):
    return {"region": region, "scheme": scheme, "simulation_s": sim_s, "peak_rss_bytes": peak}


def test_bars_pass_and_fail_on_the_slowest_scheme():
    rows = [_row("gm", "none", 0.1, 1e8), _row("gm", "families", 0.6, 1e8),
            _row("england", "none", 1.0, 2e8), _row("england", "trios", 4.0, 2 * 2**30)]
    verdicts = {(v["region"], v["bar"]): v for v in benchmark.judge(rows, years=10)}
    gm = verdicts[("gm", "simulation < 0.5 s")]
    assert not gm["pass"] and gm["worst_scheme"] == "families"
    assert verdicts[("england", "simulation < 5 s")]["pass"]
    memory = verdicts[("england", "peak memory < 1 GB")]
    assert not memory["pass"] and memory["worst_scheme"] == "trios"
    assert benchmark.judge(rows, years=5) == []  # the bars are for 10 years only


def test_small_run_writes_complete_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = benchmark.main(["--regions", "gm", "--schemes", "none", "--years", "1",
                           "--repeats", "1", "--mesa-weeks", "1", "--json", str(out)])
    assert code == 0
    results = json.loads(out.read_text())
    (run,) = results["runs"]
    assert run["scheme"] == "none" and run["n_schools"] == 1150 and run["weeks"] == 39
    assert run["setup_s"] > 0 and run["simulation_s"] > 0
    assert run["peak_rss_bytes"] >= run["rss_before_model_bytes"] > 0
    assert {r["variant"] for r in results["mesa_reference"]} == set(benchmark.MESA_VARIANTS)
    assert "gm" in capsys.readouterr().out


def test_unknown_scheme_is_a_one_line_error(capsys):
    assert benchmark.main(["--schemes", "nope"]) == 2
    assert "allowed:" in capsys.readouterr().err
