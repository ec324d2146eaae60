"""Pure figure builders: `build_x(df, *, theme, ...) -> go.Figure` (no I/O; see ARCHITECTURE rule 4)."""
from dashboard.figures.charts import (
    NO_DATA,
    build_bar,
    build_combo,
    build_donut,
    build_funnel,
    build_hbar,
    build_histogram,
    build_timeline,
    build_timeseries,
    empty_figure,
)
from dashboard.figures.theme import THEMES, key_colours, normalise_theme, palette, plotly_template

__all__ = [
    "NO_DATA", "THEMES", "build_bar", "build_combo", "build_donut", "build_funnel", "build_hbar", "build_histogram",
    "build_timeline", "build_timeseries", "empty_figure", "key_colours", "normalise_theme", "palette", "plotly_template",
]
