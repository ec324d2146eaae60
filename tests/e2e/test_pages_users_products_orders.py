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
from urllib.parse import urlencode

import pandas as pd
import pytest
import sqlalchemy as sa
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard.components import chart_card as cc
from dashboard.components import filter_bar as fb
from dashboard.components.table_card import table_grid_id
from dashboard.figures.formats import format_value
from .helpers import (PHONE, api_csv, chips, click_point, css_id, figure_data, graph, kpi_texts, no_console_errors,
                      open_page, query_of, screenshot, set_theme, wait_figure, wait_idle, wait_until)

pytestmark = pytest.mark.e2e

PAGES = {"users": "/users", "products": "/products", "orders": "/orders"}
YEAR = "?from=2024-01-01&to=2024-12-31"
FULL_HEIGHT = {"users": 1500, "products": 1560, "orders": 1600}  # whole page in one screenshot


# ------------------------------------------------------------------ helpers
def press(dash_duo, target):
    """Scroll an element (or the first match of a selector) to the middle of the viewport, then click it."""
    for _ in range(3):  # charts redrawing above can shift the page between the scroll and the click
        element = dash_duo.find_element(target) if isinstance(target, str) else target
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        time.sleep(0.3)
        try:
            element.click()
            return element
        except ElementClickInterceptedException:
            wait_idle(dash_duo)
    dash_duo.driver.execute_script("arguments[0].click()", element)
    return element


def api_rows(app_url: str, dataset: str, **params) -> list[dict]:
    with urllib.request.urlopen(f"{app_url}/api/v1/datasets/{dataset}?{urlencode(params, doseq=True)}") as response:
        return json.loads(response.read())["rows"]


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
    # cross-filters, drill-downs and highlights on screen
    open_page(dash_duo, app_url + "/orders" + YEAR + "&xf=cities:Depok&xf=status:completed&drill=year:2024-01-01"
              "&topcat=Computing")
    wait_figure(dash_duo, "orders-cities")
    assert screenshot(dash_duo, "orders-interactions", theme, size=(1400, FULL_HEIGHT["orders"] + 60)).exists()
    open_page(dash_duo, app_url + "/products" + YEAR + "&stockcat=Kids+%26+Baby&xf=categories:Kids+%26+Baby")
    wait_figure(dash_duo, "products-stock")
    assert screenshot(dash_duo, "products-interactions", theme, size=(1400, FULL_HEIGHT["products"] + 60)).exists()
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ User insights
def test_user_kpis_equal_pandas_over_the_raw_tables(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/users?from=2024-01-01&to=2024-06-30")
    expected = user_kpis_pandas(raw, date(2024, 1, 1), date(2024, 6, 30))
    before = user_kpis_pandas(raw, date(2023, 7, 3), date(2023, 12, 31))  # the previous 182 days
    shown = kpi_texts(dash_duo, "users-kpis")
    assert shown == [format_value(expected["users"]), format_value(expected["active_users"]),
                     format_value(expected["new_users"]), format_value(expected["active_share"], "percent")]
    changes = [e.text for e in dash_duo.find_elements("#users-kpis .kpi-change-value")]
    assert changes[0] == f"{(expected['users'] - before['users']) / before['users'] * 100:+.1f}%"
    assert changes[2] == f"{(expected['new_users'] - before['new_users']) / before['new_users'] * 100:+.1f}%"
    no_console_errors(dash_duo)


def test_user_date_range_preset_and_city_change_what_is_shown(dash_duo, app_url, raw):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/users")
    all_time = kpi_texts(dash_duo, "users-kpis")
    signups = wait_figure(dash_duo, "users-signups")
    dash_duo.find_element(css_id(fb.PRESET_MENU) + " .dropdown-toggle, " + css_id(fb.PRESET_MENU)).click()
    dash_duo.find_element(css_id(fb.preset_id("last_year"))).click()
    wait_until(lambda: query_of(driver).get("from") == ["2023-01-01"], message="URL after preset")
    wait_until(lambda: kpi_texts(dash_duo, "users-kpis") != all_time, message="KPIs for last year")
    assert len(wait_figure(dash_duo, "users-signups", changed_from=signups)[0]["x"]) == 12
    dash_duo.select_dcc_dropdown(css_id(fb.dim_id("cities")), value="Jakarta")
    wait_until(lambda: query_of(driver).get("city") == ["Jakarta"], message="URL after city")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    expected = user_kpis_pandas(raw, date(2023, 1, 1), date(2023, 12, 31), city="Jakarta")
    wait_until(lambda: kpi_texts(dash_duo, "users-kpis")[0] == format_value(expected["users"]), message="city KPIs")
    assert kpi_texts(dash_duo, "users-kpis")[2] == format_value(expected["new_users"])
    no_console_errors(dash_duo)


def test_user_city_click_cross_filters_the_others_and_the_chip_clears_it(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/users" + YEAR)
    kpis = kpi_texts(dash_duo, "users-kpis")
    gender, cities = wait_figure(dash_duo, "users-gender"), wait_figure(dash_duo, "users-city")
    city = cities[0]["x"][0]  # the biggest city
    click_point(dash_duo, "users-city", 0)
    chip = dash_duo.wait_for_element(".xfilter-chip", timeout=10)
    assert chip.text.startswith("City:") and city in chip.text
    wait_until(lambda: query_of(dash_duo.driver).get("xf") == [f"cities:{city}"], message="xf in the URL")
    expected = user_kpis_pandas(raw, date(2024, 1, 1), date(2024, 12, 31), city=city)
    wait_until(lambda: kpi_texts(dash_duo, "users-kpis")[0] == format_value(expected["users"]), message="KPIs")
    narrowed = wait_figure(dash_duo, "users-gender", changed_from=gender)
    assert sum(narrowed[0]["values"]) == expected["users"]
    assert figure_data(dash_duo, "users-city")[0]["x"] == cities[0]["x"]  # the clicked chart keeps every city
    press(dash_duo, chip)
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    wait_until(lambda: kpi_texts(dash_duo, "users-kpis") == kpis, message="KPIs restored")
    wait_until(lambda: "xf" not in query_of(dash_duo.driver), message="xf gone from the URL")
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ Products
def test_products_category_filter_and_threshold_change_what_is_shown(dash_duo, app_url):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/products")
    stock = wait_figure(dash_duo, "products-stock")
    assert len(stock[0]["x"]) > 3
    donut, bands = wait_figure(dash_duo, "products-categories"), wait_figure(dash_duo, "products-prices")
    books = dict(zip(donut[0]["labels"], donut[0]["colour"]))["Books"]
    assert {t["name"]: t["colour"] for t in bands}["Books"] == books  # one colour per category in every chart
    dash_duo.select_dcc_dropdown(css_id(fb.dim_id("categories")), value="Books")
    wait_until(lambda: query_of(driver).get("category") == ["Books"], message="URL after category")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    narrowed = wait_figure(dash_duo, "products-stock", changed_from=stock)
    assert narrowed[0]["x"] == ["Books"]
    assert wait_figure(dash_duo, "products-categories", changed_from=donut)[0]["colour"] == [books]  # kept under a filter
    wait_until(lambda: [t["colour"] for t in figure_data(dash_duo, "products-prices")] == [books],
               message="the price bands of Books in its colour")
    assert narrowed[0]["y"][0] == api_rows(dash_duo.server_url.rstrip("/"), "stock_levels", category="Books")[0]["stock"]
    grid = css_id(table_grid_id("products-low-stock"))
    rows = lambda: dash_duo.driver.execute_script(  # noqa: E731 - the grid's own count (rows are virtualised)
        "return dash_ag_grid.getApi(arguments[0]).getDisplayedRowCount()",
        json.dumps(table_grid_id("products-low-stock"), sort_keys=True, separators=(",", ":")))
    default = api_rows(app_url, "low_stock", category="Books")
    wait_until(lambda: rows() == len(default), message="low-stock rows at the default threshold")
    threshold = dash_duo.find_element("#products-threshold")
    threshold.send_keys(Keys.CONTROL, "a")
    threshold.send_keys("3", Keys.ENTER)
    wait_until(lambda: query_of(driver).get("threshold") == ["3"], message="threshold in the URL")
    expected = api_rows(app_url, "low_stock", threshold=3, category="Books")
    assert 0 < len(expected) < len(default)
    dash_duo.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", grid)
    wait_until(lambda: rows() == len(expected), message=f"rows for threshold 3 ({len(expected)})")
    # a filter change afterwards keeps the page's parameter
    brand = expected[0]["brand"]
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.5)
    dash_duo.select_dcc_dropdown(css_id(fb.dim_id("brands")), value=brand)
    wait_until(lambda: query_of(driver) == {"category": ["Books"], "brand": [brand], "threshold": ["3"]},
               message="URL with filters and threshold")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    no_console_errors(dash_duo)


def test_products_category_click_filters_the_other_charts_and_the_table(dash_duo, app_url):
    open_page(dash_duo, app_url + "/products" + YEAR)
    stock, sales = wait_figure(dash_duo, "products-stock"), wait_figure(dash_duo, "products-sales-inventory")
    category = sales[0]["x"][0]
    click_point(dash_duo, "products-sales-inventory", 0)  # the first category's "units sold" column
    chip = dash_duo.wait_for_element(".xfilter-chip", timeout=10)
    assert chip.text.startswith("Category:") and category in chip.text
    narrowed = wait_figure(dash_duo, "products-stock", changed_from=stock)
    assert narrowed[0]["x"] == [category]
    assert figure_data(dash_duo, "products-sales-inventory")[0]["x"] == sales[0]["x"]  # not filtered by its own click
    cells = css_id(table_grid_id("products-low-stock")) + " .ag-center-cols-container [col-id='category']"
    wait_until(lambda: {e.text for e in dash_duo.find_elements(cells)} == {category}, message="table narrowed")
    press(dash_duo, ".xfilter-clear")
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    wait_until(lambda: figure_data(dash_duo, "products-stock") == stock, message="charts restored")
    no_console_errors(dash_duo)


def test_products_stock_drills_from_category_to_products(dash_duo, app_url):
    open_page(dash_duo, app_url + "/products")
    categories = wait_figure(dash_duo, "products-stock")
    category = categories[0]["x"][0]
    click_point(dash_duo, "products-stock", 0)
    products = wait_figure(dash_duo, "products-stock", changed_from=categories)
    expected = api_rows(app_url, "product_stock", category=category, limit=50)
    assert sorted(products[0]["y"]) == sorted(r["product_name"] for r in expected)
    assert sum(products[0]["x"]) == sum(r["stock"] for r in expected) == categories[0]["y"][0]
    assert category in dash_duo.find_element("#products-stock-crumbs").text
    wait_until(lambda: query_of(dash_duo.driver).get("stockcat") == [category], message="drill in the URL")
    press(dash_duo, css_id({"type": "drill-crumb", "group": "products-stock-crumbs", "level": 0}))
    assert wait_figure(dash_duo, "products-stock", changed_from=products) == categories
    wait_until(lambda: "stockcat" not in query_of(dash_duo.driver), message="drill gone from the URL")
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ Orders
def test_orders_city_click_filters_what_depends_on_cities_only(dash_duo, app_url):
    open_page(dash_duo, app_url + "/orders" + YEAR)
    trend, status = wait_figure(dash_duo, "orders-trend"), wait_figure(dash_duo, "orders-status")
    payments, cities = wait_figure(dash_duo, "orders-payments"), wait_figure(dash_duo, "orders-cities")
    city = cities[0]["x"][0]
    click_point(dash_duo, "orders-cities", 0)
    dash_duo.wait_for_element(".xfilter-chip", timeout=10)
    narrowed = wait_figure(dash_duo, "orders-status", changed_from=status)
    expected = api_rows(app_url, "status_mix", **{"from": "2024-01-01", "to": "2024-12-31", "city": city})
    assert sorted(narrowed[0]["values"]) == sorted(r["orders"] for r in expected)
    wait_figure(dash_duo, "orders-trend", changed_from=trend)
    wait_idle(dash_duo)
    assert figure_data(dash_duo, "orders-payments") == payments  # payment_mix has no city dimension
    assert figure_data(dash_duo, "orders-cities")[0]["x"] == cities[0]["x"]  # the clicked chart keeps every city
    press(dash_duo, ".xfilter-chip")
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    wait_until(lambda: figure_data(dash_duo, "orders-status") == status, message="status restored")
    no_console_errors(dash_duo)


def test_orders_payment_and_status_slices_cross_filter(dash_duo, app_url):
    open_page(dash_duo, app_url + "/orders" + YEAR)
    trend = wait_figure(dash_duo, "orders-trend")
    payments = wait_figure(dash_duo, "orders-payments")
    method = dash_duo.find_elements(graph("orders-payments") + " g.slice")[0]
    click_point(dash_duo, "orders-payments", 0, kind="pie")
    chip = dash_duo.wait_for_element(".xfilter-chip", timeout=10)
    assert chip.text.startswith("Payment method:")
    chosen = chip.text.split(":", 1)[1].strip()
    assert chosen in payments[0]["labels"] and method is not None
    narrowed = wait_figure(dash_duo, "orders-trend", changed_from=trend)
    expected = api_rows(app_url, "orders_trend", **{"from": "2024-01-01", "to": "2024-12-31", "payment_method": chosen,
                                                    "grain": "month"})
    assert narrowed[0]["y"] == [r["revenue"] for r in expected]
    click_point(dash_duo, "orders-status", 0, kind="pie")
    wait_until(lambda: len(chips(dash_duo)) == 2, message="status chip")
    assert any(text.startswith("Status:") for text in chips(dash_duo))
    press(dash_duo, ".xfilter-clear")
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    wait_until(lambda: figure_data(dash_duo, "orders-trend") == trend, message="trend restored")
    no_console_errors(dash_duo)


def test_orders_url_with_cross_filters_and_drill_reproduces_the_view(dash_duo, app_url):
    open_page(dash_duo, app_url + "/orders?from=2024-01-01&to=2024-12-31&city=Jakarta&xf=payment_methods:cod"
              "&drill=year:2024-01-01&grain=week")
    assert chips(dash_duo) and "cod" in chips(dash_duo)[0]
    crumbs = dash_duo.find_element("#orders-trend-crumbs").text
    assert "All periods" in crumbs and "2024" in crumbs
    assert dash_duo.find_element("#orders-grain input[value='week']").is_selected()
    expected = api_rows(app_url, "orders_trend", **{"from": "2024-01-01", "to": "2024-12-31", "city": "Jakarta",
                                                    "payment_method": "cod", "grain": "week"})
    shown = wait_figure(dash_duo, "orders-trend")
    assert shown[0]["y"] == [r["revenue"] for r in expected] and shown[1]["y"] == [r["orders"] for r in expected]
    no_console_errors(dash_duo)


def test_orders_trend_drills_year_month_day_and_the_breadcrumb_goes_back(dash_duo, app_url):
    open_page(dash_duo, app_url + "/orders?grain=year")
    years = wait_figure(dash_duo, "orders-trend")
    assert [x[:4] for x in years[0]["x"]] == ["2022", "2023", "2024"]
    click_point(dash_duo, "orders-trend", 2)  # 2024
    months = wait_figure(dash_duo, "orders-trend", changed_from=years)
    assert len(months[0]["x"]) == 12 and months[0]["x"][0].startswith("2024-01")
    assert dash_duo.find_element("#orders-grain input[value='month']").is_selected()
    assert query_of(dash_duo.driver).get("drill") == ["year:2024-01-01"]
    click_point(dash_duo, "orders-trend", 2)  # March
    days = wait_figure(dash_duo, "orders-trend", changed_from=months)
    assert all(x.startswith("2024-03") for x in days[0]["x"])
    assert dash_duo.find_element("#orders-trend-crumbs").text.replace("\n", " ").count("2024") == 2
    press(dash_duo, css_id({"type": "drill-crumb", "group": "orders-trend-crumbs", "level": 1}))
    assert wait_figure(dash_duo, "orders-trend", changed_from=days)[0]["x"] == months[0]["x"]
    press(dash_duo, css_id({"type": "drill-crumb", "group": "orders-trend-crumbs", "level": 0}))
    assert wait_figure(dash_duo, "orders-trend", changed_from=months)[0]["x"] == years[0]["x"]
    wait_until(lambda: "drill" not in query_of(dash_duo.driver), message="drill gone from the URL")
    no_console_errors(dash_duo)


def test_top_products_drill_from_category_to_products(dash_duo, app_url):
    open_page(dash_duo, app_url + "/orders" + YEAR)
    categories = wait_figure(dash_duo, "orders-top")
    top = categories[0]["y"][-1]  # build_hbar draws the largest at the top (last)
    click_point(dash_duo, "orders-top", len(categories[0]["y"]) - 1)
    products = wait_figure(dash_duo, "orders-top", changed_from=categories)
    expected = api_rows(app_url, "top_products", **{"from": "2024-01-01", "to": "2024-12-31", "category": top,
                                                    "limit": 10})
    assert sorted(products[0]["y"]) == sorted(r["product_name"] for r in expected)
    assert top in dash_duo.find_element("#orders-top-crumbs").text
    press(dash_duo, css_id({"type": "drill-crumb", "group": "orders-top-crumbs", "level": 0}))
    assert wait_figure(dash_duo, "orders-top", changed_from=products) == categories
    no_console_errors(dash_duo)


def test_trend_download_is_exactly_the_drilled_cross_filtered_rows(dash_duo, app_url):
    open_page(dash_duo, app_url + "/orders?from=2024-01-01&to=2024-12-31&xf=payment_methods:cod&drill=year:2024-01-01")
    shown = wait_figure(dash_duo, "orders-trend")
    button = css_id(cc.chart_ids("orders-trend").download_button)
    wait_until(lambda: dash_duo.find_element(button).is_enabled(), message="download enabled")
    element = dash_duo.find_element(button)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    target = Path(dash_duo.download_path) / "orders-trend.csv"
    wait_until(target.exists, timeout=15, message="downloaded CSV")
    expected = api_csv(app_url, "orders_trend", **{"from": "2024-01-01", "to": "2024-12-31", "payment_method": "cod",
                                                   "grain": "month"})
    assert target.read_text() == expected
    assert len(shown[0]["x"]) == len(expected.strip().splitlines()) - 1
    no_console_errors(dash_duo)
