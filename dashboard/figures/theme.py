"""Plotly templates that match the two vendored Bootstrap themes (FLATLY light, DARKLY dark).

Figures are built as `build_x(df, *, theme)`; `theme` is "light" or "dark" (anything else falls back
to light, so a stale value in the browser's storage cannot break a chart). Backgrounds are
transparent: a figure takes the colour of the card it sits in, so one template serves both the
page background and the card background of each theme.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import plotly.graph_objects as go

LIGHT, DARK = "light", "dark"
THEMES = (LIGHT, DARK)
FONT_FAMILY = 'Lato, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


@dataclass(frozen=True)
class Palette:
    """Colours of one Bootstrap theme (values copied from the vendored bootswatch CSS)."""

    name: str
    text: str
    muted: str
    grid: str
    axis: str
    card: str
    hover_bg: str
    primary: str
    success: str
    danger: str
    warning: str
    info: str
    colorway: tuple[str, ...]  # 20 distinct colours: the demo catalogue's 15 categories each get their own


PALETTES: dict[str, Palette] = {
    LIGHT: Palette(
        name=LIGHT, text="#212529", muted="#6c757d", grid="#e9ecef", axis="#ced4da", card="#ffffff",
        hover_bg="#ffffff", primary="#2c3e50", success="#18bc9c", danger="#e74c3c", warning="#f39c12",
        info="#3498db",
        colorway=("#3498db", "#18bc9c", "#f39c12", "#e74c3c", "#2c3e50", "#9b59b6", "#27ae60", "#95a5a6",
                  "#d35400", "#e84393", "#6c8b1f", "#8d6e63", "#5b5bd6", "#a3cb38", "#fa8072", "#0a7e8c",
                  "#c9a227", "#b3008f", "#1e3799", "#4d4d4d"),
    ),
    DARK: Palette(
        name=DARK, text="#ffffff", muted="#adb5bd", grid="#3b3b3b", axis="#555555", card="#303030",
        hover_bg="#222222", primary="#375a7f", success="#00bc8c", danger="#e74c3c", warning="#f39c12",
        info="#3498db",
        colorway=("#3498db", "#00bc8c", "#f39c12", "#e74c3c", "#8fa8c8", "#b07cc6", "#2ecc71", "#bdc3c7",
                  "#e67e22", "#fd79a8", "#9aae3c", "#bcaaa4", "#8c8cf0", "#c4e538", "#ff9f8a", "#38c7d6",
                  "#e1b12c", "#e056fd", "#6a89cc", "#7f8c8d"),
    ),
}


def normalise_theme(theme: str | None) -> str:
    return theme if theme in THEMES else LIGHT


def palette(theme: str | None) -> Palette:
    return PALETTES[normalise_theme(theme)]


def key_colours(keys: Sequence[str], theme: str | None) -> dict[str, str]:
    """A colour per key, in palette order: given a dimension's full, stable list of values (every
    category), a value keeps its colour in every chart and under every filter."""
    colours = palette(theme).colorway
    return {str(key): colours[i % len(colours)] for i, key in enumerate(keys)}


def plotly_template(theme: str | None) -> go.layout.Template:
    """The Plotly template for `theme` ("light" or "dark"): one shared object per theme, built and
    validated once; figures hold it by reference, so it must never be modified."""
    return _template(normalise_theme(theme))


@lru_cache(maxsize=None)
def _template(theme: str) -> go.layout.Template:
    return go.layout.Template(_template_json(theme))


@lru_cache(maxsize=None)
def _template_json(theme: str) -> dict:
    p = PALETTES[theme]
    axis = dict(
        gridcolor=p.grid, linecolor=p.axis, zerolinecolor=p.axis, tickcolor=p.axis, automargin=True,
        title=dict(font=dict(color=p.muted, size=12)), tickfont=dict(color=p.muted, size=11), showline=False,
    )
    template = go.layout.Template(
        layout=dict(
            font=dict(family=FONT_FAMILY, color=p.text, size=12),
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="rgba(0,0,0,0)",
            colorway=list(p.colorway),
            margin=dict(l=8, r=8, t=16, b=8),
            xaxis=dict(axis, showgrid=False),
            yaxis=dict(axis, showgrid=True),
            legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0,
                        font=dict(color=p.muted, size=11), bgcolor="rgba(0,0,0,0)", title=dict(text="")),
            hoverlabel=dict(bgcolor=p.hover_bg, bordercolor=p.axis, font=dict(family=FONT_FAMILY, color=p.text)),
            hovermode="closest",
            modebar=dict(bgcolor="rgba(0,0,0,0)", color=p.muted, activecolor=p.text),
            separators=".,",
        ),
        data=dict(
            bar=[go.Bar(marker=dict(line=dict(width=0)))],
            pie=[go.Pie(marker=dict(line=dict(color=p.card, width=2)))],
        ),
    )
    return template.to_plotly_json()
