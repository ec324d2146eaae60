"""Power BI style interactions on a page: cross-filters that remember which chart set them,
drill-down breadcrumbs, and the page's own state mirrored into its URL parameters.

Cross-filter state (one `dcc.Store` per page) is `{"sel": {dimension: [values]}, "src": {dimension: chart}}`:
`sel` is what the chips show (`crossfilter_chips(group, state["sel"])`), `src` the chart whose click
set each dimension. A chart is never filtered by its own click (Power BI highlights it instead:
`emphasise`), so a click elsewhere on the same dimension replaces the selection, a click on the same
chart toggles the value (multi-select):

    state = pick(state, "categories", click_value(click, "x"), CHART)       # in the click callback
    render_chart(name, chart_query(query, state, CHART), theme, ...)        # in each chart callback

Dimensions are `Filters` fields (`apply_crossfilters` narrows the shell's query with them), plus
`status`, an order status that selects the narrowest status scope holding it (`STATUS_SCOPE`).
Each chart's dataset ignores the dimensions it does not have, so its cached query is reused
(the cache key is `filters.only(dataset.dimensions)`).

URL: `state_params(state)` gives the page's own query parameters ("xf" = "dimension:value",
"xfby" = "dimension:chart"); `state_from_params(query)` reads them back (tolerant); the page
declares them in `register_page(..., url_params=XF_PARAMS)` and mirrors them with `mirror_to_url`.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, ctx, html, no_update

from dashboard.components.chips import apply_crossfilters, chip_event, chip_inputs
from dashboard.components.state import FILTERS_STORE
from dashboard.queries.filters import DIMENSIONS

XF_PARAM, XF_BY_PARAM = "xf", "xfby"
XF_PARAMS = (XF_PARAM, XF_BY_PARAM)
STATUS = "status"
# an order status -> the narrowest status scope that counts it (completed: kept; returned: paid; canceled: all)
STATUS_SCOPE = {"completed": "net", "returned": "valid", "canceled": "gross"}
CROSS_DIMENSIONS = frozenset(DIMENSIONS) | {STATUS}
CRUMB = "drill-crumb"  # {"type": CRUMB, "group": g, "level": i}
MAX_VALUES = 50


def empty_state() -> dict:
    return {"sel": {}, "src": {}}


def _copy(state: Mapping | None) -> dict:
    state = state or {}
    return {"sel": {k: list(v) for k, v in (state.get("sel") or {}).items()}, "src": dict(state.get("src") or {})}


# ------------------------------------------------------------------ clicks -> state
def click_value(click: Mapping | None, key: str = "x"):
    """The value of the first clicked point (`key`: "x"/"y" for bars, "label" for pie slices,
    "customdata" for a hidden column); None when there is nothing usable."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    value = points[0].get(key)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return None if value is None else str(value)


def pick(state: Mapping | None, dimension: str, value, chart: str) -> dict:
    """The state after a click on `value` of `dimension` in `chart`: toggled when `chart` set that
    dimension (or a status: one at a time), replaced when another chart did."""
    out = _copy(state)
    if value is None or dimension not in CROSS_DIMENSIONS:
        return out
    value = str(value)
    current = out["sel"].get(dimension, [])
    if dimension == STATUS or out["src"].get(dimension) != chart:
        values = [] if current == [value] and out["src"].get(dimension) == chart else [value]
    else:
        values = [v for v in current if v != value] if value in current else current + [value]
    if values:
        out["sel"][dimension], out["src"][dimension] = values, chart
    else:
        out["sel"].pop(dimension, None)
        out["src"].pop(dimension, None)
    return out


def on_click(state: Mapping | None, dimension: str, value, chart: str):
    """`pick` for a click callback: no_update when the click carried no value (e.g. clickData being
    reset to None so that clicking the same point again registers as a new click)."""
    return no_update if value is None else pick(state, dimension, value, chart)


def selections_for(state: Mapping | None, chart: str | None = None) -> dict:
    """The cross-filters that apply to `chart`: all but those its own clicks set."""
    state = _copy(state)
    return {dim: values for dim, values in state["sel"].items() if values and state["src"].get(dim) != chart}


def chart_query(query: Mapping | None, state: Mapping | None, chart: str | None = None) -> dict:
    """The shell's filter query narrowed by the cross-filters that apply to `chart`."""
    selections = selections_for(state, chart)
    status = selections.pop(STATUS, None)
    out = apply_crossfilters(query, selections)
    if status and status[0] in STATUS_SCOPE:
        out["scope"] = STATUS_SCOPE[status[0]]
        if out["scope"] == "valid":
            out.pop("scope")  # the default scope is left out of a normalised query
    return out


def chip_removed(state: Mapping | None):
    """In a callback with `chip_inputs`: the state after a chip or "clear all" click, else no_update."""
    selections = chip_event(_copy(state)["sel"])
    if selections is no_update:
        return no_update
    out = _copy(state)
    out["sel"] = selections
    out["src"] = {k: v for k, v in out["src"].items() if k in selections}
    return out


def removable_chips(group: str, store: str) -> None:
    """Register the callback that applies a chip's or "clear all"'s click to the page's cross-filter state."""
    dash.callback(Output(store, "data", allow_duplicate=True), *chip_inputs(group), dash.State(store, "data"),
                  prevent_initial_call=True)(lambda _removed, _cleared, state: chip_removed(state))


def chip_labels(extra: Mapping[str, str] | None = None) -> dict:
    from dashboard.components.filter_bar import DIM_LABELS

    return {**DIM_LABELS, STATUS: "Status", **dict(extra or {})}


# ------------------------------------------------------------------ URL parameters
def state_params(state: Mapping | None) -> dict[str, list[str]]:
    """The page's URL parameters for a cross-filter state (empty lists when nothing is selected)."""
    state = _copy(state)
    xf = [f"{dim}:{v}" for dim, values in state["sel"].items() for v in values]
    by = [f"{dim}:{state['src'][dim]}" for dim in state["sel"] if dim in state["src"]]
    return {XF_PARAM: xf, XF_BY_PARAM: by}


def _pairs(raw) -> list[tuple[str, str]]:
    items = raw if isinstance(raw, (list, tuple)) else [] if raw is None else [raw]
    out = []
    for item in items[:MAX_VALUES]:
        dim, sep, value = str(item).partition(":")
        if sep and value and dim in CROSS_DIMENSIONS and len(value) <= 200:
            out.append((dim, value))
    return out


def state_from_params(query: Mapping | None, default_sources: Mapping[str, str] | None = None,
                      charts: Iterable[str] = ()) -> dict:
    """Read `xf`/`xfby` from a page's `layout(**query)` kwargs; bad items are skipped, never raised.
    A dimension's source chart defaults to `default_sources[dim]`; `charts` lists the valid ones."""
    query = query or {}
    sources = dict(default_sources or {})
    valid = set(charts) | set(sources.values())
    sources.update({dim: chart for dim, chart in _pairs(query.get(XF_BY_PARAM)) if chart in valid})
    state = empty_state()
    for dim, value in _pairs(query.get(XF_PARAM)):
        if dim not in sources:
            continue
        values = state["sel"].setdefault(dim, [])
        if value not in values and not (dim == STATUS and values):
            values.append(value)
        state["src"][dim] = sources[dim]
    return state


def query_values(query: Mapping | None, key: str) -> list[str]:
    """A `layout(**query)` kwarg as a list of strings (one value arrives as a str, several as a list)."""
    raw = (query or {}).get(key)
    items = raw if isinstance(raw, (list, tuple)) else [] if raw is None else [raw]
    return [str(v) for v in items]


MIRROR_JS = """
function(params) {
    const url = new URL(window.location.href);
    const own = params || {};
    Object.keys(own).forEach(function (key) {
        url.searchParams.delete(key);
        (own[key] || []).forEach(function (v) { url.searchParams.append(key, v); });
    });
    const next = url.pathname + url.search + url.hash;
    if (next !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", next);
        // tell the shell's dcc.Location: its next push must start from this URL, not a stale one
        window.dispatchEvent(new PopStateEvent("popstate", {state: window.history.state}));
    }
    return "";
}
"""


def mirror_to_url(sink_id: str, params_store: str) -> None:
    """Keep the page's own URL parameters (the {key: [values]} in `params_store`) in the address bar.

    `history.replaceState` (a cross-filter click is not a new history entry), then a `popstate` event
    so the shell's `dcc.Location` reads the new query string (otherwise its next push would restore a
    stale URL). It also runs after every filter change, since the shell rewrites the query string then;
    nothing happens when the URL already holds the parameters."""
    dash.clientside_callback(MIRROR_JS, Output(sink_id, "children"), Input(params_store, "data"),
                             Input(FILTERS_STORE, "data"))


# ------------------------------------------------------------------ drill-down breadcrumb
def crumb_id(group: str, level: int) -> dict:
    return {"type": CRUMB, "group": group, "level": level}


def breadcrumb(group: str, labels: Sequence[str]) -> html.Nav:
    """"All › 2024 › Mar 2024": every level but the last is a link back to it."""
    items = []
    for level, label in enumerate(labels):
        last = level == len(labels) - 1
        if last:
            items.append(html.Li(label, className="breadcrumb-item active", **{"aria-current": "page"}))
        else:
            items.append(html.Li(dbc.Button(label, id=crumb_id(group, level), n_clicks=0, color="link", size="sm",
                                            class_name="drill-crumb p-0 align-baseline"),
                                 className="breadcrumb-item"))
    return html.Nav(html.Ol(items, className="breadcrumb mb-0 small"), className="drill-breadcrumb",
                    **{"aria-label": "Drill-down"})


def crumb_input(group: str) -> Input:
    return Input({"type": CRUMB, "group": group, "level": ALL}, "n_clicks")


def crumb_clicked() -> int | None:
    """In a callback with `crumb_input`: the level clicked, or None (crumbs being drawn fire it with 0)."""
    if not ctx.triggered or not any(t.get("value") for t in ctx.triggered):
        return None
    tid = ctx.triggered_id
    return int(tid["level"]) if isinstance(tid, Mapping) and tid.get("type") == CRUMB else None


# ------------------------------------------------------------------ highlight the clicked chart
def emphasise(figure, selected: Sequence[str] | None, *, by: str = "point", dim_opacity: float = 0.35):
    """Highlight the selection in the chart that set a cross-filter (it still shows everything):
    pie slices pulled out, other bars dimmed (`by="point"`: the bar's category; `by="trace"`: the
    trace's name, e.g. one stacked series). A no-op without a selection or for other traces."""
    if not selected or not isinstance(figure, go.Figure):
        return figure
    chosen = {str(v) for v in selected}
    for trace in figure.data:
        if isinstance(trace, go.Pie):
            trace.pull = [0.08 if str(v) in chosen else 0 for v in trace.labels]
        elif isinstance(trace, go.Bar) and by == "trace":
            trace.marker.opacity = 1.0 if str(trace.name) in chosen else dim_opacity
        elif isinstance(trace, go.Bar):
            categories = trace.y if trace.orientation == "h" else trace.x
            trace.marker.opacity = [1.0 if str(v) in chosen else dim_opacity for v in categories]
    return figure
