"""The dataset catalogue: every dataset a page, the CLI (`run.py query`) or the HTTP API serves.

A dataset is a function `fn(filters: Filters, **params) -> pandas.DataFrame` registered with
`@dataset(...)` in a domain module (`dashboard/queries/<domain>.py`). The registry is what
`run.py query --list`, `GET /api/v1/datasets` and the chart cards' CSV downloads enumerate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from dashboard.queries.filters import Filters
from schema.errors import UserError


class UnknownDataset(UserError):
    pass


@dataclass(frozen=True)
class Dataset:
    name: str
    fn: Callable[..., pd.DataFrame]
    title: str
    description: str
    dimensions: tuple[str, ...]  # Filters fields the dataset honours (others are ignored)
    params: dict[str, object] = field(default_factory=dict)  # extra keyword params and defaults
    metrics: tuple[str, ...] = ()  # glossary entries of the metrics it returns


DATASETS: dict[str, Dataset] = {}


def dataset(name: str, *, title: str, description: str, dimensions: tuple[str, ...] = ("start", "end", "categories"),
            params: dict[str, object] | None = None, metrics: tuple[str, ...] = ()):
    def register(fn):
        if name in DATASETS:
            raise RuntimeError(f"dataset {name!r} registered twice")
        DATASETS[name] = Dataset(name, fn, title, description, dimensions, dict(params or {}), metrics)
        return fn

    return register


def get_dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDataset(f"unknown dataset {name!r}; `python run.py query --list` lists them") from None
