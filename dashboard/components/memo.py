"""Rendered callback outputs, remembered: a filter state seen before is answered without building
its figures, grids or cards again.

    @callback(*chart_outputs(CITY), *page_inputs(), Input(XF_STORE, "data"))
    @memoized                                   # below @callback, above @guard
    def city(query, theme, state):
        return render_chart("users_by_city", chart_query(query, state, CITY), theme, build_bar, ...)

For a callback whose outputs depend only on its arguments and the data (every chart, grid and KPI
callback of a page; not click handlers, which read `dash.ctx`). The outputs are stored in the query
layer's cache (`data.cached_value`: same backend, keyed by the data version, cleared with the query
results), already in their JSON form (plain dicts and lists: Plotly's typed arrays stay compact),
so a hit costs a cache read and Dash's fast JSON path instead of building a figure (5-20 ms) and
walking it to encode it. The key is the callback and its arguments (filters, theme, the page's own
state). Outputs that show a typed error (database down, bad filter) are never stored: rendering one
(`errors.error_title` / `error_message`) calls `render_failed()`.
"""
from __future__ import annotations

import functools
import json
from contextvars import ContextVar
from typing import Callable

from dash._no_update import NoUpdate

from dashboard.components.data import cached_value
from schema.errors import UserError

_failed: ContextVar[bool] = ContextVar("render_failed", default=False)


def render_failed() -> None:
    """Mark the outputs being built as not to be remembered (they show an error)."""
    _failed.set(True)


def plain(value):
    """`value` (figure, component, NumPy data, ...) as Dash would send it: plain JSON types."""
    from plotly.io.json import to_json_plotly

    if isinstance(value, NoUpdate):
        return value
    return json.loads(to_json_plotly(value))


def plain_outputs(outputs):
    """A callback's return value in JSON form (a tuple: one per output)."""
    return tuple(plain(v) for v in outputs) if isinstance(outputs, tuple) else plain(outputs)


class _Failed(Exception):
    def __init__(self, outputs):
        super().__init__("rendered an error state")
        self.outputs = outputs


def args_key(args, kwargs) -> str:
    return json.dumps([args, kwargs], sort_keys=True, default=str, separators=(",", ":"))


def memoized(fn: Callable) -> Callable:
    """Remember `fn`'s outputs per (arguments, data version); see the module docstring."""
    name = f"render:{fn.__module__}.{fn.__qualname__}"

    def compute(args, kwargs):
        token = _failed.set(False)
        try:
            outputs = plain_outputs(fn(*args, **kwargs))
            if _failed.get():
                raise _Failed(outputs)
            return outputs
        finally:
            _failed.reset(token)

    @functools.wraps(fn)
    def inner(*args, **kwargs):
        try:
            try:
                return cached_value(name, args_key(args, kwargs), lambda: compute(args, kwargs))
            except UserError:  # the data version could not be read (database down): no cache
                return compute(args, kwargs)
        except _Failed as failed:
            return failed.outputs

    inner.uncached = fn
    return inner
