"""The one place that turns a `Filters` into WHERE clauses (bound parameters only).

- dates: `col >= :start AND col < :end_exclusive` (inclusive range of days);
- status scope: valid -> `is_valid = 1`, net -> `is_net = 1`, gross -> nothing;
- categories and brands: the matching (category, brand) segments (dim_segment), as `segment_id IN`
  for additive summaries or as mask bits `(mask0 & :m0) <> 0 OR (mask1 & :m1) <> 0` for per-order rows;
- other dimensions: `IN (...)` on the named column.
`month_split` cuts a date range into whole months (read from month summaries) and edge days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from dashboard.queries.filters import Filters
from schema.sqlexpr import MASK_BITS, MASK_WORDS
from schema.summary_tables import dim_segment

TRUE = sa.true()


def scope_clause(cols, filters: Filters):
    if filters.status_scope == "valid":
        return cols.is_valid == 1
    if filters.status_scope == "net":
        return cols.is_net == 1
    return TRUE


def date_clause(col, start: date | None, end_exclusive: date | None):
    parts = []
    if start is not None:
        parts.append(col >= start)
    if end_exclusive is not None:
        parts.append(col < end_exclusive)
    return sa.and_(TRUE, *parts)


def range_clause(col, filters: Filters):
    return date_clause(col, filters.start, filters.end_exclusive)


def in_clause(col, values):
    return col.in_(list(values)) if values else TRUE


# ---------------------------------------------------------------- segments
def has_product_filter(filters: Filters) -> bool:
    return bool(filters.categories or filters.brands)


def segment_ids(filters: Filters) -> list[int] | None:
    """Segments matching the category and brand filters; None when neither is set."""
    if not has_product_filter(filters):
        return None
    from dashboard.queries.options import segments

    return [sid for sid, cat, brand in segments()
            if (not filters.categories or cat in filters.categories) and (not filters.brands or brand in filters.brands)]


def segment_clause(col, filters: Filters):
    ids = segment_ids(filters)
    return TRUE if ids is None else col.in_(ids)


def mask_clause(cols, filters: Filters):
    """Per-order rows (order_facts) having at least one line in the selected segments."""
    ids = segment_ids(filters)
    if ids is None:
        return TRUE
    words = [0] * MASK_WORDS
    for sid in ids:
        words[sid // MASK_BITS] |= 1 << (sid % MASK_BITS)
    parts = [cols[f"mask{w}"].op("&")(sa.bindparam(f"mask_bits_{w}", words[w], type_=sa.BigInteger)) != 0
             for w in range(MASK_WORDS) if words[w]]
    return sa.or_(*parts) if parts else sa.false()


# ---------------------------------------------------------------- months and edge days
@dataclass(frozen=True)
class Split:
    """A date range as whole months [month_lo, month_hi) plus day ranges for the edges."""

    month_lo: date | None
    month_hi: date | None
    day_ranges: tuple[tuple[date | None, date | None], ...]
    has_months: bool


def _month_ceil(d: date) -> date:
    return d if d.day == 1 else _next_month(d.replace(day=1))


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def month_split(start: date | None, end_exclusive: date | None) -> Split:
    lo = _month_ceil(start) if start else None
    hi = end_exclusive.replace(day=1) if end_exclusive else None
    if lo is not None and hi is not None and lo >= hi:
        return Split(None, None, ((start, end_exclusive),), False)
    days = []
    if start is not None and start < lo:
        days.append((start, lo))
    if end_exclusive is not None and hi < end_exclusive:
        days.append((hi, end_exclusive))
    return Split(lo, hi, tuple(days), True)


def shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


ONE_DAY = timedelta(days=1)
