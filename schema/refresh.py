"""Refresh: recompute the derived columns and the summary tables, then log the refresh.

A refresh is a list of named steps; each step is a short list of SQLAlchemy Core statements
(UPDATE ... FROM an aggregate, DELETE + INSERT ... SELECT) defined once below:

    order_totals       orders.total = sum of its lines' after_discount (0 without lines)
    ad_metrics         ads.reach / clicks / purchases from ad_interactions; ads.budget = reach x placement price
    campaign_metrics   campaigns.budget / reach / clicks / leads summed over its ads; revenue = valid attributed orders
    summary_<table>    one per schema.summaries.SUMMARIES entry, in registration order: DELETE, INSERT ... SELECT

then the views are re-created (schema/views.py) and a row goes to `refresh_log`.

SQLite and PostgreSQL run the statements from Python in one transaction. On MySQL/MariaDB the
same statements, compiled for MySQL with literal values, are the bodies of stored procedures
(`refresh_<step>()`, and `refresh_all()` calling them in order and logging), so a DBA can
`CALL refresh_all();` without Python; `refresh()` installs them when missing or outdated and
calls the step procedures one by one inside one transaction (the body of refresh_all, timed per step).

Why UPDATE ... FROM an aggregate: one grouped pass over the child table per step instead of a
correlated lookup per parent row and column. SQLAlchemy renders it as `UPDATE t SET .. FROM (agg)`
on SQLite (3.33+) and PostgreSQL and as the multi-table `UPDATE t, (agg) SET ..` on MySQL, so one
definition serves all three. Rows whose values are already right are skipped (a refresh after a
load rewrites nothing unchanged). Parents without children get zeros from a second statement that
runs only when parents outnumber the distinct child keys (`OnlyIf`: Python asks first, procedures
use IF ... THEN). order_items has an index on (order_id, after_discount), so the order totals
aggregate reads the index alone. MySQL-only tuning stays out of the logic: an index hint
(`IGNORE INDEX`, rendered for MySQL only) and session settings the procedures set and restore
(`session_settings`). PostgreSQL: stale statistics are refreshed first (`analyze_stale_tables`).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.sql import Executable

from schema import summaries as summaries_module
from schema.db import backend, connect
from schema.errors import UserError
from schema.summary_tables import mysql_ignore_index
from schema.tables import ad_interactions, ad_prices, ads, campaigns, metadata, order_items, orders, refresh_log
from schema.views import create_views, money, valid_revenue_by_ad

REQUIRED_TABLES = ("orders", "order_items", "ads", "ad_interactions", "campaigns", "ad_prices", "customers", "products")
PROCEDURE_MARK = "shop-bi refresh"  # prefix of the COMMENT of every procedure this module installs


class NotInitialised(UserError):
    """The database lacks the base tables, or (for the CLI) holds no data to refresh."""


@dataclass(frozen=True)
class Step:
    name: str
    build: Callable[[], list["Statement"]]
    rebuilds: sa.Table | None = None  # a table the step empties and refills (PostgreSQL re-analyzes it)

    @property
    def procedure(self) -> str:
        return f"refresh_{self.name}"


# ---------------------------------------------------------------- the statements
def _changed(target: sa.Table, agg, names: list[str]):
    return sa.or_(*(target.c[n] != agg.c[n] for n in names))


@dataclass(frozen=True)
class OnlyIf:
    """A statement that runs only when `condition` (a boolean SQL expression) holds: Python asks
    `SELECT condition` first; a MySQL procedure compiles it to `IF condition THEN statement; END IF`."""

    condition: sa.ColumnElement
    statement: Executable


Statement = Executable | OnlyIf


def _childless(parent: sa.Table, key: str, child: sa.Table, zeros: dict[str, int]) -> OnlyIf:
    """Zero the derived columns of parents that have no child rows (skipping those already 0).

    Only when parents outnumber the distinct child keys (two index-only counts; this relies on the
    foreign key, every child key being a parent, which all three backends enforce): in the usual
    case every parent has children and the per-parent NOT EXISTS probe never runs."""
    parents = sa.select(sa.func.count()).select_from(parent).scalar_subquery()
    with_children = sa.select(sa.func.count(sa.distinct(child.c[key]))).scalar_subquery()
    has_child = sa.exists().where(child.c[key] == parent.c[key])
    return OnlyIf(
        parents > with_children,
        sa.update(parent).values(zeros).where(sa.or_(*(parent.c[n] != v for n, v in zeros.items())), ~has_child),
    )


def order_totals() -> list[Statement]:
    lines = (  # index-only: order_items has an index on (order_id, after_discount)
        sa.select(order_items.c.order_id, money(sa.func.sum(order_items.c.after_discount)).label("total"))
        .group_by(order_items.c.order_id)
        .subquery("agg")
    )
    return [
        sa.update(orders)
        .values(total=lines.c.total)
        .where(orders.c.order_id == lines.c.order_id, _changed(orders, lines, ["total"])),
        _childless(orders, "order_id", order_items, {"total": 0}),
    ]


def ad_metrics() -> list[Statement]:
    ai = ad_interactions.c
    counts = mysql_ignore_index(
        sa.select(
            ai.ad_id,
            sa.func.count().label("reach"),  # one interaction row per user reached
            sa.func.count(ai.clicked_at).label("clicks"),
            sa.func.count(ai.purchased_at).label("purchases"),
        ).group_by(ai.ad_id),
        ad_interactions,
        "uq_ad_interactions_ad_id_customer_id",
    ).subquery("agg")
    budget = money(counts.c.reach * ad_prices.c.price_per_reach)
    names = ["reach", "clicks", "purchases"]
    return [
        sa.update(ads)
        .values({**{n: counts.c[n] for n in names}, "budget": budget})
        .where(
            ads.c.ad_id == counts.c.ad_id,
            ad_prices.c.placement == ads.c.placement,
            sa.or_(_changed(ads, counts, names), ads.c.budget != budget),
        ),
        _childless(ads, "ad_id", ad_interactions, {"reach": 0, "clicks": 0, "purchases": 0, "budget": 0}),
    ]


def campaign_metrics() -> list[Statement]:
    rev = valid_revenue_by_ad()
    agg = (
        sa.select(
            campaigns.c.campaign_id,
            money(sa.func.coalesce(sa.func.sum(ads.c.budget), 0)).label("budget"),
            sa.func.coalesce(sa.func.sum(ads.c.reach), 0).label("reach"),
            sa.func.coalesce(sa.func.sum(ads.c.clicks), 0).label("clicks"),
            sa.func.coalesce(sa.func.sum(ads.c.purchases), 0).label("leads"),
            money(sa.func.coalesce(sa.func.sum(rev.c.revenue), 0)).label("revenue"),
        )
        .select_from(
            campaigns.outerjoin(ads, ads.c.campaign_id == campaigns.c.campaign_id).outerjoin(rev, rev.c.ad_id == ads.c.ad_id)
        )
        .group_by(campaigns.c.campaign_id)
        .subquery("agg")
    )
    names = ["budget", "reach", "clicks", "leads", "revenue"]
    return [
        sa.update(campaigns)
        .values({n: agg.c[n] for n in names})
        .where(campaigns.c.campaign_id == agg.c.campaign_id, _changed(campaigns, agg, names))
    ]


def run_statement(conn: Connection, stmt) -> None:
    if isinstance(stmt, OnlyIf):
        if conn.execute(sa.select(stmt.condition)).scalar():
            conn.execute(stmt.statement)
    else:
        conn.execute(stmt)


def summary_statements(s: summaries_module.Summary) -> list[Statement]:
    select = s.build_select()
    return [sa.delete(s.table), sa.insert(s.table).from_select([c.name for c in s.table.columns], select)]


def log_statement(*, refreshed_at, seconds, method: str) -> Executable:
    """The refresh_log row; values are Python values (statements path) or SQL expressions (procedure)."""
    return sa.insert(refresh_log).values(
        refreshed_at=refreshed_at,
        seconds=seconds,
        order_count=sa.select(sa.func.count()).select_from(orders).scalar_subquery(),
        method=method,
    )


BASE_STEPS: tuple[Step, ...] = (
    Step("order_totals", order_totals),
    Step("ad_metrics", ad_metrics),
    Step("campaign_metrics", campaign_metrics),
)


def steps() -> list[Step]:
    """The steps in order; summaries are read at call time so later registrations are included."""
    return list(BASE_STEPS) + [
        Step(f"summary_{s.table.name}", lambda s=s: summary_statements(s), s.table) for s in summaries_module.SUMMARIES
    ]


def refreshed_tables() -> list[sa.Table]:
    return [orders, ads, campaigns] + [s.table for s in summaries_module.SUMMARIES]


# ---------------------------------------------------------------- MySQL stored procedures
def compile_mysql(stmt, dialect: Dialect) -> str:
    """One statement of a procedure body (without the final semicolon), values inlined."""
    if isinstance(stmt, OnlyIf):
        return f"IF {compile_mysql(stmt.condition, dialect)} THEN\n  {compile_mysql(stmt.statement, dialect)};\n  END IF"
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


HEAP_BYTES = 256 * 1024 * 1024


def session_settings(dialect: Dialect) -> dict[str, str]:
    """MySQL/MariaDB session variables the refresh runs with (SQL literals), restored afterwards.

    - tmp_table_size / max_heap_table_size: the million-row derived tables of the UPDATE ... JOIN
      (SELECT ... GROUP BY) stay in memory instead of spilling to on-disk temporary tables
      (the server default is 16 MB);
    - MariaDB optimizer_switch split_materialized=off: its "LATERAL DERIVED" plan re-aggregates a
      grouped derived table once per row of the table it is joined to, right for a handful of
      rows, ruinous for a refresh that joins every order."""
    if dialect.name not in ("mysql", "mariadb"):
        return {}
    settings = {"tmp_table_size": str(HEAP_BYTES), "max_heap_table_size": str(HEAP_BYTES)}
    if getattr(dialect, "is_mariadb", False):
        settings["optimizer_switch"] = "'split_materialized=off'"
    return settings


def _literal(value) -> str:
    """A saved session value as SQL: numbers as they are, text (optimizer_switch: [a-z_=,]) quoted."""
    return str(int(value)) if isinstance(value, int) or str(value).isdigit() else "'" + str(value).replace("'", "''") + "'"


_SETTING_TYPES = {"tmp_table_size": "BIGINT UNSIGNED", "max_heap_table_size": "BIGINT UNSIGNED", "optimizer_switch": "VARCHAR(4096)"}


def _procedure_body(statements: list[str], dialect: Dialect) -> str:
    body = "".join(f"  {sql};\n" for sql in statements)
    settings = session_settings(dialect)
    if not settings:
        return f"BEGIN\n{body}END"
    declare = "".join(
        f"  DECLARE saved_{name} {_SETTING_TYPES[name]} DEFAULT @@SESSION.{name};\n" for name in settings
    )
    restore = "SET SESSION " + ", ".join(f"{name} = saved_{name}" for name in settings)
    apply = "SET SESSION " + ", ".join(f"{name} = {value}" for name, value in settings.items())
    return (
        f"BEGIN\n{declare}"
        f"  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN {restore}; RESIGNAL; END;\n"
        f"  {apply};\n{body}  {restore};\nEND"
    )


def procedure_definitions(dialect: Dialect) -> dict[str, str]:
    """name -> CREATE PROCEDURE text, refresh_all last. The COMMENT carries a hash of all bodies,
    so an installed set is recognised as current or outdated."""
    bodies: dict[str, str] = {}
    for step in steps():
        bodies[step.procedure] = _procedure_body([compile_mysql(s, dialect) for s in step.build()], dialect)
    calls = "".join(f"  CALL {step.procedure}();\n" for step in steps())
    now = sa.func.utc_timestamp(6)
    log = log_statement(
        refreshed_at=now,
        seconds=sa.func.timestampdiff(sa.literal_column("MICROSECOND"), sa.literal_column("started"), now) / 1000000,
        method="procedure",
    )
    bodies["refresh_all"] = (
        "BEGIN\n"
        "  DECLARE started DATETIME(6) DEFAULT UTC_TIMESTAMP(6);\n"
        "  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;\n"
        "  START TRANSACTION;\n"
        f"{calls}"
        f"  {compile_mysql(log, dialect)};\n"
        "  COMMIT;\n"
        "END"
    )
    digest = hashlib.sha256("\n".join(f"{k}\n{v}" for k, v in bodies.items()).encode()).hexdigest()[:16]
    comment = f"{PROCEDURE_MARK} {digest}"
    return {name: f"CREATE PROCEDURE {name}() MODIFIES SQL DATA COMMENT '{comment}'\n{body}" for name, body in bodies.items()}


def _installed_procedures(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        sa.text(
            "SELECT ROUTINE_NAME, ROUTINE_COMMENT FROM information_schema.ROUTINES "
            "WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'PROCEDURE'"
        )
    )
    return {name: comment for name, comment in rows}


def install_procedures(conn: Connection, *, force: bool = False) -> bool:
    """Create or replace the refresh procedures (MySQL/MariaDB). True when something was (re)installed.

    Procedures this module installed earlier that no longer exist (a summary removed) are dropped."""
    wanted = procedure_definitions(conn.dialect)
    comment = next(iter(wanted.values())).split("COMMENT '", 1)[1].split("'", 1)[0]
    installed = _installed_procedures(conn)
    stale = [n for n, c in installed.items() if c.startswith(PROCEDURE_MARK) and n not in wanted]
    if not force and not stale and all(installed.get(n) == comment for n in wanted):
        return False
    for name in stale + list(wanted):
        conn.exec_driver_sql(f"DROP PROCEDURE IF EXISTS {name}")
    for create in wanted.values():
        conn.exec_driver_sql(create)
    return True


# ---------------------------------------------------------------- running it
@dataclass
class RefreshReport:
    method: str
    steps: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.steps)

    def lines(self) -> list[str]:
        width = max((len(n) for n, _ in self.steps), default=5)
        return [f"  {name:<{width}}  {sec:7.2f}s" for name, sec in self.steps] + [
            f"refreshed in {self.seconds:.2f}s ({self.method})"
        ]


class _Timer:
    def __init__(self, report: RefreshReport, name: str):
        self.report, self.name = report, name

    def __enter__(self):
        self.t0 = time.perf_counter()

    def __exit__(self, *exc):
        if exc[0] is None:
            self.report.steps.append((self.name, time.perf_counter() - self.t0))


def ensure_initialised(conn: Connection) -> None:
    """Raise NotInitialised without the base tables; create missing analytics tables (summaries, log)."""
    names = set(sa.inspect(conn).get_table_names())
    missing = [n for n in REQUIRED_TABLES if n not in names]
    if missing:
        raise NotInitialised(
            f"the database has no {', '.join(missing)} table{'s' if len(missing) > 1 else ''}; "
            "run `python run.py init-db` and load data (`python run.py generate`) first"
        )
    if not set(metadata.tables) <= names:
        metadata.create_all(conn, checkfirst=True)
    conn.commit()


def analyze_stale_tables(conn: Connection) -> list[str]:
    """PostgreSQL: ANALYZE the tables whose statistics are missing or stale (over 10% of rows
    changed since), as autovacuum would. Right after a bulk load there are none, and the planner,
    guessing 200 groups, picks nested loops and a hash aggregate that spills. Other backends: no-op."""
    if backend(conn) != "postgresql":
        return []
    stale = conn.execute(
        sa.text(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
            "AND (n_mod_since_analyze > 0.1 * GREATEST(n_live_tup, 1000) "
            "OR (last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0))"
        )
    ).scalars().all()
    rebuilt = {s.table.name for s in summaries_module.SUMMARIES}  # analyzed by their own step
    names = sorted(n for n in stale if n in metadata.tables and n not in rebuilt)
    if names:
        conn.exec_driver_sql("ANALYZE " + ", ".join(names))
    conn.commit()
    return names


def refresh(engine: Engine, *, via: str = "auto") -> RefreshReport:
    """Recompute derived columns and summaries, re-create the views, log the refresh.

    via: "auto" (procedures on MySQL/MariaDB, statements elsewhere), "statements" (run the
    statements from Python on any backend), "procedures" (MySQL: CALL each step procedure in one
    transaction), "refresh_all" (MySQL: one `CALL refresh_all()`, which logs itself)."""
    with connect(engine) as conn:
        is_mysql = backend(conn) == "mysql"
        if via == "auto":
            via = "procedures" if is_mysql else "statements"
        if via not in ("statements", "procedures", "refresh_all"):
            raise ValueError(f"unknown refresh method {via!r}")
        if via != "statements" and not is_mysql:
            raise UserError(f"refresh via {via} needs MySQL/MariaDB; this database is {conn.dialect.name}")
        ensure_initialised(conn)
        report = RefreshReport(method=via)
        t0 = time.perf_counter()
        if analyze_stale_tables(conn):
            report.steps.append(("analyze", time.perf_counter() - t0))
        with _Timer(report, "views"):
            create_views(conn)  # DDL; MySQL commits it implicitly anyway, so it is its own transaction
            conn.commit()
        if via != "statements":
            t0 = time.perf_counter()
            if install_procedures(conn):
                report.steps.append(("install_procedures", time.perf_counter() - t0))
            conn.commit()
        if via == "refresh_all":
            with _Timer(report, "refresh_all"):
                conn.exec_driver_sql("CALL refresh_all()")
                conn.commit()
            return report
        # one transaction: every step and the log row, or nothing (the connection rolls back on error)
        settings = session_settings(conn.dialect) if via == "statements" else {}  # procedures set their own
        saved = {n: conn.exec_driver_sql(f"SELECT @@SESSION.{n}").scalar() for n in settings}
        try:
            if settings:
                conn.exec_driver_sql("SET SESSION " + ", ".join(f"{n} = {v}" for n, v in settings.items()))
            for step in steps():
                with _Timer(report, step.name):
                    if via == "procedures":
                        conn.exec_driver_sql(f"CALL {step.procedure}()")
                    else:
                        for stmt in step.build():
                            run_statement(conn, stmt)
                        if step.rebuilds is not None and backend(conn) == "postgresql":
                            # fresh statistics (own uncommitted rows count) for the summaries built from it
                            conn.exec_driver_sql(f"ANALYZE {step.rebuilds.name}")
        finally:
            if settings:
                conn.exec_driver_sql("SET SESSION " + ", ".join(f"{n} = {_literal(v)}" for n, v in saved.items()))
        conn.execute(
            log_statement(
                refreshed_at=datetime.now(timezone.utc).replace(tzinfo=None),
                seconds=round(report.seconds, 3),
                method="python",
            )
        )
        conn.commit()
    return report


def last_refresh(engine: Engine) -> datetime | None:
    """When the data was last refreshed (aware UTC datetime), None if never or no log table."""
    with connect(engine) as conn:
        if not sa.inspect(conn).has_table(refresh_log.name):
            return None
        value = conn.execute(sa.select(sa.func.max(refresh_log.c.refreshed_at))).scalar()
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns MAX() of a DATETIME column as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)
