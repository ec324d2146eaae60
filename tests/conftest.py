"""Shared database fixtures: a fresh, empty database per test on SQLite, MariaDB and PostgreSQL.

    def test_something(db_url): ...      # runs three times: sqlite, mariadb, postgresql
    def test_other(engine): ...          # an Engine (schema.db.create_engine) on a fresh database

Server URLs (no database part) come from TEST_MYSQL_URL (default mysql+pymysql://root@127.0.0.1:3306)
and TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432). A server that cannot
be reached FAILS the test with a clear message (CI starts the servers); set TEST_SKIP_SERVERS=1 to
skip server-backed tests instead. Each server database is created for one test, named
``<module>_test_<random>`` (e.g. loader_test_3f2a9c1e for tests/integration/test_loader.py), and
dropped afterwards even when the test fails; tests never touch databases they did not create.
"""
from __future__ import annotations

import contextlib
import os
import re
import uuid

import pytest
import sqlalchemy as sa

DEFAULT_SERVER_URLS = {
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432",
}
SERVER_ENV = {"mariadb": "TEST_MYSQL_URL", "postgresql": "TEST_POSTGRES_URL"}
BACKENDS = ("sqlite", "mariadb", "postgresql")


def server_url(kind: str) -> str:
    return os.environ.get(SERVER_ENV[kind]) or DEFAULT_SERVER_URLS[kind]


def skip_servers() -> bool:
    return os.environ.get("TEST_SKIP_SERVERS", "").strip().lower() in ("1", "true", "yes")


def _database_name(request) -> str:
    module = getattr(request, "module", None)
    stem = module.__name__.rsplit(".", 1)[-1] if module else "tests"
    stem = re.sub(r"^test_", "", stem)
    stem = re.sub(r"[^a-z0-9_]", "_", stem.lower())[:30] or "tests"
    return f"{stem}_test_{uuid.uuid4().hex[:8]}"


def _admin_engine(kind: str) -> sa.Engine:
    url = sa.make_url(server_url(kind))
    if kind == "postgresql":
        url = url.set(database=url.database or "postgres")
    else:
        url = url.set(database=None)
    connect_args = {"connect_timeout": 5}
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool, connect_args=connect_args)


def _unreachable(kind: str, exc: Exception):
    url = sa.make_url(server_url(kind)).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()
    message = (
        f"{kind} test server at {url} is unreachable ({reason[0] if reason else type(exc).__name__}). "
        f"Start it (CI does), point {SERVER_ENV[kind]} at one, or set TEST_SKIP_SERVERS=1 to skip server tests."
    )
    if skip_servers():
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


@contextlib.contextmanager
def fresh_database(kind: str, name: str, tmp_path):
    """Yield the URL of a new empty database of ``kind``; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / (name + '.db')}"
        return
    if skip_servers():
        pytest.skip(f"TEST_SKIP_SERVERS is set: no {kind} tests")
    admin = _admin_engine(kind)
    failure = None
    try:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
            else:
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    except sa.exc.OperationalError as exc:
        failure = exc
    if failure is not None:
        admin.dispose()
        _unreachable(kind, failure)
    try:
        yield str(sa.make_url(server_url(kind)).set(database=name).render_as_string(hide_password=False))
    finally:
        _drop_database(admin, kind, name)
        admin.dispose()


def _drop_database(admin: sa.Engine, kind: str, name: str) -> None:
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        # Connections a test left open on its database would block DROP DATABASE: end them
        # (they can only be this test's own connections, the database is brand new).
        ids = conn.execute(
            sa.text("SELECT id FROM information_schema.processlist WHERE db = :db AND id <> CONNECTION_ID()"), {"db": name}
        ).scalars().all()
        for pid in ids:
            with contextlib.suppress(sa.exc.DBAPIError):
                conn.execute(sa.text(f"KILL CONNECTION {int(pid)}"))
        conn.execute(sa.text("SET SESSION lock_wait_timeout = 30"))
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))


def generated_sqlite(folder, *, orders: int, seed: int, start, months: int) -> str:
    """The URL of a new SQLite file in `folder` holding `orders` generated orders (for a module's tests)."""
    from datagen.pipeline import generate_into
    from schema.db import create_engine

    url = f"sqlite:///{folder / 'generated.db'}"
    engine = create_engine(url)
    try:
        generate_into(engine, orders=orders, seed=seed, start=start, months=months, replace=False)
    finally:
        engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """The URL of a fresh, empty database; parametrised over sqlite, mariadb and postgresql."""
    with fresh_database(request.param, _database_name(request), tmp_path) as url:
        yield url


@pytest.fixture
def db_factory(request, tmp_path):
    """``db_factory(kind)`` -> URL of another fresh database of that kind (dropped at teardown)."""
    stack = contextlib.ExitStack()

    def make(kind: str) -> str:
        return stack.enter_context(fresh_database(kind, _database_name(request), tmp_path))

    with stack:
        yield make


@pytest.fixture
def engine(db_url):
    """An Engine from schema.db.create_engine on ``db_url``; disposed after the test."""
    from schema.db import create_engine

    eng = create_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()
