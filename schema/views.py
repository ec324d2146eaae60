"""Named analytic views, defined once as SQLAlchemy selects and compiled for each backend.

`VIEWS` maps each view's name to its one-line description and the function that builds its
SELECT; `create_views(conn)` drops and re-creates all of them (`CREATE VIEW name AS ...`,
idempotent). init-db and refresh call it; the data dictionary renders `VIEWS`.

Rules every view follows so it means the same on SQLite, MariaDB/MySQL and PostgreSQL:
- ratios go through `ratio()`: `x * 1.0 / NULLIF(y, 0)`, so an empty denominator gives NULL
  (never an error, never integer division) and the result is rounded;
- money is rounded to cents with `money()`;
- revenue means valid orders (`is_valid = 1`) unless a column name says otherwise;
- date functions that differ per dialect are small compiled constructs (`schema.sqlexpr.day_of`,
  `days_between` below);
- every non-aggregated column is grouped on (MariaDB does not infer functional dependencies).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from sqlalchemy import Integer, Select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from schema.sqlexpr import day_of
from schema.tables import (
    ad_interactions,
    ads,
    calendar,
    campaigns,
    customers,
    order_items,
    orders,
    payment_methods,
    products,
    sessions,
    suppliers,
)


# ---------------------------------------------------------------- portable SQL pieces
date_of = day_of  # the calendar date of a DATETIME; one construct (schema.sqlexpr), imported under both names


class days_between(FunctionElement):  # noqa: N801
    """Whole calendar days from the first argument's date to the second's."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


def _two(element, compiler, **kw) -> tuple[str, str]:
    first, second = list(element.clauses)
    return compiler.process(first, **kw), compiler.process(second, **kw)


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    a, b = _two(element, compiler, **kw)
    return f"CAST(julianday(date({b})) - julianday(date({a})) AS INTEGER)"


@compiles(days_between, "mysql")
@compiles(days_between, "mariadb")
def _days_mysql(element, compiler, **kw):
    a, b = _two(element, compiler, **kw)
    return f"DATEDIFF({b}, {a})"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    a, b = _two(element, compiler, **kw)
    return f"(CAST({b} AS DATE) - CAST({a} AS DATE))"


ONE = sa.literal_column("1.0")  # a literal, never a bound float (PostgreSQL has no round(float8, int))


def ratio(numerator, denominator, digits: int = 4):
    """numerator / denominator rounded; NULL (not an error) when the denominator is 0 or NULL."""
    return sa.func.round(numerator * ONE / sa.func.nullif(denominator, 0), digits)


def money(expr):
    return sa.func.round(expr, 2)


def valid_revenue_by_ad() -> sa.Subquery:
    """Per ad: the summed totals of its attributed orders that are valid (is_valid = 1).

    The one definition of attributed revenue: refresh sums it per campaign, views per ad."""
    return (
        sa.select(ad_interactions.c.ad_id, sa.func.sum(orders.c.total).label("revenue"))
        .select_from(ad_interactions.join(orders, orders.c.order_id == ad_interactions.c.order_id))
        .where(ad_interactions.c.order_id.is_not(None), orders.c.is_valid == 1)  # lets planners start from the few purchases
        .group_by(ad_interactions.c.ad_id)
        .subquery("ad_revenue")
    )


# ---------------------------------------------------------------- the registry
@dataclass(frozen=True)
class View:
    name: str
    description: str
    build: Callable[[], Select]

    def columns(self) -> list[str]:
        return [c.name for c in self.build().selected_columns]


VIEWS: dict[str, View] = {}


def view(name: str, description: str):
    def register(build: Callable[[], Select]):
        if name in VIEWS:
            raise RuntimeError(f"view {name!r} defined twice")
        VIEWS[name] = View(name, description, build)
        return build

    return register


# ---------------------------------------------------------------- customers
@view("v_user_order_summary", "Per customer: orders placed, valid orders, valid revenue, first and last order time.")
def user_order_summary() -> Select:
    return (
        sa.select(
            customers.c.customer_id,
            customers.c.customer_name,
            sa.func.count(orders.c.order_id).label("orders"),
            sa.func.coalesce(sa.func.sum(orders.c.is_valid), 0).label("valid_orders"),
            money(sa.func.coalesce(sa.func.sum(sa.case((orders.c.is_valid == 1, orders.c.total), else_=0)), 0)).label("revenue"),
            sa.func.min(orders.c.order_date).label("first_order_at"),
            sa.func.max(orders.c.order_date).label("last_order_at"),
        )
        .select_from(customers.outerjoin(orders, orders.c.customer_id == customers.c.customer_id))
        .group_by(customers.c.customer_id, customers.c.customer_name)
    )


@view(
    "v_customer_lifetime_value",
    "Per customer: lifetime valid revenue and orders, first/last valid order, tenure in days between them, average order value.",
)
def customer_lifetime_value() -> Select:
    first, last = sa.func.min(orders.c.order_date), sa.func.max(orders.c.order_date)
    return (
        sa.select(
            customers.c.customer_id,
            customers.c.customer_name,
            customers.c.signup_date,
            sa.func.count(orders.c.order_id).label("valid_orders"),
            money(sa.func.coalesce(sa.func.sum(orders.c.total), 0)).label("lifetime_revenue"),
            first.label("first_order_at"),
            last.label("last_order_at"),
            days_between(first, last).label("tenure_days"),
            ratio(sa.func.sum(orders.c.total), sa.func.count(orders.c.order_id), 2).label("avg_order_value"),
        )
        .select_from(
            customers.outerjoin(orders, sa.and_(orders.c.customer_id == customers.c.customer_id, orders.c.is_valid == 1))
        )
        .group_by(customers.c.customer_id, customers.c.customer_name, customers.c.signup_date)
    )


@view(
    "v_user_funnel_stage",
    "Per customer reached by an ad: interactions and the deepest funnel stage across them (reached < clicked < purchased).",
)
def user_funnel_stage() -> Select:
    depth = sa.func.max(
        sa.case(
            (ad_interactions.c.purchased_at.is_not(None), 3),
            (ad_interactions.c.clicked_at.is_not(None), 2),
            else_=1,
        )
    )
    return sa.select(
        ad_interactions.c.customer_id,
        sa.func.count().label("interactions"),
        depth.label("stage_rank"),
        sa.case({3: "purchased", 2: "clicked"}, value=depth, else_="reached").label("funnel_stage"),
    ).group_by(ad_interactions.c.customer_id)


# ---------------------------------------------------------------- marketing
@view(
    "v_ad_performance",
    "Per ad: campaign, format, placement, platform, funnel counts, budget, valid attributed revenue, CTR, conversion, CPC, CPA, ROAS.",
)
def ad_performance() -> Select:
    rev = valid_revenue_by_ad()
    revenue = money(sa.func.coalesce(rev.c.revenue, 0))
    return sa.select(
        ads.c.ad_id,
        ads.c.ad_name,
        ads.c.campaign_id,
        campaigns.c.campaign_name,
        ads.c.ad_format,
        ads.c.placement,
        ads.c.platform,
        ads.c.reach,
        ads.c.clicks,
        ads.c.purchases,
        ads.c.budget,
        revenue.label("revenue"),
        ratio(ads.c.clicks, ads.c.reach).label("ctr"),
        ratio(ads.c.purchases, ads.c.clicks).label("conversion"),
        ratio(ads.c.budget, ads.c.clicks, 2).label("cpc"),
        ratio(ads.c.budget, ads.c.purchases, 2).label("cpa"),
        ratio(revenue, ads.c.budget).label("roas"),
    ).select_from(
        ads.join(campaigns, campaigns.c.campaign_id == ads.c.campaign_id).outerjoin(rev, rev.c.ad_id == ads.c.ad_id)
    )


@view(
    "v_ad_efficiency_ranking",
    "Ads ranked by ROAS, then CTR (RANK(): ties share a rank; ads without budget or reach rank last).",
)
def ad_efficiency_ranking() -> Select:
    perf = ad_performance().subquery("perf")
    order = (sa.func.coalesce(perf.c.roas, -1).desc(), sa.func.coalesce(perf.c.ctr, -1).desc())
    return sa.select(
        perf.c.ad_id,
        perf.c.ad_name,
        perf.c.campaign_id,
        perf.c.campaign_name,
        perf.c.budget,
        perf.c.revenue,
        perf.c.roas,
        perf.c.ctr,
        sa.func.rank().over(order_by=order).label("efficiency_rank"),
    )


@view("v_campaign_roi", "Per campaign: budget, valid attributed revenue, profit = revenue - budget, ROI = profit / budget, ROAS.")
def campaign_roi() -> Select:
    profit = campaigns.c.revenue - campaigns.c.budget
    return sa.select(
        campaigns.c.campaign_id,
        campaigns.c.campaign_name,
        campaigns.c.objective,
        campaigns.c.status,
        campaigns.c.start_date,
        campaigns.c.end_date,
        campaigns.c.reach,
        campaigns.c.clicks,
        campaigns.c.leads,
        campaigns.c.budget,
        campaigns.c.revenue,
        money(profit).label("profit"),
        ratio(profit, campaigns.c.budget).label("roi"),
        ratio(campaigns.c.revenue, campaigns.c.budget).label("roas"),
    )


@view("v_conversion_by_traffic_source", "Per traffic source: sessions, sessions that placed an order, conversion rate.")
def conversion_by_traffic_source() -> Select:
    converted = sa.func.count(sessions.c.order_id)
    return sa.select(
        sessions.c.traffic_source,
        sa.func.count().label("sessions"),
        converted.label("converted_sessions"),
        ratio(converted, sa.func.count()).label("conversion_rate"),
    ).group_by(sessions.c.traffic_source)


# ---------------------------------------------------------------- sales
def _line_cost():
    return money(products.c.unit_cost * order_items.c.quantity)


@view("v_revenue_by_category", "Per product category over valid orders: orders, units, revenue, cost of goods, profit, margin.")
def revenue_by_category() -> Select:
    revenue = sa.func.sum(order_items.c.after_discount)
    cost = sa.func.sum(products.c.unit_cost * order_items.c.quantity)
    return (
        sa.select(
            products.c.category,
            sa.func.count(sa.distinct(order_items.c.order_id)).label("orders"),
            sa.func.sum(order_items.c.quantity).label("units"),
            money(revenue).label("revenue"),
            money(cost).label("cost"),
            money(revenue - cost).label("profit"),
            ratio(revenue - cost, revenue).label("margin"),
        )
        .select_from(
            order_items.join(orders, orders.c.order_id == order_items.c.order_id).join(
                products, products.c.product_id == order_items.c.product_id
            )
        )
        .where(orders.c.is_valid == 1)
        .group_by(products.c.category)
    )


@view(
    "v_sales_lines",
    "One row per order line, denormalised: order, customer, product, category, brand, payment method, status flags, revenue, cost, profit.",
)
def sales_lines() -> Select:
    return sa.select(
        order_items.c.order_item_id,
        orders.c.order_id,
        orders.c.order_code,
        orders.c.order_date,
        orders.c.status,
        orders.c.is_gross,
        orders.c.is_valid,
        orders.c.is_net,
        customers.c.customer_id,
        customers.c.customer_name,
        customers.c.city,
        products.c.product_id,
        products.c.product_name,
        products.c.category,
        products.c.brand,
        payment_methods.c.method_name.label("payment_method"),
        payment_methods.c.method_group.label("payment_group"),
        order_items.c.quantity,
        order_items.c.unit_price,
        order_items.c.before_discount,
        order_items.c.discount_amount,
        order_items.c.after_discount.label("revenue"),
        _line_cost().label("cost"),
        money(order_items.c.after_discount - products.c.unit_cost * order_items.c.quantity).label("profit"),
    ).select_from(
        order_items.join(orders, orders.c.order_id == order_items.c.order_id)
        .join(customers, customers.c.customer_id == orders.c.customer_id)
        .join(products, products.c.product_id == order_items.c.product_id)
        .join(payment_methods, payment_methods.c.payment_method_id == orders.c.payment_method_id)
    )


# ---------------------------------------------------------------- star schema
@view("fact_sales", "Star-schema fact: one row per order line with its date, customer, product and payment keys and measures.")
def fact_sales() -> Select:
    return sa.select(
        order_items.c.order_item_id,
        order_items.c.order_id,
        day_of(orders.c.order_date).label("date_day"),
        orders.c.customer_id,
        order_items.c.product_id,
        orders.c.payment_method_id,
        order_items.c.promotion_id,
        orders.c.is_gross,
        orders.c.is_valid,
        orders.c.is_net,
        order_items.c.quantity,
        order_items.c.before_discount.label("gross_amount"),
        order_items.c.discount_amount,
        order_items.c.after_discount.label("revenue"),
        _line_cost().label("cost"),
        money(order_items.c.after_discount - products.c.unit_cost * order_items.c.quantity).label("profit"),
    ).select_from(
        order_items.join(orders, orders.c.order_id == order_items.c.order_id).join(
            products, products.c.product_id == order_items.c.product_id
        )
    )


@view("dim_customer", "Star-schema dimension: one row per customer with location, demographics, age band and sign-up platform.")
def dim_customer() -> Select:
    age = customers.c.age
    band = sa.case((age < 25, "16-24"), (age < 35, "25-34"), (age < 45, "35-44"), (age < 55, "45-54"), else_="55+")
    return sa.select(
        customers.c.customer_id,
        customers.c.customer_code,
        customers.c.customer_name,
        customers.c.gender,
        customers.c.age,
        band.label("age_band"),
        customers.c.city,
        customers.c.state,
        customers.c.country,
        customers.c.platform,
        customers.c.signup_date,
    )


@view("dim_product", "Star-schema dimension: one row per product with category, brand, price, unit cost, unit margin and supplier.")
def dim_product() -> Select:
    return sa.select(
        products.c.product_id,
        products.c.sku_code,
        products.c.product_name,
        products.c.category,
        products.c.brand,
        products.c.price,
        products.c.unit_cost,
        money(products.c.price - products.c.unit_cost).label("unit_margin"),
        products.c.supplier_id,
        suppliers.c.supplier_name,
    ).select_from(products.outerjoin(suppliers, suppliers.c.supplier_id == products.c.supplier_id))


@view("dim_date", "Star-schema dimension: one row per calendar day (year, quarter, month, ISO week, weekday, weekend flag).")
def dim_date() -> Select:
    c = calendar.c
    return sa.select(
        c.date_day, c.year, c.quarter, c.month, c.month_name, c.month_start, c.week_start, c.iso_week, c.weekday,
        c.weekday_name, c.is_weekend,
    )


# ---------------------------------------------------------------- DDL
def create_view_sql(v: View, dialect: Dialect) -> str:
    body = v.build().compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return f"CREATE VIEW {v.name} AS\n{body}"


def _exec_ddl(conn: Connection, sql: str) -> None:
    # Compiled with literal binds for this dialect, so no parameters; exec_driver_sql keeps
    # pyformat drivers' doubled %% as they were compiled.
    conn.exec_driver_sql(sql)


def create_views(conn: Connection) -> list[str]:
    """Drop and re-create every view (idempotent). Returns their names."""
    for v in reversed(list(VIEWS.values())):
        _exec_ddl(conn, f"DROP VIEW IF EXISTS {v.name}")
    for v in VIEWS.values():
        _exec_ddl(conn, create_view_sql(v, conn.dialect))
    return list(VIEWS)
