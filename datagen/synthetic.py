"""Vectorised synthetic data for every base table.

    from datagen.synthetic import GenerationSpec, generate
    data = generate(GenerationSpec(orders=20_000, seed=42, start=date(2022, 1, 1), months=36))

`generate` returns ``{table name: DataFrame}`` for every table of ``schema.tables.LOAD_ORDER``,
in that order. Each frame has exactly the table's columns in the table's order and a plain
RangeIndex. dtypes: integers int64 (nullable integer columns pandas "Int64"), money float64
with 2 decimals, DATE columns datetime64[ns] at midnight, DATETIME columns datetime64[ns] in
whole seconds (NaT for NULL), strings pandas' default string dtype. Primary keys run 1..n,
every foreign key resolves and every CHECK of the schema holds.

Every fact column comes from NumPy generators seeded by ``spec.seed`` (one independent stream
per component, spawned from ``SeedSequence(seed)``); Faker, seeded the same way, only builds
small pools of names, addresses and company names (`datagen.pools`). Same spec, same bytes.

Sizes follow the number of orders N: customers max(50, N/5), products clip(N/200, 150, 5000),
suppliers max(5, products/40), sessions 0.6 N, ad interactions at most 0.5 N, ad purchases
about 1% of N (capped at 5%; none for tiny N). Attributed ad orders are part of the N orders.
Status columns that depend on "now" (campaign status, in-transit shipments) are relative to
the snapshot: the last day of the range (start + months, exclusive). The calendar runs from
``spec.start`` through the latest date anywhere in the data; campaigns running at the
snapshot or planned after it reach at most 30 days past it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Integer, Numeric, String, Table

from datagen import catalogue as cat
from datagen.customers import build_customers, register_late, set_last_active
from datagen.marketing import (ad_price_table, build_ads, build_campaigns, build_interactions, build_product_ads,
                               fill_derived)
from datagen.pools import build_pools
from datagen.products import build_products, build_promotions, build_receipts, build_suppliers
from datagen.sales import NAT, build_sales
from datagen.sessions import build_sessions
from datagen.timeline import SECONDS_PER_DAY, add_months, calendar_columns, daily_weights, day_number
from schema.errors import UserError
from schema.tables import LOAD_ORDER

__all__ = ["GenerationSpec", "generate", "table_sizes"]


@dataclass(frozen=True)
class GenerationSpec:
    """What to generate: `orders` orders over `months` months from `start`, reproducible by `seed`."""

    orders: int = 20_000
    seed: int = 42
    start: date = field(default=date(2022, 1, 1))
    months: int = 36

    def __post_init__(self) -> None:
        for name in ("orders", "seed", "months"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise UserError(f"{name} must be a whole number, got {value!r}")
        if self.orders < 1:
            raise UserError(f"orders must be at least 1, got {self.orders}")
        if self.months < 1:
            raise UserError(f"months must be at least 1, got {self.months}")
        if self.seed < 0:
            raise UserError(f"seed must not be negative, got {self.seed}")
        if isinstance(self.start, datetime):
            object.__setattr__(self, "start", self.start.date())
        elif not isinstance(self.start, date):
            raise UserError(f"start must be a date, got {self.start!r}")
        if self.orders > 50_000_000:
            raise UserError(f"orders must be at most 50,000,000, got {self.orders:,}")


def table_sizes(orders: int) -> dict[str, int]:
    """Sizes of the dimension tables for N orders."""
    products = int(np.clip(orders // 200, 150, 5000))
    return {
        "customers": max(50, int(round(orders / 5))),
        "products": products,
        "suppliers": max(5, products // 40),
    }


def generate(spec: GenerationSpec) -> dict[str, pd.DataFrame]:
    """Build every base table for `spec`; see the module docstring for the guarantees."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(spec.seed).spawn(12)]
    first_day = day_number(spec.start)
    end_excl = day_number(add_months(spec.start, spec.months))
    n_days = end_excl - first_day
    snapshot = end_excl - 1
    sizes = table_sizes(spec.orders)

    pools = build_pools(spec.seed)
    suppliers = build_suppliers(streams[0], sizes["suppliers"], pools)
    catalogue = build_products(streams[1], sizes["products"], sizes["suppliers"])
    promotions = build_promotions(streams[2], catalogue, first_day, snapshot)
    customers = build_customers(streams[3], sizes["customers"], first_day, n_days, pools)

    campaigns, focus, spikes = build_campaigns(streams[4], first_day, spec.months, snapshot)
    ad_prices = ad_price_table()
    ads = build_ads(streams[4], campaigns, first_day, snapshot)
    product_ads = build_product_ads(streams[5], ads, focus, catalogue)
    interactions = build_interactions(streams[5], campaigns, ads, product_ads, customers, spec.orders, snapshot)

    weights = daily_weights(first_day, n_days, spikes)
    sales = build_sales(streams[6], orders=spec.orders, first_day=first_day, n_days=n_days, snapshot=snapshot,
                        day_weight=weights, customers=customers, catalogue=catalogue, promotions=promotions,
                        interactions=interactions)
    order_cust = sales.orders["customer_id"] - 1
    register_late(streams[7], customers, order_cust, sales.order_day, snapshot)
    sessions = build_sessions(streams[8], orders=sales.orders, customers=customers, first_day=first_day,
                              day_weight=weights, customer_platform=customers.columns["platform"])
    set_last_active(customers, order_cust, sales.order_day, sessions["customer_id"] - 1,
                    sessions["started_at"] // SECONDS_PER_DAY)
    receipts = build_receipts(streams[9], catalogue, sales.line_product, sales.line_day,
                              sales.order_items["quantity"], first_day, snapshot)
    fill_derived(campaigns, ad_prices, ads, interactions, sales.orders["total"], sales.orders["is_valid"])

    tables: dict[str, dict[str, np.ndarray]] = {
        "suppliers": suppliers,
        "customers": customers.columns,
        "products": catalogue.products,
        "payment_methods": _payment_methods(),
        "promotions": promotions,
        "orders": sales.orders,
        "order_items": sales.order_items,
        "payments": sales.payments,
        "shipments": sales.shipments,
        "reviews": sales.reviews,
        "inventory_receipts": receipts,
        "campaigns": campaigns,
        "ad_prices": ad_prices,
        "ads": ads,
        "product_ads": product_ads,
        "ad_interactions": interactions,
        "sessions": sessions,
    }
    lo, hi = _day_span(tables)
    tables["calendar"] = calendar_columns(min(lo, first_day), max(hi, snapshot))
    return {t.name: _frame(t, tables[t.name]) for t in LOAD_ORDER}


def _payment_methods() -> dict[str, np.ndarray]:
    ms = cat.PAYMENT_METHODS
    return {
        "payment_method_id": np.arange(1, len(ms) + 1, dtype=np.int64),
        "method_name": np.array([m.name for m in ms], dtype=object),
        "method_group": np.array([m.group for m in ms], dtype=object),
        "is_digital": np.array([0 if m.group == "cod" else 1 for m in ms], dtype=np.int64),
    }


def _day_span(tables: dict[str, dict[str, np.ndarray]]) -> tuple[int, int]:
    """First and last day number over every DATE and DATETIME value in the data."""
    lo, hi = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    by_name = {t.name: t for t in LOAD_ORDER}
    for name, cols in tables.items():
        for col in by_name[name].columns:
            if not isinstance(col.type, (Date, DateTime)) or len(cols[col.name]) == 0:
                continue
            v = cols[col.name]
            if isinstance(col.type, DateTime):
                v = v[v != NAT] // SECONDS_PER_DAY
            if len(v):
                lo, hi = min(lo, int(v.min())), max(hi, int(v.max()))
    return lo, hi


def _frame(table: Table, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """Internal units -> the contract's dtypes, columns in the table's order."""
    names = [str(c.name) for c in table.columns]  # plain str, not SQLAlchemy's quoted_name
    if set(cols) != set(names):
        raise AssertionError(f"{table.name}: columns {sorted(set(cols) ^ set(names))} do not match the schema")
    data: dict[str, object] = {}
    for col in table.columns:
        v = np.asarray(cols[col.name])
        t = col.type
        if isinstance(t, DateTime):
            ns = v * 1_000_000_000
            ns[v == NAT] = NAT
            data[str(col.name)] = ns.view("M8[ns]")
        elif isinstance(t, Date):
            data[str(col.name)] = (v.astype(np.int64, copy=False) * (SECONDS_PER_DAY * 1_000_000_000)).view("M8[ns]")
        elif isinstance(t, Numeric):
            if v.dtype.kind in "iu":  # scaled integers: cents, hundredths of a percent
                data[str(col.name)] = v / 10 ** 2
            else:
                data[str(col.name)] = np.round(v.astype(np.float64), t.scale or 0)
        elif isinstance(t, Integer):
            v = v.astype(np.int64, copy=False)
            data[str(col.name)] = pd.arrays.IntegerArray(v, v < 0) if col.nullable else v
        elif isinstance(t, String):
            data[str(col.name)] = pd.array(v.astype(object, copy=False), dtype="str")
        else:  # pragma: no cover - the schema has no other types
            raise AssertionError(f"{table.name}.{col.name}: unsupported type {t!r}")
    return pd.DataFrame(data, columns=names, copy=False)  # one block per column: no consolidation copy
