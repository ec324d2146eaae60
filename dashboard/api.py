"""A read-only JSON API on the dashboard's Flask server (registered by `create_app`).

    GET /api/v1/datasets                      the catalogue: name, title, description, dimensions, params
    GET /api/v1/datasets/<name>?from=YYYY-MM-DD&to=...&category=A&category=B&scope=net&limit=5
        -> the JSON `python run.py query <name> --format json` prints (same export code);
           `&format=csv` for CSV. Dataset params by name (`limit=5`) or as the CLI spells them
           (`param=limit=5`, repeatable).

Errors are JSON `{"error": "..."}`: 400 for a bad filter or parameter (bad date, from after to,
unknown category, unknown parameter), 404 for an unknown dataset, 503 when the database is down.
Filters are parsed strictly (`Filters.parse`), unlike the browser's tolerant URL handling.
"""
from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request

from dashboard.components.state import FILTER_PARAMS
from schema.errors import DatabaseUnavailable, InvalidFilter, UserError

PREFIX = "/api/v1"
FORMATS = ("json", "csv")

bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)


class NotFound(UserError):
    pass


def _error(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


@bp.errorhandler(UserError)
def _user_error(exc: UserError):
    from dashboard.queries.registry import UnknownDataset

    if isinstance(exc, (UnknownDataset, NotFound)):
        return _error(str(exc), 404)
    if isinstance(exc, DatabaseUnavailable):
        return _error(f"database unavailable: {exc}", 503)
    return _error(str(exc), 400)


@bp.get("/datasets")
def list_datasets():
    from dashboard.queries.catalogue import DATASETS

    return jsonify(datasets=[
        {"name": ds.name, "title": ds.title, "description": ds.description, "dimensions": list(ds.dimensions),
         "params": ds.params, "metrics": list(ds.metrics)}
        for ds in sorted(DATASETS.values(), key=lambda d: d.name)
    ])


@bp.get("/datasets/<name>")
def get_dataset(name: str):
    from dashboard.queries.catalogue import parse_params, run_dataset
    from dashboard.queries.export import to_csv, to_json
    from dashboard.queries.registry import get_dataset as lookup

    ds = lookup(name)
    filters, raw_params, fmt = split_args(request.args)
    params = parse_params(ds, raw_params)
    frame = run_dataset(ds.name, filters, params)
    if fmt == "csv":
        return Response(to_csv(frame), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{ds.name}.csv"'})
    return Response(to_json(ds.name, frame, filters.only(*ds.dimensions), params), mimetype="application/json")


@bp.route("/<path:rest>")
def not_found(rest: str):
    return _error(f"no such endpoint {PREFIX}/{rest}; see {PREFIX}/datasets", 404)


def split_args(args) -> tuple:
    """Query args -> (strict Filters, dataset params, format); bad values raise InvalidFilter."""
    from dashboard.queries.filters import Filters, parse_date

    fmt = args.get("format", "json")
    if fmt not in FORMATS:
        raise InvalidFilter(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    for key in ("from", "to"):
        if args.get(key):
            parse_date(args[key], key)  # the strict message ("'x' is not a date; use YYYY-MM-DD")
    query = {k: [v for v in args.getlist(k) if v != ""] for k in args if k in FILTER_PARAMS}
    filters = Filters.parse({k: v for k, v in query.items() if v})
    params: dict[str, str] = {}
    for item in args.getlist("param"):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidFilter(f"param takes KEY=VALUE, got {item!r}")
        params[key.strip()] = value.strip()
    for key in args:
        if key not in FILTER_PARAMS and key not in ("param", "format"):
            params[key] = args.getlist(key)[-1]
    return filters, params, fmt


def register(server: Flask) -> None:
    server.register_blueprint(bp)
