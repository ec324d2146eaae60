"""Time to a fully drawn page in headless Chromium, against the app on a real server on 127.0.0.1.

"Fully drawn", polled inside the page every few milliseconds after the load event: the page's
content is in, Dash has no callback requested or running, no KPI placeholder is left, every graph
has drawn its SVG and none is being drawn again (dcc.Graph marks a graph `dash-graph--pending` while
Plotly plots or resizes it), every grid has rendered, no component is marked loading, and all of
that has held for STABLE_MS. The
time is `performance.now()` at the first poll of that stable streak (ms since navigation start). Two
marks are kept next to it: the load event (up to then the browser fetches and runs Dash's JavaScript,
the same for every page) and the end of the last callback response (after it: drawing only).
"""
from __future__ import annotations

import contextlib
import importlib.util
import shutil
import statistics
import threading
from pathlib import Path
from typing import Callable, Iterator

from werkzeug.serving import WSGIRequestHandler, make_server

from dashboard.components.state import PAGE_CONTENT
from dashboard.queries import cache

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--window-size=1400,900")
LOADS = 3
TIMEOUT_MS = 60_000
STABLE_MS = 150

DRAWN_JS = """
const [content, stableMs, timeoutMs, done] = [arguments[0], arguments[1], arguments[2], arguments[arguments.length - 1]];
const QUEUES = ["requested", "prioritized", "blocked", "executing", "watched", "executed"];
function drawn() {
    const s = window.store && window.store.getState();
    if (!s) return false;
    const cbs = s.callbacks || {};
    if (QUEUES.some(q => (cbs[q] || []).length)) return false;
    if (s.isLoading) return false;
    const main = document.getElementById(content);
    if (!main || !main.querySelector(".page-header")) return false;
    if (main.querySelector(".kpi-placeholder")) return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    for (const g of main.querySelectorAll(".dash-graph")) {
        if (!g.querySelector(".main-svg") || g.classList.contains("dash-graph--pending")
            || g.querySelector(".dash-graph--pending")) return false;
    }
    for (const grid of main.querySelectorAll(".table-grid, .marketing-grid")) {
        if (!grid.querySelector(".ag-root-wrapper")) return false;
    }
    return true;
}
let since = null;
function poll() {
    const now = performance.now();
    if (drawn()) {
        if (since === null) since = now;
        if (now - since >= stableMs) {
            const nav = performance.getEntriesByType("navigation")[0];
            const calls = performance.getEntriesByType("resource").filter(e => e.name.includes("_dash-update-component"));
            done({ms: since, load_ms: nav ? nav.loadEventEnd : null,
                  responses_ms: calls.length ? Math.max(...calls.map(e => e.responseEnd)) : null,
                  graphs: document.querySelectorAll("#" + content + " .dash-graph").length});
            return;
        }
    } else {
        since = null;
    }
    if (now > timeoutMs) { done({ms: null, load_ms: null, responses_ms: null, graphs: 0}); return; }
    setTimeout(poll, 5);
}
poll();
"""


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the figures
        pass


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 in a thread; yield its base URL; stop it afterwards."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="bench-dashboard-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def available() -> str | None:
    """None when headless Chromium can run here, else why not."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"no Chromium at {CHROMIUM}"
    if not (Path(CHROMEDRIVER).exists() or shutil.which("chromedriver")):
        return f"no chromedriver at {CHROMEDRIVER}"
    return None


@contextlib.contextmanager
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")),
                              options=options)
    driver.set_script_timeout(TIMEOUT_MS / 1000 + 10)
    driver.set_page_load_timeout(TIMEOUT_MS / 1000)
    try:
        yield driver
    finally:
        driver.quit()


def time_to_drawn(driver, url: str) -> dict:
    """Load `url`; {"ms": time to fully drawn since navigation start (None on timeout), "graphs": n}."""
    driver.get(url)
    return driver.execute_async_script(DRAWN_JS, PAGE_CONTENT, STABLE_MS, TIMEOUT_MS)


def measure_pages(app, paths: list[str], *, loads: int = LOADS, progress: Callable[[str], None] | None = None) -> dict:
    """{path: {"cold": [ms...], "warm": [ms...], "graphs": n}}: cold = query cache cleared before the
    load, warm = loaded again with the cache filled. One unmeasured load first fills the browser's
    HTTP cache (Dash's JavaScript), as for any returning visitor."""
    out: dict = {}
    with serve(app) as base, chromium() as driver:
        time_to_drawn(driver, base + (paths[0] if paths else "/"))
        for path in paths:
            runs: dict[str, list] = {"cold": [], "warm": [], "load_event": [], "responses_cold": [], "responses_warm": []}
            graphs = 0
            for _ in range(loads):
                for kind in ("cold", "warm"):
                    if kind == "cold":
                        cache.clear_results()
                    got = time_to_drawn(driver, base + path)
                    runs[kind].append(got["ms"])
                    runs["load_event"].append(got["load_ms"])
                    runs[f"responses_{kind}"].append(got["responses_ms"])
                    graphs = got["graphs"]
            out[path] = {**{f"{k}_p50_ms": _p50(v) for k, v in runs.items()}, "cold": runs["cold"], "warm": runs["warm"],
                         "timeouts": sum(ms is None for ms in runs["cold"] + runs["warm"]), "graphs": graphs}
            if progress:
                progress(f"browser: {path}")
    return out


def _p50(samples: list) -> float | None:
    done = sorted(ms for ms in samples if ms is not None)
    return round(float(statistics.median(done)), 1) if done else None
