"""`python run.py bench dashboard`: filter changes replayed on every page through the real callback
endpoint (server time per page, uncached and cached, points per trace), and the time to a fully
drawn page in headless Chromium.

    figures = bench_dashboard(database_url, orders=1_000_000, seed=42)
    print(format_bench_dashboard(figures))

The database is the one `bench queries` uses (`dashboard.queries.bench.bench_database`): a fresh
temporary SQLite file, or a fresh database on the server of `database_url` (dropped afterwards),
filled with `orders` generated orders; `reuse=True` measures the data already at `database_url`.
Modules: changes (the filter changes), callbacks (which callbacks a page fires, their requests),
replay (server-side timing), payload (points per trace), browser (Chromium), report (the table).
"""
from __future__ import annotations

import os
import sys
from typing import Callable

from dashboard.bench.report import TARGETS, format_bench_dashboard

__all__ = ["bench_dashboard", "format_bench_dashboard", "TARGETS"]


def _stderr(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def bench_dashboard(database_url: str | None, *, orders: int, seed: int = 42, reuse: bool = False,
                    browser: bool = True, loads: int | None = None, cached_repeats: int | None = None,
                    max_changes: int | None = None, progress: Callable[[str], None] | None = _stderr) -> dict:
    """Measure every page on a bench database; return the figures (printing nothing but progress)."""
    from dashboard.app import create_app
    from dashboard.bench import browser as chromium
    from dashboard.bench.changes import MAX_CHANGES, filter_changes
    from dashboard.bench.replay import CACHED_REPEATS, Replayer, real_pages
    from dashboard.queries import engine as query_engine
    from dashboard.queries.bench import _data_range, bench_database, cpu_reference_s
    from dashboard.queries.filters import DIMENSIONS
    from dashboard.queries.options import known_values
    from schema.config import Settings
    from schema.db import backend, redact

    progress = progress or (lambda _message: None)
    with bench_database(database_url, orders_n=orders, seed=seed, reuse=reuse) as engine:
        url = engine.url.render_as_string(hide_password=False)
        app = create_app(Settings(database_url=url, cache_type="SimpleCache"))
        try:
            figures: dict = {"database": "temporary SQLite file" if backend(engine) == "sqlite" and not reuse else redact(url),
                             "backend": backend(engine), "orders": None if reuse else orders, "cpu_count": os.cpu_count(),
                             "targets": dict(TARGETS), "pages": {}}
            first, last = _data_range()
            values = {field: known_values(field) for field in DIMENSIONS}
            replayer = Replayer(app)
            figures["load_average_replay"], figures["cpu_reference_s"] = [_load()], [cpu_reference_s()]
            for page in real_pages():
                changes = filter_changes(page.get("filters"), first, last, values, limit=max_changes or MAX_CHANGES)
                figures["pages"][page["name"]] = replayer.page(
                    page, changes, cached_repeats=CACHED_REPEATS if cached_repeats is None else cached_repeats,
                    progress=progress)
            figures["load_average_replay"].append(_load())
            figures["cpu_reference_s"].append(cpu_reference_s())
            why_not = chromium.available() if browser else "not asked for"
            figures["browser"] = {"skipped": why_not, "loads": loads or chromium.LOADS}
            if why_not is None:
                figures["load_average_browser"] = [_load()]
                paths = {p["relative_path"]: p["name"] for p in real_pages()}
                timed = chromium.measure_pages(app, list(paths), loads=loads or chromium.LOADS, progress=progress)
                figures["load_average_browser"].append(_load())
                for path, got in timed.items():
                    figures["pages"][paths[path]]["browser"] = got
        finally:
            query_engine.get_engine().dispose()  # no connection left on the bench database before it is dropped
    return figures
