"""Shared row sources over the summary tables, each honouring the common filters once.

`sales_rows`   segment-level money/units for a date range: whole months from agg_sales_month,
               edge days from agg_sales_day (UNION ALL), with a `month` column.
`product_rows` product-level money/units/orders: whole years from agg_product_year, whole months
               from agg_product_month, edge days from line_facts (day-clustered).
`order_rows_where` per-order rows (order_facts) for distinct order and customer counts.
"""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.queries.filters import Filters
from dashboard.queries.sql import TRUE, both, date_clause, in_clause, mask_clause, scope_clause, segment_clause, split_range
from schema.sqlexpr import month_of
from schema.summary_tables import agg_product_month, agg_product_year, agg_sales_day, agg_sales_month, line_facts, order_facts
from schema.tables import products

MONEY = ("revenue", "before_discount", "discount", "units", "cost")


def _union(parts) -> sa.Subquery:  # never empty: Filters guarantees start <= end
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("src")


def sales_rows(filters: Filters) -> sa.Subquery:
    m, d = agg_sales_month.c, agg_sales_day.c
    parts = []
    for grain, lo, hi in split_range(filters.start, filters.end_exclusive, ("month",)):
        t, period = (m, m.month) if grain == "month" else (d, month_of(d.day))
        parts.append(sa.select(period.label("month"), t.segment_id, *[t[c] for c in MONEY]).where(
            date_clause(t.month if grain == "month" else t.day, lo, hi), scope_clause(t, filters), segment_clause(t.segment_id, filters)))
    return _union(parts)


def product_clause(filters: Filters):
    return both(in_clause(products.c.category, filters.categories), in_clause(products.c.brand, filters.brands))


def _product_days(filters: Filters, lo, hi, with_orders: bool, only):
    f = line_facts.c
    orders = [sa.func.count(sa.distinct(f.order_id)).label("orders")] if with_orders else []
    return (sa.select(f.product_id, *[sa.func.sum(f[c]).label(c) for c in MONEY], *orders)
            .where(date_clause(f.day, lo, hi), scope_clause(f, filters), segment_clause(f.segment_id, filters), only(f))
            .group_by(f.product_id))


def product_rows(filters: Filters, *, with_orders: bool = True, product_ids: list[int] | None = None) -> sa.Subquery:
    """product_id, revenue, before_discount, discount, units, cost, and unless `with_orders` is false
    orders (distinct orders with the product: the costly part over edge days), one row per product and
    part; only the products `product_ids` when given."""
    def only(cols):
        return TRUE if product_ids is None else cols.product_id.in_(product_ids)

    parts = []
    for grain, lo, hi in split_range(filters.start, filters.end_exclusive, ("year", "month")):
        if grain == "day":
            parts.append(_product_days(filters, lo, hi, with_orders, only))
            continue
        t, key = (agg_product_year.c, "year") if grain == "year" else (agg_product_month.c, "month")
        parts.append(sa.select(t.product_id, *[t[c] for c in MONEY], *([t.orders] if with_orders else [])).where(
            date_clause(t[key], lo, hi), scope_clause(t, filters), segment_clause(t.segment_id, filters), only(t)))
    return _union(parts)


def order_rows_where(filters: Filters):
    f = order_facts.c
    return both(date_clause(f.day, filters.start, filters.end_exclusive), scope_clause(f, filters), mask_clause(f, filters))
