"""The catalogue's front door: every domain module registered, and `run_dataset` (validate,
normalise, cache, compute) that the CLI, the HTTP API and the pages call."""
from __future__ import annotations

import pandas as pd

from dashboard.queries import customers, engine, glossary, marketing, orders, products, questions, sales  # noqa: F401 - registers datasets
from dashboard.queries.cache import cached
from dashboard.queries.filters import Filters
from dashboard.queries.options import validate_filters
from dashboard.queries.registry import DATASETS, Dataset, get_dataset
from schema.config import Settings
from schema.errors import InvalidFilter
from schema.readme_sections import section


def parse_params(ds: Dataset, raw: dict[str, object]) -> dict[str, object]:
    """Params typed like their defaults; an unknown name or a bad value raises InvalidFilter."""
    out = dict(ds.params)
    for key, value in raw.items():
        if key not in ds.params:
            known = ", ".join(ds.params) or "none"
            raise InvalidFilter(f"dataset {ds.name!r} has no parameter {key!r}; its parameters: {known}")
        kind = type(ds.params[key])
        try:
            out[key] = kind(value) if not isinstance(value, kind) else value
        except (TypeError, ValueError):
            raise InvalidFilter(f"parameter {key!r} must be {kind.__name__}, got {value!r}") from None
    return out


def configure(settings: Settings) -> None:
    """Point the catalogue at `settings`: its database, and the dataset defaults that come from the
    settings (LOW_STOCK_THRESHOLD is low_stock's default threshold, which the Products page shows)."""
    engine.configure(settings)
    get_dataset("low_stock").params["threshold"] = int(settings.low_stock_threshold)


def run_dataset(name: str, filters: Filters | None = None, params: dict[str, object] | None = None, *,
                validate: bool = True, use_cache: bool = True) -> pd.DataFrame:
    ds = get_dataset(name)
    filters = (filters or Filters()).only(*ds.dimensions)
    if validate:
        validate_filters(filters)
    typed = parse_params(ds, params or {})
    if not use_cache:
        return ds.fn(filters, **typed)
    return cached(name, filters, typed, lambda: ds.fn(filters, **typed))


def dataset_names() -> list[str]:
    return sorted(DATASETS)


@section("datasets")
def render_markdown() -> str:
    """The README's dataset list, generated from the registry."""
    lines = ["| dataset | what it returns | filters | params |", "|---|---|---|---|"]
    for name in dataset_names():
        ds = DATASETS[name]
        dims = ", ".join(ds.dimensions) or "(year only)"
        params = ", ".join(f"{k}={v}" for k, v in ds.params.items())
        lines.append(f"| `{name}` | {ds.description} | {dims} | {params} |")
    return "\n".join(lines)
