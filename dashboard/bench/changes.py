"""The filter changes replayed on a page: varied ranges and selections, each only where the page
offers the control (a city only on pages with a city filter), plus one that matches nothing."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from dashboard.queries.filters import Filters

MAX_CHANGES = 15


def filter_changes(declared: Iterable[str] | None, first: date, last: date,
                   values: dict[str, list[str]], limit: int = MAX_CHANGES) -> dict[str, Filters]:
    """{label: Filters} for a page honouring the `declared` Filters fields; `values` holds every
    value of each multi-valued dimension, `first`/`last` the days the data spans."""
    has = set(declared or ("start", "end", "categories"))
    year = last.year - 1 if last.year > first.year else last.year
    a_year = dict(start=date(year, 1, 1), end=date(year, 12, 31))
    last_30 = dict(start=last - timedelta(days=29), end=last)
    last_90 = dict(start=last - timedelta(days=89), end=last)
    mid = first + (last - first) / 2

    def pick(field: str, n: int = 1, at: float = 0.0) -> tuple[str, ...]:
        pool = values.get(field) or []
        i = min(int(len(pool) * at), max(len(pool) - n, 0))
        return tuple(pool[i:i + n])

    changes: dict[str, Filters] = {
        "all time": Filters(),
        "last 30 days": Filters(**last_30),
        "last 90 days": Filters(**last_90),
        "a year": Filters(**a_year),
        "odd range": Filters(start=first + timedelta(days=47), end=mid + timedelta(days=13)),
    }
    if "categories" in has:
        changes["one category"] = Filters(categories=pick("categories"))
        changes["two categories, a year"] = Filters(categories=pick("categories", 2, 0.5), **a_year)
    if "brands" in has:
        changes["one brand"] = Filters(brands=pick("brands", 1, 0.3))
    if "payment_methods" in has:
        changes["payment method, 90 days"] = Filters(payment_methods=pick("payment_methods"), **last_90)
    if "cities" in has:
        changes["a city"] = Filters(cities=pick("cities", 1, 0.5))
        changes["two cities, a year"] = Filters(cities=pick("cities", 2, 0.2), **a_year)
    if "platforms" in has:
        changes["a platform"] = Filters(platforms=pick("platforms"))
    if "campaigns" in has:
        changes["a campaign"] = Filters(campaigns=pick("campaigns", 1, 0.5))
        changes["two campaigns, a year"] = Filters(campaigns=pick("campaigns", 2, 0.8), **a_year)
    if "status_scope" in has:
        changes["scope net"] = Filters(status_scope="net")
        changes["scope gross, 30 days"] = Filters(status_scope="gross", **last_30)
    changes["empty result"] = Filters(start=last + timedelta(days=400), end=last + timedelta(days=430))
    if len(changes) > limit:  # keep the first ones and the empty result
        keep = list(changes)[:limit - 1] + ["empty result"]
        changes = {k: changes[k] for k in keep}
    return changes
