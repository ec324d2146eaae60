"""Create the schema and inspect what a database holds."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from schema.db import backend, connect
from schema.tables import LOAD_ORDER, metadata


def init_db(engine: Engine) -> list[str]:
    """Create every table that is missing, re-create the views and, on MySQL/MariaDB, install the
    refresh procedures (all idempotent). Returns the names of the tables created."""
    from schema.refresh import install_procedures  # also registers the summary tables in the MetaData
    from schema.views import create_views

    with connect(engine) as conn:
        existing = set(sa.inspect(conn).get_table_names())  # autobegins a transaction
        metadata.create_all(conn, checkfirst=True)
        conn.commit()
        create_views(conn)
        conn.commit()
        if backend(conn) == "mysql":
            install_procedures(conn)
            conn.commit()
    return [t.name for t in metadata.sorted_tables if t.name not in existing]


def row_counts(conn: Connection, tables=LOAD_ORDER) -> dict[str, int]:
    return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in tables}


def is_empty(engine: Engine) -> bool:
    """True when the base tables are missing or hold no orders, customers or products."""
    with connect(engine) as conn:
        names = set(sa.inspect(conn).get_table_names())
        if not {"orders", "customers", "products"} <= names:
            return True
        counts = row_counts(conn, [metadata.tables[n] for n in ("orders", "customers", "products")])
    return not any(counts.values())
