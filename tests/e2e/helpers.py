"""Helpers for the browser tests: viewport, theme, waits, page elements, chart traces and clicks, outside requests,
screenshots."""
from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from selenium.webdriver.common.action_chains import ActionChains

from dashboard.components import chart_card as cc

ROOT = Path(__file__).resolve().parents[2]
# The README shows docs/screenshots; tests write there only when asked (UPDATE_SCREENSHOTS=1), so an
# ordinary test run leaves the repository untouched.
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1"
               else Path(tempfile.gettempdir()) / "shop-bi-screenshots")
DESKTOP = (1400, 900)
PHONE = (390, 844)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def set_viewport(driver, width: int, height: int, *, mobile: bool = False) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def set_theme(driver, theme: str) -> None:
    """Store the theme the way the app does (dcc.Store in localStorage); applies on the next load."""
    driver.execute_script("localStorage.setItem('theme-store', JSON.stringify(arguments[0]))", theme)


def wait_idle(dash_duo, timeout: float = 15) -> None:
    """Wait until no callback is pending and no loading spinner shows."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = dash_duo.driver.execute_script(
            "return !!document.querySelector('._dash-loading-callback, .dash-spinner, [data-dash-is-loading=\"true\"]')")
        if not busy:
            time.sleep(0.4)
            if not dash_duo.driver.execute_script(
                    "return !!document.querySelector('._dash-loading-callback, [data-dash-is-loading=\"true\"]')"):
                return
        time.sleep(0.2)


def external_requests(driver) -> list[str]:
    """Every resource the page loaded from a host other than this machine's loopback."""
    names = driver.execute_script(
        "return performance.getEntries().map(e => e.name).filter(n => n.startsWith('http') || n.startsWith('ws'))")
    return [n for n in names if urlparse(n).hostname not in LOCAL_HOSTS]


def screenshot(dash_duo, name: str, theme: str, *, size: tuple[int, int] = DESKTOP, mobile: bool = False) -> Path:
    """Write docs/screenshots/<name>-<theme>.png of the current page at `size` (viewport)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    set_viewport(dash_duo.driver, *size, mobile=mobile)
    time.sleep(0.8)  # let Plotly relayout to the new width
    wait_idle(dash_duo)
    if not name.startswith("demo"):  # the test-only demo pages stay out of the product's pictures
        dash_duo.driver.execute_script(
            "document.querySelectorAll('#navbar-collapse a[href^=\"/demo\"], #navbar-collapse [id*=\"Demo group\"]').forEach(a => "
            "(a.closest('.dropdown') || a.closest('.nav-item') || a).style.display = 'none')")
    path = SCREENSHOTS / f"{name}-{theme}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path


# ------------------------------------------------------------------ page elements, waits, charts
def css_id(component_id) -> str:
    text = component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True,
                                                                           separators=(",", ":"))
    return '[id="%s"]' % text.replace('"', '\\"')


def graph(chart: str) -> str:
    return css_id(cc.chart_ids(chart).graph)


def wait_until(predicate, timeout=20, message="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - stale elements while Dash re-renders
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


def open_page(dash_duo, url):
    dash_duo.driver.get(url)
    dash_duo.wait_for_element("#page-content > *", timeout=20)
    wait_idle(dash_duo, timeout=25)


def query_of(driver) -> dict:
    return parse_qs(urlparse(driver.current_url).query)


def figure_data(dash_duo, chart: str) -> list[dict] | None:
    """The traces currently drawn in `chart` (x, y, labels, values, customdata as plain lists; of a
    2-D customdata the first column; colour: the marker's colour, or a pie's slice colours)."""
    return dash_duo.driver.execute_script("""
        const g = document.querySelector(arguments[0] + ' .js-plotly-plot');
        if (!g || !g._fullData) { return null; }
        const plain = v => v === undefined || v === null ? null
            : Array.from(v, x => (Array.isArray(x) || ArrayBuffer.isView(x)) ? x[0] : x);  // typed arrays decoded
        return g._fullData.map(t => ({type: t.type, name: t.name || null, x: plain(t.x), y: plain(t.y),
                                      labels: plain(t.labels), values: plain(t.values), custom: plain(t.customdata),
                                      colour: t.marker ? (t.marker.colors || t.marker.color || null) : null}));
    """, graph(chart))


def wait_figure(dash_duo, chart: str, *, changed_from=None, timeout=20) -> list[dict]:
    """The chart's traces once it holds data (and differs from `changed_from`, when given)."""
    def ready():
        data = figure_data(dash_duo, chart)
        return data if data and data[0].get("type") and data != changed_from else None
    return wait_until(ready, timeout=timeout, message=f"figure of {chart}")


def click_point(dash_duo, chart: str, index: int = 0, kind: str = "bar"):
    """Click the `index`-th bar (or pie slice) of `chart` the way a user does (hover, then click)."""
    selector = graph(chart) + (" g.slice" if kind == "pie" else " .barlayer g.point")
    points = wait_until(lambda: dash_duo.find_elements(selector), message=f"points of {chart}")
    target = points[index]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    time.sleep(0.4)
    # a slice's label sits inside it (the centre of a big donut slice's box can fall in the hole)
    labels = target.find_elements("css selector", "text.slicetext") if kind == "pie" else []
    shape = labels[0] if labels else target.find_element("css selector", "path")
    ActionChains(dash_duo.driver).move_to_element(shape).pause(0.3).click().perform()


def click(dash_duo, selector: str):
    """Scroll the element to the middle of the viewport (clear of the sticky navbar), then click it."""
    element = wait_until(lambda: dash_duo.find_element(selector), message=selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    time.sleep(0.3)
    element.click()
    return element


def kpi_texts(dash_duo, row: str) -> list[str]:
    wait_until(lambda: dash_duo.find_elements(f"#{row} .kpi-value") and "kpi-placeholder" not in
               dash_duo.find_element(f"#{row}").get_attribute("innerHTML"), message="KPI cards")
    return [e.text for e in dash_duo.find_elements(f"#{row} .kpi-value")]


def chips(dash_duo) -> list[str]:
    return [e.text for e in dash_duo.find_elements(".xfilter-chip")]


def no_console_errors(dash_duo):
    logs = [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]
    assert logs == [], [entry["message"] for entry in logs]


def api_csv(app_url: str, dataset: str, **params) -> str:
    query = urlencode({**params, "format": "csv"}, doseq=True)
    with urllib.request.urlopen(f"{app_url}/api/v1/datasets/{dataset}?{query}") as response:
        return response.read().decode()
