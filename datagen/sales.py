"""Sales facts: orders, order_items, payments, shipments and reviews.

Money is int64 cents throughout, so an order's total is exactly the sum of its lines'
after_discount; datetimes are int64 seconds, NULL datetimes are NAT (int64 minimum), NULL
integer keys are -1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datagen import catalogue as cat
from datagen.codes import digits_needed, format_codes, unique_numbers
from datagen.customers import Customers
from datagen.products import Catalogue, active_promotion, sample_products
from datagen.timeline import SECONDS_PER_DAY, season_state, seconds_in_day

NAT = np.iinfo(np.int64).min
EXPENSIVE_CENTS = 1_000_000 * 100   # items above this price are bought at most 3 at a time
_STATUS = np.array(["completed", "returned", "canceled"], dtype=object)
_PAY_STATUS = np.array(["paid", "refunded", "failed"], dtype=object)


@dataclass
class Sales:
    orders: dict[str, np.ndarray]
    order_items: dict[str, np.ndarray]
    payments: dict[str, np.ndarray]
    shipments: dict[str, np.ndarray]
    reviews: dict[str, np.ndarray]
    order_day: np.ndarray      # day number per order
    line_order: np.ndarray     # 0-based order per line
    line_product: np.ndarray   # 0-based product per line
    line_day: np.ndarray


def _status(rng: np.random.Generator, method: np.ndarray, attributed: np.ndarray) -> tuple[np.ndarray, ...]:
    validity = np.array([m.validity for m in cat.PAYMENT_METHODS])[method]
    validity = np.where(attributed, np.maximum(validity, cat.AD_ORDER_VALIDITY), validity)
    valid = rng.random(len(method)) < validity
    net = valid & (rng.random(len(method)) < cat.NET_SHARE_OF_VALID)
    status = _STATUS[np.where(net, 0, np.where(valid, 1, 2))]
    return valid.astype(np.int64), net.astype(np.int64), status


def _line_categories(rng: np.random.Generator, state: np.ndarray) -> np.ndarray:
    base = np.array([c.demand_weight for c in cat.CATEGORIES])
    out = np.zeros(len(state), dtype=np.int64)
    for s, boost in enumerate(cat.SEASON_CATEGORY_BOOST):
        sel = state == s
        if not sel.any():
            continue
        w = base * np.array([boost.get(name, 1.0) for name in cat.CATEGORY_NAMES])
        cdf = np.cumsum(w / w.sum())
        out[sel] = np.minimum(np.searchsorted(cdf, rng.random(int(sel.sum())), side="right"), len(w) - 1)
    return out


def _quantities(rng: np.random.Generator, n: int, unit_cents: np.ndarray) -> np.ndarray:
    """Mostly 1; a zipf tail (bulk buys snapped to multiples of 5), capped at 1000; 3 for dear items."""
    q = np.ones(n, dtype=np.int64)
    tail = rng.random(n) < 0.22
    extra = np.minimum(rng.zipf(2.1, size=int(tail.sum())), 999).astype(np.int64)
    q[tail] = 1 + extra
    q = np.where(q >= 15, np.rint(q / 5).astype(np.int64) * 5, q)
    q = np.where(unit_cents > EXPENSIVE_CENTS, np.minimum(q, 3), q)
    return np.clip(q, 1, 1000)


def _distinct_within_order(product: np.ndarray, line_order: np.ndarray, n_products: int) -> None:
    """Make the products of one order distinct (in place): a repeat moves to the next SKU.

    Lines of an order are adjacent and at most LINES_PER_ORDER[-1] long, so comparing each
    line with the few before it finds every repeat; the first occurrence never changes.
    """
    width = max(cat.LINES_PER_ORDER)
    for _ in range(width):
        dup = np.zeros(len(product), dtype=bool)
        for k in range(1, width):
            dup[k:] |= (product[k:] == product[:-k]) & (line_order[k:] == line_order[:-k])
        if not dup.any():
            return
        product[dup] = (product[dup] + 1) % n_products


def build_sales(rng: np.random.Generator, *, orders: int, first_day: int, n_days: int, snapshot: int,
                day_weight: np.ndarray, customers: Customers, catalogue: Catalogue, promotions: dict,
                interactions: dict) -> Sales:
    bought = np.flatnonzero(interactions["purchased_at"] != NAT)
    n_ad = len(bought)
    n_reg = orders - n_ad
    counts = rng.multinomial(n_reg, day_weight / day_weight.sum())
    reg_day = np.repeat(first_day + np.arange(n_days, dtype=np.int64), counts)
    reg_secs = np.sort(reg_day * SECONDS_PER_DAY + seconds_in_day(rng, n_reg))  # days stay in order
    reg_cust = customers.pick(rng, reg_day)

    secs = np.concatenate([reg_secs, interactions["purchased_at"][bought]])
    cust = np.concatenate([reg_cust, interactions["customer_id"][bought] - 1])
    ad_product = np.concatenate([np.full(n_reg, -1, dtype=np.int64), interactions["product_id"][bought] - 1])
    source = np.concatenate([np.full(n_reg, -1, dtype=np.int64), bought])
    order = np.argsort(secs, kind="stable")  # two sorted runs: timsort merges them in linear time
    secs, cust, ad_product, source = secs[order], cust[order], ad_product[order], source[order]
    attributed = source >= 0
    interactions["order_id"][source[attributed]] = np.flatnonzero(attributed) + 1
    day = secs // SECONDS_PER_DAY

    shares = np.array([m.share for m in cat.PAYMENT_METHODS])
    method = rng.choice(len(shares), size=orders, p=shares / shares.sum())
    valid, net, status = _status(rng, method, attributed)
    code = format_codes(unique_numbers(rng, orders, 10), 10, prefix="ODR",
                        suffix=(97 + rng.integers(0, 26, size=orders)).astype(np.uint8))

    # ---- lines
    n_lines = np.asarray(cat.LINES_PER_ORDER)[rng.choice(len(cat.LINES_SHARES), size=orders, p=cat.LINES_SHARES)]
    line_start = np.cumsum(n_lines) - n_lines
    line_order = np.repeat(np.arange(orders, dtype=np.int64), n_lines)
    line_day = day[line_order]
    state = season_state(day, first_day, first_day + n_days - 1)[line_order]
    product = sample_products(rng, catalogue, _line_categories(rng, state))
    product[line_start[attributed]] = ad_product[attributed]  # the advertised product is the first line
    _distinct_within_order(product, line_order, len(catalogue.price_cents))
    # gentle price drift: lines were up to 6% cheaper at the start of the range (whole currency units)
    drift = 0.94 + 0.06 * (line_day - first_day) / max(n_days - 1, 1)
    unit = np.rint(catalogue.price_cents[product] * drift / 100).astype(np.int64) * 100
    qty = _quantities(rng, len(product), unit)
    before = qty * unit
    promo = active_promotion(promotions, product, line_day)
    promo = np.where((promo >= 0) & (rng.random(len(promo)) < cat.DISCOUNT_TAKE_UP), promo, -1)
    pct = np.where(promo >= 0, promotions["discount_pct"][np.maximum(promo, 0)], 0)
    discount = (before * pct + 5_000) // 10_000  # round(before * pct / 100, 2), half up
    after = before - discount
    total = np.add.reduceat(after, line_start) if orders else np.zeros(0, dtype=np.int64)

    order_cols = {
        "order_id": np.arange(1, orders + 1, dtype=np.int64),
        "order_code": code,
        "customer_id": cust + 1,
        "order_date": secs,
        "status": status,
        "payment_method_id": method.astype(np.int64) + 1,
        "is_gross": np.ones(orders, dtype=np.int64),
        "is_valid": valid,
        "is_net": net,
        "total": total,
    }
    item_cols = {
        "order_item_id": np.arange(1, len(product) + 1, dtype=np.int64),
        "order_id": line_order + 1,
        "product_id": product + 1,
        "quantity": qty,
        "unit_price": unit,
        "before_discount": before,
        "discount_amount": discount,
        "after_discount": after,
        "promotion_id": np.where(promo >= 0, promo + 1, -1),
    }

    # ---- payments: one per order
    paid = valid == 1
    paid_at = np.where(paid, secs + 30 + np.floor(rng.exponential(300.0, size=orders)).astype(np.int64), NAT)
    pay_status = _PAY_STATUS[np.where(net == 1, 0, np.where(paid, 1, 2))]
    payment_cols = {
        "payment_id": np.arange(1, orders + 1, dtype=np.int64),
        "order_id": order_cols["order_id"],
        "payment_method_id": order_cols["payment_method_id"],
        "amount": total,
        "paid_at": paid_at,
        "payment_status": pay_status,
    }

    shipment_cols, delivered = _shipments(rng, np.flatnonzero(paid), secs, snapshot)
    review_cols = _reviews(rng, shipment_cols, delivered, secs, net, line_start, n_lines, product, cust, snapshot)
    return Sales(order_cols, item_cols, payment_cols, shipment_cols, review_cols, day, line_order, product, line_day)


def _shipments(rng: np.random.Generator, shipped_orders: np.ndarray, secs: np.ndarray, snapshot: int):
    """Paid orders ship hours to days later; delivery takes method-dependent days with a long tail."""
    n = len(shipped_orders)
    method = rng.choice(len(cat.SHIPPING_METHODS), size=n, p=cat.SHIPPING_SHARES)
    base = np.asarray(cat.SHIPPING_COST, dtype=float)[method]
    cost = (np.rint(base * rng.uniform(0.7, 1.5, size=n) / 500) * 500 * 100).astype(np.int64)
    o_secs = secs[shipped_orders]
    lag = np.where(method == 2, rng.uniform(0.5, 4.0, size=n) * 3600, rng.lognormal(np.log(18 * 3600.0), 0.7, size=n))
    shipped = o_secs + np.clip(lag, 1800, 5 * SECONDS_PER_DAY).astype(np.int64)
    days = np.select(
        [method == 0, method == 1],
        [rng.gamma(2.5, 1.0, size=n), rng.gamma(2.0, 0.45, size=n)],
        rng.uniform(2, 10, size=n) / 24,
    )
    late = rng.random(n) < 0.06
    days = days + np.where(late, rng.exponential(5.0, size=n), 0.0)
    delivered = shipped + np.maximum(days * SECONDS_PER_DAY, 1800).astype(np.int64)
    as_of = (snapshot + 1) * SECONDS_PER_DAY - 1
    in_transit = delivered > as_of
    delivered_col = np.where(in_transit, NAT, delivered)
    carrier = rng.integers(0, len(cat.CARRIERS), size=n)
    tracking = format_codes(unique_numbers(rng, n, digits_needed(n, 12)), digits_needed(n, 12),
                            prefixes=cat.CARRIERS, prefix_index=carrier)
    cols = {
        "shipment_id": np.arange(1, n + 1, dtype=np.int64),
        "order_id": shipped_orders.astype(np.int64) + 1,
        "shipping_method": np.asarray(cat.SHIPPING_METHODS, dtype=object)[method],
        "shipping_cost": cost,
        "tracking_number": tracking,
        "shipped_date": shipped,
        "delivered_date": delivered_col,
    }
    return cols, delivered_col


def _reviews(rng, shipments, delivered, secs, net, line_start, n_lines, product, cust, snapshot):
    """Reviews of the lines of ~20% of delivered orders; ratings fall as delivery takes longer."""
    order_idx = shipments["order_id"] - 1
    has = delivered != NAT
    chosen = has & (rng.random(len(order_idx)) < cat.REVIEW_SHARE)
    o = order_idx[chosen]
    d = delivered[chosen]
    k = n_lines[o]
    r_order = np.repeat(o, k)
    r_line = np.repeat(line_start[o], k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
    r_deliv = np.repeat(d, k)
    delay_days = (r_deliv - secs[r_order]) / SECONDS_PER_DAY
    m = len(r_order)
    latent = 5.0 - 0.25 * delay_days - 0.6 * (net[r_order] == 0) + rng.normal(0.0, 0.8, size=m)
    rating = np.clip(np.rint(latent), 1, 5).astype(np.int64)
    review_secs = r_deliv + 3600 + np.floor(rng.exponential(3.0 * SECONDS_PER_DAY, size=m)).astype(np.int64)
    review_day = review_secs // SECONDS_PER_DAY
    keep = review_day <= snapshot
    r_order, r_line, rating, review_day = r_order[keep], r_line[keep], rating[keep], review_day[keep]
    order = np.lexsort((r_line, review_day))
    r_order, r_line, rating, review_day = r_order[order], r_line[order], rating[order], review_day[order]
    texts = np.array([list(cat.REVIEW_TEXTS[r]) for r in range(1, 6)], dtype=object)
    text = texts[rating - 1, rng.integers(0, texts.shape[1], size=len(rating))]
    return {
        "review_id": np.arange(1, len(rating) + 1, dtype=np.int64),
        "order_id": r_order.astype(np.int64) + 1,
        "product_id": product[r_line] + 1,
        "customer_id": cust[r_order] + 1,
        "rating": rating,
        "review_text": text,
        "review_date": review_day,
    }
