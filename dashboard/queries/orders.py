"""Orders page datasets: orders and revenue over time, status mix, revenue by city."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.queries.engine import read_frame
from dashboard.queries.filters import Filters
from dashboard.queries.registry import dataset
from dashboard.queries.shape import ints, ratio, rounded, share
from dashboard.queries.sql import in_clause, range_clause, scope_clause
from schema.errors import InvalidFilter
from schema.sqlexpr import year_of
from schema.summary_tables import agg_orders_day_city, agg_orders_day_pm, order_facts
from schema.tables import calendar, customers, payment_methods

ORDER_DIMS = ("start", "end", "payment_methods", "cities", "status_scope")
GRAINS = {"day": calendar.c.date_day, "week": calendar.c.week_start, "month": calendar.c.month_start,
          "year": year_of(calendar.c.month_start)}
STATUS_OF_FLAGS = {(1, 1): "completed", (1, 0): "returned", (0, 0): "canceled"}


def order_days(f: Filters) -> sa.Subquery:
    """day, is_valid, is_net, orders, revenue, units with the payment-method and city filters applied:
    the narrowest summary that carries the filtered dimensions."""
    pm = in_clause(payment_methods.c.method_name, f.payment_methods)
    city = in_clause(customers.c.city, f.cities)
    if f.cities and f.payment_methods:
        o = order_facts.c
        return (sa.select(o.day, o.is_valid, o.is_net, sa.func.count().label("orders"), sa.func.sum(o.revenue).label("revenue"),
                          sa.func.sum(o.units).label("units"))
                .select_from(order_facts.join(customers, customers.c.customer_id == o.customer_id)
                             .join(payment_methods, payment_methods.c.payment_method_id == o.payment_method_id))
                .where(pm, city, range_clause(o.day, f)).group_by(o.day, o.is_valid, o.is_net).subquery("order_days"))
    if f.cities:
        c = agg_orders_day_city.c
        return sa.select(c.day, c.is_valid, c.is_net, c.orders, c.revenue, c.units).where(
            in_clause(c.city, f.cities), range_clause(c.day, f)).subquery("order_days")
    p = agg_orders_day_pm.c
    return (sa.select(p.day, p.is_valid, p.is_net, p.orders, p.revenue, p.units)
            .select_from(agg_orders_day_pm.join(payment_methods, payment_methods.c.payment_method_id == p.payment_method_id))
            .where(pm, range_clause(p.day, f)).subquery("order_days"))


@dataset("orders_trend", title="Orders and revenue over time", dimensions=ORDER_DIMS, params={"grain": "day"},
         description="Per day, week (Monday), month or year (`grain`; period = its first day): orders, revenue and AOV.", metrics=("orders", "revenue", "aov"))
def orders_trend(filters: Filters, grain: str = "day") -> pd.DataFrame:
    if grain not in GRAINS:
        raise InvalidFilter(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    src = order_days(filters)
    period = GRAINS[grain]
    frame = read_frame(
        sa.select(period.label("period"), sa.func.sum(src.c.orders).label("orders"), sa.func.sum(src.c.revenue).label("revenue"))
        .select_from(src.join(calendar, calendar.c.date_day == src.c.day)).where(scope_clause(src.c, filters))
        .group_by(period).order_by(period))
    frame["aov"] = ratio(frame["revenue"], frame["orders"])
    return rounded(ints(frame, "orders"), "revenue", "aov")


@dataset("status_mix", title="Order status mix", dimensions=ORDER_DIMS[:-1],
         description="Orders and revenue by status (completed, returned, canceled); the status scope does not apply.",
         metrics=("status_mix", "orders", "revenue"))
def status_mix(filters: Filters) -> pd.DataFrame:
    src = order_days(filters)
    frame = read_frame(sa.select(src.c.is_valid, src.c.is_net, sa.func.sum(src.c.orders).label("orders"),
                                 sa.func.sum(src.c.revenue).label("revenue")).group_by(src.c.is_valid, src.c.is_net))
    frame["status"] = [STATUS_OF_FLAGS[(int(v), int(n))] for v, n in zip(frame["is_valid"], frame["is_net"])]
    frame = share(rounded(ints(frame, "orders"), "revenue"), "orders")
    return frame.sort_values(["orders", "status"], ascending=[False, True])[["status", "orders", "revenue", "share_pct"]].reset_index(drop=True)


@dataset("revenue_by_city", title="Revenue by city", dimensions=("start", "end", "cities", "status_scope"),
         description="Per customer city: orders, revenue and AOV, highest revenue first.", metrics=("orders", "revenue", "aov"))
def revenue_by_city(filters: Filters) -> pd.DataFrame:
    c = agg_orders_day_city.c
    frame = read_frame(sa.select(c.city, sa.func.sum(c.orders).label("orders"), sa.func.sum(c.revenue).label("revenue"))
                       .where(range_clause(c.day, filters), scope_clause(c, filters), in_clause(c.city, filters.cities))
                       .group_by(c.city))
    frame["aov"] = ratio(frame["revenue"], frame["orders"])
    frame = rounded(ints(frame, "orders"), "revenue", "aov").sort_values(["revenue", "city"], ascending=[False, True])
    return frame[["city", "orders", "revenue", "aov"]].reset_index(drop=True)
