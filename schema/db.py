"""Engines and connections, with driver errors turned into one-line messages."""
from __future__ import annotations

import contextlib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from schema.errors import ConfigError, DatabaseUnavailable

# MySQL/MariaDB session sizes, for every session (init_command) and the refresh procedures (refresh.session_settings):
HEAP_BYTES = 256 * 1024 * 1024  # in-memory temporary tables (the default 16 MB sent a refresh GROUP BY to disk: 43 s, not 11)
ID_LIST_BYTES = 1024 * 1024 * 1024  # GROUP_CONCAT results (sqlexpr.id_list), which the default cuts at 1 MB with a warning

SUPPORTED_SCHEMES = ("sqlite", "mysql+pymysql", "mariadb+pymysql", "postgresql", "postgresql+psycopg")


def normalise_url(url: str) -> sa.URL:
    """Parse a DATABASE_URL; plain mysql:// and postgresql:// pick the bundled drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"cannot parse database URL {redact(url)!r}; expected e.g. sqlite:///data/x.db or mysql+pymysql://user:pass@host/db") from None
    driver = {"mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
    if parsed.drivername in driver:
        parsed = parsed.set(drivername=driver[parsed.drivername])
    if parsed.drivername not in SUPPORTED_SCHEMES:
        raise ConfigError(f"unsupported database URL scheme {parsed.drivername!r}; use sqlite, mysql+pymysql or postgresql")
    return parsed


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable url>"


def create_engine(url: str, **kwargs) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    connect_args = {}
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        connect_args = {"local_infile": True, "charset": "utf8mb4",
                        "init_command": f"SET SESSION tmp_table_size = {HEAP_BYTES}, max_heap_table_size = {HEAP_BYTES}, "
                                        f"group_concat_max_len = {ID_LIST_BYTES}"}
    try:
        engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    except NoSuchModuleError as exc:  # pragma: no cover - requirements install every driver
        raise ConfigError(f"no driver for {parsed.drivername}: {exc}") from None
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        sa.event.listen(engine, "connect", _mariadb_without_lateral_derived)
    return engine


def _mariadb_without_lateral_derived(dbapi_conn, _record) -> None:
    """MariaDB (10.11.19 here) can return wrong rows from its "LATERAL DERIVED" plan (split_materialized):
    a grouped derived table joined to the calendar gained an order from another day. Off for every
    session on a MariaDB server; MySQL has no such switch."""
    if "mariadb" in dbapi_conn.get_server_info().lower():
        with dbapi_conn.cursor() as cur:
            cur.execute("SET SESSION optimizer_switch = 'split_materialized=off'")


def _sqlite_engine(parsed: sa.URL, **kwargs) -> Engine:
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-200000")  # 200 MB page cache
        cur.execute("PRAGMA temp_store=MEMORY")
        # reads straight from the OS page cache, shared by every connection (the query layer runs a KPI
        # row's lookups on several at once), instead of each copying pages into its own cache
        cur.execute("PRAGMA mmap_size=4294967296")
        cur.close()

    return engine


def describe_connection_error(engine: Engine, exc: Exception) -> str:
    """One line saying what is wrong with the connection and how to fix it."""
    url = engine.url.render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else type(exc).__name__
    return f"cannot connect to {url}: {reason}. Check that the server runs and DATABASE_URL (or --database-url) has the right host, user and password."


@contextlib.contextmanager
def connect(engine: Engine):
    """A connection whose connect-time failures become DatabaseUnavailable."""
    try:
        conn = engine.connect()
    except (OperationalError, DBAPIError) as exc:
        raise DatabaseUnavailable(describe_connection_error(engine, exc)) from None
    with conn:
        yield conn


def check_available(engine: Engine) -> None:
    with connect(engine) as conn:
        conn.execute(sa.text("SELECT 1"))


def backend(engine_or_conn) -> str:
    """'sqlite', 'mysql' (MariaDB too) or 'postgresql'."""
    name = engine_or_conn.dialect.name
    return "mysql" if name in ("mysql", "mariadb") else name
