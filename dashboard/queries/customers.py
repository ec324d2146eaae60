"""Customer insight datasets: users, activity, new customers, frequency, top customers, CLV, demographics."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.queries.engine import read_frame
from dashboard.queries.filters import Filters
from dashboard.queries.periods import with_previous_period
from dashboard.queries.registry import dataset
from dashboard.queries.shape import ints, ratio, rounded, share
from dashboard.queries.sources import active_customers
from dashboard.queries.sql import both, date_clause, in_clause, split_range
from schema.sqlexpr import month_of
from schema.summary_tables import (
    FREQUENCY_BUCKETS, age_band, agg_active_month, agg_customer, agg_customer_segment, agg_first_month, agg_signup_month,
    agg_signup_place_month,
)
from schema.tables import customers

CUSTOMER_DIMS = ("start", "end", "cities", "platforms", "status_scope")
LIFETIME_DIMS = ("cities", "platforms", "status_scope")
REGISTERED_DIMS = ("end", "cities", "platforms")


def customer_clause(f: Filters, cols=customers.c):
    return both(in_clause(cols.city, f.cities), in_clause(cols.platform, f.platforms))


def _has_customer_filter(f: Filters) -> bool:
    return bool(f.cities or f.platforms)


def _month_range_clause(col, f: Filters):
    """Months overlapping the date range (monthly summaries count whole months)."""
    return date_clause(col, f.start.replace(day=1) if f.start else None, f.end_exclusive)


def active_users(f: Filters) -> int:
    """Distinct customers with an order in scope in the range (exact), of the chosen cities and platforms."""
    return active_customers(f, (lambda cols: customer_clause(f, cols)) if _has_customer_filter(f) else None)


USER_KPI_KEYS = ("users", "active_users", "new_users")


def user_parts(f: Filters) -> list:
    """The period's independent lookups, slowest first (see periods.with_previous_period): active users,
    registered users as of the end, new sign-ups."""
    return [lambda: active_users(f), lambda: signups(f, None, f.end_exclusive), lambda: signups(f, f.start, f.end_exclusive)]


def user_combine(f: Filters, active: int, registered: pd.DataFrame, signed_up: pd.DataFrame) -> dict:
    return {"users": int(registered["users"].sum()), "active_users": active, "new_users": int(signed_up["users"].sum())}


@dataset("user_kpis", title="Users, active users, new users", dimensions=CUSTOMER_DIMS,
         description="One row: registered users (as of the end), active users and new sign-ups in the range, and the "
                     "same for the previous period (suffix _prev).", metrics=USER_KPI_KEYS)
def user_kpis(filters: Filters) -> pd.DataFrame:
    return with_previous_period(user_parts, user_combine, filters, USER_KPI_KEYS)


@dataset("signups_monthly", title="Sign-ups per month", dimensions=("start", "end", "cities", "platforms"),
         description="Per month: customers who signed up in the range.", metrics=("signups",))
def signups_monthly(filters: Filters) -> pd.DataFrame:
    frame = signups(filters, filters.start, filters.end_exclusive, "month").rename(columns={"users": "signups"})
    return frame.sort_values("month").reset_index(drop=True)


def _first_month(f: Filters) -> pd.DataFrame:
    m = agg_first_month.c
    return read_frame(sa.select(m.month, sa.func.sum(m.customers).label("new_customers"))
                      .where(m.scope == f.status_scope, _month_range_clause(m.month, f), customer_clause(f, m))
                      .group_by(m.month))


@dataset("new_customers_monthly", title="New customers per month", dimensions=CUSTOMER_DIMS,
         description="Per month overlapping the range: customers whose first order in scope falls in that month (whole months).",
         metrics=("new_customers",))
def new_customers_monthly(filters: Filters) -> pd.DataFrame:
    return ints(_first_month(filters).sort_values("month").reset_index(drop=True), "new_customers")


@dataset("active_vs_new", title="Active vs new customers per month", dimensions=CUSTOMER_DIMS,
         description="Per month overlapping the range (whole months): distinct customers with an order in scope, "
                     "and those of them ordering for the first time.", metrics=("active_users", "new_customers"))
def active_vs_new(filters: Filters) -> pd.DataFrame:
    a = agg_active_month.c
    active = read_frame(sa.select(a.month, sa.func.sum(a[f"active_{filters.status_scope}"]).label("active_customers"))
                        .where(_month_range_clause(a.month, filters), customer_clause(filters, a)).group_by(a.month))
    frame = active.merge(_first_month(filters), on="month", how="outer").sort_values("month")
    frame = ints(frame, "active_customers", "new_customers")
    frame = frame[(frame["active_customers"] > 0) | (frame["new_customers"] > 0)]
    return frame[["month", "active_customers", "new_customers"]].reset_index(drop=True)


def _lifetime(f: Filters, *columns):
    c = agg_customer.c
    return (sa.select(*columns).select_from(agg_customer.join(customers, customers.c.customer_id == c.customer_id))
            .where(c[f"orders_{f.status_scope}"] > 0, customer_clause(f)))


def _segments(f: Filters, *group) -> pd.DataFrame:
    g = agg_customer_segment.c
    cols = [g[c] for c in group]
    return read_frame(sa.select(*cols, sa.func.sum(g.customers).label("customers"), sa.func.sum(g.orders).label("orders"),
                                sa.func.sum(g.revenue).label("revenue"))
                      .where(g.scope == f.status_scope, customer_clause(f, g)).group_by(*cols))


@dataset("order_frequency", title="Order frequency distribution", dimensions=LIFETIME_DIMS,
         description="Customers by their lifetime number of orders in scope.", metrics=("order_frequency",))
def order_frequency(filters: Filters) -> pd.DataFrame:
    frame = _segments(filters, "orders_bucket").set_index("orders_bucket")
    order = [label for _, _, label in FREQUENCY_BUCKETS]
    frame = frame.reindex(order).fillna(0).reset_index()
    return ints(frame, "customers")[["orders_bucket", "customers"]]


@dataset("top_customers", title="Top customers", dimensions=LIFETIME_DIMS, params={"limit": 10},
         description="Customers with the highest lifetime revenue in scope (ties: lowest customer_id).",
         metrics=("lifetime_value", "orders"))
def top_customers(filters: Filters, limit: int = 10) -> pd.DataFrame:
    c, cu = agg_customer.c, customers.c
    revenue, orders = c[f"revenue_{filters.status_scope}"], c[f"orders_{filters.status_scope}"]
    stmt = _lifetime(filters, c.customer_id, cu.customer_name, cu.city, cu.platform, orders.label("orders"),
                     revenue.label("revenue")).order_by(revenue.desc(), c.customer_id).limit(max(int(limit), 0))
    return rounded(ints(read_frame(stmt), "customer_id", "orders"), "revenue")


@dataset("customer_lifetime_value", title="Customer lifetime value", dimensions=LIFETIME_DIMS,
         description="Per sign-up platform and overall: buying customers, lifetime revenue, average CLV and orders per customer.",
         metrics=("customers", "lifetime_value", "orders"))
def customer_lifetime_value(filters: Filters) -> pd.DataFrame:
    per = _segments(filters, "platform").sort_values("platform")
    total = pd.DataFrame([{"platform": "all", "customers": per["customers"].sum(), "revenue": per["revenue"].sum(),
                           "orders": per["orders"].sum()}]) if not per.empty else per.iloc[0:0]
    frame = pd.concat([per, total], ignore_index=True)
    frame["avg_clv"] = ratio(frame["revenue"], frame["customers"])
    frame["avg_orders"] = ratio(frame["orders"], frame["customers"])
    frame = rounded(ints(frame, "customers", "orders"), "revenue", "avg_clv", "avg_orders")
    return frame[["platform", "customers", "revenue", "orders", "avg_clv", "avg_orders"]]


# ---------------------------------------------------------------- registered users (agg_signup_month + edge days)
SIGNUP_GROUPS = ("month", "city", "platform", "gender", "age_band")


def signups(f: Filters, start, end_exclusive, *group: str) -> pd.DataFrame:
    """Customers who signed up in [start, end_exclusive) (open bounds allowed), counted per `group`
    columns (any of SIGNUP_GROUPS), honouring the city and platform filters."""
    s = (agg_signup_month if {"gender", "age_band"} & set(group) else agg_signup_place_month).c
    c = customers.c
    parts = []
    for grain, lo, hi in split_range(start, end_exclusive, ("month",)):
        if grain == "month":
            cols = [s[g] for g in group]
            parts.append(sa.select(*cols, s.users).where(date_clause(s.month, lo, hi), customer_clause(f, s)))
        else:
            exprs = {"month": month_of(c.signup_date), "age_band": age_band(c.age)}
            cols = [(exprs[g] if g in exprs else c[g]).label(g) for g in group]
            parts.append(sa.select(*cols, sa.literal_column("1").label("users")).where(
                date_clause(c.signup_date, lo, hi), customer_clause(f)))
    src = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("signups")
    cols = [src.c[g] for g in group]
    frame = read_frame(sa.select(*cols, sa.func.sum(src.c.users).label("users")).group_by(*cols))
    return ints(frame, "users")


def _registered(f: Filters, label: str) -> pd.DataFrame:
    frame = share(signups(f, None, f.end_exclusive, label), "users")
    return frame.sort_values(["users", label], ascending=[False, True]).reset_index(drop=True)


for _name, _label, _title in (
    ("gender_split", "gender", "Users by gender"),
    ("age_bands", "age_band", "Users by age band"),
    ("platform_usage", "platform", "Users by sign-up platform"),
    ("users_by_city", "city", "Users by city"),
):
    dataset(_name, title=_title, dimensions=REGISTERED_DIMS, metrics=("users", "share_pct"),
            description=f"Registered users (sign-up on or before the end of the range) per {_label.replace('_', ' ')}.")(
        lambda filters, label=_label: _registered(filters, label))
