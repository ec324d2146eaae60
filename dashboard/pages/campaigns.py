"""Campaigns: headline spend and return (vs the previous period), every campaign in a sortable,
filterable table, CTR compared with the overall CTR, profit by campaign (drills into the campaign's
ads) and the campaigns' timeline.

Cross-filters: a table row, a CTR bar or a timeline bar selects a campaign; the other charts and
the KPIs filter to it (the clicked chart keeps every campaign, the selection highlighted). A profit
bar drills into that campaign's ads (the breadcrumb goes back) and filters the rest of the page to
the campaign. Chips remove the cross-filters; they are kept in the URL (`xf`, `xfby`).
"""
import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.chart_card import chart_card, chart_ids, chart_outputs, render_chart
from dashboard.components.chips import apply_crossfilters, crossfilter_chips
from dashboard.components.data import load_dataset
from dashboard.components.errors import error_banner, guard
from dashboard.components.filter_bar import filters_of
from dashboard.components.interactions import (
    XF_PARAMS, breadcrumb, chart_query, chip_labels, crumb_clicked, crumb_input, emphasise, mirror_to_url, removable_chips,
    state_from_params, state_params,
)
from dashboard.components.kpi import kpi_row, kpi_row_children, kpi_row_output
from dashboard.components.marketing import (
    CAMPAIGNS, ClickRule, Kpi, crumb_labels, drilled, event_outputs, graph_style, grid_card, grid_id, grid_outputs, kpi_cards,
    number_column, own_selections, page_event, render_grid, selected_rows_rule, text_column,
)
from dashboard.components.memo import memoized
from dashboard.components.state import filters_from_store, page_inputs
from dashboard.figures import build_timeline
from dashboard.figures.marketing import build_ranked
from dashboard.figures.theme import palette
from dashboard.queries import catalogue  # noqa: F401 - registers the datasets named below

DATASETS = ("marketing_kpis", "campaign_table", "campaign_timeline", "campaign_ads")
FILTERS = filters_of(*DATASETS)
dash.register_page(__name__, path="/campaigns", name="Campaigns", title="Campaigns · Shop BI", order=20,
                   group="Marketing", icon="bi-megaphone", filters=FILTERS, url_params=XF_PARAMS)

# ids, named once
KPIS = "campaigns-kpis"
TABLE, CTR, PROFIT, TIMELINE = "campaigns-table", "campaigns-ctr", "campaigns-profit", "campaigns-timeline"
PROFIT_CRUMBS = "campaigns-profit-crumbs"
XF, XF_STORE, XF_CHIPS = "campaigns-xf", "campaigns-xf-store", "campaigns-xf-chips"
URL_PARAMS, URL_SINK = "campaigns-url-params", "campaigns-url-sink"

GRAPHS = (CTR, PROFIT, TIMELINE)  # graphs whose clicks cross-filter (the table's are cell clicks)
RULES = {CTR: ClickRule(CAMPAIGNS, "customdata"), PROFIT: ClickRule(CAMPAIGNS, "customdata", drill=True),
         TIMELINE: ClickRule(CAMPAIGNS, "y"), TABLE: ClickRule(CAMPAIGNS, row_key="campaign_name")}
SOURCES = {CAMPAIGNS: TABLE}  # a URL `xf` without `xfby` was set by the table
KPIS_SHOWN = (Kpi("Budget", "budget", "currency", icon="bi-wallet2"),
              Kpi("Attributed revenue", "revenue", "currency", "campaign_revenue", icon="bi-cash-coin"),
              Kpi("ROAS", "roas", "decimal", icon="bi-arrow-repeat"),
              Kpi("Leads", "leads", "number", icon="bi-person-check"))
TABLE_COLUMNS = [
    text_column("campaign_name", "Campaign", pinned="left", minWidth=290, tooltipField="campaign_name"),
    text_column("status", "Status", minWidth=84),
    number_column("reach", "Reach"), number_column("clicks", "Clicks"), number_column("leads", "Leads"),
    number_column("budget", "Budget", "money", minWidth=100), number_column("revenue", "Revenue", "money", minWidth=106),
    number_column("ctr_pct", "CTR", "pct"), number_column("conversion_pct", "Conversion", "pct", minWidth=108),
    number_column("roas", "ROAS", "ratio"), number_column("roi_pct", "ROI", "pct", minWidth=96),
    number_column("profit", "Profit", "money", minWidth=100,
                  cellClassRules={"text-danger": {"function": "params.value < 0"},
                                  "text-success": {"function": "params.value > 0"}}),
]
TABLE_HEIGHT, RANKED_HEIGHT, TIMELINE_HEIGHT = 400, 400, 400


def layout(**query):
    state = state_from_params(query, SOURCES, (TABLE, *GRAPHS))
    return html.Div([
        html.Div([html.H2("Campaigns"), html.Span("Spend, reach and return of every campaign overlapping the range",
                                                  className="text-body-secondary")], className="page-header"),
        dcc.Store(id=XF_STORE, data=state), dcc.Store(id=URL_PARAMS), html.Div(id=URL_SINK, hidden=True),
        html.Div(id=XF_CHIPS),
        kpi_row(KPIS),
        dbc.Row(dbc.Col(grid_card(
            TABLE, "Campaign performance", "Every campaign overlapping the date range, over its ads on the selected "
            "platforms. Sort and filter in the grid; click a row to cross-filter the page by that campaign.",
            columns=TABLE_COLUMNS, metrics=("reach", "clicks", "leads", "budget", "campaign_revenue", "ctr_pct",
                                            "conversion_pct", "roas", "roi_pct", "campaign_profit"),
            row_id="campaign_name", height=TABLE_HEIGHT), xs=12, class_name="mb-3")),
        dbc.Row([
            dbc.Col(chart_card(CTR, "CTR comparison", "Click-through rate of each campaign, highest first; the dashed "
                               "line is the CTR over all campaigns shown. Click a bar to cross-filter.",
                               metrics=("ctr_pct", "clicks", "reach"), height=RANKED_HEIGHT, class_name="chart-scroll"),
                    lg=6, class_name="mb-3"),
            dbc.Col(chart_card(PROFIT, "Profitability by campaign", "Attributed revenue minus budget: green bars "
                               "made money, red bars lost it. Click a campaign to drill into its ads (and filter "
                               "the page to it); the breadcrumb goes back.",
                               metrics=("campaign_profit", "campaign_revenue", "budget", "roi_pct"),
                               height=RANKED_HEIGHT, class_name="chart-scroll",
                               subtitle=html.Div(breadcrumb(PROFIT_CRUMBS, crumb_labels(None)), id=PROFIT_CRUMBS)),
                    lg=6, class_name="mb-3"),
        ]),
        dbc.Row(dbc.Col(chart_card(TIMELINE, "Campaign timeline", "Start to end date of each campaign, coloured by "
                                   "status, latest on top. Click a bar to cross-filter.", metrics=("budget",),
                                   height=TIMELINE_HEIGHT, class_name="chart-scroll"), xs=12, class_name="mb-3")),
    ], className="marketing-page")


# ------------------------------------------------------------------ figures of this page (pure)
def overall_ctr(df: pd.DataFrame) -> float | None:
    """CTR over every campaign shown: 100 x their clicks / their reach (None without reach)."""
    reach = df["reach"].sum()
    return float(df["clicks"].sum() * 100.0 / reach) if reach else None


def build_ctr(df: pd.DataFrame, *, theme: str, selected=None, height: int | None = None):
    ctr = overall_ctr(df)
    return build_ranked(df, theme=theme, label="campaign_name", value="ctr_pct", fmt_value="pct", reference=ctr,
                        reference_label=f"overall {ctr:.1f}%" if ctr is not None else None, selected=selected,
                        height=height)


def build_campaign_timeline(df: pd.DataFrame, *, theme: str, height: int | None = None):
    figure = build_timeline(df, theme=theme, task="campaign_name", start="start_date", end="end_date", color="status",
                            height=height)
    if not figure.data:
        return figure
    # dates on top and the legend above them: both stay in view above a tall (scrolling) chart
    figure.update_xaxes(side="top")
    figure.update_yaxes(tickfont=dict(color=palette(theme).text))
    figure.update_layout(legend=dict(orientation="h", yref="container", y=1, yanchor="top", x=1, xanchor="right"),
                         margin=dict(t=52, b=8))
    return figure


def profit_view(query, state) -> tuple[str, dict, dict]:
    """(dataset, filter query, builder kwargs) of the profit chart: campaigns, or the drilled campaign's ads."""
    base, campaign = chart_query(query, state, PROFIT), drilled(state, PROFIT)
    if campaign:
        ads = {"label": "ad_name", "drop_common_prefix": True}
        return "campaign_ads", apply_crossfilters(base, {CAMPAIGNS: [campaign]}), ads
    return "campaign_table", base, {"label": "campaign_name", "selected": state["sel"].get(CAMPAIGNS)}


# ------------------------------------------------------------------ callbacks
@callback(kpi_row_output(KPIS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
@guard(lambda exc: kpi_row_children([error_banner(exc)]))
def kpis(query, _theme, state):
    row = load_dataset("marketing_kpis", filters_from_store(chart_query(query, state))).iloc[0]
    return kpi_row_children(kpi_cards(row, KPIS_SHOWN))


@callback(*grid_outputs(TABLE), Output(grid_id(TABLE), "rowClassRules"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def table(query, _theme, state):
    rows = render_grid("campaign_table", chart_query(query, state, TABLE))
    return *rows, selected_rows_rule(own_selections(state, TABLE))


@callback(*chart_outputs(CTR), Output(chart_ids(CTR).graph, "style"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def ctr(query, theme, state):
    result = render_chart("campaign_table", chart_query(query, state, CTR), theme, build_ctr,
                          selected=state["sel"].get(CAMPAIGNS))
    return *result, graph_style(result[0], RANKED_HEIGHT)


@callback(*chart_outputs(PROFIT), Output(chart_ids(PROFIT).graph, "style"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def profit(query, theme, state):
    dataset, view_query, labels = profit_view(query, state)
    result = render_chart(dataset, view_query, theme, build_ranked, value="profit", fmt_value="currency",
                          sign_colors=True, **labels)
    return *result, graph_style(result[0], RANKED_HEIGHT)


@callback(*chart_outputs(TIMELINE), Output(chart_ids(TIMELINE).graph, "style"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def timeline(query, theme, state):
    figure, *rest = render_chart("campaign_timeline", chart_query(query, state, TIMELINE), theme,
                                 build_campaign_timeline)
    return emphasise(figure, state["sel"].get(CAMPAIGNS)), *rest, graph_style(figure, TIMELINE_HEIGHT)


@callback(Output(XF_STORE, "data"), *(Output(chart_ids(c).graph, "clickData") for c in GRAPHS),
          *(Input(chart_ids(c).graph, "clickData") for c in GRAPHS), Input(grid_id(TABLE), "cellClicked"),
          crumb_input(PROFIT_CRUMBS), State(grid_id(TABLE), "rowData"), State(XF_STORE, "data"),
          prevent_initial_call=True)
def cross_filter(ctr_click, profit_click, timeline_click, cell, _crumbs, rows, state):
    """A click selects/toggles a campaign (or drills); clickData is cleared so a point can be clicked again."""
    payloads = {CTR: ctr_click, PROFIT: profit_click, TIMELINE: timeline_click, TABLE: cell}
    new = page_event(state, dash.ctx.triggered_id, payloads, RULES, rows={TABLE: rows},
                     crumbs={PROFIT_CRUMBS: PROFIT}, crumb_level=crumb_clicked())
    return event_outputs(new, len(GRAPHS))


removable_chips(XF, XF_STORE)


@callback(Output(XF_CHIPS, "children"), Output(URL_PARAMS, "data"), Output(PROFIT_CRUMBS, "children"),
          Input(XF_STORE, "data"))
def chips(state):
    return (crossfilter_chips(XF, state["sel"], chip_labels()), state_params(state),
            breadcrumb(PROFIT_CRUMBS, crumb_labels(drilled(state, PROFIT))))


mirror_to_url(URL_SINK, URL_PARAMS)
