"""Figure builders of the marketing pages: ranked bars (one bar per campaign or ad, long names,
values written on the bars, optional sign colours, reference line and highlighted selection) and
a funnel labelled with its stage rates.

Pure functions like the generic builders (`build_x(df, *, theme, <column names>) -> go.Figure`):
every row is drawn; the full label travels as `customdata`, so a click gives back the real value
even when the axis shows a shortened one.
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.charts import empty_figure, make_figure
from dashboard.figures.formats import fmt
from dashboard.figures.text import label_margin
from dashboard.figures.theme import palette

ROW_HEIGHT = 26  # px per bar of a ranked chart
DIMMED = 0.35  # opacity of the bars outside a selection
TEXT_FORMATS = {"currency": ".3~s", "number": ",.0f", "pct": ",.1f", "decimal": ",.2f", "percent": ".1%", "days": ",.1f"}


def short_labels(labels: Sequence[str], max_len: int = 40, *, drop_common_prefix: bool = False) -> list[str]:
    """Labels cut in the middle to about `max_len` characters ("Weekend Blast - Mob… 2022-06 #12"), keeping
    the end (campaign and ad names end with their unique "#id": the part after the last " - " or " | "
    when short enough); the full labels when cutting would make two of them equal.
    `drop_common_prefix`: first remove a leading part every label shares up to a " | " or " - "
    (the campaign's name in front of each of its ads)."""
    full = [str(v) for v in labels]
    shown = _without_common_prefix(full) if drop_common_prefix else full
    cut = [v if len(v) <= max_len else _cut(v, max_len) for v in shown]
    return cut if len(set(cut)) == len(set(full)) else full


def _without_common_prefix(labels: list[str]) -> list[str]:
    if len(labels) < 2:
        return labels
    common = os.path.commonprefix(labels)
    end = max(common.rfind(" | "), common.rfind(" - "))
    return [v[end + 3:] for v in labels] if end > 0 else labels


def _cut(text: str, max_len: int) -> str:
    last = max(text.rfind(" - "), text.rfind(" | "))
    tail = text[last + 3:] if last > 0 and len(text) - last - 3 <= max_len // 2 else text[-max(8, max_len // 3):]
    return text[: max(1, max_len - len(tail) - 2)].rstrip(" -|") + "… " + tail.lstrip(" -|")


def ranked_height(rows: int) -> int:
    """Pixel height of a ranked chart with `rows` bars."""
    return max(200, ROW_HEIGHT * rows + 40)


def _opacity(keys: pd.Series, selected: Sequence[str] | None):
    if not selected:
        return 1.0
    chosen = {str(v) for v in selected}
    return np.where(keys.astype(str).isin(chosen), 1.0, DIMMED)


def build_ranked(df: pd.DataFrame, *, theme: str, label: str, value: str, fmt_value: str = "number",
                 sign_colors: bool = False, reference: float | None = None, reference_label: str | None = None,
                 selected: Sequence[str] | None = None, share: str | None = None, max_label: int = 40,
                 drop_common_prefix: bool = False, height: int | None = None) -> go.Figure:
    """Horizontal bars, highest value on top, each value written at the end of its bar.

    `sign_colors`: green for >= 0, red below (profit); `reference`: a dashed vertical line (e.g. the
    average) named `reference_label`; `selected`: labels to highlight (the others are dimmed); `share`: a
    percentage column written after the value ("1.2M · 29.3%"); `drop_common_prefix`: see `short_labels`.
    Rows whose value is missing are drawn as empty bars (their label stays on the axis)."""
    if df is None or df.empty or label not in df.columns or value not in df.columns:
        return empty_figure(theme=theme, height=height)
    p = palette(theme)
    f = fmt(fmt_value)
    data = df.sort_values([value, label], ascending=[True, False], na_position="first")
    values = pd.to_numeric(data[value], errors="coerce")
    keys = data[label].astype(str)
    if sign_colors:
        colours = np.where(values.fillna(0) >= 0, p.success, p.danger)
    else:
        colours = p.colorway[0]
    text_format = TEXT_FORMATS.get(fmt_value, ",.2f")
    custom = np.column_stack([keys, pd.to_numeric(data[share], errors="coerce")]) if share else keys
    key_ref, share_text = ("%{customdata[0]}", " · %{customdata[1]:.1f}%") if share else ("%{customdata}", "")
    fig_height = height or ranked_height(len(data))
    band = (fig_height - 40) / max(len(data), 1)  # px per row: few rows keep bars of a normal thickness
    labels = short_labels(keys, max_label, drop_common_prefix=drop_common_prefix)
    trace = dict(
        type="bar", y=labels, x=values.to_numpy(),
        orientation="h", customdata=np.asarray(custom),
        marker=dict(color=colours, opacity=_opacity(keys, selected)),
        texttemplate=f"%{{x:{text_format}}}{f.suffix}{share_text}", textposition="outside", cliponaxis=False,
        textfont=dict(size=11, color=p.muted),
        hovertemplate=f"{key_ref}<br>%{{x:{f.hover}}}{f.suffix}{share_text}<extra></extra>",
    )
    shapes, annotations = [], []
    if reference is not None and not pd.isna(reference):
        shapes.append(dict(type="line", x0=float(reference), x1=float(reference), xref="x", y0=0, y1=1, yref="paper",
                           line=dict(color=p.warning, width=1.5, dash="dash"), layer="below"))
        if reference_label:
            annotations.append(dict(x=float(reference), y=1, yref="paper", yanchor="bottom", showarrow=False,
                                    text=reference_label, font=dict(size=11, color=p.warning), xanchor="left", xshift=4))
    xaxis = dict(showgrid=False, showticklabels=False, zeroline=True, zerolinecolor=p.axis, zerolinewidth=1)
    if sign_colors and (values < 0).any():
        xaxis["range"] = _padded_range(values)
    # room for the value written after the longest bar (and before the most negative one)
    right = 96 if share else 56
    return make_figure(theme, [trace], height=fig_height, showlegend=False, bargap=max(0.3, 1 - 22 / band) if band > 0 else 0.3,
                   shapes=shapes or None, annotations=annotations or None, xaxis=xaxis,
                   yaxis=dict(type="category", showgrid=False, tickfont=dict(size=11, color=p.text), ticksuffix=" "),
                   margin=dict(l=label_margin(labels, suffix=" "), r=right, t=24 if reference_label else 8, b=8))


def _padded_range(values: pd.Series) -> list[float]:
    """An x range holding every bar plus a margin for the text outside the bars on both sides."""
    lo, hi = float(min(values.min(), 0)), float(max(values.max(), 0))
    pad = (hi - lo) * 0.18 or 1.0
    return [lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)]


def build_stage_funnel(df: pd.DataFrame, *, theme: str, stage: str, value: str, rate: str,
                       overall: str | None = None, labels: dict[str, str] | None = None,
                       height: int | None = None) -> go.Figure:
    """A funnel in the frame's order; each stage after the first says its rate from the previous one
    ("105 · 7.0% of previous"), the hover adds the rate from the first stage (`overall`)."""
    if df is None or df.empty or any(c not in df.columns for c in (stage, value, rate)):
        return empty_figure(theme=theme, height=height)
    p = palette(theme)
    names = [str((labels or {}).get(s, str(s).capitalize())) for s in df[stage]]
    counts = pd.to_numeric(df[value], errors="coerce").fillna(0)
    rates = pd.to_numeric(df[rate], errors="coerce")
    text = [f"{c:,.0f}" if i == 0 or pd.isna(r) else f"{c:,.0f} · {r:.1f}% of previous"
            for i, (c, r) in enumerate(zip(counts, rates))]
    overall_rates = pd.to_numeric(df[overall], errors="coerce") if overall and overall in df.columns else rates
    trace = dict(
        type="funnel", y=names, x=counts.to_numpy(), text=text, textinfo="text", textposition="auto", constraintext="none",
        marker=dict(color=([p.colorway[0], p.colorway[1], p.success] * len(df))[: len(df)]),
        connector=dict(line=dict(color=p.axis, width=1), fillcolor=p.grid), textfont=dict(size=12),
        customdata=np.column_stack([rates.fillna(np.nan), overall_rates.fillna(np.nan)]),
        hovertemplate="%{y}: %{x:,.0f}<br>from previous stage: %{customdata[0]:.2f}%"
                      "<br>from the first stage: %{customdata[1]:.2f}%<extra></extra>",
    )
    return make_figure(theme, [trace], height=height, showlegend=False,
                       margin=dict(l=label_margin(names, size=12), r=8, t=8, b=8),
                       yaxis=dict(showgrid=False, tickfont=dict(size=12, color=p.text)))
