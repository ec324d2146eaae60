"""Cross-filter state, URL parameters, breadcrumbs and highlighting (dashboard/components/interactions.py)."""
import plotly.graph_objects as go
from dash import no_update

from dashboard.components import interactions as ix
from dashboard.queries.filters import Filters


def clicked(**point):
    return {"points": [point]}


def test_click_value_reads_bars_slices_and_nothing():
    assert ix.click_value(clicked(x="Jakarta", y=12), "x") == "Jakarta"
    assert ix.click_value(clicked(label="cod", value=3), "label") == "cod"
    assert ix.click_value(clicked(customdata=[7, "x"]), "customdata") == "7"
    assert ix.click_value(None) is None and ix.click_value({"points": []}) is None
    assert ix.click_value(clicked(y=1), "x") is None


def test_pick_toggles_in_the_source_chart_and_replaces_from_another():
    state = ix.pick(None, "categories", "Books", "donut")
    assert state == {"sel": {"categories": ["Books"]}, "src": {"categories": "donut"}}
    state = ix.pick(state, "categories", "Toys", "donut")  # same chart: multi-select
    assert state["sel"]["categories"] == ["Books", "Toys"]
    state = ix.pick(state, "categories", "Books", "donut")  # same value again: off
    assert state["sel"]["categories"] == ["Toys"]
    state = ix.pick(state, "categories", "Books", "bars")  # another chart: replaces, and becomes the source
    assert state == {"sel": {"categories": ["Books"]}, "src": {"categories": "bars"}}
    state = ix.pick(state, "categories", "Books", "bars")
    assert state == ix.empty_state()


def test_pick_keeps_one_status_and_ignores_unknown_dimensions():
    state = ix.pick(None, "status", "completed", "status")
    state = ix.pick(state, "status", "returned", "status")
    assert state["sel"] == {"status": ["returned"]}
    assert ix.pick(state, "status", "returned", "status") == ix.empty_state()
    assert ix.pick(None, "gender", "F", "x") == ix.empty_state()
    assert ix.on_click(None, "cities", None, "x") is no_update


def test_pick_does_not_mutate_its_input():
    state = {"sel": {"cities": ["A"]}, "src": {"cities": "c"}}
    ix.pick(state, "cities", "B", "c")
    assert state == {"sel": {"cities": ["A"]}, "src": {"cities": "c"}}


def test_chart_query_skips_the_charts_own_cross_filter():
    state = {"sel": {"cities": ["Jakarta"], "payment_methods": ["cod"]}, "src": {"cities": "city", "payment_methods": "pay"}}
    query = {"from": "2024-01-01", "to": "2024-12-31"}
    assert ix.chart_query(query, state, "city") == {**query, "payment_method": ["cod"]}
    assert ix.chart_query(query, state, "pay") == {**query, "city": ["Jakarta"]}
    assert ix.chart_query(query, state) == {**query, "city": ["Jakarta"], "payment_method": ["cod"]}
    assert ix.chart_query(query, None, "x") == query


def test_chart_query_keeps_the_global_selection_and_gives_filters_the_cache_ignores():
    state = {"sel": {"cities": ["Jakarta", "Medan"]}, "src": {"cities": "city"}}
    narrowed = ix.chart_query({"city": ["Medan", "Bogor"]}, state, "other")
    assert narrowed == {"city": ["Medan"]}
    filters = Filters.from_query(narrowed)[0]
    # a dataset without a city dimension gets the same cache key as without the cross-filter
    assert filters.only("start", "end", "payment_methods") == Filters().only("start", "end", "payment_methods")


def test_status_cross_filter_picks_the_narrowest_scope():
    def scope(status):
        state = {"sel": {"status": [status]}, "src": {"status": "mix"}}
        return Filters.from_query(ix.chart_query({"scope": "gross"}, state, "trend"))[0].status_scope

    assert (scope("completed"), scope("returned"), scope("canceled")) == ("net", "valid", "gross")
    assert ix.chart_query({"scope": "net"}, {"sel": {"status": ["completed"]}, "src": {"status": "mix"}}, "mix") == \
        {"scope": "net"}  # the status chart itself keeps the global scope


def test_state_round_trips_through_url_parameters():
    state = {"sel": {"cities": ["Jakarta", "Kota: Baru"], "status": ["completed"]},
             "src": {"cities": "bars", "status": "mix"}}
    params = ix.state_params(state)
    assert params == {"xf": ["cities:Jakarta", "cities:Kota: Baru", "status:completed"],
                      "xfby": ["cities:bars", "status:mix"]}
    assert ix.state_from_params(params, {"cities": "donut", "status": "mix"}, charts=("bars",)) == state
    assert ix.state_params(ix.empty_state()) == {"xf": [], "xfby": []}


def test_state_from_params_is_tolerant():
    sources = {"cities": "city"}
    assert ix.state_from_params({"xf": "cities:Jakarta"}, sources) == {"sel": {"cities": ["Jakarta"]},
                                                                        "src": {"cities": "city"}}
    bad = {"xf": ["nocolon", "bogus:1", "cities:", "platforms:ios", "cities:A", "cities:A"],
           "xfby": ["cities:unknown-chart"]}
    assert ix.state_from_params(bad, sources) == {"sel": {"cities": ["A"]}, "src": {"cities": "city"}}
    assert ix.state_from_params(None, sources) == ix.empty_state()


def test_chip_removed_drops_the_source_too(monkeypatch):
    state = {"sel": {"cities": ["A"], "brands": ["B"]}, "src": {"cities": "c", "brands": "t"}}
    monkeypatch.setattr(ix, "chip_event", lambda sel: {"brands": ["B"]})
    assert ix.chip_removed(state) == {"sel": {"brands": ["B"]}, "src": {"brands": "t"}}
    monkeypatch.setattr(ix, "chip_event", lambda sel: no_update)
    assert ix.chip_removed(state) is no_update


def test_breadcrumb_links_every_level_but_the_last():
    nav = ix.breadcrumb("g", ["All", "2024", "Mar 2024"])
    items = nav.children.children
    assert [type(i.children).__name__ for i in items] == ["Button", "Button", "str"]
    assert items[1].children.id == ix.crumb_id("g", 1)
    assert ix.breadcrumb("g", ["All"]).children.children[0].children == "All"


def test_emphasise_dims_the_rest_and_pulls_slices():
    bars = go.Figure(go.Bar(x=["A", "B", "C"], y=[1, 2, 3]))
    assert list(ix.emphasise(bars, ["B"]).data[0].marker.opacity) == [0.35, 1.0, 0.35]
    hbar = go.Figure(go.Bar(y=["A", "B"], x=[1, 2], orientation="h"))
    assert list(ix.emphasise(hbar, ["A"]).data[0].marker.opacity) == [1.0, 0.35]
    pie = go.Figure(go.Pie(labels=["x", "y"], values=[1, 2]))
    assert list(ix.emphasise(pie, ["y"]).data[0].pull) == [0, 0.08]
    stacked = go.Figure([go.Bar(x=[1], y=[1], name="A"), go.Bar(x=[1], y=[2], name="B")])
    assert [t.marker.opacity for t in ix.emphasise(stacked, ["B"], by="trace").data] == [0.35, 1.0]
    untouched = go.Figure(go.Bar(x=["A"], y=[1]))
    assert ix.emphasise(untouched, None).data[0].marker.opacity is None


def test_table_card_rows_spec_and_states(monkeypatch):
    import pandas as pd

    from dashboard.components import table_card as tc
    from schema.errors import DatabaseUnavailable

    frame = pd.DataFrame({"product_name": ["A", "B"], "stock": [1, 2]})
    monkeypatch.setattr(tc, "load_dataset", lambda name, filters, params: frame)
    rows, spec, status, disabled = tc.render_table("low_stock", {"category": ["Books"]}, params={"threshold": 3})
    assert rows == [{"product_name": "A", "stock": 1}, {"product_name": "B", "stock": 2}]
    assert spec == {"dataset": "low_stock", "query": {"category": ["Books"]}, "params": {"threshold": 3}}
    assert status is None and disabled is False
    monkeypatch.setattr(tc, "load_dataset", lambda name, filters, params: frame.iloc[0:0])
    assert tc.render_table("low_stock", {})[0] == [] and tc.render_table("low_stock", {})[3] is True

    def down(*_args):
        raise DatabaseUnavailable("no server")
    monkeypatch.setattr(tc, "load_dataset", down)
    rows, spec, status, disabled = tc.render_table("low_stock", {})
    assert rows == [] and spec is None and disabled is True and "error-state" in status.className
    card = tc.table_card("t", "Title", "help", columns=[{"field": "a"}], metrics=("stock",))
    assert "table-card" in card.class_name
