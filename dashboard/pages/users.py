"""User insights: registered, active and new users (vs the previous period), who they are (gender,
age, platform, city) and sign-ups per month.

Cross-filters: a city bar or a platform slice narrows every other chart and the KPIs (chips remove
them; they are kept in the URL as `xf`). Gender and age band are not dimensions of the data model's
filters, so those two charts only follow the others.
"""
import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.chart_card import chart_card, chart_ids, chart_outputs, render_chart
from dashboard.components.chips import crossfilter_chips
from dashboard.components.data import load_dataset
from dashboard.components.errors import error_state, guard
from dashboard.components.filter_bar import filters_of
from dashboard.queries import catalogue  # noqa: F401 - registers the datasets named below
from dashboard.components.interactions import (
    XF_PARAMS, chart_query, chip_labels, click_value, emphasise, mirror_to_url, removable_chips, on_click, state_from_params,
    state_params,
)
from dashboard.components.kpi import kpi_card, kpi_row, kpi_row_output
from dashboard.components.memo import memoized
from dashboard.components.state import filters_from_store, page_inputs
from dashboard.figures import build_bar, build_donut
from dashboard.figures.formats import format_value
from dashboard.queries.glossary import definition

DATASETS = ("user_kpis", "gender_split", "age_bands", "platform_usage", "users_by_city", "signups_monthly")
FILTERS = filters_of(*DATASETS)
dash.register_page(__name__, path="/users", name="Users", title="User insights · Shop BI", order=2, icon="bi-people",
                   filters=FILTERS, url_params=XF_PARAMS)

# ids, named once
KPIS = "users-kpis"
SIGNUPS, GENDER, AGE, PLATFORM, CITY = "users-signups", "users-gender", "users-age", "users-platform", "users-city"
XF, XF_STORE, XF_CHIPS = "users-xf", "users-xf-store", "users-xf-chips"
URL_PARAMS, URL_SINK = "users-url-params", "users-url-sink"
SOURCES = {"cities": CITY, "platforms": PLATFORM}  # the chart whose clicks set each cross-filter

# (label, column, format, icon): the KPI cards, in order
KPI_CARDS = (("Users", "users", "number", "bi-people"), ("Active users", "active_users", "number", "bi-lightning"),
             ("New users", "new_users", "number", "bi-person-plus"),
             ("Active share", "active_share", "percent", "bi-pie-chart"))
GENDERS = {"F": "Female", "M": "Male"}
ACTIVE_SHARE_HELP = "Active users / users: the share of registered users who ordered in the range."


def layout(**query):
    state = state_from_params(query, SOURCES)
    return html.Div(className="insights-page", children=[
        html.Div([html.H2("User insights"),
                  html.Span("Who signs up, who buys, and where they are", className="text-body-secondary")],
                 className="page-header"),
        dcc.Store(id=XF_STORE, data=state), dcc.Store(id=URL_PARAMS), html.Div(id=URL_SINK, hidden=True),
        html.Div(id=XF_CHIPS),
        kpi_row(KPIS),
        dbc.Row(dbc.Col(chart_card(SIGNUPS, "Sign-ups per month", "Customers whose sign-up date falls in each month "
                                   "of the range.", metrics=("signups",), height=300), xs=12, class_name="mb-3")),
        dbc.Row([
            dbc.Col(chart_card(GENDER, "Gender split", "Registered users by gender (follows the city and platform "
                               "cross-filters).", metrics=("users", "share_pct"), height=300), lg=4, class_name="mb-3"),
            dbc.Col(chart_card(AGE, "Age bands", "Registered users by age band.", metrics=("users", "share_pct"),
                               height=300), lg=4, class_name="mb-3"),
            dbc.Col(chart_card(PLATFORM, "Platform usage", "Registered users by sign-up platform. Click a slice to "
                               "cross-filter the page by platform.", metrics=("users", "share_pct"), height=300),
                    lg=4, class_name="mb-3"),
        ]),
        dbc.Row(dbc.Col(chart_card(CITY, "Users by city", "Registered users by city. Click a bar to cross-filter the "
                                   "page by city.", metrics=("users", "share_pct"), height=320), xs=12,
                        class_name="mb-3")),
    ])


# ------------------------------------------------------------------ pure helpers
def build_signups(df: pd.DataFrame, *, theme: str, height: int | None = None):
    """Sign-ups per month on a date axis ("Jan 2024"), every row drawn."""
    figure = build_bar(df.assign(month=pd.to_datetime(df["month"])), theme=theme, x="month", y="signups",
                       height=height)
    return figure.update_xaxes(tickformat="%b %Y", hoverformat="%b %Y")


def build_share_donut(df: pd.DataFrame, *, theme: str, names: str, labels: dict | None = None,
                      height: int | None = None):
    """Users per `names` value as a donut with the total in the hole; small slices keep their legend
    entry but lose an unreadable label."""
    data = df.assign(**{names: df[names].map(lambda v: (labels or {}).get(v, v))})
    figure = build_donut(data, theme=theme, names=names, values="users", height=height,
                         center_text=f"{format_value(df['users'].sum())}<br>users")
    return figure.update_layout(uniformtext=dict(minsize=10, mode="hide"))


def build_age_bands(df: pd.DataFrame, *, theme: str, height: int | None = None):
    """Users per age band, youngest first."""
    return build_bar(df.sort_values("age_band"), theme=theme, x="age_band", y="users", height=height)


def kpi_values(row) -> dict:
    """The KPI row of `user_kpis` plus the active share (now and previous period)."""
    values = {key: row[key] for key in ("users", "active_users", "new_users")}
    values.update({f"{key}_prev": row[f"{key}_prev"] for key in ("users", "active_users", "new_users")})
    values["active_share"] = share_of(row["active_users"], row["users"])
    values["active_share_prev"] = share_of(row["active_users_prev"], row["users_prev"])
    return values


def share_of(part, whole) -> float | None:
    """part / whole, None when either is missing or whole is 0 (an open range has no previous period)."""
    if part is None or whole is None or pd.isna(part) or pd.isna(whole) or not whole:
        return None
    return float(part) / float(whole)


def kpi_cards(values: dict) -> list:
    return [dbc.Col(kpi_card(label, values[key], previous=values[f"{key}_prev"], fmt=fmt, icon=icon,
                             help_text=ACTIVE_SHARE_HELP if key == "active_share" else definition(key)),
                    xs=6, xl=3, class_name="mb-3") for label, key, fmt, icon in KPI_CARDS]


def _kpi_error(exc):
    return [dbc.Col(error_state(exc), xs=12)]


# ------------------------------------------------------------------ callbacks
@callback(kpi_row_output(KPIS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
@guard(_kpi_error)
def kpis(query, _theme, state):
    row = load_dataset("user_kpis", filters_from_store(chart_query(query, state))).iloc[0]
    return kpi_cards(kpi_values(row))


@callback(*chart_outputs(SIGNUPS), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def signups(query, theme, state):
    return render_chart("signups_monthly", chart_query(query, state, SIGNUPS), theme, build_signups, height=300)


@callback(*chart_outputs(GENDER), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def gender(query, theme, state):
    return render_chart("gender_split", chart_query(query, state, GENDER), theme, build_share_donut, names="gender",
                        labels=GENDERS, height=300)


@callback(*chart_outputs(AGE), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def age(query, theme, state):
    return render_chart("age_bands", chart_query(query, state, AGE), theme, build_age_bands, height=300)


@callback(*chart_outputs(PLATFORM), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def platform(query, theme, state):
    figure, *rest = render_chart("platform_usage", chart_query(query, state, PLATFORM), theme, build_share_donut,
                                 names="platform", height=300)
    return emphasise(figure, state["sel"].get("platforms")), *rest


@callback(*chart_outputs(CITY), *page_inputs(), Input(XF_STORE, "data"))
@memoized
def city(query, theme, state):
    figure, *rest = render_chart("users_by_city", chart_query(query, state, CITY), theme, build_bar, x="city",
                                 y="users", height=320)
    return emphasise(figure, state["sel"].get("cities")), *rest


@callback(Output(XF_STORE, "data"), Output(chart_ids(CITY).graph, "clickData"),
          Output(chart_ids(PLATFORM).graph, "clickData"), Input(chart_ids(CITY).graph, "clickData"),
          Input(chart_ids(PLATFORM).graph, "clickData"), State(XF_STORE, "data"), prevent_initial_call=True)
def cross_filter(city_click, platform_click, state):
    """A click sets/toggles a cross-filter; clickData is cleared so the same point can be clicked again."""
    if dash.ctx.triggered_id == chart_ids(CITY).graph:
        return on_click(state, "cities", click_value(city_click, "x"), CITY), None, None
    return on_click(state, "platforms", click_value(platform_click, "label"), PLATFORM), None, None


removable_chips(XF, XF_STORE)


@callback(Output(XF_CHIPS, "children"), Output(URL_PARAMS, "data"), Input(XF_STORE, "data"))
def chips(state):
    return crossfilter_chips(XF, state["sel"], chip_labels()), state_params(state)


mirror_to_url(URL_SINK, URL_PARAMS)
