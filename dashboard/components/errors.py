"""The one place that turns the query layer's typed errors into something on screen.

- `error_banner(exc)`: "Database unavailable: ..." / "Invalid filter: ..." alert (never a traceback); the
  shell shows one at the top of every page while the database is down;
- `error_state(exc)`: the compact form for inside a card (KPI rows, tables): icon, title, short detail;
- `empty_state(message)`: the "No data for these filters" block for non-graph outputs;
- `guard(fallback)`: a callback decorator that returns `fallback(exc)` when a `UserError` escapes.

Bugs (anything that is not a `schema.errors.UserError`) are not caught: they must stay visible.
Rendering an error (`error_title`, `error_message`) tells `memo` not to remember those outputs: the
database may be back on the next request.
"""
from __future__ import annotations

import functools
import logging
from typing import Callable

import dash_bootstrap_components as dbc
from dash import html

from dashboard.components.memo import render_failed
from schema.errors import DatabaseUnavailable, InvalidFilter, UserError

log = logging.getLogger(__name__)
NO_DATA = "No data for these filters"


def error_title(exc: BaseException) -> str:
    render_failed()
    if isinstance(exc, DatabaseUnavailable):
        return "Database unavailable"
    if isinstance(exc, InvalidFilter):
        return "Invalid filter"
    return "Cannot show this"


def error_message(exc: BaseException) -> str:
    render_failed()
    if isinstance(exc, DatabaseUnavailable):
        return f"Database unavailable: {exc}"
    if isinstance(exc, InvalidFilter):
        return f"Invalid filter: {exc}"
    return str(exc)


def error_banner(exc: BaseException, *, class_name: str = "") -> dbc.Alert:
    danger = isinstance(exc, DatabaseUnavailable)
    icon = "bi-database-x" if danger else "bi-exclamation-triangle"
    return dbc.Alert(
        [html.I(className=f"bi {icon} me-2"), error_message(exc)],
        color="danger" if danger else "warning", class_name=f"error-banner py-2 mb-2 {class_name}".strip(),
    )


def error_state(exc: BaseException) -> html.Div:
    icon = "bi-database-x" if isinstance(exc, DatabaseUnavailable) else "bi-exclamation-triangle"
    return html.Div([html.I(className=f"bi {icon} empty-state-icon"), html.Strong(error_title(exc)),
                     html.Div(shorten(str(exc)), className="small mt-1")], className="empty-state error-state")


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def empty_state(message: str = NO_DATA, *, icon: str = "bi-inbox") -> html.Div:
    return html.Div([html.I(className=f"bi {icon} empty-state-icon"), html.Div(message)], className="empty-state")


def guard(fallback: Callable[[UserError], object]):
    """Decorate a callback: a `UserError` (database down, bad filter) returns `fallback(exc)` instead."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except UserError as exc:
                log.warning("%s: %s", fn.__name__, exc)
                return fallback(exc)

        return inner

    return wrap
