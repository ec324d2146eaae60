"""Shared row sources over the summary tables, each honouring the common filters once.

`sales_rows`   segment-level money/units for a date range: whole months from agg_sales_month,
               edge days from agg_sales_day (UNION ALL), with a `month` column.
`product_rows` product-level money/units/orders: whole months from agg_product_month, edge days
               from the raw facts through the order-date index.
`order_rows`   per-order rows (order_facts) for distinct order and customer counts.
"""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.queries.filters import Filters
from dashboard.queries.sql import date_clause, in_clause, mask_clause, month_split, scope_clause, segment_clause
from schema.sqlexpr import month_of
from schema.summary_tables import agg_product_month, agg_sales_day, agg_sales_month, order_facts
from schema.tables import order_items, orders, products

MONEY = ("revenue", "before_discount", "discount", "units", "cost")


def sales_rows(filters: Filters) -> sa.Subquery:
    split = month_split(filters.start, filters.end_exclusive)
    m, d = agg_sales_month.c, agg_sales_day.c
    parts = []
    if split.has_months:
        parts.append(sa.select(m.month.label("month"), m.segment_id, *[m[c] for c in MONEY]).where(
            date_clause(m.month, split.month_lo, split.month_hi), scope_clause(m, filters), segment_clause(m.segment_id, filters)))
    for day_lo, day_hi in split.day_ranges:
        parts.append(sa.select(month_of(d.day).label("month"), d.segment_id, *[d[c] for c in MONEY]).where(
            date_clause(d.day, day_lo, day_hi), scope_clause(d, filters), segment_clause(d.segment_id, filters)))
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("sales")


def product_clause(filters: Filters):
    return sa.and_(in_clause(products.c.category, filters.categories), in_clause(products.c.brand, filters.brands))


def product_rows(filters: Filters) -> sa.Subquery:
    """product_id, revenue, before_discount, discount, units, cost, orders (one row per part)."""
    split = month_split(filters.start, filters.end_exclusive)
    m = agg_product_month.c
    parts = []
    if split.has_months:
        parts.append(sa.select(m.product_id, *[m[c] for c in MONEY], m.orders).where(
            date_clause(m.month, split.month_lo, split.month_hi), scope_clause(m, filters), segment_clause(m.segment_id, filters)))
    oi = order_items.c
    for day_lo, day_hi in split.day_ranges:
        parts.append(
            sa.select(
                oi.product_id, sa.func.sum(oi.after_discount).label("revenue"), sa.func.sum(oi.before_discount).label("before_discount"),
                sa.func.sum(oi.discount_amount).label("discount"), sa.func.sum(oi.quantity).label("units"),
                sa.func.sum(oi.quantity * products.c.unit_cost).label("cost"), sa.func.count(sa.distinct(oi.order_id)).label("orders"),
            )
            .select_from(orders.join(order_items, oi.order_id == orders.c.order_id).join(products, products.c.product_id == oi.product_id))
            .where(date_clause(orders.c.order_date, day_lo, day_hi), scope_clause(orders.c, filters), product_clause(filters))
            .group_by(oi.product_id)
        )
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("product_sales")


def order_rows_where(filters: Filters):
    f = order_facts.c
    return sa.and_(date_clause(f.day, filters.start, filters.end_exclusive), scope_clause(f, filters), mask_clause(f, filters))
