"""Backend-independent views of what a database holds, for integration tests.

canonical rows: every row as a tuple of normalised values (ints, money as fixed-point text at the
column's scale, dates 'YYYY-MM-DD', datetimes 'YYYY-MM-DD HH:MM:SS', str, None), sorted by primary
key in Python (server collations differ). The checksum is the SHA-256 of those rows, so the same
dataset loaded into SQLite, MariaDB and PostgreSQL gives the same checksum per table.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math

import numpy as np
import pandas as pd
import sqlalchemy as sa

from schema.tables import LOAD_ORDER, metadata


def _normaliser(col: sa.Column):
    t = col.type
    if isinstance(t, sa.DateTime):
        def norm(v):
            if v is None or v is pd.NaT:
                return None
            if isinstance(v, str):
                v = dt.datetime.fromisoformat(v)
            return v.replace(microsecond=0).isoformat(sep=" ") if hasattr(v, "isoformat") else str(v)
        return norm
    if isinstance(t, sa.Date):
        def norm(v):
            if v is None or v is pd.NaT:
                return None
            if isinstance(v, (dt.datetime, pd.Timestamp)):
                v = v.date()
            return v.isoformat() if hasattr(v, "isoformat") else str(v)
        return norm
    if isinstance(t, sa.Integer):
        return lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else int(v)
    if isinstance(t, sa.Numeric):
        scale = t.scale if t.scale is not None else 2

        def norm(v):
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                return None
            return f"{round(float(v), scale):.{scale}f}"
        return norm
    return lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)


def _sort_key(table: sa.Table):
    positions = [list(table.columns).index(c) for c in table.primary_key.columns]
    return lambda row: tuple(row[i] for i in positions)


def canonical_rows_db(conn, table: sa.Table) -> list[tuple]:
    norms = [_normaliser(c) for c in table.columns]
    rows = [tuple(n(v) for n, v in zip(norms, r)) for r in conn.execute(sa.select(table))]
    return sorted(rows, key=_sort_key(table))


def canonical_rows_frame(df: pd.DataFrame, table: sa.Table) -> list[tuple]:
    norms = [_normaliser(c) for c in table.columns]
    cols = []
    for c, norm in zip(table.columns, norms):
        s = df[c.name]
        values = s.astype(object).where(s.notna(), None).tolist()
        cols.append([norm(v) for v in values])
    return sorted(zip(*cols), key=_sort_key(table)) if cols else []


def checksum(rows: list[tuple]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(row).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def db_checksums(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {t.name: checksum(canonical_rows_db(conn, t)) for t in LOAD_ORDER}


def frame_checksums(data: dict[str, pd.DataFrame]) -> dict[str, str]:
    out = {}
    for t in LOAD_ORDER:
        df = data.get(t.name, pd.DataFrame(columns=[c.name for c in t.columns]))
        out[t.name] = checksum(canonical_rows_frame(df, t))
    return out


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in LOAD_ORDER}


def orphan_counts(conn) -> dict[str, int]:
    """Rows whose non-NULL foreign key has no parent, for every FK in the MetaData."""
    out = {}
    for table in metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table.alias("parent")
            join_on = sa.and_(*[parent.c[e.column.name] == e.parent for e in fk.elements])
            present = sa.and_(*[e.parent.isnot(None) for e in fk.elements])
            first_parent_col = parent.c[fk.elements[0].column.name]
            q = (
                sa.select(sa.func.count())
                .select_from(table.outerjoin(parent, join_on))
                .where(present, first_parent_col.is_(None))
            )
            label = f"{table.name}({', '.join(c.name for c in fk.columns)}) -> {fk.referred_table.name}"
            out[label] = conn.execute(q).scalar_one()
    return out


def check_violations(conn) -> dict[str, int]:
    """Rows for which a CHECK constraint's expression is false, for every CHECK in the MetaData."""
    out = {}
    for table in metadata.sorted_tables:
        for cons in table.constraints:
            if isinstance(cons, sa.CheckConstraint):
                # The expression text comes from the MetaData, like the DDL the server enforces.
                q = sa.select(sa.func.count()).select_from(table).where(sa.text(f"NOT ({cons.sqltext})"))
                out[f"{table.name}.{cons.name}"] = conn.execute(q).scalar_one()
    return out


def money_sums(conn) -> dict[str, float]:
    out = {}
    for table in LOAD_ORDER:
        for col in table.columns:
            if isinstance(col.type, sa.Numeric):
                value = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(col), 0))).scalar_one()
                out[f"{table.name}.{col.name}"] = round(float(value), 4)
    return out


def frame_money_sums(data: dict[str, pd.DataFrame]) -> dict[str, float]:
    out = {}
    for table in LOAD_ORDER:
        for col in table.columns:
            if isinstance(col.type, sa.Numeric):
                values = data[table.name][col.name].to_numpy(np.float64, na_value=np.nan) if table.name in data else np.array([])
                out[f"{table.name}.{col.name}"] = round(float(np.nansum(values)), 4)
    return out
