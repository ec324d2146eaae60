"""Small lookups the query layer needs: segments, dimension values, option lists, validation.

All are cached per data version (they change only with a refresh)."""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.queries import cache
from dashboard.queries.engine import scalar_rows
from dashboard.queries.filters import Filters
from schema.errors import InvalidFilter
from schema.summary_tables import agg_orders_month, dim_segment
from schema.tables import ads, campaigns, customers, payment_methods

_memo: dict = {}


def _memoised(name: str, build):
    key = (name, cache.data_version())
    if key not in _memo:
        if len(_memo) > 256:
            _memo.clear()
        _memo[key] = build()
    return _memo[key]


def segments() -> list[tuple[int, str, str]]:
    """(segment_id, category, brand) for every segment."""
    d = dim_segment.c
    return _memoised("segments", lambda: scalar_rows(sa.select(d.segment_id, d.category, d.brand).order_by(d.segment_id)))


def order_months() -> list:
    """The first day of every month holding an order (any status), ascending."""
    m = agg_orders_month.c
    return _memoised("order_months", lambda: [row[0] for row in scalar_rows(sa.select(m.month).distinct().order_by(m.month))])


def _values(field: str, filters: Filters) -> list[str]:
    if field in ("categories", "brands"):
        mine, other = (1, 2) if field == "categories" else (2, 1)  # positions in (segment_id, category, brand)
        chosen = filters.brands if field == "categories" else filters.categories
        return sorted({s[mine] for s in segments() if not chosen or s[other] in chosen})
    if field == "payment_methods":
        stmt = sa.select(payment_methods.c.method_name)
    elif field == "cities":
        stmt = sa.select(customers.c.city).distinct()
        if filters.platforms:
            stmt = stmt.where(customers.c.platform.in_(list(filters.platforms)))
    elif field == "platforms":  # customer sign-up platforms and ad platforms both filter by this field
        stmt = sa.union(sa.select(customers.c.platform).distinct(), sa.select(ads.c.platform).distinct())
    elif field == "campaigns":
        stmt = sa.select(campaigns.c.campaign_name)
    else:
        raise KeyError(field)
    return sorted(str(r[0]) for r in scalar_rows(stmt))


def known_values(field: str) -> list[str]:
    """Every value of a dimension, unnarrowed (what validation accepts)."""
    return _memoised(f"known:{field}", lambda: _values(field, Filters()))


def dimension_options(filters: Filters) -> dict[str, list[str]]:
    """Option lists for the filter bar, each narrowed by the other filters (brands within the
    selected categories, categories carrying the selected brands, cities on the selected platforms)."""
    from dashboard.queries.filters import DIMENSIONS

    return {field: _memoised(f"opts:{field}:{filters.only(*DIMENSIONS)!r}", lambda f=field: _values(f, filters))
            for field in DIMENSIONS}


def validate_filters(filters: Filters) -> Filters:
    """Raise InvalidFilter for a dimension value the data does not have."""
    from dashboard.queries.filters import DIMENSIONS

    for field, key in DIMENSIONS.items():
        chosen = getattr(filters, field)
        if not chosen:
            continue
        known = known_values(field)
        unknown = [v for v in chosen if v not in set(known)]
        if unknown:
            shown = ", ".join(known[:40]) + (", ..." if len(known) > 40 else "")
            raise InvalidFilter(f"unknown {key.replace('_', ' ')} {unknown[0]!r}; known: {shown}")
    return filters
