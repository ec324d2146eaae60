"""Pure helpers of the User insights, Products and Orders pages: drill-down state, URL parameters,
table clicks, KPI math and display-only figure helpers."""
import importlib
import sys
from datetime import date

import dash
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The page modules (`dash.register_page` needs a pages-enabled app to exist first)."""
    names = ("users", "products", "orders")
    if not all(f"dashboard.pages.{n}" in sys.modules for n in names):
        dash.Dash("unit-pages", use_pages=True, pages_folder=str(tmp_path_factory.mktemp("no-pages")))
    return {n: importlib.import_module(f"dashboard.pages.{n}") for n in names}


# ------------------------------------------------------------------ Orders: trend drill-down
def test_drill_into_goes_year_month_day_and_week_day(pages):
    o = pages["orders"]
    state = o.drill_state("year")
    state = o.drill_into(state, "2024-01-01")
    assert state == {"grain": "month", "path": [["year", "2024-01-01"]]}
    state = o.drill_into(state, "2024-03-01T00:00:00")
    assert state == {"grain": "day", "path": [["year", "2024-01-01"], ["month", "2024-03-01"]]}
    assert o.drill_into(state, "2024-03-05") == state  # a day is a leaf
    week = o.drill_into(o.drill_state("week"), "2024-03-04")
    assert week == {"grain": "day", "path": [["week", "2024-03-04"]]}
    assert o.drill_into(o.drill_state("month"), None) == o.drill_state("month")


def test_drill_back_restores_the_view_of_that_level(pages):
    o = pages["orders"]
    deep = {"grain": "day", "path": [["year", "2024-01-01"], ["month", "2024-03-01"]]}
    assert o.drill_back(deep, 1) == {"grain": "month", "path": [["year", "2024-01-01"]]}
    assert o.drill_back(deep, 0) == {"grain": "year", "path": []}
    assert o.drill_back(deep, 5) == deep
    assert o.with_grain(deep, "week") == {"grain": "week", "path": deep["path"]}
    assert o.drill_state("fortnight") == o.drill_state()


def test_period_bounds_and_labels(pages):
    o = pages["orders"]
    assert o.period_bounds("year", date(2024, 5, 5)) == (date(2024, 1, 1), date(2024, 12, 31))
    assert o.period_bounds("month", date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert o.period_bounds("week", date(2024, 3, 6)) == (date(2024, 3, 4), date(2024, 3, 10))
    assert o.period_bounds("day", date(2024, 3, 6)) == (date(2024, 3, 6), date(2024, 3, 6))
    assert [o.period_label(g, date(2024, 3, 4)) for g in ("year", "month", "week", "day")] == \
        ["2024", "Mar 2024", "Week of 2024-03-04", "2024-03-04"]
    assert o.crumb_labels({"grain": "day", "path": [["year", "2024-01-01"], ["month", "2024-03-01"]]}) == \
        ["All periods", "2024", "Mar 2024"]


def test_drill_window_intersects_the_selected_range(pages):
    o = pages["orders"]
    state = {"grain": "day", "path": [["year", "2024-01-01"], ["month", "2024-03-01"]]}
    assert o.drill_window({"city": ["A"]}, state) == {"city": ["A"], "from": "2024-03-01", "to": "2024-03-31"}
    assert o.drill_window({"from": "2024-03-10", "to": "2024-06-30"}, state) == {"from": "2024-03-10", "to": "2024-03-31"}
    assert o.drill_window({"from": "2024-05-01"}, state) is None
    assert o.drill_window({"from": "2024-05-01"}, o.drill_state()) == {"from": "2024-05-01"}


def test_drill_state_round_trips_through_the_url(pages):
    o = pages["orders"]
    state = {"grain": "week", "path": [["year", "2024-01-01"]]}
    params = o.drill_params(state)
    assert params == {"grain": ["week"], "drill": ["year:2024-01-01"]}
    assert o.drill_from_params(params) == state
    assert o.drill_params(o.drill_state()) == {"grain": [], "drill": []}
    assert o.drill_from_params({"drill": "year:2024-06-15"}) == {"grain": "month", "path": [["year", "2024-01-01"]]}
    # tolerant: a bad step ends the path, a bad grain falls back to the level's natural grain
    assert o.drill_from_params({"drill": ["year:2024-01-01", "day:2024-03-01"], "grain": "hour"}) == \
        {"grain": "month", "path": [["year", "2024-01-01"]]}
    assert o.drill_from_params({"drill": ["month:nope"]}) == o.drill_state()
    assert o.top_crumb_labels(None) == ["All categories"] and o.top_crumb_labels("Books") == ["All categories", "Books"]


# ------------------------------------------------------------------ Products
def test_threshold_parsing(pages):
    p = pages["products"]
    default = p.default_threshold()
    assert default == 20  # the query layer's default (Settings.low_stock_threshold)
    assert (p.parse_threshold("7"), p.parse_threshold(3.0), p.parse_threshold(-4)) == (7, 3, 0)
    assert p.parse_threshold(None) == p.parse_threshold("x") == default
    assert p.parse_threshold(10 ** 9) == p.MAX_THRESHOLD


def test_low_stock_cell_clicks_map_to_brand_or_category(pages):
    p = pages["products"]
    row = {"product_name": "Levi's Polo", "category": "Men Fashion", "brand": "Levi's", "stock": 1}
    assert p.cell_filter({"colId": "brand", "value": "Levi's", "data": row}) == ("brands", "Levi's")
    assert p.cell_filter({"colId": "category", "value": "Men Fashion", "data": row}) == ("categories", "Men Fashion")
    assert p.cell_filter({"colId": "product_name", "value": "Levi's Polo", "data": row}) == ("categories", "Men Fashion")
    assert p.cell_filter(None) is None and p.cell_filter({"colId": "brand", "value": None, "data": row}) is None


def test_price_bands_label_and_order_the_bins(pages):
    p = pages["products"]
    df = pd.DataFrame({"category": ["B", "A", "A"], "bin": [1, 0, 1], "bin_lo": [10_000.0, 5_000.0, 10_000.0],
                       "bin_hi": [20_000.0, 10_000.0, 20_000.0], "products": [2, 1, 3]})
    bands = p.price_bands(df)
    assert list(bands["band"].cat.categories) == ["5,000–10k", "10k–20k"]
    assert len(bands) == 3
    figure = p.build_price_bands(df, theme="dark")
    assert [t.name for t in figure.data] == ["A", "B"] and figure.layout.legend.traceorder == "normal"  # legend A-Z
    assert list(figure.data[0].x) == ["5,000–10k", "10k–20k"]  # each trace's bands in order
    assert sum(sum(t.y) for t in figure.data) == 6  # every row drawn
    assert figure.layout.yaxis.dtick == 1 and figure.layout.yaxis.tickformat == ",d"  # no "500m" products


def test_sales_vs_inventory_keeps_columns_narrow_when_few(pages):
    p = pages["products"]
    one = pd.DataFrame({"category": ["A"], "units_sold": [3], "revenue": [10.0], "units_received": [5]})
    figure = p.build_sales_vs_inventory(one, theme="light")
    assert [t.type for t in figure.data] == ["bar", "bar", "scatter"] and figure.layout.bargap == pytest.approx(0.65)
    many = pd.concat([one.assign(category=c) for c in "ABCDEF"])
    assert p.build_sales_vs_inventory(many, theme="light").layout.bargap == 0.25


def test_stock_drill_breadcrumb(pages):
    p = pages["products"]
    assert p.stock_crumbs(None) == ["All categories"] and p.stock_crumbs("Books") == ["All categories", "Books"]
    layout = p.layout(stockcat="Books")
    assert "Books" in str(layout.to_plotly_json())


def test_series_name_reads_the_clicked_trace(pages):
    p = pages["products"]
    figure = {"data": [{"name": "A"}, {"name": "B"}]}
    assert p.series_name({"points": [{"curveNumber": 1}]}, figure) == "B"
    assert p.series_name({"points": [{"curveNumber": 5}]}, figure) is None
    assert p.series_name(None, figure) is None


# ------------------------------------------------------------------ Users
def test_kpi_values_add_the_active_share(pages):
    u = pages["users"]
    row = pd.Series({"users": 200, "active_users": 50, "new_users": 20, "users_prev": 180, "active_users_prev": 60,
                     "new_users_prev": 10})
    values = u.kpi_values(row)
    assert values["active_share"] == 0.25 and values["active_share_prev"] == pytest.approx(1 / 3)
    open_range = pd.Series({**row, "users_prev": None, "active_users_prev": None, "new_users_prev": None})
    assert u.kpi_values(open_range)["active_share_prev"] is None
    assert u.share_of(5, 0) is None and u.share_of(float("nan"), 3) is None
    cards = u.kpi_cards(values)
    assert len(cards) == 4


def test_user_figures_draw_every_row(pages):
    u = pages["users"]
    signups = pd.DataFrame({"month": ["2024-01-01", "2024-02-01"], "signups": [3, 4]})
    assert list(u.build_signups(signups, theme="light").data[0].y) == [3, 4]
    bands = pd.DataFrame({"age_band": ["25-34", "16-24", "65+"], "users": [5, 3, 1]})
    assert list(u.build_age_bands(bands, theme="light").data[0].x) == ["16-24", "25-34", "65+"]
    gender = pd.DataFrame({"gender": ["F", "M"], "users": [6, 4], "share_pct": [60.0, 40.0]})
    donut = u.build_share_donut(gender, theme="dark", names="gender", labels=u.GENDERS)
    assert list(donut.data[0].labels) == ["Female", "Male"]
    assert "10" in donut.layout.annotations[0].text


# ------------------------------------------------------------------ layouts
@pytest.mark.parametrize("name", ["users", "products", "orders"])
def test_layout_tolerates_unknown_and_malformed_parameters(pages, name):
    junk = {"bogus": "1", "xf": ["cities:Jakarta", "nocolon", "status:completed"], "xfby": "cities:nowhere",
            "drill": ["year:2024-13-01"], "grain": "hour", "threshold": "lots", "topcat": ["A", "B"]}
    assert pages[name].layout(**junk).className == "insights-page"
    assert pages[name].layout().className == "insights-page"


def test_layout_reads_its_own_parameters(pages):
    def store(layout, store_id):
        found = []

        def walk(node):
            if getattr(node, "id", None) == store_id:
                found.append(node.data)
            for child in (node.children if isinstance(getattr(node, "children", None), list) else
                          [getattr(node, "children", None)]):
                if child is not None and hasattr(child, "to_plotly_json"):
                    walk(child)
        walk(layout)
        return found[0]

    o = pages["orders"]
    layout = o.layout(xf=["payment_methods:cod", "cities:Medan"], drill="year:2024-01-01", grain="week", topcat="Books")
    assert store(layout, o.XF_STORE) == {"sel": {"payment_methods": ["cod"], "cities": ["Medan"]},
                                         "src": {"payment_methods": o.PAYMENTS, "cities": o.CITIES}}
    assert store(layout, o.TREND_DRILL) == {"grain": "week", "path": [["year", "2024-01-01"]]}
    assert store(layout, o.TOP_DRILL) == "Books"
    u = pages["users"]
    assert store(u.layout(xf="platforms:ios"), u.XF_STORE) == {"sel": {"platforms": ["ios"]}, "src": {"platforms": u.PLATFORM}}
