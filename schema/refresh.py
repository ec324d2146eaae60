"""Refresh: recompute the derived columns and the summary tables, then log the refresh.

A refresh is a list of named steps; each step is a short list of SQLAlchemy Core statements
defined once below:

    order_totals       orders.total = sum of its lines' after_discount (0 without lines)
    ad_metrics         ads.reach / clicks / purchases from ad_interactions; ads.budget = reach x placement price
    campaign_metrics   campaigns.budget / reach / clicks / leads summed over its ads; revenue = valid attributed orders
    summary_<table>    one per schema.summaries.SUMMARIES entry: the table refilled from its SELECT

The first three (the base steps) UPDATE derived columns of base tables; the summaries are rebuilt
whole. Which summary waits for which step is derived from the tables and columns its SELECT reads
(schema/refresh_plan.py): agg_sales_day reads line_facts, agg_ad reads orders.total, ...; the views
are re-created first (schema/views.py) and a row goes to `refresh_log` last.

SQLite and PostgreSQL: one transaction from Python, the steps in dependency order, each summary by
`DELETE FROM t; INSERT INTO t SELECT ...` (SQLite can write on one connection only; readers see the
old rows until the commit). On SQLite a summary's secondary indexes are dropped before its INSERT
and re-created once every summary is built (`index_statements`): one sort per index instead of an
index insert per row, and the summaries built from order_facts scan it instead of walking its
customer_id index with a row lookup per order (what MySQL's IGNORE INDEX hint avoids); at 1M orders
about 4 s less. A large SQLite database also uses the second core: a forked helper process builds
one chain of summaries (order_facts and the summaries built from it) into a scratch file from the
data the transaction started with, and the transaction copies them in at the end
(schema/refresh_sqlite.py). PostgreSQL re-analyzes each rebuilt summary before the summaries built
from it.

MySQL/MariaDB: summaries are built beside the live ones and swapped in.
  1. every summary step builds a shadow table `<name>__new` (DROP IF EXISTS, CREATE TABLE from the
     MetaData definition under the shadow name, index names as the live table's, then
     `INSERT INTO <name>__new SELECT ...`): no DELETE of a million rows, no undo of them. A table
     with secondary indexes is filled with unique_checks=0 and foreign_key_checks=0, so InnoDB
     takes its bulk path into the empty table (every index built by sorting, instead of a random
     index insert per row); a table without them is filled by plain inserts, which cost less there
     because the rows arrive in (or near) primary-key order (`bulk_load`; measured at 1M orders:
     order_facts 10 s of server CPU bulk vs 12 s plain; line_facts, before it had a secondary
     index, 16-21 s bulk vs 10 s plain).
     A summary built from other summaries reads their shadows (its SELECT's table references are
     rewritten, `reading_shadows`). The step runs READ COMMITTED: its INSERT ... SELECT then reads
     the base tables without locking them (REPEATABLE READ would take a shared lock on every row
     read, and wait for the base steps' row locks on another connection).
  2. the base steps run in one transaction, committed before the summaries that read their columns
     start (agg_ad reads orders.total). They are committed before the swap, as a load is: readers
     may briefly see fresh derived columns beside the previous summaries, never half a summary.
  3. the tasks run on two connections at once (`refresh_plan.run_parallel`): independent chains
     (line_facts -> agg_sales_day -> agg_sales_month, order_facts -> agg_customer -> ...) in
     parallel, each started as soon as what it reads is built.
  4. when every shadow is built, ONE `RENAME TABLE a TO a__old, a__new TO a, b TO b__old, ...` swaps
     them all atomically (readers see all the old summaries or all the new ones), then the __old
     tables are dropped and the refresh is logged. A failure before the swap drops every shadow
     (`refresh_discard`) and leaves the live summaries and refresh_log as they were; a refresh
     starts by dropping shadows a killed run left behind. A named lock (GET_LOCK) keeps two
     refreshes of one database from building the same shadows at once.
  Guard: MariaDB's bulk insert does not report a duplicate key; it silently rolls the whole
  INSERT back. A bulk-loaded step therefore fails when its INSERT reported rows but the shadow is
  empty.

The statements are also the bodies of real stored procedures, compiled for MySQL with literal
values: `refresh_<step>()` (a summary's builds its shadow), `refresh_swap()`, `refresh_discard()`
and `refresh_all()`, which runs them all in order on one connection (the base steps in one
transaction), swaps and logs, so a DBA can `CALL refresh_all();` without Python. `refresh()`
installs them when missing or outdated and, by default, CALLs the step procedures on two
connections, then `refresh_swap()`; `via="statements"` runs the same statements from Python on the
same plan (the tests check that every path gives the same rows).

Why UPDATE ... FROM an aggregate: one grouped pass over the child table per step instead of a
correlated lookup per parent row and column. SQLAlchemy renders it as `UPDATE t SET .. FROM (agg)`
on SQLite (3.33+) and PostgreSQL and as the multi-table `UPDATE t, (agg) SET ..` on MySQL, so one
definition serves all three. Rows whose values are already right are skipped (a refresh after a
load rewrites nothing unchanged). Parents without children get zeros from a second statement that
runs only when parents outnumber the distinct child keys (`OnlyIf`: Python asks first, procedures
use IF ... THEN). order_items has an index on (order_id, after_discount), so the order totals
aggregate reads the index alone. MySQL-only tuning stays out of the logic: an index hint
(`IGNORE INDEX`, rendered for MySQL only) and session settings the procedures set and restore
(`session_settings`, `step_settings`). PostgreSQL: stale statistics are refreshed first
(`analyze_stale_tables`).
"""
from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable
from sqlalchemy.sql import Executable, visitors

from schema import refresh_plan, refresh_sqlite
from schema import summaries as summaries_module
from schema.db import HEAP_BYTES, ID_LIST_BYTES, backend, connect
from schema.errors import UserError
from schema.summary_tables import mysql_ignore_index
from schema.tables import ad_interactions, ad_prices, ads, campaigns, metadata, order_items, orders, refresh_log
from schema.views import create_views, money, valid_revenue_by_ad

REQUIRED_TABLES = ("orders", "order_items", "ads", "ad_interactions", "campaigns", "ad_prices", "customers", "products")
PROCEDURE_MARK = "shop-bi refresh"  # prefix of the COMMENT of every procedure this module installs
SHADOW, OLD = "__new", "__old"  # suffixes of a summary's table being built / being replaced (MySQL)
CONNECTIONS = 2  # MySQL: summaries built at once
LOCK_WAIT_SECONDS = 60  # MySQL: how long a refresh waits for another refresh of the same database
LOCK_NAME_SQL = "LEFT(CONCAT('shop-bi refresh ', DATABASE()), 64)"


class NotInitialised(UserError):
    """The database lacks the base tables, or (for the CLI) holds no data to refresh."""


class RefreshFailed(UserError):
    """A refresh step found its result wrong (MySQL: a summary's bulk insert lost its rows), or
    another refresh of the same database held the refresh lock too long."""


@dataclass(frozen=True)
class Step:
    name: str
    build: Callable[[], list["Statement"]]
    rebuilds: sa.Table | None = None  # the summary table the step refills (None: a base step)
    select: Callable[[], sa.Select] | None = None  # the summary's SELECT (what it reads)

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


@dataclass(frozen=True)
class FailIf:
    """Raise (Python: RefreshFailed; procedure: SIGNAL) when `condition` holds."""

    condition: sa.ColumnElement
    message: str  # at most 128 characters (MySQL's MESSAGE_TEXT)


def run_statement(conn: Connection, stmt) -> None:
    if isinstance(stmt, OnlyIf):
        if conn.execute(sa.select(stmt.condition)).scalar():
            conn.execute(stmt.statement)
    elif isinstance(stmt, FailIf):
        if conn.execute(sa.select(stmt.condition)).scalar():
            raise RefreshFailed(stmt.message)
    else:
        conn.execute(stmt)


# ---------------------------------------------------------------- summaries: in place or into shadows
_shadows: dict[tuple[sa.Table, str], sa.Table] = {}


def shadow_of(table: sa.Table, suffix: str = SHADOW) -> sa.Table:
    """`<name>__new`: the summary's definition under another name, in a MetaData of its own (never in
    the project's, so init-db and the data dictionary do not see it). Index names stay the live
    table's (MySQL names indexes per table), so the swapped-in table carries the usual names."""
    key = (table, suffix)
    if key not in _shadows:
        _shadows[key] = table.to_metadata(sa.MetaData(), name=table.name + suffix)
    return _shadows[key]


def reading_shadows(select, tables: list[sa.Table]):
    """The SELECT with every reference to one of `tables` (and its columns) pointed at its shadow."""
    shadows = {t: shadow_of(t) for t in tables}

    def replace(element):
        if isinstance(element, sa.Table) and element in shadows:
            return shadows[element]
        if isinstance(element, sa.Column) and getattr(element, "table", None) in shadows:
            return shadows[element.table].c[element.key]
        return None

    rewritten = visitors.replacement_traverse(select, {}, replace)
    for element in visitors.iterate(rewritten):  # index hints are keyed by table: point them at the shadow too
        hints = getattr(element, "_hints", None)
        if hints and any(table in shadows for table, _ in hints):
            element._hints = type(hints)({(shadows.get(t, t), d): text for (t, d), text in hints.items()})
    return rewritten


def _by_name(indexes) -> list[sa.Index]:
    return sorted(indexes, key=lambda ix: str(ix.name))


def summary_statements(s: summaries_module.Summary, *, shadow: bool = False, drop_indexes: bool = False) -> list[Statement]:
    """shadow (MySQL): build `<name>__new` from the SELECT, reading the other summaries' shadows.
    Otherwise: DELETE + INSERT in place; drop_indexes (SQLite): secondary indexes dropped before the
    INSERT (`index_statements` re-creates them at the end)."""
    columns = [c.name for c in s.table.columns]
    select = s.build_select()
    if not shadow:
        indexes = _by_name(s.table.indexes) if drop_indexes else []
        return [
            sa.delete(s.table),
            *[_drop_index(ix.name, s.table, sqlite.dialect()) for ix in indexes],
            sa.insert(s.table).from_select(columns, select),
        ]
    new = shadow_of(s.table)
    select = reading_shadows(select, [other.table for other in summaries_module.SUMMARIES if other is not s])
    statements = [
        DropTable(new, if_exists=True),
        CreateTable(new),
        *[CreateIndex(ix) for ix in _by_name(new.indexes)],
        sa.insert(new).from_select(columns, select),
    ]
    if bulk_load(s.table):  # MariaDB's bulk insert rolls back the whole INSERT on a duplicate key without an error
        statements.append(FailIf(sa.and_(sa.func.row_count() > 0, ~sa.exists().select_from(new)),
                                 f"refresh: {new.name} lost its rows (duplicate key in the bulk insert)"[:128]))
    return statements


def _drop_index(name: str, table: sa.Table, dialect: Dialect) -> sa.TextClause:
    """DROP INDEX by name (an sa.Index built to drop it would attach itself to the table's MetaData).
    SQLite: IF EXISTS main.<name>, qualified on purpose. When the index is missing (a version that adds
    one, on a database the previous one refreshed), an unqualified DROP makes SQLite verify every
    attached database's schema, and the read lock that takes on the helper's scratch file
    (refresh_sqlite) lasts until the refresh commits: the helper could then not commit its summaries."""
    quote = dialect.identifier_preparer.quote
    if dialect.name == "sqlite":
        return sa.text(f"DROP INDEX IF EXISTS main.{quote(name)}")
    on = f" ON {quote(table.name)}" if dialect.name in ("mysql", "mariadb") else ""
    return sa.text(f"DROP INDEX {quote(name)}{on}")


def bulk_load(table: sa.Table) -> bool:
    """MySQL: fill this summary's shadow through InnoDB's bulk path (unique_checks=0,
    foreign_key_checks=0)? Yes when it has secondary indexes: the bulk path sorts each index
    once instead of inserting into it at random per row. Without them plain inserts are cheaper:
    the bulk path sorts the rows through merge files even when they arrive in key order."""
    return bool(table.indexes)


def index_statements(skip: set[str] = frozenset()) -> list[Statement]:
    """Every summary's secondary indexes but those of `skip` (SQLite: re-created once all summaries are built)."""
    return [CreateIndex(ix, if_not_exists=True) for s in summaries_module.SUMMARIES if s.table.name not in skip
            for ix in _by_name(s.table.indexes)]


def _names(suffix: str) -> list[str]:
    return [s.table.name + suffix for s in summaries_module.SUMMARIES]


def discard_statements(dialect: Dialect) -> list[Statement]:
    """Drop every shadow and every replaced table (a failed or killed refresh's leftovers)."""
    q = dialect.identifier_preparer.quote
    return [sa.text("DROP TABLE IF EXISTS " + ", ".join(q(n) for n in _names(SHADOW) + _names(OLD)))]


def swap_statements(dialect: Dialect) -> list[Statement]:
    """One atomic RENAME puts every shadow in place of its live table, then the old ones go."""
    q = dialect.identifier_preparer.quote
    live = [s.table.name for s in summaries_module.SUMMARIES]
    old = ", ".join(q(n + OLD) for n in live)
    return [
        sa.text(f"DROP TABLE IF EXISTS {old}"),
        sa.text("RENAME TABLE " + ", ".join(f"{q(n)} TO {q(n + OLD)}, {q(n + SHADOW)} TO {q(n)}" for n in live)),
        sa.text(f"DROP TABLE {old}"),
    ]


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


def _summary_steps(*, shadow: bool, drop_indexes: bool = False) -> list[Step]:
    return [
        Step(f"summary_{s.table.name}", lambda s=s: summary_statements(s, shadow=shadow, drop_indexes=drop_indexes),
             s.table, s.build_select)
        for s in summaries_module.SUMMARIES
    ]


def tasks(*, shadow: bool = False, drop_indexes: bool = False) -> list[refresh_plan.Task]:
    """The base steps (one task) and one task per summary, in dependency order, each knowing what
    it waits for. Summaries are read at call time, so later registrations are included."""
    return refresh_plan.plan(
        BASE_STEPS,
        _summary_steps(shadow=shadow, drop_indexes=drop_indexes),
        read_by=lambda step: refresh_plan.reads(step.select()),
        written_by=lambda step: refresh_plan.writes(step.build()),
    )


def steps(*, shadow: bool = False, drop_indexes: bool = False) -> list[Step]:
    """Every step in an order that respects the dependencies (the base steps first)."""
    return [step for task in tasks(shadow=shadow, drop_indexes=drop_indexes) for step in task.steps]


def refreshed_tables() -> list[sa.Table]:
    return [orders, ads, campaigns] + [s.table for s in summaries_module.SUMMARIES]


# ---------------------------------------------------------------- MySQL stored procedures
def compile_mysql(stmt, dialect: Dialect) -> str:
    """One statement of a procedure body (without the final semicolon), values inlined."""
    if isinstance(stmt, OnlyIf):
        return f"IF {compile_mysql(stmt.condition, dialect)} THEN\n  {compile_mysql(stmt.statement, dialect)};\n  END IF"
    if isinstance(stmt, FailIf):
        message = stmt.message.replace("'", "''")
        return f"IF {compile_mysql(stmt.condition, dialect)} THEN\n  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}';\n  END IF"
    if isinstance(stmt, sa.schema.ExecutableDDLElement):
        return str(stmt.compile(dialect=dialect)).strip()
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def session_settings(dialect: Dialect) -> dict[str, str]:
    """MySQL/MariaDB session variables the refresh runs with (SQL literals), restored afterwards.

    - tmp_table_size / max_heap_table_size: the million-row derived tables of the UPDATE ... JOIN
      (SELECT ... GROUP BY) stay in memory instead of spilling to on-disk temporary tables
      (the server default is 16 MB);
    - group_concat_max_len: the id lists of agg_customer_ids_month whole (the server default cuts
      GROUP_CONCAT at 1 MB with a mere warning);
    - MariaDB optimizer_switch split_materialized=off: its "LATERAL DERIVED" plan re-aggregates a
      grouped derived table once per row of the table it is joined to, right for a handful of
      rows, ruinous for a refresh that joins every order."""
    if dialect.name not in ("mysql", "mariadb"):
        return {}
    settings = {"tmp_table_size": str(HEAP_BYTES), "max_heap_table_size": str(HEAP_BYTES),
                "group_concat_max_len": str(ID_LIST_BYTES)}
    if getattr(dialect, "is_mariadb", False):
        settings["optimizer_switch"] = "'split_materialized=off'"
    return settings


def _isolation_variable(dialect: Dialect) -> str:
    return "tx_isolation" if getattr(dialect, "is_mariadb", False) else "transaction_isolation"


def step_settings(step: Step, dialect: Dialect) -> dict[str, str]:
    """Further session settings of a summary step on MySQL/MariaDB (restored after the step):
    READ COMMITTED makes its INSERT ... SELECT read without locking, and for `bulk_load` tables
    unique_checks=0 and foreign_key_checks=0 let InnoDB bulk-load the empty shadow (module docstring)."""
    if step.rebuilds is None or dialect.name not in ("mysql", "mariadb"):
        return {}
    bulk = {"unique_checks": "0", "foreign_key_checks": "0"} if bulk_load(step.rebuilds) else {}
    return {**bulk, _isolation_variable(dialect): "'READ-COMMITTED'"}


def _literal(value) -> str:
    """A saved session value as SQL: numbers as they are, text (optimizer_switch: [a-z_=,]) quoted."""
    return str(int(value)) if isinstance(value, int) or str(value).isdigit() else "'" + str(value).replace("'", "''") + "'"


_SETTING_TYPES = {
    "tmp_table_size": "BIGINT UNSIGNED", "max_heap_table_size": "BIGINT UNSIGNED", "group_concat_max_len": "BIGINT UNSIGNED",
    "optimizer_switch": "VARCHAR(4096)",
    "unique_checks": "BIGINT", "foreign_key_checks": "BIGINT", "tx_isolation": "VARCHAR(64)",
    "transaction_isolation": "VARCHAR(64)",
}


def _procedure_body(statements: list[str], settings: dict[str, str]) -> str:
    body = "".join(f"  {sql};\n" for sql in statements)
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
    ordered = steps(shadow=True)
    for step in ordered:
        settings = {**session_settings(dialect), **step_settings(step, dialect)}
        bodies[step.procedure] = _procedure_body([compile_mysql(s, dialect) for s in step.build()], settings)
    bodies["refresh_discard"] = _procedure_body([compile_mysql(s, dialect) for s in discard_statements(dialect)], {})
    bodies["refresh_swap"] = _procedure_body([compile_mysql(s, dialect) for s in swap_statements(dialect)], {})
    base = "".join(f"    CALL {step.procedure}();\n" for step in ordered if step.rebuilds is None)
    summaries = "".join(f"    CALL {step.procedure}();\n" for step in ordered if step.rebuilds is not None)
    now = sa.func.utc_timestamp(6)
    log = log_statement(
        refreshed_at=now,
        seconds=sa.func.timestampdiff(sa.literal_column("MICROSECOND"), sa.literal_column("started"), now) / 1000000,
        method="procedure",
    )
    bodies["refresh_all"] = (
        "BEGIN\n"
        "  DECLARE started DATETIME(6) DEFAULT UTC_TIMESTAMP(6);\n"
        f"  IF COALESCE(GET_LOCK({LOCK_NAME_SQL}, {LOCK_WAIT_SECONDS}), 0) = 0 THEN\n"
        "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'another refresh of this database is running';\n"
        "  END IF;\n"
        "  BEGIN\n"
        f"    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; CALL refresh_discard(); DO RELEASE_LOCK({LOCK_NAME_SQL}); RESIGNAL; END;\n"
        "    CALL refresh_discard();\n"
        "    START TRANSACTION;\n"
        f"{base}"
        "    COMMIT;\n"
        f"{summaries}"
        "    CALL refresh_swap();\n"
        f"    {compile_mysql(log, dialect)};\n"
        "    COMMIT;\n"
        "  END;\n"
        f"  DO RELEASE_LOCK({LOCK_NAME_SQL});\n"
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
    elapsed: float | None = None  # wall-clock seconds (steps overlap when run on several connections)
    connections: dict[str, int] = field(default_factory=dict)  # step -> connection that ran it (MySQL)

    @property
    def seconds(self) -> float:
        return self.elapsed if self.elapsed is not None else sum(s for _, s in self.steps)

    def lines(self) -> list[str]:
        width = max((len(n) for n, _ in self.steps), default=5)
        out = []
        for name, sec in self.steps:
            on = f"  [{self.connections[name]}]" if name in self.connections else ""
            out.append(f"  {name:<{width}}  {sec:7.2f}s{on}")
        n = len(set(self.connections.values()))
        how = f"{self.method}, {n} connections, steps sum to {sum(s for _, s in self.steps):.2f}s" if n > 1 else self.method
        return out + [f"refreshed in {self.seconds:.2f}s ({how})"]


class _Timer:
    def __init__(self, report: RefreshReport, name: str):
        self.report, self.name = report, name

    def __enter__(self):
        self.t0 = time.perf_counter()

    def __exit__(self, *exc):
        if exc[0] is None:
            self.report.steps.append((self.name, time.perf_counter() - self.t0))


@contextlib.contextmanager
def _session(conn: Connection, settings: dict[str, str]):
    """SET SESSION `settings` for the block, then put the previous values back."""
    if not settings:
        yield
        return
    saved = {n: conn.exec_driver_sql(f"SELECT @@SESSION.{n}").scalar() for n in settings}
    conn.exec_driver_sql("SET SESSION " + ", ".join(f"{n} = {v}" for n, v in settings.items()))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # a broken connection is discarded anyway
            conn.exec_driver_sql("SET SESSION " + ", ".join(f"{n} = {_literal(v)}" for n, v in saved.items()))


def ensure_initialised(conn: Connection) -> None:
    """Raise NotInitialised without the base tables; create missing analytics tables (summaries, log)
    and re-create summaries whose columns differ from the MetaData (written by an older version), or
    add the indexes they lack and drop those this version no longer defines."""
    names = set(sa.inspect(conn).get_table_names())
    missing = [n for n in REQUIRED_TABLES if n not in names]
    if missing:
        raise NotInitialised(
            f"the database has no {', '.join(missing)} table{'s' if len(missing) > 1 else ''}; "
            "run `python run.py init-db` and load data (`python run.py generate`) first"
        )
    inspector = sa.inspect(conn)
    for s in summaries_module.SUMMARIES:  # rebuilt whole anyway: a summary of an older shape is re-created
        if s.table.name in names and {c["name"] for c in inspector.get_columns(s.table.name)} != set(s.table.c.keys()):
            s.table.drop(conn)
            names.discard(s.table.name)
        elif s.table.name in names:  # an index this version adds (SQLite's helper copies the live table's indexes)
            present = {ix["name"]: ix for ix in inspector.get_indexes(s.table.name)}
            for ix in s.table.indexes:
                if ix.name not in present:
                    ix.create(conn)
            defined = {ix.name for ix in s.table.indexes} | {c.name for c in s.table.constraints}
            for name in sorted(set(present) - defined):  # one an older version made: slows the refresh, serves nothing
                conn.execute(_drop_index(name, s.table, conn.dialect))
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
    statements from Python on any backend), "procedures" (MySQL: CALL the step procedures on two
    connections, then refresh_swap), "refresh_all" (MySQL: one `CALL refresh_all()`, which logs itself)."""
    started = time.perf_counter()
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
        elif is_mysql:
            _refresh_with_shadows(engine, conn, report, via=via, started=started)
        else:
            _refresh_in_place(conn, report, started=started)
    report.elapsed = time.perf_counter() - started
    return report


def _log(conn: Connection, started: float) -> None:
    conn.execute(
        log_statement(
            refreshed_at=datetime.now(timezone.utc).replace(tzinfo=None),
            seconds=round(time.perf_counter() - started, 3),
            method="python",
        )
    )


def tables_read(step: Step) -> set[sa.Table]:
    """The tables a step reads: its summary's SELECT, or a base step's statements."""
    if step.select is not None:
        return refresh_plan.reads(step.select())[0]
    return set().union(*(refresh_plan.reads(getattr(s, "statement", s))[0] for s in step.build()))


def _refresh_in_place(conn: Connection, report: RefreshReport, *, started: float) -> None:
    """SQLite, PostgreSQL: every step and the log row in one transaction (the connection rolls back on error).
    A large SQLite database: part of the summaries built by a forked helper (schema/refresh_sqlite.py)."""
    is_postgres, is_sqlite = backend(conn) == "postgresql", backend(conn) == "sqlite"
    plan = tasks(drop_indexes=is_sqlite)
    helper = None
    if is_sqlite and conn.engine.url.database not in (None, "", ":memory:"):
        read = {step.name: tables_read(step) for task in plan for step in task.steps}
        counts = refresh_sqlite.row_counts(conn, set().union(*read.values()))
        helper = refresh_sqlite.choose_helper_set(plan, lambda step: read[step.name], counts)
    if helper is None:
        _run_in_place(conn, report, [step for task in plan for step in task.steps], is_postgres=is_postgres)
        if is_sqlite:
            with _Timer(report, "summary_indexes"):
                for stmt in index_statements():
                    run_statement(conn, stmt)
    else:
        first = len(report.steps)
        conn.commit()  # ATTACH needs no open transaction
        inserts = {step.rebuilds.name: str(_summary_insert(step).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                   for step in helper.steps}
        with refresh_sqlite.ScratchRefresh(conn, helper, inserts) as scratch:
            conn.execute(sa.delete(refresh_log).where(sa.false()))  # begins the transaction and takes the write lock
            scratch.start()
            own = set(helper.own)
            mine = [step for task in plan for step in task.steps if step.rebuilds is None or step.rebuilds.name not in own]
            _run_in_place(conn, report, mine, is_postgres=False)
            for step in mine:
                report.connections[step.name] = 1
            with _Timer(report, "summary_indexes"):
                for stmt in index_statements(skip=own):
                    run_statement(conn, stmt)
            t0 = time.perf_counter()
            helper_seconds = scratch.wait()
            waited = time.perf_counter() - t0
            with _Timer(report, "summary_copy"):
                scratch.copy_in()
            for step in helper.steps:
                name = step.name if step.rebuilds.name in own else f"{step.name} (helper)"
                report.steps.append((name, helper_seconds[step.name]))
                report.connections[name] = 2
            report.steps.append(("summary_indexes (helper)", helper_seconds["summary_indexes (helper)"]))
            report.connections["summary_indexes (helper)"] = 2
            report.steps.append(("waited for the helper", waited))
            _log(conn, started)
            conn.commit()
        order = {step.name: i for i, step in enumerate(steps())}  # the helper's lines among the others, extras last
        report.steps[first:] = sorted(report.steps[first:], key=lambda s: order.get(s[0], len(order)))
        return
    _log(conn, started)
    conn.commit()


def _summary_insert(step: Step):
    return sa.insert(step.rebuilds).from_select([c.name for c in step.rebuilds.columns], step.select())


def _run_in_place(conn: Connection, report: RefreshReport, run: list[Step], *, is_postgres: bool) -> None:
    for step in run:
        with _Timer(report, step.name):
            for stmt in step.build():
                run_statement(conn, stmt)
            if step.rebuilds is not None and is_postgres:
                # fresh statistics (own uncommitted rows count) for the summaries built from it
                conn.exec_driver_sql(f"ANALYZE {step.rebuilds.name}")


def _refresh_with_shadows(engine: Engine, conn: Connection, report: RefreshReport, *, via: str, started: float) -> None:
    """MySQL/MariaDB: shadows built on CONNECTIONS connections, one atomic swap, then the log row."""
    dialect = conn.dialect

    def run(name: str, statements: Callable[[Dialect], list]) -> None:  # on the main connection
        if via == "procedures":
            conn.exec_driver_sql(f"CALL refresh_{name}()")
        else:
            for stmt in statements(dialect):
                run_statement(conn, stmt)
        conn.commit()

    def run_step(worker: Connection, step: Step) -> None:
        if via == "procedures":
            worker.exec_driver_sql(f"CALL {step.procedure}()")
        else:
            with _session(worker, step_settings(step, dialect)):
                for stmt in step.build():
                    run_statement(worker, stmt)

    def interrupt(ids: list) -> None:
        for connection_id in ids:
            with contextlib.suppress(Exception):
                conn.exec_driver_sql(f"KILL QUERY {int(connection_id)}")

    if not conn.exec_driver_sql(f"SELECT COALESCE(GET_LOCK({LOCK_NAME_SQL}, {LOCK_WAIT_SECONDS}), 0)").scalar():
        raise RefreshFailed(f"another refresh of this database has been running for over {LOCK_WAIT_SECONDS}s; try again later")
    try:
        try:
            run("discard", discard_statements)  # a killed run's leftovers
            times = refresh_plan.run_parallel(
                engine, tasks(shadow=True), run_step, connections=CONNECTIONS,
                session=(lambda c: _session(c, session_settings(dialect))) if via == "statements" else None,
                connection_id=lambda c: c.exec_driver_sql("SELECT CONNECTION_ID()").scalar(),
                interrupt=interrupt,
            )
            order = {step.name: i for i, step in enumerate(steps())}
            for t in sorted(times, key=lambda t: order.get(t.name, len(order))):
                report.steps.append((t.name, t.seconds))
                report.connections[t.name] = t.connection
            with _Timer(report, "swap"):
                run("swap", swap_statements)
        except BaseException:
            with contextlib.suppress(Exception):
                conn.rollback()
                run("discard", discard_statements)
            raise
        _log(conn, started)
        conn.commit()
    finally:
        with contextlib.suppress(Exception):
            conn.exec_driver_sql(f"DO RELEASE_LOCK({LOCK_NAME_SQL})")


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
