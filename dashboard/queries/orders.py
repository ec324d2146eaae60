"""Orders page datasets: orders and revenue over time, status mix, revenue by city."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.queries.engine import read_frame
from dashboard.queries.filters import Filters
from dashboard.queries.registry import dataset
from dashboard.queries.shape import ints, ratio, rounded, share
from dashboard.queries.sources import order_rows
from schema.errors import InvalidFilter
from schema.sqlexpr import year_of
from schema.tables import calendar

ORDER_DIMS = ("start", "end", "payment_methods", "cities", "status_scope")
GRAINS = {"day": calendar.c.date_day, "week": calendar.c.week_start, "month": calendar.c.month_start,
          "year": year_of(calendar.c.month_start)}
STATUS_OF_FLAGS = {(1, 1): "completed", (1, 0): "returned", (0, 0): "canceled"}


@dataset("orders_trend", title="Orders and revenue over time", dimensions=ORDER_DIMS, params={"grain": "day"},
         description="Per day, week (Monday), month or year (`grain`; period = its first day): orders, revenue and AOV.", metrics=("orders", "revenue", "aov"))
def orders_trend(filters: Filters, grain: str = "day") -> pd.DataFrame:
    if grain not in GRAINS:
        raise InvalidFilter(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    src = order_rows(filters, grain="month" if grain in ("month", "year") else "day")
    period = GRAINS[grain]  # a month row's period is its first day, which maps to the same month and year
    frame = read_frame(
        sa.select(period.label("period"), sa.func.sum(src.c.orders).label("orders"), sa.func.sum(src.c.revenue).label("revenue"))
        .select_from(src.join(calendar, calendar.c.date_day == src.c.period)).group_by(period).order_by(period))
    frame["aov"] = ratio(frame["revenue"], frame["orders"])
    return rounded(ints(frame, "orders"), "revenue", "aov")


@dataset("status_mix", title="Order status mix", dimensions=ORDER_DIMS[:-1],
         description="Orders and revenue by status (completed, returned, canceled); the status scope does not apply.",
         metrics=("status_mix", "orders", "revenue"))
def status_mix(filters: Filters) -> pd.DataFrame:
    src = order_rows(filters, scoped=False)
    frame = read_frame(sa.select(src.c.is_valid, src.c.is_net, sa.func.sum(src.c.orders).label("orders"),
                                 sa.func.sum(src.c.revenue).label("revenue")).group_by(src.c.is_valid, src.c.is_net))
    frame["status"] = [STATUS_OF_FLAGS[(int(v), int(n))] for v, n in zip(frame["is_valid"], frame["is_net"])]
    frame = share(rounded(ints(frame, "orders"), "revenue"), "orders")
    return frame.sort_values(["orders", "status"], ascending=[False, True])[["status", "orders", "revenue", "share_pct"]].reset_index(drop=True)


@dataset("revenue_by_city", title="Revenue by city", dimensions=("start", "end", "cities", "status_scope"),
         description="Per customer city: orders, revenue and AOV, highest revenue first.", metrics=("orders", "revenue", "aov"))
def revenue_by_city(filters: Filters) -> pd.DataFrame:
    src = order_rows(filters, by="city")
    frame = read_frame(sa.select(src.c.city, sa.func.sum(src.c.orders).label("orders"), sa.func.sum(src.c.revenue).label("revenue"))
                       .group_by(src.c.city))
    frame["aov"] = ratio(frame["revenue"], frame["orders"])
    frame = rounded(ints(frame, "orders"), "revenue", "aov").sort_values(["revenue", "city"], ascending=[False, True])
    return frame[["city", "orders", "revenue", "aov"]].reset_index(drop=True)
