"""Customers: who they are, when they signed up, and who places a given order.

Customers are numbered in sign-up order. An order (or visit) on day d goes to a customer who
had signed up by d, chosen with a heavy-tailed activity weight: many one-time buyers and a
loyal tail. Afterwards a few buyers get a sign-up date after their first order, as in real
exports where registration is recorded late.
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


@dataclass
class Customers:
    columns: dict[str, np.ndarray]
    signup: np.ndarray        # day numbers, ascending (before the late-registration tweak)
    cum_weight: np.ndarray    # cumulative activity weight in customer order

    def pick(self, rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
        """0-based customer per event day: weighted among customers signed up by that day."""
        k = np.searchsorted(self.signup, days, side="right")
        k = np.maximum(k, 1)  # before anybody signed up: the first customers (they count as late registrations)
        target = rng.random(len(days)) * self.cum_weight[k - 1]
        idx = np.searchsorted(self.cum_weight, target, side="right")
        return np.minimum(idx, k - 1)

    def eligible(self, day: int) -> int:
        """How many customers had signed up by `day`."""
        return int(np.searchsorted(self.signup, day, side="right"))


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
    weight = rng.lognormal(0.0, 1.4, size=n)
    columns = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "customer_code": code,
        "customer_name": name,
        "email": email,
        "address": pools.addresses[rng.integers(0, len(pools.addresses), size=n)],
        "city": cities[city],
        "state": states[city],
        "country": np.full(n, cat.COUNTRY, dtype=object),
        "gender": np.where(gender_f, "F", "M").astype(object),
        "age": age,
        "platform": np.asarray(cat.PLATFORMS, dtype=object)[platform],
        "signup_date": signup.copy(),
        "last_active_date": signup.copy(),
    }
    return Customers(columns, signup, np.cumsum(weight))


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
