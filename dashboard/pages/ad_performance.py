"""Ad performance: click-through, conversion and cost per click / per lead (vs the previous period),
the reach -> click -> purchase funnel, ROAS by campaign (drills into the campaign's ads), click-to-lead
ratio by campaign, CTR by platform, conversion by traffic source and a ranking of the ads.

Cross-filters: a click-to-lead bar or a ranking row selects a campaign, a CTR bar or a ranking's
platform cell selects a platform; the other charts and the KPIs narrow to it (the clicked chart keeps
everything, the selection highlighted). A ROAS bar drills into that campaign's ads (the breadcrumb
goes back) and narrows the rest of the page to the campaign. Traffic sources are sessions, not ads:
that chart follows the date range only. Chips remove cross-filters; they are kept in the URL.
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
    CAMPAIGNS, PLATFORMS, ClickRule, Kpi, crumb_labels, drilled, event_outputs, graph_style, grid_card, grid_id, grid_outputs,
    kpi_cards, number_column, own_selections, page_event, render_grid, selected_rows_rule, text_column,
)
from dashboard.components.memo import memoized
from dashboard.components.state import filters_from_store, page_inputs
from dashboard.figures import build_bar
from dashboard.figures.marketing import build_ranked, build_stage_funnel
from dashboard.queries import catalogue  # noqa: F401 - registers the datasets named below

DATASETS = ("marketing_kpis", "funnel", "roas_by_campaign", "roas_by_ad", "click_to_lead", "ctr_by_platform",
            "conversion_by_traffic_source", "ad_efficiency")
FILTERS = filters_of(*DATASETS)
dash.register_page(__name__, path="/ad-performance", name="Ad performance", title="Ad performance · Shop BI",
                   order=22, group="Marketing", icon="bi-graph-up-arrow", filters=FILTERS, url_params=XF_PARAMS)

# ids, named once
KPIS = "adperf-kpis"
FUNNEL, ROAS, LEADS, CTR, SOURCES_CHART, RANKING = ("adperf-funnel", "adperf-roas", "adperf-click-to-lead",
                                                    "adperf-ctr-platform", "adperf-traffic-sources", "adperf-ranking")
ROAS_CRUMBS = "adperf-roas-crumbs"
XF, XF_STORE, XF_CHIPS = "adperf-xf", "adperf-xf-store", "adperf-xf-chips"
URL_PARAMS, URL_SINK = "adperf-url-params", "adperf-url-sink"

GRAPHS = (ROAS, LEADS, CTR)
RULES = {ROAS: ClickRule(CAMPAIGNS, "customdata", drill=True), LEADS: ClickRule(CAMPAIGNS, "customdata"),
         CTR: ClickRule(PLATFORMS, "x"),
         RANKING: ClickRule(CAMPAIGNS, columns={"platform": PLATFORMS, "campaign_name": CAMPAIGNS}, row_key="ad_id")}
SOURCES = {CAMPAIGNS: LEADS, PLATFORMS: CTR}  # a URL `xf` without `xfby` was set by these
KPIS_SHOWN = (Kpi("CTR", "ctr_pct", "pct", icon="bi-cursor"),
              Kpi("Conversion", "conversion_pct", "pct", icon="bi-bag-check"),
              Kpi("Cost per click", "cpc", "currency", invert=True, icon="bi-hand-index"),
              Kpi("Cost per lead", "cpa", "currency", invert=True, icon="bi-person-check"))
DRILL_LIMIT, RANKING_LIMIT = 100, 25  # ads of a drilled campaign (all of them), ads in the ranking
RANKING_COLUMNS = [
    number_column("rank", "#", minWidth=56, maxWidth=64, pinned="left", filter=False),
    text_column("ad_name", "Ad", minWidth=250, pinned="left", tooltipField="ad_name"),
    text_column("campaign_name", "Campaign", minWidth=230, tooltipField="campaign_name", cellClass="table-link"),
    text_column("platform", "Platform", minWidth=96, cellClass="table-link"),
    number_column("reach", "Reach", minWidth=76), number_column("clicks", "Clicks", minWidth=76),
    number_column("purchases", "Leads", minWidth=76), number_column("ctr_pct", "CTR", "pct", minWidth=80),
    number_column("conversion_pct", "Conversion", "pct", minWidth=104),
    number_column("cpc", "CPC", "money", minWidth=84), number_column("cpa", "CPA", "money", minWidth=84),
    number_column("roas", "ROAS", "ratio", minWidth=80),
]
TOP_HEIGHT, MID_HEIGHT, RANKING_HEIGHT = 340, 320, 420


def layout(**query):
    state = state_from_params(query, SOURCES, (*GRAPHS, RANKING))
    return html.Div([
        html.Div([html.H2("Ad performance"), html.Span("From reach to purchase, and what each ad returns",
                                                       className="text-body-secondary")], className="page-header"),
        dcc.Store(id=XF_STORE, data=state), dcc.Store(id=URL_PARAMS), html.Div(id=URL_SINK, hidden=True),
        html.Div(id=XF_CHIPS),
        kpi_row(KPIS),
        dbc.Row([
            dbc.Col(chart_card(FUNNEL, "Funnel: reach → click → purchase", "Users reached by the selected ads, those "
                               "who clicked and those who bought through the ad; each stage with its rate from the "
                               "previous one.",
                               metrics=("reach", "clicks", "leads", "stage_rate_pct", "overall_rate_pct"),
                               height=TOP_HEIGHT), lg=5, class_name="mb-3"),
            dbc.Col(chart_card(ROAS, "ROAS by campaign", "Attributed revenue per unit of budget; the dashed line is "
                               "break-even (1.0). Click a campaign to drill into its ads (and narrow the page to it); "
                               "the breadcrumb goes back.", metrics=("roas", "campaign_revenue", "budget"),
                               height=TOP_HEIGHT, class_name="chart-scroll",
                               subtitle=html.Div(breadcrumb(ROAS_CRUMBS, crumb_labels(None)), id=ROAS_CRUMBS)),
                    lg=7, class_name="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card(LEADS, "Click-to-lead ratio by campaign", "Leads per click of each campaign. Click a "
                               "bar to cross-filter.", metrics=("click_to_lead_pct", "clicks", "leads"),
                               height=MID_HEIGHT, class_name="chart-scroll"), lg=6, class_name="mb-3"),
            dbc.Col(chart_card(CTR, "CTR by platform", "Click-through rate of the ads on each platform. Click a bar "
                               "to cross-filter.", metrics=("ctr_pct", "clicks", "reach"), height=MID_HEIGHT),
                    lg=3, md=6, class_name="mb-3"),
            dbc.Col(chart_card(SOURCES_CHART, "Conversion by traffic source", "Site sessions that placed an order, per "
                               "traffic source (date range only: sessions are not tied to ads).",
                               metrics=("conversion_pct", "sessions", "orders"), height=MID_HEIGHT),
                    lg=3, md=6, class_name="mb-3"),
        ]),
        dbc.Row(dbc.Col(grid_card(
            RANKING, "Ad efficiency ranking", f"The {RANKING_LIMIT} best ads by ROAS (then CTR). Sort and filter in the "
            "grid; click a row to cross-filter by its campaign, a platform cell to cross-filter by platform.",
            columns=RANKING_COLUMNS, row_id="ad_id", metrics=("efficiency_rank", "ctr_pct", "conversion_pct", "cpc",
                                                                 "cpa", "roas"), height=RANKING_HEIGHT),
            xs=12, class_name="mb-3")),
    ], className="marketing-page")


# ------------------------------------------------------------------ pure helpers
def roas_view(query, state) -> tuple[str, dict, dict, dict]:
    """(dataset, filter query, params, builder kwargs) of the ROAS chart: campaigns, or the drilled campaign's ads."""
    base, campaign = chart_query(query, state, ROAS), drilled(state, ROAS)
    if campaign:
        return ("roas_by_ad", apply_crossfilters(base, {CAMPAIGNS: [campaign]}), {"limit": DRILL_LIMIT},
                {"label": "ad_name", "drop_common_prefix": True})
    return "roas_by_campaign", base, {}, {"label": "campaign_name", "selected": state["sel"].get(CAMPAIGNS)}


def build_roas(df: pd.DataFrame, *, theme: str, label: str, selected=None, drop_common_prefix: bool = False,
               height: int | None = None):
    return build_ranked(df, theme=theme, label=label, value="roas", fmt_value="decimal", reference=1.0,
                        reference_label="break-even", selected=selected, drop_common_prefix=drop_common_prefix,
                        height=height)


def build_funnel_chart(df: pd.DataFrame, *, theme: str, height: int | None = None):
    return build_stage_funnel(df, theme=theme, stage="stage", value="users", rate="stage_rate_pct",
                              overall="overall_rate_pct", labels={"reach": "Reached", "click": "Clicked",
                                                                   "purchase": "Purchased"}, height=height)


# ------------------------------------------------------------------ callbacks
@callback(kpi_row_output(KPIS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
@guard(lambda exc: kpi_row_children([error_banner(exc)]))
def kpis(query, _theme, state):
    row = load_dataset("marketing_kpis", filters_from_store(chart_query(query, state))).iloc[0]
    return kpi_row_children(kpi_cards(row, KPIS_SHOWN))


@callback(*chart_outputs(FUNNEL), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def funnel(query, theme, state):
    return render_chart("funnel", chart_query(query, state, FUNNEL), theme, build_funnel_chart, height=TOP_HEIGHT)


@callback(*chart_outputs(ROAS), Output(chart_ids(ROAS).graph, "style"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def roas(query, theme, state):
    dataset, view_query, params, kwargs = roas_view(query, state)
    result = render_chart(dataset, view_query, theme, build_roas, params=params, **kwargs)
    return *result, graph_style(result[0], TOP_HEIGHT)


@callback(*chart_outputs(LEADS), Output(chart_ids(LEADS).graph, "style"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def click_to_lead(query, theme, state):
    result = render_chart("click_to_lead", chart_query(query, state, LEADS), theme, build_ranked, label="campaign_name",
                          value="click_to_lead_pct", fmt_value="pct", selected=state["sel"].get(CAMPAIGNS))
    return *result, graph_style(result[0], MID_HEIGHT)


@callback(*chart_outputs(CTR), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def ctr_by_platform(query, theme, state):
    figure, *rest = render_chart("ctr_by_platform", chart_query(query, state, CTR), theme, build_bar, x="platform",
                                 y="ctr_pct", fmt_y="pct", height=MID_HEIGHT)
    return emphasise(figure, state["sel"].get(PLATFORMS)), *rest


@callback(*chart_outputs(SOURCES_CHART), *page_inputs())
@memoized
def traffic_sources(query, theme):
    return render_chart("conversion_by_traffic_source", query, theme, build_bar, x="traffic_source", y="conversion_pct",
                        fmt_y="pct", height=MID_HEIGHT)


@callback(*grid_outputs(RANKING), Output(grid_id(RANKING), "rowClassRules"), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def ranking(query, _theme, state):
    rows = render_grid("ad_efficiency", chart_query(query, state, RANKING), params={"limit": RANKING_LIMIT})
    return *rows, selected_rows_rule(own_selections(state, RANKING))


@callback(Output(XF_STORE, "data"), *(Output(chart_ids(c).graph, "clickData") for c in GRAPHS),
          *(Input(chart_ids(c).graph, "clickData") for c in GRAPHS), Input(grid_id(RANKING), "cellClicked"),
          crumb_input(ROAS_CRUMBS), State(grid_id(RANKING), "rowData"), State(XF_STORE, "data"),
          prevent_initial_call=True)
def cross_filter(roas_click, leads_click, ctr_click, cell, _crumbs, rows, state):
    """A click selects/toggles a campaign or platform (or drills); clickData is cleared for the next click."""
    payloads = {ROAS: roas_click, LEADS: leads_click, CTR: ctr_click, RANKING: cell}
    new = page_event(state, dash.ctx.triggered_id, payloads, RULES, rows={RANKING: rows},
                     crumbs={ROAS_CRUMBS: ROAS}, crumb_level=crumb_clicked())
    return event_outputs(new, len(GRAPHS))


removable_chips(XF, XF_STORE)


@callback(Output(XF_CHIPS, "children"), Output(URL_PARAMS, "data"), Output(ROAS_CRUMBS, "children"),
          Input(XF_STORE, "data"))
def chips(state):
    return (crossfilter_chips(XF, state["sel"], chip_labels()), state_params(state),
            breadcrumb(ROAS_CRUMBS, crumb_labels(drilled(state, ROAS))))


mirror_to_url(URL_SINK, URL_PARAMS)
