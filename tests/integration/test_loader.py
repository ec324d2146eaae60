"""datagen.loader against real SQLite, MariaDB and PostgreSQL databases (one fresh database per test)."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools

import pandas as pd
import pytest
import sqlalchemy as sa

import datagen.loader as loader
from datagen.loader import InvalidDataset, LoadError, LoadReport, load_dataset
from schema.db import create_engine
from schema.errors import DataExists
from schema.manage import init_db
from schema.tables import LOAD_ORDER, metadata

from dbcheck import (
    canonical_rows_db,
    canonical_rows_frame,
    check_violations,
    db_checksums,
    frame_checksums,
    frame_money_sums,
    money_sums,
    orphan_counts,
    row_counts,
)
from tiny_dataset import tiny_dataset

ORDERS = 3000


@functools.lru_cache(maxsize=4)
def _generated(orders: int, seed: int) -> dict[str, pd.DataFrame]:
    from datagen.synthetic import GenerationSpec, generate

    return generate(GenerationSpec(orders=orders, seed=seed))


def generated(orders: int = ORDERS, seed: int = 42) -> dict[str, pd.DataFrame]:
    """The real generator's output (a fresh copy of the cached frames, so tests may edit them)."""
    return {name: df.copy() for name, df in _generated(orders, seed).items()}


def _counts(data) -> dict[str, int]:
    return {t.name: len(data[t.name]) if t.name in data else 0 for t in LOAD_ORDER}


def _with_bad_last_item(data, how: str):
    """A copy whose order_items (loaded late) ends with one row the database must reject."""
    data = {k: v.copy() for k, v in data.items()}
    items = data["order_items"]
    last = items.index[-1]
    if how == "check":
        items.loc[last, "quantity"] = 0  # CHECK quantity > 0
    elif how == "duplicate_pk":
        items.loc[last, "order_item_id"] = items["order_item_id"].iloc[0]
    else:  # pragma: no cover
        raise ValueError(how)
    return data


# ------------------------------------------------------------------------------ round trip
def test_round_trip_of_a_generated_dataset(engine):
    data = generated()
    report = load_dataset(engine, data, progress=False)

    assert isinstance(report, LoadReport)
    assert [t.name for t in report.tables] == [t.name for t in LOAD_ORDER]
    assert {t.name: t.rows for t in report.tables} == _counts(data)
    assert report.method == {"sqlite": "executemany", "mysql": "load_data_infile", "postgresql": "copy"}[_backend(engine)]
    assert row_counts(engine) == _counts(data)
    with engine.connect() as conn:
        db_sums = money_sums(conn)
        for key, expected in frame_money_sums(data).items():
            assert abs(db_sums[key] - expected) < 0.005, f"{key}: database {db_sums[key]} != dataset {expected}"
        for table in LOAD_ORDER:
            # Every value, dates, datetimes and NULLs included, comes back as it went in.
            assert canonical_rows_db(conn, table) == canonical_rows_frame(data[table.name], table), table.name
        assert not {k: v for k, v in orphan_counts(conn).items() if v}
        assert not {k: v for k, v in check_violations(conn).items() if v}


def test_tricky_values_and_date_types_round_trip(engine):
    """Tabs, newlines, backslashes, a literal \\N, quotes, '' and 4-byte UTF-8 survive every path;
    DATE and DATETIME columns come back as date and datetime objects."""
    data = tiny_dataset()
    load_dataset(engine, data, progress=False)
    assert db_checksums(engine) == frame_checksums(data)
    orders, customers, payments = (metadata.tables[n] for n in ("orders", "customers", "payments"))
    with engine.connect() as conn:
        names = conn.execute(sa.select(customers.c.customer_name).order_by(customers.c.customer_id)).scalars().all()
        nulls = conn.execute(sa.select(sa.func.count()).where(payments.c.paid_at.is_(None))).scalar_one()
        first = conn.execute(sa.select(orders.c.order_date).order_by(orders.c.order_id)).scalars().first()
        signup = conn.execute(sa.select(customers.c.signup_date).order_by(customers.c.customer_id)).scalars().first()
        # A bound datetime parameter at the exact stored instant matches (storage format agrees).
        on_new_year = conn.execute(
            sa.select(sa.func.count()).where(orders.c.order_date >= dt.datetime(2024, 1, 1), orders.c.order_date < dt.datetime(2024, 1, 2))
        ).scalar_one()
    assert names == data["customers"]["customer_name"].tolist()
    assert nulls == 1
    assert type(first) is dt.datetime and first == dt.datetime(2024, 1, 1, 0, 0, 0)
    assert type(signup) is dt.date and signup == dt.date(2023, 12, 31)
    assert on_new_year == 1


def test_sqlite_stores_what_sqlalchemy_itself_writes(tmp_path):
    """The text the loader stores is byte-identical to SQLAlchemy's own SQLite storage format."""
    eng = create_engine(f"sqlite:///{tmp_path / 'fmt.db'}")
    try:
        load_dataset(eng, tiny_dataset(), progress=False)
        with eng.connect() as conn:
            raw_dt = conn.exec_driver_sql("SELECT order_date FROM orders WHERE order_id = 2").scalar_one()
            raw_d = conn.exec_driver_sql("SELECT signup_date FROM customers WHERE customer_id = 2").scalar_one()
        dialect = eng.dialect
        as_sa_writes_dt = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)(dt.datetime(2024, 1, 2, 10, 11, 12))
        as_sa_writes_d = sa.Date().dialect_impl(dialect).bind_processor(dialect)(dt.date(2024, 1, 1))
        assert raw_dt == as_sa_writes_dt
        assert raw_d == as_sa_writes_d
    finally:
        eng.dispose()


def test_same_seed_gives_the_same_checksums_on_every_backend(db_factory):
    data = generated()
    expected = frame_checksums(data)
    for kind in ("sqlite", "mariadb", "postgresql"):
        eng = create_engine(db_factory(kind))
        try:
            load_dataset(eng, data, progress=False)
            assert db_checksums(eng) == expected, kind
        finally:
            eng.dispose()


# ------------------------------------------------------------------------------ refusing and replacing
def test_refuses_a_non_empty_database_without_replace(engine):
    # Rows in any base table count, not only orders.
    load_dataset(engine, {"suppliers": tiny_dataset()["suppliers"]}, progress=False)
    with pytest.raises(DataExists, match=r"already holds rows \(2 suppliers\); pass --replace"):
        load_dataset(engine, tiny_dataset(), progress=False)
    assert row_counts(engine)["suppliers"] == 2 and row_counts(engine)["orders"] == 0

    load_dataset(engine, tiny_dataset(), replace=True, progress=False)
    before = db_checksums(engine)
    with pytest.raises(DataExists, match=r"already holds 4 orders; pass --replace to overwrite them"):
        load_dataset(engine, generated(), progress=False)
    assert db_checksums(engine) == before


def test_replace_swaps_the_whole_content(engine):
    load_dataset(engine, generated(), progress=False)
    second = tiny_dataset()
    report = load_dataset(engine, second, replace=True, progress=False)
    assert report.rows == sum(_counts(second).values())
    assert row_counts(engine) == _counts(second)
    assert db_checksums(engine) == frame_checksums(second)


def test_failed_replace_rolls_back_everything(engine, monkeypatch):
    """Dataset A stays intact when replacing it with B fails on B's late table (order_items):
    once on a CHECK the database enforces, once on a duplicate primary key the dataset check
    is told to let through (so the database, not the loader, rejects it)."""
    a = tiny_dataset()
    load_dataset(engine, a, progress=False)
    before_counts, before_sums = row_counts(engine), db_checksums(engine)

    with pytest.raises(LoadError, match=r"loading order_items failed: .*quantity.*rolled back"):
        load_dataset(engine, _with_bad_last_item(generated(), "check"), replace=True, progress=False)
    assert row_counts(engine) == before_counts
    assert db_checksums(engine) == before_sums

    with monkeypatch.context() as m:
        m.setattr(loader, "_check", lambda tables: None)
        with pytest.raises(LoadError, match=r"loading order_items failed: .*(?i:duplicate|unique).*rolled back"):
            load_dataset(engine, _with_bad_last_item(generated(), "duplicate_pk"), replace=True, progress=False)
    assert row_counts(engine) == before_counts
    assert db_checksums(engine) == before_sums

    # The engine is still usable and a good replace goes through afterwards.
    load_dataset(engine, generated(), replace=True, progress=False)
    assert row_counts(engine) == _counts(generated())


def test_interrupt_part_way_rolls_back(engine, monkeypatch):
    a = tiny_dataset()
    load_dataset(engine, a, progress=False)
    before = db_checksums(engine)

    real_bar = loader.rows_bar

    @contextlib.contextmanager
    def interrupting_bar(label, total, enabled):
        with real_bar(label, total, enabled) as bar:
            if label == "order_items":  # rows of this table were just written when update() runs
                class Boom:
                    def update(self, n=1):
                        raise KeyboardInterrupt
                yield Boom()
            else:
                yield bar

    monkeypatch.setattr(loader, "rows_bar", interrupting_bar)
    with pytest.raises(KeyboardInterrupt):
        load_dataset(engine, generated(), replace=True, progress=False)
    monkeypatch.setattr(loader, "rows_bar", real_bar)

    assert db_checksums(engine) == before
    load_dataset(engine, generated(), replace=True, progress=False)
    assert row_counts(engine) == _counts(generated())


def test_invalid_dataset_is_refused_before_touching_the_database(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'invalid.db'}")
    a = tiny_dataset()
    load_dataset(engine, a, progress=False)
    before = db_checksums(engine)
    b = generated()
    b["order_items"].loc[b["order_items"].index[-1], "product_id"] = 10**9
    with pytest.raises(InvalidDataset, match=r"order_items\(product_id\) -> products\(product_id\): 1 row"):
        load_dataset(engine, b, replace=True, progress=False)
    assert db_checksums(engine) == before
    engine.dispose()


# ------------------------------------------------------------------------------ dataset checks (no server needed)
@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.__setitem__("orders", d["orders"].drop(columns=["total"])), r"orders: columns do not match the schema \(missing total\)"),
        (lambda d: d["orders"].insert(0, "extra", 1), r"unexpected extra"),
        (lambda d: d.__setitem__("nope", pd.DataFrame()), r"unknown tables in the dataset: nope"),
        (lambda d: d["customers"].loc.__setitem__((1, "customer_code"), "C0001"), r"customers\(customer_code\): duplicate"),
        (lambda d: d["product_ads"].loc.__setitem__((1, "product_id"), 1), r"product_ads\(ad_id, product_id\): duplicate"),
        (lambda d: d["orders"].loc.__setitem__((0, "order_code"), None), r"orders.order_code: 1 NULL"),
        (lambda d: d.pop("products"), r"point at products, which the dataset leaves empty"),
        (lambda d: d["ads"].loc.__setitem__((0, "placement"), "nowhere"), r"ads\(placement\) -> ad_prices\(placement\): 1 row"),
    ],
    ids=["missing-column", "extra-column", "unknown-table", "duplicate-unique", "duplicate-composite-pk", "null", "empty-parent", "orphan-text-fk"],
)
def test_dataset_checks(edit, message):
    data = tiny_dataset()
    edit(data)
    with pytest.raises(InvalidDataset, match=message):
        loader.check_dataset(data)


def test_a_partial_dataset_leaves_other_tables_empty(tmp_path):
    eng = create_engine(f"sqlite:///{tmp_path / 'partial.db'}")
    try:
        data = {k: v for k, v in tiny_dataset().items() if k in ("suppliers", "ad_prices")}
        report = load_dataset(eng, data, progress=False)
        assert [t.name for t in report.tables] == ["ad_prices", "suppliers"]
        counts = row_counts(eng)
        assert counts["suppliers"] == 2 and counts["ad_prices"] == 2 and counts["orders"] == 0
    finally:
        eng.dispose()


# ------------------------------------------------------------------------------ progress and fallbacks
def test_progress_goes_to_stderr_never_stdout(tmp_path, capsys):
    eng = create_engine(f"sqlite:///{tmp_path / 'bar.db'}")
    try:
        load_dataset(eng, tiny_dataset(), progress=True)
    finally:
        eng.dispose()
    out, err = capsys.readouterr()
    assert out == ""
    assert "order_items" in err and "rows" in err


def test_progress_auto_is_off_when_stderr_is_not_a_terminal(tmp_path, capsys):
    eng = create_engine(f"sqlite:///{tmp_path / 'nobar.db'}")
    try:
        load_dataset(eng, tiny_dataset())
    finally:
        eng.dispose()
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_mysql_without_local_infile_falls_back_to_executemany(db_factory):
    url = db_factory("mariadb")
    create_engine(url).dispose()
    plain = sa.create_engine(sa.make_url(url), connect_args={"charset": "utf8mb4"})  # client flag LOCAL_FILES off
    try:
        data = tiny_dataset()
        report = load_dataset(plain, data, progress=False)
        assert report.method == "executemany"
        assert db_checksums(plain) == frame_checksums(data)
        before = db_checksums(plain)
        with pytest.raises(LoadError, match=r"loading order_items failed: .*rolled back"):
            load_dataset(plain, _with_bad_last_item(generated(), "check"), replace=True, progress=False)
        assert db_checksums(plain) == before
        with plain.connect() as conn:  # the session settings were restored on the pooled connection
            assert conn.exec_driver_sql("SELECT @@SESSION.foreign_key_checks, @@SESSION.unique_checks").one() == (1, 1)
    finally:
        plain.dispose()


def test_sqlite_connection_settings_are_restored_after_a_load(tmp_path):
    """The load switches off FK enforcement and per-row CHECKs, leaves WAL and drops indexes for
    its own transaction only: afterwards the pooled connection and the file are as before."""
    eng = create_engine(f"sqlite:///{tmp_path / 'fk.db'}", poolclass=sa.pool.StaticPool)
    try:
        init_db(eng)
        with eng.connect() as conn:
            indexes_before = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all()
        load_dataset(eng, generated(), progress=False)
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA ignore_check_constraints").scalar_one() == 0
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.connection.dbapi_connection.isolation_level == ""
            assert conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all() == indexes_before
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        eng.dispose()


def _indexes_and_foreign_keys(engine) -> dict:
    inspector = sa.inspect(engine)
    return {
        t.name: (
            sorted(ix["name"] for ix in inspector.get_indexes(t.name)),
            sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"]) for fk in inspector.get_foreign_keys(t.name)),
        )
        for t in LOAD_ORDER
    }


def test_indexes_and_foreign_keys_survive_loads(engine):
    """What the loader drops for speed inside its transaction (SQLite indexes, PostgreSQL foreign
    keys) is back after a good load and after a failed one."""
    init_db(engine)
    before = _indexes_and_foreign_keys(engine)
    assert sum(len(fks) for _, fks in before.values()) > 20
    with pytest.raises(LoadError):
        load_dataset(engine, _with_bad_last_item(generated(), "check"), progress=False)
    assert _indexes_and_foreign_keys(engine) == before
    assert sum(row_counts(engine).values()) == 0
    load_dataset(engine, generated(), progress=False)
    assert _indexes_and_foreign_keys(engine) == before


def _backend(engine) -> str:
    return "mysql" if engine.dialect.name in ("mysql", "mariadb") else engine.dialect.name
