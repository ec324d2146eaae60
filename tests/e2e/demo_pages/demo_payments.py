"""A second demo page, in a navbar group, honouring other filters than the first (payment methods)."""
import dash
import dash_bootstrap_components as dbc
from dash import callback, html

from dashboard.components.chart_card import chart_card, chart_outputs, render_chart
from dashboard.components.state import page_inputs
from dashboard.figures import build_bar, build_donut

FILTERS = ("start", "end", "payment_methods", "status_scope")
dash.register_page(__name__, path="/demo/payments", name="Payments", title="Payments demo · Shop BI", order=1,
                   group="Demo group", icon="bi-credit-card", filters=FILTERS)

MIX, STATUS = "demo-payment-mix", "demo-status-mix"


def layout(**_query):
    return html.Div([
        html.Div(html.H2("Payments demo"), className="page-header"),
        dbc.Row([
            dbc.Col(chart_card(MIX, "Orders by payment method", metrics=("orders",)), lg=7, class_name="mb-3"),
            dbc.Col(chart_card(STATUS, "Order status mix", metrics=("status_mix",)), lg=5, class_name="mb-3"),
        ]),
    ])


@callback(*chart_outputs(MIX), *page_inputs())
def mix(query, theme):
    return render_chart("payment_mix", query, theme, build_bar, x="payment_method", y="orders")


@callback(*chart_outputs(STATUS), *page_inputs())
def status(query, theme):
    return render_chart("status_mix", query, theme, build_donut, names="status", values="orders")
