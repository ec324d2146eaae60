"""A throwaway SQLite file that a forked helper fills with some of a database's tables, attached to the
database's connection as ``scratch`` so those rows can be copied in inside its transaction (the SQLite
loader, datagen/sqlite_helper.py, and the SQLite refresh, schema/refresh_sqlite.py).

    scratch = ScratchDatabase(raw, "sqlite-load-")   # raw: the target's sqlite3 connection
    scratch.create(["orders", ...])                  # the target's CREATE TABLE statements, before ATTACH
    scratch.attach()                                 # ATTACH is not allowed inside a transaction
    db = scratch.connect()                           # in the helper: no journal, no fsync
    scratch.copy_in("orders")                        # in the transaction: records and index entries as they are
    scratch.close()                                  # DETACH (once outside the transaction), delete the file

Identical tables and an empty target table let SQLite copy the records and their index entries as they
are, in order (its "transfer optimisation"), with no per-row work on the target's process.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

SCRATCH = "scratch"
FAST_PRAGMAS = ("journal_mode = OFF", "synchronous = OFF",  # the file is thrown away
                "cache_size = -200000",  # as the target's connections (schema.db)
                "temp_store = MEMORY")  # the index sorts


def scratch_directory(prefix: str) -> str:
    """A new temporary directory ``<prefix><pid>-<random>``; first removes the ``<prefix>*`` directories
    whose process is gone (a load or refresh killed before it could delete its own scratch file)."""
    for old in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        pid = old.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class ScratchDatabase:
    def __init__(self, raw: sqlite3.Connection, prefix: str):
        self.raw = raw
        self.directory = scratch_directory(prefix)
        self.path = os.path.join(self.directory, "scratch.db")

    def _master(self, kind: str, tables: list[str]) -> list[tuple[str, str]]:
        marks = ", ".join("?" * len(tables))
        return self.raw.execute(f"SELECT tbl_name, sql FROM main.sqlite_master WHERE type = ? AND sql IS NOT NULL "
                                f"AND tbl_name IN ({marks})", [kind, *tables]).fetchall()

    def create(self, tables: list[str]) -> None:
        """The target's CREATE TABLE statements of `tables` in the scratch file (no indexes)."""
        scratch = sqlite3.connect(self.path, isolation_level=None)
        try:
            for _, sql in self._master("table", tables):
                scratch.execute(sql)
        finally:
            scratch.close()

    def index_statements(self, tables: list[str]) -> dict[str, list[str]]:
        """The target's CREATE INDEX statements per table, for the helper to build in the scratch file."""
        out: dict[str, list[str]] = {t: [] for t in tables}
        for table, sql in self._master("index", tables):
            out[table].append(sql)
        return out

    def attach(self) -> None:
        self.raw.execute(f"ATTACH DATABASE ? AS {SCRATCH}", (self.path,))

    def connect(self) -> sqlite3.Connection:
        """A connection to the scratch file for the helper process."""
        db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in FAST_PRAGMAS:
            db.execute(f"PRAGMA {pragma}")
        return db

    def copy_in(self, quoted_table: str, *, replace: bool = False) -> None:
        """Inside the target's transaction: the scratch copy of the table into the target's (emptied
        first when `replace`)."""
        if replace:
            self.raw.execute(f"DELETE FROM main.{quoted_table}")
        self.raw.execute(f"INSERT INTO main.{quoted_table} SELECT * FROM {SCRATCH}.{quoted_table}")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if not self.raw.in_transaction:
                self.raw.execute(f"DETACH DATABASE {SCRATCH}")
        shutil.rmtree(self.directory, ignore_errors=True)
