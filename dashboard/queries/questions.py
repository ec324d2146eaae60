"""The five stakeholder questions of the customer-intelligence report, for any `year` (valid orders).

`year=0` (the default) means the latest year with orders."""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from dashboard.queries.engine import read_frame
from dashboard.queries.filters import Filters
from dashboard.queries.registry import dataset
from dashboard.queries.sales import by_segment, payments_by
from dashboard.queries.shape import ints, rounded
from dashboard.queries.sources import product_rows
from schema.summary_tables import agg_orders_day_pm
from schema.tables import products

YEAR = {"year": 0}
BRAND_GROUPS = (("samsung", ("samsung",)), ("apple", ("apple", "iphone", "macbook")), ("sony", ("sony",)),
                ("huawei", ("huawei",)), ("lenovo", ("lenovo",)))


def resolve_year(year: int) -> int:
    year = int(year)
    if year:
        return year
    last = read_frame(sa.select(sa.func.max(agg_orders_day_pm.c.day).label("day"))).iat[0, 0]
    return last.year if last is not None and not pd.isna(last) else date.today().year


def year_filters(year: int) -> Filters:
    return Filters(start=date(year, 1, 1), end=date(year, 12, 31), status_scope="valid")


def ranked(frame: pd.DataFrame, value: str, name: str) -> pd.DataFrame:
    frame = frame.sort_values([value, name], ascending=[False, True]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


@dataset("q1_best_month", title="Q1: revenue by month of the year (best first)", dimensions=(), params=YEAR,
         metrics=("revenue", "rank"), description="Months of `year` ranked by revenue of valid orders; rank 1 is the best month.")
def q1_best_month(filters: Filters, year: int = 0) -> pd.DataFrame:
    frame = by_segment(year_filters(resolve_year(year)), "month")[["month", "revenue"]]
    return rounded(ranked(frame, "revenue", "month"), "revenue")


@dataset("q2_best_category", title="Q2: revenue by category (best first)", dimensions=(), params=YEAR,
         metrics=("revenue", "rank"), description="Categories ranked by revenue of valid orders in `year`.")
def q2_best_category(filters: Filters, year: int = 0) -> pd.DataFrame:
    frame = by_segment(year_filters(resolve_year(year)), "category")[["category", "revenue"]]
    return rounded(ranked(frame, "revenue", "category"), "revenue")


@dataset("q3_category_yoy", title="Q3: category revenue, year vs previous year", dimensions=(), params=YEAR,
         metrics=("revenue", "yoy_status"),
         description="Per category: valid revenue in `year` and the year before, the change, and increased/decreased.")
def q3_category_yoy(filters: Filters, year: int = 0) -> pd.DataFrame:
    year = resolve_year(year)
    now = by_segment(year_filters(year), "category")[["category", "revenue"]]
    prev = by_segment(year_filters(year - 1), "category")[["category", "revenue"]].rename(columns={"revenue": "revenue_prev_year"})
    frame = now.merge(prev, on="category", how="outer").fillna({"revenue": 0.0, "revenue_prev_year": 0.0})
    frame["change"] = frame["revenue"] - frame["revenue_prev_year"]
    frame["yoy_status"] = ["increased" if c > 0 else "decreased" for c in frame["change"]]
    frame = rounded(frame, "revenue", "revenue_prev_year", "change").sort_values(["change", "category"], ascending=[False, True])
    return frame[["category", "revenue", "revenue_prev_year", "change", "yoy_status"]].reset_index(drop=True)


@dataset("q4_top_payment_methods", title="Q4: top 5 payment methods by orders", dimensions=(), params=YEAR,
         metrics=("orders", "rank"), description="The 5 payment methods with the most distinct valid orders in `year`.")
def q4_top_payment_methods(filters: Filters, year: int = 0) -> pd.DataFrame:
    from schema.tables import payment_methods

    frame = payments_by(year_filters(resolve_year(year)), payment_methods.c.method_name.label("payment_method"))
    return ints(ranked(frame[["payment_method", "orders"]], "orders", "payment_method").head(5), "orders")


def brand_group_expr(name_col):
    name = sa.func.lower(name_col)
    return sa.case(*[(sa.or_(*[name.like(f"%{w}%") for w in words]), sa.literal_column(f"'{group}'")) for group, words in BRAND_GROUPS],
                   else_=sa.literal_column("'others'"))


@dataset("q5_brand_ranking", title="Q5: revenue by brand group", dimensions=(), params=YEAR,
         metrics=("brand_group", "revenue", "rank"),
         description="Valid revenue in `year` per brand normalised from the product name (samsung, apple, sony, huawei, lenovo, others).")
def q5_brand_ranking(filters: Filters, year: int = 0) -> pd.DataFrame:
    src = product_rows(year_filters(resolve_year(year)), measures=("revenue",), with_orders=False)
    group = brand_group_expr(products.c.product_name)
    frame = read_frame(sa.select(group.label("brand_group"), sa.func.sum(src.c.revenue).label("revenue"))
                       .select_from(src.join(products, products.c.product_id == src.c.product_id)).group_by(group))
    return rounded(ranked(frame, "revenue", "brand_group"), "revenue")
