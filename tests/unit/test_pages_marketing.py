"""Pure helpers of the marketing pages: clicks -> cross-filters, the campaign -> ads drill state,
grid columns and rows, the pages' views of their datasets, and the figure builders."""
import importlib
import sys
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.components import marketing as mk
from dashboard.components.chart_card import chart_ids
from dashboard.components.interactions import crumb_id, state_params
from dashboard.figures.marketing import build_ranked, build_stage_funnel, ranked_height, short_labels
from dashboard.figures.theme import palette

CAMPAIGN_A, CAMPAIGN_B = "Weekend Blast - Mobiles & Tablets - 2022-06 #12", "Brand Week - Books - 2022-07 #13"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The three page modules, imported in isolation: Dash's global page registry and callback lists are
    restored afterwards, so an app created later in the same process registers each callback once."""
    import dash
    from dash import _callback, _pages

    saved = (list(_callback.GLOBAL_CALLBACK_LIST), dict(_callback.GLOBAL_CALLBACK_MAP),
             list(_callback.GLOBAL_INLINE_SCRIPTS), dict(_pages.PAGE_REGISTRY), _pages.CONFIG)
    names = ("campaigns", "ad_structure", "ad_performance")
    dash.Dash(__name__, use_pages=True, pages_folder=str(tmp_path_factory.mktemp("no_pages")))
    try:
        yield {name: importlib.import_module(f"dashboard.pages.{name}") for name in names}
    finally:
        for name in names:
            sys.modules.pop(f"dashboard.pages.{name}", None)
        _callback.GLOBAL_CALLBACK_LIST[:] = saved[0]
        _callback.GLOBAL_CALLBACK_MAP.clear()
        _callback.GLOBAL_CALLBACK_MAP.update(saved[1])
        _callback.GLOBAL_INLINE_SCRIPTS[:] = saved[2]
        _pages.PAGE_REGISTRY.clear()
        _pages.PAGE_REGISTRY.update(saved[3])
        _pages.CONFIG = saved[4]


def state(sel=None, src=None):
    return {"sel": sel or {}, "src": src or {}}


def bar_click(value, key="customdata"):
    return {"points": [{key: value, "curveNumber": 0, "pointNumber": 0}]}


# ------------------------------------------------------------------ drill state
def test_drilled_is_the_charts_own_single_campaign():
    assert mk.drilled(state({"campaigns": [CAMPAIGN_A]}, {"campaigns": "profit"}), "profit") == CAMPAIGN_A
    assert mk.drilled(state({"campaigns": [CAMPAIGN_A]}, {"campaigns": "table"}), "profit") is None  # set elsewhere
    assert mk.drilled(state({"campaigns": [CAMPAIGN_A, CAMPAIGN_B]}, {"campaigns": "profit"}), "profit") is None
    assert mk.drilled(None, "profit") is None


def test_drill_back_drops_only_the_drilled_campaign():
    s = state({"campaigns": [CAMPAIGN_A], "platforms": ["google"]}, {"campaigns": "roas", "platforms": "ctr"})
    assert mk.drill_back(s, "roas") == state({"platforms": ["google"]}, {"platforms": "ctr"})
    assert mk.drill_back(s, "other") == s  # not that chart's selection: unchanged
    assert s["sel"]["campaigns"] == [CAMPAIGN_A]  # the input is not mutated


def test_crumb_labels():
    assert mk.crumb_labels(None) == [mk.ALL_CAMPAIGNS]
    assert mk.crumb_labels(CAMPAIGN_A) == [mk.ALL_CAMPAIGNS, CAMPAIGN_A]


# ------------------------------------------------------------------ clicks -> Filters fields
def test_a_bar_click_selects_then_toggles_the_campaign():
    rule = mk.ClickRule("campaigns", "customdata")
    first = mk.click_state(state(), "ctr", bar_click(CAMPAIGN_A), rule)
    assert first == state({"campaigns": [CAMPAIGN_A]}, {"campaigns": "ctr"})
    both = mk.click_state(first, "ctr", bar_click(CAMPAIGN_B), rule)
    assert both["sel"]["campaigns"] == [CAMPAIGN_A, CAMPAIGN_B]  # same chart: multi-select
    assert mk.click_state(both, "ctr", bar_click(CAMPAIGN_A), rule)["sel"]["campaigns"] == [CAMPAIGN_B]
    assert mk.click_state(first, "ctr", bar_click(CAMPAIGN_A), rule) == state()  # toggled off
    other = mk.click_state(first, "timeline", bar_click(CAMPAIGN_B, "y"), mk.ClickRule("campaigns", "y"))
    assert other == state({"campaigns": [CAMPAIGN_B]}, {"campaigns": "timeline"})  # another chart: replaces


def test_customdata_rows_give_their_first_value_and_empty_clicks_nothing():
    rule = mk.ClickRule("campaigns", "customdata")
    assert mk.click_state(state(), "b", bar_click([CAMPAIGN_A, 29.3]), rule)["sel"] == {"campaigns": [CAMPAIGN_A]}
    assert mk.click_state(state(), "b", None, rule) is None
    assert mk.click_state(state(), "b", {"points": []}, rule) is None


def test_a_pie_click_selects_a_platform():
    new = mk.click_state(state(), "mix", bar_click("google", "label"), mk.ClickRule("platforms", "label"))
    assert new == state({"platforms": ["google"]}, {"platforms": "mix"})


def test_a_drill_chart_ignores_clicks_on_its_ads():
    rule = mk.ClickRule("campaigns", "customdata", drill=True)
    drilled = mk.click_state(state(), "roas", bar_click(CAMPAIGN_A), rule)
    assert mk.drilled(drilled, "roas") == CAMPAIGN_A
    assert mk.click_state(drilled, "roas", bar_click("Brand Week | google search image #7"), rule) is None


def test_grid_cells_select_their_column_or_the_rows_campaign():
    rows = [{"ad_name": "ad #1", "campaign_name": CAMPAIGN_A, "platform": "google"},
            {"ad_name": "ad #2", "campaign_name": CAMPAIGN_B, "platform": "tiktok"}]
    rule = mk.ClickRule("campaigns", columns={"platform": "platforms"}, row_key="ad_name")
    cell = {"colId": "platform", "value": "tiktok", "rowId": "ad #2", "rowIndex": 0}
    assert mk.grid_pick(cell, rows, rule) == ("platforms", "tiktok")
    assert mk.grid_pick({**cell, "colId": "clicks", "value": 3}, rows, rule) == ("campaigns", CAMPAIGN_B)
    assert mk.grid_pick({**cell, "colId": "clicks", "rowId": "ad #9"}, rows, rule) is None  # row not found
    assert mk.grid_pick(None, rows, rule) is None
    new = mk.click_state(state(), "ranking", {**cell, "colId": "reach"}, rule, rows)
    assert new == state({"campaigns": [CAMPAIGN_B]}, {"campaigns": "ranking"})


def test_page_event_dispatches_clicks_and_breadcrumbs():
    rules = {"roas": mk.ClickRule("campaigns", "customdata", drill=True), "ctr": mk.ClickRule("platforms", "x")}
    graph = chart_ids("ctr").graph
    s = mk.page_event(state(), graph, {"ctr": bar_click("google", "x")}, rules)
    assert s == state({"platforms": ["google"]}, {"platforms": "ctr"})
    s = mk.page_event(s, chart_ids("roas").graph, {"roas": bar_click(CAMPAIGN_A)}, rules)
    assert mk.drilled(s, "roas") == CAMPAIGN_A
    crumb = crumb_id("roas-crumbs", 0)
    back = mk.page_event(s, crumb, {}, rules, crumbs={"roas-crumbs": "roas"}, crumb_level=0)
    assert back == state({"platforms": ["google"]}, {"platforms": "ctr"})
    assert mk.page_event(s, crumb, {}, rules, crumbs={"roas-crumbs": "roas"}, crumb_level=None) is None  # drawn, not clicked
    assert mk.page_event(s, chart_ids("unknown").graph, {}, rules) is None
    assert mk.page_event(s, None, {}, rules) is None


def test_cross_filters_round_trip_through_the_url_parameters():
    from dashboard.components.interactions import state_from_params

    s = state({"campaigns": [CAMPAIGN_A], "platforms": ["google"]}, {"campaigns": "roas", "platforms": "ctr"})
    params = state_params(s)
    assert params == {"xf": [f"campaigns:{CAMPAIGN_A}", "platforms:google"], "xfby": ["campaigns:roas", "platforms:ctr"]}
    assert state_from_params(params, {}, ("roas", "ctr")) == s


# ------------------------------------------------------------------ grids
def test_number_columns_format_like_their_python_twin():
    col = mk.number_column("roi_pct", "ROI", "pct")
    assert col["filter"] == "agNumberColumnFilter" and col["type"] == "numericColumn"
    assert "d3.format" in col["valueFormatter"]["function"] and "'—'" in col["valueFormatter"]["function"]
    assert mk.format_cell(1036.2345, "pct") == "1,036.2%"
    assert mk.format_cell(1016908.4, "money") == "1,016,908"
    assert mk.format_cell(float("nan"), "ratio") == "—" and mk.format_cell(None) == "—"
    assert mk.format_cell(11.364, "ratio") == "11.36"
    assert mk.format_cell(-45.08, "pct") == "\u221245.1%"  # d3's minus sign


def test_grid_rows_are_json_ready():
    df = pd.DataFrame({"campaign_name": ["a", "b"], "start_date": [date(2024, 1, 2), None], "roas": [1.5, np.nan]})
    assert mk.grid_rows(df) == [{"campaign_name": "a", "start_date": "2024-01-02", "roas": 1.5},
                                {"campaign_name": "b", "start_date": None, "roas": None}]


def test_selected_rows_rule_marks_the_grids_own_selection():
    s = state({"campaigns": [CAMPAIGN_A], "platforms": ["google"]}, {"campaigns": "table", "platforms": "ctr"})
    own = mk.own_selections(s, "table")
    assert own == {"campaign_name": [CAMPAIGN_A]}
    rule = mk.selected_rows_rule(own)["xf-selected-row"]["function"]
    assert rule == f'["{CAMPAIGN_A}"].includes(params.data.campaign_name)'
    assert mk.selected_rows_rule({})["xf-selected-row"]["function"] == "false"
    quoted = mk.selected_rows_rule({"campaign_name": ['say "hi"']})["xf-selected-row"]["function"]
    assert quoted.startswith('["say \\"hi\\""]')  # JSON-escaped: a name cannot break out of the expression


def test_graph_style_follows_the_figure_height():
    assert mk.graph_style(go.Figure(layout=dict(height=812)), 400) == {"height": "812px"}
    assert mk.graph_style(go.Figure(), 400) == {"height": "400px"}


def test_kpi_cards_carry_value_previous_and_glossary():
    cards = mk.kpi_cards({"roas": 3.12, "roas_prev": 4.43}, [mk.Kpi("ROAS", "roas", "decimal")])
    text = str(cards[0])
    assert "3.12" in text and "-29.6%" in text and "Return on ad spend" in text


# ------------------------------------------------------------------ the pages' own helpers
def test_campaigns_page_views(pages):
    page = pages["campaigns"]
    df = pd.DataFrame({"campaign_name": ["a", "b"], "reach": [100, 300], "clicks": [10, 10], "ctr_pct": [10.0, 3.33]})
    assert page.overall_ctr(df) == pytest.approx(5.0)
    assert page.overall_ctr(df.assign(reach=0)) is None
    query = {"from": "2024-01-01", "platform": ["google"]}
    dataset, q, kw = page.profit_view(query, state())
    assert dataset == "campaign_table" and q == query and kw["label"] == "campaign_name"
    drilled = state({"campaigns": [CAMPAIGN_A]}, {"campaigns": page.PROFIT})
    dataset, q, kw = page.profit_view(query, drilled)
    assert dataset == "campaign_ads" and q["campaign"] == [CAMPAIGN_A] and kw["label"] == "ad_name"
    figure = page.build_ctr(df, theme="light")
    assert figure.layout.annotations[0].text == "overall 5.0%"


def test_campaigns_layout_tolerates_unknown_parameters_and_reads_cross_filters(pages):
    page = pages["campaigns"]
    tree = page.layout(bogus="1", xf=f"campaigns:{CAMPAIGN_A}", xfby=["campaigns:nonsense"])
    store = next(c for c in tree.children if getattr(c, "id", None) == page.XF_STORE)
    assert store.data == state({"campaigns": [CAMPAIGN_A]}, {"campaigns": page.TABLE})  # unknown source: default
    assert page.layout() is not None


def test_ad_structure_helpers(pages):
    page = pages["ad_structure"]
    df = pd.DataFrame({"state": ["active", "inactive"], "ads": [34, 493], "budget": [403000.0, 5683800.0]})
    k = page.structure_kpis(df)
    assert k == {"ads": 527, "active_ads": 34, "budget": 6086800.0, "active_budget_share_pct": pytest.approx(6.6209, 1e-3)}
    assert np.isnan(page.structure_kpis(df.iloc[0:0])["active_budget_share_pct"])
    assert page.parse_view("placement") == "placement" and page.parse_view("nope") == "campaign"
    assert page.budget_rule("placement") is None
    assert page.budget_rule("platform") == mk.ClickRule("platforms", "customdata")
    assert page.budget_rule("campaign").drill
    dataset, _, kw = page.budget_view({}, state(), "platform")
    assert dataset == "ctr_by_platform" and kw["share"] == "budget_share_pct"
    drilled = state({"campaigns": [CAMPAIGN_A]}, {"campaigns": page.BUDGET})
    dataset, q, kw = page.budget_view({}, drilled, "campaign")
    assert dataset == "campaign_ads" and q["campaign"] == [CAMPAIGN_A] and kw["label"] == "ad_name"
    assert page.budget_view({}, drilled, "placement")[0] == "ad_placements"
    tree = page.layout(budget="placement", unknown="x")
    assert tree is not None


def test_ad_performance_helpers(pages):
    page = pages["ad_performance"]
    dataset, q, params, kw = page.roas_view({}, state())
    assert (dataset, params, kw["label"]) == ("roas_by_campaign", {}, "campaign_name")
    drilled = state({"campaigns": [CAMPAIGN_A]}, {"campaigns": page.ROAS})
    dataset, q, params, kw = page.roas_view({"to": "2024-12-31"}, drilled)
    assert dataset == "roas_by_ad" and q == {"to": "2024-12-31", "campaign": [CAMPAIGN_A]}
    assert params == {"limit": page.DRILL_LIMIT}
    # a ranking row selects its campaign, its platform cell the platform
    rows = [{"ad_id": 7, "ad_name": "x #1", "campaign_name": CAMPAIGN_A, "platform": "youtube"}]
    rule = page.RULES[page.RANKING]
    assert mk.grid_pick({"colId": "ctr_pct", "rowId": "7", "value": 1.0}, rows, rule) == ("campaigns", CAMPAIGN_A)
    assert mk.grid_pick({"colId": "platform", "rowId": "7", "value": "youtube"}, rows, rule) == ("platforms", "youtube")
    assert page.layout(anything="1") is not None


# ------------------------------------------------------------------ figures
def test_short_labels_keep_the_unique_end():
    assert short_labels(["short"]) == ["short"]
    cut = short_labels([CAMPAIGN_A], max_len=30)[0]
    assert len(cut) <= 32 and cut.endswith("2022-06 #12") and "…" in cut
    same_ends = ["Summer sale - Books - alpha - 2024-01 #1", "Summer sale - Books - omega - 2024-01 #1"]
    assert short_labels(same_ends, max_len=30) == same_ends  # cutting would merge them: kept whole


def test_ads_of_one_campaign_lose_the_shared_campaign_prefix():
    ads = ["Weekend Blast | google marketplace collection #2", "Weekend Blast | facebook stories video #1"]
    assert short_labels(ads, drop_common_prefix=True) == ["google marketplace collection #2", "facebook stories video #1"]
    assert short_labels(ads[:1], drop_common_prefix=True)[0].startswith("Weekend Blast")  # one label: nothing shared
    assert short_labels(["a b", "a c"], drop_common_prefix=True) == ["a b", "a c"]  # no separator: kept


def test_ranked_bars_order_colours_selection_and_reference():
    df = pd.DataFrame({"name": ["a", "b", "c"], "profit": [5.0, -2.0, 1.0], "share": [60.0, 10.0, 30.0]})
    fig = build_ranked(df, theme="dark", label="name", value="profit", fmt_value="currency", sign_colors=True,
                       selected=["c"], share="share", reference=1.0, reference_label="avg")
    bar = fig.data[0]
    assert list(bar.y) == ["b", "c", "a"]  # Plotly draws the first category at the bottom: highest on top
    assert list(bar.customdata[:, 0]) == ["b", "c", "a"]
    p = palette("dark")
    assert list(bar.marker.color) == [p.danger, p.success, p.success]
    assert list(bar.marker.opacity) == [0.35, 1.0, 0.35]
    assert "customdata[1]" in bar.texttemplate
    assert fig.layout.shapes[0].x0 == 1.0 and fig.layout.annotations[0].text == "avg"
    assert fig.layout.height == ranked_height(3)
    assert fig.layout.xaxis.range[0] < -2.0 < 5.0 < fig.layout.xaxis.range[1]  # room for the text of both signs


def test_ranked_bars_empty_and_missing_values():
    assert build_ranked(pd.DataFrame(), theme="light", label="x", value="y").layout.annotations[0].text
    df = pd.DataFrame({"name": ["a", "b"], "roas": [np.nan, 2.0]})
    fig = build_ranked(df, theme="light", label="name", value="roas")
    assert list(fig.data[0].y) == ["a", "b"] and fig.data[0].marker.opacity == 1.0


def test_stage_funnel_writes_the_stage_rates():
    df = pd.DataFrame({"stage": ["reach", "click", "purchase"], "users": [1490, 105, 28],
                       "stage_rate_pct": [100.0, 7.05, 26.67], "overall_rate_pct": [100.0, 7.05, 1.88]})
    fig = build_stage_funnel(df, theme="light", stage="stage", value="users", rate="stage_rate_pct",
                             overall="overall_rate_pct", labels={"reach": "Reached"})
    trace = fig.data[0]
    assert list(trace.y) == ["Reached", "Click", "Purchase"]
    assert list(trace.text) == ["1,490", "105 · 7.0% of previous", "28 · 26.7% of previous"]
    assert trace.customdata[2][1] == pytest.approx(1.88)
    assert build_stage_funnel(df.iloc[0:0], theme="light", stage="stage", value="users", rate="x").data == ()


def test_only_charts_that_depend_on_a_cross_filter_get_new_cache_keys(pages):
    """The cache key is (dataset, filters.only(dataset.dimensions), params): a platform clicked in the CTR chart
    changes the funnel's key, not the CTR chart's own, nor the traffic sources' (sessions have no platform)."""
    from dashboard.components.interactions import chart_query
    from dashboard.components.state import filters_from_store
    from dashboard.queries.catalogue import get_dataset

    page = pages["ad_performance"]
    query = {"from": "2024-01-01", "to": "2024-12-31"}
    clicked = state({"platforms": ["google"]}, {"platforms": page.CTR})

    def key(dataset, chart, s):
        return filters_from_store(chart_query(query, s, chart)).only(*get_dataset(dataset).dimensions)

    assert key("funnel", page.FUNNEL, clicked) != key("funnel", page.FUNNEL, state())
    assert key("funnel", page.FUNNEL, clicked).platforms == ("google",)
    assert key("ctr_by_platform", page.CTR, clicked) == key("ctr_by_platform", page.CTR, state())
    assert key("conversion_by_traffic_source", page.SOURCES_CHART, clicked) == \
        key("conversion_by_traffic_source", page.SOURCES_CHART, state())
