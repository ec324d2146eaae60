"""Server-side replay: a filter change on every page, POSTed to the real callback endpoint.

For each page and each filter change, every callback the change fires is sent, one after the other,
the same body the browser sends (`callbacks.PageCallback.payload`), through Flask's test client (the
full Flask + Dash dispatch, JSON encoding included; no network). The page's time is the SUM of its
callbacks' times: the browser fires them together, but on 2 cores and one Python process they
cannot all run at once, so the sum is what a page costs the server.

Uncached: the query cache is cleared before each change. Cached: the same change again.
"""
from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from typing import Callable, Mapping

import dash

from dashboard.bench.callbacks import DEPENDENCIES_PATH, UPDATE_PATH, PageCallback, filter_callbacks, layout_values
from dashboard.bench.payload import response_shape
from dashboard.components.state import FILTERS_STORE, THEME_STORE
from dashboard.queries import cache
from dashboard.queries.bench import _stats

CACHED_REPEATS = 3


def real_pages() -> list[Mapping]:
    """The registered pages a user can open (not the 404 page)."""
    return [p for p in dash.page_registry.values() if p.get("module") != "not_found_404"
            and p.get("relative_path") not in ("/404", None)]


@contextlib.contextmanager
def dataset_timer(log: list):
    """Record (dataset name, wall ms, CPU ms) for every dataset a callback loads (cached or not)."""
    from dashboard.queries import catalogue

    original = catalogue.run_dataset

    def timed(name, *args, **kwargs):
        c0, t0 = time.process_time(), time.perf_counter()
        try:
            return original(name, *args, **kwargs)
        finally:
            log.append((name, (time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0))

    catalogue.run_dataset = timed
    try:
        yield log
    finally:
        catalogue.run_dataset = original


class Replayer:
    def __init__(self, app: dash.Dash, theme: str = "light"):
        self.app, self.theme = app, theme
        self.client = app.server.test_client()
        self.client.get("/")  # the first request sets Dash up (page callbacks are taken then)
        self.dependencies = self.client.get(DEPENDENCIES_PATH).get_json()
        with app.server.test_request_context("/"):
            shell = app.layout() if callable(app.layout) else app.layout
        self.shell_ids, self.shell_values = layout_values(shell)

    def page_setup(self, page: Mapping):
        with self.app.server.test_request_context(page["relative_path"]):
            layout = page["layout"]() if callable(page["layout"]) else page["layout"]
        ids, values = layout_values(layout)
        return filter_callbacks(self.dependencies, ids, self.shell_ids), {**self.shell_values, **values}

    def fire(self, cb: PageCallback, values: Mapping) -> tuple[float, dict, str | None]:
        """(ms, response JSON or {}, error text) of one callback request."""
        t0 = time.perf_counter()
        response = self.client.post(UPDATE_PATH, json=cb.payload(values))
        ms = (time.perf_counter() - t0) * 1000.0
        if response.status_code == 204:  # PreventUpdate / no_update everywhere
            return ms, {}, None
        if response.status_code != 200:
            return ms, {}, f"{cb.label}: HTTP {response.status_code} {response.get_data(as_text=True)[:200]}"
        return ms, response.get_json(), None

    def page(self, page: Mapping, changes: Mapping, *, cached_repeats: int = CACHED_REPEATS,
             progress: Callable[[str], None] | None = None) -> dict:
        found, base_values = self.page_setup(page)
        per_cb = {cb.label: defaultdict(list) for cb in found.callbacks}
        totals = defaultdict(list)
        shape = {"max_points": 0, "grid_rows": 0}
        errors: list[str] = []
        for label, filters in changes.items():
            values = {**base_values, f"{FILTERS_STORE}.data": filters.to_query(), f"{THEME_STORE}.data": self.theme}
            for run in ["uncached"] + ["cached"] * cached_repeats:
                if run == "uncached":
                    cache.clear_results()
                total, c0 = 0.0, time.process_time()
                for cb in found.callbacks:
                    log: list = []
                    c1 = time.process_time()
                    with dataset_timer(log):
                        ms, body, error = self.fire(cb, values)
                    total += ms
                    per_cb[cb.label][run].append(ms)
                    per_cb[cb.label][f"{run}_cpu"].append((time.process_time() - c1) * 1000.0)
                    per_cb[cb.label][f"{run}_query"].append(sum(t for _, t, _ in log))
                    per_cb[cb.label][f"{run}_query_cpu"].append(sum(c for _, _, c in log))
                    per_cb[cb.label]["datasets"].extend(name for name, _, _ in log)
                    if error and error not in errors:
                        errors.append(error)
                    got = response_shape(body)
                    shape = {k: max(shape[k], got[k]) for k in shape}
                    per_cb[cb.label]["points"].append(got["max_points"])
                totals[run].append(total)
                totals[f"{run}_cpu"].append((time.process_time() - c0) * 1000.0)
            if progress:
                progress(f"{page['name']}: {label}")
        return {
            "path": page["relative_path"],
            "callbacks": len(found.callbacks),
            "shell_callbacks": sum(cb.shell for cb in found.callbacks),
            "clientside_callbacks": found.clientside,
            "changes": list(changes),
            "uncached": _stats(totals["uncached"]) if totals["uncached"] else None,
            "uncached_cpu": _stats(totals["uncached_cpu"]) if totals["uncached_cpu"] else None,
            "cached": _stats(totals["cached"]) if totals["cached"] else None,
            "cached_cpu": _stats(totals["cached_cpu"]) if totals["cached_cpu"] else None,
            **shape,
            "per_callback": {name: _callback_figures(d) for name, d in per_cb.items()},
            "errors": errors,
        }


def _callback_figures(d: Mapping) -> dict:
    """Wall and CPU times of one callback; `*_query`: the part spent in run_dataset."""
    keys = ("uncached", "uncached_cpu", "uncached_query", "uncached_query_cpu", "cached", "cached_cpu")
    return {"datasets": sorted(set(d["datasets"])), **{k: _stats(d[k]) if d[k] else None for k in keys},
            "max_points": max(d["points"], default=0)}
