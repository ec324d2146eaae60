"""The shell's shared state: component ids every page may listen to, and the URL <-> Filters helpers.

The URL is the state (ARCHITECTURE rule 7): the query string holds the filters, the shell keeps one
normalised copy in `FILTERS_STORE` (the `Filters.to_query()` dict) and the chosen theme in
`THEME_STORE`. A page's callbacks listen to those two stores, never to the filter controls:

    @callback(*chart_outputs(REVENUE), *page_inputs())
    def revenue(query, theme):
        return render_chart("revenue_by_day", query, theme, build_timeseries, x="day", y="revenue")
"""
from __future__ import annotations

from typing import Iterable, Mapping
from urllib.parse import parse_qs, urlencode

from dash import Input, State

from dashboard.queries.filters import DIMENSIONS, SCALARS, Filters

# ------------------------------------------------------------------ shell ids (named once)
URL = "url"  # the one dcc.Location
FILTERS_STORE = "filters-store"  # data: Filters.to_query() of the current URL (normalised)
THEME_STORE = "theme-store"  # data: "light" | "dark" (browser localStorage)
DATA_INFO = "data-info-store"  # data: {"first": iso date, "last": iso date, "refreshed": iso datetime}
PAGE_META = "page-meta-store"  # data: {"module", "path", "title", "filters", "params"} of the page shown
PAGE_CONTENT = "page-content"

FILTER_PARAMS = frozenset(SCALARS) | frozenset(DIMENSIONS.values())  # query keys that are filters


# ------------------------------------------------------------------ inputs for page callbacks
def filters_input() -> Input:
    return Input(FILTERS_STORE, "data")


def theme_input() -> Input:
    return Input(THEME_STORE, "data")


def page_inputs() -> list[Input]:
    """`Input`s of a chart callback: (filters query dict, theme)."""
    return [filters_input(), theme_input()]


def page_states() -> list[State]:
    return [State(FILTERS_STORE, "data"), State(THEME_STORE, "data")]


def filters_from_store(data: Mapping | None) -> Filters:
    """The `Filters` held in `FILTERS_STORE` (already normalised by the shell, so this is lossless)."""
    return Filters.from_query(data or {})[0]


# ------------------------------------------------------------------ query strings
def parse_search(search: str | None) -> dict[str, list[str]]:
    """`?a=1&a=2&b=` -> {"a": ["1", "2"], "b": [""]} (order of keys kept)."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=True)


def to_search(query: Mapping[str, object]) -> str:
    """Inverse of `parse_search`: "" for an empty query, else "?" + the encoded pairs."""
    pairs = {k: v for k, v in query.items() if v not in (None, "", [], ())}
    return "?" + urlencode(pairs, doseq=True) if pairs else ""


def read_search(search: str | None, *, page_params: Iterable[str] = ()) -> tuple[Filters, dict[str, list[str]], list[str]]:
    """Split a query string into (filters, the page's own params, notices about what was ignored).

    Tolerant: malformed or unknown parameters never raise; each becomes a notice. `page_params`
    are the extra keys the current page declared (kept, not reported).
    """
    raw = parse_search(search)
    own = {k: v for k, v in raw.items() if k in set(page_params) and k not in FILTER_PARAMS}
    filters, notices = Filters.from_query({k: v for k, v in raw.items() if k not in own})
    return filters, own, notices


def build_search(filters: Filters, page_query: Mapping[str, object] | None = None) -> str:
    """The query string of `filters` plus the page's own parameters."""
    return to_search({**filters.to_query(), **dict(page_query or {})})


def with_query(path: str, search: str | None) -> str:
    """A link to `path` keeping the current filters (used by the navbar)."""
    return path + (search or "")
