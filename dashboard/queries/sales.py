"""Sales overview datasets: headline KPIs, trends, categories, brands, payments, products."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.queries.engine import at_once, read_frame, scalar_rows
from dashboard.queries.filters import Filters
from dashboard.queries.periods import with_previous_period
from dashboard.queries.registry import dataset
from dashboard.queries.shape import ints, ratio, rounded, share
from dashboard.queries.sources import (
    MONEY, active_customers, month_and_day_rows, order_rows, product_customers, product_order_rows, product_orders,
    product_rows, sales_rows, total_sales_rows,
)
from dashboard.queries.sql import has_product_filter, range_clause, scope_clause, segment_clause
from schema.summary_tables import (
    agg_product_rating, agg_receipts_day, agg_receipts_month, agg_sales_day, dim_segment,
)
from schema.tables import payment_methods, products

PRODUCT_DIMS = ("start", "end", "categories", "brands", "status_scope")
PAYMENT_DIMS = ("start", "end", "payment_methods", "status_scope")
KPI_KEYS = ("revenue", "revenue_before_discount", "discount", "orders", "units", "customers", "aov", "net_profit",
            "margin_pct", "avg_clv", "top_product")


def _sums(src, *group):
    return [*group, *[sa.func.sum(src.c[c]).label(c) for c in MONEY]]


# ---------------------------------------------------------------- KPIs
def order_count(f: Filters) -> int:
    """Distinct orders in scope (exact): order-level summaries when no product filter applies."""
    if has_product_filter(f):
        return int(scalar_rows(product_orders(f))[0][0] or 0)
    src = order_rows(f)
    return int(scalar_rows(sa.select(sa.func.sum(src.c.orders)))[0][0] or 0)


def customer_count(f: Filters) -> int:
    """Distinct customers with an order in scope (exact)."""
    if has_product_filter(f):
        return product_customers(f)
    return active_customers(f)


COUNT_CHOSEN_UP_TO = 100  # beyond this many products one pass counting every product's orders is cheaper


RANKED_BY = {"revenue": ("revenue",), "net_profit": ("revenue", "cost")}  # the measures each ranking reads


def product_totals(f: Filters, *, measures=MONEY, by: str = "revenue", limit: int | None = None,
                   with_orders: bool = True, with_rating: bool = False) -> pd.DataFrame:
    """Per product sold in scope: name, category, brand, the `measures` (money sums; units and those
    `by` reads always), (`with_orders`) orders and (`with_rating`) reviews and rating_sum of all time;
    the `limit` best by `by` (revenue or net_profit; ties: lowest product_id), ranked in SQL so only
    those rows travel. With a small limit, distinct orders are counted afterwards for the chosen
    products only."""
    count_now = with_orders and (limit is None or limit > COUNT_CHOSEN_UP_TO)
    per = product_rows(f, measures=(*RANKED_BY[by], *measures), with_orders=count_now)

    def ranking(cols):
        return (cols.revenue if by == "revenue" else cols.revenue - cols.cost).desc(), cols.product_id

    if limit is not None:  # the best first, then their names and ratings (MariaDB joined all 5k products first)
        per = sa.select(per).order_by(*ranking(per.c)).limit(max(int(limit), 0)).subquery("ranked")
    p, r = products.c, agg_product_rating.c
    sums = [c for c in per.c if c.name not in ("product_id", "orders")]
    joined = per.join(products, p.product_id == per.c.product_id)
    if with_rating:  # in the same statement: a second one for the chosen ids cost a round trip and 5 ms
        joined = joined.outerjoin(agg_product_rating, r.product_id == per.c.product_id)
    frame = read_frame(sa.select(p.product_id, p.product_name, p.category, p.brand, *sums,
                                 *([per.c.orders] if count_now else []), *([r.reviews, r.rating_sum] if with_rating else []))
                       .select_from(joined).order_by(*ranking(per.c)))
    if not with_orders or count_now:
        return frame
    ids = frame["product_id"].astype(int).tolist()
    counted = product_rows(f, measures=(), product_ids=ids) if ids else None
    orders = (read_frame(sa.select(counted.c.product_id, counted.c.orders)) if ids
              else pd.DataFrame(columns=["product_id", "orders"]))
    return frame.merge(orders, on="product_id", how="left")


def top_product(f: Filters) -> str | None:
    """The product with the highest revenue (None when none has any)."""
    src = product_rows(f, measures=("revenue",), with_orders=False, kept_by="revenue")
    best = sa.select(src.c.product_id).order_by(src.c.revenue.desc(), src.c.product_id).limit(1).scalar_subquery()
    rows = scalar_rows(sa.select(products.c.product_name).where(products.c.product_id == best))
    return str(rows[0][0]) if rows else None


def money_sums(f: Filters) -> dict:
    src = sales_rows(f) if has_product_filter(f) else total_sales_rows(f)
    return dict(zip(MONEY, (float(v or 0) for v in scalar_rows(sa.select(*_sums(src)))[0])))


def kpi_parts(f: Filters) -> list:
    """The period's independent lookups, slowest first (see periods.with_previous_period)."""
    return [lambda: top_product(f), lambda: customer_count(f), lambda: order_count(f), lambda: money_sums(f)]


def kpi_combine(f: Filters, top: str | None, customers: int, orders: int, sums: dict) -> dict:
    revenue = sums["revenue"]
    profit = revenue - sums["cost"]
    return {
        "revenue": round(revenue, 2),
        "revenue_before_discount": round(sums["before_discount"], 2),
        "discount": round(sums["discount"], 2),
        "orders": orders,
        "units": int(sums["units"]),
        "customers": customers,
        "aov": round(ratio(revenue, orders), 2),
        "net_profit": round(profit, 2),
        "margin_pct": round(ratio(profit, revenue, 100), 2),
        "avg_clv": round(ratio(revenue, customers), 2),
        "top_product": top if orders else None,
    }


@dataset("kpis", title="Headline KPIs", dimensions=PRODUCT_DIMS,
         description="One row: revenue, discount, orders, units, customers, AOV, profit, margin, CLV, top product, "
                     "and each for the previous period of equal length (suffix _prev; empty for an open range).",
         metrics=KPI_KEYS)
def kpis(filters: Filters) -> pd.DataFrame:
    return with_previous_period(kpi_parts, kpi_combine, filters, KPI_KEYS)


# ---------------------------------------------------------------- trends
def _trend(f: Filters, grain: str) -> pd.DataFrame:
    """period (day or month), revenue, units, orders, aov. Without a product filter every figure is
    order-level (agg_orders_*); with one, revenue and units come from the segment summaries and the
    distinct orders from the orders per segment mask (agg_orders_*_mask), the two read at once."""
    if has_product_filter(f):
        sales, counts = at_once(lambda: _segment_sales(f, grain), lambda: _segment_orders(f, grain))
        frame = sales.merge(counts, on="period", how="outer")
    else:
        src = order_rows(f, grain=grain)
        frame = read_frame(sa.select(src.c.period, *[sa.func.sum(src.c[c]).label(c) for c in ("revenue", "units", "orders")])
                           .group_by(src.c.period))
    frame = ints(frame.sort_values("period").fillna({"revenue": 0, "units": 0, "orders": 0}), "units", "orders")
    frame["aov"] = ratio(frame["revenue"], frame["orders"])
    return rounded(frame, "revenue", "aov").reset_index(drop=True)


def _segment_orders(f: Filters, grain: str) -> pd.DataFrame:
    """Per period, distinct orders with a line in the selected segments (sources.product_order_rows)."""
    src = product_order_rows(f, grain=grain)
    return read_frame(sa.select(src.c.period, sa.func.sum(src.c.orders).label("orders")).group_by(src.c.period))


def _segment_sales(f: Filters, grain: str) -> pd.DataFrame:
    if grain == "day":
        d = agg_sales_day.c
        return read_frame(
            sa.select(d.day.label("period"), sa.func.sum(d.revenue).label("revenue"), sa.func.sum(d.units).label("units"))
            .where(range_clause(d.day, f), scope_clause(d, f), segment_clause(d.segment_id, f)).group_by(d.day))
    src = sales_rows(f)
    return read_frame(sa.select(src.c.month.label("period"), sa.func.sum(src.c.revenue).label("revenue"),
                                sa.func.sum(src.c.units).label("units")).group_by(src.c.month))


@dataset("sales_daily", title="Daily sales", dimensions=PRODUCT_DIMS,
         description="Per day: revenue, orders, AOV and units.", metrics=("revenue", "orders", "aov", "units"))
def sales_daily(filters: Filters) -> pd.DataFrame:
    return _trend(filters, "day").rename(columns={"period": "day"})[["day", "revenue", "orders", "aov", "units"]]


@dataset("sales_monthly", title="Monthly sales", dimensions=PRODUCT_DIMS,
         description="Per month (first day): revenue, orders, AOV and units.", metrics=("revenue", "orders", "aov", "units"))
def sales_monthly(filters: Filters) -> pd.DataFrame:
    return _trend(filters, "month").rename(columns={"period": "month"})[["month", "revenue", "orders", "aov", "units"]]


# ---------------------------------------------------------------- categories and brands
def by_segment(f: Filters, *group) -> pd.DataFrame:
    src = sales_rows(f)
    cols = [getattr(dim_segment.c, g) if g in ("category", "brand") else src.c[g] for g in group]
    stmt = (sa.select(*_sums(src, *cols)).select_from(src.join(dim_segment, dim_segment.c.segment_id == src.c.segment_id))
            .group_by(*cols))
    return read_frame(stmt)


@dataset("category_revenue_monthly", title="Revenue by category over time", dimensions=PRODUCT_DIMS,
         description="Per month and category: revenue and units.", metrics=("revenue", "units"))
def category_revenue_monthly(filters: Filters) -> pd.DataFrame:
    frame = by_segment(filters, "month", "category").sort_values(["month", "category"]).reset_index(drop=True)
    return rounded(ints(frame, "units"), "revenue")[["month", "category", "revenue", "units"]]


@dataset("category_units_share", title="Units share by category", dimensions=PRODUCT_DIMS,
         description="Per category: units, their share of all units, and revenue.", metrics=("units", "share_pct", "revenue"))
def category_units_share(filters: Filters) -> pd.DataFrame:
    frame = ints(by_segment(filters, "category"), "units").sort_values(["units", "category"], ascending=[False, True])
    return rounded(share(frame, "units"), "revenue")[["category", "units", "share_pct", "revenue"]].reset_index(drop=True)


@dataset("brand_sales", title="Revenue and units by brand", dimensions=PRODUCT_DIMS,
         description="Per brand: revenue and units, highest revenue first.", metrics=("revenue", "units"))
def brand_sales(filters: Filters) -> pd.DataFrame:
    frame = ints(by_segment(filters, "brand"), "units").sort_values(["revenue", "brand"], ascending=[False, True])
    return rounded(frame, "revenue")[["brand", "revenue", "units"]].reset_index(drop=True)


@dataset("category_sales_vs_inventory", title="Category sales vs inventory received", dimensions=PRODUCT_DIMS,
         description="Per category: units sold and revenue in scope, units received from suppliers in the range.",
         metrics=("units", "revenue", "units_received"))
def category_sales_vs_inventory(filters: Filters) -> pd.DataFrame:
    sold = by_segment(filters, "category")[["category", "units", "revenue"]]
    r = month_and_day_rows(filters.start, filters.end_exclusive, agg_receipts_month, agg_receipts_day, lambda t, _: sa.select(
        t.segment_id, t.quantity).where(segment_clause(t.segment_id, filters)))
    received = read_frame(
        sa.select(dim_segment.c.category, sa.func.sum(r.c.quantity).label("units_received"))
        .select_from(r.join(dim_segment, dim_segment.c.segment_id == r.c.segment_id)).group_by(dim_segment.c.category))
    frame = sold.merge(received, on="category", how="outer").fillna({"units": 0, "revenue": 0, "units_received": 0})
    frame = rounded(ints(frame, "units", "units_received"), "revenue").rename(columns={"units": "units_sold"})
    return frame.sort_values("category")[["category", "units_sold", "revenue", "units_received"]].reset_index(drop=True)


# ---------------------------------------------------------------- products
@dataset("top_products", title="Top products", dimensions=PRODUCT_DIMS, params={"limit": 10},
         description="The products with the highest revenue (ties: lowest product_id).", metrics=("revenue", "units", "orders"))
def top_products(filters: Filters, limit: int = 10) -> pd.DataFrame:
    frame = rounded(ints(product_totals(filters, measures=(), limit=limit), "product_id", "units", "orders"), "revenue")
    return frame[["product_id", "product_name", "category", "brand", "units", "revenue", "orders"]].reset_index(drop=True)


@dataset("product_table", title="Product table", dimensions=PRODUCT_DIMS, params={"limit": 500},
         description="Per product sold: units, revenue, orders, AOV, average rating (all time), average discount %.",
         metrics=("units", "revenue", "orders", "aov", "avg_rating", "avg_discount_pct"))
def product_table(filters: Filters, limit: int = 500) -> pd.DataFrame:
    frame = product_totals(filters, measures=("discount", "before_discount"), limit=limit, with_rating=True)
    frame["aov"] = ratio(frame["revenue"], frame["orders"])
    frame["avg_rating"] = ratio(frame["rating_sum"], frame["reviews"])
    frame["avg_discount_pct"] = ratio(frame["discount"], frame["before_discount"], 100)
    frame = rounded(ints(frame, "product_id", "units", "orders"), "revenue", "aov", "avg_rating", "avg_discount_pct")
    cols = ["product_id", "product_name", "category", "brand", "units", "revenue", "orders", "aov", "avg_rating", "avg_discount_pct"]
    return frame[cols].reset_index(drop=True)


@dataset("profit_by_product", title="Profit by product", dimensions=PRODUCT_DIMS, params={"limit": 20},
         description="The products with the highest net profit: revenue, cost, net profit, margin %.",
         metrics=("revenue", "cost", "net_profit", "margin_pct"))
def profit_by_product(filters: Filters, limit: int = 20) -> pd.DataFrame:
    frame = product_totals(filters, measures=(), by="net_profit", limit=limit, with_orders=False)
    frame["net_profit"] = frame["revenue"] - frame["cost"]
    frame["margin_pct"] = ratio(frame["net_profit"], frame["revenue"], 100)
    frame = rounded(ints(frame, "product_id"), "revenue", "cost", "net_profit", "margin_pct")
    return frame[["product_id", "product_name", "category", "revenue", "cost", "net_profit", "margin_pct"]].reset_index(drop=True)


# ---------------------------------------------------------------- payments
def payments_by(f: Filters, *group, monthly: bool = False) -> pd.DataFrame:
    """Orders, units and revenue per `group` (columns of payment_methods), per month first when `monthly`."""
    src, m = order_rows(f, by="payment_method_id"), payment_methods.c
    cols = [src.c.period.label("month")] * monthly + list(group)
    stmt = (sa.select(*cols, sa.func.sum(src.c.orders).label("orders"), sa.func.sum(src.c.units).label("units"),
                      sa.func.sum(src.c.revenue).label("revenue"))
            .select_from(src.join(payment_methods, m.payment_method_id == src.c.payment_method_id)).group_by(*cols))
    return ints(read_frame(stmt), "orders", "units")


@dataset("payment_mix", title="Payment method mix", dimensions=PAYMENT_DIMS,
         description="Per payment method: orders, units, revenue and their shares (categories do not apply).",
         metrics=("orders", "units", "revenue", "share_pct"))
def payment_mix(filters: Filters) -> pd.DataFrame:
    m = payment_methods.c
    frame = payments_by(filters, m.method_name.label("payment_method"), m.method_group, m.is_digital)
    frame = share(share(frame, "orders", "orders_share_pct"), "revenue", "revenue_share_pct")
    frame = rounded(ints(frame, "is_digital"), "revenue").sort_values(["orders", "payment_method"], ascending=[False, True])
    cols = ["payment_method", "method_group", "is_digital", "orders", "units", "revenue", "orders_share_pct", "revenue_share_pct"]
    return frame[cols].reset_index(drop=True)


@dataset("cod_vs_digital", title="Cash on delivery vs digital payments over time", dimensions=PAYMENT_DIMS,
         description="Per month and payment kind (cod or digital): orders and revenue.", metrics=("orders", "revenue"))
def cod_vs_digital(filters: Filters) -> pd.DataFrame:
    m = payment_methods.c
    kind = sa.case((m.is_digital == 1, sa.literal_column("'digital'")), else_=sa.literal_column("'cod'"))
    frame = payments_by(filters, kind.label("payment_kind"), monthly=True)
    frame = rounded(frame, "revenue").sort_values(["month", "payment_kind"])
    return frame[["month", "payment_kind", "orders", "revenue"]].reset_index(drop=True)
