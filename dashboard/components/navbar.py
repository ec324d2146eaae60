"""The navbar, built from `dash.page_registry`: a page appears as soon as its module registers.

Pages are sorted by `order`; pages that pass `group="..."` to `register_page` share a dropdown
named after the group (placed where the group's first page would be); `nav=False` hides a page
(the 404 page is always hidden). Links carry the current query string, so the filters follow the
user from page to page.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html

from dashboard.components.state import FILTERS_STORE, URL, to_search, with_query

APP_NAME = "Shop BI"
NAV_LINK = "nav-link"  # {"type": NAV_LINK, "path": <page path>}
NAV_GROUP = "nav-group"  # {"type": NAV_GROUP, "group": <group name>}
NAVBAR_COLLAPSE = "navbar-collapse"
NAVBAR_TOGGLER = "navbar-toggler"


def is_not_found(page: Mapping) -> bool:
    return str(page.get("module", "")).rsplit(".", 1)[-1] == "not_found_404"


def nav_pages(registry: Mapping[str, Mapping]) -> list[Mapping]:
    """Pages shown in the navbar, in `order` (then name)."""
    pages = [p for p in registry.values() if not is_not_found(p) and p.get("nav", True)]
    return sorted(pages, key=lambda p: (p.get("order") if p.get("order") is not None else 10_000, p.get("name", "")))


def nav_entries(pages: Iterable[Mapping]) -> list[tuple[str | None, list[Mapping]]]:
    """[(None, [page]) for a top-level link | (group, [pages]) for a dropdown], in page order."""
    entries: list[tuple[str | None, list[Mapping]]] = []
    groups: dict[str, list[Mapping]] = {}
    for page in pages:
        group = page.get("group")
        if not group:
            entries.append((None, [page]))
        elif group in groups:
            groups[group].append(page)
        else:
            groups[group] = [page]
            entries.append((group, groups[group]))
    return entries


def link_id(path: str) -> dict:
    return {"type": NAV_LINK, "path": path}


def group_id(group: str) -> dict:
    return {"type": NAV_GROUP, "group": group}


def _icon(page: Mapping):
    return html.I(className=f"bi {page['icon']} me-1") if page.get("icon") else None


def nav_items(registry: Mapping[str, Mapping], pathname: str | None = None, query: Mapping | None = None) -> list:
    """The links (and group dropdowns) for the page at `pathname` (marked active), carrying `query`."""
    entries = nav_entries(nav_pages(registry))
    paths = [p["relative_path"] for _group, pages in entries for p in pages]
    groups = [group for group, _pages in entries if group is not None]
    hrefs, active, toggles = nav_state(pathname, query, paths, groups, registry)
    href, is_active, toggle = dict(zip(paths, hrefs)), dict(zip(paths, active)), dict(zip(groups, toggles))
    items = []
    for group, pages in entries:
        if group is None:
            page = pages[0]
            path = page["relative_path"]
            items.append(dbc.NavItem(dbc.NavLink([_icon(page), page["name"]], id=link_id(path), href=href[path],
                                                 active=is_active[path])))
        else:
            items.append(dbc.DropdownMenu(
                [dbc.DropdownMenuItem([_icon(p), p["name"]], id=link_id(p["relative_path"]), href=href[p["relative_path"]],
                                      active=is_active[p["relative_path"]]) for p in pages],
                id=group_id(group), label=group, nav=True, in_navbar=True, toggle_class_name=toggle[group],
            ))
    return items


def nav_state(pathname: str | None, query: Mapping | None, paths: list[str], groups: list[str],
              registry: Mapping[str, Mapping]) -> tuple[list[str], list[bool], list[str]]:
    """(href per path: with the filters' query string, active per path, toggle class per group)."""
    current = active_path(pathname, paths)
    search = to_search(query or {})
    active_groups = {_group_of(registry, current)}
    return ([with_query(p, search) for p in paths], [p == current for p in paths],
            ["active" if g in active_groups else "" for g in groups])


def navbar(registry: Mapping[str, Mapping], *, right=None, home: str = "/", pathname: str | None = None,
           query: Mapping | None = None) -> dbc.Navbar:
    """The navbar; `pathname` and `query` (the filters) set the links' first state, `register`'s
    callback keeps them in step afterwards."""
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand([html.I(className="bi bi-bar-chart-line-fill me-2"), APP_NAME], href=home,
                            class_name="fw-bold"),
            html.Div(right, className="d-flex align-items-center gap-2 order-lg-last ms-auto me-2 me-lg-0"),
            dbc.NavbarToggler(id=NAVBAR_TOGGLER, n_clicks=0),
            dbc.Collapse(dbc.Nav(nav_items(registry, pathname, query), navbar=True, class_name="me-auto"), id=NAVBAR_COLLAPSE,
                         is_open=False, navbar=True),
        ], fluid=True),
        color="primary", dark=True, expand="lg", class_name="shell-navbar py-2", sticky="top",
    )


def active_path(pathname: str | None, paths: Iterable[str]) -> str | None:
    """The nav path matching `pathname` (exact, else the longest prefix; "/" only exactly)."""
    pathname = (pathname or "/").rstrip("/") or "/"
    best = None
    for path in paths:
        p = path.rstrip("/") or "/"
        if pathname == p:
            return path
        if p != "/" and pathname.startswith(p + "/") and (best is None or len(p) > len(best)):
            best = path
    return best


def register(app) -> None:
    @app.callback(
        Output(link_id(ALL), "href"), Output(link_id(ALL), "active"), Output(group_id(ALL), "toggle_class_name"),
        Input(URL, "pathname"), Input(FILTERS_STORE, "data"), prevent_initial_call=True,  # the shell rendered the first
    )
    def links(pathname, query):
        import dash

        return nav_state(pathname, query, [o["id"]["path"] for o in ctx.outputs_list[0]],
                         [o["id"]["group"] for o in ctx.outputs_list[2]], dash.page_registry)

    app.clientside_callback(  # the toggler opens/closes the collapsed menu; navigating closes it
        """function(n, pathname, open) {
            const t = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
            return t.startsWith("%s.") ? !open : false;
        }""" % NAVBAR_TOGGLER,
        Output(NAVBAR_COLLAPSE, "is_open"), Input(NAVBAR_TOGGLER, "n_clicks"), Input(URL, "pathname"),
        State(NAVBAR_COLLAPSE, "is_open"), prevent_initial_call=True,
    )


def _group_of(registry: Mapping[str, Mapping], path: str | None) -> str | None:
    for page in registry.values():
        if page.get("relative_path") == path:
            return page.get("group")
    return None
