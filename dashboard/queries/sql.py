"""The one place that turns a `Filters` into WHERE clauses (bound parameters only).

- dates: `col >= :start AND col < :end_exclusive` (inclusive range of days);
- status scope: valid -> `is_valid = 1`, net -> `is_net = 1`, gross -> nothing;
- categories and brands: the matching (category, brand) segments (dim_segment), as `segment_id IN`
  for additive summaries or as mask bits `(mask0 & :m0) <> 0 OR (mask1 & :m1) <> 0` for per-order rows;
- other dimensions: `IN (...)` on the named column.
`split_range` cuts a date range into whole years/months (read from coarse summaries) and edge days.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from dashboard.queries.filters import Filters
from schema.sqlexpr import MASK_BITS, MASK_WORDS

TRUE = sa.true()


def scope_clause(cols, filters: Filters):
    if filters.status_scope == "valid":
        return cols.is_valid == 1
    if filters.status_scope == "net":
        return cols.is_net == 1
    return TRUE


def date_clause(col, start: date | None, end_exclusive: date | None):
    parts = ([col >= start] if start is not None else []) + ([col < end_exclusive] if end_exclusive is not None else [])
    return both(*parts)


def both(*clauses):
    """AND of the clauses that are not TRUE (cheaper to build and to read than and_(true(), ...))."""
    real = [c for c in clauses if c is not TRUE]
    return real[0] if len(real) == 1 else (sa.and_(*real) if real else TRUE)


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


# ---------------------------------------------------------------- whole years / months and edge days
MONTHS_PER = {"year": 12, "month": 1}


def floor_date(d: date, grain: str) -> date:
    """The first day of the year or month holding `d`."""
    n = MONTHS_PER[grain]
    return date(d.year, (d.month - 1) // n * n + 1, 1)


def ceil_date(d: date, grain: str) -> date:
    """`d` when it starts a year or month, else the first day of the next one."""
    f = floor_date(d, grain)
    if f == d:
        return d
    months = f.year * 12 + f.month - 1 + MONTHS_PER[grain]
    return date(months // 12, months % 12 + 1, 1)


def split_range(start: date | None, end_exclusive: date | None, grains: tuple[str, ...]) -> list[tuple[str, date | None, date | None]]:
    """Cut [start, end_exclusive) into pieces (grain, lo, hi): whole units of the coarsest grain first
    (e.g. whole years, then whole months), days for the rest. None bounds are open."""
    if start is not None and end_exclusive is not None and start >= end_exclusive:
        return []
    if not grains:
        return [("day", start, end_exclusive)]
    grain, finer = grains[0], grains[1:]
    lo = ceil_date(start, grain) if start else None
    hi = floor_date(end_exclusive, grain) if end_exclusive else None
    if lo is not None and hi is not None and lo >= hi:
        return split_range(start, end_exclusive, finer)
    pieces = [(grain, lo, hi)]
    if start is not None and start < lo:
        pieces += split_range(start, lo, finer)
    if end_exclusive is not None and hi < end_exclusive:
        pieces += split_range(hi, end_exclusive, finer)
    return pieces


def split_range_signed(start: date | None, end_exclusive: date | None, grains: tuple[str, ...]) -> list[tuple[str, date | None, date | None, int]]:
    """`split_range` pieces with a sign, for additive measures: days are taken month by month, and more
    than half a month of them is read as the whole month (+1) minus its days outside the range (-1), so
    at most about half a month of day rows is read per month (the last 30 days: a month less one day)."""
    out = []
    for grain, lo, hi in split_range(start, end_exclusive, grains):
        if grain != "day":
            out.append((grain, lo, hi, 1))
            continue
        while lo < hi:  # a day piece spans two months when no whole month lies between its ends
            month, after = floor_date(lo, "month"), ceil_date(lo + timedelta(days=1), "month")
            part_end = min(hi, after)
            if 2 * (part_end - lo).days <= (after - month).days:
                out.append(("day", lo, part_end, 1))
            else:
                out.append(("month", month, after, 1))
                out += [("day", a, b, -1) for a, b in ((month, lo), (part_end, after)) if a < b]
            lo = part_end
    return out
