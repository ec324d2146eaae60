"""Generic figure builders: `build_x(df, *, theme, <column names>) -> go.Figure`.

Pure functions: no I/O, no globals besides constants; the DataFrame arrives aggregated by the query
layer and its columns go to Plotly as pandas/NumPy data (never `.tolist()`), which Plotly encodes as
compact typed arrays. Column names are keyword arguments, so one builder serves many datasets.
A builder never returns a blank axis: an empty frame gives `empty_figure`.
"""
from __future__ import annotations

import textwrap
from typing import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.formats import fmt
from dashboard.figures.text import label_margin, legend_margin
from dashboard.figures.theme import palette, plotly_template

NO_DATA = "No data for these filters"
Columns = str | Sequence[str]


def _columns(cols: Columns) -> list[str]:
    return [cols] if isinstance(cols, str) else list(cols)


def _label(column: str) -> str:
    return column.replace("_", " ").capitalize()


def make_figure(theme: str, traces: Sequence[dict] = (), *, height: int | None = None, **layout) -> go.Figure:
    """A figure from trace and layout dicts. Not validated: the builders here write them, and the
    template is validated once per process (theme.plotly_template); validating every figure again
    (and going through update_layout) cost ~15 ms of a ~17 ms chart. None values are left out."""
    layout = _clean(layout)
    if height:
        layout["height"] = height
    return go.Figure(data=[_clean(t) for t in traces], layout=dict(template=plotly_template(theme), **layout), _validate=False)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _axis(title: str | None = None, **props) -> dict:
    """An axis dict (`title` as its text; None values left out)."""
    return _clean({**props, "title": None if title is None else {"text": title}})


def _values(series: pd.Series):
    """Column values for a trace: NumPy (Plotly sends numbers as compact typed arrays)."""
    return series.to_numpy()


def empty_figure(message: str = NO_DATA, theme: str = "light", *, detail: str | None = None,
                 height: int | None = None) -> go.Figure:
    """A figure with no axes and one centred message (for empty results and errors); `detail` is
    written smaller below it, wrapped and cut to a few lines."""
    p = palette(theme)
    annotations = [dict(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                        font=dict(size=15, color=p.muted), yanchor="bottom" if detail else "middle")]
    if detail:
        short = detail if len(detail) <= 180 else detail[:179].rstrip() + "…"
        annotations.append(dict(text="<br>".join(textwrap.wrap(short, 60)), x=0.5, y=0.47, xref="paper",
                                yref="paper", showarrow=False, yanchor="top", font=dict(size=11, color=p.muted)))
    return make_figure(theme, height=height, xaxis=dict(visible=False), yaxis=dict(visible=False), annotations=annotations)


def _is_empty(df: pd.DataFrame | None, *columns: str) -> bool:
    return df is None or df.empty or any(c not in df.columns for c in columns)


def _series(df: pd.DataFrame, y: Columns, color: str | None):
    """(name, frame, y column) per trace: one per `color` value (long form) or per y column (wide)."""
    ys = _columns(y)
    if color:
        for name, part in df.groupby(color, sort=False, observed=True):
            yield str(name), part, ys[0]
    else:
        for col in ys:
            yield _label(col) if len(ys) > 1 else _label(col), df, col


# ------------------------------------------------------------------ bars
def build_bar(df: pd.DataFrame, *, theme: str, x: str, y: Columns, color: str | None = None, fmt_y: str = "number",
              stacked: bool = False, x_title: str | None = None, y_title: str | None = None,
              colours: Mapping[str, str] | None = None, height: int | None = None) -> go.Figure:
    """Vertical bars: one trace per y column (wide) or per value of `color` (long); `colours` maps a
    trace's name to its colour (theme.key_colours), else the palette goes in trace order."""
    ys = _columns(y)
    if _is_empty(df, x, *ys, *([color] if color else [])):
        return empty_figure(theme=theme, height=height)
    f = fmt(fmt_y)
    traces = [dict(type="bar", x=_values(part[x]), y=_values(part[col]), name=name,
                   marker=dict(color=colours[name]) if colours and name in colours else None,
                   hovertemplate=f"%{{x}}<br>{name}: %{{y:{f.hover}}}{f.suffix}<extra></extra>")
              for name, part, col in _series(df, ys, color)]
    return make_figure(theme, traces, height=height, barmode="stack" if stacked else "group", bargap=0.25,
                   showlegend=len(traces) > 1,
                   xaxis=_axis(x_title or "", type="category" if df[x].dtype == object else None),
                   yaxis=_axis(y_title or "", tickformat=f.tick, ticksuffix=f.suffix))


def build_hbar(df: pd.DataFrame, *, theme: str, label: str, value: str, fmt_value: str = "number",
               color: str | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars sorted with the largest on top (rankings: top products, top cities).

    Every row is drawn: limit the rows in the query (a `limit` param), so the chart card's CSV
    download holds exactly what the chart shows."""
    if _is_empty(df, label, value):
        return empty_figure(theme=theme, height=height)
    f = fmt(fmt_value)
    data = df.sort_values(value, ascending=True)  # Plotly draws the first category at the bottom
    p = palette(theme)
    marker = dict(color=_values(data[color])) if color else dict(color=p.colorway[0])
    labels = data[label].astype(str)
    trace = dict(type="bar", y=_values(labels), x=_values(data[value]), orientation="h", marker=marker,
                 hovertemplate=f"%{{y}}: %{{x:{f.hover}}}{f.suffix}<extra></extra>")
    # room for the labels on the left, the value ticks below and the last tick's overhang on the right
    return make_figure(theme, [trace], height=height or max(220, 28 * len(data) + 60), bargap=0.3, showlegend=False,
                   xaxis=_axis(tickformat=f.tick, ticksuffix=f.suffix, showgrid=True),
                   yaxis=_axis(showgrid=False, type="category"), margin=dict(l=label_margin(labels), r=22, t=16, b=26))


# ------------------------------------------------------------------ time series
def build_timeseries(df: pd.DataFrame, *, theme: str, x: str, y: Columns, color: str | None = None,
                     fmt_y: str = "number", area: bool = False, stacked: bool = False, markers: bool = False,
                     y_title: str | None = None, height: int | None = None) -> go.Figure:
    """Lines (or filled areas) over a date column; one trace per y column or `color` value."""
    ys = _columns(y)
    if _is_empty(df, x, *ys, *([color] if color else [])):
        return empty_figure(theme=theme, height=height)
    f = fmt(fmt_y)
    traces = []
    for i, (name, part, col) in enumerate(_series(df.sort_values(x), ys, color)):
        fill = None
        if area:
            fill = ("tozeroy" if i == 0 else "tonexty") if stacked else "tozeroy"
        traces.append(dict(
            type="scatter", x=_values(part[x]), y=_values(part[col]), name=name, mode="lines+markers" if markers else "lines",
            line=dict(width=2, shape="linear"), fill=fill, stackgroup="one" if (area and stacked) else None,
            hovertemplate=f"{name}: %{{y:{f.hover}}}{f.suffix}<extra></extra>",
        ))
    return make_figure(theme, traces, height=height, hovermode="x unified", showlegend=len(traces) > 1,
                   xaxis=_axis("", showspikes=False),
                   yaxis=_axis(y_title or "", tickformat=f.tick, ticksuffix=f.suffix, rangemode="tozero"))


def build_combo(df: pd.DataFrame, *, theme: str, x: str, bars: Columns, line: str, fmt_bars: str = "number",
                fmt_line: str = "number", line_name: str | None = None, height: int | None = None) -> go.Figure:
    """Columns on the left axis and one line on the right axis (e.g. revenue and orders by month)."""
    bar_cols = _columns(bars)
    if _is_empty(df, x, line, *bar_cols):
        return empty_figure(theme=theme, height=height)
    fb, fl = fmt(fmt_bars), fmt(fmt_line)
    p = palette(theme)
    xs = _values(df[x])
    traces = [dict(type="bar", x=xs, y=_values(df[col]), name=_label(col),
                   hovertemplate=f"{_label(col)}: %{{y:{fb.hover}}}{fb.suffix}<extra></extra>") for col in bar_cols]
    name = line_name or _label(line)
    traces.append(dict(type="scatter", x=xs, y=_values(df[line]), name=name, yaxis="y2", mode="lines+markers",
                       line=dict(width=2.5, color=p.warning), marker=dict(size=6),
                       hovertemplate=f"{name}: %{{y:{fl.hover}}}{fl.suffix}<extra></extra>"))
    return make_figure(
        theme, traces, height=height, barmode="group", hovermode="x unified", bargap=0.25, showlegend=True,
        yaxis=dict(tickformat=fb.tick, ticksuffix=fb.suffix, rangemode="tozero"),
        yaxis2=dict(overlaying="y", side="right", showgrid=False, tickformat=fl.tick, ticksuffix=fl.suffix, tickmode="auto",
                    rangemode="tozero", tickfont=dict(color=p.muted, size=11), automargin=True),
    )


# ------------------------------------------------------------------ parts of a whole
def build_donut(df: pd.DataFrame, *, theme: str, names: str, values: str, fmt_value: str = "number",
                hole: float = 0.6, center_text: str | None = None, colours: Mapping[str, str] | None = None,
                height: int | None = None) -> go.Figure:
    """Shares of a whole; `center_text` (e.g. the total) is written in the hole; `colours` maps a
    slice's name to its colour (theme.key_colours; others: the palette in slice order)."""
    if _is_empty(df, names, values):
        return empty_figure(theme=theme, height=height)
    f = fmt(fmt_value)
    labels = df[names].astype(str)
    marker = None
    if colours:
        spare = palette(theme).colorway
        marker = dict(colors=[colours.get(label, spare[i % len(spare)]) for i, label in enumerate(labels)])
    trace = dict(type="pie", labels=_values(labels), values=_values(df[values]), hole=hole, sort=True, marker=marker,
                 textinfo="percent", textposition="inside", insidetextorientation="horizontal",
                 hovertemplate=f"%{{label}}: %{{value:{f.hover}}}{f.suffix} (%{{percent}})<extra></extra>")
    centre = [dict(text=center_text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=16))]
    return make_figure(theme, [trace], height=height, showlegend=True,
                   margin=dict(l=8, r=legend_margin(trace["labels"]), t=16, b=8),
                   legend=dict(orientation="v", x=1.0, xanchor="left", y=0.5, yanchor="middle"),
                   annotations=centre if center_text else None)


def build_funnel(df: pd.DataFrame, *, theme: str, stage: str, value: str, fmt_value: str = "number",
                 height: int | None = None) -> go.Figure:
    """Stages in the frame's order, each with its value and share of the first stage."""
    if _is_empty(df, stage, value):
        return empty_figure(theme=theme, height=height)
    f = fmt(fmt_value)
    p = palette(theme)
    trace = dict(type="funnel", y=_values(df[stage].astype(str)), x=_values(df[value]), textinfo="value+percent initial",
                 texttemplate=f"%{{value:{f.hover}}} (%{{percentInitial:.1%}})",
                 marker=dict(color=p.colorway[0]), connector=dict(line=dict(color=p.axis, width=1)),
                 hovertemplate=f"%{{y}}: %{{x:{f.hover}}}<extra></extra>")
    return make_figure(theme, [trace], height=height, showlegend=False, yaxis=_axis(showgrid=False),
                       margin=dict(l=label_margin(trace["y"]), r=8, t=16, b=8))


# ------------------------------------------------------------------ distributions
def build_histogram(df: pd.DataFrame, *, theme: str, x: str, y: str | None = None, fmt_x: str = "number",
                    nbins: int = 30, x_title: str | None = None, height: int | None = None) -> go.Figure:
    """A distribution: pre-binned (`x` = bin start or label, `y` = count) or raw values of `x`.

    Prefer pre-binned data from SQL (rule 8); raw values are for small frames only.
    """
    if _is_empty(df, x, *([y] if y else [])):
        return empty_figure(theme=theme, height=height)
    f = fmt(fmt_x)
    p = palette(theme)
    marker, hover = dict(color=p.colorway[0]), "%{x}: %{y:,.0f}<extra></extra>"
    if y:
        trace = dict(type="bar", x=_values(df[x]), y=_values(df[y]), marker=marker, hovertemplate=hover)
    else:
        trace = dict(type="histogram", x=_values(df[x]), nbinsx=nbins, marker=marker, hovertemplate=hover)
    return make_figure(theme, [trace], height=height, bargap=0.04, showlegend=False,
                   xaxis=_axis(x_title or "", tickformat=None if y and df[x].dtype == object else f.tick),
                   yaxis=_axis("", tickformat="~s"))


# ------------------------------------------------------------------ schedules
def build_timeline(df: pd.DataFrame, *, theme: str, task: str, start: str, end: str, color: str | None = None,
                   height: int | None = None) -> go.Figure:
    """A Gantt chart: one horizontal bar per row from `start` to `end` (dates), grouped by `color`."""
    if _is_empty(df, task, start, end, *([color] if color else [])):
        return empty_figure(theme=theme, height=height)
    data = df.assign(_start=pd.to_datetime(df[start]), _end=pd.to_datetime(df[end]))
    data = data.sort_values("_start", ascending=False)
    groups = data.groupby(color, sort=False, observed=True) if color else [("", data)]
    traces = []
    for name, part in groups:
        duration_ms = (part["_end"] - part["_start"]).dt.total_seconds() * 1000
        traces.append(dict(
            type="bar", y=_values(part[task].astype(str)), x=_values(duration_ms),
            base=part["_start"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(), orientation="h", name=str(name),
            customdata=part[[start, end]].astype(str).to_numpy(),
            hovertemplate="%{y}<br>%{customdata[0]} → %{customdata[1]}<extra>" + str(name) + "</extra>",
        ))
    return make_figure(theme, traces, height=height or max(220, 26 * data[task].nunique() + 80), barmode="overlay",
                   showlegend=bool(color), bargap=0.35, xaxis=_axis(type="date", showgrid=True),
                   yaxis=_axis(type="category", showgrid=False),
                   margin=dict(l=label_margin(data[task].astype(str).unique()), r=8, t=16, b=26))
