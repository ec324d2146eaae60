"""KPI cards: a pure function from numbers to a card (value, label, change vs previous period, help).

    layout:   kpi_row(KPIS)                        # a placeholder row the callback fills
    callback: @callback(kpi_row_output(KPIS), *page_inputs())
              @guard(error_banner)                 # "Database unavailable: ..." instead of a traceback
              def kpis(query, theme):
                  now, before = <query layer values for filters and filters.previous_period()>
                  return [kpi_card("Revenue", now["revenue"], previous=before["revenue"], fmt="currency",
                                   help_text=definition("revenue")), ...]
"""
from __future__ import annotations

import math
import re
from typing import Sequence

import dash_bootstrap_components as dbc
from dash import Output, html

from dashboard.figures.formats import format_change, format_value

KPI_HELP = "kpi-help"  # {"type": KPI_HELP, "kpi": <slug>}
FLAT = 0.0005  # |change| below 0.05 % counts as flat


def kpi_change(value, previous) -> float | None:
    """Relative change (value - previous) / |previous|; None when either is missing or previous is 0."""
    if value is None or previous is None:
        return None
    value, previous = float(value), float(previous)
    if math.isnan(value) or math.isnan(previous) or previous == 0:
        return None
    return (value - previous) / abs(previous)


def change_direction(change: float | None) -> str:
    """"up", "down", "flat" or "none"."""
    if change is None:
        return "none"
    if abs(change) < FLAT:
        return "flat"
    return "up" if change > 0 else "down"


_ARROWS = {"up": "bi-arrow-up-right", "down": "bi-arrow-down-right", "flat": "bi-arrow-right", "none": "bi-dash"}


def change_badge(change: float | None, *, invert: bool = False, label: str = "vs previous period") -> html.Div:
    """Arrow + percentage, green when good, red when bad (`invert` for metrics where down is good)."""
    direction = change_direction(change)
    good = {"up": not invert, "down": invert}.get(direction)
    colour = "text-success" if good is True else "text-danger" if good is False else "text-body-secondary"
    return html.Div(
        [html.Span([html.I(className=f"bi {_ARROWS[direction]} me-1"), format_change(change)],
                   className=f"kpi-change-value fw-semibold {colour}", **{"data-direction": direction}),
         html.Span(f" {label}", className="text-body-secondary d-none d-sm-inline")],
        className="kpi-change small",
    )


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "kpi"


def kpi_card(label: str, value, *, previous=None, fmt: str = "number", help_text: str | None = None,
             invert: bool = False, kpi_id: str | None = None, icon: str | None = None,
             show_change: bool = True) -> dbc.Card:
    """One KPI. `previous` is the same metric over the previous period of equal length (None/NaN for an
    open date range: the card says there is nothing to compare with)."""
    header = [html.Span(label, className="kpi-label")]
    if icon:
        header.insert(0, html.I(className=f"bi {icon} me-2 kpi-icon"))
    children = []
    if help_text:
        help_id = {"type": KPI_HELP, "kpi": kpi_id or _slug(label)}
        header.append(html.I(className="bi bi-info-circle ms-1 kpi-help", id=help_id, tabIndex="0"))
        children.append(dbc.Tooltip(help_text, target=help_id, placement="bottom"))
    body = [
        html.Div(header, className="d-flex align-items-center text-body-secondary small"),
        html.Div(format_value(value, fmt), className="kpi-value", title=format_value(value, fmt, compact=False)),
    ]
    if show_change and _missing(previous):
        body.append(html.Div([html.I(className="bi bi-dash me-1"), "no previous period to compare"],
                             className="kpi-change small text-body-secondary"))
    elif show_change:
        body.append(change_badge(kpi_change(value, previous), invert=invert))
    return dbc.Card(dbc.CardBody(body + children, class_name="kpi-body"), class_name="kpi-card h-100")


def kpi_placeholder() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.Div(dbc.Placeholder(xs=6, size="xs"), className="small"),
        html.Div(dbc.Placeholder(xs=7), className="kpi-value"),
        html.Div(dbc.Placeholder(xs=5, size="xs")),
    ], class_name="kpi-body"), class_name="kpi-card kpi-placeholder h-100")


def kpi_grid(cards: Sequence) -> list:
    """Cards laid out 2 per row on phones and tablets, 4 on desktops."""
    return [dbc.Col(card, xs=6, xl=3, class_name="mb-3") for card in cards]


def kpi_row(row_id: str, count: int = 4) -> dbc.Row:
    """A row that a callback fills through `kpi_row_output(row_id)`; shows placeholders meanwhile."""
    return dbc.Row(kpi_grid([kpi_placeholder() for _ in range(count)]), id=row_id, class_name="kpi-row")


def kpi_row_output(row_id: str) -> Output:
    return Output(row_id, "children")


def kpi_row_children(cards: Sequence) -> list:
    """What a KPI callback returns: the cards, or one full-width item (banner, empty state)."""
    if len(cards) == 1 and not isinstance(cards[0], dbc.Card):
        return [dbc.Col(cards[0], xs=12)]
    return kpi_grid(cards)
