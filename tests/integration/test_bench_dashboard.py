"""dashboard.bench on a tiny run: every page is measured, server and browser figures are complete.

The bench builds the app (`create_app`, once per process: Dash pages register globally), so it runs
in a child process here; its figures come back as JSON."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dashboard.bench import format_bench_dashboard
from dashboard.bench.browser import available

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"Users", "Products", "Orders", "Campaigns", "Ad structure", "Ad performance"}

CHILD = textwrap.dedent("""
    import json, sys
    from dashboard.bench import bench_dashboard
    figures = bench_dashboard(None, orders=2000, seed=7, browser=sys.argv[2] == "1", loads=1, cached_repeats=1,
                              max_changes=2, progress=None)
    with open(sys.argv[1], "w") as out:
        json.dump(figures, out)
""")


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-dashboard") / "figures.json"
    browser = "1" if available() is None else "0"
    run = subprocess.run([sys.executable, "-c", CHILD, str(out), browser], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text())


def _positive(stats: dict) -> None:
    assert stats["samples"] > 0
    assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["max_ms"]


def test_every_page_is_replayed_through_the_callback_endpoint(figures):
    assert figures["backend"] == "sqlite" and figures["orders"] == 2000
    assert set(figures["pages"]) == PAGES
    for name, page in figures["pages"].items():
        assert page["errors"] == [], name
        assert page["callbacks"] >= 4, name  # KPIs or charts, plus the shell's filter counter
        assert page["shell_callbacks"] == 1, name
        assert page["changes"][0] == "all time" and page["changes"][-1] == "empty result"
        for key in ("uncached", "uncached_cpu", "cached", "cached_cpu"):
            _positive(page[key])
        assert page["max_points"] > 0, name  # every page draws at least one chart with data
        for label, cb in page["per_callback"].items():
            _positive(cb["uncached"])
            assert cb["datasets"] or label.startswith("shell:"), (name, label)


def test_browser_times_every_page(figures):
    if figures["browser"]["skipped"]:
        pytest.skip(f"no headless Chromium: {figures['browser']['skipped']}")
    for name, page in figures["pages"].items():
        timed = page["browser"]
        assert timed["timeouts"] == 0, name
        assert timed["cold_p50_ms"] > 0 and timed["warm_p50_ms"] > 0, name
        assert timed["graphs"] > 0, name


def test_the_report_names_every_page_and_the_targets(figures):
    text = format_bench_dashboard(figures)
    for name in PAGES:
        assert name in text
    assert "targets:" in text and "slowest callbacks" in text
