"""A table (dash-ag-grid: sortable, filterable) in a card that behaves like a chart card: title, help
popover with glossary definitions, loading indicator, empty / error state, and "download CSV" of
exactly the rows shown (the card reuses the chart card's ids, so the shell's one download callback
re-runs the same dataset + filters + params).

    TABLE = "products-low-stock"
    layout:   table_card(TABLE, "Low stock", columns=[{"field": "product_name"}, ...], metrics=("stock",))
    callback: @callback(*table_outputs(TABLE), *page_inputs())
              def low_stock(query, _theme):
                  return render_table("low_stock", query, params={"threshold": 20})
    clicks:   Input(table_grid_id(TABLE), "cellClicked")
"""
from __future__ import annotations

from typing import Mapping, Sequence

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Output, dcc, html

from dashboard.components.chart_card import chart_ids, help_content
from dashboard.components.data import load_dataset
from dashboard.components.errors import NO_DATA, error_state
from dashboard.components.state import filters_from_store
from schema.errors import UserError

TABLE_GRID = "table-grid"  # {"type": TABLE_GRID, "table": <table id>}

# The grid takes its colours from the Bootstrap theme's CSS variables, so it follows light/dark.
GRID_THEME = {"function": (
    "themeQuartz.withParams({backgroundColor: 'var(--bs-card-bg, var(--bs-body-bg))', "
    "foregroundColor: 'var(--bs-body-color)', headerBackgroundColor: 'var(--bs-tertiary-bg)', "
    "borderColor: 'var(--bs-border-color)', accentColor: 'var(--bs-primary)', fontFamily: 'inherit', "
    "fontSize: 13, headerFontWeight: 700, rowHoverColor: 'var(--bs-secondary-bg)', spacing: 6, "
    "wrapperBorderRadius: 6})"
)}


def table_grid_id(table_id: str) -> dict:
    return {"type": TABLE_GRID, "table": table_id}


def table_card(table_id: str, title: str, help_text: str | None = None, *, columns: Sequence[Mapping],
               metrics: Sequence[str] = (), height: int = 340, subtitle: str | None = None, extra_header=None) -> dbc.Card:
    """A card holding one sortable, filterable grid of `columns` (AG Grid column definitions)."""
    ids = chart_ids(table_id)
    tools = [extra_header] if extra_header is not None else []
    if help_text or metrics:
        tools.append(html.Span(html.I(className="bi bi-info-circle"), id=ids.help, className="chart-tool",
                               tabIndex="0", role="button", **{"aria-label": f"About {title}"}))
        tools.append(dbc.Popover(dbc.PopoverBody(help_content(help_text, metrics)), target=ids.help,
                                 trigger="hover focus", placement="bottom-end", class_name="chart-help"))
    tools.append(dbc.Button(html.I(className="bi bi-download"), id=ids.download_button, n_clicks=0, color="link",
                            size="sm", class_name="chart-tool", title="Download CSV", disabled=True))
    tools.append(dcc.Download(id=ids.download))
    header = dbc.CardHeader(html.Div([
        html.Div([html.H6(title, className="chart-title mb-0"),
                  html.Small(subtitle, className="text-body-secondary") if subtitle else None]),
        html.Div(tools, className="chart-tools d-flex align-items-center gap-1"),
    ], className="d-flex justify-content-between align-items-start gap-2"), class_name="chart-header")
    grid = dag.AgGrid(
        id=table_grid_id(table_id), rowData=[], columnDefs=list(columns),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True,
                       "suppressHeaderMenuButton": True, "minWidth": 90},
        columnSize="responsiveSizeToFit",
        dashGridOptions={"theme": GRID_THEME, "animateRows": False, "rowSelection": {"mode": "singleRow",
                         "checkboxes": False, "enableClickSelection": True},
                         "localeText": {"noRowsToShow": NO_DATA}},
        style={"height": f"{height}px", "width": "100%"}, className="table-grid",
    )
    body = dbc.CardBody([
        html.Div(id=ids.status),
        dcc.Loading(grid, type="dot", delay_show=250, overlay_style={"visibility": "visible", "opacity": 0.5}),
        dcc.Store(id=ids.spec),
    ], class_name="chart-body")
    return dbc.Card([header, body], class_name="chart-card table-card h-100")


def table_outputs(table_id: str) -> tuple[Output, Output, Output, Output]:
    """Outputs of the callback that fills `table_id`: (rows, spec, status, download disabled)."""
    ids = chart_ids(table_id)
    return (Output(table_grid_id(table_id), "rowData"), Output(ids.spec, "data"), Output(ids.status, "children"),
            Output(ids.download_button, "disabled"))


def render_table(dataset: str, query: Mapping | None, *, params: Mapping | None = None) -> tuple:
    """Load `dataset` for the filters (+ `params`): every row goes to the grid and to the CSV."""
    filters = filters_from_store(query)
    params = dict(params or {})
    try:
        df = load_dataset(dataset, filters, params)
    except UserError as exc:
        return [], None, error_state(exc), True
    spec = {"dataset": dataset, "query": filters.to_query(), "params": params}
    if df.empty:
        return [], spec, None, True  # the grid's own overlay says NO_DATA
    return df.to_dict("records"), spec, None, False
