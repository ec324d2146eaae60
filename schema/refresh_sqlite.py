"""SQLite refresh on two cores: a forked helper builds one chain of summaries into a scratch file.

SQLite has one writer per database file, so the refresh stays one write transaction. But most of a
refresh is reading (joins and GROUP BYs over the facts), and a second process can read the same
file while the transaction runs. So, for a large database:

1. before the transaction the refresh picks a helper set: one summary and every summary built from
   it (`own`: agg_customer, agg_active_month, ... under order_facts), plus the summaries those read
   (`upstream`: dim_segment, product_segment, which the main process builds as well). The set must
   not read what the base steps write (the helper sees committed data, not the transaction's fresh
   orders.total), and is chosen so both processes read about as many rows (`choose_helper_set`);
2. a scratch database gets the same CREATE TABLE statements as the target's tables (from
   sqlite_master) and is attached to the refresh connection as ``scratch`` (ATTACH is not allowed
   inside a transaction);
3. the transaction starts and takes the write lock; only then is the helper forked, so it reads
   exactly the data the transaction started from (no other writer can commit meanwhile). The
   helper fills its summaries in the scratch file (its own copies come first in name resolution,
   the base tables are read from the target, attached) and builds their indexes there;
4. meanwhile the main process runs the base steps and the other summaries;
5. then it empties each `own` table and copies it with ``INSERT INTO main.t SELECT * FROM scratch.t``:
   identical tables and indexes, empty target, so SQLite copies records and index entries as they
   are (its "transfer optimisation"), about 1 s for a million rows.

A failure in the helper fails the refresh (rolled back like any other); the scratch file is deleted
whatever happens. Small databases (fewer rows to read than HELPER_MIN_ROWS) stay in one process:
forking and copying would cost more than they save.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from schema import refresh_plan
from schema.forked import ForkedCall, ForkedCallFailed
from schema.sqlite_scratch import ScratchDatabase

HELPER_MIN_ROWS = 3_000_000  # rows the summaries read in all (about 150k orders); below it one process


@dataclass(frozen=True)
class HelperSet:
    own: tuple[str, ...]  # summary tables the helper builds for the target (copied in at the end)
    upstream: tuple[str, ...]  # summary tables it builds only to read them (the main process builds its own)
    steps: tuple  # the helper's steps in order (upstream and own)


class HelperFailed(RuntimeError):
    pass


# ---------------------------------------------------------------- choosing the helper's share
def row_counts(conn: Connection, tables) -> dict[str, int]:
    return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in tables}


def choose_helper_set(tasks: list[refresh_plan.Task], read_tables, counts: dict[str, int]) -> HelperSet | None:
    """The helper's summaries: one summary task and all its dependents (+ what they read), cost =
    rows of the tables each step reads (current contents, see `with_estimates`), picked to balance the
    two processes. None when no split gains a quarter of the work or the refresh reads too little to be
    worth it."""
    by_name = {t.name: t for t in tasks}
    below = refresh_plan.dependents(tasks)
    counts = with_estimates(tasks, read_tables, counts)
    cost = {t.name: sum(sum(counts.get(table.name, 0) for table in read_tables(step)) for step in t.steps) for t in tasks}
    total = sum(cost.values())
    if total < HELPER_MIN_ROWS:
        return None

    def above(name: str) -> set[str]:
        out, todo = set(), list(by_name[name].needs)
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(by_name[n].needs)
        return out

    best, best_load = None, 0.75 * total
    for task in tasks:
        if task.name == "base" or not task.steps or task.steps[0].rebuilds is None:
            continue
        own = {task.name} | below[task.name]
        upstream = set().union(*(above(n) for n in own)) - own
        if "base" in own | upstream:  # reads what the base steps write: must see the transaction's values
            continue
        load = max(sum(cost[n] for n in own | upstream), total - sum(cost[n] for n in own))
        if load < best_load:
            best, best_load = (own, upstream), load
    if best is None:
        return None
    own, upstream = best
    ordered = [t for t in tasks if t.name in own | upstream]  # tasks are in dependency order
    return HelperSet(
        own=tuple(t.steps[0].rebuilds.name for t in ordered if t.name in own),
        upstream=tuple(t.steps[0].rebuilds.name for t in ordered if t.name in upstream),
        steps=tuple(step for t in ordered for step in t.steps),
    )


def with_estimates(tasks: list[refresh_plan.Task], read_tables, counts: dict[str, int]) -> dict[str, int]:
    """`counts` with each empty summary (the first refresh after a load) counted as the largest table
    its step reads. Counted as empty, line_facts and order_facts made every step reading them look free,
    and the helper was handed nearly the whole refresh (30 s instead of 20 s at 1M orders)."""
    out = dict(counts)
    for task in tasks:  # in dependency order: what a step reads is estimated before it
        table = task.steps[0].rebuilds if task.name != "base" and task.steps else None
        if table is not None and not out.get(table.name):
            out[table.name] = max((out.get(t.name, 0) for step in task.steps for t in read_tables(step)), default=0)
    return out


# ---------------------------------------------------------------- the scratch database and the helper
class ScratchRefresh:
    """The scratch database and the helper process filling it; use as a context manager around the
    refresh transaction: enter before it (ATTACH), `start()` once it holds the write lock."""

    def __init__(self, conn: Connection, helper: HelperSet, inserts: dict[str, str]):
        self.conn, self.helper, self.inserts = conn, helper, inserts  # inserts: table -> INSERT ... SELECT (SQLite SQL)
        self.target = conn.engine.url.database
        self.scratch = ScratchDatabase(conn.connection.dbapi_connection, "sqlite-refresh-")
        self._call = ForkedCall(self._fill, name="sqlite-refresh-helper")

    def __enter__(self) -> ScratchRefresh:
        try:
            self.scratch.create(list(self.helper.upstream + self.helper.own))
            self._indexes = [sql for statements in self.scratch.index_statements(list(self.helper.own)).values()
                             for sql in statements]
            self.scratch.attach()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start(self) -> None:
        """Fork the helper; call inside the refresh transaction once it has written (holds the lock)."""
        self._call.start()

    def _fill(self, mark) -> dict[str, float]:  # in the helper process
        db = self.scratch.connect()
        db.execute("ATTACH DATABASE ? AS target", (self.target,))  # unqualified names: scratch first, then the target
        db.execute("BEGIN")
        seconds = {}
        for step in self.helper.steps:
            mark(step.rebuilds.name)
            t0 = time.perf_counter()
            db.execute(self.inserts[step.rebuilds.name])
            seconds[step.name] = time.perf_counter() - t0
        mark(None)
        t0 = time.perf_counter()
        for sql in self._indexes:
            db.execute(sql)
        seconds["summary_indexes (helper)"] = time.perf_counter() - t0
        db.execute("COMMIT")
        db.close()
        return seconds

    def wait(self) -> dict[str, float]:
        """Block until the helper is done; its seconds per step. Raises HelperFailed."""
        try:
            return self._call.result()
        except ForkedCallFailed as exc:
            raise HelperFailed(f"refresh helper failed: {exc.step or 'helper'}: {exc}") from None

    def copy_in(self) -> None:
        """Replace each of the helper's own summaries with its scratch copy (inside the transaction)."""
        for name in self.helper.own:
            self.scratch.copy_in(f'"{name}"', replace=True)

    def __exit__(self, *exc) -> None:
        self._call.stop()
        if exc and exc[0] is not None:
            with contextlib.suppress(Exception):
                self.conn.rollback()  # the refresh failed: end its transaction so the scratch can be detached
        self.scratch.close()
