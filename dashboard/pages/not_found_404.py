"""Shown for any path no page claims (Dash pages' `not_found_404` convention); never in the navbar."""
import dash
import dash_bootstrap_components as dbc
from dash import html

dash.register_page(__name__, path="/404", title="Page not found · Shop BI", name="Not found", nav=False,
                   filters=())


def layout(**_query):
    return html.Div(
        [
            html.I(className="bi bi-signpost-split display-4 text-body-secondary"),
            html.H2("Page not found", className="mt-3"),
            html.P("There is no page at this address. The links above lead to every report.",
                   className="text-body-secondary"),
            dbc.Button([html.I(className="bi bi-house me-1"), "Back to the start"], href="/", color="primary"),
        ],
        className="text-center py-5 not-found",
    )
