"""Exports: a run's tables (Parquet or CSV) and its figures (interactive HTML charts and
PNG network maps), each as one zip file.

The tables are the same files `schoolsim` writes (metrics, schools, partnerships,
summary.json, config.yaml), so a run made in the browser can be read by `analysis/` like
any other.
"""

from __future__ import annotations

import io
import zipfile

from sim.dashboard import charts
from sim.dashboard.runner import Snapshot
from sim.outputs import RunResult


def tables_zip(result: RunResult, fmt: str = "parquet") -> bytes:
    """metrics, schools and partnerships as Parquet or CSV, with summary.json and config.yaml."""
    files = result.files(fmt)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def figures_zip(current: Snapshot, baseline: Snapshot | None = None, dpi: int = 150) -> bytes:
    """charts.html (the interactive charts, offline) and network.png (and
    network_baseline.png when a baseline is pinned)."""
    runs = [r for r in (baseline, current) if r is not None]
    html = charts.charts_html({"gap": charts.gap_figure(runs, baseline),
                               "attainment": charts.attainment_figure(runs, baseline),
                               "expertise": charts.expertise_figure(runs, baseline)})
    maps = {"network.png": charts.network_figure(current, baseline)}
    if baseline is not None:
        maps["network_baseline.png"] = charts.network_figure(baseline, baseline)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("charts.html", html)
        for name, fig in maps.items():
            zf.writestr(name, charts.to_png(fig, dpi=dpi))
    return buffer.getvalue()


def file_stem(run: Snapshot) -> str:
    return f"schoolsim_run{run.number}"
