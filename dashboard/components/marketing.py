"""Pieces shared by the marketing pages (campaigns, ad structure, ad performance).

- The campaign -> ads drill-down: a drill chart's click on a campaign is a cross-filter set by that
  chart (`interactions.pick`), so the OTHER charts filter to the campaign while the chart itself,
  never filtered by its own click, shows the campaign's ads instead; its breadcrumb ("All campaigns
  › <campaign>") or the chip clears it. The state stays `{"sel", "src"}`: one URL, one set of chips.
- Clicks -> state: `click_state(state, chart, payload, rule)` for graphs and grid cells.
- Grid columns with number formats, ranked charts sized to their rows, KPI cards from one row.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping, Sequence

import dash_ag_grid as dag
import pandas as pd
from dash import Output, no_update

from dashboard.components.chart_card import chart_card, chart_ids
from dashboard.components.data import load_dataset
from dashboard.components.errors import NO_DATA, error_banner
from dashboard.components.interactions import click_value, pick
from dashboard.components.kpi import kpi_card
from dashboard.components.state import filters_from_store
from dashboard.queries.glossary import GLOSSARY
from schema.errors import UserError

CAMPAIGNS, PLATFORMS = "campaigns", "platforms"
ALL_CAMPAIGNS = "All campaigns"


# ------------------------------------------------------------------ campaign -> ads drill (pure)
def drilled(state: Mapping | None, chart: str, dimension: str = CAMPAIGNS) -> str | None:
    """The campaign whose ads `chart` shows: the chart's own selection when it holds exactly one value."""
    state = state or {}
    values = (state.get("sel") or {}).get(dimension) or []
    return str(values[0]) if len(values) == 1 and (state.get("src") or {}).get(dimension) == chart else None


def drill_back(state: Mapping | None, chart: str, dimension: str = CAMPAIGNS) -> dict:
    """Breadcrumb "All campaigns": forget the campaign selected by `chart` (other cross-filters stay)."""
    state = state or {}
    sel = {k: list(v) for k, v in (state.get("sel") or {}).items()}
    src = dict(state.get("src") or {})
    if src.get(dimension) == chart:
        sel.pop(dimension, None)
        src.pop(dimension, None)
    return {"sel": sel, "src": src}


def crumb_labels(campaign: str | None) -> list[str]:
    return [ALL_CAMPAIGNS, campaign] if campaign else [ALL_CAMPAIGNS]


# ------------------------------------------------------------------ clicks -> state (pure)
@dataclass(frozen=True)
class ClickRule:
    """What a click on a chart means: the `dimension` it selects, read from the point's `key`
    ("x", "y", "label", "customdata"), or for a grid from the cell (`columns`: colId -> dimension;
    any other cell selects `dimension` from the row, found by `row_key` = the grid's row id).
    `drill`: the chart drills into the campaign instead of being filtered by it (clicks on its
    ads are ignored)."""

    dimension: str
    key: str = "x"
    drill: bool = False
    columns: Mapping[str, str] | None = None
    row_key: str | None = None


def grid_pick(cell: Mapping | None, rows: Sequence[Mapping] | None, rule: ClickRule) -> tuple[str, str] | None:
    """(dimension, value) for a click on a grid cell: a column named in `rule.columns` selects its
    own value, any other cell the row's `rule.dimension` value (the row found by its id)."""
    if not cell:
        return None
    column = cell.get("colId")
    if rule.columns and column in rule.columns and cell.get("value") not in (None, ""):
        return rule.columns[column], str(cell["value"])
    field = GRID_FIELDS.get(rule.dimension, rule.dimension)
    row_id = cell.get("rowId")
    for row in rows or ():
        if rule.row_key and str(row.get(rule.row_key)) == str(row_id) and row.get(field) not in (None, ""):
            return rule.dimension, str(row[field])
    return None


GRID_FIELDS = {CAMPAIGNS: "campaign_name", PLATFORMS: "platform"}  # dimension -> the grid column holding it


def click_state(state: Mapping | None, chart: str, payload: Mapping | None, rule: ClickRule,
                rows: Sequence[Mapping] | None = None) -> dict | None:
    """The cross-filter state after a click on `chart` (clickData, or a grid's cellClicked with its
    rows); None when the click selects nothing (no value, or an ad of a drilled chart)."""
    if rule.drill and drilled(state, chart, rule.dimension):
        return None
    if rule.columns is not None or rule.row_key:
        picked = grid_pick(payload, rows, rule)
    else:
        value = click_value(payload, rule.key)
        picked = (rule.dimension, value) if value is not None else None
    return pick(state, *picked, chart) if picked else None


def chart_of(component_id) -> str | None:
    """The chart (or table) id inside a chart card's graph id or a table card's grid id."""
    if isinstance(component_id, Mapping):
        return component_id.get("chart") or component_id.get("table")
    return None


def page_event(state: Mapping | None, trigger, payloads: Mapping[str, Mapping | None], rules: Mapping[str, ClickRule], *,
               rows: Mapping[str, Sequence[Mapping]] | None = None, crumbs: Mapping[str, str] | None = None,
               crumb_level: int | None = None) -> dict | None:
    """The page's cross-filter state after the event `trigger` (the id of what was clicked):
    a chart or grid click (`payloads[chart]`, interpreted by `rules[chart]`), or a breadcrumb of
    `crumbs` {breadcrumb group: drill chart} at `crumb_level` (0 = "All campaigns").
    None when nothing changes."""
    if isinstance(trigger, Mapping) and trigger.get("group") in (crumbs or {}):
        return drill_back(state, crumbs[trigger["group"]]) if crumb_level == 0 else None
    chart = chart_of(trigger)
    if chart not in rules:
        return None
    return click_state(state, chart, payloads.get(chart), rules[chart], (rows or {}).get(chart))


def event_outputs(new: dict | None, graphs: int) -> tuple:
    """A click callback's outputs: the new state and every graph's clickData cleared (so the same
    point can be clicked again), or no_update everywhere when `new` is None."""
    return (no_update,) * (graphs + 1) if new is None else (new, *(None,) * graphs)


# ------------------------------------------------------------------ charts sized to their rows
def graph_style(figure, default_height: int) -> dict:
    """The graph's style for `figure`: ranked charts grow with their rows, others keep `default_height`."""
    height = getattr(getattr(figure, "layout", None), "height", None) or default_height
    return {"height": f"{int(height)}px"}


# ------------------------------------------------------------------ grids (dash-ag-grid in a chart card)
GRID = "marketing-grid"  # {"type": GRID, "chart": <chart id>}
# Colours from the Bootstrap theme's CSS variables: the grid follows the light/dark switch by itself.
GRID_THEME = {"function": (
    "themeQuartz.withParams({backgroundColor: 'var(--bs-body-bg)', foregroundColor: 'var(--bs-body-color)', "
    "headerBackgroundColor: 'var(--bs-tertiary-bg)', borderColor: 'var(--bs-border-color)', "
    "accentColor: 'var(--bs-primary)', fontFamily: 'inherit', fontSize: 13, headerFontWeight: 700, spacing: 5, "
    "rowHoverColor: 'var(--bs-secondary-bg)', wrapperBorderRadius: 6, headerColumnResizeHandleColor: 'transparent'})"
)}


def grid_id(chart_id: str) -> dict:
    return {"type": GRID, "chart": chart_id}


def grid_card(chart_id: str, title: str, help_text: str | None = None, *, columns: Sequence[Mapping], row_id: str,
              metrics: Sequence[str] = (), height: int = 400, subtitle=None) -> object:
    """A sortable, filterable grid of `columns` in a chart card (help, loading, status, CSV download of
    exactly its rows). `row_id` is the column that identifies a row (its value comes back in
    `cellClicked["rowId"]`)."""
    grid = dag.AgGrid(
        id=grid_id(chart_id), rowData=[], columnDefs=list(columns), getRowId=f"params.data.{row_id} + ''",
        defaultColDef={"sortable": True, "filter": True, "floatingFilter": True, "resizable": True,
                       "suppressHeaderMenuButton": True, "suppressHeaderFilterButton": True, "minWidth": 80},
        columnSize="responsiveSizeToFit",
        dashGridOptions={"theme": GRID_THEME, "animateRows": False, "suppressCellFocus": True,
                         "localeText": {"noRowsToShow": NO_DATA}, "tooltipShowDelay": 300},
        style={"height": f"{height}px", "width": "100%"}, className="marketing-grid",
    )
    return chart_card(chart_id, title, help_text, metrics=metrics, subtitle=subtitle, height=height, content=grid)


def grid_outputs(chart_id: str) -> tuple[Output, Output, Output, Output]:
    """(rows, spec, status, download disabled): what `render_grid` returns."""
    ids = chart_ids(chart_id)
    return (Output(grid_id(chart_id), "rowData"), Output(ids.spec, "data"), Output(ids.status, "children"),
            Output(ids.download_button, "disabled"))


def grid_rows(df: pd.DataFrame) -> list[dict]:
    """DataFrame -> the grid's rows (NaN -> null, dates -> ISO text)."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    return out.astype(object).where(out.notna(), None).to_dict("records")


def render_grid(dataset: str, query: Mapping | None, *, params: Mapping | None = None) -> tuple:
    """Every row of `dataset` for the filters (+ `params`) to the grid; the CSV download re-runs the same."""
    filters = filters_from_store(query)
    params = dict(params or {})
    try:
        df = load_dataset(dataset, filters, params)
    except UserError as exc:
        return [], None, error_banner(exc), True
    spec = {"dataset": dataset, "query": filters.to_query(), "params": params}
    return grid_rows(df), spec, None, df.empty


# ------------------------------------------------------------------ grid columns (AG Grid column definitions)
_JS_FORMATS = {"money": ",.0f", "count": ",.0f", "pct": ",.1f", "ratio": ",.2f", "money2": ",.2f"}


def number_column(field: str, header: str, kind: str = "count", **extra) -> dict:
    """A right-aligned, number-filtered column; `kind` money (no decimals), money2, count, pct (x100 values,
    "%" appended), ratio (2 decimals). Missing values show as an em dash."""
    suffix = "%" if kind == "pct" else ""
    formatter = (f"params.value == null ? '—' : d3.format({json.dumps(_JS_FORMATS[kind])})(params.value)"
                 + (f" + {json.dumps(suffix)}" if suffix else ""))
    return {"field": field, "headerName": header, "type": "numericColumn", "filter": "agNumberColumnFilter",
            "valueFormatter": {"function": formatter}, "minWidth": 84, **extra}


def text_column(field: str, header: str, **extra) -> dict:
    return {"field": field, "headerName": header, "filter": "agTextColumnFilter", "minWidth": 100, **extra}


def format_cell(value, kind: str = "count") -> str:
    """The text `number_column` shows for `value` (Python twin of its d3 format; for tests and labels)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    text = format(float(value), _JS_FORMATS[kind]).replace("-", "\u2212")  # d3 writes a real minus sign
    return text + ("%" if kind == "pct" else "")


def selected_rows_rule(selections: Mapping[str, Sequence[str]] | None) -> dict:
    """rowClassRules marking the rows whose {grid field: values} match (the grid's own cross-filter)."""
    tests = [f"{json.dumps([str(v) for v in values])}.includes(params.data.{field})"
             for field, values in (selections or {}).items() if values]
    return {"xf-selected-row": {"function": " || ".join(tests) if tests else "false"}}


def own_selections(state: Mapping | None, chart: str) -> dict[str, list[str]]:
    """{grid field: values} of the cross-filters `chart` set itself (to highlight them in a grid)."""
    state = state or {}
    return {GRID_FIELDS.get(dim, dim): list(values) for dim, values in (state.get("sel") or {}).items()
            if (state.get("src") or {}).get(dim) == chart}


# ------------------------------------------------------------------ KPI cards
@dataclass(frozen=True)
class Kpi:
    label: str
    key: str  # column of the KPI row (its previous period is `<key>_prev`)
    fmt: str = "number"
    glossary: str | None = None
    invert: bool = False
    icon: str | None = None


def kpi_cards(row: Mapping, kpis: Sequence[Kpi], *, show_change: bool = True) -> list:
    """One KPI card per spec, with the change vs the previous period of equal length."""
    return [kpi_card(k.label, row.get(k.key), previous=row.get(f"{k.key}_prev"), fmt=k.fmt, invert=k.invert,
                     icon=k.icon, help_text=GLOSSARY.get(k.glossary or k.key), show_change=show_change,
                     kpi_id=k.key) for k in kpis]
