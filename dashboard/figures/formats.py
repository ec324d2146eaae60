"""Number formats shared by figures (d3 format strings) and components (Python formatting).

A metric's kind is one of FORMATS: "number" (whole counts), "decimal", "currency" (money in the
data's currency units, no symbol: the generator has no currency), "percent" (a ratio, 0.25 = 25 %),
"pct" (already in percent units, 25.0 = 25 %: the query layer's `*_pct` columns), "days".
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    tick: str  # d3 format for axis ticks
    hover: str  # d3 format for hover labels
    suffix: str = ""


FORMATS: dict[str, Format] = {
    "number": Format(tick="~s", hover=",.0f"),
    "decimal": Format(tick=",.2~f", hover=",.2f"),
    "currency": Format(tick="~s", hover=",.2f"),
    "percent": Format(tick=".0%", hover=".1%"),
    "pct": Format(tick=",.0f", hover=",.1f", suffix="%"),
    "days": Format(tick=",.1~f", hover=",.1f", suffix=" d"),
}


def fmt(kind: str) -> Format:
    return FORMATS.get(kind, FORMATS["number"])


_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def format_value(value, kind: str = "number", *, compact: bool = True) -> str:
    """Human-readable value for KPI cards and labels; None/NaN -> an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:,.1f} d"
    if compact and abs(value) >= 10_000:
        for size, unit in _UNITS:
            if abs(value) >= size:
                return f"{value / size:,.2f}".rstrip("0").rstrip(".") + unit
    if kind == "currency":
        return f"{value:,.2f}"
    if kind == "decimal":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def format_change(change: float | None) -> str:
    """A relative change (0.123 -> "+12.3%")."""
    if change is None or (isinstance(change, float) and (math.isnan(change) or math.isinf(change))):
        return "n/a"
    return f"{change * 100:+.1f}%"
