"""The pure parts of dashboard.bench: callback ids, filter changes, points per trace."""
from __future__ import annotations

import base64
from datetime import date

import numpy as np

from dashboard.bench.callbacks import PageCallback, filter_callbacks, id_key, split_output
from dashboard.bench.changes import filter_changes
from dashboard.bench.payload import array_length, response_shape

VALUES = {"categories": ["A", "B", "C"], "brands": ["x", "y"], "payment_methods": ["card"], "cities": ["P", "Q", "R"],
          "platforms": ["android", "ios", "web"], "campaigns": ["c1", "c2", "c3"]}


def test_split_output_reads_single_and_multi_outputs_with_dict_ids():
    assert split_output("a.children") == ([{"id": "a", "property": "children"}], False)
    outs, multi = split_output('..{"chart":"x","type":"chart-graph"}.figure...b.data..')
    assert multi and outs == [{"id": {"chart": "x", "type": "chart-graph"}, "property": "figure"},
                              {"id": "b", "property": "data"}]
    assert id_key({"type": "chart-graph", "chart": "x"}) == '{"chart":"x","type":"chart-graph"}'


def test_filter_callbacks_keep_server_callbacks_on_the_store_whose_outputs_are_on_the_page():
    deps = [
        {"output": "p-kpis.children", "inputs": [{"id": "filters-store", "property": "data"}], "state": []},
        {"output": "other-page.children", "inputs": [{"id": "filters-store", "property": "data"}], "state": []},
        {"output": "p-sink.children", "inputs": [{"id": "filters-store", "property": "data"}], "state": [],
         "clientside_function": {"namespace": "x", "function_name": "y"}},
        {"output": "count.children", "inputs": [{"id": "filters-store", "property": "data"}], "state": []},
        {"output": "p-chips.children", "inputs": [{"id": "p-xf", "property": "data"}], "state": []},
    ]
    found = filter_callbacks(deps, {"p-kpis", "p-sink", "p-chips"}, {"count"})
    assert [cb.output for cb in found.callbacks] == ["p-kpis.children", "count.children"]
    assert [cb.shell for cb in found.callbacks] == [False, True] and found.clientside == 1


def test_payload_is_the_browser_body():
    cb = PageCallback('..{"chart":"x","type":"g"}.figure...s.data..', ({"id": {"chart": "x", "type": "g"}, "property": "figure"},
                      {"id": "s", "property": "data"}), ({"id": "filters-store", "property": "data"},), (), multi=True)
    body = cb.payload({"filters-store.data": {"from": "2024-01-01"}})
    assert body["outputs"][0]["id"] == {"chart": "x", "type": "g"}
    assert body["inputs"] == [{"id": "filters-store", "property": "data", "value": {"from": "2024-01-01"}}]
    assert body["changedPropIds"] == ["filters-store.data"] and body["state"] == []
    assert cb.label == "x"


def test_filter_changes_use_only_the_page_filters_and_end_with_an_empty_result():
    marketing = filter_changes(("start", "end", "campaigns", "platforms"), date(2022, 1, 1), date(2024, 12, 31), VALUES)
    assert list(marketing)[0] == "all time" and list(marketing)[-1] == "empty result"
    assert all(not (f.categories or f.cities or f.brands) and f.status_scope == "valid" for f in marketing.values())
    assert any(f.campaigns for f in marketing.values()) and any(f.platforms for f in marketing.values())
    everything = filter_changes(("start", "end", "categories", "brands", "payment_methods", "cities",
                                 "platforms", "campaigns", "status_scope"),
                                date(2022, 1, 1), date(2024, 12, 31), VALUES, limit=6)
    assert len(everything) == 6 and list(everything)[-1] == "empty result"


def test_points_are_counted_in_lists_and_typed_arrays():
    typed = {"dtype": "f8", "bdata": base64.b64encode(np.arange(7, dtype="f8").tobytes()).decode()}
    assert array_length(typed) == 7 and array_length([1, 2]) == 2 and array_length(None) == 0
    assert array_length({"dtype": "i4", "bdata": "", "shape": "3, 2"}) == 3
    response = {"response": {"g": {"figure": {"data": [{"x": [1, 2, 3], "y": typed}, {"values": [1]}]}},
                             "grid": {"rowData": [{}, {}]}}}
    assert response_shape(response) == {"max_points": 7, "traces": 2, "grid_rows": 2}
