"""Independent pandas computations of every catalogue dataset, from the raw base tables only.

Nothing here imports the query layer or reads a summary table: the raw tables are read with
SELECT *, and each dataset's definition (README glossary) is re-implemented with pandas.
`EXPECTED[name](raw, filters, **params)` -> DataFrame with the dataset's columns.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

BASE_TABLES = ("orders", "order_items", "products", "customers", "payment_methods", "reviews", "inventory_receipts",
               "campaigns", "ads", "ad_interactions", "sessions")
EXPECTED: dict = {}


def expected(name):
    def register(fn):
        EXPECTED[name] = fn
        return fn
    return register


class Raw:
    """The base tables as DataFrames plus the joined order lines."""

    def __init__(self, engine):
        with engine.connect() as conn:
            t = {n: pd.read_sql(sa.text(f"SELECT * FROM {n}"), conn) for n in BASE_TABLES}
        for frame in t.values():  # DECIMAL columns come back as Decimal on MariaDB/PostgreSQL
            for col in frame.columns:
                sample = frame[col].dropna()
                if frame[col].dtype == object and len(sample) and isinstance(sample.iloc[0], Decimal):
                    frame[col] = frame[col].map(lambda v: None if v is None else float(v)).astype(float)
        self.t = t
        o = t["orders"].copy()
        o["order_date"] = pd.to_datetime(o["order_date"])
        o["day"] = o["order_date"].dt.date
        self.orders = o
        c = t["customers"].copy()
        c["signup_date"] = pd.to_datetime(c["signup_date"]).dt.date
        self.customers = c
        p = t["products"].copy()
        for col in ("price", "unit_cost"):
            p[col] = p[col].astype(float)
        self.products = p
        li = t["order_items"].copy()
        for col in ("before_discount", "discount_amount", "after_discount"):
            li[col] = li[col].astype(float)
        lines = li.merge(o[["order_id", "day", "customer_id", "payment_method_id", "status", "is_valid", "is_net"]], on="order_id")
        lines = lines.merge(p[["product_id", "product_name", "category", "brand", "unit_cost"]], on="product_id")
        lines = lines.merge(c[["customer_id", "city", "platform"]], on="customer_id")
        lines = lines.merge(t["payment_methods"][["payment_method_id", "method_name", "method_group", "is_digital"]],
                            on="payment_method_id")
        lines["cost"] = lines["quantity"] * lines["unit_cost"]
        lines["month"] = [d.replace(day=1) for d in lines["day"]]
        self.lines = lines


# ---------------------------------------------------------------- filter helpers
def in_range(days: pd.Series, f) -> pd.Series:
    keep = pd.Series(True, index=days.index)
    if f.start:
        keep &= days >= f.start
    if f.end:
        keep &= days <= f.end
    return keep


def in_scope(frame: pd.DataFrame, f) -> pd.Series:
    if f.status_scope == "valid":
        return frame["is_valid"] == 1
    if f.status_scope == "net":
        return frame["is_net"] == 1
    return pd.Series(True, index=frame.index)


def isin(frame, col, values):
    return frame[col].isin(values) if values else pd.Series(True, index=frame.index)


def sales_lines(raw: Raw, f) -> pd.DataFrame:
    li = raw.lines
    keep = in_range(li["day"], f) & in_scope(li, f) & isin(li, "category", f.categories) & isin(li, "brand", f.brands)
    return li[keep]


def div(a, b, scale=1.0):
    if isinstance(b, pd.Series):
        return a * scale / b.where(b != 0)
    return a * scale / b if b else np.nan


def share(frame, col, name="share_pct"):
    total = frame[col].sum()
    frame[name] = frame[col] * 100.0 / total if total else np.nan
    return frame


# ---------------------------------------------------------------- sales
KPI_KEYS = ("revenue", "revenue_before_discount", "discount", "orders", "units", "customers", "aov", "net_profit",
            "margin_pct", "avg_clv", "top_product")


def kpi_values(raw, f) -> dict:
    L = sales_lines(raw, f)
    revenue = L["after_discount"].sum()
    orders, customers = L["order_id"].nunique(), L["customer_id"].nunique()
    profit = revenue - L["cost"].sum()
    top = None
    if len(L):
        per = L.groupby(["product_id", "product_name"], as_index=False)["after_discount"].sum()
        top = per.sort_values(["after_discount", "product_id"], ascending=[False, True]).iloc[0]["product_name"]
    return {"revenue": revenue, "revenue_before_discount": L["before_discount"].sum(), "discount": L["discount_amount"].sum(),
            "orders": orders, "units": int(L["quantity"].sum()), "customers": customers, "aov": div(revenue, orders),
            "net_profit": profit, "margin_pct": div(profit, revenue, 100), "avg_clv": div(revenue, customers), "top_product": top}


@expected("kpis")
def kpis(raw, f):
    now = kpi_values(raw, f)
    prev = kpi_values(raw, f.previous_period()) if f.previous_period() else dict.fromkeys(KPI_KEYS)
    return pd.DataFrame([{**now, **{f"{k}_prev": v for k, v in prev.items()}}])


def _trend(L, key, name):
    g = L.groupby(key).agg(revenue=("after_discount", "sum"), orders=("order_id", "nunique"), units=("quantity", "sum")).reset_index()
    g["aov"] = div(g["revenue"], g["orders"])
    return g.rename(columns={key: name})[[name, "revenue", "orders", "aov", "units"]]


@expected("sales_daily")
def sales_daily(raw, f):
    return _trend(sales_lines(raw, f), "day", "day")


@expected("sales_monthly")
def sales_monthly(raw, f):
    return _trend(sales_lines(raw, f), "month", "month")


@expected("category_revenue_monthly")
def category_revenue_monthly(raw, f):
    L = sales_lines(raw, f)
    return L.groupby(["month", "category"], as_index=False).agg(revenue=("after_discount", "sum"), units=("quantity", "sum"))


@expected("category_units_share")
def category_units_share(raw, f):
    g = sales_lines(raw, f).groupby("category", as_index=False).agg(units=("quantity", "sum"), revenue=("after_discount", "sum"))
    return share(g, "units")[["category", "units", "share_pct", "revenue"]]


@expected("brand_sales")
def brand_sales(raw, f):
    return sales_lines(raw, f).groupby("brand", as_index=False).agg(revenue=("after_discount", "sum"), units=("quantity", "sum"))


@expected("category_sales_vs_inventory")
def category_sales_vs_inventory(raw, f):
    sold = sales_lines(raw, f).groupby("category", as_index=False).agg(units_sold=("quantity", "sum"), revenue=("after_discount", "sum"))
    r = raw.t["inventory_receipts"].merge(raw.products[["product_id", "category", "brand"]], on="product_id")
    r["day"] = pd.to_datetime(r["received_date"]).dt.date
    r = r[in_range(r["day"], f) & isin(r, "category", f.categories) & isin(r, "brand", f.brands)]
    rec = r.groupby("category", as_index=False).agg(units_received=("quantity_received", "sum"))
    out = sold.merge(rec, on="category", how="outer").fillna(0)
    return out[["category", "units_sold", "revenue", "units_received"]]


def _per_product(raw, f):
    L = sales_lines(raw, f)
    return L.groupby(["product_id", "product_name", "category", "brand"], as_index=False).agg(
        units=("quantity", "sum"), revenue=("after_discount", "sum"), orders=("order_id", "nunique"), cost=("cost", "sum"),
        discount=("discount_amount", "sum"), before=("before_discount", "sum"))


def _top(frame, value, limit, key="product_id"):
    return frame.sort_values([value, key], ascending=[False, True]).head(limit)


@expected("top_products")
def top_products(raw, f, limit=10):
    return _top(_per_product(raw, f), "revenue", limit)[["product_id", "product_name", "category", "brand", "units", "revenue", "orders"]]


@expected("product_table")
def product_table(raw, f, limit=500):
    g = _top(_per_product(raw, f), "revenue", limit)
    rv = raw.t["reviews"].groupby("product_id")["rating"].mean().rename("avg_rating")
    g = g.merge(rv, on="product_id", how="left")
    g["aov"] = div(g["revenue"], g["orders"])
    g["avg_discount_pct"] = div(g["discount"], g["before"], 100)
    return g[["product_id", "product_name", "category", "brand", "units", "revenue", "orders", "aov", "avg_rating", "avg_discount_pct"]]


@expected("profit_by_product")
def profit_by_product(raw, f, limit=20):
    g = _per_product(raw, f)
    g["net_profit"] = g["revenue"] - g["cost"]
    g["margin_pct"] = div(g["net_profit"], g["revenue"], 100)
    return _top(g, "net_profit", limit)[["product_id", "product_name", "category", "revenue", "cost", "net_profit", "margin_pct"]]


def payment_lines(raw, f):
    li = raw.lines
    return li[in_range(li["day"], f) & in_scope(li, f) & isin(li, "method_name", f.payment_methods)]


@expected("payment_mix")
def payment_mix(raw, f):
    g = payment_lines(raw, f).groupby(["method_name", "method_group", "is_digital"], as_index=False).agg(
        orders=("order_id", "nunique"), units=("quantity", "sum"), revenue=("after_discount", "sum"))
    g = share(share(g, "orders", "orders_share_pct"), "revenue", "revenue_share_pct").rename(columns={"method_name": "payment_method"})
    return g[["payment_method", "method_group", "is_digital", "orders", "units", "revenue", "orders_share_pct", "revenue_share_pct"]]


@expected("cod_vs_digital")
def cod_vs_digital(raw, f):
    L = payment_lines(raw, f).copy()
    L["payment_kind"] = np.where(L["is_digital"] == 1, "digital", "cod")
    return L.groupby(["month", "payment_kind"], as_index=False).agg(orders=("order_id", "nunique"), revenue=("after_discount", "sum"))


# ---------------------------------------------------------------- customers
def order_level(raw):
    """Orders that have lines, with their lines' revenue (the order-level facts)."""
    li = raw.lines
    return li.groupby(["order_id", "day", "month", "customer_id", "city", "platform", "is_valid", "is_net", "method_name"],
                      as_index=False).agg(revenue=("after_discount", "sum"), units=("quantity", "sum"))


def cust_filter(frame, f):
    return isin(frame, "city", f.cities) & isin(frame, "platform", f.platforms)


def user_values(raw, f):
    c = raw.customers
    cf = cust_filter(c, f)
    users = int((cf & ((c["signup_date"] <= f.end) if f.end else True)).sum())
    new = int((cf & in_range(c["signup_date"], f)).sum())
    o = order_level(raw)
    active = o[in_range(o["day"], f) & in_scope(o, f) & cust_filter(o, f)]["customer_id"].nunique()
    return {"users": users, "active_users": active, "new_users": new}


@expected("user_kpis")
def user_kpis(raw, f):
    now = user_values(raw, f)
    prev = user_values(raw, f.previous_period()) if f.previous_period() else dict.fromkeys(now)
    return pd.DataFrame([{**now, **{f"{k}_prev": v for k, v in prev.items()}}])


@expected("signups_monthly")
def signups_monthly(raw, f):
    c = raw.customers
    c = c[in_range(c["signup_date"], f) & cust_filter(c, f)].copy()
    c["month"] = [d.replace(day=1) for d in c["signup_date"]]
    return c.groupby("month", as_index=False).size().rename(columns={"size": "signups"})


def month_window(f):
    """Months overlapping the range: from the month of start to end."""
    return f.__class__(start=f.start.replace(day=1) if f.start else None, end=f.end, status_scope=f.status_scope)


def first_orders(raw, f):
    o = order_level(raw)
    o = o[in_scope(o, f)]
    first = o.groupby("customer_id", as_index=False)["day"].min()
    first = first.merge(raw.customers[["customer_id", "city", "platform"]], on="customer_id")
    first = first[cust_filter(first, f)]
    first["month"] = [d.replace(day=1) for d in first["day"]]
    return first


@expected("new_customers_monthly")
def new_customers_monthly(raw, f):
    first = first_orders(raw, f)
    first = first[in_range(first["month"], month_window(f))]
    return first.groupby("month", as_index=False).size().rename(columns={"size": "new_customers"})


@expected("active_vs_new")
def active_vs_new(raw, f):
    o = order_level(raw)
    o = o[in_scope(o, f) & cust_filter(o, f) & in_range(o["month"], month_window(f))]
    active = o.groupby("month", as_index=False)["customer_id"].nunique().rename(columns={"customer_id": "active_customers"})
    new = new_customers_monthly(raw, f)
    out = active.astype({"month": object}).merge(new.astype({"month": object}), on="month", how="outer").fillna(0)
    return out[["month", "active_customers", "new_customers"]]


def lifetime(raw, f):
    o = order_level(raw)
    o = o[in_scope(o, f) & cust_filter(o, f)]
    g = o.groupby("customer_id", as_index=False).agg(orders=("order_id", "count"), revenue=("revenue", "sum"))
    return g.merge(raw.customers[["customer_id", "customer_name", "city", "platform"]], on="customer_id")


@expected("order_frequency")
def order_frequency(raw, f):
    g = lifetime(raw, f)
    labels = ["1", "2", "3", "4", "5-9", "10+"]
    bucket = pd.cut(g["orders"], [0, 1, 2, 3, 4, 9, np.inf], labels=labels)
    counts = bucket.value_counts().reindex(labels, fill_value=0)
    return pd.DataFrame({"orders_bucket": labels, "customers": counts.to_numpy()})


@expected("top_customers")
def top_customers(raw, f, limit=10):
    return _top(lifetime(raw, f), "revenue", limit, "customer_id")[["customer_id", "customer_name", "city", "platform", "orders", "revenue"]]


@expected("customer_lifetime_value")
def customer_lifetime_value(raw, f):
    g = lifetime(raw, f)
    per = g.groupby("platform", as_index=False).agg(customers=("customer_id", "count"), revenue=("revenue", "sum"), orders=("orders", "sum"))
    if len(per):
        per = pd.concat([per, pd.DataFrame([{"platform": "all", "customers": len(g), "revenue": g["revenue"].sum(),
                                             "orders": g["orders"].sum()}])], ignore_index=True)
    per["avg_clv"] = div(per["revenue"], per["customers"])
    per["avg_orders"] = div(per["orders"], per["customers"])
    return per


def registered(raw, f, col, values=None):
    c = raw.customers
    c = c[cust_filter(c, f) & ((c["signup_date"] <= f.end) if f.end else True)].copy()
    if values is not None:
        c[col] = values(c)
    g = c.groupby(col, as_index=False).size().rename(columns={"size": "users"})
    return share(g, "users")


def _age_band(c):
    bins = [15, 24, 34, 44, 54, 64, 200]
    return pd.cut(c["age"], bins, labels=["16-24", "25-34", "35-44", "45-54", "55-64", "65+"]).astype(str)


EXPECTED["gender_split"] = lambda raw, f: registered(raw, f, "gender")
EXPECTED["age_bands"] = lambda raw, f: registered(raw, f, "age_band", _age_band)
EXPECTED["platform_usage"] = lambda raw, f: registered(raw, f, "platform")
EXPECTED["users_by_city"] = lambda raw, f: registered(raw, f, "city")


# ---------------------------------------------------------------- products
def catalogue(raw, f):
    p = raw.products
    return p[isin(p, "category", f.categories) & isin(p, "brand", f.brands)]


@expected("category_distribution")
def category_distribution(raw, f):
    return share(catalogue(raw, f).groupby("category", as_index=False).size().rename(columns={"size": "products"}), "products")


@expected("stock_levels")
def stock_levels(raw, f):
    g = catalogue(raw, f).groupby("category", as_index=False).agg(products=("product_id", "count"), stock=("stock", "sum"))
    g["avg_stock"] = g["stock"] / g["products"]
    return g


@expected("price_distribution")
def price_distribution(raw, f, bins=10, scale="linear"):
    p = catalogue(raw, f)
    if p.empty:
        return pd.DataFrame(columns=["category", "bin", "bin_lo", "bin_hi", "products"])
    lo, hi = p["price"].min(), p["price"].max()
    if scale == "log":  # equal ratios: bin i spans lo * r**i .. lo * r**(i+1), r = (hi / lo) ** (1 / bins)
        ratio = (hi / lo) ** (1 / bins)
        idx = np.minimum(np.floor(np.log(p["price"] / lo) / np.log(ratio) + 1e-9).astype(int) if hi > lo else 0, bins - 1)
        g = p.assign(bin=idx).groupby(["category", "bin"], as_index=False).size().rename(columns={"size": "products"})
        g["bin_lo"], g["bin_hi"] = lo * ratio ** g["bin"], lo * ratio ** (g["bin"] + 1)
        return g[["category", "bin", "bin_lo", "bin_hi", "products"]]
    width = (hi - lo) / bins
    idx = np.minimum(((p["price"] - lo) // width).fillna(0).astype(int) if width else 0, bins - 1)
    g = p.assign(bin=idx).groupby(["category", "bin"], as_index=False).size().rename(columns={"size": "products"})
    g["bin_lo"] = lo + g["bin"] * width
    g["bin_hi"] = lo + (g["bin"] + 1) * width
    return g[["category", "bin", "bin_lo", "bin_hi", "products"]]


@expected("product_stock")
def product_stock(raw, f, limit=50):
    p = catalogue(raw, f).sort_values(["stock", "product_id"], ascending=[False, True]).head(limit)
    return p[["product_id", "product_name", "category", "brand", "stock", "price"]]


@expected("low_stock")
def low_stock(raw, f, threshold=20, limit=200):
    p = catalogue(raw, f)
    p = p[p["stock"] <= threshold].sort_values(["stock", "product_id"]).head(limit)
    return p[["product_id", "product_name", "category", "brand", "stock"]]


# ---------------------------------------------------------------- orders
def orders_in(raw, f, scope=True):
    o = order_level(raw)
    keep = in_range(o["day"], f) & isin(o, "method_name", f.payment_methods) & isin(o, "city", f.cities)
    return o[keep & (in_scope(o, f) if scope else True)]


@expected("orders_trend")
def orders_trend(raw, f, grain="day"):
    o = orders_in(raw, f).copy()
    if grain == "week":
        o["period"] = [d - timedelta(days=d.weekday()) for d in o["day"]]
    elif grain == "year":
        o["period"] = [date(d.year, 1, 1) for d in o["day"]]
    else:
        o["period"] = o["month"] if grain == "month" else o["day"]
    g = o.groupby("period", as_index=False).agg(orders=("order_id", "count"), revenue=("revenue", "sum"))
    g["aov"] = div(g["revenue"], g["orders"])
    return g


@expected("status_mix")
def status_mix(raw, f):
    o = orders_in(raw, f, scope=False).merge(raw.orders[["order_id", "status"]], on="order_id")
    g = o.groupby("status", as_index=False).agg(orders=("order_id", "count"), revenue=("revenue", "sum"))
    return share(g, "orders")


@expected("revenue_by_city")
def revenue_by_city(raw, f):
    g = orders_in(raw, f).groupby("city", as_index=False).agg(orders=("order_id", "count"), revenue=("revenue", "sum"))
    g["aov"] = div(g["revenue"], g["orders"])
    return g


# ---------------------------------------------------------------- marketing
def ad_frame(raw, f):
    ads, camp = raw.t["ads"].copy(), raw.t["campaigns"].copy()
    for col in ("start_date", "end_date"):
        camp[col] = pd.to_datetime(camp[col]).dt.date
    ai = raw.t["ad_interactions"]
    counts = ai.groupby("ad_id").agg(reach=("interaction_id", "count"), clicks=("clicked_at", "count"),
                                     purchases=("purchased_at", "count"))
    valid_rev = raw.lines[raw.lines["is_valid"] == 1].groupby("order_id")["after_discount"].sum()
    att = ai.dropna(subset=["order_id"]).copy()
    att["revenue"] = att["order_id"].astype(int).map(valid_rev).fillna(0)
    rev = att.groupby("ad_id")["revenue"].sum()
    ads = ads.drop(columns=["reach", "clicks", "purchases"]).merge(counts, left_on="ad_id", right_index=True, how="left")
    ads[["reach", "clicks", "purchases"]] = ads[["reach", "clicks", "purchases"]].fillna(0)
    ads["budget"] = ads["budget"].astype(float)  # reach x placement price: checked by the refresh tests
    ads["revenue"] = ads["ad_id"].map(rev).fillna(0.0)
    ads = ads.merge(camp[["campaign_id", "campaign_name", "objective", "status", "start_date", "end_date"]], on="campaign_id")
    keep = isin(ads, "campaign_name", f.campaigns) & isin(ads, "platform", f.platforms)
    if f.start:
        keep &= ads["end_date"] >= f.start
    if f.end:
        keep &= ads["start_date"] <= f.end
    return ads[keep]


def rates(g):
    g["ctr_pct"] = div(g["clicks"], g["reach"], 100)
    g["conversion_pct"] = div(g["purchases"], g["clicks"], 100)
    g["cpc"] = div(g["budget"], g["clicks"])
    g["cpa"] = div(g["budget"], g["purchases"])
    g["roas"] = div(g["revenue"], g["budget"])
    g["roi_pct"] = div(g["revenue"] - g["budget"], g["budget"], 100)
    g["profit"] = g["revenue"] - g["budget"]
    return g


def per_campaign(raw, f):
    a = ad_frame(raw, f)
    return a.groupby(["campaign_id", "campaign_name", "objective", "status", "start_date", "end_date"], as_index=False).agg(
        ads=("ad_id", "count"), reach=("reach", "sum"), clicks=("clicks", "sum"), purchases=("purchases", "sum"),
        budget=("budget", "sum"), revenue=("revenue", "sum"))


@expected("campaign_table")
def campaign_table(raw, f):
    return rates(per_campaign(raw, f)).rename(columns={"purchases": "leads"})


@expected("campaign_timeline")
def campaign_timeline(raw, f):
    return per_campaign(raw, f)[["campaign_id", "campaign_name", "objective", "status", "start_date", "end_date", "budget"]]


def structure(raw, f, by):
    a = ad_frame(raw, f)
    g = a.groupby(by, as_index=False).agg(ads=("ad_id", "count"), reach=("reach", "sum"), clicks=("clicks", "sum"),
                                          budget=("budget", "sum"))
    g["ctr_pct"] = div(g["clicks"], g["reach"], 100)
    return share(g, "budget", "budget_share_pct")


EXPECTED["ad_formats"] = lambda raw, f: structure(raw, f, "ad_format")
EXPECTED["ad_placements"] = lambda raw, f: structure(raw, f, "placement")
EXPECTED["ctr_by_platform"] = lambda raw, f: structure(raw, f, "platform")
EXPECTED["budget_by_campaign"] = lambda raw, f: structure(raw, f, "campaign_name")


@expected("ad_active_share")
def ad_active_share(raw, f):
    a = ad_frame(raw, f).copy()
    a["state"] = np.where(a["is_active"] == 1, "active", "inactive")
    g = a.groupby("state", as_index=False).agg(ads=("ad_id", "count"), budget=("budget", "sum"))
    return share(share(g, "ads", "ads_share_pct"), "budget", "budget_share_pct")


@expected("funnel")
def funnel(raw, f):
    a = ad_frame(raw, f)
    users = [int(a["reach"].sum()), int(a["clicks"].sum()), int(a["purchases"].sum())]
    return pd.DataFrame({"stage": ["reach", "click", "purchase"], "users": users,
                         "stage_rate_pct": [100.0 if users[0] else np.nan, div(users[1], users[0], 100), div(users[2], users[1], 100)],
                         "overall_rate_pct": [div(u, users[0], 100) for u in users]})


@expected("click_to_lead")
def click_to_lead(raw, f):
    g = per_campaign(raw, f).rename(columns={"purchases": "leads"})
    g["click_to_lead_pct"] = div(g["leads"], g["clicks"], 100)
    return g[["campaign_id", "campaign_name", "clicks", "leads", "click_to_lead_pct"]]


@expected("roas_by_campaign")
def roas_by_campaign(raw, f):
    return rates(per_campaign(raw, f))[["campaign_id", "campaign_name", "budget", "revenue", "roas"]]


def ads_ranked(raw, f):
    a = rates(ad_frame(raw, f).copy())
    return a.sort_values(["roas", "ctr_pct", "ad_id"], ascending=[False, False, True], na_position="last")


@expected("roas_by_ad")
def roas_by_ad(raw, f, limit=20):
    return ads_ranked(raw, f).head(limit)[["ad_id", "ad_name", "campaign_name", "platform", "budget", "revenue", "roas"]]


@expected("ad_efficiency")
def ad_efficiency(raw, f, limit=20):
    a = ads_ranked(raw, f).head(limit).copy()
    a.insert(0, "rank", range(1, len(a) + 1))
    return a[["rank", "ad_id", "ad_name", "campaign_name", "platform", "reach", "clicks", "purchases", "ctr_pct",
              "conversion_pct", "cpc", "cpa", "roas"]]


MARKETING_KPI_KEYS = ("campaigns", "ads", "reach", "clicks", "leads", "budget", "revenue", "profit", "ctr_pct",
                      "conversion_pct", "cpc", "cpa", "roas", "roi_pct")


def marketing_kpi_values(raw, f) -> dict:
    if f is None:
        return dict.fromkeys(MARKETING_KPI_KEYS, np.nan)
    a = ad_frame(raw, f)
    reach, clicks, leads = int(a["reach"].sum()), int(a["clicks"].sum()), int(a["purchases"].sum())
    budget, revenue = a["budget"].sum(), a["revenue"].sum()
    return {"campaigns": a["campaign_id"].nunique(), "ads": len(a), "reach": reach, "clicks": clicks, "leads": leads,
            "budget": budget, "revenue": revenue, "profit": revenue - budget, "ctr_pct": div(clicks, reach, 100),
            "conversion_pct": div(leads, clicks, 100), "cpc": div(budget, clicks), "cpa": div(budget, leads),
            "roas": div(revenue, budget), "roi_pct": div(revenue - budget, budget, 100)}


@expected("marketing_kpis")
def marketing_kpis(raw, f):
    now, prev = marketing_kpi_values(raw, f), marketing_kpi_values(raw, f.previous_period())
    return pd.DataFrame([{**now, **{f"{k}_prev": v for k, v in prev.items()}}])


@expected("campaign_ads")
def campaign_ads(raw, f, limit=500):
    a = rates(ad_frame(raw, f).copy()).rename(columns={"purchases": "leads"})
    a = a.sort_values(["campaign_id", "budget", "ad_id"], ascending=[True, False, True]).head(limit)
    return a[["ad_id", "ad_name", "campaign_id", "campaign_name", "ad_format", "placement", "platform", "is_active", "reach",
              "clicks", "leads", "budget", "revenue", "ctr_pct", "conversion_pct", "roas", "roi_pct", "profit"]]


@expected("conversion_by_traffic_source")
def conversion_by_traffic_source(raw, f):
    s = raw.t["sessions"].copy()
    s["day"] = pd.to_datetime(s["started_at"]).dt.date
    s = s[in_range(s["day"], f)]
    g = s.groupby("traffic_source", as_index=False).agg(sessions=("session_id", "count"), orders=("order_id", "count"))
    g["conversion_pct"] = div(g["orders"], g["sessions"], 100)
    return g


# ---------------------------------------------------------------- stakeholder questions
def year_lines(raw, year):
    li = raw.lines
    return li[(li["is_valid"] == 1) & (li["day"] >= date(year, 1, 1)) & (li["day"] <= date(year, 12, 31))]


def default_year(raw):
    return max(raw.orders["day"]).year


def ranked(g, value, name):
    g = g.sort_values([value, name], ascending=[False, True]).reset_index(drop=True)
    g.insert(0, "rank", range(1, len(g) + 1))
    return g


@expected("q1_best_month")
def q1(raw, f, year=0):
    L = year_lines(raw, year or default_year(raw))
    return ranked(L.groupby("month", as_index=False)["after_discount"].sum().rename(columns={"after_discount": "revenue"}), "revenue", "month")


@expected("q2_best_category")
def q2(raw, f, year=0):
    L = year_lines(raw, year or default_year(raw))
    return ranked(L.groupby("category", as_index=False)["after_discount"].sum().rename(columns={"after_discount": "revenue"}), "revenue", "category")


@expected("q3_category_yoy")
def q3(raw, f, year=0):
    year = year or default_year(raw)
    now = year_lines(raw, year).groupby("category")["after_discount"].sum().rename("revenue")
    prev = year_lines(raw, year - 1).groupby("category")["after_discount"].sum().rename("revenue_prev_year")
    g = pd.concat([now, prev], axis=1).fillna(0).reset_index().rename(columns={"index": "category"})
    g["change"] = g["revenue"] - g["revenue_prev_year"]
    g["yoy_status"] = np.where(g["change"] > 0, "increased", "decreased")
    return g


@expected("q4_top_payment_methods")
def q4(raw, f, year=0):
    L = year_lines(raw, year or default_year(raw))
    g = L.groupby("method_name", as_index=False)["order_id"].nunique().rename(columns={"method_name": "payment_method", "order_id": "orders"})
    return ranked(g, "orders", "payment_method").head(5)


@expected("q5_brand_ranking")
def q5(raw, f, year=0):
    L = year_lines(raw, year or default_year(raw)).copy()
    name = L["product_name"].str.lower()
    L["brand_group"] = np.select(
        [name.str.contains("samsung"), name.str.contains("apple|iphone|macbook"), name.str.contains("sony"),
         name.str.contains("huawei"), name.str.contains("lenovo")], ["samsung", "apple", "sony", "huawei", "lenovo"], "others")
    g = L.groupby("brand_group", as_index=False)["after_discount"].sum().rename(columns={"after_discount": "revenue"})
    return ranked(g, "revenue", "brand_group")
