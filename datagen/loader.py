"""Bulk loader: a dict of DataFrames (one per base table) into the database in ONE transaction.

    report = load_dataset(engine, data, replace=False, progress=None)

- Creates missing tables first, then refuses to write into a database that holds rows in any
  base table unless ``replace=True`` (:class:`schema.errors.DataExists`).
- Everything (deleting the old rows when replacing, then inserting parents before children in
  ``LOAD_ORDER``) is one transaction: an error or Ctrl-C part-way rolls back and leaves the
  previous data as it was. Database errors surface as :class:`LoadError` (one line, says so).
- The dataset is checked before the database is touched (:class:`InvalidDataset`): columns,
  NOT NULL, primary and unique keys, and every foreign key must point at a row of the dataset
  (the loaded dataset *is* the new content of the base tables). That check is what lets the
  fast paths below switch off per-row foreign-key (and, on MySQL, unique) enforcement.
  CHECK constraints are always verified by the database before COMMIT.
- Per backend, the fastest safe path:
    SQLite      raw DBAPI ``executemany`` of tuples in batches inside one BEGIN ... COMMIT; for
                the load only: foreign keys off, CHECKs evaluated once per table by a scan
                (instead of per row), indexes (unique ones too) dropped and rebuilt after the rows
                are in (DDL is transactional in SQLite), and a WAL database switched to a rollback
                journal when nobody else has it open (each page written once). A large load puts
                the second core to work: a forked helper fills half of the tables in a scratch
                file, copied in by SQLite itself (datagen.sqlite_helper).
    MySQL       ``LOAD DATA LOCAL INFILE`` of one TSV file per table (InnoDB's bulk path for an
                empty table) when server and client allow it, with ``foreign_key_checks`` and
                ``unique_checks`` off for the session; row counts and warnings are verified,
                since LOCAL turns errors into warnings and skips rows. Else batched
                ``executemany``.
    PostgreSQL  ``COPY ... FROM STDIN`` (text format, the same TSV encoding); replace uses
                TRUNCATE, which is transactional there; the foreign keys between base tables
                are dropped for the COPY and re-added (validated in one join each) before
                COMMIT, instead of one trigger lookup per row (2.6x less server CPU).
  Values are turned into Python natives or text by vectorised NumPy code (no per-row pandas
  work); on the server backends the next table is encoded in a background thread while the
  server loads the current one. SQL carries data only as bound parameters or COPY/LOAD payloads;
  identifiers come from the MetaData.
"""
from __future__ import annotations

import contextlib
import functools
import os
import queue
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from datagen.progress import progress_enabled, rows_bar
from datagen.sqlite_helper import HelperFailed, ScratchLoad, split_tables
from schema.db import backend, connect
from schema.errors import DataExists, UserError
from schema.manage import init_db
from schema.tables import LOAD_ORDER

__all__ = ["InvalidDataset", "LoadError", "LoadReport", "TableLoad", "check_dataset", "load_dataset"]

SQLITE_BATCH = 50_000  # rows per executemany call
SQLITE_HELPER_MIN_ROWS = 400_000  # smaller SQLite loads stay on one core (forking costs more than it saves)
TEXT_CHUNK = 250_000  # rows per LOAD DATA file / COPY write
MYSQL_BATCH = 20_000  # rows per executemany call on the MySQL fallback path
PG_DEFER_FOREIGN_KEYS = True  # drop FKs for the COPY, re-add (validate) them before COMMIT

_TABLES = {t.name: t for t in LOAD_ORDER}


class InvalidDataset(UserError, ValueError):
    """The dataset cannot be loaded as it is (wrong columns, NULLs, duplicate keys, orphans)."""


class LoadError(UserError):
    """The database rejected the load; the transaction was rolled back, nothing changed."""


@dataclass(frozen=True)
class TableLoad:
    name: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class LoadReport:
    tables: list[TableLoad] = field(default_factory=list)
    seconds: float = 0.0
    method: str = "executemany"  # "executemany" | "load_data_infile" | "copy"

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


# ====================================================================== dataset preparation
@dataclass
class _Column:
    name: str
    kind: str  # int | float | date | datetime | str
    values: np.ndarray  # int64 / float64 / datetime64[D] / datetime64[s] / object (None = NULL)
    mask: np.ndarray | None  # True where NULL; None when the column has no NULL


@dataclass
class _TableData:
    table: sa.Table
    rows: int
    columns: list[_Column]

    def column(self, name: str) -> _Column:
        return next(c for c in self.columns if c.name == name)


def _kind(col: sa.Column) -> str:
    t = col.type
    if isinstance(t, sa.DateTime):
        return "datetime"
    if isinstance(t, sa.Date):
        return "date"
    if isinstance(t, sa.Integer):
        return "int"
    if isinstance(t, (sa.Numeric, sa.Float)):
        return "float"
    return "str"


def _normalise(series: pd.Series, kind: str, where: str) -> _Column:
    try:
        if kind == "int":
            if pd.api.types.is_integer_dtype(series.dtype) and not isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
                return _Column(series.name, kind, series.to_numpy(np.int64), None)
            arr = pd.array(series, dtype="Int64")
            mask = np.asarray(arr.isna(), dtype=bool)
            return _Column(series.name, kind, arr.to_numpy(np.int64, na_value=0), mask if mask.any() else None)
        if kind == "float":
            values = series.to_numpy(np.float64, na_value=np.nan)
            mask = np.isnan(values)
            return _Column(series.name, kind, values, mask if mask.any() else None)
        if kind in ("date", "datetime"):
            if not pd.api.types.is_datetime64_dtype(series.dtype):
                series = pd.to_datetime(series)
            values = series.to_numpy()
            if values.dtype.kind != "M":  # tz-aware: keep the wall-clock time
                values = series.dt.tz_localize(None).to_numpy()
            values = values.astype("datetime64[D]" if kind == "date" else "datetime64[s]")
            mask = np.isnat(values)
            return _Column(series.name, kind, values, mask if mask.any() else None)
        values = series.to_numpy(dtype=object, na_value=None)
        mask = np.asarray(series.isna(), dtype=bool)
        if mask.any():
            values[mask] = None
        else:
            mask = None
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        if inferred not in ("string", "empty"):
            values = np.array([None if v is None else str(v) for v in values.tolist()], dtype=object)
        return _Column(series.name, kind, values, mask)
    except (TypeError, ValueError) as exc:
        raise InvalidDataset(f"{where}: cannot read the values as {kind}: {exc}") from None


def _prepare(data: Mapping[str, pd.DataFrame]) -> list[_TableData]:
    if not isinstance(data, Mapping):
        raise InvalidDataset(f"expected a dict of DataFrames keyed by table name, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_TABLES))
    if unknown:
        raise InvalidDataset(f"unknown tables in the dataset: {', '.join(map(str, unknown))}")
    prepared = []
    for table in LOAD_ORDER:
        if table.name not in data:
            continue
        df = data[table.name]
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataset(f"{table.name}: expected a DataFrame, got {type(df).__name__}")
        wanted = [c.name for c in table.columns]
        missing = [c for c in wanted if c not in df.columns]
        extra = [str(c) for c in df.columns if c not in wanted]
        if missing or extra or df.columns.has_duplicates:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if extra:
                parts.append("unexpected " + ", ".join(extra))
            if df.columns.has_duplicates:
                parts.append("duplicate column names")
            raise InvalidDataset(f"{table.name}: columns do not match the schema ({'; '.join(parts)})")
        columns = [_normalise(df[c.name], _kind(c), f"{table.name}.{c.name}") for c in table.columns]
        prepared.append(_TableData(table, len(df), columns))
    return prepared


# ====================================================================== integrity checks
def _int_key(tdata: _TableData, names: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """One int64 per row for int key columns (combined when several), plus a not-NULL mask."""
    cols = [tdata.column(n) for n in names]
    if any(c.kind != "int" for c in cols):
        return None
    present = np.ones(tdata.rows, dtype=bool)
    for c in cols:
        if c.mask is not None:
            present &= ~c.mask
    if len(cols) == 1:
        return cols[0].values, present
    key = np.zeros(tdata.rows, dtype=np.int64)
    for c in cols:
        v = c.values
        lo, hi = (int(v.min()), int(v.max())) if len(v) else (0, 0)
        span = hi - lo + 1
        if lo < 0 or (int(key.max(initial=0)) + 1) * span >= 2**62:
            return None
        key = key * span + (v - lo)
    return key, present


def _has_duplicates(key: np.ndarray) -> bool:
    if len(key) < 2:
        return False
    lo, hi = int(key.min()), int(key.max())
    if hi - lo < 4 * len(key) + 1024:  # dense ids: O(n) counting
        return bool(np.bincount(key - lo).max() > 1)
    return not pd.Index(key).is_unique


def _tuples(tdata: _TableData, names: list[str]) -> pd.MultiIndex | pd.Index:
    arrays = [pd.array(tdata.column(n).values) if tdata.column(n).kind != "str" else tdata.column(n).values for n in names]
    return pd.Index(arrays[0]) if len(arrays) == 1 else pd.MultiIndex.from_arrays(arrays)


def _unique_sets(table: sa.Table) -> list[list[str]]:
    sets = [[c.name for c in table.primary_key.columns]]
    for cons in table.constraints:
        if isinstance(cons, sa.UniqueConstraint):
            sets.append([c.name for c in cons.columns])
    for col in table.columns:
        if col.unique:
            sets.append([col.name])
    for idx in table.indexes:
        if idx.unique:
            sets.append([c.name for c in idx.columns])
    out = []
    for s in sets:
        if s and s not in out:
            out.append(s)
    return out


def check_dataset(data: Mapping[str, pd.DataFrame]) -> None:
    """Raise InvalidDataset unless the dataset can be the whole content of the base tables."""
    _check(_prepare(data))


def _check(tables: list[_TableData]) -> None:
    by_name = {t.table.name: t for t in tables}
    for tdata in tables:
        table = tdata.table
        for col in table.columns:
            c = tdata.column(col.name)
            if not col.nullable and c.mask is not None:
                raise InvalidDataset(f"{table.name}.{col.name}: {int(c.mask.sum())} NULL values in a NOT NULL column")
        for names in _unique_sets(table):
            label = f"{table.name}({', '.join(names)})"
            ik = _int_key(tdata, names)
            if ik is not None:
                key, present = ik
                dup = _has_duplicates(key if present.all() else key[present])
            else:
                idx = _tuples(tdata, names)
                notnull = np.ones(len(idx), dtype=bool)
                for n in names:
                    m = tdata.column(n).mask
                    if m is not None:
                        notnull &= ~m
                dup = not idx[notnull].is_unique
            if dup:
                raise InvalidDataset(f"{label}: duplicate values in a primary or unique key")
        for fk in table.foreign_key_constraints:
            child_cols = [c.name for c in fk.columns]
            parent_table = fk.referred_table
            parent_cols = [e.column.name for e in fk.elements]
            _check_fk(tdata, child_cols, by_name.get(parent_table.name), parent_table.name, parent_cols)


def _check_fk(tdata: _TableData, child_cols: list[str], parent: _TableData | None, parent_name: str, parent_cols: list[str]) -> None:
    present = np.ones(tdata.rows, dtype=bool)
    for n in child_cols:
        m = tdata.column(n).mask
        if m is not None:
            present &= ~m
    if not present.any():
        return
    where = f"{tdata.table.name}({', '.join(child_cols)}) -> {parent_name}({', '.join(parent_cols)})"
    if parent is None or parent.rows == 0:
        raise InvalidDataset(f"{where}: {int(present.sum()):,} row(s) point at {parent_name}, which the dataset leaves empty")
    if len(child_cols) == 1 and tdata.column(child_cols[0]).kind == "int" and parent.column(parent_cols[0]).kind == "int":
        child = tdata.column(child_cols[0]).values[present]
        pvals = parent.column(parent_cols[0]).values
        pm = parent.column(parent_cols[0]).mask
        if pm is not None:
            pvals = pvals[~pm]
        lo, hi = int(pvals.min()), int(pvals.max())
        if hi - lo < 4 * len(pvals) + 1024:
            known = np.zeros(hi - lo + 1, dtype=bool)
            known[pvals - lo] = True
            inside = (child >= lo) & (child <= hi)
            ok = inside.copy()
            ok[inside] = known[child[inside] - lo]
        else:
            ok = np.isin(child, pvals)
        bad = child[~ok]
    else:
        idx = _tuples(tdata, child_cols)[present]
        ok = np.asarray(idx.isin(_tuples(parent, parent_cols)))
        bad = np.asarray(idx[~ok])
    if len(bad):
        example = bad[0].item() if hasattr(bad[0], "item") else bad[0]
        raise InvalidDataset(f"{where}: {len(bad):,} row(s) point at no {parent_name} row (e.g. {example!r})")


# ====================================================================== value encoders
_TIME_LUT: dict[str, np.ndarray] = {}


def _times_of_day(suffix: str) -> np.ndarray:
    """'HH:MM:SS<suffix>' for every second of a day, as an object array (built once)."""
    lut = _TIME_LUT.get(suffix)
    if lut is None:
        hours_minutes = np.array([f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)], dtype=object)
        seconds = np.array([f"{s:02d}{suffix}" for s in range(60)], dtype=object)
        lut = (hours_minutes[:, None] + seconds[None, :]).ravel()
        _TIME_LUT[suffix] = lut
    return lut


def _format_dates(values: np.ndarray, mask: np.ndarray | None, kind: str, time_suffix: str, null) -> list:
    """datetime64[D|s] -> 'YYYY-MM-DD' / 'YYYY-MM-DD HH:MM:SS<suffix>' via lookup tables."""
    if len(values) == 0:
        return []
    ints = values.astype(np.int64)
    if kind == "datetime":
        days, secs = np.divmod(ints, 86400)
    else:
        days, secs = ints, None
    if mask is not None:
        days = days.copy()
        days[mask] = days[~mask][0] if (~mask).any() else 0
        if secs is not None:
            secs = secs.copy()
            secs[mask] = 0
    d0, d1 = int(days.min()), int(days.max())
    day_lut = np.datetime_as_string(np.arange(d0, d1 + 1).astype("datetime64[D]"), unit="D").astype(object)
    if kind == "datetime":
        day_lut = day_lut + " "
        out = day_lut[days - d0] + _times_of_day(time_suffix)[secs]
    else:
        out = day_lut[days - d0]
    if mask is not None:
        out[mask] = null
    return out.tolist()


def _set_nulls(values: list, mask: np.ndarray | None, null) -> list:
    if mask is not None:
        for i in np.flatnonzero(mask).tolist():
            values[i] = null
    return values


def _native(col: _Column, lo: int, hi: int, time_suffix: str) -> list:
    """Python values for DBAPI executemany: ints, floats, str, None; dates as ISO text."""
    mask = None if col.mask is None else col.mask[lo:hi]
    if col.kind in ("date", "datetime"):
        return _format_dates(col.values[lo:hi], mask, col.kind, time_suffix, None)
    if col.kind == "str":
        return col.values[lo:hi].tolist()
    return _set_nulls(col.values[lo:hi].tolist(), mask, None)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\\0"})
_TSV_SPECIAL = ("\\", "\t", "\n", "\r", "\x00")
NULL_TEXT = "\\N"


def _text(col: _Column, lo: int, hi: int) -> list[str]:
    """Text fields for LOAD DATA / COPY text format: \\N for NULL, backslash escapes."""
    mask = None if col.mask is None else col.mask[lo:hi]
    if col.kind in ("date", "datetime"):
        return _format_dates(col.values[lo:hi], mask, col.kind, "", NULL_TEXT)
    if col.kind == "int":
        return _set_nulls(_int_text(col.values[lo:hi]), mask, NULL_TEXT)
    if col.kind == "float":
        return _set_nulls(list(map(repr, col.values[lo:hi].tolist())), mask, NULL_TEXT)
    values = col.values[lo:hi].tolist()
    if mask is not None:
        probe = "".join(v for v in values if v is not None)
    else:
        probe = "".join(values)
    if any(ch in probe for ch in _TSV_SPECIAL):
        values = [v.translate(_TSV_ESCAPES) if v is not None else None for v in values]
    return _set_nulls(values, mask, NULL_TEXT)


def _int_text(values: np.ndarray) -> list[str]:
    if len(values) == 0:
        return []
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < 100_000 and hi - lo < len(values):  # flags, quantities, small-table keys: a lookup
        lut = np.array([str(v) for v in range(lo, hi + 1)], dtype=object)
        return lut[values - lo].tolist()
    return list(map(str, values.tolist()))


def _tsv_chunks(tdata: _TableData, chunk: int) -> Iterator[tuple[int, str]]:
    for lo in range(0, tdata.rows, chunk):
        hi = min(lo + chunk, tdata.rows)
        cols = [_text(c, lo, hi) for c in tdata.columns]
        yield hi - lo, "\n".join(map("\t".join, zip(*cols))) + "\n"


def _row_batches(tdata: _TableData, batch: int, time_suffix: str) -> Iterator[tuple[int, Iterator[tuple]]]:
    for lo in range(0, tdata.rows, batch):
        hi = min(lo + batch, tdata.rows)
        cols = [_native(c, lo, hi, time_suffix) for c in tdata.columns]
        yield hi - lo, zip(*cols)


def _prefetched(items: Iterator, depth: int = 2) -> Iterator:
    """Iterate ``items`` computed by a background thread up to ``depth`` items ahead.

    While the main thread waits for the server (socket I/O releases the GIL) the next chunk is
    encoded, so client-side encoding and server-side loading overlap. An error in the worker is
    re-raised here; leaving the loop early (error, Ctrl-C) stops the worker.
    """
    done = object()
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(_Failure(exc))

    worker = threading.Thread(target=work, name="loader-encoder", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        worker.join(timeout=10)


@dataclass
class _Failure:
    exc: BaseException


def _table_chunks(tables: list[_TableData], encode) -> Iterator[tuple[int, int, object]]:
    """(table position, rows, payload) for every chunk of every table, in load order."""
    for i, tdata in enumerate(tables):
        for n, payload in encode(tdata):
            yield i, n, payload


# ====================================================================== the load
def load_dataset(engine: Engine, data: Mapping[str, pd.DataFrame], replace: bool = False, progress: bool | None = None) -> LoadReport:
    """Load ``data`` (table name -> DataFrame with exactly the table's columns) in one transaction.

    Tables missing from ``data`` are left empty. Raises InvalidDataset (nothing touched),
    DataExists (the database holds rows and ``replace`` is false), LoadError (the database
    rejected a row; rolled back) or DatabaseUnavailable.
    """
    started = time.perf_counter()
    tables = _prepare(data)
    _check(tables)
    init_db(engine)
    show = progress_enabled(progress)
    with connect(engine) as conn:
        kind = backend(conn)
        if kind == "sqlite":
            loads, method = _load_sqlite(conn, tables, replace, show)
        elif kind == "mysql":
            loads, method = _load_mysql(conn, tables, replace, show)
        elif kind == "postgresql":
            loads, method = _load_postgresql(conn, tables, replace, show)
        else:  # pragma: no cover - schema.db only builds the three
            raise UserError(f"no bulk loader for {kind}")
    return LoadReport(tables=loads, seconds=time.perf_counter() - started, method=method)


def _counts_sql(preparer) -> list[tuple[str, str]]:
    return [(t.name, f"SELECT COUNT(*) FROM {preparer.format_table(t)}") for t in LOAD_ORDER]


def _refuse_if_not_empty(cursor, preparer) -> dict[str, int]:
    counts = {}
    for name, sql in _counts_sql(preparer):
        cursor.execute(sql)
        counts[name] = int(cursor.fetchone()[0])
    return counts


def _clear_base_tables(cur, preparer, replace: bool) -> None:
    """Inside the load's transaction: refuse (DataExists) a database holding rows unless `replace`,
    which deletes them, children first."""
    counts = _refuse_if_not_empty(cur, preparer)
    if any(counts.values()):
        if not replace:
            raise _data_exists(counts)
        for t in reversed(LOAD_ORDER):
            cur.execute(f"DELETE FROM {preparer.format_table(t)}")


def _data_exists(counts: dict[str, int]) -> DataExists:
    orders = counts.get("orders", 0)
    if orders:
        return DataExists(f"the database already holds {orders:,} orders; pass --replace to overwrite them")
    held = ", ".join(f"{n:,} {name}" for name, n in counts.items() if n)
    return DataExists(f"the database already holds rows ({held}); pass --replace to overwrite them")


def _describe_db_error(table: str | None, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", exc) or type(exc).__name__).strip().splitlines()
    reason = reason[0] if reason else type(exc).__name__
    where = f"loading {table}" if table else "the load"
    return f"{where} failed: {reason}; rolled back, the database is unchanged"


def _quoted(conn: Connection, tdata: _TableData) -> tuple[str, str]:
    prep = conn.dialect.identifier_preparer
    return prep.format_table(tdata.table), ", ".join(prep.quote(c.name) for c in tdata.columns)


# ---------------------------------------------------------------------- SQLite
def _load_sqlite(conn: Connection, tables: list[_TableData], replace: bool, show: bool):
    """One transaction on the raw sqlite3 connection.

    For speed the per-row work is cut to the bone, each shortcut compensated inside the same
    transaction: foreign keys are off (the dataset check proved them), CHECK constraints are
    evaluated once per table by a scan instead of per row, and secondary and unique indexes are
    dropped and rebuilt after the rows are in (DDL is transactional in SQLite; rebuilding a
    unique index fails on a duplicate). A large load also inserts part of the tables on the second
    core (datagen.sqlite_helper). Everything is rolled back on any error or interrupt.
    """
    raw = conn.connection.dbapi_connection
    own, helped = _split_for_helper(tables)
    old_isolation = raw.isolation_level
    raw.isolation_level = None  # the sqlite3 module must not open or close transactions behind us
    cur = raw.cursor()
    try:
        fk_was = cur.execute("PRAGMA foreign_keys").fetchone()[0]
        checks_were_ignored = cur.execute("PRAGMA ignore_check_constraints").fetchone()[0]
        cur.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        cur.execute("PRAGMA ignore_check_constraints = ON")
        journal_was = _sqlite_rollback_journal(cur)
        insert = functools.partial(_sqlite_insert_rows, conn=conn, show=False)
        try:
            with ScratchLoad(raw, helped, insert) if helped else contextlib.nullcontext() as helper:
                loads = _sqlite_transaction(raw, cur, conn, own, helper, replace, show)
        finally:
            cur.execute(f"PRAGMA ignore_check_constraints = {'ON' if checks_were_ignored else 'OFF'}")
            cur.execute(f"PRAGMA foreign_keys = {'ON' if fk_was else 'OFF'}")
            if journal_was == "wal":
                with contextlib.suppress(sqlite3.OperationalError):
                    cur.execute("PRAGMA journal_mode = WAL")
    finally:
        cur.close()
        raw.isolation_level = old_isolation
    return [TableLoad(t.table.name, t.rows, loads[t.table.name]) for t in tables], "executemany"


def _sqlite_transaction(raw, cur, conn: Connection, own: list[_TableData], helper: ScratchLoad | None, replace: bool,
                        show: bool) -> dict[str, float]:
    """BEGIN ... COMMIT: this process's tables, then the helper's; seconds per table."""
    prep = conn.dialect.identifier_preparer
    current = None
    try:
        # IMMEDIATE would also lock the scratch file the helper writes, so take the write lock on
        # the target alone, with a write that changes nothing
        cur.execute("BEGIN")
        cur.execute(f"DELETE FROM {prep.format_table(LOAD_ORDER[0])} WHERE 0")
        _clear_base_tables(cur, prep, replace)
        loads = {}
        for tdata in own:
            current = tdata.table.name
            t0 = time.perf_counter()
            with _sqlite_indexes_rebuilt(cur, conn, tdata):
                _sqlite_insert_rows(cur, tdata, conn=conn, show=show)
            loads[current] = time.perf_counter() - t0
        current = None
        if helper is not None:
            helper_seconds = helper.wait()
            for tdata in helper.tables:
                current = tdata.table.name
                t0 = time.perf_counter()
                with rows_bar(current, tdata.rows, show) as bar:
                    helper.copy(prep.format_table(tdata.table))
                    bar.update(tdata.rows)
                _sqlite_verify_checks(cur, conn, tdata.table)
                loads[current] = helper_seconds[current] + time.perf_counter() - t0
            current = None
        cur.execute("COMMIT")
        return loads
    except BaseException as exc:
        if raw.in_transaction:
            raw.rollback()
        if isinstance(exc, sqlite3.DatabaseError):
            raise LoadError(_describe_db_error(current, exc)) from exc
        if isinstance(exc, HelperFailed):
            raise LoadError(_describe_db_error(exc.table, exc)) from exc
        raise


def _insert_cost(tdata: _TableData) -> float:
    """Relative cost of inserting the table and building its indexes (fitted on the generator's tables:
    a text value costs about two numbers, an index about three)."""
    per_row = 4 + sum(1 if c.kind in ("int", "float") else 2 for c in tdata.columns) + 3 * len(tdata.table.indexes)
    return tdata.rows * per_row


def _split_for_helper(tables: list[_TableData]) -> tuple[list[_TableData], list[_TableData]]:
    """(tables this process inserts, tables a helper process inserts); no helper for small loads."""
    if sum(t.rows for t in tables) < SQLITE_HELPER_MIN_ROWS:
        return tables, []
    return split_tables(tables, _insert_cost, share=0.5)


def _sqlite_rollback_journal(cur) -> str:
    """Switch a WAL database to a rollback journal for the load when this is its only connection.

    In WAL mode every page of the load is written twice (to the WAL, then checkpointed into the
    database) and the WAL file keeps the size of the whole load; a rollback journal only saves
    the pages that existed before, so loading into empty tables writes each page once. The load
    stays one atomic transaction either way. Returns the mode to restore ('wal' or other).
    """
    mode = cur.execute("PRAGMA journal_mode").fetchone()[0].lower()
    if mode == "wal":
        with contextlib.suppress(sqlite3.OperationalError):  # other connections open: stay in WAL
            cur.execute("PRAGMA journal_mode = DELETE")
    return mode


@contextlib.contextmanager
def _sqlite_indexes_rebuilt(cur, conn: Connection, tdata: _TableData):
    """Around filling an empty table: drop its indexes (but those whose key arrives in order anyway:
    appending to them row by row is cheaper than a sort), check its CHECK constraints once the rows
    are in, then build the indexes again (one sort each)."""
    prep = conn.dialect.identifier_preparer
    indexes = []
    for index_name, index_sql in cur.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (tdata.table.name,)
    ).fetchall():
        key = [r[2] for r in cur.execute(f"PRAGMA main.index_info({prep.quote(index_name)})").fetchall()]
        if not _arrives_sorted(tdata, key):
            indexes.append((index_name, index_sql))
    for index_name, _ in indexes:
        cur.execute(f"DROP INDEX main.{prep.quote(index_name)}")
    yield
    _sqlite_verify_checks(cur, conn, tdata.table)
    for _, index_sql in indexes:
        cur.execute(index_sql)


def _sqlite_insert_rows(cur, tdata: _TableData, *, conn: Connection, show: bool) -> None:
    name, cols = _quoted(conn, tdata)
    sql = f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' * len(tdata.columns))})"
    with rows_bar(tdata.table.name, tdata.rows, show) as bar:
        for n, rows in _row_batches(tdata, SQLITE_BATCH, ".000000"):
            cur.executemany(sql, rows)
            bar.update(n)


def _arrives_sorted(tdata: _TableData, key: list) -> bool:
    """True for a one-column key without NULLs whose values never decrease in load order."""
    if len(key) != 1 or key[0] not in {c.name for c in tdata.columns}:
        return False
    col = tdata.column(key[0])
    if col.mask is not None or col.kind == "str" or tdata.rows < 2:
        return False
    return bool((col.values[1:] >= col.values[:-1]).all())


def _sqlite_verify_checks(cur, conn: Connection, table: sa.Table) -> None:
    """Raise LoadError when a row breaks a CHECK constraint (they are not enforced per row here)."""
    checks = [c for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    if not checks:
        return
    prep = conn.dialect.identifier_preparer
    # The expressions come from the MetaData, the same text the CREATE TABLE carries.
    any_false = " OR ".join(f"NOT ({c.sqltext})" for c in checks)
    if cur.execute(f"SELECT 1 FROM {prep.format_table(table)} WHERE {any_false} LIMIT 1").fetchone() is None:
        return
    for c in checks:
        bad = cur.execute(f"SELECT COUNT(*) FROM {prep.format_table(table)} WHERE NOT ({c.sqltext})").fetchone()[0]
        if bad:
            raise LoadError(
                f"loading {table.name} failed: CHECK constraint failed: {prep.format_constraint(c)} "
                f"({bad:,} row(s) break {c.sqltext}); rolled back, the database is unchanged"
            )
    raise LoadError(f"loading {table.name} failed: a CHECK constraint failed; rolled back, the database is unchanged")  # pragma: no cover


# ---------------------------------------------------------------------- MySQL / MariaDB
def _load_mysql(conn: Connection, tables: list[_TableData], replace: bool, show: bool):
    raw = conn.connection.dbapi_connection
    prep = conn.dialect.identifier_preparer
    cur = raw.cursor()
    cur.execute("SELECT @@GLOBAL.local_infile")
    server_allows = bool(int(cur.fetchone()[0] or 0))
    from pymysql.constants import CLIENT

    client_allows = bool(getattr(raw, "client_flag", 0) & CLIENT.LOCAL_FILES)
    use_infile = server_allows and client_allows
    method = "load_data_infile" if use_infile else "executemany"
    current = None
    broken = False
    # Session settings for the load only; the data was checked (keys, uniqueness, orphans) first.
    cur.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
    try:
        with tempfile.TemporaryDirectory(prefix="loader-") as tmp:
            try:
                raw.begin()
                _clear_base_tables(cur, prep, replace)
                if use_infile:
                    encode = functools.partial(_tsv_files, directory=tmp)
                else:
                    encode = functools.partial(_tuple_batches, batch=MYSQL_BATCH, time_suffix="")
                loads = []
                chunks = _prefetched(_table_chunks(tables, encode))
                with contextlib.closing(chunks):
                    for i, tdata in enumerate(tables):
                        current = tdata.table.name
                        t0 = time.perf_counter()
                        name, cols = _quoted(conn, tdata)
                        with rows_bar(tdata.table.name, tdata.rows, show) as bar:
                            left = tdata.rows
                            while left > 0:
                                j, n, payload = next(chunks)
                                assert j == i, "chunks out of order"
                                if use_infile:
                                    _mysql_infile(cur, tdata.table.name, name, cols, n, payload)
                                else:
                                    _mysql_executemany(cur, tdata.table.name, name, cols, n, payload)
                                bar.update(n)
                                left -= n
                        loads.append(TableLoad(tdata.table.name, tdata.rows, time.perf_counter() - t0))
                current = None
                raw.commit()
            except BaseException as exc:
                try:
                    raw.rollback()
                except BaseException:  # the protocol state is unknown: drop the connection,
                    broken = True  # the server rolls the transaction back when it goes away
                    conn.invalidate()
                if isinstance(exc, _mysql_errors()):
                    raise LoadError(_describe_db_error(current, exc)) from exc
                raise
    finally:
        if not broken:
            try:
                cur.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1")
                cur.close()
            except BaseException:
                conn.invalidate()
    return loads, method


def _mysql_errors():
    import pymysql

    return pymysql.err.MySQLError


def _mysql_warnings(cur) -> list[str]:
    cur.execute("SHOW WARNINGS LIMIT 5")
    return [f"{level} {code}: {msg}" for level, code, msg in cur.fetchall()]


def _tsv_files(tdata: _TableData, directory: str) -> Iterator[tuple[int, str]]:
    """One file per table, written chunk by chunk: InnoDB loads an empty table much faster in one
    LOAD DATA statement (its bulk-insert path) than in several."""
    if tdata.rows == 0:
        return
    path = os.path.join(directory, f"{tdata.table.name}.tsv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for _, text in _tsv_chunks(tdata, TEXT_CHUNK):
            fh.write(text)
    yield tdata.rows, path


def _tuple_batches(tdata: _TableData, batch: int, time_suffix: str) -> Iterator[tuple[int, list[tuple]]]:
    for n, rows in _row_batches(tdata, batch, time_suffix):
        yield n, list(rows)


_LOAD_DATA = (
    "LOAD DATA LOCAL INFILE %s INTO TABLE {table} CHARACTER SET utf8mb4 "
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})"
)


def _mysql_infile(cur, label: str, table: str, columns: str, n: int, path: str) -> None:
    """LOAD DATA one chunk file; LOCAL makes errors warnings and skips rows, so verify both."""
    try:
        loaded = cur.execute(_LOAD_DATA.format(table=table, columns=columns), (path,))
    finally:
        os.remove(path)
    warnings = _mysql_warnings(cur)
    if loaded != n or warnings:
        detail = "; ".join(warnings) if warnings else "no warning given"
        raise LoadError(f"loading {label} failed: the server took {loaded:,} of {n:,} rows ({detail}); rolled back, the database is unchanged")


def _mysql_executemany(cur, label: str, table: str, columns: str, n: int, rows: list[tuple]) -> None:
    placeholders = ", ".join(["%s"] * len(rows[0]))
    done = cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    if done != n:
        raise LoadError(f"loading {label} failed: the server took {done:,} of {n:,} rows; rolled back, the database is unchanged")


# ---------------------------------------------------------------------- PostgreSQL
def _load_postgresql(conn: Connection, tables: list[_TableData], replace: bool, show: bool):
    raw = conn.connection.dbapi_connection
    prep = conn.dialect.identifier_preparer
    current = None
    try:
        with raw.cursor() as cur:
            counts = _refuse_if_not_empty(cur, prep)
            if any(counts.values()):
                if not replace:
                    raise _data_exists(counts)
                # TRUNCATE is transactional in PostgreSQL and far faster than DELETE.
                cur.execute("TRUNCATE " + ", ".join(prep.format_table(t) for t in LOAD_ORDER))
            foreign_keys = _pg_drop_foreign_keys(cur) if PG_DEFER_FOREIGN_KEYS else []
            loads = []
            chunks = _prefetched(_table_chunks(tables, lambda tdata: _tsv_chunks(tdata, TEXT_CHUNK)))
            with contextlib.closing(chunks):
                for i, tdata in enumerate(tables):
                    current = tdata.table.name
                    t0 = time.perf_counter()
                    name, cols = _quoted(conn, tdata)
                    with rows_bar(tdata.table.name, tdata.rows, show) as bar:
                        with cur.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                            left = tdata.rows
                            while left > 0:
                                j, n, text = next(chunks)
                                assert j == i, "chunks out of order"
                                copy.write(text)
                                bar.update(n)
                                left -= n
                    loads.append(TableLoad(tdata.table.name, tdata.rows, time.perf_counter() - t0))
            current = "foreign keys"
            _pg_add_foreign_keys(cur, foreign_keys)
            current = None
        raw.commit()
    except BaseException as exc:
        try:
            raw.rollback()
        except BaseException:
            conn.invalidate()
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise LoadError(_describe_db_error(current, exc)) from exc
        raise
    return loads, "copy"


def _pg_drop_foreign_keys(cur) -> list[tuple[str, str, str]]:
    """Drop the foreign keys between the base tables for the load; returns what to re-add.

    Row by row, PostgreSQL checks each foreign key with a trigger that looks up and locks the
    parent row; re-adding the constraint after COPY validates all rows in one join instead.
    Both happen inside the load's transaction (DDL is transactional), so a failure restores them.
    The definitions are read from the catalogue, so exactly what exists comes back.
    """
    names = [t.name for t in LOAD_ORDER]
    cur.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
        "WHERE c.contype = 'f' AND r.relnamespace = current_schema()::regnamespace AND r.relname = ANY(%s) "
        "ORDER BY 1, 2",
        (names,),
    )
    found = [tuple(row) for row in cur.fetchall()]
    for table, name, _ in found:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_pg_ident(name)}")
    return found


def _pg_add_foreign_keys(cur, foreign_keys: list[tuple[str, str, str]]) -> None:
    for table, name, definition in foreign_keys:
        cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_pg_ident(name)} {definition}")


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
