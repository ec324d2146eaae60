"""Every catalogue dataset on SQLite, MariaDB and PostgreSQL against an independent pandas
computation over the raw tables (tests/integration/catalogue_oracle.py), under many filters.

One generated dataset (3,000 orders) is loaded and refreshed once per backend (module scope).
"""
from __future__ import annotations

import math
import uuid
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from catalogue_oracle import EXPECTED, Raw, order_level
from conftest import BACKENDS, fresh_database
from dashboard.queries import cache, engine as query_engine
from dashboard.queries.catalogue import DATASETS, run_dataset
from dashboard.queries.filters import Filters
from dashboard.queries.options import dimension_options, validate_filters
from dashboard.queries.sources import product_customers, product_orders
from dashboard.queries.sql import has_product_filter
from schema.db import create_engine
from schema.errors import InvalidFilter

ORDERS, SEED = 3000, 5
TOL = 0.0101  # outputs are rounded to cents / 0.01 percentage points


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    from datagen.pipeline import generate_into

    name = f"catalogue_test_{uuid.uuid4().hex[:8]}"  # unique: concurrent runs must not share a database
    with fresh_database(request.param, name, tmp_path_factory.mktemp("cat")) as url:
        eng = create_engine(url)
        generate_into(eng, orders=ORDERS, seed=SEED, start=date(2022, 1, 1), months=24, replace=False)
        query_engine.configure(eng)
        cache.clear_cache()
        try:
            yield eng, Raw(eng)
        finally:
            eng.dispose()


def filter_sets(raw: Raw) -> dict[str, Filters]:
    """Varied filters drawn from the data itself (so each combination selects something)."""
    li = raw.lines
    cats = li["category"].value_counts().index.tolist()
    brands = li["brand"].value_counts().index.tolist()
    pms = li["method_name"].value_counts().index.tolist()
    cities = li["city"].value_counts().index.tolist()
    platforms = raw.customers["platform"].value_counts().index.tolist()
    ad_platforms = raw.t["ads"]["platform"].value_counts().index.tolist()
    camps = raw.t["campaigns"]["campaign_name"].tolist()
    return {
        "all": Filters(),
        "window": Filters(start=date(2022, 3, 17), end=date(2022, 8, 9)),
        "two_partial_months": Filters(start=date(2023, 3, 5), end=date(2023, 4, 27)),  # no whole month inside
        "one_category": Filters(categories=(cats[0],), start=date(2022, 2, 1), end=date(2023, 1, 31)),
        "one_category_days": Filters(categories=(cats[2],), status_scope="net", start=date(2022, 11, 12), end=date(2023, 2, 3)),
        "two_categories": Filters(categories=tuple(cats[1:3]), start=date(2022, 5, 10), end=date(2023, 6, 20)),
        "brand": Filters(brands=(brands[0], brands[3]), categories=tuple(cats[:4]), end=date(2023, 2, 14)),
        "payment_city": Filters(payment_methods=tuple(pms[:2]), cities=tuple(cities[:3]), start=date(2022, 9, 3)),
        "payment": Filters(payment_methods=(pms[1],), start=date(2022, 1, 20), end=date(2023, 11, 5)),
        "city_platform": Filters(cities=(cities[0], cities[4]), platforms=(platforms[0],), end=date(2023, 4, 30)),
        "ads": Filters(platforms=tuple(ad_platforms[:2]), campaigns=tuple(camps[:30]), start=date(2022, 4, 1), end=date(2022, 12, 31)),
        "gross": Filters(status_scope="gross", start=date(2022, 6, 1), end=date(2022, 7, 15), categories=tuple(cats[:2])),
        "net": Filters(status_scope="net", start=date(2023, 1, 1), end=date(2023, 12, 31)),
        # long spans: product sums from the running totals (agg_product_cum) in the other scopes' columns
        "gross_long": Filters(status_scope="gross", start=date(2022, 2, 10), end=date(2023, 9, 20)),
        "net_open_end": Filters(status_scope="net", start=date(2022, 4, 3), categories=tuple(cats[:3])),
        # most segments selected: distinct orders from the orders per segment mask, not line_facts
        "most_categories": Filters(categories=tuple(cats[1:]), start=date(2022, 7, 1), end=date(2023, 5, 31)),
        "empty": Filters(start=date(2030, 1, 1), end=date(2030, 3, 31)),
    }


PARAMS = {"top_products": [{}, {"limit": 3}], "orders_trend": [{"grain": g} for g in ("day", "week", "month", "year")],
          "low_stock": [{"threshold": 20}, {"threshold": 5, "limit": 3}], "price_distribution": [{"bins": 10}, {"bins": 4}, {"bins": 12, "scale": "log"}],
          "product_stock": [{}, {"limit": 3}],
          "q1_best_month": [{}, {"year": 2022}], "q3_category_yoy": [{}, {"year": 2022}],
          "q5_brand_ranking": [{"year": 2022}], "q4_top_payment_methods": [{"year": 2023}], "top_customers": [{"limit": 5}],
          "roas_by_ad": [{"limit": 5}], "profit_by_product": [{"limit": 7}],
          "campaign_ads": [{}, {"limit": 5}]}


def _norm(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (np.integer, np.floating)):
        v = v.item()
    if isinstance(v, (pd.Timestamp,)):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, what: str) -> None:
    assert list(actual.columns) == list(expected.columns) or set(actual.columns) == set(expected.columns), (
        f"{what}: columns {list(actual.columns)} != {list(expected.columns)}")
    cols = list(actual.columns)
    assert len(actual) == len(expected), f"{what}: {len(actual)} rows, expected {len(expected)}\n{actual.head()}\n{expected.head()}"
    if actual.empty:
        return
    key = [c for c in cols if not pd.api.types.is_numeric_dtype(actual[c]) or c.endswith("_id") or c in ("bin", "rank")]
    rows_a = sorted(([_norm(v) for v in r] for r in actual[cols].itertuples(index=False)), key=lambda r: [str(r[cols.index(k)]) for k in key])
    rows_e = sorted(([_norm(v) for v in r] for r in expected[cols].itertuples(index=False)), key=lambda r: [str(r[cols.index(k)]) for k in key])
    for ra, re in zip(rows_a, rows_e):
        for c, va, ve in zip(cols, ra, re):
            if isinstance(va, (int, float)) and isinstance(ve, (int, float)) and not isinstance(va, bool):
                assert abs(va - ve) <= TOL + 1e-9 * abs(ve), f"{what}: {c} = {va}, expected {ve} in row {ra}"
            else:
                assert va == ve, f"{what}: {c} = {va!r}, expected {ve!r} in row {ra}"


def test_every_dataset_has_an_independent_check():
    missing = sorted(set(DATASETS) - set(EXPECTED))
    assert not missing, f"datasets without an independent pandas check: {missing}"


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset_matches_pandas(loaded, name):
    _, raw = loaded
    ds = DATASETS[name]
    for label, filters in filter_sets(raw).items():
        for params in PARAMS.get(name, [{}]):
            scoped = filters.only(*ds.dimensions)
            actual = run_dataset(name, filters, params, validate=False, use_cache=False)
            expected = EXPECTED[name](raw, scoped, **params)
            assert_same(actual, expected, f"{name} [{label}] {params}")


def test_product_filtered_orders_take_every_path(loaded):
    """The filter sets above reach every source of distinct orders under a product filter."""
    _, raw = loaded
    sources = ("agg_orders_month_category", "line_facts", "agg_orders_month_mask")  # one category, a few segments, more
    orders = {next(t for t in sources if t in str(product_orders(f))) for f in filter_sets(raw).values() if has_product_filter(f)}
    assert orders == set(sources)


def test_product_filtered_customers_union_whole_months_and_edge_days(loaded):
    """Distinct customers under a product filter are the union of monthly id lists and the edge days'
    lines: a customer buying in both, or in two selected segments, counts once (against pandas)."""
    _, raw = loaded
    li = raw.lines[raw.lines["is_valid"] == 1]
    cats = li["category"].value_counts().index.tolist()[:3]
    for start, end in ((date(2022, 2, 17), date(2023, 7, 15)), (date(2022, 5, 1), date(2022, 5, 31)),
                       (date(2022, 5, 3), date(2022, 5, 20)), (None, date(2022, 9, 9)), (date(2030, 1, 1), date(2030, 1, 2))):
        f = Filters(categories=tuple(cats), start=start, end=end)
        chosen = li[li["category"].isin(cats) & (li["day"] >= (start or date.min)) & (li["day"] <= (end or date.max))]
        assert product_customers(f) == chosen["customer_id"].nunique(), (start, end)


def test_mariadb_sessions_never_plan_lateral_derived(loaded):
    """MariaDB's LATERAL DERIVED plan returned a wrong orders_trend (an order on a day it was not placed)
    in a trial without order_facts' customer_id index; every session turns it off (schema.db)."""
    eng, _ = loaded
    if not getattr(eng.dialect, "is_mariadb", False):
        pytest.skip("a MariaDB optimizer switch")
    with eng.connect() as conn:
        assert "split_materialized=off" in conn.exec_driver_sql("SELECT @@optimizer_switch").scalar()


def test_empty_range_gives_zero_kpis(loaded):
    row = run_dataset("kpis", Filters(start=date(2031, 1, 1), end=date(2031, 1, 31))).iloc[0]
    assert row["revenue"] == 0 and row["orders"] == 0 and row["customers"] == 0 and row["top_product"] is None


INJECTIONS = ("Books'; DROP TABLE orders; --", 'a"b', "x OR 1=1", "') OR ('1'='1")


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_values_are_plain_values(loaded, value):
    eng, _ = loaded
    with pytest.raises(InvalidFilter, match="unknown category"):
        validate_filters(Filters(categories=(value,)))
    for name, filters in (("kpis", Filters(categories=(value,))), ("brand_sales", Filters(brands=(value,))),
                          ("payment_mix", Filters(payment_methods=(value,))), ("revenue_by_city", Filters(cities=(value,))),
                          ("campaign_table", Filters(campaigns=(value,))), ("top_customers", Filters(platforms=(value,)))):
        frame = run_dataset(name, filters, validate=False, use_cache=False)
        if name == "kpis":
            assert frame.iloc[0]["orders"] == 0
        else:
            assert frame.empty, f"{name} with {value!r} returned rows"
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar() == ORDERS


def test_dimension_options_are_narrowed(loaded):
    _, raw = loaded
    options = dimension_options(Filters())
    assert options["categories"] == sorted(raw.products["category"].unique())
    cat = options["categories"][0]
    narrowed = dimension_options(Filters(categories=(cat,)))["brands"]
    assert narrowed == sorted(raw.products.loc[raw.products["category"] == cat, "brand"].unique())
    assert set(options["payment_methods"]) == set(raw.t["payment_methods"]["method_name"])


def test_cache_serves_repeats_and_refresh_invalidates(loaded):
    from schema.refresh import refresh

    eng, _ = loaded
    cache.clear_cache()
    first = run_dataset("kpis", Filters())
    key = cache.cache_key("kpis", Filters(), {})
    assert cache._backend().get(key) is not None
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE order_items SET after_discount = after_discount + 1 WHERE order_item_id = "
                             "(SELECT MIN(order_item_id) FROM order_items)"))
    refresh(eng)
    cache.data_version(force=True)  # another process's refresh is seen within DATA_VERSION_TTL; force it here
    second = run_dataset("kpis", Filters())
    assert second.iloc[0]["revenue_before_discount"] == first.iloc[0]["revenue_before_discount"]
    with eng.begin() as conn:  # undo, so later tests see the generated data
        conn.execute(sa.text("UPDATE order_items SET after_discount = after_discount - 1 WHERE order_item_id = "
                             "(SELECT MIN(order_item_id) FROM order_items)"))
    refresh(eng)
    cache.clear_cache()


def test_a_product_sold_only_before_the_range_in_its_month_is_not_listed(loaded):
    """A range starting early in a month is read as the month less its first days: a product whose
    sales that month all fell on those days sums to nothing and must not appear."""
    _, raw = loaded
    li = raw.lines[raw.lines["is_valid"] == 1].copy()
    li["day"] = pd.to_datetime(li["day"])
    li["month"] = li["day"].dt.to_period("M")
    last = li.groupby(["product_id", "month"])["day"].max()
    early = last[last.dt.day <= 14].reset_index().iloc[0]
    start = (early["day"] + pd.Timedelta(days=1)).date()
    end = early["month"].end_time.date()
    filters = Filters(start=start, end=end)
    actual = run_dataset("product_table", filters, validate=False, use_cache=False)
    assert int(early["product_id"]) not in set(actual["product_id"].astype(int))
    assert_same(actual, EXPECTED["product_table"](raw, filters.only(*DATASETS["product_table"].dimensions)), "product_table")
    top = run_dataset("kpis", filters, validate=False, use_cache=False).iloc[0]["top_product"]
    assert top == EXPECTED["kpis"](raw, filters.only(*DATASETS["kpis"].dimensions)).iloc[0]["top_product"]


def test_active_customers_count_each_customer_once_across_a_ranges_pieces(loaded):
    """Distinct active customers are counted piece by piece (whole years and months, the partial months at
    either end, two neighbouring partial months, a range inside one month): ranges cut around the busiest customer's order days, so that
    customer has orders in several pieces of each, in every scope, with and without a customer filter."""
    _, raw = loaded
    o = order_level(raw)
    busiest = o["customer_id"].value_counts().index[0]
    days = sorted(pd.to_datetime(o.loc[o["customer_id"] == busiest, "day"]).dt.date.unique())
    first, last = days[0], days[-1]
    city = raw.customers.set_index("customer_id").loc[busiest, "city"]
    ranges = [(first, last), (first + timedelta(days=1), last), (first, last - timedelta(days=1)),
              (first.replace(day=1), last), (first, date(last.year, last.month, 1) - timedelta(days=1)),
              (None, last), (first, None), (first, first + timedelta(days=9)), (days[len(days) // 2], last)]
    # two whole consecutive months / years with orders in both: one piece of two periods
    months = sorted({d.replace(day=1) for d in days})
    pairs = [(a, b) for a, b in zip(months, months[1:]) if (b.year - a.year) * 12 + b.month - a.month == 1]
    years = sorted({d.year for d in days})
    ranges += [(a, (b + timedelta(days=31)).replace(day=1) - timedelta(days=1)) for a, b in pairs[:1]]
    ranges += [(date(y, 1, 1), date(y + 1, 12, 31)) for y in years[:-1] if y + 1 in years][:1]
    # the part-way ends of two neighbouring months; a whole year between part-way months
    ranges += [(d, d + timedelta(days=20)) for d in days if d.day > 20][:1]
    ranges += [(date(y - 1, 12, 15), date(y + 1, 1, 15)) for y in years][:1]
    assert len(days) >= 3 and last.month != first.month and pairs and len(ranges) == 13
    checked = 0
    for start, end in ranges:
        for scope in ("valid", "gross", "net"):
            for cities in ((), (city,)):
                filters = Filters(start=start, end=end, status_scope=scope, cities=cities)
                actual = run_dataset("user_kpis", filters, validate=False, use_cache=False)
                assert_same(actual, EXPECTED["user_kpis"](raw, filters.only(*DATASETS["user_kpis"].dimensions)),
                            f"user_kpis {start}..{end} {scope} {cities}")
                checked += 1
    assert checked == len(ranges) * 6
