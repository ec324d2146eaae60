"""KPI rows with the previous period: the figures of a range next to those of the equal-length range
just before it (keys suffixed `_prev`).

A KPI row is a few independent lookups per period (sums, distinct counts, a top item); `parts(f)`
lists them as calls, slowest first, and `combine(f, *results)` makes the period's dict. Every part of
both periods runs at once (engine.at_once), so the row costs about its slowest lookups, not their sum.
"""
from __future__ import annotations

from typing import Callable, Sequence

import pandas as pd

from dashboard.queries.engine import at_once
from dashboard.queries.filters import Filters

Parts = Callable[[Filters], Sequence[Callable[[], object]]]
Combine = Callable[..., dict]


def with_previous_period(parts: Parts, combine: Combine, filters: Filters, keys: Sequence[str]) -> pd.DataFrame:
    """One row: the figures of `filters` and, suffixed `_prev`, of the previous period (None for an
    open range, which has no previous period of equal length)."""
    prev_filters = filters.previous_period()
    if prev_filters is None:
        now, prev = combine(filters, *at_once(*parts(filters))), dict.fromkeys(keys)
    else:
        # interleaved, so that each period's slowest part starts first
        results = at_once(*[part for pair in zip(parts(filters), parts(prev_filters)) for part in pair])
        now = combine(filters, *results[0::2])
        prev = combine(prev_filters, *results[1::2])
    return pd.DataFrame([{**{k: now[k] for k in keys}, **{f"{k}_prev": prev[k] for k in keys}}])
