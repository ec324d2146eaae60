"""The app shell in a real browser: loading, theme, URL state, navigation, phone layout, downloads."""
import contextlib
import json
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.components import chart_card as cc
from dashboard.components import filter_bar as fb
from dashboard.components.navbar import group_id as nav_group_id
from dashboard.components.navbar import link_id
from dashboard.components.state import FILTERS_STORE
from schema.errors import DatabaseUnavailable
from .helpers import (PHONE, click, css_id, external_requests, open_page, query_of, screenshot, set_theme, set_viewport,
                      wait_idle, wait_until)

pytestmark = pytest.mark.e2e


def date_values(dash_duo) -> list[str]:
    """The values shown in the date range picker's two inputs."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.filter-item-dates input')).map(e => e.value)")


def kpi_values(dash_duo) -> list[str]:
    """The KPI values once the row is filled (read in one script: the row re-renders under us)."""
    return wait_until(lambda: dash_duo.driver.execute_script(
        "const row = document.getElementById('demo-kpis');"
        "if (!row || row.querySelector('.kpi-placeholder')) { return null; }"
        "const values = Array.from(row.querySelectorAll('.kpi-value')).map(e => e.innerText);"
        "return values.length ? values : null;"), message="KPI cards")


# ------------------------------------------------------------------ loading
def test_pages_load_with_no_console_errors_and_no_outside_requests(dash_duo, app_url):
    for path, marker in (("/demo", ".kpi-card"), ("/demo/payments", ".chart-card"), ("/no/such/page", ".not-found")):
        open_page(dash_duo, app_url + path)
        dash_duo.wait_for_element(marker, timeout=15)
        wait_idle(dash_duo)
        assert dash_duo.get_logs() == [], path
        assert external_requests(dash_duo.driver) == [], path
    assert "Page not found" in dash_duo.find_element(".not-found").text
    wait_until(lambda: not dash_duo.find_element(css_id(fb.FILTER_AREA)).is_displayed(), message="no filter bar on 404")
    assert dash_duo.driver.title.startswith("Page not found")


def test_page_title_data_as_of_and_copy_link(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo")
    wait_until(lambda: dash_duo.driver.title == "Demo · Shop BI", message="page title")
    assert dash_duo.find_element(css_id(fb.DATA_AS_OF)).text.startswith("Data as of 20")
    copy = dash_duo.find_element("#copy-link")
    assert "Copy link" in copy.text
    copy.click()
    wait_idle(dash_duo)
    assert dash_duo.get_logs() == []


def test_navbar_lists_registered_pages_with_groups(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo")
    demo = dash_duo.find_element(css_id(link_id("/demo")))
    assert "active" in demo.get_attribute("class")
    group = dash_duo.find_element(css_id(nav_group_id("Demo group")) + " .dropdown-toggle")
    assert group.text.strip() == "Demo group"


# ------------------------------------------------------------------ theme
def test_theme_switch_swaps_stylesheet_and_figures_and_persists(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo")
    driver = dash_duo.driver
    assert driver.execute_script("return document.getElementById('theme-css').getAttribute('href')").endswith("flatly.min.css")
    light_font = wait_until(lambda: driver.execute_script(
        "const g = document.querySelector('.js-plotly-plot'); return g && g._fullLayout && g._fullLayout.font.color"))
    dash_duo.find_element("#theme-toggle").click()
    wait_until(lambda: driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "dark",
               message="dark theme attribute")
    assert driver.execute_script("return document.getElementById('theme-css').getAttribute('href')").endswith("darkly.min.css")
    wait_until(lambda: driver.execute_script(
        "return document.querySelector('.js-plotly-plot')._fullLayout.font.color") not in (None, light_font),
               message="figures redrawn in the dark template")
    body_bg = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert body_bg == "rgb(34, 34, 34)"  # DARKLY's body
    driver.refresh()
    dash_duo.wait_for_element("#page-content > *", timeout=15)
    assert driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "dark"
    dash_duo.find_element("#theme-toggle").click()
    wait_until(lambda: driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "light")
    assert dash_duo.get_logs() == []


# ------------------------------------------------------------------ URL state
def test_malformed_url_shows_a_dismissable_notice_not_an_error(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo?from=notadate&bogus=1&category=No+Such&to=2024-06-30")
    notice = dash_duo.wait_for_element(css_id(fb.NOTICE), timeout=10)
    text = notice.text
    assert "notadate" in text and "bogus" in text and "No Such" in text
    assert date_values(dash_duo) == ["", "2024-06-30"]
    kpi_values(dash_duo)  # the page still works, with what could be read (to=2024-06-30)
    notice.find_element(By.CSS_SELECTOR, ".btn-close").click()
    dash_duo.wait_for_no_elements(css_id(fb.NOTICE), timeout=5)
    assert dash_duo.get_logs() == []


def test_url_round_trips_into_the_controls(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo?from=2024-01-01&to=2024-03-31&category=Books&scope=net")
    wait_until(lambda: "Books" in dash_duo.find_element(css_id(fb.dim_id("categories"))).text, message="category value")
    assert date_values(dash_duo) == ["2024-01-01", "2024-03-31"]
    assert dash_duo.find_element(css_id(fb.SCOPE)).get_attribute("value") == "net"
    assert query_of(dash_duo.driver) == {"from": ["2024-01-01"], "to": ["2024-03-31"], "category": ["Books"],
                                         "scope": ["net"]}  # a clean URL is left exactly as it was
    assert dash_duo.get_logs() == []


def test_filter_changes_push_the_url_and_back_restores(dash_duo, app_url):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/demo")
    all_time = kpi_values(dash_duo)
    # a preset (relative to the last day of data, 2024-12-31)
    dash_duo.find_element(css_id(fb.PRESET_MENU) + " .dropdown-toggle, " + css_id(fb.PRESET_MENU)).click()
    dash_duo.find_element(css_id(fb.preset_id("ytd"))).click()
    wait_until(lambda: query_of(driver).get("from") == ["2024-01-01"], message="URL after preset")
    assert query_of(driver)["to"] == ["2024-12-31"]
    wait_until(lambda: kpi_values(dash_duo) != all_time, message="KPIs for the new range")
    # a category from the dropdown
    dash_duo.select_dcc_dropdown(css_id(fb.dim_id("categories")), value="Books")
    wait_until(lambda: query_of(driver).get("category") == ["Books"], message="URL after category")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()  # close the menu
    time.sleep(0.5)
    assert query_of(driver).get("category") == ["Books"]
    assert query_of(driver)["from"] == ["2024-01-01"]
    # back: the category goes, the dates stay; back again: all time
    driver.back()
    wait_until(lambda: "category" not in query_of(driver) and query_of(driver).get("from") == ["2024-01-01"],
               message="URL after back")
    wait_until(lambda: "Books" not in dash_duo.find_element(css_id(fb.dim_id("categories"))).text,
               message="dropdown cleared by back")
    driver.back()
    wait_until(lambda: query_of(driver) == {}, message="URL after second back")
    wait_until(lambda: kpi_values(dash_duo) == all_time, message="all-time KPIs again")
    assert date_values(dash_duo) == ["", ""]
    assert dash_duo.get_logs() == []


def test_moving_between_pages_keeps_the_filters_and_shows_the_page_filters(dash_duo, app_url):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/demo?from=2024-01-01&to=2024-06-30&category=Books")
    categories = dash_duo.find_element(css_id(fb.group_id("categories")))
    payments = dash_duo.find_element(css_id(fb.group_id("payment_methods")))
    assert categories.is_displayed() and not payments.is_displayed()
    dash_duo.find_element(css_id(nav_group_id("Demo group")) + " .dropdown-toggle").click()
    link = wait_until(lambda: dash_duo.find_element(css_id(link_id("/demo/payments"))))
    wait_until(lambda: "from=2024-01-01" in (link.get_attribute("href") or ""), message="link carries the query")
    link.click()
    wait_until(lambda: urlparse(driver.current_url).path == "/demo/payments", message="navigation")
    assert query_of(driver) == {"from": ["2024-01-01"], "to": ["2024-06-30"], "category": ["Books"]}
    wait_until(lambda: dash_duo.find_element(css_id(fb.group_id("payment_methods"))).is_displayed(),
               message="payment filter shown")
    assert not dash_duo.find_element(css_id(fb.group_id("categories"))).is_displayed()
    wait_idle(dash_duo)
    assert dash_duo.get_logs() == []


# ------------------------------------------------------------------ first render
# Records the `output` of every callback request the page sends (the renderer uses fetch).
RECORD_CALLBACKS = """
window.__callbackOutputs = [];
const originalFetch = window.fetch;
window.fetch = function (url, init) {
    if (String(url).includes("_dash-update-component") && init && init.body) {
        try { window.__callbackOutputs.push(JSON.parse(init.body).output); } catch (e) {}
    }
    return originalFetch.apply(this, arguments);
};
"""


@contextlib.contextmanager
def recording_callbacks(driver):
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CALLBACKS})
    try:
        yield lambda: driver.execute_script("return window.__callbackOutputs") or []
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


def test_a_page_load_renders_the_page_and_its_filters_without_routing_round_trips(dash_duo, app_url):
    driver = dash_duo.driver
    with recording_callbacks(driver) as outputs:
        open_page(dash_duo, app_url + "/demo?from=2024-01-01&to=2024-03-31&category=Books&scope=net")
        kpi_values(dash_duo)
        wait_idle(dash_duo)
        sent = outputs()
    assert any("demo-kpis" in o for o in sent) and any("demo-trend" in o for o in sent)  # the page's own callbacks
    shell = [o for o in sent if any(k in o for k in ("page-content", "filters-store", "filter-group", "nav-link",
                                                      "filter-active-count", "filter-db-banner"))]
    assert shell == []  # routing, filter bar, navbar: rendered with the layout, no request
    assert date_values(dash_duo) == ["2024-01-01", "2024-03-31"]
    assert "Books" in dash_duo.find_element(css_id(fb.dim_id("categories"))).text
    assert dash_duo.find_element(css_id(fb.SCOPE)).get_attribute("value") == "net"
    assert dash_duo.find_element(css_id(fb.group_id("categories"))).is_displayed()
    assert not dash_duo.find_element(css_id(fb.group_id("payment_methods"))).is_displayed()
    assert "from=2024-01-01" in dash_duo.find_element(css_id(link_id("/demo"))).get_attribute("href")
    assert "active" in dash_duo.find_element(css_id(link_id("/demo"))).get_attribute("class")
    assert driver.execute_script("""
        const find = n => !n || typeof n !== "object" ? null : Array.isArray(n) ? n.map(find).find(Boolean) || null
            : (n.props || {}).id === arguments[0] ? n.props.data : find((n.props || {}).children);
        return find(window.store.getState().layout.components);""", FILTERS_STORE) == {
        "from": "2024-01-01", "to": "2024-03-31", "category": ["Books"], "scope": "net"}
    assert dash_duo.get_logs() == []


def test_a_layout_made_for_another_url_gives_way_to_the_page_asked_for(dash_duo, app_url):
    """The shell renders the page of its request's Referer; when that is not the page's URL (here a
    forced Referer), the URL it was made for is dropped and the routing callbacks render the right page."""
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Referer": app_url + "/no/such/page?category=Toys"}})
    try:
        open_page(dash_duo, app_url + "/demo?category=Books")
        wait_until(lambda: dash_duo.find_elements("#page-content .page-header h2")
                   and dash_duo.find_element("#page-content .page-header h2").text == "Demo", message="demo page")
        kpi_values(dash_duo)
        wait_until(lambda: "Books" in dash_duo.find_element(css_id(fb.dim_id("categories"))).text,
                   message="category from the page's own URL")
        assert not dash_duo.find_elements(".not-found")
        assert query_of(driver) == {"category": ["Books"]}
        wait_idle(dash_duo)
        assert dash_duo.get_logs() == []
    finally:
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


# ------------------------------------------------------------------ components on live data
def test_cross_filter_chip_narrows_a_chart_and_is_removable(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo")
    donut = cc.chart_ids("demo-categories").graph
    top = cc.chart_ids("demo-top-products").graph
    slices = wait_until(lambda: dash_duo.find_elements(css_id(donut) + " g.slice"), message="donut slices")
    before = dash_duo.find_element(css_id(top)).get_attribute("innerHTML")
    slices[0].click()
    chip = dash_duo.wait_for_element(".xfilter-chip", timeout=10)
    assert chip.text.startswith("Category:")
    wait_until(lambda: dash_duo.find_element(css_id(top)).get_attribute("innerHTML") != before, message="top products")
    chip.click()
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    assert dash_duo.get_logs() == []


def test_chart_download_is_exactly_the_rows_of_the_chart(dash_duo, app_url):
    open_page(dash_duo, app_url + "/demo?from=2024-01-01&to=2024-06-30")
    button = css_id(cc.chart_ids("demo-top-products").download_button)
    wait_until(lambda: dash_duo.find_element(button).is_enabled(), message="download enabled")
    click(dash_duo, button)
    target = Path(dash_duo.download_path) / "demo-top-products.csv"
    wait_until(target.exists, timeout=15, message="downloaded CSV")
    with urllib.request.urlopen(app_url + "/api/v1/datasets/top_products?from=2024-01-01&to=2024-06-30&limit=10"
                                "&format=csv") as response:
        assert target.read_text() == response.read().decode()
    labels = dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0]).data[0].y.length", css_id(cc.chart_ids("demo-top-products").graph)
        + " .js-plotly-plot")
    assert labels == len(target.read_text().strip().splitlines()) - 1


def test_api_on_the_live_server(dash_duo, app_url):
    with urllib.request.urlopen(app_url + "/api/v1/datasets/kpis?from=2024-01-01&to=2024-01-31") as response:
        body = json.loads(response.read())
    assert body["dataset"] == "kpis" and body["rows"][0]["orders"] > 0
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(app_url + "/api/v1/datasets/kpis?from=2024-13-01")
    assert bad.value.code == 400 and "not a date" in json.loads(bad.value.read())["error"]


def test_database_down_shows_one_banner_and_compact_states(dash_duo, app_url, e2e_db):
    from dashboard.queries import cache, engine as query_engine

    query_engine.configure("mysql+pymysql://nobody@127.0.0.1:9/none")  # nothing listens on port 9
    time.sleep(cache.DATA_VERSION_TTL + 0.5)  # the query layer re-reads the data version after this long
    try:
        open_page(dash_duo, app_url + "/demo")
        banner = dash_duo.wait_for_element(css_id(fb.DB_BANNER) + " .alert", timeout=10)
        assert banner.text.startswith("Database unavailable: cannot connect")
        wait_until(lambda: dash_duo.find_elements(".error-state"), message="KPI row error state")
        wait_idle(dash_duo)
        assert len(dash_duo.find_elements(".alert-danger")) == 1  # one banner per page, not one per chart
        texts = dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => g.layout.annotations[0].text)")
        assert texts and set(texts) == {"Database unavailable"}
        assert "Traceback" not in dash_duo.find_element("body").text
        assert dash_duo.get_logs() == []
    finally:
        query_engine.configure(e2e_db)
        with contextlib.suppress(DatabaseUnavailable):
            cache.data_version(force=True)


# ------------------------------------------------------------------ phone width
def test_phone_width_moves_the_filters_into_a_drawer(dash_duo, app_url):
    set_viewport(dash_duo.driver, *PHONE, mobile=True)
    open_page(dash_duo, app_url + "/demo?category=Books")
    drawer = dash_duo.find_element(css_id(fb.DRAWER))
    toggle = dash_duo.find_element(css_id(fb.DRAWER_TOGGLE))
    assert toggle.is_displayed() and not drawer.is_displayed()
    wait_until(lambda: dash_duo.find_element(css_id(fb.ACTIVE_COUNT)).text == "1", message="active filter count")
    toggle.click()
    wait_until(lambda: drawer.is_displayed() and "show" in drawer.get_attribute("class"), message="drawer open")
    assert dash_duo.find_element(css_id(fb.dim_id("categories"))).is_displayed()
    dash_duo.find_element(css_id(fb.DRAWER_CLOSE)).click()
    wait_until(lambda: not drawer.is_displayed(), message="drawer closed")
    assert dash_duo.get_logs() == []


def test_graphs_are_not_fitted_again_at_the_same_size_but_follow_a_new_width(dash_duo, app_url):
    """assets/renderer_hooks.js lets Plotly skip re-fitting a graph whose box kept its size (dcc.Graph
    asks twice after every first drawing); a box that changes size is still fitted."""
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/demo")
    graph = css_id(cc.chart_ids("demo-trend").graph) + " .js-plotly-plot"
    wait_until(lambda: driver.execute_script("const g = document.querySelector(arguments[0]); return !!(g && g._fullLayout)",
                                             graph), message="trend drawn")
    assert driver.execute_script("return window.Plotly.Plots.resize.skipsSameSize") is True
    relayouts = driver.execute_script("""
        const g = document.querySelector(arguments[0]); window.__relayouts = 0;
        g.on("plotly_relayout", () => { window.__relayouts += 1; });
        return window.Plotly.Plots.resize(g).then(() => window.__relayouts);""", graph)
    assert relayouts == 0  # same box: nothing redrawn
    wide = driver.execute_script("return document.querySelector(arguments[0])._fullLayout.width", graph)
    set_viewport(driver, 600, 900)
    wait_until(lambda: driver.execute_script("return document.querySelector(arguments[0])._fullLayout.width", graph) < wide - 100,
               message="graph fitted to the narrower window")
    assert driver.execute_script("return window.__relayouts") >= 1
    assert dash_duo.get_logs() == []


# ------------------------------------------------------------------ screenshots (docs/screenshots)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(dash_duo, app_url, theme):
    dash_duo.driver.get(app_url + "/no-page")
    set_theme(dash_duo.driver, theme)
    query = "?from=2024-01-01&to=2024-12-31"
    for name, path in (("demo", "/demo" + query), ("demo-payments", "/demo/payments" + query), ("not-found", "/x")):
        open_page(dash_duo, app_url + path)
        kpi_values(dash_duo) if name == "demo" else None
        assert screenshot(dash_duo, name, theme).stat().st_size > 10_000
    if theme == "light":
        open_page(dash_duo, app_url + "/demo" + query)
        assert screenshot(dash_duo, "demo-phone", theme, size=PHONE, mobile=True).exists()
    assert dash_duo.get_logs() == []
