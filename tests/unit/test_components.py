"""Shared components: what they render for given inputs (no browser, no database)."""
import json

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import html
from plotly.utils import PlotlyJSONEncoder

from dashboard.components import chart_card as cc
from dashboard.components.chips import (
    CHIP, CLEAR, apply_chip_event, apply_crossfilters, chip_id, clear_id, crossfilter_chips, toggle_selection,
)
from dashboard.components.errors import NO_DATA, empty_state, error_banner, error_message, error_state, guard
from dashboard.components.kpi import change_direction, kpi_card, kpi_change, kpi_row_children
from dashboard.components.navbar import active_path, nav_entries, nav_items, nav_pages
from dashboard.figures import build_bar
from schema.errors import DatabaseUnavailable, InvalidFilter


def text_of(component) -> str:
    """All strings inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def find(component, predicate):
    """Every component in the tree for which `predicate` holds."""
    out = []
    if isinstance(component, (list, tuple)):
        for c in component:
            out += find(c, predicate)
    elif hasattr(component, "to_plotly_json"):
        if predicate(component):
            out.append(component)
        out += find(getattr(component, "children", None), predicate)
    return out


def classes(component) -> str:
    return " ".join(str(getattr(component, a, "") or "") for a in ("className", "class_name"))


# ------------------------------------------------------------------ KPI cards
def test_kpi_change():
    assert kpi_change(110, 100) == pytest.approx(0.10)
    assert kpi_change(90, 100) == pytest.approx(-0.10)
    assert kpi_change(5, -10) == pytest.approx(1.5)  # relative to |previous|
    assert kpi_change(5, 0) is None and kpi_change(None, 3) is None and kpi_change(3, float("nan")) is None
    assert change_direction(0.0001) == "flat" and change_direction(None) == "none"


def test_kpi_card_shows_value_label_and_a_green_up_arrow():
    card = kpi_card("Revenue", 2_590_000_000, previous=2_000_000_000, fmt="currency", help_text="sum of lines")
    assert isinstance(card, dbc.Card)
    text = text_of(card)
    assert "Revenue" in text and "2.59B" in text and "+29.5%" in text
    change = find(card, lambda c: "kpi-change-value" in classes(c))[0]
    assert "text-success" in classes(change)
    assert find(card, lambda c: "bi-arrow-up-right" in classes(c))
    tooltip = find(card, lambda c: isinstance(c, dbc.Tooltip))[0]
    assert tooltip.children == "sum of lines" and tooltip.target == {"type": "kpi-help", "kpi": "revenue"}


def test_kpi_card_inverted_metric_going_up_is_red():
    card = kpi_card("Return rate", 0.12, previous=0.10, fmt="percent", invert=True)
    change = find(card, lambda c: "kpi-change-value" in classes(c))[0]
    assert "text-danger" in classes(change) and "12.0%" in text_of(card)


def test_kpi_card_without_previous_period_says_so():
    text = text_of(kpi_card("Orders", 2008, previous=None))
    assert "2,008" in text and "no previous period" in text


def test_kpi_row_children_spans_an_error_banner_full_width():
    row = kpi_row_children([error_state(DatabaseUnavailable("refused"))])
    assert len(row) == 1 and row[0].xs == 12
    assert len(kpi_row_children([kpi_card("A", 1), kpi_card("B", 2)])) == 2


# ------------------------------------------------------------------ errors and empty states
def test_error_banner_texts():
    assert error_message(DatabaseUnavailable("cannot connect")) == "Database unavailable: cannot connect"
    banner = error_banner(DatabaseUnavailable("cannot connect"))
    assert banner.color == "danger" and "Database unavailable: cannot connect" in text_of(banner)
    assert error_banner(InvalidFilter("bad date")).color == "warning"
    assert NO_DATA in text_of(empty_state())
    state = error_state(DatabaseUnavailable("x" * 500))
    assert "Database unavailable" in text_of(state) and len(text_of(state)) < 200


def test_guard_turns_user_errors_into_the_fallback_and_lets_bugs_through():
    @guard(lambda exc: f"fallback: {exc}")
    def callback(x):
        if x == "db":
            raise DatabaseUnavailable("down")
        return 1 / x

    assert callback(2) == 0.5
    assert callback("db") == "fallback: down"
    with pytest.raises(ZeroDivisionError):
        callback(0)


# ------------------------------------------------------------------ chart cards
def test_chart_card_layout_has_loading_download_and_glossary_help():
    card = cc.chart_card("rev", "Revenue", "What it shows.", metrics=("revenue", "not-a-metric"))
    ids = cc.chart_ids("rev")
    assert find(card, lambda c: getattr(c, "id", None) == ids.graph)
    assert find(card, lambda c: getattr(c, "id", None) == ids.download)
    assert find(card, lambda c: type(c).__name__ == "Loading")
    popover = find(card, lambda c: isinstance(c, dbc.Popover))[0]
    assert popover.target == ids.help
    help_text = text_of(popover)
    assert "What it shows." in help_text and "revenue" in help_text and "after_discount" in help_text


def test_chart_outputs_target_the_card_ids():
    outputs = cc.chart_outputs("rev")
    assert [o.component_property for o in outputs] == ["figure", "data", "children", "disabled"]
    assert outputs[0].component_id == {"type": cc.GRAPH, "chart": "rev"}


FRAME = pd.DataFrame({"category": ["A", "B", "C"], "revenue": [1.0, 2.0, 3.0]})


def test_render_chart_builds_the_figure_and_records_the_query(monkeypatch):
    calls = []
    monkeypatch.setattr(cc, "load_dataset", lambda name, filters, params: calls.append((name, filters, params)) or FRAME)
    fig, spec, status, disabled = cc.render_chart("ds", {"category": ["A"], "from": "2024-01-01"}, "dark", build_bar,
                                                 params={"limit": 3}, x="category", y="revenue")
    assert isinstance(fig, go.Figure) and len(fig.data[0].x) == 3
    assert spec == {"dataset": "ds", "query": {"from": "2024-01-01", "category": ["A"]}, "params": {"limit": 3}}
    assert status is None and disabled is False
    assert calls[0][1].categories == ("A",)
    json.dumps(spec, cls=PlotlyJSONEncoder)  # the spec travels through the browser


def test_render_chart_empty_result_shows_no_data(monkeypatch):
    monkeypatch.setattr(cc, "load_dataset", lambda *a: FRAME.iloc[0:0])
    fig, spec, status, disabled = cc.render_chart("ds", {}, "light", build_bar, x="category", y="revenue")
    assert fig.layout.annotations[0].text == NO_DATA and not fig.data and disabled is True


def test_render_chart_database_down_shows_the_banner_not_a_traceback(monkeypatch):
    def down(*_):
        raise DatabaseUnavailable("cannot connect to sqlite:///x.db")

    monkeypatch.setattr(cc, "load_dataset", down)
    fig, spec, status, disabled = cc.render_chart("ds", {}, "light", build_bar, x="category", y="revenue")
    assert fig.layout.annotations[0].text == "Database unavailable" and not fig.data
    assert "cannot connect to sqlite:///x.db" in fig.layout.annotations[1].text
    assert status is None and spec is None and disabled is True


# ------------------------------------------------------------------ cross-filter chips
def test_chips_render_one_badge_per_value_and_clear_all():
    chips = crossfilter_chips("g", {"categories": ["Books", "Toys"], "cities": ["Bandung"]}, {"categories": "Category"})
    badges = find(chips, lambda c: isinstance(c, dbc.Badge))
    assert [b.id for b in badges] == [chip_id("g", "categories", "Books"), chip_id("g", "categories", "Toys"),
                                      chip_id("g", "cities", "Bandung")]
    assert text_of(badges[0]).startswith("Category:  Books")
    assert find(chips, lambda c: getattr(c, "id", None) == clear_id("g"))
    assert crossfilter_chips("g", {}) is None


def test_chip_events():
    state = {"categories": ["Books", "Toys"], "cities": ["Bandung"]}
    assert apply_chip_event(state, {"type": CHIP, "group": "g", "key": "categories", "value": "Books"}) == \
        {"categories": ["Toys"], "cities": ["Bandung"]}
    assert apply_chip_event(state, {"type": CHIP, "group": "g", "key": "cities", "value": "Bandung"}) == \
        {"categories": ["Books", "Toys"]}
    assert apply_chip_event(state, {"type": CLEAR, "group": "g"}) == {}
    assert apply_chip_event(state, None) == state
    assert toggle_selection({}, "categories", "Books") == {"categories": ["Books"]}
    assert toggle_selection({"categories": ["Books"]}, "categories", "Books") == {}


def test_crossfilters_narrow_the_shell_filters():
    query = {"from": "2024-01-01", "category": ["Books", "Toys"]}
    assert apply_crossfilters(query, {"categories": ["Toys"]}) == {"from": "2024-01-01", "category": ["Toys"]}
    assert apply_crossfilters(query, {"categories": ["Garden"]}) == query  # outside the global selection: ignored
    assert apply_crossfilters({}, {"cities": ["Bandung"]}) == {"city": ["Bandung"]}
    assert apply_crossfilters(query, None) == query


# ------------------------------------------------------------------ navbar
REGISTRY = {
    "pages.sales": {"module": "pages.sales", "name": "Sales", "relative_path": "/sales", "order": 2},
    "pages.home": {"module": "pages.home", "name": "Overview", "relative_path": "/", "order": 0},
    "pages.ads": {"module": "pages.ads", "name": "Ads", "relative_path": "/ads", "order": 3, "group": "Marketing"},
    "pages.funnel": {"module": "pages.funnel", "name": "Funnel", "relative_path": "/funnel", "order": 4,
                     "group": "Marketing"},
    "pages.hidden": {"module": "pages.hidden", "name": "Hidden", "relative_path": "/hidden", "nav": False},
    "pages.not_found_404": {"module": "pages.not_found_404", "name": "404", "relative_path": "/404"},
}


def test_navbar_order_groups_and_hidden_pages():
    entries = nav_entries(nav_pages(REGISTRY))
    assert [(g, [p["name"] for p in ps]) for g, ps in entries] == [
        (None, ["Overview"]), (None, ["Sales"]), ("Marketing", ["Ads", "Funnel"])]
    items = nav_items(REGISTRY)
    assert isinstance(items[2], dbc.DropdownMenu) and items[2].label == "Marketing"


def test_active_path():
    paths = ["/", "/sales", "/ads"]
    assert active_path("/", paths) == "/"
    assert active_path("/sales/", paths) == "/sales"
    assert active_path("/sales/detail", paths) == "/sales"
    assert active_path("/elsewhere", paths) is None
    assert active_path(None, paths) == "/"


def test_empty_state_is_html():
    assert isinstance(empty_state(), html.Div)


# ------------------------------------------------------------------ the shell (no server)
def test_shell_layout_shows_a_banner_when_the_database_is_down(monkeypatch):
    from dashboard import app as shell

    def down():
        raise DatabaseUnavailable("cannot connect to mysql://db")

    monkeypatch.setattr(shell, "data_info", down)
    layout = shell.shell_layout()
    from dashboard.components.filter_bar import DB_BANNER

    banner = find(layout, lambda c: getattr(c, "id", None) == DB_BANNER)[0]
    assert "Database unavailable: cannot connect to mysql://db" in text_of(banner)
    assert "No data loaded" in text_of(layout)


def test_page_routing_helpers():
    from dashboard.app import page_for, page_kwargs, page_meta

    registry = {
        "p.home": {"module": "p.home", "relative_path": "/", "title": "Home", "name": "Home"},
        "p.sales": {"module": "p.sales", "relative_path": "/sales", "title": "Sales", "redirect_from": ["/old"],
                    "filters": ("start", "end"), "url_params": ("xf",)},
        "p.not_found_404": {"module": "p.not_found_404", "relative_path": "/404", "title": "Not found"},
    }
    assert page_for("/sales/", registry)["module"] == "p.sales"
    assert page_for("/old", registry)["module"] == "p.sales"
    assert page_for(None, registry)["module"] == "p.home"
    assert page_for("/nope", registry)["module"] == "p.not_found_404"
    assert page_meta(registry["p.sales"]) == {"module": "p.sales", "path": "/sales", "title": "Sales",
                                              "filters": ["start", "end"], "params": ["xf"]}
    assert page_meta(registry["p.home"])["filters"] is None  # the shell's default filters
    assert page_kwargs("?a=1&b=2&b=3&bogus=") == {"a": "1", "b": ["2", "3"], "bogus": ""}
