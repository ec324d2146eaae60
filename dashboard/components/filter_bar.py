"""The global filter bar: date range with presets, categories, and the page's own dimensions.

A page declares which filters it honours, using `Filters` field names, when it registers:

    FILTERS = ("start", "end", "categories", "cities")        # or filters_of("dataset_a", ...)
    dash.register_page(__name__, path="/customers", name="Customers", filters=FILTERS)

The shell shows only those controls (the others keep their values in the URL, so moving to a page
that honours them again restores them). Pages that declare nothing get DEFAULT_FILTERS.

The controls and the URL are kept in step by ONE callback (`sync`), so a change in either direction
is a single round trip with no circular chain: a control change pushes a new query string (history
entry: back/forward work), a URL change (back button, pasted link) sets the controls. Its logic is
the pure function `resolve()`, unit-tested without a browser. On a page load none of the bar's
callbacks runs: the shell renders their first values into the layout (`bar_values(None, ...)` into
`filter_bar(values)`), so the page's charts start without waiting for a round trip.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard.components.errors import error_banner
from dashboard.components.state import (
    DATA_INFO, FILTERS_STORE, PAGE_META, URL, build_search, parse_search, read_search,
)
from dashboard.queries.filters import DEFAULT_SCOPE, DIMENSIONS, STATUS_SCOPES, Filters, parse_date
from schema.errors import UserError

# ------------------------------------------------------------------ ids (named once)
FILTER_AREA = "filter-area"  # the whole bar, hidden on pages without filters (404)
DRAWER = "filter-drawer"
DRAWER_TOGGLE = "filter-drawer-toggle"
DRAWER_CLOSE = "filter-drawer-close"
DRAWER_BACKDROP = "filter-drawer-backdrop"
ACTIVE_COUNT = "filter-active-count"
DATES = "filter-dates"
PRESET_MENU = "filter-presets"
SCOPE = "filter-scope"
RESET = "filter-reset"
NOTICE = "filter-notice"
DB_BANNER = "filter-db-banner"
DATA_AS_OF = "data-as-of"
DIM = "filter-dim"  # {"type": DIM, "field": <Filters field>}: one dropdown per multi-valued dimension
PRESET = "filter-preset"  # {"type": PRESET, "name": <preset>}
GROUP = "filter-group"  # {"type": GROUP, "field": <key>}: wrapper shown only on pages that declare it


def dim_id(name: str) -> dict:
    return {"type": DIM, "field": name}


def group_id(name: str) -> dict:
    return {"type": GROUP, "field": name}


def preset_id(name: str) -> dict:
    return {"type": PRESET, "name": name}


# ------------------------------------------------------------------ vocabulary
DIM_LABELS = {
    "categories": "Category", "brands": "Brand", "payment_methods": "Payment method", "cities": "City",
    "platforms": "Platform", "campaigns": "Campaign",
}
DIM_FIELDS = tuple(DIMENSIONS)  # layout order of the dimension dropdowns
GROUPS = ("dates", *DIM_FIELDS, "status_scope")  # what a page can show
DEFAULT_FILTERS = ("start", "end", "categories")
SCOPE_LABELS = {"valid": "Paid orders", "net": "Kept orders", "gross": "All orders"}

PRESETS: dict[str, str] = {
    "last_30": "Last 30 days", "last_90": "Last 90 days", "mtd": "Month to date", "qtd": "Quarter to date",
    "ytd": "Year to date", "last_year": "Last year", "all": "All time",
}


def preset_range(name: str, data_end: date) -> tuple[date | None, date | None]:
    """The (start, end) of a preset, relative to the last day of data (not today's wall clock).

    "all" is the open range (None, None): the whole of the data, whatever it spans.
    """
    end = data_end
    if name == "last_30":
        return end - timedelta(days=29), end
    if name == "last_90":
        return end - timedelta(days=89), end
    if name == "mtd":
        return end.replace(day=1), end
    if name == "qtd":
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if name == "ytd":
        return date(end.year, 1, 1), end
    if name == "last_year":
        return date(end.year - 1, 1, 1), date(end.year - 1, 12, 31)
    if name == "all":
        return None, None
    raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")


def visible_groups(filters: Iterable[str] | None) -> set[str]:
    """Filter groups to show for a page's declared `filters` (Filters field names)."""
    declared = set(DEFAULT_FILTERS if filters is None else filters)
    shown = {f for f in declared if f in DIM_FIELDS or f == "status_scope"}
    if declared & {"start", "end", "dates"}:
        shown.add("dates")
    return shown


def filters_of(*dataset_names: str) -> tuple[str, ...]:
    """The union of the dimensions the named datasets honour: a page's FILTERS from its datasets."""
    from dashboard.queries.registry import get_dataset

    seen: dict[str, None] = {}
    for name in dataset_names:
        for dim in get_dataset(name).dimensions:
            seen[dim] = None
    return tuple(seen)


# ------------------------------------------------------------------ the sync logic (pure)
@dataclass
class Controls:
    """The filter controls' values as Dash hands them over."""

    start: str | None = None
    end: str | None = None
    dims: dict[str, list[str]] = field(default_factory=dict)
    scope: str | None = DEFAULT_SCOPE

    @classmethod
    def of(cls, filters: Filters) -> "Controls":
        return cls(
            start=filters.start.isoformat() if filters.start else None,
            end=filters.end.isoformat() if filters.end else None,
            dims={f: list(getattr(filters, f)) for f in DIM_FIELDS},
            scope=filters.status_scope,
        )

    def to_filters(self) -> Filters:
        start = parse_date(self.start[:10], "from") if self.start else None
        end = parse_date(self.end[:10], "to") if self.end else None
        if start and end and start > end:
            start, end = end, start
        dims = {f: tuple(v or ()) for f, v in self.dims.items() if f in DIMENSIONS}
        scope = self.scope if self.scope in STATUS_SCOPES else DEFAULT_SCOPE
        return Filters(start=start, end=end, status_scope=scope, **dims)


@dataclass
class Resolution:
    search: str | None  # new query string to push, None = leave the URL alone
    query: dict  # Filters.to_query() for FILTERS_STORE
    controls: Controls
    notices: list[str] | None  # None = leave the notice as it is


def resolve(trigger: str | None, *, search: str | None, controls: Controls, page_params: Sequence[str] = (),
            data_end: date | None = None, known: Mapping[str, Iterable[str]] | None = None) -> Resolution:
    """Reconcile URL and controls after `trigger` ("url", "controls", "preset:<name>", "reset", None = load).

    From the URL: tolerant parse, unknown dimension values (absent from `known`) dropped, a notice for
    each thing ignored; the URL itself is left alone (pushing a cleaned copy would make a back-button
    trap). From the controls: the URL is rewritten (pushed) from the normalised filters, keeping the
    page's own parameters and dropping anything unknown.
    """
    filters, own, notices = read_search(search, page_params=page_params)
    if trigger in (None, "url"):
        filters, dropped = drop_unknown(filters, known)
        return Resolution(None, filters.to_query(), Controls.of(filters), notices + dropped)
    if trigger == "reset":
        filters = Filters()
    elif trigger and trigger.startswith("preset:"):
        start, end = preset_range(trigger.split(":", 1)[1], data_end or date.today())
        filters = _replace_dates(controls.to_filters(), start, end)
    else:
        filters = controls.to_filters()
    new_search = build_search(filters, own)
    return Resolution(None if _same_search(new_search, search) else new_search, filters.to_query(),
                      Controls.of(filters), None)


@dataclass
class BarValues:
    """What `sync` writes into the bar (and the shell renders into the page's first layout)."""

    search: str | None  # new query string to push, None = leave the URL alone
    query: dict  # FILTERS_STORE
    controls: Controls
    options: dict[str, list[dict]]  # per dimension: the dropdown's options (the selection included)
    notices: list[str] | None  # None = leave the notice as it is
    banner: object  # DB_BANNER: None, or the "Database unavailable" alert


def bar_values(trigger: str | None, *, search: str | None, controls: Controls, pathname: str | None,
               info: Mapping | None, known_values=None, options=None) -> BarValues:
    """`resolve` plus the dropdown options (from the query layer: `known_values()` checks URL values,
    `options(filters)` narrows the lists); a `UserError` there becomes the banner."""
    r = resolve(trigger, search=search, controls=controls, page_params=page_params(pathname),
                data_end=_day((info or {}).get("last")),
                known=_call(known_values)[0] if trigger in (None, "url") else None)
    # Options travel with the values: a Dash dropdown drops a value missing from its options.
    lists, banner = _call(options, Filters.from_query(r.query)[0])
    return BarValues(r.search, r.query, r.controls,
                     {n: option_list((lists or {}).get(n, ()), r.controls.dims.get(n, [])) for n in DIM_FIELDS},
                     r.notices, banner)


def drop_unknown(filters: Filters, known: Mapping[str, Iterable[str]] | None) -> tuple[Filters, list[str]]:
    """Remove dimension values the data does not have; one notice per removed value."""
    if not known:
        return filters, []
    notices, kept = [], {}
    for name, key in DIMENSIONS.items():
        if name not in known:
            continue
        allowed = set(known[name])
        values = getattr(filters, name)
        kept[name] = tuple(v for v in values if v in allowed)
        notices += [f"ignored unknown {key.replace('_', ' ')} {v!r}" for v in values if v not in allowed]
    if not notices:
        return filters, []
    return Filters(**{**{f: getattr(filters, f) for f in ("start", "end", "status_scope", *DIMENSIONS)}, **kept}), notices


def _replace_dates(filters: Filters, start: date | None, end: date | None) -> Filters:
    values = {f: getattr(filters, f) for f in ("status_scope", *DIMENSIONS)}
    return Filters(start=start, end=end, **values)


def _same_search(a: str | None, b: str | None) -> bool:
    return parse_search(a) == parse_search(b)


def active_count(query: Mapping | None) -> int:
    """How many filters are set (the badge on the phone-width "Filters" button)."""
    query = query or {}
    return int(bool(query.get("from") or query.get("to"))) + sum(
        1 for key in DIMENSIONS.values() if query.get(key)) + int("scope" in query)


def count_text(query: Mapping | None) -> str:
    n = active_count(query)
    return str(n) if n else ""


# ------------------------------------------------------------------ layout
def _group(name: str, label: str, control, *, width: str = "filter-item", shown: bool = False) -> html.Div:
    return html.Div([dbc.Label(label, class_name="filter-label"), control], id=group_id(name),
                    className=width if shown else f"{width} d-none")


def _dates(values: BarValues | None, shown: bool) -> html.Div:
    presets = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(label, id=preset_id(name), n_clicks=0) for name, label in PRESETS.items()],
        id=PRESET_MENU, label=html.I(className="bi bi-calendar-range", title="Date presets"), color="secondary",
        size="sm", class_name="filter-presets", align_end=False,
    )
    picker = dcc.DatePickerRange(
        id=DATES, start_date=values and values.controls.start, end_date=values and values.controls.end,
        display_format="YYYY-MM-DD", start_date_placeholder_text="From", end_date_placeholder_text="To",
        clearable=True, updatemode="bothdates", first_day_of_week=1, number_of_months_shown=1,
        className="filter-dates",
    )
    return _group("dates", "Date range", html.Div([picker, presets], className="d-flex flex-wrap align-items-center gap-2"),
                  width="filter-item filter-item-dates", shown=shown)


def _dimension(name: str, values: BarValues | None, shown: bool) -> html.Div:
    dropdown = dcc.Dropdown(id=dim_id(name), options=values.options[name] if values else [],
                            value=values.controls.dims.get(name, []) if values else [], multi=True, searchable=True,
                            clearable=True,
                            placeholder=f"All {DIM_LABELS[name].lower()}s".replace("ys", "ies"),
                            className="filter-dropdown", maxHeight=320)
    return _group(name, DIM_LABELS[name], dropdown, shown=shown)


def _scope(values: BarValues | None, shown: bool) -> html.Div:
    select = dbc.Select(id=SCOPE, options=[{"label": SCOPE_LABELS[s], "value": s} for s in STATUS_SCOPES],
                        value=values.controls.scope if values else DEFAULT_SCOPE, size="sm")
    return _group("status_scope", "Orders counted", select, width="filter-item filter-item-narrow", shown=shown)


def filter_bar(values: BarValues | None = None, page_filters: Iterable[str] | None = ()) -> html.Div:
    """The bar: inline on large screens, an offcanvas drawer (Bootstrap `offcanvas-lg`) below that.
    `values`: the controls' first values (the shell's first render; None: empty, `sync` fills them);
    `page_filters`: the filters the page shown declares (`show_groups` changes them later)."""
    shown = visible_groups(page_filters)
    header = html.Div(
        [html.H5("Filters", className="offcanvas-title"),
         html.Button(className="btn-close", id=DRAWER_CLOSE, n_clicks=0, title="Close filters", type="button")],
        className="offcanvas-header d-lg-none",
    )
    body = html.Div(
        [_dates(values, "dates" in shown), *(_dimension(name, values, name in shown) for name in DIM_FIELDS),
         _scope(values, "status_scope" in shown),
         html.Div(dbc.Button([html.I(className="bi bi-x-circle me-1"), "Reset"], id=RESET, n_clicks=0,
                             color="link", size="sm", class_name="filter-reset"),
                  className="filter-item filter-item-actions")],
        className="offcanvas-body filter-bar",
    )
    return html.Div(
        [
            html.Div(id=DRAWER_BACKDROP, className="filter-backdrop d-lg-none", n_clicks=0),
            html.Div([header, body], id=DRAWER, className="offcanvas-lg offcanvas-end filter-drawer",
                     tabIndex="-1", **{"aria-label": "Filters"}),
        ],
        id=FILTER_AREA, hidden=not shown,
    )


def drawer_toggle(query: Mapping | None = None, page_filters: Iterable[str] | None = ()) -> dbc.Button:
    """The phone-width button that opens the drawer (hidden on large screens and on pages without filters)."""
    return dbc.Button(
        [html.I(className="bi bi-funnel me-1"), "Filters",
         dbc.Badge(count_text(query), id=ACTIVE_COUNT, color="light", text_color="primary", pill=True,
                   class_name="ms-1")],
        id=DRAWER_TOGGLE, n_clicks=0, color="primary", size="sm", class_name="d-lg-none",
        style=None if visible_groups(page_filters) else {"display": "none"},
    )


def notices(banner=None, items: Sequence[str] | None = None) -> html.Div:
    """The database banner (set when the page loads, then by every filter sync) and the URL notice
    (`items`: what the link held that was ignored)."""
    return html.Div([
        html.Div(banner, id=DB_BANNER),
        dbc.Alert(notice_children(items) if items else None, id=NOTICE, is_open=bool(items), dismissable=True,
                  color="warning", class_name="filter-notice py-2"),
    ])


def notice_children(items: Sequence[str]):
    shown = [item.removeprefix("ignored ") for item in items]
    return [html.I(className="bi bi-info-circle me-2"), html.Strong("Some link parameters were ignored: "),
            "; ".join(shown) + "."]


def data_as_of_text(info: Mapping | None) -> str:
    refreshed = (info or {}).get("refreshed")
    last = (info or {}).get("last")
    if refreshed:
        return f"Data as of {refreshed[:16].replace('T', ' ')} UTC"
    if last:
        return f"Data up to {last}"
    return "No data loaded"


# ------------------------------------------------------------------ callbacks
def register(app, *, known_values=None, options=None) -> None:
    """Wire the filter bar into `app`. `known_values()` -> {field: values} validates URL values;
    `options(filters)` -> {field: values} fills the dropdowns (both from the query layer)."""

    @app.callback(
        Output(URL, "search"), Output(FILTERS_STORE, "data"), Output(NOTICE, "children"), Output(NOTICE, "is_open"),
        Output(DATES, "start_date"), Output(DATES, "end_date"), Output(dim_id(ALL), "value"),
        Output(dim_id(ALL), "options"), Output(SCOPE, "value"), Output(DB_BANNER, "children"),
        Input(URL, "search"), Input(DATES, "start_date"), Input(DATES, "end_date"), Input(dim_id(ALL), "value"),
        Input(SCOPE, "value"), Input(preset_id(ALL), "n_clicks"), Input(RESET, "n_clicks"),
        State(URL, "pathname"), State(DATA_INFO, "data"), State(FILTERS_STORE, "data"), prevent_initial_call=True,
    )
    def sync(search, start, end, dims, scope, _presets, _reset, pathname, info, current):
        names = [o["id"]["field"] for o in ctx.outputs_list[6]]
        v = bar_values(_trigger(), search=search, controls=Controls(start, end, dict(zip(names, dims)), scope),
                       pathname=pathname, info=info, known_values=known_values, options=options)
        notice = (no_update, no_update) if v.notices is None else (notice_children(v.notices), bool(v.notices))
        # an unchanged store is not written again: every chart listens to it (a cross-filter click
        # changes the URL, not the filters, and must not re-query the whole page)
        return (v.search or no_update, no_update if v.query == current else v.query, *notice, v.controls.start,
                v.controls.end, [v.controls.dims.get(n, []) for n in names], [v.options[n] for n in names],
                v.controls.scope, v.banner)

    @app.callback(Output(group_id(ALL), "className"), Output(FILTER_AREA, "hidden"), Output(DRAWER_TOGGLE, "style"),
                  Input(PAGE_META, "data"), State(group_id(ALL), "className"), prevent_initial_call=True)
    def show_groups(meta, classes):
        shown = visible_groups((meta or {}).get("filters"))
        names = [o["id"]["field"] for o in ctx.outputs_list[0]]
        return ([_toggle_class(c, "d-none", n not in shown) for n, c in zip(names, classes)], not shown,
                {"display": "none"} if not shown else None)

    @app.callback(Output(ACTIVE_COUNT, "children"), Input(FILTERS_STORE, "data"), prevent_initial_call=True)
    def count(query):
        return count_text(query)

    app.clientside_callback(
        """
        function(open, close, backdrop, cls) {
            const t = window.dash_clientside.callback_context.triggered.map(x => x.prop_id)[0] || "";
            const on = t.startsWith("%s.");
            const base = (cls || "").replace(/\\s*\\bshow\\b/g, "");
            document.body.classList.toggle("filter-drawer-open", on);
            return on ? base + " show" : base;
        }
        """ % DRAWER_TOGGLE,
        Output(DRAWER, "className"),
        Input(DRAWER_TOGGLE, "n_clicks"), Input(DRAWER_CLOSE, "n_clicks"), Input(DRAWER_BACKDROP, "n_clicks"),
        State(DRAWER, "className"), prevent_initial_call=True,
    )


def option_list(values: Iterable[str], selected: Iterable[str] = ()) -> list[dict]:
    """Dropdown options: the narrowed values plus whatever is selected (so a selection never vanishes)."""
    merged = sorted(set(values) | set(selected), key=str.casefold)
    return [{"label": v, "value": v} for v in merged]


def _trigger() -> str | None:
    tid = ctx.triggered_id
    if tid is None:
        return None
    if tid == URL:
        return "url"
    if tid == RESET:
        return "reset"
    if isinstance(tid, Mapping) and tid.get("type") == PRESET:
        return f"preset:{tid['name']}"
    return "controls"


def _call(fn, *args):
    """(fn(*args), None), or (None, error banner) when the query layer raises a UserError."""
    if fn is None:
        return None, None
    try:
        return fn(*args), None
    except UserError as exc:
        return None, error_banner(exc)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def page_params(pathname: str | None) -> tuple[str, ...]:
    """The extra URL parameters the page at `pathname` declared (`register_page(..., url_params=...)`)."""
    import dash

    path = "/" + (pathname or "/").strip("/")
    for page in dash.page_registry.values():
        if page.get("relative_path") == path:
            return tuple(page.get("url_params") or ())
    return ()


def _toggle_class(classes: str | None, name: str, on: bool) -> str:
    parts = [c for c in (classes or "").split() if c != name]
    return " ".join(parts + [name] if on else parts)

