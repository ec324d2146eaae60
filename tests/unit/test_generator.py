"""Invariants of the synthetic generator (datagen.synthetic).

One module-scoped dataset of 20,000 orders carries most checks; the structural checks (keys,
foreign keys, every CHECK of the schema) also run on tiny datasets (1 and 7 orders).
"""
from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import CheckConstraint, Date, DateTime, Integer, Numeric, String, UniqueConstraint

from datagen import catalogue as cat
from datagen.synthetic import GenerationSpec, generate
from schema.errors import UserError
from schema.tables import LOAD_ORDER, metadata

N = 20_000
START = date(2022, 1, 1)
MONTHS = 36
SNAPSHOT = pd.Timestamp("2024-12-31")
TABLES = {t.name: t for t in LOAD_ORDER}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return generate(GenerationSpec(orders=N, seed=42, start=START, months=MONTHS))


@pytest.fixture(scope="module")
def tiny() -> dict[int, dict[str, pd.DataFrame]]:
    return {n: generate(GenerationSpec(orders=n, seed=3, start=START, months=MONTHS)) for n in (1, 7)}


@pytest.fixture(scope="module", params=["main", 1, 7])
def any_data(request, data, tiny) -> dict[str, pd.DataFrame]:
    return data if request.param == "main" else tiny[request.param]


def cents(s: pd.Series) -> np.ndarray:
    return np.rint(s.to_numpy(dtype=float) * 100).astype(np.int64)


def daily_orders(data) -> pd.Series:
    days = data["calendar"].set_index("date_day")
    counts = data["orders"]["order_date"].dt.normalize().value_counts()
    return counts.reindex(days.index[days.index <= SNAPSHOT], fill_value=0)


# ---------------------------------------------------------------- contract: tables, columns, dtypes
def test_every_table_in_load_order_with_schema_columns(any_data):
    assert list(any_data) == [t.name for t in LOAD_ORDER]
    assert len(any_data) == 18
    for name, df in any_data.items():
        assert list(df.columns) == [c.name for c in TABLES[name].columns], name
        assert isinstance(df.index, pd.RangeIndex) and df.index.start == 0


def test_dtypes_follow_the_column_types(any_data):
    for name, df in any_data.items():
        for col in TABLES[name].columns:
            s = df[col.name]
            where = f"{name}.{col.name}"
            if isinstance(col.type, DateTime):
                assert s.dtype.kind == "M", where
                v = s.dropna()
                assert (v == v.dt.floor("s")).all(), where
            elif isinstance(col.type, Date):
                assert s.dtype.kind == "M", where
                assert (s == s.dt.normalize()).all(), where
            elif isinstance(col.type, Numeric):
                assert s.dtype == np.float64, where
                assert (np.round(s, col.type.scale) == s).all(), where  # exactly `scale` decimals
                assert (s.abs() < 10 ** (col.type.precision - col.type.scale)).all(), where  # fits the DECIMAL
            elif isinstance(col.type, Integer):
                assert s.dtype == ("Int64" if col.nullable else np.int64), where
            elif isinstance(col.type, String):
                assert s.dtype == object or pd.api.types.is_string_dtype(s.dtype), where
                assert s.notna().all(), where
                if col.type.length:
                    assert (s.str.len() <= col.type.length).all(), where
            if not col.nullable:
                assert s.notna().all(), where


def test_exact_order_count(data, tiny):
    assert len(data["orders"]) == N
    assert len(tiny[1]["orders"]) == 1
    assert len(tiny[7]["orders"]) == 7


# ---------------------------------------------------------------- keys, foreign keys, unique constraints
def test_integer_primary_keys_are_1_to_n(any_data):
    for name, df in any_data.items():
        pk = [c.name for c in TABLES[name].primary_key.columns]
        if len(pk) == 1 and isinstance(TABLES[name].c[pk[0]].type, Integer):
            assert (df[pk[0]].to_numpy() == np.arange(1, len(df) + 1)).all(), name
        else:
            assert not df.duplicated(subset=pk).any(), name


def test_unique_constraints(any_data):
    for name, df in any_data.items():
        table = TABLES[name]
        groups = [[c.name] for c in table.columns if c.unique]
        groups += [[c.name for c in u.columns] for u in table.constraints if isinstance(u, UniqueConstraint)]
        groups += [[c.name for c in i.columns] for i in table.indexes if i.unique]
        assert groups or name not in ("orders", "customers", "shipments"), name  # codes must stay unique keys
        for cols in groups:
            sub = df[cols].dropna()
            assert not sub.duplicated().any(), (name, cols)


def test_every_foreign_key_resolves(any_data):
    n_fks = 0
    for name, df in any_data.items():
        for fk in TABLES[name].foreign_keys:
            n_fks += 1
            values = df[fk.parent.name].dropna()
            parent = any_data[fk.column.table.name][fk.column.name]
            missing = ~values.isin(parent)
            assert not missing.any(), f"{name}.{fk.parent.name} -> {fk.target_fullname}: {values[missing].head().tolist()}"
    assert n_fks >= 20


# ---------------------------------------------------------------- every CHECK of the schema
def _between(s, lo, hi):
    return (s >= lo) & (s <= hi)


CHECKS = {
    ("customers", "gender"): lambda d: d["gender"].isin(["F", "M"]),
    ("customers", "age"): lambda d: _between(d["age"], 16, 100),
    ("products", "price"): lambda d: d["price"] >= 0,
    ("products", "unit_cost"): lambda d: d["unit_cost"] >= 0,
    ("products", "stock"): lambda d: d["stock"] >= 0,
    ("payment_methods", "method_group"): lambda d: d["method_group"].isin(
        ["cod", "card", "wallet", "bank", "voucher", "credit", "internal"]),
    ("payment_methods", "is_digital_01"): lambda d: d["is_digital"].isin([0, 1]),
    ("promotions", "discount_pct"): lambda d: (d["discount_pct"] > 0) & (d["discount_pct"] <= 90),
    ("promotions", "dates"): lambda d: d["start_date"] <= d["end_date"],
    ("calendar", "weekday"): lambda d: _between(d["weekday"], 1, 7),
    ("calendar", "month"): lambda d: _between(d["month"], 1, 12),
    ("calendar", "is_weekend_01"): lambda d: d["is_weekend"].isin([0, 1]),
    ("orders", "is_gross_01"): lambda d: d["is_gross"].isin([0, 1]),
    ("orders", "is_valid_01"): lambda d: d["is_valid"].isin([0, 1]),
    ("orders", "is_net_01"): lambda d: d["is_net"].isin([0, 1]),
    ("orders", "flag_order"): lambda d: (d["is_valid"] <= d["is_gross"]) & (d["is_net"] <= d["is_valid"]),
    ("orders", "status"): lambda d: d["status"].isin(["completed", "returned", "canceled"]),
    ("orders", "total"): lambda d: d["total"] >= 0,
    ("order_items", "quantity"): lambda d: d["quantity"] > 0,
    ("order_items", "unit_price"): lambda d: d["unit_price"] >= 0,
    ("order_items", "discount"): lambda d: (d["discount_amount"] >= 0) & (d["discount_amount"] <= d["before_discount"]),
    ("order_items", "after_discount"): lambda d: d["after_discount"] >= 0,
    ("payments", "amount"): lambda d: d["amount"] >= 0,
    ("payments", "payment_status"): lambda d: d["payment_status"].isin(["paid", "refunded", "failed"]),
    ("shipments", "shipping_cost"): lambda d: d["shipping_cost"] >= 0,
    ("shipments", "delivery_after_ship"): lambda d: d["delivered_date"].isna() | (d["delivered_date"] >= d["shipped_date"]),
    ("reviews", "rating"): lambda d: _between(d["rating"], 1, 5),
    ("inventory_receipts", "quantity_received"): lambda d: d["quantity_received"] > 0,
    ("campaigns", "dates"): lambda d: d["start_date"] <= d["end_date"],
    ("campaigns", "status"): lambda d: d["status"].isin(["planned", "active", "ended"]),
    ("campaigns", "funnel"): lambda d: (d["reach"] >= d["clicks"]) & (d["clicks"] >= d["leads"]) & (d["leads"] >= 0),
    ("ad_prices", "price"): lambda d: d["price_per_reach"] > 0,
    ("ads", "is_active_01"): lambda d: d["is_active"].isin([0, 1]),
    ("ads", "funnel"): lambda d: (d["reach"] >= d["clicks"]) & (d["clicks"] >= d["purchases"]) & (d["purchases"] >= 0),
    ("ad_interactions", "click_after_reach"): lambda d: d["clicked_at"].isna() | (d["clicked_at"] >= d["reached_at"]),
    ("ad_interactions", "purchase_after_click"): lambda d: d["purchased_at"].isna() | (
        d["clicked_at"].notna() & (d["purchased_at"] >= d["clicked_at"])),
    ("ad_interactions", "purchase_has_order"): lambda d: d["purchased_at"].isna() == d["order_id"].isna(),
    ("sessions", "dates"): lambda d: d["ended_at"] >= d["started_at"],
}


def test_checks_cover_every_schema_check():
    names = set()
    for table in metadata.sorted_tables:
        for c in table.constraints:
            if isinstance(c, CheckConstraint):
                # the naming convention prefixes "ck_<table>_"; the key is the short name
                names.add((table.name, str(c.name).removeprefix(f"ck_{table.name}_")))
    assert names == set(CHECKS)


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_schema_check_holds(any_data, key):
    table, _ = key
    ok = CHECKS[key](any_data[table])
    assert bool(ok.fillna(False).all()), f"{key}: {(~ok.fillna(False)).sum()} violating rows"


# ---------------------------------------------------------------- money arithmetic
def test_line_arithmetic_to_the_cent(data):
    it = data["order_items"]
    before, disc, after, unit = (cents(it[c]) for c in ("before_discount", "discount_amount", "after_discount", "unit_price"))
    assert (before == it["quantity"].to_numpy() * unit).all()
    assert (after == before - disc).all()


def test_order_total_is_sum_of_lines_to_the_cent(any_data):
    it, orders = any_data["order_items"], any_data["orders"]
    sums = pd.Series(cents(it["after_discount"])).groupby(it["order_id"].to_numpy()).sum()
    assert (sums.reindex(orders["order_id"]).to_numpy() == cents(orders["total"])).all()
    assert it["order_id"].nunique() == len(orders)  # every order has lines


def test_discounts_only_from_active_promotions_of_the_product(data):
    it = data["order_items"].merge(data["orders"][["order_id", "order_date"]], on="order_id")
    has_promo = it["promotion_id"].notna()
    assert ((it["discount_amount"] > 0) == has_promo).all()
    share = has_promo.mean()
    assert 0.05 <= share <= 0.15, share
    p = it[has_promo].merge(data["promotions"], on="promotion_id", suffixes=("", "_promo"))
    assert len(p) == has_promo.sum()
    assert (p["product_id"] == p["product_id_promo"]).all()
    day = p["order_date"].dt.normalize()
    assert ((p["start_date"] <= day) & (day <= p["end_date"])).all()
    expected = (cents(p["before_discount"]) * np.rint(p["discount_pct"].to_numpy() * 100).astype(np.int64) + 5000) // 10000
    assert (cents(p["discount_amount"]) == expected).all()


def test_lines_and_quantities(data):
    it = data["order_items"]
    lines = it.groupby("order_id").size()
    assert 0.75 <= (lines == 1).mean() <= 0.85
    assert lines.max() <= 5 and (lines >= 2).any()
    q = it["quantity"]
    assert 0.70 <= (q == 1).mean() <= 0.85
    assert q.max() <= 1000 and (q >= 10).mean() > 0.002


# ---------------------------------------------------------------- orders, payments
def test_flags_and_status(data):
    o = data["orders"]
    assert (o["is_gross"] == 1).all()
    expected = {"completed": (1, 1, 1), "returned": (1, 1, 0), "canceled": (1, 0, 0)}
    got = o.groupby("status")[["is_gross", "is_valid", "is_net"]].agg(["min", "max"])
    for status, flags in expected.items():
        for flag, v in zip(("is_gross", "is_valid", "is_net"), flags):
            assert got.loc[status, (flag, "min")] == v == got.loc[status, (flag, "max")]
    valid = o["is_valid"].mean()
    assert 0.60 <= valid <= 0.74, valid
    net_of_valid = o.loc[o["is_valid"] == 1, "is_net"].mean()
    assert 0.55 <= net_of_valid <= 0.65, net_of_valid


def test_payment_methods_reference(data):
    pm = data["payment_methods"]
    assert set(pm["method_name"]) == {
        "cod", "jazzvoucher", "customercredit", "Payaxis", "jazzwallet", "easypay_voucher", "Easypay", "ublcreditcard",
        "mygateway", "mcblite", "cashatdoorstep", "internetbanking", "Easypay_MA", "productcredit", "marketingexpense",
        "financesettlement"}
    digital = dict(zip(pm["method_name"], pm["is_digital"]))
    assert digital["cod"] == 0 and digital["cashatdoorstep"] == 0
    assert sum(digital.values()) == 14


def test_cod_is_largest_and_validity_depends_on_method(data):
    o = data["orders"].merge(data["payment_methods"], on="payment_method_id")
    share = o["method_name"].value_counts(normalize=True)
    assert share.index[0] == "cod" and 0.55 <= share["cod"] <= 0.65
    by_group = o.groupby("method_group")["is_valid"].mean()
    assert by_group["cod"] + 0.1 < by_group["card"]
    assert by_group["cod"] + 0.1 < by_group["wallet"]


def test_order_codes_and_dates(data):
    o = data["orders"]
    assert o["order_code"].str.fullmatch(r"ODR\d{10}[a-z]").all()
    assert o["order_date"].min() >= pd.Timestamp(START)
    assert o["order_date"].max() < SNAPSHOT + pd.Timedelta(days=1)
    assert o["order_date"].is_monotonic_increasing  # ids follow time
    hour = o["order_date"].dt.hour
    assert hour.isin([19, 20, 21]).mean() > 4 * hour.isin([2, 3, 4]).mean()


def test_payments_follow_orders(data):
    p = data["payments"].merge(data["orders"], on="order_id", suffixes=("", "_o"))
    assert len(p) == len(data["orders"])
    assert (cents(p["amount"]) == cents(p["total"])).all()
    assert (p["payment_method_id"] == p["payment_method_id_o"]).all()
    mapping = {"completed": "paid", "returned": "refunded", "canceled": "failed"}
    assert (p["status"].map(mapping) == p["payment_status"]).all()
    assert (p["paid_at"].isna() == (p["payment_status"] == "failed")).all()
    lag = (p["paid_at"] - p["order_date"]).dropna()
    assert (lag >= pd.Timedelta(0)).all() and (lag < pd.Timedelta(hours=3)).all()


# ---------------------------------------------------------------- fulfilment and reviews
def test_shipments_for_valid_orders_in_time_order(data):
    o, s = data["orders"], data["shipments"]
    assert set(s["order_id"]) == set(o.loc[o["is_valid"] == 1, "order_id"])
    s = s.merge(o[["order_id", "order_date"]], on="order_id")
    assert (s["shipped_date"] > s["order_date"]).all()
    assert (s["shipped_date"] - s["order_date"] < pd.Timedelta(days=10)).all()
    delivered = s["delivered_date"].notna()
    assert (s.loc[delivered, "delivered_date"] > s.loc[delivered, "shipped_date"]).all()
    in_transit = s[~delivered]
    assert 0 < len(in_transit) < 0.02 * len(s)
    assert (in_transit["order_date"] > SNAPSHOT - pd.Timedelta(days=60)).all()
    assert set(s["shipping_method"]) == {"standard", "express", "same_day"}
    assert s["tracking_number"].is_unique


def test_reviews_after_delivery_of_a_line(data):
    r = data["reviews"].merge(data["shipments"], on="order_id").merge(
        data["orders"][["order_id", "customer_id"]], on="order_id", suffixes=("", "_o"))
    assert len(r) == len(data["reviews"])
    assert r["delivered_date"].notna().all()
    assert (r["review_date"] >= r["delivered_date"].dt.normalize()).all()
    assert (r["review_date"] <= SNAPSHOT).all()  # nothing is reviewed after the snapshot
    assert (r["customer_id"] == r["customer_id_o"]).all()
    pairs = data["order_items"][["order_id", "product_id"]].drop_duplicates()
    assert len(r[["order_id", "product_id"]].merge(pairs)) == len(r)
    delivered_orders = data["shipments"]["delivered_date"].notna().sum()
    assert 0.15 <= data["reviews"]["order_id"].nunique() / delivered_orders <= 0.25
    assert data["reviews"].groupby("rating")["review_text"].nunique().min() >= 2


def test_rating_falls_with_delivery_delay(data):
    r = data["reviews"].merge(data["shipments"], on="order_id").merge(data["orders"], on="order_id")
    delay = (r["delivered_date"] - r["order_date"]).dt.total_seconds() / 86400
    fast, slow = r.loc[delay <= 3, "rating"].mean(), r.loc[delay > 7, "rating"].mean()
    assert fast > slow + 0.8, (fast, slow)
    assert np.corrcoef(delay, r["rating"])[0, 1] < -0.2


# ---------------------------------------------------------------- customers
def test_customers(data):
    c = data["customers"]
    assert len(c) == N // 5
    assert c["customer_code"].str.fullmatch(r"C\d{6}L").all()
    assert c["gender"].isin(["F", "M"]).all() and c["gender"].nunique() == 2
    assert 0.6 <= c["age"].between(18, 45).mean() <= 0.95
    assert c["age"].min() >= 16 and c["age"].max() > 55
    assert set(c["platform"]) == {"web", "android", "ios"}
    assert c["country"].nunique() == 1
    assert 20 <= c["city"].nunique() <= 40
    assert (c.groupby("city")["state"].nunique() == 1).all()
    share = c["city"].value_counts(normalize=True)
    assert share.iloc[0] > 3 * share.median()
    assert c["email"].str.fullmatch(r"[a-z0-9.]+@[a-z.]+").all()
    assert c["signup_date"].between(pd.Timestamp(START), SNAPSHOT).all()
    per_year = c["signup_date"].dt.year.value_counts().sort_index()
    assert per_year.iloc[-1] > per_year.iloc[0]  # growth


def test_purchase_frequency_is_skewed(data):
    per_customer = data["orders"]["customer_id"].value_counts()
    assert (per_customer == 1).mean() > 0.25     # many one-time buyers
    assert per_customer.quantile(0.99) > 4 * per_customer.median()   # a loyal tail


def test_some_first_orders_before_signup(data):
    c = data["customers"].set_index("customer_id")
    first = data["orders"].groupby("customer_id")["order_date"].min().dt.normalize()
    share = (first < c.loc[first.index, "signup_date"]).mean()
    assert 0.03 <= share <= 0.15, share


def test_last_active_date(any_data):
    c = any_data["customers"].set_index("customer_id")
    last_order = any_data["orders"].groupby("customer_id")["order_date"].max().dt.normalize()
    last_session = any_data["sessions"].groupby("customer_id")["started_at"].max().dt.normalize()
    expected = pd.concat([c["signup_date"], last_order, last_session], axis=1).max(axis=1)
    assert (c["last_active_date"] == expected.reindex(c.index)).all()


# ---------------------------------------------------------------- products, promotions, inventory
def test_products(data):
    p = data["products"]
    assert p["sku_code"].str.fullmatch(r"P\d{6}").all()
    ratio = p["unit_cost"] / p["price"]
    assert ratio.between(0.67, 0.90).all()
    assert ratio.max() - ratio.min() > 0.15
    median = p.groupby("category")["price"].median()
    assert len(median) == 15
    for dear in ("Mobiles & Tablets", "Appliances", "Computing"):
        for cheap in ("Books", "Soghaat", "Superstore"):
            assert median[dear] > 5 * median[cheap], (dear, cheap)
    brands = p.groupby("category")["brand"].nunique()
    assert brands.between(3, 6).all()
    assert (p.apply(lambda r: r["product_name"].startswith(r["brand"] + " "), axis=1)).all()
    names = p["product_name"].str.lower()
    for kw in ("samsung", "apple", "iphone", "macbook", "sony", "huawei", "lenovo"):
        assert names.str.contains(kw).any(), kw
    electronics = p["category"].isin(["Mobiles & Tablets", "Computing", "Appliances", "Entertainment"])
    big5 = names.str.contains("samsung|apple|iphone|macbook|sony|huawei|lenovo")
    assert big5[electronics].mean() > 0.3 and big5[~electronics].mean() < 0.05
    assert (p["stock"] >= 0).all() and (p["stock"] < 20).mean() > 0.05
    assert p["supplier_id"].notna().all()


def test_promotions(data):
    pr = data["promotions"]
    assert pr["discount_pct"].between(5, 30).mean() >= 0.7
    assert pr.groupby("product_id").size().max() <= 6
    pr = pr.sort_values(["product_id", "start_date"])
    same = pr["product_id"].eq(pr["product_id"].shift())
    assert (pr["start_date"][same] > pr["end_date"].shift()[same]).all()  # no overlap within a product


def test_inventory_receipts_track_sales(data):
    rc = data["inventory_receipts"]
    lines = data["order_items"].merge(data["orders"][["order_id", "order_date"]], on="order_id")
    lines["month"] = lines["order_date"].dt.to_period("M")
    sold = lines.groupby(["product_id", "month"])["quantity"].sum()
    rc_month = rc.assign(month=rc["received_date"].dt.to_period("M")).groupby(["product_id", "month"])["quantity_received"].sum()
    both = pd.concat([sold, rc_month], axis=1, keys=["sold", "received"]).dropna()
    assert len(both) == len(sold) == len(rc_month)
    ratio = both["received"] / both["sold"]
    big = both["sold"] >= 10
    assert ratio[big].between(0.85, 1.35).all()
    assert (rc["received_date"] >= pd.Timestamp(START)).all() and (rc["received_date"] <= SNAPSHOT).all()
    sup = rc.merge(data["products"][["product_id", "supplier_id"]], on="product_id", suffixes=("", "_p"))
    assert (sup["supplier_id"] == sup["supplier_id_p"]).all()


# ---------------------------------------------------------------- time patterns
def test_month_seasonality_and_growth(data):
    daily = daily_orders(data)
    month = daily.index.month
    assert daily[month.isin([11, 12])].mean() > 1.45 * daily[month.isin([2, 3])].mean()
    year = daily.index.year
    assert daily[year == 2024].mean() > 1.15 * daily[year == 2022].mean()


def test_weekday_pattern(data):
    daily = daily_orders(data)
    by_weekday = daily.groupby(daily.index.day_of_week).mean()
    assert by_weekday.max() > 1.12 * by_weekday.min()
    assert by_weekday.idxmin() == 5  # Saturday is the quietest day


def test_campaign_launch_spikes(data):
    daily = daily_orders(data)
    c = data["campaigns"]
    starts = c.loc[(c["objective"] == "conversions") & (c["start_date"] <= SNAPSHOT), "start_date"]
    assert len(starts) >= 10
    # compare with the same weekday in the weeks around each launch
    ratios = []
    for d in starts:
        around = [d + pd.Timedelta(days=k) for k in (-14, -7, 7, 14) if d + pd.Timedelta(days=k) in daily.index]
        ratios.append(daily[d] / max(1.0, daily[around].mean()))
    assert np.median(ratios) > 1.5


# ---------------------------------------------------------------- calendar
def test_calendar_covers_every_day_of_the_data(any_data):
    cal = any_data["calendar"]
    days = cal["date_day"]
    assert days.iloc[0] == pd.Timestamp(START)
    assert (days.diff().dropna() == pd.Timedelta(days=1)).all()
    latest = max(df[c.name].max() for name, df in any_data.items() for c in TABLES[name].columns
                 if isinstance(c.type, (Date, DateTime)) and df[c.name].notna().any())
    assert days.iloc[-1] == latest.normalize()
    assert (cal["year"] == days.dt.year).all() and (cal["month"] == days.dt.month).all()
    assert (cal["quarter"] == days.dt.quarter).all()
    assert (cal["iso_week"] == days.dt.isocalendar().week.astype(int)).all()
    assert (cal["weekday"] == days.dt.day_of_week + 1).all()
    assert (cal["weekday_name"] == days.dt.day_name()).all() and (cal["month_name"] == days.dt.month_name()).all()
    assert (cal["week_start"] == days - pd.to_timedelta(days.dt.day_of_week, unit="D")).all()
    assert (cal["week_start"].dt.day_of_week == 0).all()
    assert (cal["month_start"] == days.dt.to_period("M").dt.start_time).all()
    assert (cal["is_weekend"] == (days.dt.day_of_week >= 5).astype(int)).all()


# ---------------------------------------------------------------- marketing
def test_campaigns(data):
    c = data["campaigns"]
    assert 2 * MONTHS <= len(c) <= 2 * MONTHS + 4
    assert c["campaign_name"].is_unique
    assert set(c["objective"]) <= {"awareness", "traffic", "conversions", "retention"}
    expected = np.where(c["end_date"] < SNAPSHOT, "ended", np.where(c["start_date"] > SNAPSHOT, "planned", "active"))
    assert (c["status"].to_numpy() == expected).all()
    assert set(c["status"]) == {"ended", "active", "planned"}
    assert (c["start_date"] >= pd.Timestamp(START)).all()
    assert c["account"].nunique() <= 6
    per = data["ads"].groupby("campaign_id").size()
    assert per.between(4, 10).all() and len(per) == len(c)
    pa = data["product_ads"].groupby("ad_id").size()
    assert pa.between(1, 3).all() and len(pa) == len(data["ads"])


def test_ad_prices_and_ads(data):
    ap = data["ad_prices"]
    assert set(ap["placement"]) == {"feed", "stories", "search", "banner", "video", "marketplace"}
    assert ap["price_per_reach"].nunique() == 6
    ads = data["ads"].merge(data["campaigns"][["campaign_id", "start_date", "status"]], on="campaign_id")
    assert set(ads["ad_format"]) == {"image", "video", "carousel", "collection"}
    assert set(ads["platform"]) == {"facebook", "instagram", "google", "tiktok", "youtube"}
    lead = (ads["start_date"] - ads["created_at"])[ads["status"] != "planned"]
    assert (lead > pd.Timedelta(0)).mean() > 0.9 and (lead < pd.Timedelta(days=6)).all()
    active = ads.groupby("status")["is_active"].mean()
    assert active["active"] > 0.6 and active["ended"] < 0.2


def test_derived_ad_and_campaign_columns(data):
    ads, ia, c = data["ads"], data["ad_interactions"], data["campaigns"]
    g = ia.groupby("ad_id")
    counts = pd.DataFrame({"reach": g.size(), "clicks": g["clicked_at"].count(), "purchases": g["purchased_at"].count()})
    counts = counts.reindex(ads["ad_id"], fill_value=0)
    for col in ("reach", "clicks", "purchases"):
        assert (ads[col].to_numpy() == counts[col].to_numpy()).all(), col
    price = ads["placement"].map(data["ad_prices"].set_index("placement")["price_per_reach"])
    expected_budget = (ads["reach"].to_numpy() * np.rint(price.to_numpy() * 10_000).astype(np.int64) + 50) // 100
    assert (cents(ads["budget"]) == expected_budget).all()
    sums = ads.groupby("campaign_id")[["reach", "clicks", "purchases"]].sum().reindex(c["campaign_id"], fill_value=0)
    assert (c["reach"].to_numpy() == sums["reach"].to_numpy()).all()
    assert (c["clicks"].to_numpy() == sums["clicks"].to_numpy()).all()
    assert (c["leads"].to_numpy() == sums["purchases"].to_numpy()).all()
    budget = pd.Series(cents(ads["budget"])).groupby(ads["campaign_id"].to_numpy()).sum().reindex(c["campaign_id"], fill_value=0)
    assert (cents(c["budget"]) == budget.to_numpy()).all()
    att = ia.dropna(subset=["order_id"]).astype({"order_id": "int64"}).merge(ads[["ad_id", "campaign_id"]], on="ad_id")
    att = att.merge(data["orders"][["order_id", "total", "is_valid"]], on="order_id")
    att = att[att["is_valid"] == 1]
    rev = pd.Series(cents(att["total"])).groupby(att["campaign_id"].to_numpy()).sum().reindex(c["campaign_id"], fill_value=0)
    assert (cents(c["revenue"]) == rev.to_numpy()).all()
    assert c["revenue"].sum() > 0


def test_interactions_funnel(data):
    ia = data["ad_interactions"].merge(data["ads"][["ad_id", "campaign_id"]], on="ad_id").merge(
        data["campaigns"][["campaign_id", "start_date", "end_date"]], on="campaign_id")
    assert len(ia) <= N // 2 and len(ia) > 0.4 * N
    assert (ia["reached_at"] >= ia["start_date"]).all()
    assert (ia["reached_at"] < ia["end_date"] + pd.Timedelta(days=1)).all()
    assert (ia["reached_at"] <= SNAPSHOT + pd.Timedelta(days=1)).all()
    assert (ia["clicked_at"].notna() | ia["purchased_at"].isna()).all()
    purchases = ia["purchased_at"].notna().sum()
    assert 0.003 * N <= purchases <= 0.03 * N
    assert ia["clicked_at"].notna().sum() > 3 * purchases
    signup = ia.merge(data["customers"][["customer_id", "signup_date"]], on="customer_id")
    assert (signup["signup_date"] <= signup["reached_at"]).mean() > 0.9


def test_attributed_orders_contain_the_advertised_product(data):
    ia = data["ad_interactions"].dropna(subset=["order_id"])
    assert len(ia) > 0
    assert ia["product_id"].notna().all()
    assert data["ad_interactions"].loc[data["ad_interactions"]["order_id"].isna(), "product_id"].isna().all()
    o = ia.merge(data["orders"], on="order_id", suffixes=("", "_o"))
    assert (o["order_date"] == o["purchased_at"]).all()
    assert (o["customer_id"] == o["customer_id_o"]).all()
    assert o["is_valid"].mean() > 0.75
    lines = data["order_items"][["order_id", "product_id"]].drop_duplicates()
    assert len(ia[["order_id", "product_id"]].astype(int).merge(lines)) == len(ia)
    advertised = data["product_ads"]
    assert len(ia[["ad_id", "product_id"]].astype(int).merge(advertised)) == len(ia)


def test_rates_differ_by_platform_format_and_placement(data):
    ia = data["ad_interactions"].merge(data["ads"][["ad_id", "platform", "ad_format", "placement"]], on="ad_id")
    ia["clicked"] = ia["clicked_at"].notna()
    ia["bought"] = ia["purchased_at"].notna()
    ctr_platform = ia.groupby("platform")["clicked"].mean()
    assert ctr_platform["google"] > 1.5 * ctr_platform["youtube"]
    ctr_placement = ia.groupby("placement")["clicked"].mean()
    assert ctr_placement["search"] > 2 * ctr_placement["banner"]
    buy_platform = ia.groupby("platform")["bought"].mean()
    assert buy_platform["google"] > 2 * buy_platform["youtube"]

    # each factor on its own: observed / expected-from-the-other-two-factors estimates that
    # factor's multiplier (platform and placement are confounded in the raw rates)
    def effect(outcome: str, rows: pd.DataFrame, factor: str, tables: dict[str, dict[str, float]]) -> pd.Series:
        others = [f for f in tables if f != factor]
        expected = np.prod([rows[f].map(tables[f]).to_numpy(float) for f in others], axis=0)
        return rows[outcome].groupby(rows[factor]).sum() / pd.Series(expected, index=rows.index).groupby(rows[factor]).sum()

    ctr = {"platform": cat.CTR_PLATFORM, "ad_format": cat.CTR_FORMAT, "placement": cat.CTR_PLACEMENT}
    e = effect("clicked", ia, "platform", ctr)
    assert e["google"] > 1.8 * e["youtube"] and e["instagram"] > e["tiktok"]
    e = effect("clicked", ia, "ad_format", ctr)
    assert e["carousel"] > 1.3 * e["image"]
    e = effect("clicked", ia, "placement", ctr)
    assert e["search"] > 2 * e["banner"] and e["marketplace"] > e["stories"]
    clicked = ia[ia["clicked"]]
    cvr = {"platform": cat.CVR_PLATFORM, "ad_format": cat.CVR_FORMAT, "placement": cat.CVR_PLACEMENT}
    e = effect("bought", clicked, "platform", cvr)
    assert e["google"] > 1.5 * e["tiktok"]
    e = effect("bought", clicked, "placement", cvr)
    assert e["marketplace"] > 1.5 * e["video"]

    # multiplicative model: the observed click rate rises with the model's rate
    from datagen.marketing import click_rate
    ads = data["ads"]
    expected = pd.Series(click_rate({c: ads[c].to_numpy(object) for c in ("ad_id", "platform", "ad_format", "placement")}),
                         index=ads["ad_id"])
    ia["expected"] = ia["ad_id"].map(expected)
    by_bucket = ia.groupby(pd.qcut(ia["expected"], 4, duplicates="drop"), observed=True)["clicked"].mean()
    assert by_bucket.is_monotonic_increasing and by_bucket.iloc[-1] > 2 * by_bucket.iloc[0]


# ---------------------------------------------------------------- sessions
def test_sessions(data):
    s, o = data["sessions"], data["orders"]
    assert len(s) == round(0.6 * N)
    assert set(s["traffic_source"]) == {"organic", "direct", "paid_search", "social", "email", "referral"}
    assert set(s["device"]) == {"desktop", "mobile", "tablet"}
    assert ((s["ended_at"] - s["started_at"]) < pd.Timedelta(hours=12)).all()
    conv = s.dropna(subset=["order_id"]).merge(o, on="order_id", suffixes=("", "_o"))
    assert len(conv) > 0.03 * len(s)
    assert (conv["customer_id"] == conv["customer_id_o"]).all()
    lead = conv["order_date"] - conv["started_at"]
    assert (lead >= pd.Timedelta(0)).all() and (lead <= pd.Timedelta(hours=1)).all()
    assert (conv["ended_at"] >= conv["order_date"]).all()


def test_session_conversion_differs_by_source(data):
    s = data["sessions"]
    rate = s["order_id"].notna().groupby(s["traffic_source"]).mean()
    assert rate["email"] > 2.5 * rate["social"]
    assert rate["direct"] > 2 * rate["social"]


# ---------------------------------------------------------------- determinism and the spec
def _hashes(d: dict[str, pd.DataFrame]) -> dict[str, int]:
    return {k: int(pd.util.hash_pandas_object(v, index=True).sum()) for k, v in d.items()}


def test_same_seed_same_bytes_different_seed_differs(data):
    again = generate(GenerationSpec(orders=N, seed=42, start=START, months=MONTHS))
    assert _hashes(again) == _hashes(data)
    for name in data:
        pd.testing.assert_frame_equal(again[name], data[name])
    other = _hashes(generate(GenerationSpec(orders=N, seed=43, start=START, months=MONTHS)))
    mine = _hashes(data)
    fixed = {"ad_prices", "payment_methods"}  # reference tables do not depend on the seed
    for name in set(data) - fixed - {"calendar"}:  # the calendar depends only on the date span
        assert other[name] != mine[name], name
    for name in fixed:
        assert other[name] == mine[name], name


def test_other_start_and_months():
    d = generate(GenerationSpec(orders=500, seed=1, start=date(2023, 3, 15), months=2))
    assert len(d["orders"]) == 500
    assert d["orders"]["order_date"].min() >= pd.Timestamp("2023-03-15")
    assert d["orders"]["order_date"].max() < pd.Timestamp("2023-05-15")
    assert d["calendar"]["date_day"].iloc[0] == pd.Timestamp("2023-03-15")


def test_spec_defaults_and_validation():
    spec = GenerationSpec()
    assert spec.start == date(2022, 1, 1) and spec.months == 36
    with pytest.raises(Exception):
        spec.orders = 5  # frozen
    for bad in (dict(orders=0), dict(orders=-3), dict(months=0), dict(months=-1), dict(orders=2.5),
                dict(orders=True), dict(start="2022-01-01")):
        with pytest.raises(UserError) as err:
            GenerationSpec(**bad)
        assert "\n" not in str(err.value) and str(err.value)


def test_products_distinct_within_an_order(data):
    assert not data["order_items"].duplicated(subset=["order_id", "product_id"]).any()
