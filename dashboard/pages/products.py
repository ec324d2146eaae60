"""Products: the catalogue by category (products, stock, prices), the low-stock alert list with its
threshold, and category sales against inventory received.

Cross-filters: a category (a donut slice, a price-histogram series, a combo column, or a category
cell of the low-stock table) and a brand (a brand cell of the table) narrow the other charts; the
chart that was clicked keeps showing every category with the selection highlighted.
Drill-down: a stock bar opens that category's products (breadcrumb back; kept in the URL).
"""
import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.chart_card import chart_card, chart_ids, chart_outputs, render_chart
from dashboard.components.chips import apply_crossfilters, crossfilter_chips
from dashboard.components.colours import category_colours
from dashboard.components.filter_bar import filters_of
from dashboard.queries import catalogue  # noqa: F401 - registers the datasets named below
from dashboard.components.interactions import (
    XF_PARAMS, breadcrumb, chart_query, chip_labels, click_value, crumb_clicked, crumb_input, emphasise,
    mirror_to_url, removable_chips, on_click, query_values, state_from_params, state_params,
)
from dashboard.components.memo import memoized
from dashboard.components.state import page_inputs
from dashboard.components.table_card import render_table, table_card, table_grid_id, table_outputs
from dashboard.figures import build_bar, build_combo, build_donut, build_hbar
from dashboard.queries.registry import get_dataset

DATASETS = ("category_distribution", "stock_levels", "product_stock", "price_distribution", "low_stock",
            "category_sales_vs_inventory")
FILTERS = filters_of(*DATASETS)
THRESHOLD_PARAM, DRILL_PARAM = "threshold", "stockcat"
dash.register_page(__name__, path="/products", name="Products", title="Products · Shop BI", order=3,
                   icon="bi-box-seam", filters=FILTERS, url_params=(*XF_PARAMS, THRESHOLD_PARAM, DRILL_PARAM))

# ids, named once
CATEGORIES, STOCK, PRICES, LOW_STOCK, SALES = ("products-categories", "products-stock", "products-prices",
                                               "products-low-stock", "products-sales-inventory")
THRESHOLD = "products-threshold"
STOCK_DRILL, STOCK_CRUMBS = "products-stock-drill", "products-stock-crumbs"
ALL_CATEGORIES = "All categories"
DRILL_LIMIT = 50
XF, XF_STORE, XF_CHIPS = "products-xf", "products-xf-store", "products-xf-chips"
URL_PARAMS, URL_SINK = "products-url-params", "products-url-sink"
SOURCES = {"categories": CATEGORIES, "brands": LOW_STOCK}
CHARTS = (CATEGORIES, PRICES, LOW_STOCK, SALES)  # cross-filter sources (a stock bar drills down instead)
PRICE_BINS = 12
MAX_THRESHOLD = 100_000
LOW_STOCK_COLUMNS = [
    {"field": "product_name", "headerName": "Product", "minWidth": 200, "flex": 2},
    {"field": "category", "headerName": "Category", "minWidth": 130, "flex": 1, "cellClass": "table-link"},
    {"field": "brand", "headerName": "Brand", "minWidth": 100, "flex": 1, "cellClass": "table-link"},
    {"field": "stock", "headerName": "Stock", "type": "numericColumn", "filter": "agNumberColumnFilter",
     "maxWidth": 110, "sort": "asc", "cellClassRules": {"text-danger fw-bold": {"function": "params.value <= 2"}}},
]  # product_id is in the CSV download, not on screen


def default_threshold() -> int:
    """The low-stock threshold the query layer uses when none is given (settings' LOW_STOCK_THRESHOLD)."""
    return int(get_dataset("low_stock").params["threshold"])


def layout(**query):
    state = state_from_params(query, SOURCES, CHARTS)
    threshold = parse_threshold(next(iter(query_values(query, THRESHOLD_PARAM)), None))
    drilled = next(iter(query_values(query, DRILL_PARAM)), None)
    control = dbc.InputGroup([dbc.InputGroupText("Stock ≤", class_name="py-0"),
                              dbc.Input(id=THRESHOLD, type="number", min=0, max=MAX_THRESHOLD, step=1, value=threshold,
                                        debounce=True, size="sm", class_name="threshold-input",
                                        name="low-stock-threshold")],
                             size="sm", class_name="threshold-control")
    return html.Div(className="insights-page", children=[
        html.Div([html.H2("Products"),
                  html.Span("Catalogue, stock and what sells against what arrives", className="text-body-secondary")],
                 className="page-header"),
        dcc.Store(id=XF_STORE, data=state), dcc.Store(id=STOCK_DRILL, data=drilled), dcc.Store(id=URL_PARAMS),
        html.Div(id=URL_SINK, hidden=True),
        html.Div(id=XF_CHIPS),
        dbc.Row([
            dbc.Col(chart_card(CATEGORIES, "Products per category", "Catalogue products (SKUs) per category. Click a "
                               "slice to cross-filter the page by category.", metrics=("products", "share_pct")),
                    lg=5, class_name="mb-3"),
            dbc.Col(chart_card(STOCK, "Stock levels", "Units on hand per category; click a category to see its "
                               f"products (up to {DRILL_LIMIT}, most stock first); the breadcrumb goes back.",
                               metrics=("stock", "products"),
                               subtitle=html.Div(breadcrumb(STOCK_CRUMBS, stock_crumbs(drilled)), id=STOCK_CRUMBS)),
                    lg=7, class_name="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card(PRICES, "Price distribution by category",
                               f"Products per list-price band ({PRICE_BINS} bands from the lowest to the highest price "
                               "shown, each a constant multiple of the previous one), stacked by category. Click a segment to cross-filter by its category.",
                               metrics=("price", "products"), height=360), lg=7, class_name="mb-3"),
            dbc.Col(table_card(LOW_STOCK, "Low-stock alerts", "Products at or below the threshold, lowest stock first. "
                               "Sort and filter in the grid; click a category or brand cell to cross-filter the page.",
                               columns=LOW_STOCK_COLUMNS, metrics=("stock",), height=360, extra_header=control),
                    lg=5, class_name="mb-3"),
        ]),
        dbc.Row(dbc.Col(chart_card(SALES, "Category sales vs inventory received",
                                   "Columns: units sold (orders in scope) and units received from suppliers in the "
                                   "date range; line: revenue (right axis). Click a column to cross-filter.",
                                   metrics=("units", "units_received", "revenue"), height=360), xs=12,
                        class_name="mb-3")),
    ])


# ------------------------------------------------------------------ pure helpers
def parse_threshold(value) -> int:
    """The threshold from the input or the URL: a whole number in [0, MAX_THRESHOLD], else the default."""
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return default_threshold()
    return min(max(number, 0), MAX_THRESHOLD)


def price_bands(df: pd.DataFrame) -> pd.DataFrame:
    """`price_distribution` rows with a readable band label ("0-1.2M") for the x axis, by category (A-Z)
    then band: a trace per category in that order."""
    from dashboard.figures.formats import format_value

    labels = [f"{format_value(lo)}–{format_value(hi)}" for lo, hi in zip(df["bin_lo"], df["bin_hi"])]
    return df.assign(band=pd.Categorical(labels, categories=list(dict.fromkeys(
        label for _, label in sorted(zip(df["bin"], labels)))), ordered=True)).sort_values(["category", "bin"])


def build_price_bands(df: pd.DataFrame, *, theme: str, colours: dict[str, str] | None = None, height: int | None = None):
    """Stacked columns: products per price band, one series per category (every row drawn)."""
    data = price_bands(df)
    figure = build_bar(data.assign(band=data["band"].astype(str)), theme=theme, x="band", y="products", color="category",
                       stacked=True, colours=colours, height=height)
    figure.update_layout(legend=dict(orientation="v", x=1.01, y=1, yanchor="top", xanchor="left", traceorder="normal"))
    figure.update_xaxes(categoryorder="array", categoryarray=list(data["band"].cat.categories), tickangle=-30)
    tallest = data.groupby("band", observed=True)["products"].sum().max()
    return figure.update_yaxes(tickformat=",d", **({"dtick": 1} if tallest <= 8 else {}))  # whole products


def build_sales_vs_inventory(df: pd.DataFrame, *, theme: str, height: int | None = None):
    """Columns: units sold and received; line: revenue. Few categories keep a normal column width."""
    figure = build_combo(df, theme=theme, x="category", bars=["units_sold", "units_received"], line="revenue",
                         fmt_line="currency", height=height)
    return figure.update_layout(bargap=max(0.25, 0.8 - 0.15 * len(df)))


def stock_crumbs(category: str | None) -> list[str]:
    return [ALL_CATEGORIES, category] if category else [ALL_CATEGORIES]


def cell_filter(cell) -> tuple[str, str] | None:
    """A click on a low-stock table cell -> (dimension, value): the brand cell filters by brand,
    any other cell by the product's category."""
    if not cell or cell.get("value") is None and cell.get("colId") != "brand":
        return None
    row = cell.get("data") or {}
    if cell.get("colId") == "brand":
        return ("brands", str(cell["value"])) if cell.get("value") else None
    category = row.get("category") if cell.get("colId") != "category" else cell.get("value")
    return ("categories", str(category)) if category else None


# ------------------------------------------------------------------ callbacks
@callback(*chart_outputs(CATEGORIES), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def categories(query, theme, state):
    figure, *rest = render_chart("category_distribution", chart_query(query, state, CATEGORIES), theme, build_donut,
                                 names="category", values="products", colours=category_colours(theme))
    figure.update_layout(uniformtext=dict(minsize=10, mode="hide"))
    return emphasise(figure, state["sel"].get("categories")), *rest


@callback(*chart_outputs(STOCK), *page_inputs(), Input(XF_STORE, "data"), Input(STOCK_DRILL, "data"))
@memoized
def stock(query, theme, state, category):
    """Stock per category, or (drilled) per product of one category."""
    base = chart_query(query, state, STOCK)
    if not category:
        return render_chart("stock_levels", base, theme, build_bar, x="category", y="stock")
    return render_chart("product_stock", apply_crossfilters(base, {"categories": [category]}), theme, build_hbar,
                        label="product_name", value="stock", params={"limit": DRILL_LIMIT}, height=340)


@callback(Output(STOCK_DRILL, "data"), Output(chart_ids(STOCK).graph, "clickData"),
          Input(chart_ids(STOCK).graph, "clickData"), crumb_input(STOCK_CRUMBS), State(STOCK_DRILL, "data"),
          prevent_initial_call=True)
def drill_stock(click, _crumbs, category):
    """Click a category: its products; the breadcrumb's first level: back to the categories."""
    if dash.ctx.triggered_id == chart_ids(STOCK).graph and not category and click_value(click, "x"):
        return click_value(click, "x"), None
    if crumb_clicked() == 0:
        return None, None
    return no_update, no_update


@callback(Output(STOCK_CRUMBS, "children"), Input(STOCK_DRILL, "data"))
def stock_breadcrumb(category):
    return breadcrumb(STOCK_CRUMBS, stock_crumbs(category))


@callback(*chart_outputs(PRICES), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def prices(query, theme, state):
    figure, *rest = render_chart("price_distribution", chart_query(query, state, PRICES), theme, build_price_bands,
                                 params={"bins": PRICE_BINS, "scale": "log"}, colours=category_colours(theme), height=360)
    return emphasise(figure, state["sel"].get("categories"), by="trace"), *rest


@callback(*table_outputs(LOW_STOCK), *page_inputs(), Input(XF_STORE, "data"), Input(THRESHOLD, "value"))
@memoized
def low_stock(query, _theme, state, threshold):
    return render_table("low_stock", chart_query(query, state, LOW_STOCK),
                        params={"threshold": parse_threshold(threshold)})


@callback(*chart_outputs(SALES), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def sales_vs_inventory(query, theme, state):
    figure, *rest = render_chart("category_sales_vs_inventory", chart_query(query, state, SALES), theme,
                                 build_sales_vs_inventory, height=360)
    return emphasise(figure, state["sel"].get("categories")), *rest


GRAPH_SOURCES = {CATEGORIES: "label", SALES: "x"}  # chart -> clickData key holding the category


@callback(Output(XF_STORE, "data"), *(Output(chart_ids(c).graph, "clickData") for c in (*GRAPH_SOURCES, PRICES)),
          *(Input(chart_ids(c).graph, "clickData") for c in (*GRAPH_SOURCES, PRICES)),
          Input(table_grid_id(LOW_STOCK), "cellClicked"), State(chart_ids(PRICES).graph, "figure"),
          State(XF_STORE, "data"), prevent_initial_call=True)
def cross_filter(cat_click, sales_click, price_click, cell, price_figure, state):
    """A click on a category (or a brand cell) sets/toggles a cross-filter; clickData is cleared so
    the same point can be clicked again."""
    clicks = dict(zip((*GRAPH_SOURCES, PRICES), (cat_click, sales_click, price_click)))
    chart = next((c for c in clicks if dash.ctx.triggered_id == chart_ids(c).graph), None)
    if chart is None:
        picked = cell_filter(cell)
        new = on_click(state, *(picked or ("categories", None)), LOW_STOCK)
    elif chart == PRICES:
        new = on_click(state, "categories", series_name(price_click, price_figure), PRICES)
    else:
        new = on_click(state, "categories", click_value(clicks[chart], GRAPH_SOURCES[chart]), chart)
    return new, *(None for _ in clicks)


def series_name(click, figure) -> str | None:
    """The name of the trace (here: the category) of the clicked point."""
    points = (click or {}).get("points") or []
    data = (figure or {}).get("data") or []
    if not points or points[0].get("curveNumber") is None or points[0]["curveNumber"] >= len(data):
        return None
    return data[points[0]["curveNumber"]].get("name")


removable_chips(XF, XF_STORE)


@callback(Output(XF_CHIPS, "children"), Output(URL_PARAMS, "data"), Input(XF_STORE, "data"), Input(THRESHOLD, "value"),
          Input(STOCK_DRILL, "data"))
def chips(state, threshold, category):
    value = parse_threshold(threshold)
    return crossfilter_chips(XF, state["sel"], chip_labels()), {
        **state_params(state), THRESHOLD_PARAM: [] if value == default_threshold() else [str(value)],
        DRILL_PARAM: [category] if category else []}


mirror_to_url(URL_SINK, URL_PARAMS)
