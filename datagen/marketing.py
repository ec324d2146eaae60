"""Campaigns, ad prices, ads, product_ads and ad interactions (the reach -> click -> purchase funnel).

Derived columns are filled here with the same definitions the SQL refresh uses:

- ``ads.reach`` / ``ads.clicks`` / ``ads.purchases``: number of the ad's interactions with
  ``reached_at`` / ``clicked_at`` / ``purchased_at`` not NULL;
- ``ads.budget`` = ``ads.reach`` x ``ad_prices.price_per_reach`` of its placement, rounded to
  2 decimals (half up);
- ``campaigns.budget`` / ``reach`` / ``clicks`` = sums over the campaign's ads, and
  ``campaigns.leads`` = sum of the ads' purchases;
- ``campaigns.revenue`` = sum of ``orders.total`` over the attributed orders
  (``ad_interactions.order_id``) of the campaign's ads whose ``orders.is_valid = 1``.

Campaign status is relative to the snapshot day (the last day of the generated range):
'ended' when end_date < snapshot, 'active' when start_date <= snapshot <= end_date,
'planned' when start_date > snapshot (a couple of campaigns start just after the range).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from datagen import catalogue as cat
from datagen.customers import Customers
from datagen.products import Catalogue, sample_products
from datagen.timeline import SECONDS_PER_DAY, month_index

PLANNED_CAMPAIGNS = 2
REACH_PER_ORDER = 0.5   # interaction rows at most this many per order
MAX_AD_ORDER_SHARE = 0.05


@dataclass
class Marketing:
    campaigns: dict[str, np.ndarray]
    ad_prices: dict[str, np.ndarray]
    ads: dict[str, np.ndarray]
    product_ads: dict[str, np.ndarray]
    interactions: dict[str, np.ndarray]
    focus: np.ndarray            # focus category per campaign
    spikes: dict[int, float]     # day -> demand multiplier (conversion campaigns' launch days)


def build_campaigns(rng: np.random.Generator, first_day: int, months: int, snapshot: int) -> tuple[dict, np.ndarray, dict]:
    """About two campaigns a month inside the range plus a couple planned after it."""
    m0 = int(month_index(np.array([first_day]))[0])
    month = np.repeat(np.arange(months), 2)
    month_start = (m0 + month).astype("M8[M]").astype("M8[D]").astype(np.int64)
    start = np.maximum(month_start + rng.integers(0, 28, size=len(month)), first_day)
    start = np.minimum(start, snapshot)
    planned = snapshot + rng.integers(1, 11, size=PLANNED_CAMPAIGNS)
    start = np.sort(np.concatenate([start, planned]), kind="stable")
    n = len(start)
    # campaigns running at the snapshot and planned ones end at most a month after it, which
    # bounds how far the calendar reaches past the last order
    end = np.minimum(start + rng.integers(7, 46, size=n) - 1, np.maximum(start + 6, snapshot + 30))
    objective = rng.choice(len(cat.OBJECTIVES), size=n, p=cat.OBJECTIVE_SHARES)
    demand = np.array([c.demand_weight for c in cat.CATEGORIES])
    focus = rng.choice(len(demand), size=n, p=demand / demand.sum())
    theme = np.asarray(cat.CAMPAIGN_THEMES, dtype=object)[rng.integers(0, len(cat.CAMPAIGN_THEMES), size=n)]
    ids = np.arange(1, n + 1, dtype=np.int64)
    ym = pd.Series(start.astype("M8[D]")).dt.strftime("%Y-%m")
    name = (pd.Series(theme) + " - " + pd.Series(np.asarray(cat.CATEGORY_NAMES, dtype=object)[focus]) + " - " + ym
            + " #" + pd.Series(ids).astype(str)).to_numpy(object)
    status = np.where(end < snapshot, "ended", np.where(start > snapshot, "planned", "active")).astype(object)
    spikes: dict[int, float] = {}
    conv = (np.asarray(cat.OBJECTIVES)[objective] == "conversions") & (start <= snapshot)
    mult = rng.uniform(1.8, 2.8, size=n)
    for d, m in zip(start[conv], mult[conv]):  # a few dozen campaigns
        spikes[int(d)] = max(spikes.get(int(d), 1.0), float(m))
        spikes[int(d) + 1] = max(spikes.get(int(d) + 1, 1.0), 1.3)
    columns = {
        "campaign_id": ids,
        "campaign_name": name,
        "objective": np.asarray(cat.OBJECTIVES, dtype=object)[objective],
        "account": np.asarray(cat.ACCOUNTS, dtype=object)[rng.integers(0, len(cat.ACCOUNTS), size=n)],
        "start_date": start,
        "end_date": end,
        "status": status,
    }
    return columns, focus, spikes


def ad_price_table() -> dict[str, np.ndarray]:
    placements, prices = zip(*cat.AD_PRICES)
    return {"placement": np.asarray(placements, dtype=object), "price_per_reach": np.asarray(prices, dtype=float)}


_FORMATS_BY_PLACEMENT = {
    "feed": (0.35, 0.20, 0.30, 0.15),
    "stories": (0.40, 0.50, 0.10, 0.00),
    "search": (0.70, 0.00, 0.30, 0.00),
    "banner": (0.80, 0.00, 0.20, 0.00),
    "video": (0.00, 1.00, 0.00, 0.00),
    "marketplace": (0.30, 0.00, 0.40, 0.30),
}


def build_ads(rng: np.random.Generator, campaigns: dict, first_day: int, snapshot: int) -> dict[str, np.ndarray]:
    n_c = len(campaigns["campaign_id"])
    per = rng.integers(4, 11, size=n_c)
    camp = np.repeat(np.arange(n_c), per)
    n = len(camp)
    platform = rng.choice(len(cat.AD_PLATFORMS), size=n, p=cat.AD_PLATFORM_SHARES)
    placements = [p for p, _ in cat.AD_PRICES]
    placement = np.zeros(n, dtype=np.int64)
    for pi, pname in enumerate(cat.AD_PLATFORMS):
        sel = platform == pi
        allowed = [placements.index(x) for x in cat.PLATFORM_PLACEMENTS[pname]]
        placement[sel] = np.asarray(allowed)[rng.integers(0, len(allowed), size=int(sel.sum()))]
    fmt = np.zeros(n, dtype=np.int64)
    for li, pname in enumerate(placements):
        sel = placement == li
        p = np.asarray(_FORMATS_BY_PLACEMENT[pname])
        fmt[sel] = rng.choice(len(p), size=int(sel.sum()), p=p / p.sum())
    start = campaigns["start_date"][camp]
    created = start * SECONDS_PER_DAY - rng.integers(3600, 5 * SECONDS_PER_DAY, size=n)
    # ads of planned campaigns are prepared before the snapshot
    created = np.minimum(created, (snapshot + 1) * SECONDS_PER_DAY - rng.integers(3600, 3 * SECONDS_PER_DAY, size=n))
    created = np.maximum(created, first_day * SECONDS_PER_DAY + rng.integers(0, 6 * 3600, size=n))
    status = campaigns["status"][camp]
    active_p = np.where(status == "active", 0.85, np.where(status == "planned", 0.1, 0.05))
    rank = np.arange(n) - np.repeat(np.cumsum(per) - per, per) + 1
    plat_s = np.asarray(cat.AD_PLATFORMS, dtype=object)[platform]
    place_s = np.asarray(placements, dtype=object)[placement]
    fmt_s = np.asarray(cat.AD_FORMATS, dtype=object)[fmt]
    short = pd.Series(campaigns["campaign_name"][camp]).str.split(" - ").str[0]
    name = (short + " | " + pd.Series(plat_s) + " " + pd.Series(place_s) + " " + pd.Series(fmt_s) + " #"
            + pd.Series(rank).astype(str)).to_numpy(object)
    return {
        "ad_id": np.arange(1, n + 1, dtype=np.int64),
        "campaign_id": camp.astype(np.int64) + 1,
        "ad_name": name,
        "ad_format": fmt_s,
        "placement": place_s,
        "platform": plat_s,
        "created_at": created,
        "is_active": (rng.random(n) < active_p).astype(np.int64),
        # derived below
        "reach": np.zeros(n, dtype=np.int64),
        "clicks": np.zeros(n, dtype=np.int64),
        "purchases": np.zeros(n, dtype=np.int64),
        "budget": np.zeros(n, dtype=np.int64),
    }


def build_product_ads(rng: np.random.Generator, ads: dict, focus: np.ndarray, catalogue: Catalogue) -> dict[str, np.ndarray]:
    """1-3 products per ad, 80% from the campaign's focus category, unique per ad."""
    n = len(ads["ad_id"])
    k = rng.integers(1, 4, size=n)
    ad = np.repeat(np.arange(n), k)
    camp = ads["campaign_id"][ad] - 1
    demand = np.array([c.demand_weight for c in cat.CATEGORIES])
    other = rng.choice(len(demand), size=len(ad), p=demand / demand.sum())
    category = np.where(rng.random(len(ad)) < 0.8, focus[camp], other)
    product = sample_products(rng, catalogue, category)
    key = _sorted_unique(ad.astype(np.int64) * len(catalogue.price_cents) + product)
    return {
        "ad_id": key // len(catalogue.price_cents) + 1,
        "product_id": key % len(catalogue.price_cents) + 1,
    }


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """np.unique for int64 keys via an in-place sort (much faster here than the hash path)."""
    keys = np.sort(keys)
    if len(keys) == 0:
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _rates(ads: dict, table_p: dict, table_f: dict, table_l: dict, base: float) -> np.ndarray:
    p = np.full(len(ads["ad_id"]), base)
    p *= pd.Series(ads["platform"]).map(table_p).to_numpy(float)
    p *= pd.Series(ads["ad_format"]).map(table_f).to_numpy(float)
    p *= pd.Series(ads["placement"]).map(table_l).to_numpy(float)
    return np.minimum(p, 0.9)


def click_rate(ads: dict) -> np.ndarray:
    """Model click-through probability of each ad: base x platform x format x placement."""
    return _rates(ads, cat.CTR_PLATFORM, cat.CTR_FORMAT, cat.CTR_PLACEMENT, cat.CTR_BASE)


def purchase_rate(ads: dict) -> np.ndarray:
    """Model probability that a click buys: base x platform x format x placement."""
    return _rates(ads, cat.CVR_PLATFORM, cat.CVR_FORMAT, cat.CVR_PLACEMENT, cat.CVR_BASE)


def build_interactions(rng: np.random.Generator, campaigns: dict, ads: dict, product_ads: dict, customers: Customers,
                       orders: int, snapshot: int) -> dict[str, np.ndarray]:
    """Reach rows (unique ad x customer) inside the campaign window; clicks and purchases by rate.

    Purchases are capped at MAX_AD_ORDER_SHARE of the orders (none for tiny runs) because each
    becomes one of the N orders. `order_id` is filled later by the order builder; `product_id`
    (0-based here) is one of the ad's products.
    """
    n_ads = len(ads["ad_id"])
    camp = ads["campaign_id"] - 1
    c_start, c_end = campaigns["start_date"][camp], campaigns["end_date"][camp]
    win_start = c_start * SECONDS_PER_DAY
    win_end = (np.minimum(c_end, snapshot) + 1) * SECONDS_PER_DAY - 1
    live = c_start <= snapshot
    elig = np.searchsorted(customers.signup, c_start, side="right")
    weight = rng.lognormal(0.0, 0.6, size=n_ads) * np.sqrt(np.maximum(win_end - win_start, 0) / SECONDS_PER_DAY + 1)
    weight *= np.where(campaigns["objective"][camp] == "awareness", 2.0, 1.0)
    weight = np.where(live & (elig > 0), weight, 0.0)
    total = int(REACH_PER_ORDER * orders)
    if total == 0 or weight.sum() == 0:
        target = np.zeros(n_ads, dtype=np.int64)
    else:
        target = rng.multinomial(total, weight / weight.sum())
    target = np.minimum(target, elig)
    draws = target + np.ceil(0.1 * target).astype(np.int64) + np.where(target > 0, 3, 0)
    cand_ad = np.repeat(np.arange(n_ads), draws)
    n_cust = len(customers.signup)
    cand_cust = np.floor(rng.random(len(cand_ad)) * elig[cand_ad]).astype(np.int64)
    key = _sorted_unique(cand_ad * n_cust + cand_cust)
    ad, cust = key // n_cust, key % n_cust
    order = np.lexsort((rng.random(len(ad)), ad))
    ad, cust = ad[order], cust[order]
    first = np.searchsorted(ad, np.arange(n_ads))
    keep = (np.arange(len(ad)) - first[ad]) < target[ad]
    ad, cust = ad[keep], cust[keep]
    m = len(ad)

    reached = win_start[ad] + np.floor(rng.random(m) * (win_end[ad] - win_start[ad] + 1)).astype(np.int64)
    reached = np.maximum(reached, ads["created_at"][ad] + 60)
    as_of = (snapshot + 1) * SECONDS_PER_DAY - 1
    reached = np.minimum(reached, as_of)
    clicked = (rng.random(m) < click_rate(ads)[ad])
    clicked_at = reached + 1 + np.floor(rng.exponential(600.0, size=m)).astype(np.int64)
    clicked &= clicked_at <= as_of
    bought = clicked & (rng.random(m) < purchase_rate(ads)[ad])
    bought_at = clicked_at + 60 + np.floor(rng.exponential(4 * 3600.0, size=m)).astype(np.int64)
    bought &= bought_at <= as_of
    cap = int(MAX_AD_ORDER_SHARE * orders)
    if bought.sum() > cap:
        idx = np.flatnonzero(bought)
        drop = rng.permutation(idx)[: len(idx) - cap]
        bought[drop] = False
    # one of the ad's products
    pa_ad = product_ads["ad_id"] - 1
    pa_first = np.searchsorted(pa_ad, np.arange(n_ads))
    pa_count = np.bincount(pa_ad, minlength=n_ads)
    pick = pa_first[ad] + np.floor(rng.random(m) * pa_count[ad]).astype(np.int64)
    product = np.where(bought, product_ads["product_id"][np.minimum(pick, len(pa_ad) - 1)] - 1, -1)
    nat = np.iinfo(np.int64).min
    order = np.argsort(reached, kind="stable")
    cols = {
        "interaction_id": np.arange(1, m + 1, dtype=np.int64),
        "ad_id": ad[order] + 1,
        "customer_id": cust[order] + 1,
        "reached_at": reached[order],
        "clicked_at": np.where(clicked, clicked_at, nat)[order],
        "purchased_at": np.where(bought, bought_at, nat)[order],
        "order_id": np.full(m, -1, dtype=np.int64),
        "product_id": np.where(bought, product + 1, -1)[order],
    }
    return cols


def fill_derived(campaigns: dict, ad_prices: dict, ads: dict, interactions: dict, order_total: np.ndarray,
                 order_valid: np.ndarray) -> None:
    """Fill the refresh-kept columns of ads and campaigns (definitions in the module docstring)."""
    nat = np.iinfo(np.int64).min
    n_ads, n_c = len(ads["ad_id"]), len(campaigns["campaign_id"])
    ad = interactions["ad_id"] - 1
    ads["reach"] = np.bincount(ad, minlength=n_ads).astype(np.int64)
    ads["clicks"] = np.bincount(ad[interactions["clicked_at"] != nat], minlength=n_ads).astype(np.int64)
    ads["purchases"] = np.bincount(ad[interactions["purchased_at"] != nat], minlength=n_ads).astype(np.int64)
    price_e4 = np.rint(pd.Series(ads["placement"]).map(dict(zip(ad_prices["placement"], ad_prices["price_per_reach"])))
                       .to_numpy(float) * 10_000).astype(np.int64)
    ads["budget"] = (ads["reach"] * price_e4 + 50) // 100  # cents, half up
    camp = ads["campaign_id"] - 1
    campaigns["budget"] = np.bincount(camp, weights=ads["budget"], minlength=n_c).astype(np.int64)
    campaigns["reach"] = np.bincount(camp, weights=ads["reach"], minlength=n_c).astype(np.int64)
    campaigns["clicks"] = np.bincount(camp, weights=ads["clicks"], minlength=n_c).astype(np.int64)
    campaigns["leads"] = np.bincount(camp, weights=ads["purchases"], minlength=n_c).astype(np.int64)
    has = interactions["order_id"] > 0
    o = interactions["order_id"][has] - 1
    rev = np.where(order_valid[o] == 1, order_total[o], 0)
    campaigns["revenue"] = np.bincount(camp[ad[has]], weights=rev, minlength=n_c).astype(np.int64)
