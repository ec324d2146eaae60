"""A period's values and the previous period's (of equal length), computed side by side.

The two are independent queries: run in two threads they take the time of the slower one instead
of the sum (SQLite releases the GIL while it works; MySQL and PostgreSQL work in the server).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from dashboard.queries.filters import Filters

T = TypeVar("T")
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="previous-period")


def now_and_previous(values: Callable[[Filters], T], filters: Filters) -> tuple[T, T | None]:
    """(values(filters), values(filters.previous_period())); None for the previous period of an open range."""
    previous = filters.previous_period()
    if previous is None:
        return values(filters), None
    later = _POOL.submit(values, previous)
    return values(filters), later.result()
