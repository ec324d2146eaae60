"""Ad structure: how many ads of which format run on which platform, how many are still active, and
where the budget goes (by campaign, placement or platform).

Cross-filters: a platform slice, or a platform bar of the budget chart, narrows the other charts
and the KPIs to that platform; a campaign bar of the budget chart drills into the campaign's ads
(the breadcrumb goes back) and narrows the rest of the page to the campaign. Ad format, placement
and active state are not dimensions of the data model's filters: those charts follow the others.
Chips remove the cross-filters; cross-filters and the budget view are kept in the URL.
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
    query_values, state_from_params, state_params,
)
from dashboard.components.kpi import kpi_row, kpi_row_children, kpi_row_output
from dashboard.components.marketing import (
    CAMPAIGNS, PLATFORMS, ClickRule, Kpi, crumb_labels, drilled, event_outputs, graph_style, kpi_cards, page_event,
)
from dashboard.components.memo import memoized
from dashboard.components.state import filters_from_store, page_inputs
from dashboard.figures import build_donut
from dashboard.figures.marketing import build_ranked
from dashboard.queries import catalogue  # noqa: F401 - registers the datasets named below

DATASETS = ("ad_active_share", "ad_formats", "ctr_by_platform", "budget_by_campaign", "ad_placements", "campaign_ads")
FILTERS = filters_of(*DATASETS)
VIEW_PARAM = "budget"
dash.register_page(__name__, path="/ad-structure", name="Ad structure", title="Ad structure · Shop BI", order=21,
                   group="Marketing", icon="bi-diagram-3", filters=FILTERS, url_params=(*XF_PARAMS, VIEW_PARAM))

# ids, named once
KPIS = "adstruct-kpis"
FORMATS, PLATFORM_MIX, ACTIVE, BUDGET = "adstruct-formats", "adstruct-platforms", "adstruct-active", "adstruct-budget"
VIEW, BUDGET_CRUMBS = "adstruct-budget-view", "adstruct-budget-crumbs"
XF, XF_STORE, XF_CHIPS = "adstruct-xf", "adstruct-xf-store", "adstruct-xf-chips"
URL_PARAMS, URL_SINK = "adstruct-url-params", "adstruct-url-sink"

# budget allocation views: view -> (dataset, label column, what a click selects)
VIEWS = {"campaign": ("budget_by_campaign", "campaign_name", CAMPAIGNS),
         "placement": ("ad_placements", "placement", None), "platform": ("ctr_by_platform", "platform", PLATFORMS)}
VIEW_LABELS = {"campaign": "Campaign", "placement": "Placement", "platform": "Platform"}
DEFAULT_VIEW = "campaign"
GRAPHS = (PLATFORM_MIX, BUDGET)
SOURCES = {PLATFORMS: PLATFORM_MIX, CAMPAIGNS: BUDGET}  # a URL `xf` without `xfby` was set by these
KPIS_SHOWN = (Kpi("Ads", "ads", icon="bi-collection"), Kpi("Active ads", "active_ads", icon="bi-play-circle"),
              Kpi("Active share of budget", "active_budget_share_pct", "pct", "active_share_pct", icon="bi-pie-chart"),
              Kpi("Budget", "budget", "currency", icon="bi-wallet2"))
DONUT_HEIGHT, BUDGET_HEIGHT = 300, 400


def view_toggle(value: str) -> dbc.RadioItems:
    return dbc.RadioItems(id=VIEW, options=[{"label": label, "value": v} for v, label in VIEW_LABELS.items()],
                          value=value, inline=True, class_name="view-toggle btn-group btn-group-sm",
                          input_class_name="btn-check", label_class_name="btn btn-outline-secondary",
                          label_checked_class_name="active")


def parse_view(value) -> str:
    return value if value in VIEWS else DEFAULT_VIEW


def layout(**query):
    state = state_from_params(query, SOURCES, (PLATFORM_MIX, BUDGET))
    view = parse_view(next(iter(query_values(query, VIEW_PARAM)), None))
    return html.Div([
        html.Div([html.H2("Ad structure"), html.Span("Formats, platforms, active ads and where the budget goes",
                                                     className="text-body-secondary")], className="page-header"),
        dcc.Store(id=XF_STORE, data=state), dcc.Store(id=URL_PARAMS), html.Div(id=URL_SINK, hidden=True),
        html.Div(id=XF_CHIPS),
        kpi_row(KPIS),
        dbc.Row([
            dbc.Col(chart_card(FORMATS, "Ad formats", "Ads of each format (image, video, carousel, collection) and "
                               "their share of all ads. Format is not a page filter: the chart follows the others.",
                               metrics=("budget", "share_pct"), height=DONUT_HEIGHT),
                    lg=4, class_name="mb-3"),
            dbc.Col(chart_card(PLATFORM_MIX, "Platform distribution", "Ads on each platform. Click a slice to "
                               "cross-filter the page by platform.", metrics=("budget", "share_pct"),
                               height=DONUT_HEIGHT), lg=4, class_name="mb-3"),
            dbc.Col(chart_card(ACTIVE, "Active vs inactive ads", "Ads still running and ads switched off.",
                               metrics=("active_share_pct",), height=DONUT_HEIGHT), lg=4, class_name="mb-3"),
        ]),
        dbc.Row(dbc.Col(chart_card(
            BUDGET, "Budget allocation", "Budget (reach x the placement's price) with its share of the total. By "
            "campaign: click a campaign to drill into its ads (the breadcrumb goes back; the page filters to the "
            "campaign). By platform: click a bar to cross-filter. Placement is not a page filter.",
            metrics=("budget", "share_pct"), height=BUDGET_HEIGHT, class_name="chart-scroll",
            extra_header=view_toggle(view),
            subtitle=html.Div(breadcrumb(BUDGET_CRUMBS, crumb_labels(None)), id=BUDGET_CRUMBS)),
            xs=12, class_name="mb-3")),
    ], className="marketing-page")


# ------------------------------------------------------------------ pure helpers
def structure_kpis(df: pd.DataFrame) -> dict:
    """Ads, active ads, budget and the active ads' share of it, from the `ad_active_share` rows."""
    active = df[df["state"] == "active"]
    budget = float(df["budget"].sum()) if len(df) else 0.0
    active_budget = float(active["budget"].sum())
    return {"ads": int(df["ads"].sum()), "active_ads": int(active["ads"].sum()), "budget": budget,
            "active_budget_share_pct": active_budget * 100.0 / budget if budget else float("nan")}


def budget_view(query, state, view: str) -> tuple[str, dict, dict]:
    """(dataset, filter query, builder kwargs) of the budget chart for `view` (and the drilled campaign)."""
    base, campaign = chart_query(query, state, BUDGET), drilled(state, BUDGET)
    if view == "campaign" and campaign:
        ads = {"label": "ad_name", "share": None, "drop_common_prefix": True}
        return "campaign_ads", apply_crossfilters(base, {CAMPAIGNS: [campaign]}), ads
    dataset, label, dimension = VIEWS[view]
    return dataset, base, {"label": label, "share": "budget_share_pct",
                           "selected": state["sel"].get(dimension) if dimension else None}


def budget_rule(view: str) -> ClickRule | None:
    """What a click on the budget chart selects in `view` (None: placement is not a filter)."""
    dimension = VIEWS[parse_view(view)][2]
    return ClickRule(dimension, "customdata", drill=dimension == CAMPAIGNS) if dimension else None


# ------------------------------------------------------------------ callbacks
@callback(kpi_row_output(KPIS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
@guard(lambda exc: kpi_row_children([error_banner(exc)]))
def kpis(query, _theme, state):
    df = load_dataset("ad_active_share", filters_from_store(chart_query(query, state)))
    return kpi_row_children(kpi_cards(structure_kpis(df), KPIS_SHOWN, show_change=False))


@callback(*chart_outputs(FORMATS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def formats(query, theme, state):
    return render_chart("ad_formats", chart_query(query, state, FORMATS), theme, build_donut, names="ad_format",
                        values="ads", height=DONUT_HEIGHT)


@callback(*chart_outputs(PLATFORM_MIX), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def platforms(query, theme, state):
    figure, *rest = render_chart("ctr_by_platform", chart_query(query, state, PLATFORM_MIX), theme, build_donut,
                                 names="platform", values="ads", height=DONUT_HEIGHT)
    return emphasise(figure, state["sel"].get(PLATFORMS)), *rest


@callback(*chart_outputs(ACTIVE), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def active(query, theme, state):
    return render_chart("ad_active_share", chart_query(query, state, ACTIVE), theme, build_donut, names="state",
                        values="ads", height=DONUT_HEIGHT)


@callback(*chart_outputs(BUDGET), Output(chart_ids(BUDGET).graph, "style"), *page_inputs(), Input(XF_STORE, "data"),
          Input(VIEW, "value"))
@memoized
def budget(query, theme, state, view):
    dataset, view_query, kwargs = budget_view(query, state, parse_view(view))
    result = render_chart(dataset, view_query, theme, build_ranked, value="budget", fmt_value="currency", max_label=60,
                          **kwargs)
    return *result, graph_style(result[0], BUDGET_HEIGHT)


@callback(Output(XF_STORE, "data"), *(Output(chart_ids(c).graph, "clickData") for c in GRAPHS),
          *(Input(chart_ids(c).graph, "clickData") for c in GRAPHS), crumb_input(BUDGET_CRUMBS),
          State(VIEW, "value"), State(XF_STORE, "data"), prevent_initial_call=True)
def cross_filter(platform_click, budget_click, _crumbs, view, state):
    """A click selects/toggles a platform or drills into a campaign; clickData is cleared for the next click."""
    rule = budget_rule(view)
    rules = {PLATFORM_MIX: ClickRule(PLATFORMS, "label"), **({BUDGET: rule} if rule else {})}
    new = page_event(state, dash.ctx.triggered_id, {PLATFORM_MIX: platform_click, BUDGET: budget_click}, rules,
                     crumbs={BUDGET_CRUMBS: BUDGET}, crumb_level=crumb_clicked())
    return event_outputs(new, len(GRAPHS))


removable_chips(XF, XF_STORE)


@callback(Output(XF_CHIPS, "children"), Output(URL_PARAMS, "data"), Output(BUDGET_CRUMBS, "children"),
          Input(XF_STORE, "data"), Input(VIEW, "value"))
def chips(state, view):
    view = parse_view(view)
    params = {**state_params(state), VIEW_PARAM: [] if view == DEFAULT_VIEW else [view]}
    campaign = drilled(state, BUDGET) if view == "campaign" else None
    return crossfilter_chips(XF, state["sel"], chip_labels()), params, breadcrumb(BUDGET_CRUMBS, crumb_labels(campaign))


mirror_to_url(URL_SINK, URL_PARAMS)
