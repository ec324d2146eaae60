"""The query layer's database handle and the one function that runs a statement into a DataFrame.

`configure(settings_or_url)` once (the CLI and the app do it); `get_engine()` returns the shared
engine (configured from the environment if nobody configured it). `read_frame` executes a
SQLAlchemy `select()`/`text()` with bound parameters only and returns numeric columns as float
or int, whatever the driver hands back (Decimal on MySQL/PG, int/float on SQLite).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Callable, TypeVar

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from schema.config import Settings
from schema.db import connect, create_engine, describe_connection_error
from schema.errors import DatabaseUnavailable

_engine: Engine | None = None
T = TypeVar("T")


def configure(settings_or_url: Settings | str | Engine | None = None) -> Engine:
    """Point the query layer at a database (a Settings, a URL or an Engine); returns the engine."""
    global _engine
    if isinstance(settings_or_url, Engine):
        engine = settings_or_url
    else:
        if settings_or_url is None:
            settings_or_url = Settings.from_env()
        url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.database_url
        engine = create_engine(url)
    if _engine is not None and _engine is not engine:
        _engine.dispose()
    _engine = engine
    return engine


def get_engine() -> Engine:
    return _engine if _engine is not None else configure()


# Two workers: the machine this targets has two cores (with the caller, three threads share them).
_side = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-side")


def at_once(*calls: Callable[[], T]) -> list[T]:
    """The results of independent query functions run concurrently, each on its own pooled connection
    (an exception in any is raised here). The database does the work, and the drivers (sqlite3, PyMySQL
    waiting on its socket, psycopg) release the GIL meanwhile, so statements run on both cores. The
    calling thread runs the first call, then every call no side thread has started yet; put the
    slowest first. Side threads must not call at_once themselves: side threads waiting for side
    threads could starve the pool."""
    later = [(call, _side.submit(call)) for call in calls[1:]]
    results = [calls[0]()]
    try:
        # every call no side thread has started yet runs here before this thread waits for any
        mine = {i: call() for i, (call, future) in enumerate(later) if future.cancel()}
        results += [mine[i] if i in mine else future.result() for i, (_, future) in enumerate(later)]
    finally:
        for _, future in later:
            future.cancel()
    return results


def read_frame(stmt, params: dict | None = None, *, engine: Engine | None = None) -> pd.DataFrame:
    """Run one statement with bound parameters into a DataFrame (typed errors, see _execute)."""
    columns, rows = _execute(stmt, params, engine)
    # plain tuples: pandas probes each SQLAlchemy Row for attributes, which costs 10x the query on 5k rows
    return coerce_numeric(pd.DataFrame(list(map(tuple, rows)), columns=columns))


def scalar_rows(stmt, params: dict | None = None, *, engine: Engine | None = None) -> list[tuple]:
    """Plain rows (for small lookups such as option lists and the data version)."""
    return list(map(tuple, _execute(stmt, params, engine)[1]))


def _execute(stmt, params, engine) -> tuple[list[str], list]:
    """A lost server -> DatabaseUnavailable; missing tables (a database never initialised or
    refreshed by this version) -> DatabaseUnavailable saying which command fixes it."""
    engine = engine or get_engine()
    with connect(engine) as conn:
        try:
            result = conn.execute(stmt, params or {})
            return list(result.keys()), result.fetchall()
        except (OperationalError, ProgrammingError) as exc:
            if _is_connection_error(exc):
                raise DatabaseUnavailable(describe_connection_error(engine, exc)) from None
            if _is_missing_table(exc):
                raise DatabaseUnavailable(f"the database lacks a table the dashboard reads ({_first_line(exc)}); "
                                          "run `python run.py init-db` and `python run.py refresh`") from None
            raise


DATE_COLUMNS = ("day", "month", "week", "period")


def coerce_numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Decimal -> float; date columns (SQLite returns text) -> datetime.date."""
    for col in frame.columns:
        if col in DATE_COLUMNS or col.endswith("_date"):
            frame[col] = pd.to_datetime(frame[col]).dt.date if not frame.empty else frame[col]
            continue
        s = frame[col]
        if s.dtype != object or s.empty:
            continue
        sample = s.dropna()
        if sample.empty:
            continue
        first = sample.iloc[0]
        if isinstance(first, Decimal):
            frame[col] = pd.to_numeric(s.map(lambda v: None if v is None else float(v)), errors="coerce").astype(float)
    return frame


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__


def _is_missing_table(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "no such table" in text or "doesn't exist" in text or ("relation" in text and "does not exist" in text)


def _is_connection_error(exc: DBAPIError) -> bool:
    return bool(getattr(exc, "connection_invalidated", False)) or "connect" in str(exc.orig).lower() or "gone away" in str(exc.orig).lower()
