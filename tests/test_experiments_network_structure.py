"""experiments.network_structure: measures per run and ranges per p from hand-made tables."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from experiments import network_structure as ns


@pytest.fixture
def collected(tmp_path):
    pd.DataFrame({"job": [0, 1, 2], "scheme.p": [0.0, 0.0, 1.0], "seed": [1, 2, 1],
                  "last_expertise_mean": [0.5, 0.7, 0.6],
                  "last_expertise_sd_between": [0.1, 0.3, 0.2],
                  "n_schools": [10, 10, 10]}).to_parquet(
        tmp_path / "runs.parquet")
    # job 0: two created practices (weeks 39 and 390: only the first counts as early) and a
    # starting one (origin -1, ignored); job 1: one early practice; job 2: none created.
    # Holdings at year 10: job 0 holds 40, 41 and 3 (domain 0) 4, 4 and 8 times and 9 (domain
    # 1, 5 times); job 1 holds 40 twice and 12 (domain 1) not at all; job 2 holds 3 and 4
    # (domain 0) 5 times each.
    pd.DataFrame({
        "job": [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
        "practice": [40, 40, 41, 3, 3, 9, 40, 40, 12, 3, 4],
        "domain": [0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
        "origin": [5, 5, 6, -1, -1, -1, 7, 7, -1, -1, -1],
        "created_week": [39, 39, 390, 0, 0, 0, 100, 100, 0, 0, 0],
        "year": [1, 10, 10, 1, 10, 10, 1, 10, 10, 10, 10],
        "holders": [2, 4, 4, 8, 8, 5, 2, 2, 0, 5, 5],
        "reach": [0.01, 0.04, 0.5, 0.5, 0.6, 0.5, 0.02, 0.08, 0.3, 0.5, 0.5],
    }).to_parquet(tmp_path / "diffusion.parquet")
    return tmp_path


def test_per_run_reads_the_final_year_of_early_created_practices(collected):
    runs = ns.per_run(collected)
    assert runs["p"].tolist() == [0.0, 0.0, 1.0] and runs["seed"].tolist() == [1, 2, 1]
    assert runs["early_reach"].tolist()[:2] == [0.04, 0.08]
    assert pd.isna(runs["early_reach"].iloc[2])
    assert runs["created"].tolist() == [2, 1, 0]
    # job 0: domain 0 shares 1/4, 1/4, 1/2 -> 1 - 3/8 = 0.625, domain 1 one practice -> 0,
    # mean 0.3125; job 1: one practice held -> 0; job 2: two equal shares -> 0.5
    assert runs["practice_diversity"].tolist() == pytest.approx([0.3125, 0.0, 0.5])
    # Pairs of the 10 schools (90 ordered pairs): practice p held by h schools is held by
    # both of a pair in h(h-1) of them and by one only in 2h(10-h). job 0 (h = 4, 4, 8, 5):
    # one only 48 + 48 + 32 + 50 = 178, both 12 + 12 + 56 + 20 = 100 -> 178 / 278; job 1
    # (h = 2, 0): 32 and 2 -> 32 / 34; job 2 (h = 5, 5): 100 and 40 -> 100 / 140. (Checked by
    # listing the 45 pairs of sets for jobs 0 and 2.)
    assert runs["between_school_difference"].tolist() == pytest.approx(
        [178 / 278, 32 / 34, 100 / 140])


def test_by_p_means_and_ranges_over_seeds(collected):
    table = ns.by_p(ns.per_run(collected)).set_index("p")
    assert table.loc[0.0, "seeds"] == 2 and table.loc[1.0, "seeds"] == 1
    assert table.loc[0.0, "expertise_mean_mean"] == pytest.approx(0.6)
    # 2.5 % and 97.5 % of (0.5, 0.7) by linear interpolation: 0.505 and 0.695
    assert table.loc[0.0, "expertise_mean_low"] == pytest.approx(0.505)
    assert table.loc[0.0, "expertise_mean_high"] == pytest.approx(0.695)
    assert table.loc[0.0, "early_reach_mean"] == pytest.approx(0.06)


def test_paired_with_lattice_differences_and_t_interval():
    seeds = [1, 2, 3]
    runs = pd.DataFrame({"p": [0.0] * 3 + [1.0] * 3, "seed": seeds * 2,
                         **{m: [0.0] * 6 for m in ns.MEASURES}})
    runs["expertise_mean"] = [0.5, 0.6, 0.7, 0.52, 0.58, 0.75]
    row = ns.paired_with_lattice(runs).set_index("measure").loc["expertise_mean"]
    # differences 0.02, -0.02, 0.05: mean 1/60, sd 0.0351188 (sum of squared deviations
    # 0.0024667 over 2), t(0.975, 2 dof) = 4.302653 -> half-width 4.302653 x 0.0351188 /
    # sqrt(3) = 0.087240
    assert row["difference"] == pytest.approx(1 / 60)
    assert row["low"] == pytest.approx(1 / 60 - 0.087240, abs=1e-6)
    assert row["high"] == pytest.approx(1 / 60 + 0.087240, abs=1e-6)
    assert row["seeds"] == 3 and row["seeds_above"] == 2


def second_sweep(path, seed: int, years: int = 10):
    """A one-run collected sweep at p = 1 (the fixture's job 2, renumbered as `seed`)."""
    path.mkdir()
    pd.DataFrame({"job": [0], "scheme.p": [1.0], "seed": [seed], "last_expertise_mean": [0.66],
                  "last_expertise_sd_between": [0.2], "n_schools": [10]}).to_parquet(
        path / "runs.parquet")
    pd.DataFrame({"job": [0, 0], "practice": [3, 4], "domain": [0, 0], "origin": [-1, -1],
                  "created_week": [0, 0], "year": [years, years], "holders": [5, 5],
                  "reach": [0.5, 0.5]}).to_parquet(path / "diffusion.parquet")
    return path


def test_main_reads_several_collected_sweeps_together(collected, tmp_path, capsys):
    more = second_sweep(tmp_path / "more", seed=2)
    figure = tmp_path / "fig.png"
    ns.main([str(collected), str(more), str(figure)])
    assert figure.exists()
    # p = 1 now has seeds 1 (0.6) and 2 (0.66) beside the lattice's 1 (0.5) and 2 (0.7): two
    # paired differences, 0.1 and -0.04: mean 0.03, sd 0.098995, t(0.975, 1 dof) = 12.706205
    # -> half-width 12.706205 x 0.098995 / sqrt(2) = 0.88943 (printed: measure, p, seeds,
    # difference, low, high, seeds above)
    out = capsys.readouterr().out
    assert re.search(r"expertise_mean\s+1\.0\s+2\s+0\.03000\s+-0\.85943\s+0\.91943\s+1\s",
                     out), out


@pytest.mark.parametrize("seed, years, says", [(1, 10, "p = 1.0, seed = 1"),
                                               (2, 30, "different years ([10, 30])")])
def test_main_refuses_a_run_given_twice_or_sweeps_of_different_lengths(
        collected, tmp_path, capsys, seed, years, says):
    more = second_sweep(tmp_path / "more", seed=seed, years=years)
    figure = tmp_path / "fig.png"
    with pytest.raises(SystemExit) as exit_:
        ns.main([str(collected), str(more), str(figure)])
    assert exit_.value.code == 2 and not figure.exists()
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1
