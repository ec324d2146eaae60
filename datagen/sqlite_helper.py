"""SQLite loads on two cores: a forked helper process inserts some tables into a scratch file.

An SQLite load is bound by one core turning values into rows (the sqlite3 module binds each
parameter of each row). A second core can do half of that work, but not into the same database
file, which has one writer at a time. So, for a large load:

1. before its transaction, the loader makes a scratch database with the same CREATE TABLE
   statements as the target (no secondary indexes) and attaches it as ``scratch``;
2. a helper process, forked so it shares the prepared columns without copying them, inserts the
   tables given to it into the scratch file (no journal, no fsync: the file is thrown away), then
   builds their indexes there, with the target's CREATE INDEX statements;
3. meanwhile the loader inserts the other tables into the target, inside its transaction;
4. then it copies each helper table with ``INSERT INTO main.t SELECT * FROM scratch.t``, still
   inside the transaction. Tables and indexes being identical and the target table empty, SQLite
   copies the records and the index entries as they are, in order (its "transfer optimisation"):
   no per-row Python and no index sort on the loading process.

A failure in the helper fails the load (rolled back like any other); the scratch file is deleted
whatever happens.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from schema.forked import ForkedCall, ForkedCallFailed
from schema.sqlite_scratch import ScratchDatabase


def split_tables(tables: list, cost: Callable[[object], float], share: float) -> tuple[list, list]:
    """(tables the loader inserts itself, tables for the helper), the helper taking the largest
    tables that fit in ``share`` of the total cost."""
    total = sum(cost(t) for t in tables)
    helper, taken = [], 0.0
    for t in sorted(tables, key=cost, reverse=True):
        if taken + cost(t) <= share * total:
            helper.append(t)
            taken += cost(t)
    own = [t for t in tables if t not in helper]
    return own, [t for t in tables if t in helper]


class HelperFailed(RuntimeError):
    """The helper process could not insert a table: ``table`` (None when unknown) and why."""

    def __init__(self, table: str | None, reason: str):
        super().__init__(reason)
        self.table = table


class ScratchLoad:
    """The scratch database and the helper process filling it; use as a context manager."""

    def __init__(self, raw: sqlite3.Connection, tables: list, insert_rows: Callable[[sqlite3.Cursor, object], None]):
        self.tables, self.insert_rows = tables, insert_rows
        self.scratch = ScratchDatabase(raw, "sqlite-load-")
        self._call = ForkedCall(self._fill, name="sqlite-load-helper")

    # ------------------------------------------------------------ before the transaction
    def __enter__(self) -> ScratchLoad:
        try:
            names = [t.table.name for t in self.tables]
            self.scratch.create(names)
            self._index_sql = self.scratch.index_statements(names)
            self.scratch.attach()
            self._call.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    # ------------------------------------------------------------ in the helper process
    def _fill(self, mark) -> dict[str, float]:
        db = self.scratch.connect()
        db.execute("PRAGMA ignore_check_constraints = ON")  # the loader checks them after the copy
        cur = db.cursor()
        cur.execute("BEGIN")
        seconds = {}
        for tdata in self.tables:
            table = tdata.table.name
            mark(table)
            t0 = time.perf_counter()
            self.insert_rows(cur, tdata)
            for sql in self._index_sql[table]:
                cur.execute(sql)
            seconds[table] = time.perf_counter() - t0
        mark(None)
        cur.execute("COMMIT")
        db.close()
        return seconds

    # ------------------------------------------------------------ inside the transaction
    def wait(self) -> dict[str, float]:
        """Block until the helper is done; its seconds per table. Raises HelperFailed."""
        try:
            return self._call.result()
        except ForkedCallFailed as exc:
            raise HelperFailed(exc.step, str(exc)) from None

    def copy(self, quoted_table: str) -> None:
        self.scratch.copy_in(quoted_table)

    def __exit__(self, *exc) -> None:
        self._call.stop()
        self.scratch.close()
