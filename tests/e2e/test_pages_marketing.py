"""The marketing pages (Campaigns, Ad structure, Ad performance) in a real browser, on the generated e2e database.

Values on screen are checked against pandas over the raw tables (ads, ad_prices, ad_interactions, orders,
campaigns), never through the query layer; CSV downloads against the JSON API (the same query the chart ran).
"""
from __future__ import annotations

import html
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.components import chart_card as cc
from dashboard.components import filter_bar as fb
from dashboard.components.interactions import crumb_id
from dashboard.components.marketing import grid_id
from dashboard.figures.formats import format_change, format_value
from .helpers import (api_csv, chips, click, click_point, css_id, figure_data, kpi_texts, no_console_errors, open_page,
                      query_of, screenshot, set_theme, wait_figure, wait_idle, wait_until)

pytestmark = pytest.mark.e2e

PAGES = {"campaigns": "/campaigns", "ad-structure": "/ad-structure", "ad-performance": "/ad-performance"}
YEAR = (date(2024, 1, 1), date(2024, 12, 31))
YEAR_QUERY = "?from=2024-01-01&to=2024-12-31"


# ------------------------------------------------------------------ browser helpers
def kpi_changes(dash_duo, row: str) -> list[str]:
    return [e.text for e in dash_duo.find_elements(f"#{row} .kpi-change-value")]


def grid_cells(dash_duo, chart: str, column: str) -> dict[str, str]:
    """{row id: shown text} of one column of a grid (rows currently rendered)."""
    return dash_duo.driver.execute_script("""
        const out = {};
        document.querySelectorAll(arguments[0] + ' .ag-row[row-id]').forEach(r => {
            const c = r.querySelector('[col-id="' + arguments[1] + '"]');
            if (c) { const t = document.createElement('textarea'); t.innerHTML = r.getAttribute('row-id');
                     out[t.value] = c.textContent.trim(); }
        });
        return out;
    """, css_id(grid_id(chart)), column)


def number(text: str) -> float:
    """A number as a grid shows it ("−1,036.2%") back to a float."""
    return float(text.replace("\u2212", "-").replace(",", "").rstrip("%"))


def grid_row_count(dash_duo, chart: str) -> int:
    """Rows the grid holds after its own filters (all of them, not only the rendered ones)."""
    return dash_duo.driver.execute_script("return window.dash_ag_grid.getApi(arguments[0]).getDisplayedRowCount()",
                                          grid_id(chart))


def download(dash_duo, chart: str) -> str:
    button = css_id(cc.chart_ids(chart).download_button)
    wait_until(lambda: dash_duo.find_element(button).is_enabled(), message="download enabled")
    target = Path(dash_duo.download_path) / f"{chart}.csv"
    if target.exists():
        target.unlink()
    element = dash_duo.find_element(button)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    time.sleep(0.3)
    element.click()
    wait_until(target.exists, message="downloaded CSV")
    time.sleep(0.3)
    return target.read_text()


# ------------------------------------------------------------------ the raw tables, in pandas (independent of the query layer)
@pytest.fixture(scope="module")
def raw(e2e_db):
    engine = sa.create_engine(e2e_db)
    with engine.connect() as conn:
        read = {name: pd.read_sql(f"SELECT * FROM {name}", conn)
                for name in ("campaigns", "ads", "ad_prices", "ad_interactions", "orders")}
    engine.dispose()
    ai, orders = read["ad_interactions"], read["orders"]
    ads = read["ads"][["ad_id", "campaign_id", "ad_name", "placement", "platform", "is_active"]]
    counts = ai.groupby("ad_id").agg(reach=("interaction_id", "count"), clicks=("clicked_at", "count"),
                                     purchases=("purchased_at", "count"))
    valid_total = orders[orders["is_valid"] == 1].set_index("order_id")["total"].astype(float)
    attributed = ai.dropna(subset=["order_id"]).assign(order_id=lambda f: f["order_id"].astype(int))
    revenue = attributed.assign(revenue=attributed["order_id"].map(valid_total).fillna(0.0)).groupby("ad_id")["revenue"].sum()
    price = read["ad_prices"].set_index("placement")["price_per_reach"].astype(float)
    ads = ads.merge(counts, left_on="ad_id", right_index=True, how="left").fillna({"reach": 0, "clicks": 0, "purchases": 0})
    ads["budget"] = ads["reach"] * ads["placement"].map(price)
    ads["revenue"] = ads["ad_id"].map(revenue).fillna(0.0)
    campaigns = read["campaigns"][["campaign_id", "campaign_name", "start_date", "end_date"]].copy()
    for col in ("start_date", "end_date"):
        campaigns[col] = pd.to_datetime(campaigns[col]).dt.date
    return {"ads": ads.merge(campaigns, on="campaign_id"), "interactions": ai}


def ads_in(raw, start=None, end=None, *, campaigns=(), platforms=()) -> pd.DataFrame:
    """Ads of the campaigns overlapping [start, end], narrowed to campaigns / platforms."""
    a = raw["ads"]
    keep = pd.Series(True, index=a.index)
    if start:
        keep &= a["end_date"] >= start
    if end:
        keep &= a["start_date"] <= end
    if campaigns:
        keep &= a["campaign_name"].isin(campaigns)
    if platforms:
        keep &= a["platform"].isin(platforms)
    return a[keep]


def totals(a: pd.DataFrame) -> dict:
    reach, clicks, leads = a["reach"].sum(), a["clicks"].sum(), a["purchases"].sum()
    budget, revenue = a["budget"].sum(), a["revenue"].sum()
    return {"reach": reach, "clicks": clicks, "leads": leads, "budget": budget, "revenue": revenue,
            "roas": round(revenue / budget, 2) if budget else None, "ctr_pct": round(clicks * 100 / reach, 2) if reach else None,
            "conversion_pct": round(leads * 100 / clicks, 2) if clicks else None,
            "cpc": round(budget / clicks, 2) if clicks else None, "cpa": round(budget / leads, 2) if leads else None}


def previous(start: date, end: date) -> tuple[date, date]:
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def change(now, before) -> str:
    return format_change((now - before) / abs(before)) if before else "n/a"


# ------------------------------------------------------------------ loading
def test_marketing_pages_load_with_no_console_errors(dash_duo, app_url):
    for name, path in PAGES.items():
        open_page(dash_duo, app_url + path)
        dash_duo.wait_for_element(".kpi-card .kpi-value", timeout=20)
        for card in dash_duo.find_elements(".chart-card .js-plotly-plot"):
            assert card.is_displayed(), name
        wait_idle(dash_duo)
        no_console_errors(dash_duo)
        assert dash_duo.driver.title.endswith("Shop BI"), name
    dash_duo.find_element(".shell-navbar .dropdown-toggle")  # the "Marketing" group
    assert "Marketing" in dash_duo.find_element(".shell-navbar").text


def test_ranked_charts_and_donuts_are_drawn_once_in_the_margins_they_reserve(dash_duo, app_url):
    """figures.text reserves the room for category labels and legends: Plotly's automargin then finds
    nothing to push, so it does not draw the chart a second time with wider margins."""
    charts = {"/campaigns": ("campaigns-ctr", "campaigns-profit", "campaigns-timeline"),
              "/ad-structure": ("adstruct-formats", "adstruct-platforms", "adstruct-active", "adstruct-budget"),
              "/ad-performance": ("adperf-funnel", "adperf-roas", "adperf-click-to-lead")}
    for path, ids in charts.items():
        open_page(dash_duo, app_url + path)
        for chart in ids:
            wait_figure(dash_duo, chart)
            given, drawn = dash_duo.driver.execute_script("""
                const g = document.querySelector(arguments[0] + ' .js-plotly-plot'), m = g.layout.margin, s = g._fullLayout._size;
                return [[m.l, m.r, m.t, m.b], [s.l, s.r, s.t, s.b]];""", css_id(cc.chart_ids(chart).graph))
            assert drawn == given, (path, chart)
            assert given[0] > 8 or given[1] > 8, (path, chart)  # room was reserved on the label or legend side


# ------------------------------------------------------------------ values = pandas over the raw tables
def test_campaign_kpis_and_table_equal_pandas(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/campaigns" + YEAR_QUERY)
    now, before = totals(ads_in(raw, *YEAR)), totals(ads_in(raw, *previous(*YEAR)))
    assert kpi_texts(dash_duo, "campaigns-kpis") == [
        format_value(now["budget"], "currency"), format_value(now["revenue"], "currency"),
        format_value(now["roas"], "decimal"), format_value(now["leads"])]
    assert kpi_changes(dash_duo, "campaigns-kpis") == [
        change(round(now[k], 2), round(before[k], 2)) for k in ("budget", "revenue", "roas", "leads")]
    # every campaign row shown: ROI = (attributed valid revenue - budget) / budget, reach, budget, profit
    roi = wait_until(lambda: grid_cells(dash_duo, "campaigns-table", "roi_pct"), message="grid rows")
    budget, profit = (grid_cells(dash_duo, "campaigns-table", c) for c in ("budget", "profit"))
    per = ads_in(raw, *YEAR).groupby("campaign_name").agg(budget=("budget", "sum"), revenue=("revenue", "sum"))
    assert len(roi) >= 8
    for name, text in roi.items():
        b, r = per.loc[name, "budget"], per.loc[name, "revenue"]
        assert number(text) == pytest.approx((r - b) * 100 / b, abs=0.06), name  # 2 decimals, shown with 1
        assert number(budget[name]) == pytest.approx(b, abs=0.51) and number(profit[name]) == pytest.approx(r - b, abs=0.51)
    no_console_errors(dash_duo)


def test_funnel_and_ad_kpis_equal_counts_over_ad_interactions(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/ad-performance")  # all time: every ad, every interaction
    ai = raw["interactions"]
    funnel = wait_figure(dash_duo, "adperf-funnel")[0]
    assert funnel["x"] == [len(ai), int(ai["clicked_at"].notna().sum()), int(ai["purchased_at"].notna().sum())]
    t = totals(ads_in(raw))
    assert kpi_texts(dash_duo, "adperf-kpis") == [format_value(t["ctr_pct"], "pct"), format_value(t["conversion_pct"], "pct"),
                                                 format_value(t["cpc"], "currency"), format_value(t["cpa"], "currency")]
    assert all("no previous period" in e.text for e in dash_duo.find_elements("#adperf-kpis .kpi-change"))  # open range
    no_console_errors(dash_duo)


def test_ad_structure_kpis_equal_pandas(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/ad-structure" + YEAR_QUERY + "&platform=google")
    a = ads_in(raw, *YEAR, platforms=("google",))
    active_budget = a.loc[a["is_active"] == 1, "budget"].sum()
    assert kpi_texts(dash_duo, "adstruct-kpis") == [
        format_value(len(a)), format_value(int(a["is_active"].sum())),
        format_value(active_budget * 100 / a["budget"].sum(), "pct"), format_value(a["budget"].sum(), "currency")]
    mix = wait_figure(dash_duo, "adstruct-platforms")[0]
    assert mix["labels"] == ["google"] and mix["values"] == [len(a)]
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ filters
def test_date_range_and_platform_filter_change_the_figures(dash_duo, app_url):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/campaigns")
    all_time, ctr = kpi_texts(dash_duo, "campaigns-kpis"), wait_figure(dash_duo, "campaigns-ctr")
    dash_duo.find_element(css_id(fb.PRESET_MENU) + " .dropdown-toggle, " + css_id(fb.PRESET_MENU)).click()
    dash_duo.find_element(css_id(fb.preset_id("last_year"))).click()
    wait_until(lambda: query_of(driver).get("from") == ["2023-01-01"], message="URL after preset")
    wait_until(lambda: kpi_texts(dash_duo, "campaigns-kpis") != all_time, message="KPIs for last year")
    last_year = wait_figure(dash_duo, "campaigns-ctr", changed_from=ctr)
    assert len(last_year[0]["y"]) < len(ctr[0]["y"])  # fewer campaigns overlap one year than all time
    kpis = kpi_texts(dash_duo, "campaigns-kpis")
    dash_duo.select_dcc_dropdown(css_id(fb.dim_id("platforms")), value="google")
    wait_until(lambda: query_of(driver).get("platform") == ["google"], message="URL after platform")
    wait_until(lambda: kpi_texts(dash_duo, "campaigns-kpis") != kpis, message="KPIs for google")
    wait_figure(dash_duo, "campaigns-ctr", changed_from=last_year)
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ cross-filters
def test_platform_click_cross_filters_the_other_charts_and_the_chip_clears_it(dash_duo, app_url, raw):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/ad-performance" + YEAR_QUERY)
    funnel, roas = wait_figure(dash_duo, "adperf-funnel"), wait_figure(dash_duo, "adperf-roas")
    ctr, sources = wait_figure(dash_duo, "adperf-ctr-platform"), wait_figure(dash_duo, "adperf-traffic-sources")
    platform = ctr[0]["x"][0]
    click_point(dash_duo, "adperf-ctr-platform", 0)
    wait_until(lambda: chips(dash_duo) == [f"Platform: {platform}"], message="platform chip")
    narrowed = wait_figure(dash_duo, "adperf-funnel", changed_from=funnel)
    a = ads_in(raw, *YEAR, platforms=(platform,))
    assert narrowed[0]["x"] == [int(a["reach"].sum()), int(a["clicks"].sum()), int(a["purchases"].sum())]
    wait_figure(dash_duo, "adperf-roas", changed_from=roas)
    assert figure_data(dash_duo, "adperf-ctr-platform")[0]["x"] == ctr[0]["x"]  # the clicked chart keeps every platform
    assert figure_data(dash_duo, "adperf-traffic-sources") == sources  # sessions ignore ad platforms
    assert query_of(driver)["xf"] == [f"platforms:{platform}"]
    click(dash_duo, ".xfilter-chip")
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    wait_figure(dash_duo, "adperf-funnel", changed_from=narrowed)
    assert figure_data(dash_duo, "adperf-funnel") == funnel
    wait_until(lambda: "xf" not in query_of(driver), message="cross-filter gone from the URL")
    no_console_errors(dash_duo)


def test_table_row_click_cross_filters_the_kpis_and_clear_all(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/campaigns" + YEAR_QUERY)
    before = kpi_texts(dash_duo, "campaigns-kpis")
    timeline = wait_figure(dash_duo, "campaigns-timeline")
    cell = wait_until(lambda: dash_duo.find_element(
        css_id(grid_id("campaigns-table")) + ' .ag-center-cols-container .ag-row[row-index="0"] [col-id="reach"]'))
    name = html.unescape(dash_duo.find_element(
        css_id(grid_id("campaigns-table")) + ' .ag-center-cols-container .ag-row[row-index="0"]').get_attribute("row-id"))
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    time.sleep(0.3)
    cell.click()
    wait_until(lambda: chips(dash_duo) == [f"Campaign: {name}"], message="campaign chip")
    t = totals(ads_in(raw, *YEAR, campaigns=(name,)))
    wait_until(lambda: kpi_texts(dash_duo, "campaigns-kpis")[0] == format_value(t["budget"], "currency"),
               message="KPIs of the campaign")
    assert kpi_texts(dash_duo, "campaigns-kpis")[3] == format_value(t["leads"])
    assert wait_figure(dash_duo, "campaigns-timeline", changed_from=timeline)[0]["y"] == [name]
    assert len(grid_cells(dash_duo, "campaigns-table", "reach")) > 1  # the table keeps every campaign
    click(dash_duo, ".xfilter-clear")
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    wait_until(lambda: kpi_texts(dash_duo, "campaigns-kpis") == before, message="KPIs back")
    no_console_errors(dash_duo)


def test_a_url_with_filters_and_cross_filters_reproduces_the_view(dash_duo, app_url, raw):
    a = ads_in(raw, *YEAR, platforms=("google",))
    name = a.groupby("campaign_name")["budget"].sum().idxmax()
    url = (f"/campaigns{YEAR_QUERY}&platform=google&xf={quote('campaigns:' + name)}&xfby=campaigns:campaigns-ctr")
    open_page(dash_duo, app_url + url)
    wait_until(lambda: chips(dash_duo) == [f"Campaign: {name}"], message="chip from the URL")
    t = totals(ads_in(raw, *YEAR, campaigns=(name,), platforms=("google",)))
    assert kpi_texts(dash_duo, "campaigns-kpis") == [format_value(t["budget"], "currency"),
                                                     format_value(t["revenue"], "currency"),
                                                     format_value(t["roas"], "decimal"), format_value(t["leads"])]
    ctr = wait_figure(dash_duo, "campaigns-ctr")[0]
    assert len(ctr["y"]) == a["campaign_name"].nunique()  # set by this chart: it still shows every campaign
    assert wait_figure(dash_duo, "campaigns-timeline")[0]["y"] == [name]
    assert wait_until(lambda: grid_cells(dash_duo, "campaigns-table", "reach")).keys() == {name}
    assert dash_duo.find_element(css_id(fb.dim_id("platforms"))).text.strip().startswith("google")
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ drill-down and downloads
def test_roas_drills_into_the_campaigns_ads_and_the_breadcrumb_goes_back(dash_duo, app_url, raw):
    open_page(dash_duo, app_url + "/ad-performance" + YEAR_QUERY)
    campaigns = wait_figure(dash_duo, "adperf-roas")
    funnel = wait_figure(dash_duo, "adperf-funnel")
    name = campaigns[0]["custom"][-1]  # the top bar: highest ROAS
    click_point(dash_duo, "adperf-roas", -1)
    wait_until(lambda: name in dash_duo.find_element("#adperf-roas-crumbs").text, message="breadcrumb")
    ads = wait_figure(dash_duo, "adperf-roas", changed_from=campaigns)[0]
    expected = ads_in(raw, *YEAR, campaigns=(name,))
    assert sorted(ads["custom"]) == sorted(expected["ad_name"])
    assert chips(dash_duo) == [f"Campaign: {name}"]
    a = expected
    assert wait_figure(dash_duo, "adperf-funnel", changed_from=funnel)[0]["x"] == [
        int(a["reach"].sum()), int(a["clicks"].sum()), int(a["purchases"].sum())]  # the rest of the page follows
    # the CSV holds exactly the ads drawn
    csv = download(dash_duo, "adperf-roas")
    assert csv == api_csv(app_url, "roas_by_ad", **{"from": "2024-01-01", "to": "2024-12-31", "campaign": name,
                                                      "limit": 100})
    assert len(csv.strip().splitlines()) - 1 == len(ads["y"])
    click(dash_duo, css_id(crumb_id("adperf-roas-crumbs", 0)))
    wait_until(lambda: figure_data(dash_duo, "adperf-roas") == campaigns, message="back to campaigns")
    dash_duo.wait_for_no_elements(".xfilter-chip", timeout=10)
    no_console_errors(dash_duo)


def test_downloads_are_exactly_the_rows_of_cross_filtered_charts_and_grids(dash_duo, app_url):
    open_page(dash_duo, app_url + "/ad-performance" + YEAR_QUERY)
    ctr = wait_figure(dash_duo, "adperf-ctr-platform")
    platform = ctr[0]["x"][0]
    click_point(dash_duo, "adperf-ctr-platform", 0)
    wait_until(lambda: chips(dash_duo) == [f"Platform: {platform}"], message="platform chip")
    wait_idle(dash_duo)
    base = {"from": "2024-01-01", "to": "2024-12-31"}
    leads = download(dash_duo, "adperf-click-to-lead")
    assert leads == api_csv(app_url, "click_to_lead", **base, platform=platform)
    assert len(leads.strip().splitlines()) - 1 == len(figure_data(dash_duo, "adperf-click-to-lead")[0]["y"])
    assert download(dash_duo, "adperf-ctr-platform") == api_csv(app_url, "ctr_by_platform", **base)  # not by its own click
    ranking = download(dash_duo, "adperf-ranking")
    assert ranking == api_csv(app_url, "ad_efficiency", **base, platform=platform, limit=25)
    assert len(ranking.strip().splitlines()) - 1 == grid_row_count(dash_duo, "adperf-ranking")
    no_console_errors(dash_duo)


def test_budget_view_toggle_and_campaign_drill_on_ad_structure(dash_duo, app_url, raw):
    driver = dash_duo.driver
    open_page(dash_duo, app_url + "/ad-structure" + YEAR_QUERY)
    by_campaign = wait_figure(dash_duo, "adstruct-budget")
    name = by_campaign[0]["custom"][-1]  # the biggest budget
    click_point(dash_duo, "adstruct-budget", -1)
    wait_until(lambda: name in dash_duo.find_element("#adstruct-budget-crumbs").text, message="breadcrumb")
    ads = wait_figure(dash_duo, "adstruct-budget", changed_from=by_campaign)[0]
    expected = ads_in(raw, *YEAR, campaigns=(name,))
    assert sorted(ads["custom"]) == sorted(expected["ad_name"])
    mix = wait_figure(dash_duo, "adstruct-platforms")[0]
    assert sum(mix["values"]) == len(expected)  # the other charts follow the drilled campaign
    click(dash_duo, css_id(crumb_id("adstruct-budget-crumbs", 0)))
    wait_until(lambda: figure_data(dash_duo, "adstruct-budget") == by_campaign, message="back to campaigns")
    click(dash_duo, '#adstruct-budget-view input[value="placement"] + label')
    placements = wait_figure(dash_duo, "adstruct-budget", changed_from=by_campaign)[0]
    assert sorted(placements["custom"]) == sorted(ads_in(raw, *YEAR)["placement"].unique())
    wait_until(lambda: query_of(driver).get("budget") == ["placement"], message="view in the URL")
    no_console_errors(dash_duo)


# ------------------------------------------------------------------ screenshots (docs/screenshots)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(dash_duo, app_url, theme):
    dash_duo.driver.get(app_url + "/no-page")
    set_theme(dash_duo.driver, theme)
    for name, path in PAGES.items():
        open_page(dash_duo, app_url + path + YEAR_QUERY)
        kpi_texts(dash_duo, {"campaigns": "campaigns-kpis", "ad-structure": "adstruct-kpis",
                             "ad-performance": "adperf-kpis"}[name])
        for chart in dash_duo.find_elements(".chart-card .js-plotly-plot"):
            wait_until(lambda c=chart: c.get_attribute("class") and c.find_elements("css selector", ".main-svg"))
        time.sleep(1.0)
        height = dash_duo.driver.execute_script("return document.documentElement.scrollHeight") + 8
        assert screenshot(dash_duo, name, theme, size=(1400, max(900, height))).stat().st_size > 10_000
        dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    no_console_errors(dash_duo)
