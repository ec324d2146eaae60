"""The only place that caches query results (flask-caching).

Key = dataset name + the filters it honours (`filters.only(*dataset.dimensions)`) + its params +
the data version (the latest refresh_log entry, re-read at most every DATA_VERSION_TTL seconds),
so a refresh run from another process invalidates every entry without talking to this one.
Works without a Flask app (the CLI): the cache then lives on a private Flask instance;
`dashboard/app.py` calls `init_cache(server, settings)` to put it on the real server.
"""
from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa
from flask import Flask
from flask_caching import Cache

from schema.config import Settings
from schema.tables import refresh_log

DATA_VERSION_TTL = 5.0  # seconds between two reads of refresh_log

cache = Cache()
_state = {"app": None, "version": None, "version_read_at": 0.0}


def cache_config(settings: Settings) -> dict:
    config = {"CACHE_TYPE": settings.cache_type, "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
              "CACHE_THRESHOLD": 2000}
    if settings.cache_redis_url:
        config["CACHE_REDIS_URL"] = settings.cache_redis_url
    return config


def init_cache(app: Flask | None = None, settings: Settings | None = None) -> Cache:
    """Bind the cache to `app` (a private Flask instance when None)."""
    app = app or Flask("dashboard-queries-cache")
    cache.init_app(app, cache_config(settings or Settings.from_env()))
    _state["app"] = app
    return cache


def _backend():
    if _state["app"] is None:
        init_cache()
    return _state["app"].extensions["cache"][cache]


def data_version(*, force: bool = False) -> str:
    """The latest refresh marker (cheap; cached for DATA_VERSION_TTL seconds)."""
    now = time.monotonic()
    if force or _state["version"] is None or now - _state["version_read_at"] > DATA_VERSION_TTL:
        _state["version"] = _read_data_version()
        _state["version_read_at"] = now
    return _state["version"]


def _read_data_version() -> str:
    from dashboard.queries.engine import get_engine, scalar_rows

    engine = get_engine()
    try:
        rows = scalar_rows(sa.select(sa.func.count(), sa.func.max(refresh_log.c.refresh_id)))
    except sa.exc.ProgrammingError:  # no refresh_log table yet (PostgreSQL, MySQL)
        rows = [(0, None)]
    except sa.exc.OperationalError as exc:  # SQLite: no such table
        if "no such table" not in str(exc):
            raise
        rows = [(0, None)]
    return f"{engine.url.render_as_string(hide_password=True)}|{rows[0][0]}|{rows[0][1]}"


def cache_key(name: str, filters, params: dict) -> str:
    raw = repr((name, filters, sorted(params.items()), data_version()))
    return "ds:" + hashlib.sha256(raw.encode()).hexdigest()


def cached(name: str, filters, params: dict, compute):
    """Return the cached value for (name, filters, params) or compute and store it."""
    backend = _backend()
    key = cache_key(name, filters, params)
    value = backend.get(key)
    if value is None:
        value = compute()
        backend.set(key, value)
    return value


def clear_results() -> None:
    """Forget every cached result (the data version is kept)."""
    _backend().clear()


def clear_cache() -> None:
    """Forget every cached result and re-read the data version (called after refresh)."""
    clear_results()
    _state["version"] = None
