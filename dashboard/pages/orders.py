"""Orders: orders and revenue over time (year -> month -> day drill-down, grain toggle), status mix,
payment methods, revenue by city and top products (category -> product drill-down).

Cross-filters: a city bar, a payment-method slice or a status slice narrows the other charts (a
status counts the orders of the narrowest status scope holding it: completed -> kept orders,
returned -> paid orders, canceled -> all orders). Charts whose dataset ignores a dimension are not
re-queried (their cached result is reused). Drill state and cross-filters are kept in the URL.
"""
from __future__ import annotations

import calendar as cal
from datetime import date, timedelta
from typing import Mapping

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.chart_card import chart_card, chart_ids, chart_outputs, chart_result, render_chart
from dashboard.components.chips import apply_crossfilters, crossfilter_chips
from dashboard.components.filter_bar import filters_of
from dashboard.queries import catalogue  # noqa: F401 - registers the datasets named below
from dashboard.components.interactions import (
    STATUS, XF_PARAMS, breadcrumb, chart_query, chip_labels, click_value, crumb_clicked, crumb_input,
    emphasise, mirror_to_url, removable_chips, on_click, query_values, state_from_params, state_params,
)
from dashboard.components.memo import memoized
from dashboard.components.state import page_inputs
from dashboard.figures import build_bar, build_combo, build_donut, build_hbar
from dashboard.queries.filters import parse_date
from schema.errors import InvalidFilter

DATASETS = ("orders_trend", "status_mix", "payment_mix", "revenue_by_city", "top_products", "category_units_share")
FILTERS = filters_of(*DATASETS)
GRAIN_PARAM, DRILL_PARAM, TOP_PARAM = "grain", "drill", "topcat"
dash.register_page(__name__, path="/orders", name="Orders", title="Orders · Shop BI", order=4, icon="bi-receipt",
                   filters=FILTERS, url_params=(*XF_PARAMS, GRAIN_PARAM, DRILL_PARAM, TOP_PARAM))

# ids, named once
TREND, STATUS_MIX, PAYMENTS, CITIES, TOP = "orders-trend", "orders-status", "orders-payments", "orders-cities", "orders-top"
GRAIN, TREND_DRILL, TREND_CRUMBS = "orders-grain", "orders-trend-drill", "orders-trend-crumbs"
TOP_DRILL, TOP_CRUMBS = "orders-top-drill", "orders-top-crumbs"
XF, XF_STORE, XF_CHIPS = "orders-xf", "orders-xf-store", "orders-xf-chips"
URL_PARAMS, URL_SINK = "orders-url-params", "orders-url-sink"
SOURCES = {"cities": CITIES, "payment_methods": PAYMENTS, STATUS: STATUS_MIX}

GRAINS = {"year": "Year", "month": "Month", "week": "Week", "day": "Day"}
DEFAULT_GRAIN = "month"
CHILD_GRAIN = {"year": "month", "month": "day", "week": "day"}  # what a click on a period drills into
TOP_LIMIT = 10
ALL_PERIODS, ALL_CATEGORIES = "All periods", "All categories"


# ------------------------------------------------------------------ trend drill state (pure)
def drill_state(grain: str = DEFAULT_GRAIN, path=()) -> dict:
    """{"grain": shown grain, "path": [[grain, period start], ...] of the periods drilled into}."""
    return {"grain": grain if grain in GRAINS else DEFAULT_GRAIN, "path": [list(p) for p in path]}


def drill_into(state: Mapping, period) -> dict:
    """Click on `period` (its first day) at the shown grain: show that period at the next grain down."""
    grain = state["grain"]
    if grain not in CHILD_GRAIN or not period:
        return drill_state(grain, state["path"])
    return drill_state(CHILD_GRAIN[grain], [*state["path"], [grain, str(period)[:10]]])


def drill_back(state: Mapping, level: int) -> dict:
    """Breadcrumb `level` (0 = all periods): the view as it was before that level's click."""
    path = state["path"]
    if not 0 <= level < len(path):
        return drill_state(state["grain"], path)
    return drill_state(path[level][0], path[:level])


def with_grain(state: Mapping, grain: str) -> dict:
    return drill_state(grain, state["path"])


def period_bounds(grain: str, start: date) -> tuple[date, date]:
    """First and last day of the `grain` period starting on (or holding) `start`."""
    if grain == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    if grain == "month":
        return start.replace(day=1), start.replace(day=cal.monthrange(start.year, start.month)[1])
    if grain == "week":
        monday = start - timedelta(days=start.weekday())
        return monday, monday + timedelta(days=6)
    return start, start


def period_label(grain: str, start: date) -> str:
    if grain == "year":
        return str(start.year)
    if grain == "month":
        return start.strftime("%b %Y")
    if grain == "week":
        return f"Week of {period_bounds('week', start)[0].isoformat()}"
    return start.isoformat()


def crumb_labels(state: Mapping) -> list[str]:
    return [ALL_PERIODS, *(period_label(g, date.fromisoformat(s)) for g, s in state["path"])]


def drill_window(query: Mapping | None, state: Mapping) -> dict | None:
    """The filter query narrowed to the drilled period, intersected with the selected date range;
    None when they do not meet (the selected range moved away from the drilled period)."""
    out = dict(query or {})
    if not state["path"]:
        return out
    grain, start = state["path"][-1]
    lo, hi = period_bounds(grain, date.fromisoformat(start))
    if out.get("from"):
        lo = max(lo, date.fromisoformat(out["from"]))
    if out.get("to"):
        hi = min(hi, date.fromisoformat(out["to"]))
    return {**out, "from": lo.isoformat(), "to": hi.isoformat()} if lo <= hi else None


def drill_params(state: Mapping) -> dict[str, list[str]]:
    return {GRAIN_PARAM: [] if state["grain"] == DEFAULT_GRAIN else [state["grain"]],
            DRILL_PARAM: [f"{g}:{s}" for g, s in state["path"]]}


def drill_from_params(query: Mapping | None) -> dict:
    """The drill state of a URL (tolerant: a bad step ends the path there)."""
    grains = query_values(query, GRAIN_PARAM)
    path = []
    for item in query_values(query, DRILL_PARAM)[:3]:
        grain, _, start = item.partition(":")
        try:
            day = parse_date(start)
        except InvalidFilter:
            break
        if grain not in CHILD_GRAIN or (path and CHILD_GRAIN[path[-1][0]] != grain):
            break
        path.append([grain, period_bounds(grain, day)[0].isoformat()])
    default = CHILD_GRAIN[path[-1][0]] if path else DEFAULT_GRAIN
    return drill_state(grains[-1] if grains and grains[-1] in GRAINS else default, path)


def top_crumb_labels(category: str | None) -> list[str]:
    return [ALL_CATEGORIES, category] if category else [ALL_CATEGORIES]


# ------------------------------------------------------------------ layout
def grain_toggle(value: str) -> dbc.RadioItems:
    return dbc.RadioItems(id=GRAIN, options=[{"label": label, "value": g} for g, label in GRAINS.items()], value=value,
                          inline=True, class_name="grain-toggle btn-group btn-group-sm", input_class_name="btn-check",
                          label_class_name="btn btn-outline-secondary", label_checked_class_name="active")


def layout(**query):
    state, drill = state_from_params(query, SOURCES), drill_from_params(query)
    top = next(iter(query_values(query, TOP_PARAM)), None)
    return html.Div(className="insights-page", children=[
        html.Div([html.H2("Orders"), html.Span("Volume, value, status and how customers pay",
                                               className="text-body-secondary")], className="page-header"),
        dcc.Store(id=XF_STORE, data=state), dcc.Store(id=TREND_DRILL, data=drill), dcc.Store(id=TOP_DRILL, data=top),
        dcc.Store(id=URL_PARAMS), html.Div(id=URL_SINK, hidden=True),
        html.Div(id=XF_CHIPS),
        dbc.Row([
            dbc.Col(chart_card(TREND, "Orders and revenue", "Columns: revenue; line: orders (right axis). Click a "
                               "year, month or week to drill into it; the breadcrumb goes back.",
                               metrics=("revenue", "orders"),
                               subtitle=html.Div(breadcrumb(TREND_CRUMBS, crumb_labels(drill)), id=TREND_CRUMBS),
                               extra_header=grain_toggle(drill["grain"])), lg=8, class_name="mb-3"),
            dbc.Col(chart_card(STATUS_MIX, "Status mix", "Orders by status. Click a slice to count only the orders of "
                               "the matching scope elsewhere (completed: kept; returned: paid; canceled: all).",
                               metrics=("status_mix", "orders")), lg=4, class_name="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card(PAYMENTS, "Payment methods", "Orders per payment method. Click a slice to "
                               "cross-filter the page by payment method.", metrics=("orders", "share_pct"), height=360),
                    lg=5, class_name="mb-3"),
            dbc.Col(chart_card(TOP, "Top products", "Revenue by category; click a category to see its top "
                               f"{TOP_LIMIT} products (the breadcrumb goes back). Payment and city filters do not "
                               "apply to product sales.", metrics=("revenue",), height=360,
                               subtitle=html.Div(breadcrumb(TOP_CRUMBS, top_crumb_labels(top)), id=TOP_CRUMBS)),
                    lg=7, class_name="mb-3"),
        ]),
        dbc.Row(dbc.Col(chart_card(CITIES, "Revenue by city", "Revenue of the orders of customers in each city. Click "
                                   "a bar to cross-filter the page by city.", metrics=("revenue", "orders", "aov")),
                        xs=12, class_name="mb-3")),
    ])


# ------------------------------------------------------------------ charts
@callback(*chart_outputs(TREND), *page_inputs(), Input(XF_STORE, "data"), Input(TREND_DRILL, "data"))
@memoized
def trend(query, theme, state, drill):
    window = drill_window(chart_query(query, state, TREND), drill)
    if window is None:
        return chart_result(None, theme, build_combo)
    return render_chart("orders_trend", window, theme, build_combo, x="period", bars="revenue", line="orders",
                        fmt_bars="currency", params={"grain": drill["grain"]})


@callback(*chart_outputs(STATUS_MIX), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def status(query, theme, state):
    figure, *rest = render_chart("status_mix", chart_query(query, state, STATUS_MIX), theme, build_donut,
                                 names="status", values="orders")
    return emphasise(figure, state["sel"].get(STATUS)), *rest


@callback(*chart_outputs(PAYMENTS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def payments(query, theme, state):
    figure, *rest = render_chart("payment_mix", chart_query(query, state, PAYMENTS), theme, build_donut,
                                 names="payment_method", values="orders", height=360)
    figure.update_layout(uniformtext=dict(minsize=10, mode="hide"))
    return emphasise(figure, state["sel"].get("payment_methods")), *rest


@callback(*chart_outputs(CITIES), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def cities(query, theme, state):
    figure, *rest = render_chart("revenue_by_city", chart_query(query, state, CITIES), theme, build_bar, x="city",
                                 y="revenue", fmt_y="currency")
    return emphasise(figure, state["sel"].get("cities")), *rest


@callback(*chart_outputs(TOP), *page_inputs(), Input(XF_STORE, "data"), Input(TOP_DRILL, "data"))
@memoized
def top(query, theme, state, category):
    base = chart_query(query, state, TOP)
    if not category:
        return render_chart("category_units_share", base, theme, build_hbar, label="category", value="revenue",
                            fmt_value="currency", height=360)
    return render_chart("top_products", apply_crossfilters(base, {"categories": [category]}), theme, build_hbar,
                        label="product_name", value="revenue", fmt_value="currency", params={"limit": TOP_LIMIT},
                        height=360)


# ------------------------------------------------------------------ interactions
@callback(Output(XF_STORE, "data"), *(Output(chart_ids(c).graph, "clickData") for c in SOURCES.values()),
          *(Input(chart_ids(c).graph, "clickData") for c in SOURCES.values()), State(XF_STORE, "data"),
          prevent_initial_call=True)
def cross_filter(city_click, payment_click, status_click, state):
    """A click sets/toggles a cross-filter; clickData is cleared so the same point can be clicked again."""
    keys = {"cities": ("x", city_click), "payment_methods": ("label", payment_click), STATUS: ("label", status_click)}
    dim = next(d for d, chart in SOURCES.items() if dash.ctx.triggered_id == chart_ids(chart).graph)
    key, click = keys[dim]
    return on_click(state, dim, click_value(click, key), SOURCES[dim]), None, None, None


@callback(Output(TREND_DRILL, "data"), Output(GRAIN, "value"), Output(chart_ids(TREND).graph, "clickData"),
          Input(chart_ids(TREND).graph, "clickData"), Input(GRAIN, "value"), crumb_input(TREND_CRUMBS),
          State(TREND_DRILL, "data"), prevent_initial_call=True)
def drill_trend(click, grain, _crumbs, drill):
    """Click: drill into the period; grain toggle: regrain the current window; breadcrumb: go back."""
    trigger, level = dash.ctx.triggered_id, crumb_clicked()
    if trigger == GRAIN:
        new = with_grain(drill, grain)
    elif trigger == chart_ids(TREND).graph and click_value(click, "x"):
        new = drill_into(drill, click_value(click, "x"))
    elif level is not None:
        new = drill_back(drill, level)
    else:
        return no_update, no_update, no_update
    return new, new["grain"], None


@callback(Output(TOP_DRILL, "data"), Output(chart_ids(TOP).graph, "clickData"),
          Input(chart_ids(TOP).graph, "clickData"), crumb_input(TOP_CRUMBS), State(TOP_DRILL, "data"),
          prevent_initial_call=True)
def drill_top(click, _crumbs, category):
    """Click a category: its top products; the breadcrumb's first level: back to the categories."""
    if dash.ctx.triggered_id == chart_ids(TOP).graph and not category and click_value(click, "y"):
        return click_value(click, "y"), None
    if crumb_clicked() == 0:
        return None, None
    return no_update, no_update


@callback(Output(TREND_CRUMBS, "children"), Input(TREND_DRILL, "data"))
def trend_crumbs(drill):
    return breadcrumb(TREND_CRUMBS, crumb_labels(drill))


@callback(Output(TOP_CRUMBS, "children"), Input(TOP_DRILL, "data"))
def top_crumbs(category):
    return breadcrumb(TOP_CRUMBS, top_crumb_labels(category))


removable_chips(XF, XF_STORE)


@callback(Output(XF_CHIPS, "children"), Output(URL_PARAMS, "data"), Input(XF_STORE, "data"),
          Input(TREND_DRILL, "data"), Input(TOP_DRILL, "data"))
def chips(state, drill, category):
    params = {**state_params(state), **drill_params(drill), TOP_PARAM: [category] if category else []}
    return crossfilter_chips(XF, state["sel"], chip_labels()), params


mirror_to_url(URL_SINK, URL_PARAMS)
