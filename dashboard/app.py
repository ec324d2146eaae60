"""The app shell: navbar from `dash.page_registry`, the global filter bar, the shared stores, and nothing else.

    create_app(settings) -> dash.Dash       # one per process (Dash pages register globally)
    gunicorn 'dashboard.app:server'         # `app` and `server` are built on first access

Routing is the shell's own: the page is chosen from the URL *path* only, so a filter change (which
rewrites the query string) updates the charts through `FILTERS_STORE` without rebuilding the page.
A page load needs no routing round trip: the layout request carries the page's URL (its Referer), so
`shell_layout` renders the page, its filters and the filter bar's values at once and the page's own
callbacks start as soon as the layout arrives (the routing and filter-bar callbacks run on later URL
and control changes only; when the layout was made for another URL, `layout_post` drops the URL it
was made for and `dcc.Location` reports the real one, which routes as before).
A page module is `dashboard/pages/<name>.py` with `dash.register_page(__name__, ...)`, a
`layout(**query)` and its callbacks; see dashboard/pages/README.md.
Everything is served from this process: theme CSS, icon font and Dash's own JavaScript (no CDN).
"""
from __future__ import annotations

import importlib.util
import json
import logging
import sys
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard.components import chart_card, filter_bar, navbar
from dashboard.components.data import data_info, dimension_options, known_values
from dashboard.components.errors import error_banner
from dashboard.components.state import (
    DATA_INFO, FILTERS_STORE, PAGE_CONTENT, PAGE_META, THEME_STORE, URL, parse_search,
)
from dashboard.figures.theme import DARK, LIGHT
from schema.config import PROJECT_ROOT, Settings
from schema.errors import UserError

log = logging.getLogger(__name__)

PAGES_FOLDER = Path(__file__).resolve().parent / "pages"
ASSETS_FOLDER = PROJECT_ROOT / "assets"
THEME_CSS = {LIGHT: "vendor/bootswatch/flatly.min.css", DARK: "vendor/bootswatch/darkly.min.css"}
THEME_LINK = "theme-css"  # <link id> of the Bootstrap theme in <head>
THEME_TOGGLE = "theme-toggle"
THEME_ICON = "theme-icon"
COPY_LINK = "copy-link"
PAGE_TITLE = "page-title-sink"
APP_TITLE = navbar.APP_NAME
_created: list[bool] = []  # create_app() calls in this process (at most one)


# ------------------------------------------------------------------ pages
def page_for(pathname: str | None, registry: Mapping[str, Mapping] | None = None) -> Mapping:
    """The registered page for `pathname` (path or redirect_from), else the 404 page."""
    registry = dash.page_registry if registry is None else registry
    path = "/" + (pathname or "/").strip("/")
    not_found = None
    for page in registry.values():
        if navbar.is_not_found(page):
            not_found = page
        elif path in {page.get("relative_path"), *(page.get("redirect_from") or ())}:
            return page
    return not_found or {"module": "not_found_404", "name": "Not found", "title": "Not found", "layout": html.H1("404")}


def page_meta(page: Mapping) -> dict:
    return {"module": page.get("module"), "path": page.get("relative_path"), "title": page.get("title") or APP_TITLE,
            "filters": list(page["filters"]) if page.get("filters") is not None else None,
            "params": list(page.get("url_params") or ())}


def render_page(page: Mapping, search: str | None):
    """The page's content for the query string `search` (its `layout(**query)`)."""
    layout = page.get("layout")
    return layout(**page_kwargs(search)) if callable(layout) else layout


def layout_url() -> tuple[str, str] | None:
    """(pathname, search) of the page whose layout is being requested: the Referer of the renderer's
    `_dash-layout` request (same host only); None outside a request or without one."""
    import flask

    if not flask.has_request_context() or not flask.request.referrer:
        return None
    parts = urlsplit(flask.request.referrer)
    if parts.netloc != flask.request.host:
        return None
    return parts.path or "/", f"?{parts.query}" if parts.query else ""


def page_kwargs(search: str | None) -> dict:
    """Query string -> keyword arguments for `layout(**query)` (one value: str, repeated: list)."""
    return {k: v[0] if len(v) == 1 else v for k, v in parse_search(search).items()}


def _load_extra_pages(paths: Iterable[str | Path]) -> None:
    """Execute page modules from outside the pages folder (tests' demo pages), as Dash does."""
    for path in paths:
        path = Path(path).resolve()
        name = f"dashboard_extra_pages.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        entry = dash.page_registry.get(name)
        if entry is not None and not entry.get("supplied_layout"):
            entry["layout"] = module.layout


# ------------------------------------------------------------------ layout
def theme_toggle() -> dbc.Button:
    return dbc.Button(html.I(id=THEME_ICON, className="bi bi-moon-stars"), id=THEME_TOGGLE, n_clicks=0,
                      color="link", class_name="theme-toggle text-white p-1", title="Switch light/dark theme")


def copy_link() -> dcc.Clipboard:
    return dcc.Clipboard(
        id=COPY_LINK, title="Copy a link to this view",
        children=html.Span([html.I(className="bi bi-link-45deg"), html.Span(" Copy link", className="d-none d-sm-inline")]),
        copied_children=html.Span([html.I(className="bi bi-check2"), html.Span(" Copied", className="d-none d-sm-inline")]),
        className="btn btn-sm btn-outline-secondary copy-link",
    )


def shell_layout():
    """Evaluated on every page load: reads when the data was refreshed and the days it spans, and
    renders the page at the requested URL with its filters (empty when the URL is unknown: then the
    routing and filter-bar callbacks fill it)."""
    try:
        info, banner = data_info(), None
    except UserError as exc:
        info, banner = {}, error_banner(exc)
    url = layout_url()
    pathname, search = url or (None, None)
    page = page_for(pathname) if url else None
    bar = filter_bar.bar_values(None, search=search, controls=filter_bar.Controls(), pathname=pathname, info=info,
                                known_values=known_values, options=dimension_options) if url else None
    meta, query = page_meta(page) if page else None, bar.query if bar else None
    page_filters = meta["filters"] if meta else ()
    return html.Div([
        dcc.Location(id=URL, refresh=False, pathname=pathname, search=search),
        dcc.Store(id=FILTERS_STORE, data=query),
        dcc.Store(id=THEME_STORE, storage_type="local", data=LIGHT),
        dcc.Store(id=DATA_INFO, data=info),
        dcc.Store(id=PAGE_META, data=meta),
        html.Div(id=PAGE_TITLE, hidden=True),
        navbar.navbar(dash.page_registry, right=theme_toggle(), pathname=pathname, query=query),
        dbc.Container([
            html.Div([
                filter_bar.drawer_toggle(query, page_filters),
                html.Div(className="flex-grow-1"),
                html.Span([html.I(className="bi bi-clock-history me-1"),
                           filter_bar.data_as_of_text(info)], id=filter_bar.DATA_AS_OF, className="data-as-of"),
                copy_link(),
            ], className="shell-toolbar d-flex align-items-center gap-2"),
            filter_bar.filter_bar(bar, page_filters),
            filter_bar.notices(banner if banner is not None or bar is None else bar.banner, bar and bar.notices),
            html.Main(render_page(page, search) if page else None, id=PAGE_CONTENT, className="page-content"),
        ], fluid=True, class_name="shell-main"),
    ], className="shell")


INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <script>
        (function () {  // apply the saved theme before first paint (no light flash on dark)
            try {
                if (JSON.parse(localStorage.getItem("THEME_STORE")) === "dark") {
                    document.documentElement.setAttribute("data-bs-theme", "dark");
                    var link = document.getElementById("THEME_LINK");
                    if (link) { link.href = "DARK_HREF"; }
                }
            } catch (e) {}
        })();
        </script>
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


# Renderer hooks (assets/renderer_hooks.js): `layout_pre` loads plotly.js while the server builds the
# layout (and lets Plotly skip re-fitting a graph whose box kept its size); `layout_post` drops a
# layout rendered for another URL than the page's (see shell_layout).
RENDERER = ("var renderer = new DashRenderer({"
            "layout_pre: function () { window.shopBi.preloadPlotly(%s); }, "
            "layout_post: function (layout) { window.shopBi.checkLayoutUrl(layout, %s); }});")


def plotly_js_url(app: dash.Dash) -> str:
    """The fingerprinted URL Dash serves plotly.min.js under (cached for a year)."""
    import os

    import plotly
    from dash.fingerprint import build_fingerprint

    path = "package_data/plotly.min.js"
    modified = int(os.stat(Path(plotly.__file__).parent / path).st_mtime)
    return f"{app.config.requests_pathname_prefix}_dash-component-suites/plotly/{build_fingerprint(path, plotly.__version__, modified)}"


# ------------------------------------------------------------------ callbacks
def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output(PAGE_CONTENT, "children"), Output(PAGE_META, "data"),
                  Input(URL, "pathname"), State(URL, "search"), prevent_initial_call=True)  # shell_layout rendered the first
    def route(pathname, search):
        page = page_for(pathname)
        return render_page(page, search), page_meta(page)

    app.clientside_callback(
        "function(meta) { if (meta && meta.title) { document.title = meta.title; } return ''; }",
        Output(PAGE_TITLE, "children"), Input(PAGE_META, "data"),
    )
    app.clientside_callback(
        "function(n, theme) { return theme === 'dark' ? 'light' : 'dark'; }",
        Output(THEME_STORE, "data"), Input(THEME_TOGGLE, "n_clicks"), State(THEME_STORE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        """function(theme) {
            const dark = theme === "dark";
            const link = document.getElementById("%s");
            const href = dark ? "%s" : "%s";
            if (link && link.getAttribute("href") !== href) { link.setAttribute("href", href); }
            document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
            return dark ? "bi bi-sun" : "bi bi-moon-stars";
        }""" % (THEME_LINK, app.get_asset_url(THEME_CSS[DARK]), app.get_asset_url(THEME_CSS[LIGHT])),
        Output(THEME_ICON, "className"), Input(THEME_STORE, "data"),
    )
    app.clientside_callback(
        "function(n) { return window.location.href; }",
        Output(COPY_LINK, "content"), Input(COPY_LINK, "n_clicks"), prevent_initial_call=True,
    )
    filter_bar.register(app, known_values=known_values, options=dimension_options)
    navbar.register(app)
    chart_card.register(app)


# ------------------------------------------------------------------ the app
def create_app(settings: Settings | None = None, *, pages_folder: str | Path | None = None,
               extra_pages: Iterable[str | Path] = ()) -> dash.Dash:
    """Build the Dash app (and its Flask server, with the JSON API) for `settings`.

    Once per process: Dash executes the page modules, whose `dash.callback`s go to one global list
    that the first app to serve a request takes; a second app would get none (or duplicates)."""
    from dashboard import api
    from dashboard.queries import cache, catalogue
    from dashboard.startup import freeze_startup_objects

    if _created:
        raise RuntimeError("create_app() was already called in this process; reuse that app "
                           "(Dash pages register page modules and their callbacks globally)")
    _created.append(True)
    settings = settings or Settings.from_env()
    catalogue.configure(settings)
    app = dash.Dash(
        "dashboard", use_pages=True, pages_folder=str(pages_folder or PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER), assets_ignore=r"^(flatly|darkly)\.min\.css$", serve_locally=True,
        suppress_callback_exceptions=True, title=APP_TITLE, update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    _load_extra_pages(extra_pages)
    light = app.get_asset_url(THEME_CSS[LIGHT])
    app.config.external_stylesheets = [{"href": light, "rel": "stylesheet", "id": THEME_LINK}]
    app.index_string = (INDEX_STRING.replace("THEME_STORE", THEME_STORE).replace("THEME_LINK", THEME_LINK)
                        .replace("DARK_HREF", app.get_asset_url(THEME_CSS[DARK])).replace("PLOTLY_JS", plotly_js_url(app)))
    if settings.secret_key:
        app.server.config["SECRET_KEY"] = settings.secret_key
    cache.init_cache(app.server, settings)
    app.layout = shell_layout
    app.renderer = RENDERER % (json.dumps(plotly_js_url(app)), json.dumps(URL))
    register_callbacks(app)
    api.register(app.server)
    freeze_startup_objects()
    return app


_default: dict[str, dash.Dash] = {}


def __getattr__(name: str):
    """`app` and `server` are created on first access (gunicorn `dashboard.app:server`), not at import,
    so importing this module (tests, the CLI) does not configure the default database."""
    if name in ("app", "server"):
        if "app" not in _default:
            _default["app"] = create_app()
        return _default["app"] if name == "app" else _default["app"].server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
