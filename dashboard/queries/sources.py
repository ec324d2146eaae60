"""Shared row sources over the summary tables, each honouring the common filters once.

`sales_rows`   segment-level money/units for a date range: whole months from agg_sales_month,
               edge days from agg_sales_day (UNION ALL), with a `month` column; `total_sales_rows` the
               same over every segment (no product filter), a row per month or day.
`product_rows` product-level money/units/orders: whole years and months from agg_product_year/_month
               (short spans) or the running sums of agg_product_cum, edge days from line_facts (day-clustered).
`order_rows`   order-level orders/revenue/units per day or month (whole months from the monthly
               rollups, edge days from the daily ones), optionally per payment method or city.
`product_orders`, `product_customers` distinct orders and customers under a category or brand filter
               (customers: monthly id lists counted in Python, `count_distinct_ids`).
`active_customers` distinct customers with an order in scope in a date range (exact): a count of
               customer-month and customer-year rows (the first period of the range with an order).
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import sqlalchemy as sa

from dashboard.queries.engine import scalar_rows
from dashboard.queries.filters import Filters
from dashboard.queries.options import order_months
from dashboard.queries.sql import (
    TRUE, both, ceil_date, date_clause, floor_date, in_clause, mask_clause, range_clause, scope_clause, segment_clause,
    segment_ids, split_range, split_range_signed,
)
from schema.sqlexpr import id_list, month_of
from schema.summary_tables import (
    agg_customer_ids_month, agg_customer_month, agg_customer_year, agg_first_month, agg_orders_day,
    agg_orders_day_category, agg_orders_day_city, agg_orders_day_mask, agg_orders_day_pm, agg_orders_month,
    agg_orders_month_category, agg_orders_month_city, agg_orders_month_mask, agg_orders_month_pm, agg_product_cum,
    agg_product_month, agg_product_year, agg_sales_day, agg_sales_day_total, agg_sales_month, agg_sales_month_total,
    line_facts, order_facts, scoped_name,
)
from schema.tables import customers, payment_methods, products

MONEY = ("revenue", "before_discount", "discount", "units", "cost")


def _union(parts) -> sa.Subquery:  # never empty: Filters guarantees start <= end
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("src")


def month_and_day_rows(start, end_exclusive, monthly: sa.Table, daily: sa.Table, build, *, grain: str = "month") -> sa.Subquery:
    """The union of `build(cols, period)` over whole months of [start, end_exclusive) from `monthly` and
    edge days from `daily` (every day when grain="day"), each restricted to its piece of the range;
    `period` is the piece's month (or day, when grain="day") as a column expression."""
    pieces = split_range(start, end_exclusive, ("month",)) if grain == "month" else [("day", start, end_exclusive)]
    parts = []
    for piece, lo, hi in pieces:
        t = monthly.c if piece == "month" else daily.c
        key = t.month if piece == "month" else t.day
        parts.append(build(t, key if piece == grain else month_of(key)).where(date_clause(key, lo, hi)))
    return _union(parts)


def sales_rows(filters: Filters) -> sa.Subquery:
    return month_and_day_rows(filters.start, filters.end_exclusive, agg_sales_month, agg_sales_day, lambda t, month: sa.select(
        month.label("month"), t.segment_id, *[t[c] for c in MONEY]).where(scope_clause(t, filters), segment_clause(t.segment_id, filters)))


def total_sales_rows(filters: Filters) -> sa.Subquery:
    """The MONEY sums of every segment for a date range (no product filter): a row per month and edge
    day (agg_sales_*_total) instead of one per segment too (MariaDB, 17 months: 6.5 -> 1.9 ms)."""
    return month_and_day_rows(filters.start, filters.end_exclusive, agg_sales_month_total, agg_sales_day_total,
                              lambda t, month: sa.select(*[t[c] for c in MONEY]).where(scope_clause(t, filters)))


def product_clause(filters: Filters):
    return both(in_clause(products.c.category, filters.categories), in_clause(products.c.brand, filters.brands))


def _product_days(filters: Filters, lo, hi, measures, with_orders: bool, only, sign: int):
    """The lines of days [lo, hi) per product, times `sign`; without orders the lines themselves, left
    to the outer GROUP BY (one grouping instead of two: MariaDB, top product of 90 days 22 -> 18 ms)."""
    f = line_facts.c
    where = (date_clause(f.day, lo, hi), scope_clause(f, filters), segment_clause(f.segment_id, filters), only(f))
    if not with_orders:
        return sa.select(f.product_id, *[(f[c] if sign > 0 else -f[c]).label(c) for c in measures]).where(*where)
    orders = (sign * sa.func.count(sa.distinct(f.order_id))).label("orders")
    return (sa.select(f.product_id, *[(sign * sa.func.sum(f[c])).label(c) for c in measures], orders)
            .where(*where).group_by(f.product_id))


def product_rows(filters: Filters, *, measures=MONEY, with_orders: bool = True,
                 product_ids: list[int] | None = None, kept_by: str = "units") -> sa.Subquery:
    """One row per product sold in the range (`kept_by`, units or revenue, above 0): product_id, the
    `measures` (of MONEY; `kept_by` always), and unless `with_orders` is false orders (distinct orders
    with the product: the costly part over edge days); only the products `product_ids` when given. Ask
    only for the measures used: each DECIMAL sum costs (MariaDB, top product of a 17-month range: 62 ms
    with all five, 28 ms with revenue and units, 17% less with revenue alone).
    Whole years and months come from agg_product_year and agg_product_month when they are one or two, else from agg_product_cum (the
    running sums through the span's last month less those before its first: two rows per product
    however long the span), each row carrying every status scope's sums; edge days from line_facts.
    Some pieces are negative (a month less its days outside the range), so a product whose sales all
    fell outside sums to 0 (`kept_by`) and is left out."""
    def only(cols):
        return TRUE if product_ids is None else cols.product_id.in_(product_ids)

    measures = tuple(dict.fromkeys([*measures, kept_by]))  # a product whose sales all fell outside sums to 0
    cols = (*measures, *(["orders"] if with_orders else []))
    parts, months = [], []
    for grain, lo, hi, sign in split_range_signed(filters.start, filters.end_exclusive, ("month",)):
        if grain == "day":
            parts.append(_product_days(filters, lo, hi, measures, with_orders, only, sign))
        else:
            months.append((lo, hi))
    for lo, hi in _joined(months):
        pieces = split_range(lo, hi, ("year", "month")) if lo is not None and hi is not None else []
        if pieces and sum(_periods(*piece) for piece in pieces) <= DIRECT_PERIODS:
            for grain, a, b in pieces:
                t = {"year": agg_product_year, "month": agg_product_month}[grain].c
                parts.append(sa.select(t.product_id, *_in_scope(t, cols, filters, 1)).where(
                    date_clause(t[grain], a, b), segment_clause(t.segment_id, filters), only(t)))
            continue
        parts.append(_product_through(filters, cols, only, hi, 1))
        if lo is not None:
            parts.append(_product_through(filters, cols, only, lo, -1))
    u = _union(parts)
    sums = [sa.func.sum(u.c[c]).label(c) for c in cols]
    return sa.select(u.c.product_id, *sums).group_by(u.c.product_id).having(sa.func.sum(u.c[kept_by]) > 0).subquery("per_product")


DIRECT_PERIODS = 2  # a span of at most two whole years or months reads their rows; longer ones two running totals


def _periods(grain: str, lo, hi) -> int:
    """Whole years or months in the piece [lo, hi) (a row per product each)."""
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    return months // 12 if grain == "year" else months


def _joined(spans):
    """Month spans (lo, hi) with touching ones joined (the pieces of one range come out of order)."""
    out: list[list] = []
    for lo, hi in sorted(spans, key=lambda span: (span[0] is not None, span[0])):
        if out and out[-1][1] == lo:
            out[-1][1] = hi
        else:
            out.append([lo, hi])
    return [tuple(span) for span in out]


def _product_through(filters: Filters, cols, only, before, sign: int):
    """Each product's sales from the start up to the month `before` (exclusive; None: all), times `sign`:
    the rows of the latest month before it in agg_product_cum."""
    c = agg_product_cum.c
    latest = sa.select(sa.func.max(c.month)).where(c.month < before if before is not None else TRUE).scalar_subquery()
    return sa.select(c.product_id, *_in_scope(c, cols, filters, sign)).where(
        c.month == latest, segment_clause(c.segment_id, filters), only(c))


def _in_scope(cols, names, filters: Filters, sign: int):
    """The scope's columns of a product summary (one per measure and status scope), as the measures' names."""
    picked = [cols[scoped_name(x, filters.status_scope)] for x in names]
    return [(col if sign > 0 else -col).label(x) for col, x in zip(picked, names)]


ORDERS_FROM_LINES_UP_TO = 3  # segments: beyond, the orders per segment mask cost less than de-duplicating lines


def only_category(filters: Filters) -> str | None:
    """The category when the product filter is exactly one category (and no brand)."""
    return filters.categories[0] if len(filters.categories) == 1 and not filters.brands else None


def product_order_rows(filters: Filters, *, grain: str = "month") -> sa.Subquery:
    """period (month, or day when grain="day"), orders: distinct orders in scope with a line in the
    selected segments (a category or brand filter), an order counted in the period of its day. One
    category: the orders per category (agg_orders_*_category). A few segments: their lines
    (line_facts' index). More: the orders per segment mask (agg_orders_*_mask), whose rows do not grow
    with the selection. SQLite, one category over all time: 26 ms of lines to de-duplicate, 9.5 ms of
    masks, 1 ms of orders per category; MariaDB, three categories over a year per day: 44 ms of lines."""
    if (category := only_category(filters)) is not None:
        return month_and_day_rows(filters.start, filters.end_exclusive, agg_orders_month_category, agg_orders_day_category,
                                  lambda t, period: sa.select(period.label("period"), t.orders).where(
                                      t.category == category, scope_clause(t, filters)), grain=grain)
    if len(segment_ids(filters)) <= ORDERS_FROM_LINES_UP_TO:
        f = line_facts.c
        period = f.day if grain == "day" else month_of(f.day)
        return (sa.select(period.label("period"), sa.func.count(sa.distinct(f.order_id)).label("orders"))
                .where(*_selected_lines(filters)).group_by(period).subquery("src"))
    return month_and_day_rows(filters.start, filters.end_exclusive, agg_orders_month_mask, agg_orders_day_mask,
                              lambda t, period: sa.select(period.label("period"), t.orders).where(
                                  scope_clause(t, filters), mask_clause(t, filters)), grain=grain)


def product_orders(filters: Filters) -> sa.Select:
    """One value: distinct orders in scope and range with a line in the selected segments."""
    return sa.select(sa.func.sum(product_order_rows(filters).c.orders))


def product_customers(filters: Filters) -> int:
    """Distinct customers in scope and range with a line in the selected segments (a category or brand
    filter): the union of the customer id lists of the range's whole months (agg_customer_ids_month)
    and of its edge days' lines (line_facts' (segment, day) index, listed by the database), counted
    here. MariaDB, three categories over a year: 3 ms, against 26 ms for COUNT(DISTINCT) over their
    60k lines."""
    parts = []
    for grain, lo, hi in split_range(filters.start, filters.end_exclusive, ("month",)):
        t = agg_customer_ids_month.c if grain == "month" else line_facts.c
        ids = t.customer_ids if grain == "month" else id_list(t.customer_id)
        key = t.month if grain == "month" else t.day
        parts.append(sa.select(ids.label("ids")).where(
            date_clause(key, lo, hi), scope_clause(t, filters), segment_clause(t.segment_id, filters)))
    if not parts:  # an empty range
        return 0
    return count_distinct_ids(row[0] for row in scalar_rows(sa.select(_union(parts).c.ids)))


def count_distinct_ids(lists) -> int:
    """Distinct integers in comma-separated id lists (None: an empty list)."""
    arrays = [np.fromstring(text if isinstance(text, str) else text.decode(), dtype=np.int64, sep=",")
              for text in lists if text]
    if not arrays:
        return 0
    ids = np.concatenate(arrays)
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return int(np.count_nonzero(seen))


def _selected_lines(filters: Filters) -> tuple:
    """line_facts rows in range and scope in the selected segments (its (segment, day) index)."""
    f = line_facts.c
    return range_clause(f.day, filters), scope_clause(f, filters), segment_clause(f.segment_id, filters)


# ---------------------------------------------------------------- order-level sums
ORDER_FAMILIES = {  # the column a family adds -> (daily table, monthly table)
    None: (agg_orders_day, agg_orders_month),
    "payment_method_id": (agg_orders_day_pm, agg_orders_month_pm),
    "city": (agg_orders_day_city, agg_orders_month_city),
}
ORDER_SUMS = ("orders", "revenue", "units")


def _method_ids(names):
    pm = payment_methods.c
    return sa.select(pm.payment_method_id).where(pm.method_name.in_(list(names))).scalar_subquery()


def order_rows(filters: Filters, *, by: str | None = None, grain: str = "month", scoped: bool = True) -> sa.Subquery:
    """period (the month, or the day when grain="day"), is_valid, is_net, the `by` column (payment_method_id
    or city) when given, orders, revenue, units: order-level sums with the payment-method and city filters
    (and the status scope unless `scoped` is false) applied, from the narrowest summaries that carry them."""
    needed = {by} | ({"payment_method_id"} if filters.payment_methods else set()) | ({"city"} if filters.cities else set())
    needed.discard(None)
    if len(needed) > 1:
        return _order_fact_rows(filters, by=by, grain=grain, scoped=scoped)
    day_t, month_t = ORDER_FAMILIES[next(iter(needed), None)]
    return month_and_day_rows(filters.start, filters.end_exclusive, month_t, day_t, lambda t, period: sa.select(
        period.label("period"), t.is_valid, t.is_net, *([t[by]] if by else []), *[t[c] for c in ORDER_SUMS]).where(
        scope_clause(t, filters) if scoped else TRUE, _order_filter(t.get("payment_method_id"), t.get("city"), filters)),
        grain=grain)


def _order_filter(method_col, city_col, filters: Filters):
    """The payment-method and city filters (a table lacking a column is only asked when that filter is unset)."""
    return both(method_col.in_(_method_ids(filters.payment_methods)) if filters.payment_methods else TRUE,
                in_clause(city_col, filters.cities) if filters.cities else TRUE)


def _order_fact_rows(filters: Filters, *, by, grain, scoped) -> sa.Subquery:
    """Payment method and city together: the per-order rows joined to their customer."""
    o = order_facts.c
    period = o.day if grain == "day" else month_of(o.day)
    by_col = {None: [], "payment_method_id": [o.payment_method_id], "city": [customers.c.city]}[by]
    group = [period, o.is_valid, o.is_net, *by_col]
    return (sa.select(period.label("period"), o.is_valid, o.is_net, *by_col, sa.func.count().label("orders"),
                      sa.func.sum(o.revenue).label("revenue"), sa.func.sum(o.units).label("units"))
            .select_from(order_facts.join(customers, customers.c.customer_id == o.customer_id))
            .where(date_clause(o.day, filters.start, filters.end_exclusive), scope_clause(o, filters) if scoped else TRUE,
                   _order_filter(o.payment_method_id, customers.c.city, filters))
            .group_by(*group).subquery("src"))


# ---------------------------------------------------------------- distinct customers
def active_customers(filters: Filters, customer_clause=None) -> int:
    """Distinct customers with an order in scope in the date range (exact; product filters are not
    applied; `customer_clause(cols)`, a condition on city and platform columns, keeps the customers it
    matches). All time: agg_first_month (a customer with an order in scope has one first month).

    Otherwise a count of rows with no de-duplication: each customer counts once, in the first period
    (month or year) of the range that holds one of its orders in scope, i.e. the row whose
    `prev_day` (the last such order before the period) falls before the range:
    - the month the range starts in part way: rows whose last order day is on or after the start;
    - whole months and years in between (agg_customer_month, agg_customer_year): rows in scope whose
      prev_day is before the start (or none);
    - the month it ends in part way: rows whose first order day is on or before the end, likewise.
    A range inside one month, starting and ending part way, counts its orders' distinct customers."""
    start, end = filters.start, filters.end_exclusive
    if start is None and end is None:
        m = agg_first_month.c
        return int(scalar_rows(sa.select(sa.func.sum(m.customers)).where(
            m.scope == filters.status_scope, customer_clause(m) if customer_clause else TRUE))[0][0] or 0)
    chosen = customer_clause or (lambda cols: TRUE)
    scope = filters.status_scope
    lead = start is not None and start.day != 1  # starts part way through a month
    trail = end is not None and end.day != 1  # ends part way through one
    if lead and trail and floor_date(start, "month") == floor_date(end - timedelta(days=1), "month"):
        return _distinct_order_customers(filters, customer_clause)

    def first_in_range(cols):  # no order in scope between the range's start and the period
        prev = cols[scoped_name("prev_day", scope)]
        return prev.is_(None) if start is None else sa.or_(prev.is_(None), prev < start)

    m = agg_customer_month.c
    counts = []
    if lead:  # the partial first month: an order on or after the start
        counts.append(sa.select(sa.func.count()).where(
            m.month == floor_date(start, "month"), m[scoped_name("last_day", scope)] >= start, chosen(m)))
    middle_start = ceil_date(start, "month") if start is not None else None
    middle_end = floor_date(end, "month") if end is not None else None
    if middle_start is None or middle_end is None or middle_start < middle_end:
        for grain, lo, hi in split_range(middle_start, middle_end, ("year", "month")):
            t = {"year": agg_customer_year.c, "month": agg_customer_month.c}[grain]
            counts.append(sa.select(sa.func.count()).where(_listed_periods(t[grain], grain, lo, hi), scope_clause(t, filters),
                                                              first_in_range(t), chosen(t)))
    if trail:  # the partial last month: an order on or before the end
        counts.append(sa.select(sa.func.count()).where(
            m.month == floor_date(end, "month"), m[scoped_name("first_day", scope)] < end, first_in_range(m), chosen(m)))
    total = sum((c.scalar_subquery() for c in counts[1:]), counts[0].scalar_subquery())
    return int(scalar_rows(sa.select(total))[0][0] or 0)


def _listed_periods(col, grain: str, lo, hi):
    """`col IN (...)`, the years or months in [lo, hi) that hold orders: an index led by the period then
    reads a slice per period (agg_customer_month's first-in-range indexes), not every row between."""
    periods = sorted({floor_date(month, grain) for month in order_months()})
    return col.in_([p for p in periods if (lo is None or p >= lo) and (hi is None or p < hi)])


def _distinct_order_customers(filters: Filters, customer_clause) -> int:
    """Distinct customers of the range's orders in scope (order_facts; a range inside one month)."""
    o = order_facts.c
    chosen = TRUE if customer_clause is None else o.customer_id.in_(
        sa.select(customers.c.customer_id).where(customer_clause(customers.c)))
    ids = sa.select(o.customer_id).where(range_clause(o.day, filters), scope_clause(o, filters), chosen).distinct().subquery("ids")
    return int(scalar_rows(sa.select(sa.func.count()).select_from(ids))[0][0])
