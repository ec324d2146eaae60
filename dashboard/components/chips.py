"""Cross-filter chips: the page's active cross-filters as removable badges, plus "clear all".

The page owns its cross-filter state (a dict {dimension: [values]} in a store or in its own URL
parameters); this module draws it and turns chip clicks into the new state:

    XF = "sales-xf"                                              # the page's chip group
    layout:   dcc.Store(id=XF_STORE, data={}), html.Div(id=XF_CHIPS)
    callback: @callback(Output(XF_CHIPS, "children"), Input(XF_STORE, "data"))
              def chips(state): return crossfilter_chips(XF, state, labels={"categories": "Category"})

              @callback(Output(XF_STORE, "data", allow_duplicate=True), *chip_inputs(XF), State(XF_STORE, "data"),
                        prevent_initial_call=True)
              def remove(_removed, _cleared, state):
                  return chip_event(state)      # no_update unless a chip or "clear all" was clicked
"""
from __future__ import annotations

from typing import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import ALL, Input, ctx, html, no_update

CHIP = "xfilter-chip"  # {"type": CHIP, "group": g, "key": dimension, "value": value}
CLEAR = "xfilter-clear"  # {"type": CLEAR, "group": g}


def chip_id(group: str, key: str, value: str) -> dict:
    return {"type": CHIP, "group": group, "key": key, "value": str(value)}


def clear_id(group: str) -> dict:
    return {"type": CLEAR, "group": group}


def crossfilter_chips(group: str, selections: Mapping[str, Sequence[str]] | None,
                      labels: Mapping[str, str] | None = None) -> html.Div | None:
    """Badges "Label: value ×" for each selected value, and "Clear all"; None when nothing is selected."""
    labels = labels or {}
    chips = [
        dbc.Badge(
            [html.Span(f"{labels.get(key, key.replace('_', ' ').capitalize())}: ", className="opacity-75"), str(value),
             html.I(className="bi bi-x ms-1")],
            id=chip_id(group, key, value), n_clicks=0, color="primary", pill=True,
            class_name="xfilter-chip me-1 mb-1", title="Remove this filter",
        )
        for key, values in (selections or {}).items() for value in values
    ]
    if not chips:
        return None
    clear = dbc.Button("Clear all", id=clear_id(group), n_clicks=0, color="link", size="sm",
                       class_name="xfilter-clear p-0 ms-1 mb-1")
    return html.Div([html.Span("Cross-filters:", className="small text-body-secondary me-2"), *chips, clear],
                    className="xfilter-chips d-flex flex-wrap align-items-center")


def chip_inputs(group: str) -> tuple[Input, Input]:
    return (Input({"type": CHIP, "group": group, "key": ALL, "value": ALL}, "n_clicks"),
            Input(clear_id(group), "n_clicks"))


def apply_chip_event(selections: Mapping[str, Sequence[str]] | None, triggered_id) -> dict:
    """The selections after a click on the chip or clear button `triggered_id` (pure)."""
    selections = {k: list(v) for k, v in (selections or {}).items()}
    if not isinstance(triggered_id, Mapping):
        return selections
    if triggered_id.get("type") == CLEAR:
        return {}
    if triggered_id.get("type") == CHIP:
        key, value = triggered_id["key"], triggered_id["value"]
        remaining = [v for v in selections.get(key, []) if str(v) != value]
        if remaining:
            selections[key] = remaining
        else:
            selections.pop(key, None)
    return selections


def toggle_selection(selections: Mapping[str, Sequence[str]] | None, key: str, value) -> dict:
    """Add `value` under `key`, or remove it when already there (a click on a bar toggles it)."""
    out = {k: list(v) for k, v in (selections or {}).items()}
    values = out.setdefault(key, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return {k: v for k, v in out.items() if v}


def apply_crossfilters(query: Mapping | None, selections: Mapping[str, Sequence[str]] | None) -> dict:
    """The shell's filter query narrowed by the page's cross-filters ({Filters field: values}).

    Cross-filter values outside the global selection of the same dimension are ignored (a chart
    only offers values inside it; the rule matters when the global filter changes afterwards)."""
    from dashboard.queries.filters import DIMENSIONS

    out = dict(query or {})
    for field, values in (selections or {}).items():
        key = DIMENSIONS.get(field)
        if key is None or not values:
            continue
        chosen = [str(v) for v in values]
        if out.get(key):
            current = set(out[key] if isinstance(out[key], list) else [out[key]])
            chosen = [v for v in chosen if v in current]
        if chosen:
            out[key] = chosen
    return out


def chip_event(selections):
    """In a callback with `chip_inputs`: the new selections, or no_update when nothing was clicked
    (chips being drawn fire the callback with n_clicks 0)."""
    if not ctx.triggered or not any(t.get("value") for t in ctx.triggered):
        return no_update
    return apply_chip_event(selections, ctx.triggered_id)
