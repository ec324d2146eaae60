"""The User insights, Products and Orders pages in a real browser, on the generated e2e database.

KPIs are checked against pandas over the raw tables (not the query layer); charts against the JSON
API (the query layer, already checked against pandas by the catalogue integration tests).
"""
from __future__ import annotations

import json
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pandas as pd
import pytest
import sqlalchemy as sa
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard.components import chart_card as cc
from dashboard.components import filter_bar as fb
from dashboard.components.table_card import table_grid_id
from dashboard.figures.formats import format_value
from .helpers import PHONE, screenshot, set_theme, wait_idle

pytestmark = pytest.mark.e2e

PAGES = {"users": "/users", "products": "/products", "orders": "/orders"}
YEAR = "?from=2024-01-01&to=2024-12-31"
FULL_HEIGHT = {"users": 1650, "products": 1500, "orders": 1500}  # whole page in one screenshot


# ------------------------------------------------------------------ helpers
def css_id(component_id) -> str:
    text = component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True,
                                                                           separators=(",", ":"))
    return '[id="%s"]' % text.replace('"', '\\"')


def graph(chart: str) -> str:
    return css_id(cc.chart_ids(chart).graph)


def wait_until(predicate, timeout=15, message="condition"):
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


def figure_data(dash_duo, chart: str) -> list[dict]:
    """The traces currently drawn in `chart` (x, y, labels, values as plain lists)."""
    return dash_duo.driver.execute_script("""
        const g = document.querySelector(arguments[0] + ' .js-plotly-plot');
        if (!g || !g.data) { return null; }
        const plain = v => v === undefined || v === null ? null : Array.from(v);
        return g.data.map(t => ({type: t.type, name: t.name || null, x: plain(t.x), y: plain(t.y),
                                 labels: plain(t.labels), values: plain(t.values)}));
    """, graph(chart))


def wait_figure(dash_duo, chart: str, *, changed_from=None, timeout=20) -> list[dict]:
    """The chart's traces once it holds data (and differs from `changed_from`, when given)."""
    def ready():
        data = figure_data(dash_duo, chart)
        return data if data and data != changed_from else None
    return wait_until(ready, timeout=timeout, message=f"figure of {chart}")


def click_point(dash_duo, chart: str, index: int = 0, kind: str = "bar"):
    """Click the `index`-th bar (or pie slice) of `chart` the way a user does (hover, then click)."""
    selector = graph(chart) + (" g.slice" if kind == "pie" else " .barlayer g.point")
    points = wait_until(lambda: dash_duo.find_elements(selector), message=f"points of {chart}")
    target = points[index]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    time.sleep(0.4)
    shape = target.find_element("css selector", "path")
    ActionChains(dash_duo.driver).move_to_element(shape).pause(0.3).click().perform()


def kpi_texts(dash_duo, row: str) -> list[str]:
    wait_until(lambda: dash_duo.find_elements(f"#{row} .kpi-value") and "kpi-placeholder" not in
               dash_duo.find_element(f"#{row}").get_attribute("innerHTML"), message="KPI cards")
    return [e.text for e in dash_duo.find_elements(f"#{row} .kpi-value")]


def api_rows(app_url: str, dataset: str, **params) -> list[dict]:
    with urllib.request.urlopen(f"{app_url}/api/v1/datasets/{dataset}?{urlencode(params, doseq=True)}") as response:
        return json.loads(response.read())["rows"]


def api_csv(app_url: str, dataset: str, **params) -> str:
    query = urlencode({**params, "format": "csv"}, doseq=True)
    with urllib.request.urlopen(f"{app_url}/api/v1/datasets/{dataset}?{query}") as response:
        return response.read().decode()


def chips(dash_duo) -> list[str]:
    return [e.text for e in dash_duo.find_elements(".xfilter-chip")]


def no_console_errors(dash_duo):
    logs = [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]
    assert logs == [], [entry["message"] for entry in logs]


# ------------------------------------------------------------------ raw tables (independent of the query layer)
@pytest.fixture(scope="module")
def raw(e2e_db):
    engine = sa.create_engine(e2e_db)
    with engine.connect() as conn:
        customers = pd.read_sql("SELECT customer_id, city, platform, signup_date FROM customers", conn)
        orders = pd.read_sql("SELECT order_id, customer_id, order_date, status FROM orders", conn)
    engine.dispose()
    customers["signup_date"] = pd.to_datetime(customers["signup_date"]).dt.date
    orders["day"] = pd.to_datetime(orders["order_date"]).dt.date
    return customers, orders


def user_kpis_pandas(raw, start: date, end: date, city: str | None = None) -> dict:
    customers, orders = raw
    if city:
        customers = customers[customers["city"] == city]
    signed = customers["signup_date"]
    valid = orders[orders["status"].isin(["completed", "returned"]) & (orders["day"] >= start) & (orders["day"] <= end)]
    active = valid[valid["customer_id"].isin(customers["customer_id"])]["customer_id"].nunique()
    users = int((signed <= end).sum())
    return {"users": users, "active_users": int(active), "new_users": int(((signed >= start) & (signed <= end)).sum()),
            "active_share": active / users if users else None}


# ------------------------------------------------------------------ loading
def test_pages_load_with_no_console_errors(dash_duo, app_url):
    for name, path in PAGES.items():
        open_page(dash_duo, app_url + path)
        dash_duo.wait_for_element(".chart-card", timeout=15)
        for card in dash_duo.find_elements(".chart-card .js-plotly-plot"):
            assert card.is_displayed()
        wait_idle(dash_duo)
        no_console_errors(dash_duo)
        assert dash_duo.driver.title.endswith("Shop BI"), name


# ------------------------------------------------------------------ screenshots (docs/screenshots)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(dash_duo, app_url, theme):
    dash_duo.driver.get(app_url + "/no-page")
    set_theme(dash_duo.driver, theme)
    for name, path in PAGES.items():
        open_page(dash_duo, app_url + path + YEAR)
        wait_figure(dash_duo, {"users": "users-city", "products": "products-sales-inventory",
                               "orders": "orders-cities"}[name])
        time.sleep(0.5)
        assert screenshot(dash_duo, name, theme, size=(1400, FULL_HEIGHT[name])).stat().st_size > 10_000
        if theme == "light":
            assert screenshot(dash_duo, f"{name}-phone", theme, size=PHONE, mobile=True).exists()
            dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    no_console_errors(dash_duo)
