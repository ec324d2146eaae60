"""Figure builders: pure functions of a three-row DataFrame and a theme."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures import (
    NO_DATA, build_bar, build_combo, build_donut, build_funnel, build_hbar, build_histogram, build_timeline,
    build_timeseries, empty_figure, key_colours, palette, plotly_template,
)
from dashboard.figures.formats import format_change, format_value


@pytest.fixture
def df():
    return pd.DataFrame({
        "day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        "category": ["Books", "Toys", "Garden"],
        "revenue": [100.0, 250.5, 30.0],
        "orders": [3, 5, 1],
        "end": pd.to_datetime(["2024-01-10", "2024-01-05", "2024-01-20"]),
    })


BUILDERS = {
    "bar": lambda df, theme: build_bar(df, theme=theme, x="category", y="revenue", fmt_y="currency"),
    "bar_wide": lambda df, theme: build_bar(df, theme=theme, x="category", y=["revenue", "orders"]),
    "bar_long": lambda df, theme: build_bar(df, theme=theme, x="day", y="revenue", color="category", stacked=True),
    "hbar": lambda df, theme: build_hbar(df, theme=theme, label="category", value="revenue"),
    "line": lambda df, theme: build_timeseries(df, theme=theme, x="day", y="revenue"),
    "area": lambda df, theme: build_timeseries(df, theme=theme, x="day", y=["revenue", "orders"], area=True, stacked=True),
    "combo": lambda df, theme: build_combo(df, theme=theme, x="day", bars="revenue", line="orders"),
    "donut": lambda df, theme: build_donut(df, theme=theme, names="category", values="orders", center_text="9"),
    "funnel": lambda df, theme: build_funnel(df, theme=theme, stage="category", value="orders"),
    "histogram_raw": lambda df, theme: build_histogram(df, theme=theme, x="revenue", nbins=5),
    "histogram_binned": lambda df, theme: build_histogram(df, theme=theme, x="category", y="orders"),
    "timeline": lambda df, theme: build_timeline(df, theme=theme, task="category", start="day", end="end", color="category"),
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", BUILDERS)
def test_builder_draws_every_row_in_the_theme(name, theme, df):
    fig = BUILDERS[name](df, theme)
    assert isinstance(fig, go.Figure)
    assert fig.data, "a figure with data has traces"
    points = sum(len(t.values if t.type == "pie" else t.x if t.x is not None else t.y) for t in fig.data)
    assert points == 3 or name in ("bar_wide", "area", "combo")  # wide forms: one trace per column
    assert fig.layout.template.layout.font.color == palette(theme).text
    assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert not fig.layout.annotations or name == "donut"  # no "no data" message


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_gives_the_empty_figure_for_no_rows(name, df):
    fig = BUILDERS[name](df.iloc[0:0], "light")
    assert not fig.data
    assert fig.layout.annotations[0].text == NO_DATA
    assert fig.layout.xaxis.visible is False


def test_builders_keep_data_as_arrays_not_lists(df):
    fig = build_bar(df, theme="light", x="category", y="revenue")
    assert isinstance(fig.data[0].y, np.ndarray)


def test_hbar_puts_the_largest_on_top(df):
    fig = build_hbar(df, theme="light", label="category", value="revenue")
    assert list(fig.data[0].y) == ["Garden", "Books", "Toys"]  # Plotly draws the last category at the top


def test_combo_line_is_on_the_secondary_axis(df):
    fig = build_combo(df, theme="dark", x="day", bars="revenue", line="orders", fmt_line="number")
    assert [t.type for t in fig.data] == ["bar", "scatter"]
    assert fig.data[1].yaxis == "y2" and fig.layout.yaxis2.overlaying == "y"


def test_timeline_bars_span_start_to_end(df):
    fig = build_timeline(df, theme="light", task="category", start="day", end="end")
    books = fig.data[0]
    i = list(books.y).index("Books")
    assert books.x[i] == pd.Timedelta(days=9).total_seconds() * 1000


def test_empty_figure_message_and_theme():
    fig = empty_figure("Database unavailable: down", "dark")
    assert fig.layout.annotations[0].text == "Database unavailable: down"
    assert fig.layout.annotations[0].font.color == palette("dark").muted


def test_templates_differ_and_unknown_theme_falls_back_to_light():
    light, dark = plotly_template("light"), plotly_template("dark")
    assert light.layout.font.color != dark.layout.font.color
    assert list(dark.layout.colorway) == list(palette("dark").colorway)
    assert plotly_template("sepia").layout.font.color == light.layout.font.color


def test_every_category_of_the_demo_catalogue_gets_its_own_colour():
    from datagen.catalogue import CATEGORIES

    for theme in ("light", "dark"):
        colours = [c.lower() for c in palette(theme).colorway]
        assert len(set(colours)) == len(colours) >= len(CATEGORIES), theme


@pytest.mark.parametrize("value, kind, text", [
    (1234.5, "number", "1,234"), (2_590_000_000, "currency", "2.59B"), (12_345, "number", "12.35k"),
    (999.456, "currency", "999.46"), (0.1234, "percent", "12.3%"), (19.46, "pct", "19.5%"), (None, "number", "—"),
    (float("nan"), "currency", "—"), (-25_000, "number", "-25k"), (3.25, "days", "3.2 d"),
])
def test_format_value(value, kind, text):
    assert format_value(value, kind) == text


def test_format_change():
    assert format_change(0.1234) == "+12.3%"
    assert format_change(-0.05) == "-5.0%"
    assert format_change(None) == "n/a"


# ------------------------------------------------------------------ room reserved for labels (figures.text)
def test_text_width_follows_the_font_and_size():
    from dashboard.figures.text import text_width

    assert text_width("WWW") > text_width("iii") * 3  # proportional, not a fixed width per character
    assert text_width("Books", 22) == pytest.approx(2 * text_width("Books", 11))
    assert text_width("") == 0
    assert text_width("電") > text_width("e")  # characters outside the table count wide


def test_margins_hold_the_widest_label_or_legend_entry():
    from dashboard.figures.text import label_margin, legend_margin, text_width

    labels = ["Books", "Weekend Blast - Mobiles & Tablets - 2022-06 #12", "Toys"]
    # Plotly needs the widest tick label plus 9 px (measured: 239 px of text -> a 248 px margin)
    assert label_margin(labels) >= text_width(labels[1]) + 9
    assert label_margin(labels) <= text_width(labels[1]) + 12
    assert label_margin(labels, suffix=" ") > label_margin(labels)
    assert label_margin([]) == 8 and legend_margin([]) == 8
    assert legend_margin(["Female", "Male"]) >= text_width("Female") + 54


def test_category_charts_reserve_their_label_room(df):
    from dashboard.figures.marketing import build_ranked
    from dashboard.figures.text import label_margin, legend_margin

    long = df.assign(category=["A short one", "A category with a much longer name", "Mid length name"])
    assert build_hbar(long, theme="light", label="category", value="revenue").layout.margin.l == label_margin(long["category"])
    assert build_donut(long, theme="light", names="category", values="orders").layout.margin.r == legend_margin(long["category"])
    ranked = build_ranked(long, theme="light", label="category", value="revenue", max_label=60)
    assert ranked.layout.margin.l == label_margin(long["category"], suffix=" ")
    timeline = build_timeline(long, theme="light", task="category", start="day", end="end")
    assert timeline.layout.margin.l == label_margin(long["category"])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_key_keeps_its_colour_whatever_the_chart_and_the_rows(df, theme):
    every = ["Books", "Garden", "Music", "Toys"]
    colours = key_colours(every, theme)
    assert list(colours.values()) == list(palette(theme).colorway[:4])
    assert key_colours([*every, *map(str, range(30))], theme)["Books"] == colours["Books"]  # more keys than colours: cycles
    subsets = (df, df.iloc[::-1], df[df["category"] != "Books"])  # another order, a filter that drops one
    for part in subsets:
        bars = build_bar(part, theme=theme, x="day", y="revenue", color="category", stacked=True, colours=colours)
        assert {t.name: t.marker.color for t in bars.data} == {c: colours[c] for c in part["category"]}
        donut = build_donut(part, theme=theme, names="category", values="orders", colours=colours).data[0]
        assert dict(zip(donut.labels, donut.marker.colors)) == {c: colours[c] for c in part["category"]}
    unknown = build_donut(df.assign(category=["Books", "New", "Toys"]), theme=theme, names="category", values="orders",
                          colours=colours).data[0]
    assert unknown.marker.colors[0] == colours["Books"] and unknown.marker.colors[1] in palette(theme).colorway
