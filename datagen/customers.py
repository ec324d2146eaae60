"""Customers: who they are, when they signed up, and who places a given order.

Customers are numbered in sign-up order. An order (or visit) on day d goes to a customer who
had signed up by d: first a tenure (time since sign-up) is drawn from an exponential truncated
at d, so customers buy mostly in their first year and then drift away; then, among the
customers who signed up around d - tenure, one is drawn by a heavy-tailed activity weight
(many one-time buyers, a loyal tail). Afterwards a few buyers get a sign-up date after their
first order, as in real exports where registration is recorded late.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from datagen import catalogue as cat
from datagen.codes import digits_needed, format_codes, unique_numbers
from datagen.pools import Pools

LAUNCH_COHORT = 0.10          # share of customers who sign up in the first month
SIGNUP_GROWTH = 0.45          # yearly growth of sign-ups
FIRST_ORDER_BEFORE_SIGNUP = 0.075
TENURE_DAYS = 240.0           # mean time from sign-up to an order of the customer
NEIGHBOURS = 200              # customers around the drawn sign-up time that compete by weight
WEIGHT_SIGMA = 2.6            # spread of the activity weights
WEIGHT_SLOTS = 16             # slots per average customer (discretised weights)
WEIGHT_CAP = 10               # at most this many times the average weight


@dataclass
class Customers:
    columns: dict[str, np.ndarray]
    signup: np.ndarray        # day numbers, ascending (before the late-registration tweak)
    slots: np.ndarray         # customer index repeated by its integer activity weight, in customer order
    day_slots: np.ndarray     # day_slots[i] = slots of customers who signed up before first_day + i
    first_day: int
    window: float             # half-width of the neighbourhood, in slots

    def pick(self, rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
        """0-based customer per event day (vectorised; no per-row binary search on customers).

        Slots are in sign-up order and a customer owns as many as its weight, so a position
        in the slot array is a point in sign-up time: the position of (day - tenure), spread
        uniformly within its sign-up day, is a weighted draw among that day's sign-ups.
        """
        days = np.asarray(days, dtype=np.int64)
        n = len(days)
        rel = days - self.first_day
        t = rel + rng.random(n)
        tenure = -TENURE_DAYS * np.log1p(-rng.random(n) * -np.expm1(-t / TENURE_DAYS))
        x = np.interp(t - tenure, np.arange(len(self.day_slots)), self.day_slots)
        avail = self.day_slots[np.clip(rel + 1, 0, len(self.day_slots) - 1)]
        # a window of about NEIGHBOURS customers around that point, so that the weights (not the
        # few sign-ups of one day) decide; reflected at both ends of the eligible slots
        x = np.abs(x + (2 * rng.random(n) - 1) * self.window)
        x = np.where(x >= avail, 2 * avail - x - 1e-6, x)
        x = np.where((x < 0) | (x >= avail), rng.random(n) * avail, x)
        idx = np.minimum(x.astype(np.int64), avail - 1)
        # before anybody signed up: the first customers (they count as late registrations)
        early = avail <= 0
        first_slots = self.day_slots[self.day_slots > 0]
        n_first = int(first_slots[0]) if len(first_slots) else len(self.slots)
        idx[early] = (rng.random(int(early.sum())) * n_first).astype(np.int64)
        return self.slots[np.clip(idx, 0, len(self.slots) - 1)].astype(np.int64)


def build_customers(rng: np.random.Generator, n: int, first_day: int, n_days: int, pools: Pools) -> Customers:
    launch = rng.random(n) < LAUNCH_COHORT
    # growing sign-ups: inverse CDF of an exponential density over the range
    g = np.log1p(SIGNUP_GROWTH) / 365.25 * n_days
    u = rng.random(n)
    rel = np.log1p(u * np.expm1(g)) / g
    offset = np.where(launch, rng.integers(0, min(30, n_days), size=n), np.floor(rel * n_days).astype(np.int64))
    signup = np.sort(first_day + np.minimum(offset, n_days - 1))

    gender_f = rng.random(n) < 0.55
    k_names = len(pools.female_names)
    name_idx = rng.integers(0, k_names, size=n)
    name = np.where(gender_f, pools.female_names[name_idx], pools.male_names[name_idx])
    local = np.where(gender_f, pools.female_locals[name_idx], pools.male_locals[name_idx])
    digits = digits_needed(n, 6)
    code_num = unique_numbers(rng, n, digits)
    code = format_codes(code_num, digits, prefix="C", suffix=np.full(n, ord("L"), dtype=np.uint8))
    domain = pools.email_domains[rng.integers(0, len(pools.email_domains), size=n)]
    email = (pd.Series(local) + pd.Series(code_num).astype(str).str[-4:] + "@" + pd.Series(domain)).to_numpy(object)
    cities = np.array([c[0] for c in cat.CITIES], dtype=object)
    states = np.array([c[1] for c in cat.CITIES], dtype=object)
    cw = np.array([c[2] for c in cat.CITIES])
    city = rng.choice(len(cities), size=n, p=cw / cw.sum())
    age = np.clip(np.rint(16 + rng.gamma(2.6, 6.0, size=n)), 16, 100).astype(np.int64)
    platform = rng.choice(len(cat.PLATFORMS), size=n, p=cat.PLATFORM_SHARES)
    weight = rng.lognormal(0.0, WEIGHT_SIGMA, size=n)
    mult = np.clip(np.rint(weight / weight.mean() * WEIGHT_SLOTS), 1, WEIGHT_SLOTS * WEIGHT_CAP).astype(np.int64)
    slots = np.repeat(np.arange(n, dtype=np.int32), mult)
    signed_before = np.searchsorted(signup, first_day + np.arange(n_days + 1), side="left")
    day_slots = np.concatenate([[0], np.cumsum(mult)])[signed_before]
    columns = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "customer_code": code,
        "customer_name": name,
        "email": email,
        "address": pools.addresses[rng.integers(0, len(pools.addresses), size=n)],
        "city": cities[city],
        "state": states[city],
        "country": np.full(n, cat.COUNTRY, dtype=object),
        "gender": np.array(["M", "F"], dtype=object)[gender_f.astype(np.int64)],
        "age": age,
        "platform": np.asarray(cat.PLATFORMS, dtype=object)[platform],
        "signup_date": signup.copy(),
        "last_active_date": signup.copy(),
    }
    window = NEIGHBOURS / 2 * len(slots) / n
    return Customers(columns, signup, slots, day_slots, first_day, window)


def register_late(rng: np.random.Generator, customers: Customers, order_customer: np.ndarray, order_day: np.ndarray,
                  last_day: int) -> None:
    """Move the sign-up of ~7.5% of buyers to 1-60 days after their first order (capped at last_day)."""
    n = len(customers.signup)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, order_customer, order_day)
    signup = customers.columns["signup_date"]
    buyer = (first < np.iinfo(np.int64).max) & (first < last_day)
    already_late = buyer & (first < signup)
    # pick so that, counting those already late, about FIRST_ORDER_BEFORE_SIGNUP of buyers are late
    want = FIRST_ORDER_BEFORE_SIGNUP * buyer.sum() - already_late.sum()
    pool = buyer & ~already_late
    p = max(0.0, want) / max(1, pool.sum())
    late = pool & (rng.random(n) < p)
    new = first + rng.integers(1, 61, size=n)
    signup[late] = np.minimum(new[late], last_day)


def set_last_active(customers: Customers, order_customer: np.ndarray, order_day: np.ndarray,
                    session_customer: np.ndarray, session_day: np.ndarray) -> None:
    """last_active_date = max(latest order date, latest session date, signup date)."""
    last = customers.columns["signup_date"].copy()
    np.maximum.at(last, order_customer, order_day)
    np.maximum.at(last, session_customer, session_day)
    customers.columns["last_active_date"] = last
