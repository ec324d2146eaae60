"""A chart in a card: title, help popover (metric definitions from the glossary), loading indicator,
"download CSV" of exactly the rows drawn, and the empty / error states.

A page uses three names:

    CHART = "revenue-trend"                                   # the page's id for this chart
    layout: chart_card(CHART, "Revenue", help_text="...", metrics=("revenue", "orders"))

    @callback(*chart_outputs(CHART), *page_inputs())
    def revenue_trend(query, theme):
        return render_chart("sales_daily", query, theme, build_timeseries, x="day", y="revenue", fmt_y="currency")

`render_chart` loads the dataset, builds the figure (or the "No data for these filters" figure, or the
"Database unavailable: ..." banner) and records which dataset, filters and params produced it; the one
download callback (`register(app)`, done by the shell) re-runs exactly that (cached) query and sends it
as CSV. So the CSV is the chart's rows, by construction, as long as the builder draws every row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, dcc, html, no_update

from dashboard.components.data import dataset_csv, load_dataset
from dashboard.components.errors import NO_DATA, error_title
from dashboard.components.state import filters_from_store
from dashboard.figures.charts import empty_figure
from schema.errors import UserError

# ------------------------------------------------------------------ ids (named once)
GRAPH = "chart-graph"
DOWNLOAD_BUTTON = "chart-download-button"
DOWNLOAD = "chart-download"
SPEC = "chart-spec"
STATUS = "chart-status"
HELP = "chart-help"

GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": "hover",
                # sendChartToCloud uploads the chart to Plotly's cloud: never offered (the app stays offline)
                "modeBarButtonsToRemove": ["sendChartToCloud", "lasso2d", "select2d", "autoScale2d", "toImage"]}


@dataclass(frozen=True)
class ChartIds:
    graph: dict
    download_button: dict
    download: dict
    spec: dict
    status: dict
    help: dict


def chart_ids(chart_id: str) -> ChartIds:
    """The pattern-matching ids of one chart card (use `.graph` for clickData cross-filters)."""
    return ChartIds(*({"type": kind, "chart": chart_id} for kind in (GRAPH, DOWNLOAD_BUTTON, DOWNLOAD, SPEC, STATUS, HELP)))


def help_content(help_text: str | None = None, metrics: Sequence[str] = ()) -> list:
    """The popover body: the chart's own text, then each metric's glossary definition."""
    from dashboard.queries.glossary import GLOSSARY

    body: list = [html.P(help_text, className="mb-2")] if help_text else []
    items = [html.Li([html.Code(m), ": ", GLOSSARY[m]]) for m in metrics if m in GLOSSARY]
    if items:
        body.append(html.Ul(items, className="chart-help-metrics mb-0 ps-3"))
    return body


def chart_card(chart_id: str, title: str, help_text: str | None = None, *, metrics: Sequence[str] = (),
               height: int = 340, subtitle: str | None = None, download: bool = True, graph_config: dict | None = None,
               extra_header=None, class_name: str = "", content=None) -> dbc.Card:
    """A card holding one graph. `metrics` are glossary entries explained in the help popover.

    `content` replaces the graph (e.g. a data grid): the card keeps its header tools, loading
    indicator, status area and CSV download (same ids, so `chart_ids(chart_id)` still applies)."""
    ids = chart_ids(chart_id)
    tools = []
    if extra_header is not None:
        tools.append(extra_header)
    if help_text or metrics:
        tools.append(html.Span(html.I(className="bi bi-info-circle"), id=ids.help, className="chart-tool",
                               tabIndex="0", role="button", **{"aria-label": f"About {title}"}))
        tools.append(dbc.Popover(dbc.PopoverBody(help_content(help_text, metrics)), target=ids.help,
                                 trigger="hover focus", placement="bottom-end", class_name="chart-help"))
    if download:
        tools.append(dbc.Button(html.I(className="bi bi-download"), id=ids.download_button, n_clicks=0,
                                color="link", size="sm", class_name="chart-tool", title="Download CSV",
                                disabled=True))
        tools.append(dcc.Download(id=ids.download))
    header = dbc.CardHeader(
        html.Div([
            html.Div([html.H6(title, className="chart-title mb-0"),
                      html.Small(subtitle, className="text-body-secondary") if subtitle else None]),
            html.Div(tools, className="chart-tools d-flex align-items-center gap-1"),
        ], className="d-flex justify-content-between align-items-start gap-2"),
        class_name="chart-header",
    )
    graph = content if content is not None else dcc.Graph(
        id=ids.graph, figure=empty_figure("", "light", height=height), style={"height": f"{height}px"},
        config={**GRAPH_CONFIG, **(graph_config or {})})
    body = dbc.CardBody([
        html.Div(id=ids.status),
        dcc.Loading(graph, type="dot", delay_show=250, overlay_style={"visibility": "visible", "opacity": 0.5}),
        dcc.Store(id=ids.spec),
    ], class_name="chart-body")
    return dbc.Card([header, body], class_name=f"chart-card h-100 {class_name}".strip())


def chart_outputs(chart_id: str) -> tuple[Output, Output, Output, Output]:
    """Outputs of the callback that draws `chart_id`: (figure, spec, status, download disabled)."""
    ids = chart_ids(chart_id)
    return (Output(ids.graph, "figure"), Output(ids.spec, "data"), Output(ids.status, "children"),
            Output(ids.download_button, "disabled"))


def chart_result(df: pd.DataFrame | None, theme: str, build: Callable[..., go.Figure], *, spec: Mapping | None = None,
                 height: int | None = None, **build_kwargs) -> tuple:
    """The four outputs for an already-loaded frame (use `render_chart` unless the page must load itself)."""
    if df is None or df.empty:
        return empty_figure(NO_DATA, theme, height=height), spec, None, True
    figure = build(df, theme=theme, **({"height": height} if height else {}), **build_kwargs)
    return figure, spec, None, spec is None


def chart_error(exc: BaseException, theme: str, *, height: int | None = None) -> tuple:
    """The four outputs when the query failed with a typed error: the figure says what and why (the
    shell's banner gives the full database message once per page, not once per chart)."""
    return empty_figure(error_title(exc), theme, detail=str(exc), height=height), None, None, True


def render_chart(dataset: str, query: Mapping | None, theme: str, build: Callable[..., go.Figure], *,
                 params: Mapping | None = None, height: int | None = None, **build_kwargs) -> tuple:
    """Load `dataset` for the shell's filters (+ `params`), build the figure; every outcome covered."""
    filters = filters_from_store(query)
    params = dict(params or {})
    try:
        df = load_dataset(dataset, filters, params)
    except UserError as exc:
        return chart_error(exc, theme, height=height)
    spec = {"dataset": dataset, "query": filters.to_query(), "params": params}
    return chart_result(df, theme, build, spec=spec, height=height, **build_kwargs)


def register(app) -> None:
    """The one download callback for every chart card (pattern-matching on the chart id)."""

    @app.callback(
        Output({"type": DOWNLOAD, "chart": MATCH}, "data"),
        Input({"type": DOWNLOAD_BUTTON, "chart": MATCH}, "n_clicks"),
        State({"type": SPEC, "chart": MATCH}, "data"),
        State({"type": DOWNLOAD_BUTTON, "chart": MATCH}, "id"),
        prevent_initial_call=True,
    )
    def download(n_clicks, spec, button_id):
        if not n_clicks or not spec:
            return no_update
        filters = filters_from_store(spec["query"])
        try:
            text = dataset_csv(spec["dataset"], filters, spec.get("params") or {})
        except UserError:
            return no_update
        return dict(content=text, filename=f"{button_id['chart']}.csv", type="text/csv")
