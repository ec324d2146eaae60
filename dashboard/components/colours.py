"""Colours that follow a value, not a trace's position: a category has the same colour in every chart
of every page, whatever the filters leave."""
from __future__ import annotations

from dashboard.components.data import known_values
from dashboard.figures import key_colours


def category_colours(theme: str) -> dict[str, str]:
    """Every category of the data (sorted, unnarrowed by filters) -> its colour in `theme`."""
    return key_colours(known_values()["categories"], theme)
