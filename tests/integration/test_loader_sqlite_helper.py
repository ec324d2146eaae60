"""SQLite loads split over two processes (datagen.sqlite_helper): same result, same rollback."""
from __future__ import annotations

import glob
import os
import tempfile

import pytest
import sqlalchemy as sa

import datagen.loader as loader
from datagen.loader import LoadError, load_dataset
from schema.db import create_engine
from schema.manage import init_db
from schema.tables import LOAD_ORDER

from dbcheck import check_violations, db_checksums, frame_checksums, orphan_counts, row_counts
from test_loader import generated
from tiny_dataset import tiny_dataset

HELPED = ("orders", "order_items", "shipments")  # the helper's tables in these tests


@pytest.fixture
def sqlite_engine(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "SQLITE_HELPER_MIN_ROWS", 0)
    monkeypatch.setattr(loader, "_split_for_helper", lambda tables: (
        [t for t in tables if t.table.name not in HELPED], [t for t in tables if t.table.name in HELPED]))
    engine = create_engine(f"sqlite:///{tmp_path / 'helper.db'}")
    yield engine
    engine.dispose()


def _scratch_dirs() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "sqlite-load-*")))


def _indexes(engine) -> list:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all()


def test_a_split_load_stores_exactly_the_dataset(sqlite_engine):
    init_db(sqlite_engine)
    indexes = _indexes(sqlite_engine)
    scratch_before = _scratch_dirs()
    data = generated()
    report = load_dataset(sqlite_engine, data, progress=False)
    assert [t.name for t in report.tables] == [t.name for t in LOAD_ORDER]
    assert all(t.seconds > 0 for t in report.tables if t.name in HELPED)
    assert db_checksums(sqlite_engine) == frame_checksums(data)
    assert _indexes(sqlite_engine) == indexes
    with sqlite_engine.connect() as conn:
        assert not {k: v for k, v in orphan_counts(conn).items() if v}
        assert not {k: v for k, v in check_violations(conn).items() if v}
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert "scratch" not in {row[1] for row in conn.exec_driver_sql("PRAGMA database_list")}  # detached
        # the unique indexes the helper built came along: a duplicate code is refused
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("UPDATE orders SET order_code = (SELECT order_code FROM orders WHERE order_id = 1) WHERE order_id = 2")
    assert _scratch_dirs() == scratch_before


@pytest.mark.parametrize("how, message", [
    ("duplicate_code", r"(?i)unique.*order_code"),
    ("check", r"loading orders failed: CHECK constraint failed: .*total"),
])
def test_a_bad_row_in_a_helper_table_rolls_everything_back(sqlite_engine, monkeypatch, how, message):
    load_dataset(sqlite_engine, tiny_dataset(), progress=False)
    before = db_checksums(sqlite_engine), row_counts(sqlite_engine)
    scratch_before = _scratch_dirs()
    bad = generated()
    orders = bad["orders"]
    if how == "duplicate_code":
        orders.loc[orders.index[-1], "order_code"] = orders["order_code"].iloc[0]
        monkeypatch.setattr(loader, "_check", lambda tables: None)  # let the database find it
    else:
        orders.loc[orders.index[-1], "total"] = -1.0
    with pytest.raises(LoadError, match=message):
        load_dataset(sqlite_engine, bad, replace=True, progress=False)
    assert (db_checksums(sqlite_engine), row_counts(sqlite_engine)) == before
    assert _scratch_dirs() == scratch_before


def test_an_interrupt_stops_the_helper_and_rolls_back(sqlite_engine, monkeypatch):
    load_dataset(sqlite_engine, tiny_dataset(), progress=False)
    before = db_checksums(sqlite_engine)
    real_insert = loader._sqlite_insert_rows

    def interrupted(cur, tdata, **kw):
        if tdata.table.name == "payments":  # one of this process's own tables
            raise KeyboardInterrupt
        return real_insert(cur, tdata, **kw)

    monkeypatch.setattr(loader, "_sqlite_insert_rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_dataset(sqlite_engine, generated(), replace=True, progress=False)
    assert db_checksums(sqlite_engine) == before
    monkeypatch.setattr(loader, "_sqlite_insert_rows", real_insert)
    load_dataset(sqlite_engine, generated(), replace=True, progress=False)
    assert db_checksums(sqlite_engine) == frame_checksums(generated())


def test_split_gives_the_helper_the_largest_tables_within_its_share():
    from datagen.sqlite_helper import split_tables

    own, helped = split_tables(["a", "b", "c", "d"], {"a": 50, "b": 30, "c": 15, "d": 5}.get, share=0.5)
    assert helped == ["a"] and own == ["b", "c", "d"]
    own, helped = split_tables(["a", "b", "c", "d"], {"a": 40, "b": 30, "c": 20, "d": 10}.get, share=0.5)
    assert helped == ["a", "d"] and own == ["b", "c"]
