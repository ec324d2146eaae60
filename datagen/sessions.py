"""Site sessions: ~0.6 per order; some converted sessions point at the order they produced.

Each session gets a traffic source; whether it converted is drawn with a source-specific rate
(email and direct convert far more than social). A converted session is tied to a distinct
order (its customer, starting minutes before the order); the others are visits of customers
who had signed up, on days that follow the order-volume profile.
"""
from __future__ import annotations

import numpy as np

from datagen import catalogue as cat
from datagen.customers import Customers
from datagen.timeline import SECONDS_PER_DAY, seconds_in_day

SESSIONS_PER_ORDER = 0.6


def build_sessions(rng: np.random.Generator, *, orders: dict, customers: Customers, first_day: int,
                   day_weight: np.ndarray, customer_platform: np.ndarray) -> dict[str, np.ndarray]:
    n_orders = len(orders["order_id"])
    n = int(round(SESSIONS_PER_ORDER * n_orders))
    source = rng.choice(len(cat.TRAFFIC_SOURCES), size=n, p=cat.TRAFFIC_SHARES)
    converted = rng.random(n) < np.asarray(cat.TRAFFIC_CONVERSION)[source]
    conv_idx = np.flatnonzero(converted)
    if len(conv_idx) > n_orders:  # never more converted sessions than orders
        converted[conv_idx[n_orders:]] = False
        conv_idx = conv_idx[:n_orders]
    k = len(conv_idx)
    # converted sessions first (in order-date order), then the others (in time order): two
    # nearly sorted runs, so the final stable sort is cheap
    linked = np.sort(rng.choice(n_orders, size=k, replace=False)) if k else np.zeros(0, dtype=np.int64)
    source = np.concatenate([source[conv_idx], source[~converted]])
    o_secs = orders["order_date"][linked]
    conv_started = np.maximum(o_secs - rng.integers(3 * 60, 45 * 60, size=k), first_day * SECONDS_PER_DAY)
    conv_ended = o_secs + rng.integers(30, 15 * 60, size=k)

    m = n - k
    counts = rng.multinomial(m, day_weight / day_weight.sum())
    day = np.repeat(first_day + np.arange(len(day_weight), dtype=np.int64), counts)
    s = np.sort(day * SECONDS_PER_DAY + seconds_in_day(rng, m))
    started = np.concatenate([conv_started, s])
    ended = np.concatenate([conv_ended, s + 20 + np.floor(rng.lognormal(np.log(360.0), 0.9, size=m)).astype(np.int64)])
    customer = np.concatenate([orders["customer_id"][linked] - 1, customers.pick(rng, day)])
    order_id = np.concatenate([linked + 1, np.full(m, -1, dtype=np.int64)])

    # device follows the customer's sign-up platform
    web = customer_platform[customer] == "web"
    u = rng.random(n)
    device = np.where(web, np.where(u < 0.72, 0, np.where(u < 0.90, 1, 2)),
                      np.where(u < 0.06, 0, np.where(u < 0.88, 1, 2)))
    order = np.argsort(started, kind="stable")
    return {
        "session_id": np.arange(1, n + 1, dtype=np.int64),
        "customer_id": customer[order] + 1,
        "started_at": started[order],
        "ended_at": ended[order],
        "traffic_source": np.asarray(cat.TRAFFIC_SOURCES, dtype=object)[source[order]],
        "device": np.asarray(cat.DEVICES, dtype=object)[device[order]],
        "order_id": order_id[order],
    }
