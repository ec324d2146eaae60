"""How the dashboard reaches data: the one seam between components and the query layer.

Components never build SQL (rule 5): they name a registered dataset, hand over a `Filters` and the
dataset's params, and get a DataFrame (validated and cached by `catalogue.run_dataset`), or text
formatted by the query layer's export module (the same text `python run.py query` prints).
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from dashboard.queries.filters import Filters
from sqlalchemy.exc import DBAPIError


def load_dataset(name: str, filters: Filters, params: Mapping | None = None) -> pd.DataFrame:
    """Run a registered dataset through the query layer (validation, cache)."""
    from dashboard.queries.catalogue import run_dataset

    return run_dataset(name, filters, dict(params or {}))


def cached_value(name: str, key: str, compute):
    """`compute()` remembered under (name, key) in the query layer's cache: same backend, keyed by the
    data version like every query result, and cleared with them."""
    from dashboard.queries.cache import cached

    return cached(name, None, {"key": key}, compute)


def dataset_csv(name: str, filters: Filters, params: Mapping | None = None) -> str:
    from dashboard.queries import export

    return export.to_csv(load_dataset(name, filters, params))


def known_values() -> dict[str, list[str]]:
    """Every value of every multi-valued dimension (what a URL may select)."""
    from dashboard.queries.filters import DIMENSIONS
    from dashboard.queries.options import known_values as known

    return {field: known(field) for field in DIMENSIONS}


def dimension_options(filters: Filters) -> dict[str, list[str]]:
    from dashboard.queries.options import dimension_options as options

    return options(filters)


def data_info() -> dict:
    """{"first", "last": ISO dates of the first and last day with orders, "refreshed": ISO UTC time}.

    Empty values when the database holds no data; a `UserError` (database down) propagates.
    """
    from dashboard.queries.engine import get_engine
    from schema.refresh import last_refresh

    refreshed = last_refresh(get_engine())
    try:
        days = load_dataset("sales_daily", Filters(status_scope="gross"))["day"]
    except DBAPIError:  # no summary tables yet: a fresh database that was never generated or refreshed
        days = pd.Series([], dtype=object)
    days = pd.to_datetime(days, errors="coerce").dropna()
    return {
        "first": days.min().date().isoformat() if len(days) else None,
        "last": days.max().date().isoformat() if len(days) else None,
        "refreshed": refreshed.isoformat() if refreshed else None,
    }
