"""One module per page (ARCHITECTURE rule 6): `dash.register_page(__name__, ...)`, `layout(**query)`,
and that page's callbacks. Dash imports every module here that calls `register_page`."""
