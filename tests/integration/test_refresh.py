"""Refresh and views against SQLite, MariaDB and PostgreSQL, checked with independent pandas.

The expected values are computed here from the raw base tables (order lines, interactions,
prices, sessions, ...) with pandas, never from the derived columns the refresh writes.
"""
from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from schema.config import PROJECT_ROOT
from schema.db import create_engine
from schema.manage import init_db
from schema import summaries as summaries_module
from schema.refresh import RefreshFailed, last_refresh, procedure_definitions, refresh, refreshed_tables
from schema.summaries import SUMMARIES, Summary
from schema.summary_tables import order_facts
from schema.tables import ad_interactions, ad_prices, ads, calendar, campaigns, customers, order_items, orders
from schema.tables import payment_methods, products, refresh_log, sessions, suppliers
from schema.views import VIEWS

CENT = 0.005 + 1e-9  # "to the cent": values rounded to cents agree exactly, so differ by < half a cent
RATE = 0.5e-4 + 1e-9  # ratios are rounded to 4 decimals in the views


@pytest.fixture(scope="module")
def dataset():
    from datagen.synthetic import GenerationSpec, generate

    return generate(GenerationSpec(orders=3000, seed=11))


@pytest.fixture
def loaded(db_url, dataset):
    """An engine on a fresh database holding the generated dataset (not yet refreshed by the test)."""
    from datagen.loader import load_dataset

    engine = create_engine(db_url)
    try:
        load_dataset(engine, dataset)
        yield engine
    finally:
        engine.dispose()


# ---------------------------------------------------------------- helpers
def read(engine, table) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.select(table), conn)


def read_view(engine, name: str) -> pd.DataFrame:
    with engine.connect() as conn:
        df = pd.read_sql(sa.text(f"SELECT * FROM {name}"), conn)
    for col in df.columns:  # drivers return Decimal for NUMERIC; make every number a float
        if df[col].dtype == object and df[col].map(lambda v: isinstance(v, Decimal)).any():
            df[col] = df[col].astype(float)
    return df


def half_up(value: float, digits: int = 2) -> float:
    """Round like DECIMAL arithmetic does (half away from zero), from the value's decimal text."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _norm(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (Decimal, float)):
        return round(float(v), 4)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
    return v


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every refreshed table's rows, normalised and sorted: comparable across refresh paths."""
    out = {}
    with engine.connect() as conn:
        for t in refreshed_tables():
            rows = [tuple(_norm(v) for v in r) for r in conn.execute(sa.select(t))]
            out[t.name] = sorted(rows, key=lambda r: tuple((x is None, str(x)) for x in r))
    return out


def corrupt(engine) -> None:
    """Set every derived column to 0 (even ids) or 1 (odd ids) and empty every summary table."""

    def wrong(key):
        return sa.case((key % 2 == 0, 0), else_=1)

    with engine.begin() as conn:
        conn.execute(sa.update(orders).values(total=wrong(orders.c.order_id)))
        v = wrong(ads.c.ad_id)
        conn.execute(sa.update(ads).values(reach=v, clicks=v, purchases=v, budget=v))
        v = wrong(campaigns.c.campaign_id)
        conn.execute(sa.update(campaigns).values(budget=v, revenue=v, reach=v, clicks=v, leads=v))
        for s in SUMMARIES:
            conn.execute(sa.delete(s.table))


def assert_close(actual: pd.Series, expected: pd.Series, tol: float, what: str) -> None:
    actual, expected = actual.astype(float), expected.astype(float)
    assert list(actual.index) == list(expected.index), f"{what}: different keys"
    both_nan = actual.isna() & expected.isna()
    diff = (actual - expected).abs()
    bad = diff[~both_nan & ~(diff <= tol)]
    assert bad.empty, f"{what}: {len(bad)} values differ, e.g. key {bad.index[0]}: {actual[bad.index[0]]} != {expected[bad.index[0]]}"


def by(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df.set_index(key).sort_index()


# ---------------------------------------------------------------- independent expectations
class Expected:
    """Derived values computed with pandas from the raw base tables of a database."""

    def __init__(self, engine):
        self.orders = read(engine, orders).set_index("order_id").sort_index()
        self.items = read(engine, order_items)
        self.inter = read(engine, ad_interactions)
        self.ads = read(engine, ads).set_index("ad_id").sort_index()
        self.prices = read(engine, ad_prices).set_index("placement")
        self.campaigns = read(engine, campaigns).set_index("campaign_id").sort_index()
        self.customers = read(engine, customers).set_index("customer_id").sort_index()
        self.products = read(engine, products).set_index("product_id").sort_index()
        self.sessions = read(engine, sessions)
        self.suppliers = read(engine, suppliers).set_index("supplier_id")
        self.calendar = read(engine, calendar)
        self.methods = read(engine, payment_methods).set_index("payment_method_id")

    def order_totals(self) -> pd.Series:
        sums = self.items.groupby("order_id")["after_discount"].sum()
        return sums.reindex(self.orders.index, fill_value=0.0).round(2)

    def ad_metrics(self) -> pd.DataFrame:
        g = self.inter.groupby("ad_id")
        out = pd.DataFrame(
            {
                "reach": g.size(),
                "clicks": g["clicked_at"].count(),
                "purchases": g["purchased_at"].count(),
            }
        ).reindex(self.ads.index, fill_value=0)
        price = self.ads["placement"].map(self.prices["price_per_reach"])
        out["budget"] = [half_up(float(Decimal(int(r)) * Decimal(repr(p)))) for r, p in zip(out["reach"], price)]
        return out

    def valid_revenue_by_ad(self) -> pd.Series:
        totals = self.order_totals()
        attributed = self.inter.dropna(subset=["order_id"]).astype({"order_id": "int64"})
        attributed = attributed[attributed["order_id"].map(self.orders["is_valid"]) == 1]
        return attributed.assign(total=attributed["order_id"].map(totals)).groupby("ad_id")["total"].sum()

    def campaign_metrics(self) -> pd.DataFrame:
        a = self.ad_metrics().join(self.ads[["campaign_id"]])
        a["revenue"] = self.valid_revenue_by_ad().reindex(a.index, fill_value=0.0)
        out = a.groupby("campaign_id")[["budget", "reach", "clicks", "purchases", "revenue"]].sum()
        out = out.rename(columns={"purchases": "leads"}).reindex(self.campaigns.index, fill_value=0)
        return out.assign(budget=out["budget"].round(2), revenue=out["revenue"].round(2))

    def lines(self) -> pd.DataFrame:
        li = self.items.join(self.orders[["customer_id", "order_date", "is_valid"]], on="order_id")
        li = li.join(self.products[["category", "unit_cost"]], on="product_id")
        li["raw_cost"] = li["unit_cost"] * li["quantity"]
        li["cost"] = li["raw_cost"].round(2)
        return li


# ---------------------------------------------------------------- tests
def test_refresh_restores_corrupted_derived_columns(loaded):
    with loaded.begin() as conn:  # parents without children must end with zeros
        childless_orders = [1, 2, 3]  # corrupt() sets 1 and 3 to 1
        conn.execute(sa.delete(order_items).where(order_items.c.order_id.in_(childless_orders)))
        unreached_ad = 1  # corrupt() sets its counts to 1
        conn.execute(sa.delete(ad_interactions).where(ad_interactions.c.ad_id == unreached_ad))
    refresh(loaded)
    before = snapshot(loaded)
    corrupt(loaded)
    report = refresh(loaded)
    names = [name for name, _ in report.steps if name not in ("analyze", "views", "install_procedures")]
    on_mysql = loaded.dialect.name in ("mysql", "mariadb")  # shadows built, then swapped in
    last = {"mysql": ["swap"], "mariadb": ["swap"], "sqlite": ["summary_indexes"]}.get(loaded.dialect.name, [])
    assert names == ["order_totals", "ad_metrics", "campaign_metrics"] + [f"summary_{s.table.name}" for s in SUMMARIES] + last
    assert len(set(report.connections.values())) == (2 if on_mysql else 0)
    inspector = sa.inspect(loaded)  # swapped in (MySQL) or re-created (SQLite) under their usual names
    for s in SUMMARIES:
        assert {ix["name"] for ix in inspector.get_indexes(s.table.name)} >= {ix.name for ix in s.table.indexes}, s.table.name
    exp = Expected(loaded)

    assert_close(exp.orders["total"], exp.order_totals(), CENT, "orders.total")
    want_ads = exp.ad_metrics()
    for col in ("reach", "clicks", "purchases"):
        assert (exp.ads[col] == want_ads[col]).all(), f"ads.{col}"
    assert_close(exp.ads["budget"], want_ads["budget"], CENT, "ads.budget")
    want_campaigns = exp.campaign_metrics()
    for col in ("reach", "clicks", "leads"):
        assert (exp.campaigns[col] == want_campaigns[col]).all(), f"campaigns.{col}"
    for col in ("budget", "revenue"):
        assert_close(exp.campaigns[col], want_campaigns[col], CENT, f"campaigns.{col}")
    assert exp.campaigns["revenue"].sum() > 0 and exp.ads["budget"].sum() > 0  # the data exercises the steps
    assert (exp.orders.loc[childless_orders, "total"] == 0).all()
    assert (exp.ads.loc[unreached_ad, ["reach", "clicks", "purchases", "budget"]] == 0).all()

    assert snapshot(loaded) == before, "summary tables are rebuilt to the same rows"


def test_refresh_is_idempotent_and_logged(loaded):
    assert last_refresh(loaded) is None
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    refresh(loaded)
    first = snapshot(loaded)
    refresh(loaded)
    assert snapshot(loaded) == first
    log = read(loaded, refresh_log)
    assert len(log) == 2 and (log["order_count"] == 3000).all() and (log["seconds"] >= 0).all()
    assert set(log["method"]) == {"python"}
    when = last_refresh(loaded)
    assert when.tzinfo is not None and start - dt.timedelta(seconds=1) <= when <= dt.datetime.now(dt.timezone.utc)


def test_views_match_pandas(loaded):
    refresh(loaded)
    exp = Expected(loaded)
    totals = exp.order_totals()
    o = exp.orders.assign(total=totals)
    valid = o[o["is_valid"] == 1]

    # v_user_order_summary / v_customer_lifetime_value
    v = by(read_view(loaded, "v_user_order_summary"), "customer_id")
    g = o.groupby("customer_id")
    assert list(v.index) == list(exp.customers.index)
    assert (v["orders"] == g.size().reindex(v.index, fill_value=0)).all()
    assert (v["valid_orders"] == g["is_valid"].sum().reindex(v.index, fill_value=0)).all()
    assert_close(v["revenue"], valid.groupby("customer_id")["total"].sum().reindex(v.index, fill_value=0), CENT, "revenue")
    first = pd.to_datetime(v["first_order_at"]).dt.floor("s")
    assert (first.dropna() == g["order_date"].min().dt.floor("s").reindex(first.dropna().index)).all()

    v = by(read_view(loaded, "v_customer_lifetime_value"), "customer_id")
    gv = valid.groupby("customer_id")
    assert (v["valid_orders"] == gv.size().reindex(v.index, fill_value=0)).all()
    assert_close(v["lifetime_revenue"], gv["total"].sum().reindex(v.index, fill_value=0), CENT, "lifetime_revenue")
    assert_close(v["avg_order_value"], gv["total"].mean().reindex(v.index), CENT, "avg_order_value")
    tenure = (gv["order_date"].max().dt.normalize() - gv["order_date"].min().dt.normalize()).dt.days
    assert_close(v["tenure_days"], tenure.reindex(v.index), 0, "tenure_days")
    assert v["tenure_days"].max() > 0

    # v_user_funnel_stage
    v = by(read_view(loaded, "v_user_funnel_stage"), "customer_id")
    depth = np.where(exp.inter["purchased_at"].notna(), 3, np.where(exp.inter["clicked_at"].notna(), 2, 1))
    gi = exp.inter.assign(depth=depth).groupby("customer_id")
    assert list(v.index) == list(gi.size().index)
    assert (v["interactions"] == gi.size()).all() and (v["stage_rank"] == gi["depth"].max()).all()
    assert (v["funnel_stage"] == v["stage_rank"].map({1: "reached", 2: "clicked", 3: "purchased"})).all()

    # v_ad_performance / v_ad_efficiency_ranking
    v = by(read_view(loaded, "v_ad_performance"), "ad_id")
    m = exp.ad_metrics()
    revenue = exp.valid_revenue_by_ad().reindex(m.index, fill_value=0.0)
    assert (v["reach"] == m["reach"]).all() and (v["purchases"] == m["purchases"]).all()
    assert_close(v["budget"], m["budget"], CENT, "ad budget")
    assert_close(v["revenue"], revenue, CENT, "ad revenue")
    assert_close(v["ctr"], m["clicks"] / m["reach"].replace(0, np.nan), RATE, "ctr")
    assert_close(v["cpc"], m["budget"] / m["clicks"].replace(0, np.nan), CENT, "cpc")
    assert_close(v["roas"], revenue.round(2) / m["budget"].replace(0, np.nan), RATE, "roas")
    assert (v["campaign_name"] == exp.ads["campaign_id"].map(exp.campaigns["campaign_name"])).all()

    r = by(read_view(loaded, "v_ad_efficiency_ranking"), "ad_id")
    assert_close(r["roas"], v["roas"], 0, "ranking roas")
    key = pd.DataFrame({"roas": r["roas"].fillna(-1), "ctr": r["ctr"].fillna(-1)})
    want_rank = key.apply(lambda row: int(((key["roas"] > row["roas"]) | ((key["roas"] == row["roas"]) & (key["ctr"] > row["ctr"]))).sum()) + 1, axis=1)
    assert (r["efficiency_rank"] == want_rank).all()

    # v_campaign_roi
    v = by(read_view(loaded, "v_campaign_roi"), "campaign_id")
    c = exp.campaign_metrics()
    assert_close(v["budget"], c["budget"], CENT, "campaign budget")
    assert_close(v["profit"], c["revenue"] - c["budget"], CENT, "campaign profit")
    assert_close(v["roi"], (c["revenue"] - c["budget"]) / c["budget"].replace(0, np.nan), RATE, "roi")

    # v_conversion_by_traffic_source
    v = by(read_view(loaded, "v_conversion_by_traffic_source"), "traffic_source")
    gs = exp.sessions.groupby("traffic_source")
    assert (v["sessions"] == gs.size()).all() and (v["converted_sessions"] == gs["order_id"].count()).all()
    assert_close(v["conversion_rate"], gs["order_id"].count() / gs.size(), RATE, "conversion_rate")

    # v_revenue_by_category
    lines = exp.lines()
    vl = lines[lines["is_valid"] == 1].groupby("category")
    v = by(read_view(loaded, "v_revenue_by_category"), "category")
    assert (v["orders"] == vl["order_id"].nunique()).all() and (v["units"] == vl["quantity"].sum()).all()
    assert_close(v["revenue"], vl["after_discount"].sum(), CENT, "category revenue")
    assert_close(v["cost"], vl["raw_cost"].sum(), CENT, "category cost")
    assert_close(v["profit"], v["revenue"] - v["cost"], CENT, "category profit")

    # v_sales_lines and fact_sales: one row per line, cost and profit per line
    for name in ("v_sales_lines", "fact_sales"):
        v = by(read_view(loaded, name), "order_item_id")
        li = lines.set_index("order_item_id").sort_index()
        assert list(v.index) == list(li.index), name
        assert_close(v["revenue"], li["after_discount"], CENT, f"{name}.revenue")
        assert_close(v["cost"], li["cost"], CENT, f"{name}.cost")
        assert_close(v["profit"], li["after_discount"] - li["raw_cost"], CENT, f"{name}.profit")
    v = by(read_view(loaded, "v_sales_lines"), "order_item_id")
    assert (v["payment_method"] == v["order_id"].map(exp.orders["payment_method_id"]).map(exp.methods["method_name"])).all()
    f = by(read_view(loaded, "fact_sales"), "order_item_id")
    li = lines.set_index("order_item_id").sort_index()
    assert (pd.to_datetime(f["date_day"]) == li["order_date"].dt.normalize()).all()

    # dimensions
    v = by(read_view(loaded, "dim_customer"), "customer_id")
    bands = pd.cut(exp.customers["age"], [0, 24, 34, 44, 54, 200], labels=["16-24", "25-34", "35-44", "45-54", "55+"])
    assert (v["age_band"] == bands.astype(str)).all()
    v = by(read_view(loaded, "dim_product"), "product_id")
    assert_close(v["unit_margin"], exp.products["price"] - exp.products["unit_cost"], CENT, "unit_margin")
    assert (v["supplier_name"].fillna("") == exp.products["supplier_id"].map(exp.suppliers["supplier_name"]).fillna("")).all()
    v = read_view(loaded, "dim_date")
    assert len(v) == len(exp.calendar)
    assert sorted(pd.to_datetime(v["date_day"])) == sorted(pd.to_datetime(exp.calendar["date_day"]))


def test_views_and_refresh_on_an_empty_database(db_url):
    engine = create_engine(db_url)
    try:
        init_db(engine)
        with engine.connect() as conn:
            for name in VIEWS:
                assert conn.execute(sa.text(f"SELECT * FROM {name}")).all() == [], name
        report = refresh(engine)  # nothing to do, but no error either
        assert report.steps[0][0] == "views"
        assert last_refresh(engine) is not None
    finally:
        engine.dispose()


def test_mariadb_procedures_give_the_same_tables(db_factory, dataset):
    """CALL refresh_all() over a raw DBAPI connection == the statements run from Python."""
    from datagen.loader import load_dataset

    url = db_factory("mariadb")
    engine = create_engine(url)
    try:
        init_db(engine)
        with engine.connect() as conn:
            installed = set(
                conn.execute(
                    sa.text(
                        "SELECT ROUTINE_NAME FROM information_schema.ROUTINES "
                        "WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'PROCEDURE'"
                    )
                ).scalars()
            )
        wanted = set(procedure_definitions(engine.dialect))
        assert {"refresh_all", "refresh_order_totals", "refresh_ad_metrics", "refresh_campaign_metrics"} <= wanted
        assert {f"refresh_summary_{s.table.name}" for s in SUMMARIES} <= wanted
        assert wanted <= installed

        load_dataset(engine, dataset)
        corrupt(engine)
        refresh(engine, via="statements")
        python_path = snapshot(engine)

        corrupt(engine)
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("CALL refresh_all()")
            cur.close()
            raw.commit()
        finally:
            raw.close()
        assert snapshot(engine) == python_path

        corrupt(engine)
        refresh(engine)  # the default on MariaDB: the step procedures, one transaction
        assert snapshot(engine) == python_path
        assert list(read(engine, refresh_log)["method"]) == ["python", "procedure", "python"]
    finally:
        engine.dispose()


def _broken_summary() -> Summary:
    """A summary whose rows collide on its primary key (many orders a day): its step fails on every
    backend. With its secondary index it is bulk-loaded on MySQL, where MariaDB would silently keep
    no rows: the step's guard raises. It reads order_facts, so on MySQL it runs after shadows have
    been built."""
    table = sa.Table("broken_summary", sa.MetaData(), sa.Column("day", sa.Date, primary_key=True),
                     sa.Column("customer_id", sa.Integer), sa.Index("ix_broken_summary_customer_id", "customer_id"))
    return Summary(table, lambda: sa.select(order_facts.c.day, order_facts.c.customer_id))


def _leftovers(engine) -> list[str]:
    return sorted(n for n in sa.inspect(engine).get_table_names() if n.endswith(("__new", "__old")))


def _summary_rows(engine) -> dict[str, list[tuple]]:
    names = {s.table.name for s in SUMMARIES}
    return {name: rows for name, rows in snapshot(engine).items() if name in names}


@pytest.mark.parametrize("via", ["auto", "statements", "refresh_all"])
def test_a_failing_step_leaves_the_live_summaries_and_the_log_as_they_were(db_url, dataset, via, monkeypatch):
    from datagen.loader import load_dataset

    engine = create_engine(db_url)
    try:
        if via == "refresh_all" and engine.dialect.name not in ("mysql", "mariadb"):
            pytest.skip("refresh_all is a MySQL procedure")
        load_dataset(engine, dataset)
        refresh(engine)
        good = snapshot(engine)
        corrupt(engine)  # the live summaries are now empty: a half-done swap would show
        corrupted = snapshot(engine)
        log_before = read(engine, refresh_log)
        broken = _broken_summary()
        broken.table.create(engine)
        with monkeypatch.context() as m:
            m.setattr(summaries_module, "SUMMARIES", [*summaries_module.SUMMARIES, broken])
            with pytest.raises((RefreshFailed, sa.exc.DBAPIError)) as failure:
                refresh(engine, via=via)
        if engine.dialect.name in ("mysql", "mariadb"):
            assert "lost its rows" in str(failure.value)  # the guard, not a duplicate-key error
            # the base steps committed before the summaries were built; the summaries were not swapped
            assert _summary_rows(engine) == {name: [] for name in _summary_rows(engine)}
        else:  # one transaction, rolled back
            assert snapshot(engine) == corrupted
        assert read(engine, refresh_log).equals(log_before)
        assert _leftovers(engine) == []
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(broken.table)).scalar() == 0

        refresh(engine)  # the lock was released, the procedures re-installed without the broken step
        assert snapshot(engine) == good
    finally:
        engine.dispose()


@pytest.mark.parametrize("broken", [False, True])
def test_sqlite_refresh_with_a_helper_process_gives_the_same_tables(tmp_path, dataset, monkeypatch, broken):
    """A forked helper builds the order_facts chain into a scratch file (forced here: the dataset is
    small); the result is the one-process refresh's, and a failing helper fails the refresh."""
    import schema.refresh_sqlite as refresh_sqlite
    from datagen.loader import load_dataset

    scratch_parent = tmp_path / "tmp"  # only this test's scratch directories: /tmp may hold a killed run's
    scratch_parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_parent))
    engine = create_engine(f"sqlite:///{tmp_path / 'helper.db'}")
    try:
        load_dataset(engine, dataset)
        report = refresh(engine)
        assert not report.connections  # a small database: one process
        good = snapshot(engine)
        corrupt(engine)
        corrupted = snapshot(engine)
        log_before = read(engine, refresh_log)
        monkeypatch.setattr(refresh_sqlite, "HELPER_MIN_ROWS", 0)
        with monkeypatch.context() as m:
            if broken:
                bad = _broken_summary()
                bad.table.create(engine)
                m.setattr(summaries_module, "SUMMARIES", [*summaries_module.SUMMARIES, bad])
                with pytest.raises(refresh_sqlite.HelperFailed, match="broken_summary"):
                    refresh(engine)
            else:
                report = refresh(engine)
        if broken:
            assert snapshot(engine) == corrupted and read(engine, refresh_log).equals(log_before)
        else:
            by = {c: {name for name, cc in report.connections.items() if cc == c} for c in (1, 2)}
            assert "order_totals" in by[1] and any(n.startswith("summary_agg") for n in by[1])  # both built summaries
            assert "summary_order_facts" in by[2] and not by[1] & by[2]
            assert snapshot(engine) == good
            assert len(read(engine, refresh_log)) == len(log_before) + 1
        with engine.connect() as conn:  # the scratch database is detached, its directory gone
            assert "scratch" not in [row[1] for row in conn.exec_driver_sql("PRAGMA database_list")]
        assert not list(scratch_parent.glob("sqlite-refresh-*"))
        refresh(engine)  # the connection is usable again
        assert snapshot(engine) == good
    finally:
        engine.dispose()


def test_sqlite_first_refresh_after_a_load_splits_the_work_as_later_ones(tmp_path, dataset, monkeypatch):
    """The summaries are still empty on the first refresh after a load; the split between the two
    processes must not take them at their word (counted as empty, everything reading line_facts or
    order_facts looked free, and the helper was handed nearly the whole refresh)."""
    import schema.refresh_sqlite as refresh_sqlite
    from datagen.loader import load_dataset

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(refresh_sqlite, "HELPER_MIN_ROWS", 0)
    engine = create_engine(f"sqlite:///{tmp_path / 'first.db'}")
    try:
        load_dataset(engine, dataset)
        splits = []
        for _ in range(2):
            report = refresh(engine)
            splits.append({name for name, c in report.connections.items() if c == 2 and name.startswith("summary_")
                           and not name.endswith("(helper)")})
        assert "summary_order_facts" in splits[1] and "summary_line_facts" not in splits[1]
        assert splits[0] == splits[1]
    finally:
        engine.dispose()


def test_sqlite_refresh_with_a_helper_process_re_creates_missing_summary_indexes(tmp_path, dataset, monkeypatch):
    """Summary indexes the database lacks (a version that adds them, over a database the previous one
    refreshed) are created, on the main process's summaries and on the helper's, and the helper still
    commits (an unqualified DROP INDEX IF EXISTS of a missing index locked its scratch file)."""
    import schema.refresh_sqlite as refresh_sqlite
    from datagen.loader import load_dataset

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    engine = create_engine(f"sqlite:///{tmp_path / 'upgraded.db'}")
    indexes = {s.table.name: sorted(ix.name for ix in s.table.indexes)[0] for s in SUMMARIES
               if s.table.name in ("line_facts", "agg_customer")}
    try:
        load_dataset(engine, dataset)
        refresh(engine)
        good = snapshot(engine)
        with engine.begin() as conn:
            for name in indexes.values():
                conn.exec_driver_sql(f"DROP INDEX {name}")
        monkeypatch.setattr(refresh_sqlite, "HELPER_MIN_ROWS", 0)
        report = refresh(engine)
        helper = {name for name, c in report.connections.items() if c == 2}
        assert "summary_order_facts" in helper and "summary_agg_customer" in helper  # built by the helper
        for table, name in indexes.items():
            assert name in {ix["name"] for ix in sa.inspect(engine).get_indexes(table)}
        assert snapshot(engine) == good
    finally:
        engine.dispose()


def test_mariadb_refresh_ignores_a_killed_runs_leftovers_and_waits_for_another_refresh(db_factory, dataset, monkeypatch):
    import schema.refresh as refresh_module
    from datagen.loader import load_dataset

    engine = create_engine(db_factory("mariadb"))
    try:
        load_dataset(engine, dataset)
        refresh(engine, via="statements")
        good = snapshot(engine)
        corrupt(engine)
        with engine.begin() as conn:  # what a run killed mid-build or mid-swap leaves behind
            conn.exec_driver_sql("CREATE TABLE order_facts__new (junk INT)")
            conn.exec_driver_sql("CREATE TABLE agg_sales_day__old AS SELECT * FROM agg_sales_day")
        refresh(engine)
        assert snapshot(engine) == good and _leftovers(engine) == []

        # another refresh holds the lock: this one gives up and leaves that one's shadows alone
        other = engine.connect()
        try:
            assert other.exec_driver_sql(f"SELECT GET_LOCK({refresh_module.LOCK_NAME_SQL}, 0)").scalar() == 1
            other.exec_driver_sql("CREATE TABLE line_facts__new (junk INT)")
            monkeypatch.setattr(refresh_module, "LOCK_WAIT_SECONDS", 1)
            with pytest.raises(RefreshFailed, match="another refresh"):
                refresh(engine)
            assert _leftovers(engine) == ["line_facts__new"]
        finally:
            other.invalidate()  # closes the DBAPI connection (back in the pool it would keep the lock)
            other.close()
        monkeypatch.undo()
        refresh(engine)
        assert _leftovers(engine) == [] and snapshot(engine) == good
    finally:
        engine.dispose()


def test_procedures_are_reinstalled_only_when_outdated(db_factory):
    from schema.refresh import install_procedures

    engine = create_engine(db_factory("mariadb"))
    try:
        init_db(engine)
        with engine.connect() as conn:
            assert install_procedures(conn) is False  # init-db installed the current set
            conn.exec_driver_sql("DROP PROCEDURE refresh_ad_metrics")
            assert install_procedures(conn) is True
            assert install_procedures(conn) is False
    finally:
        engine.dispose()


def test_cli_refresh_on_an_empty_file_is_one_line_error(tmp_path):
    db = tmp_path / "empty.db"
    result = subprocess.run(
        [sys.executable, "run.py", "refresh", "--database-url", f"sqlite:///{db}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nothing to refresh" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_summary_of_an_older_shape_is_re_created(loaded):
    """A database written by an older version holds a summary with other columns: refresh rebuilds it
    with the current columns (summaries are rebuilt whole) and fills it like any other."""
    with loaded.begin() as conn:
        conn.execute(sa.schema.DropTable(order_facts, if_exists=True))
        conn.exec_driver_sql("CREATE TABLE order_facts (day DATE NOT NULL, order_id INTEGER NOT NULL, old_column INTEGER)")
    refresh(loaded)
    with loaded.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("order_facts")}
        rows = conn.execute(sa.select(sa.func.count()).select_from(order_facts)).scalar_one()
        orders_with_lines = conn.execute(sa.select(sa.func.count(sa.distinct(order_items.c.order_id)))).scalar_one()
    assert columns == set(order_facts.c.keys())
    assert rows == orders_with_lines > 0


def test_summary_indexes_follow_the_current_version(loaded):
    """An index an older version made on a summary is dropped (the refresh would keep it up to date for
    nothing) and the current ones exist, with their column order and directions."""
    from schema.summary_tables import agg_customer

    with loaded.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX ix_agg_customer_old_revenue ON agg_customer (revenue_valid)")
        conn.exec_driver_sql("DROP INDEX ix_agg_customer_top_valid" + (" ON agg_customer" if loaded.dialect.name == "mysql" else ""))
    refresh(loaded)
    present = {ix["name"]: ix for ix in sa.inspect(loaded).get_indexes("agg_customer")}
    assert "ix_agg_customer_old_revenue" not in present
    assert {ix.name for ix in agg_customer.indexes} <= set(present)
    assert present["ix_agg_customer_top_valid"]["column_names"] == ["revenue_valid", "customer_id"]
