"""Catalogue datasets: category distribution, stock levels, price distribution, low stock."""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.queries.engine import read_frame, scalar_rows
from dashboard.queries.filters import Filters
from dashboard.queries.registry import dataset
from dashboard.queries.shape import ints, ratio, rounded, share
from dashboard.queries.sources import product_clause
from schema.config import Settings
from schema.errors import InvalidFilter
from schema.tables import products

CATALOGUE_DIMS = ("categories", "brands")
MAX_BINS = 100
PRICE_SCALES = ("linear", "log")


def _per_category(f: Filters) -> pd.DataFrame:
    p = products.c
    return read_frame(sa.select(p.category, sa.func.count().label("products"), sa.func.sum(p.stock).label("stock"))
                      .where(product_clause(f)).group_by(p.category).order_by(p.category))


@dataset("category_distribution", title="Products per category", dimensions=CATALOGUE_DIMS,
         description="Per category: catalogue products and their share.", metrics=("products", "share_pct"))
def category_distribution(filters: Filters) -> pd.DataFrame:
    frame = share(ints(_per_category(filters), "products"), "products")
    return frame.sort_values(["products", "category"], ascending=[False, True])[["category", "products", "share_pct"]].reset_index(drop=True)


@dataset("stock_levels", title="Stock levels by category", dimensions=CATALOGUE_DIMS,
         description="Per category: products, units on hand and average stock per product.", metrics=("products", "stock"))
def stock_levels(filters: Filters) -> pd.DataFrame:
    frame = ints(_per_category(filters), "products", "stock")
    frame["avg_stock"] = ratio(frame["stock"], frame["products"])
    return rounded(frame, "avg_stock")[["category", "products", "stock", "avg_stock"]]


@dataset("product_stock", title="Stock by product", dimensions=CATALOGUE_DIMS, params={"limit": 50},
         description="Products with their units on hand and list price, most stock first (ties: lowest product_id): "
                     "the category -> product drill-down of stock levels.", metrics=("stock", "price"))
def product_stock(filters: Filters, limit: int = 50) -> pd.DataFrame:
    p = products.c
    stmt = (sa.select(p.product_id, p.product_name, p.category, p.brand, p.stock, p.price).where(product_clause(filters))
            .order_by(p.stock.desc(), p.product_id).limit(max(int(limit), 0)))
    return rounded(ints(read_frame(stmt), "product_id", "stock"), "price")


@dataset("price_distribution", title="Price distribution by category", dimensions=CATALOGUE_DIMS,
         params={"bins": 10, "scale": "linear"},
         description="Histogram of list prices: per category, products in each of `bins` price bins spanning the "
                     "selected products' lowest to highest price, of equal width (`scale` linear) or equal ratio "
                     "(`scale` log: for prices spread over orders of magnitude).", metrics=("price", "products"))
def price_distribution(filters: Filters, bins: int = 10, scale: str = "linear") -> pd.DataFrame:
    if scale not in PRICE_SCALES:
        raise InvalidFilter(f"scale must be one of {', '.join(PRICE_SCALES)}, got {scale!r}")
    bins = min(max(int(bins), 1), MAX_BINS)
    p = products.c
    where = product_clause(filters)
    columns = ["category", "bin", "bin_lo", "bin_hi", "products"]
    lo, hi = scalar_rows(sa.select(sa.func.min(p.price), sa.func.max(p.price)).where(where))[0]
    if lo is None:
        return pd.DataFrame(columns=columns)
    lo, hi = float(lo), float(hi)
    edges = np.geomspace(lo, hi, bins + 1) if scale == "log" and lo > 0 else np.linspace(lo, hi, bins + 1)
    # counted in SQL (a row per category and bin, not every product's price): bin i holds
    # edges[i] <= price < edges[i + 1], the last one its upper edge too
    bin_of = sa.case(*[(p.price < float(edge), i) for i, edge in enumerate(edges[1:-1])], else_=bins - 1) if bins > 1 else sa.literal(0)
    binned = sa.select(p.category, bin_of.label("bin")).where(where).subquery("binned")
    frame = read_frame(sa.select(binned.c.category, binned.c.bin, sa.func.count().label("products"))
                       .group_by(binned.c.category, binned.c.bin))
    frame = ints(frame, "bin", "products")
    frame["bin_lo"], frame["bin_hi"] = edges[frame["bin"]], edges[frame["bin"] + 1]
    return rounded(frame, "bin_lo", "bin_hi")[columns].sort_values(["category", "bin"]).reset_index(drop=True)


@dataset("low_stock", title="Low-stock products", dimensions=CATALOGUE_DIMS,
         params={"threshold": Settings.low_stock_threshold, "limit": 200},
         description="Products whose stock is at or below `threshold` units, lowest stock first.", metrics=("stock",))
def low_stock(filters: Filters, threshold: int = Settings.low_stock_threshold, limit: int = 200) -> pd.DataFrame:
    p = products.c
    stmt = (sa.select(p.product_id, p.product_name, p.category, p.brand, p.stock)
            .where(product_clause(filters), p.stock <= int(threshold)).order_by(p.stock, p.product_id).limit(max(int(limit), 0)))
    return ints(read_frame(stmt), "product_id", "stock")
