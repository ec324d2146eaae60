"""Suppliers, products, promotions and inventory receipts.

Tables come back as dicts of NumPy arrays in the generator's internal units (money in int64
cents, dates as day numbers, NULL integers as -1); `datagen.synthetic` converts them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from datagen import catalogue as cat
from datagen.codes import digits_needed, format_codes, unique_numbers
from datagen.pools import Pools
from datagen.timeline import month_index


@dataclass
class Catalogue:
    products: dict[str, np.ndarray]
    category: np.ndarray      # category index per product (products are grouped by category)
    price_cents: np.ndarray
    popularity: np.ndarray    # relative demand within the category
    pop_key: np.ndarray       # category + cumulative popularity within it, for vectorised sampling


def build_suppliers(rng: np.random.Generator, n: int, pools: Pools) -> dict[str, np.ndarray]:
    pick = rng.permutation(len(pools.companies))[np.arange(n) % len(pools.companies)]
    names = pools.companies[pick].copy()
    if n > len(pools.companies):  # keep names distinct when the pool is exhausted
        rep = np.arange(n) // len(pools.companies)
        extra = rep > 0
        names[extra] = (pd.Series(names[extra]) + " " + pd.Series(rep[extra] + 1).astype(str)).to_numpy(object)
    countries, shares = zip(*cat.SUPPLIER_COUNTRIES)
    country = np.asarray(countries, dtype=object)[rng.choice(len(countries), size=n, p=np.asarray(shares) / sum(shares))]
    mailbox = np.array(["sales", "info", "orders", "supply"], dtype=object)[rng.integers(0, 4, n)]
    tld = np.where(country == "Indonesia", ".co.id", ".com").astype(object)
    email = mailbox + "@" + pools.company_slugs[pick] + tld
    return {
        "supplier_id": np.arange(1, n + 1, dtype=np.int64),
        "supplier_name": names,
        "country": country,
        "contact_email": email,
    }


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer split of `total` proportional to weights (largest remainder), at least `minimum` each."""
    base = np.full(len(weights), minimum, dtype=np.int64)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    out = base + np.floor(share).astype(np.int64)
    remainder = total - out.sum()
    out[np.argsort(-(share - np.floor(share)), kind="stable")[:remainder]] += 1
    return out


def build_products(rng: np.random.Generator, n: int, n_suppliers: int) -> Catalogue:
    """Products grouped by category; lognormal prices per category; names start with the brand."""
    cats = cat.CATEGORIES
    counts = _allocate(n, np.array([c.product_weight for c in cats], dtype=float), minimum=2)
    names, brands, price, category = [], [], [], []
    for ci, (c, k) in enumerate(zip(cats, counts)):
        # every (brand, model, variant) combination, weighted by the brand's share
        combos, weights, factors, combo_brand, flagship = [], [], [], [], []
        for b in c.brands:
            flagship.append(len(combos))  # the brand's first model, first variant
            per = b.weight / (len(b.models) * len(b.variants))
            for m in b.models:
                for v in b.variants:
                    combos.append(f"{b.name} {m} {v}")
                    weights.append(per)
                    factors.append(b.price_factor)
                    combo_brand.append(b.name)
        weights_a = np.asarray(weights)
        pick = rng.choice(len(combos), size=k, p=weights_a / weights_a.sum())
        # every brand is on sale with its flagship (e.g. Apple iPhone 13) when the category has room
        n_flag = min(k, len(flagship))
        pick[:n_flag] = np.asarray(flagship)[:n_flag]
        names.append(np.asarray(combos, dtype=object)[pick])
        brands.append(np.asarray(combo_brand, dtype=object)[pick])
        mu = np.log(c.median_price * np.asarray(factors)[pick])
        price.append(rng.lognormal(mu, c.sigma))
        category.append(np.full(k, ci, dtype=np.int64))
    name = np.concatenate(names)
    # the same combination drawn twice is a different SKU: number the repeats
    rank = pd.Series(name).groupby(name, sort=False).cumcount().to_numpy()
    dup = rank > 0
    if dup.any():
        name[dup] = (pd.Series(name[dup]) + " #" + pd.Series(rank[dup] + 1).astype(str)).to_numpy(object)
    category_a = np.concatenate(category)
    units = np.concatenate(price)
    # whole currency units, rounded to 100 above 10,000 (as real list prices are)
    units = np.where(units >= 10_000, np.rint(units / 100) * 100, np.rint(units))
    price_cents = np.maximum(units, 1_000).astype(np.int64) * 100
    ratio = rng.uniform(0.67, 0.90, size=n)
    cost = np.rint(price_cents * ratio).astype(np.int64)
    cost = np.clip(cost, np.ceil(price_cents * 0.67).astype(np.int64), np.floor(price_cents * 0.90).astype(np.int64))
    # popularity: heavy-tailed within a category, cheaper items sell a little more
    median = np.array([c.median_price for c in cats])[category_a] * 100
    popularity = rng.lognormal(0.0, 1.2, size=n) * (price_cents / median) ** -0.25
    cum = np.zeros(n)
    for ci in range(len(cats)):
        sel = category_a == ci
        cs = np.cumsum(popularity[sel])
        cum[sel] = cs / cs[-1]
        cum[np.flatnonzero(sel)[-1]] = 1.0
    pop_key = category_a + cum
    # suppliers serve categories: supplier s serves category s mod 15 (all of them when few)
    supplier = rng.integers(0, n_suppliers, size=n)
    if n_suppliers >= len(cats):
        serves = rng.permutation(n_suppliers) % len(cats)
        for ci in range(len(cats)):
            own = np.flatnonzero(serves == ci)
            sel = category_a == ci
            supplier[sel] = own[rng.integers(0, len(own), size=sel.sum())]
    sku = format_codes(unique_numbers(rng, n, digits_needed(n, 6)), digits_needed(n, 6), prefix="P")
    products = {
        "product_id": np.arange(1, n + 1, dtype=np.int64),
        "sku_code": sku,
        "product_name": name,
        "category": np.asarray(cat.CATEGORY_NAMES, dtype=object)[category_a],
        "brand": np.concatenate(brands),
        "price": price_cents,
        "unit_cost": cost,
        "stock": np.zeros(n, dtype=np.int64),  # set by build_receipts from receipts and sales
        "supplier_id": supplier.astype(np.int64) + 1,
    }
    return Catalogue(products, category_a, price_cents, popularity, pop_key)


def sample_products(rng: np.random.Generator, catalogue: Catalogue, category: np.ndarray) -> np.ndarray:
    """Product index (0-based) per row for the given category indices, by popularity."""
    target = category + rng.random(len(category))
    idx = np.searchsorted(catalogue.pop_key, target, side="right")
    return np.minimum(idx, len(catalogue.pop_key) - 1)


def build_promotions(rng: np.random.Generator, catalogue: Catalogue, first_day: int, last_day: int) -> dict[str, np.ndarray]:
    """A few non-overlapping, time-boxed promotions per product (2-6, 7-42 days each).

    Each product's range is cut into as many equal slots as it has promotions and each
    promotion sits inside its slot, so at most one promotion of a product is active per day.
    """
    n_products = len(catalogue.price_cents)
    k = np.minimum(2 + rng.poisson(2.5, size=n_products), 6)
    product = np.repeat(np.arange(n_products), k)
    slot = np.arange(len(product)) - np.repeat(np.cumsum(k) - k, k)
    span = last_day - first_day + 1
    slot_len = span / k[product]
    slot_start = first_day + np.floor(slot * slot_len).astype(np.int64)
    slot_days = np.maximum(np.floor(slot_len).astype(np.int64), 1)
    dur = np.minimum(rng.integers(7, 43, size=len(product)), slot_days)
    start = slot_start + np.floor(rng.random(len(product)) * (slot_days - dur + 1)).astype(np.int64)
    end = start + dur - 1
    pct = np.asarray(cat.PROMO_PCTS)[rng.choice(len(cat.PROMO_PCTS), size=len(product), p=cat.PROMO_PCT_SHARES)]
    label = np.asarray(cat.PROMO_LABELS, dtype=object)[rng.integers(0, len(cat.PROMO_LABELS), size=len(product))]
    pct_text = pd.Series(pct).astype(str).to_numpy(object)
    return {
        "promotion_id": np.arange(1, len(product) + 1, dtype=np.int64),
        "product_id": product.astype(np.int64) + 1,
        "description": label + ": " + pct_text + "% off",
        "discount_pct": pct.astype(np.int64) * 100,  # hundredths of a percent
        "start_date": start,
        "end_date": end,
    }


def active_promotion(promotions: dict[str, np.ndarray], product: np.ndarray, day: np.ndarray) -> np.ndarray:
    """0-based promotion row active for (product index, day) pairs, or -1.

    Promotions are sorted by (product, start) by construction and never overlap within a
    product, so one searchsorted finds the only candidate.
    """
    if len(promotions["promotion_id"]) == 0:
        return np.full(len(product), -1, dtype=np.int64)
    big = np.int64(1 << 32)
    p_prod = promotions["product_id"] - 1
    keys = p_prod * big + promotions["start_date"]
    q = product.astype(np.int64) * big + day
    cand = np.searchsorted(keys, q, side="right") - 1
    cand_c = np.maximum(cand, 0)
    ok = (cand >= 0) & (p_prod[cand_c] == product) & (promotions["end_date"][cand_c] >= day)
    return np.where(ok, cand_c, -1)


def build_receipts(rng: np.random.Generator, catalogue: Catalogue, line_product: np.ndarray, line_day: np.ndarray,
                   line_qty: np.ndarray, first_day: int, last_day: int) -> dict[str, np.ndarray]:
    """Monthly receipts per product ~ units sold that month x U(0.9, 1.3) (at least 1).

    Also sets products.stock = max(0, opening + received - sold), where the opening stock
    (held before the range, not a receipt) is about 0.3-2.5 months of the product's average
    sales: slow sellers and unlucky fast sellers sit below 20 units.
    """
    n_products = len(catalogue.price_cents)
    m0 = int(month_index(np.array([first_day]))[0])
    line_month = month_index(line_day) - m0
    n_months = int(month_index(np.array([last_day]))[0]) - m0 + 1
    sold = np.bincount(line_product * n_months + line_month, weights=line_qty, minlength=n_products * n_months)
    pm = np.flatnonzero(sold > 0)
    product, month = pm // n_months, pm % n_months
    qty = np.maximum(1, np.rint(sold[pm] * rng.uniform(0.9, 1.3, size=len(pm)))).astype(np.int64)
    month_start = ((m0 + month).astype("M8[M]").astype("M8[D]")).astype(np.int64)
    day = month_start + rng.integers(0, 28, size=len(pm))
    day = np.clip(day, first_day, last_day)
    order = np.lexsort((product, day))
    product, qty, day = product[order], qty[order], day[order]
    received = np.bincount(product, weights=qty, minlength=n_products)
    sold_total = np.bincount(line_product, weights=line_qty, minlength=n_products)
    opening = rng.poisson(sold_total / n_months * rng.uniform(0.3, 2.5, size=n_products) + 4)
    stock = np.maximum(opening + received - sold_total, 0).astype(np.int64)
    catalogue.products["stock"] = stock
    return {
        "receipt_id": np.arange(1, len(product) + 1, dtype=np.int64),
        "product_id": product.astype(np.int64) + 1,
        "supplier_id": catalogue.products["supplier_id"][product],
        "quantity_received": qty,
        "received_date": day,
    }
