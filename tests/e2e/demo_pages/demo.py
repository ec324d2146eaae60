"""A demo page for the browser tests and screenshots: every shared component on real datasets.

It is also the reference for page authors: a page is this much code (dashboard/pages/README.md).
"""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.chart_card import chart_card, chart_ids, chart_outputs, render_chart
from dashboard.components.chips import apply_crossfilters, chip_event, chip_inputs, crossfilter_chips, toggle_selection
from dashboard.components.data import load_dataset
from dashboard.components.errors import error_state, guard
from dashboard.components.kpi import kpi_card, kpi_row, kpi_row_children, kpi_row_output
from dashboard.components.memo import memoized
from dashboard.components.state import filters_from_store, page_inputs
from dashboard.figures import build_combo, build_donut, build_hbar, build_timeseries
from dashboard.queries.glossary import definition

FILTERS = ("start", "end", "categories", "brands", "status_scope")
dash.register_page(__name__, path="/demo", name="Demo", title="Demo · Shop BI", order=0, icon="bi-grid-1x2",
                   filters=FILTERS)

# ids, named once
KPIS = "demo-kpis"
TREND, CATEGORIES, TOP, DAILY = "demo-trend", "demo-categories", "demo-top-products", "demo-daily"
XF, XF_STORE, XF_CHIPS = "demo-xf", "demo-xf-store", "demo-xf-chips"
CATEGORY_LABELS = {"categories": "Category"}


def layout(**_query):
    return html.Div([
        html.Div([html.H2("Demo"), html.Span("Every shared component on live data", className="text-body-secondary")],
                 className="page-header"),
        kpi_row(KPIS),
        dcc.Store(id=XF_STORE, data={}),
        html.Div(id=XF_CHIPS),
        dbc.Row([
            dbc.Col(chart_card(TREND, "Revenue and orders by month", "Columns: revenue; line: orders.",
                               metrics=("revenue", "orders")), lg=8, class_name="mb-3"),
            dbc.Col(chart_card(CATEGORIES, "Units by category", "Click a slice to cross-filter the top products.",
                               metrics=("units", "share_pct")), lg=4, class_name="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card(TOP, "Top 10 products by revenue", metrics=("revenue",), height=380), lg=6,
                    class_name="mb-3"),
            dbc.Col(chart_card(DAILY, "Daily revenue", metrics=("revenue",), height=380), lg=6, class_name="mb-3"),
        ]),
    ])


def _kpi_error(exc):
    return kpi_row_children([error_state(exc)])


@callback(kpi_row_output(KPIS), *page_inputs())
@memoized
@guard(_kpi_error)
def kpis(query, _theme):
    row = load_dataset("kpis", filters_from_store(query)).iloc[0]
    cards = [("Revenue", "revenue", "currency"), ("Orders", "orders", "number"), ("Average order value", "aov", "currency"),
             ("Margin", "margin_pct", "pct")]
    return kpi_row_children([kpi_card(label, row[key], previous=row[f"{key}_prev"], fmt=fmt, help_text=definition(key))
                             for label, key, fmt in cards])


@callback(*chart_outputs(TREND), *page_inputs())
@memoized
def trend(query, theme):
    return render_chart("sales_monthly", query, theme, build_combo, x="month", bars="revenue", line="orders",
                        fmt_bars="currency")


@callback(*chart_outputs(CATEGORIES), *page_inputs())
@memoized
def categories(query, theme):
    return render_chart("category_units_share", query, theme, build_donut, names="category", values="units")


@callback(*chart_outputs(TOP), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def top_products(query, theme, selections):
    return render_chart("top_products", apply_crossfilters(query, selections), theme, build_hbar, label="product_name",
                        value="revenue", fmt_value="currency", params={"limit": 10})


@callback(*chart_outputs(DAILY), *page_inputs())
@memoized
def daily(query, theme):
    return render_chart("sales_daily", query, theme, build_timeseries, x="day", y="revenue", fmt_y="currency", area=True)


@callback(Output(XF_STORE, "data"), Input(chart_ids(CATEGORIES).graph, "clickData"), State(XF_STORE, "data"),
          prevent_initial_call=True)
def pick_category(click, selections):
    if not click:
        return dash.no_update
    return toggle_selection(selections, "categories", click["points"][0]["label"])


@callback(Output(XF_STORE, "data", allow_duplicate=True), *chip_inputs(XF), State(XF_STORE, "data"),
          prevent_initial_call=True)
def remove_chip(_removed, _cleared, selections):
    return chip_event(selections)


@callback(Output(XF_CHIPS, "children"), Input(XF_STORE, "data"))
def chips(selections):
    return crossfilter_chips(XF, selections, CATEGORY_LABELS)

