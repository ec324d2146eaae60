"""The catalogue's contract without a database: glossary coverage, registry metadata, range
splitting, export formatting."""
from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.queries.catalogue import DATASETS, parse_params
from dashboard.queries.export import to_csv, to_json
from dashboard.queries.filters import Filters, DIMENSIONS
from dashboard.queries.glossary import GLOSSARY
from dashboard.queries.sales import KPI_KEYS
from dashboard.queries.sql import split_range, split_range_signed
from schema import readme_sections
from schema.config import PROJECT_ROOT


def test_every_metric_a_dataset_names_is_defined_in_the_glossary():
    missing = {m: name for name, ds in DATASETS.items() for m in ds.metrics if m not in GLOSSARY}
    assert not missing, f"metrics without a glossary definition: {missing}"


def test_every_dataset_is_described_and_names_real_filters():
    fields = {"start", "end", "status_scope", *DIMENSIONS}
    for name, ds in DATASETS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
        assert ds.title and ds.description and ds.metrics, name
        assert set(ds.dimensions) <= fields, f"{name}: unknown dimensions {set(ds.dimensions) - fields}"


def test_kpi_keys_are_the_documented_ones():
    assert KPI_KEYS == ("revenue", "revenue_before_discount", "discount", "orders", "units", "customers", "aov", "net_profit",
                        "margin_pct", "avg_clv", "top_product")


def test_readme_glossary_section_is_current():
    import dashboard.queries.glossary  # noqa: F401 - registers the section

    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- glossary:start -->" in text
    assert readme_sections.update(text) == text, "run `python run.py dictionary --update-readme`"


def test_params_are_typed_from_their_defaults():
    assert parse_params(DATASETS["top_products"], {"limit": "3"}) == {"limit": 3}
    assert parse_params(DATASETS["orders_trend"], {}) == {"grain": "day"}


@pytest.mark.parametrize("grains", [("year", "month"), ("month",), ("year",)])
@pytest.mark.parametrize("start, end", [(date(2022, 3, 17), date(2024, 2, 10)), (date(2022, 11, 30), date(2023, 2, 2)),
                                        (date(2023, 4, 1), date(2023, 10, 1))])
def test_split_range_covers_the_range_exactly_once_in_whole_units(grains, start, end):
    pieces = split_range(start, end, grains)
    days = set()
    for grain, lo, hi in pieces:
        span = pd.date_range(lo, hi, inclusive="left").date
        assert not days & set(span)
        days |= set(span)
        if grain != "day":  # whole units: from the first day of one to the first day of another
            months = {"year": 12, "month": 1}[grain]
            assert lo.day == hi.day == 1 and (lo.month - 1) % months == (hi.month - 1) % months == 0
    assert days == set(pd.date_range(start, end, inclusive="left").date)


@pytest.mark.parametrize("start, end", [(date(2024, 12, 2), date(2025, 1, 1)), (date(2024, 10, 3), date(2025, 1, 1)),
                                        (date(2024, 3, 5), date(2024, 3, 28)), (date(2022, 2, 17), date(2023, 7, 16)),
                                        (date(2024, 3, 5), date(2024, 4, 29)), (date(2024, 3, 25), date(2024, 4, 3)),
                                        (date(2024, 2, 2), None), (None, date(2024, 5, 30))])
def test_signed_pieces_count_every_day_of_the_range_once(start, end):
    """Whole months minus their outside days: per day, the signs of the pieces covering it sum to 1 inside
    the range and 0 outside; at most half a month of day rows at each end."""
    lo_all, hi_all = date(2021, 1, 1), date(2026, 1, 1)
    weight = dict.fromkeys(pd.date_range(lo_all, hi_all, inclusive="left").date, 0)
    day_rows = 0
    for grain, lo, hi, sign in split_range_signed(start, end, ("month",)):
        for d in pd.date_range(lo or lo_all, hi or hi_all, inclusive="left").date:
            weight[d] += sign
        day_rows += (hi - lo).days if grain == "day" else 0
    inside = {d for d in weight if (start is None or d >= start) and (end is None or d < end)}
    assert all(weight[d] == (1 if d in inside else 0) for d in weight)
    assert day_rows <= 31


def test_split_range_takes_the_coarsest_whole_units():
    assert ("year", date(2023, 1, 1), date(2024, 1, 1)) in split_range(date(2022, 3, 17), date(2024, 2, 10), ("year", "month"))
    assert split_range(date(2022, 2, 17), date(2024, 7, 16), ("year", "month")) == [
        ("year", date(2023, 1, 1), date(2024, 1, 1)), ("month", date(2022, 3, 1), date(2023, 1, 1)),
        ("day", date(2022, 2, 17), date(2022, 3, 1)), ("month", date(2024, 1, 1), date(2024, 7, 1)),
        ("day", date(2024, 7, 1), date(2024, 7, 16))]
    assert split_range(None, None, ("month",)) == [("month", None, None)]


def test_json_export_has_filters_iso_dates_and_null_for_nan():
    frame = pd.DataFrame({"day": [date(2024, 1, 2)], "aov": [np.nan], "orders": [np.int64(3)], "name": ["a\"b"]})
    payload = json.loads(to_json("x", frame, Filters(start=date(2024, 1, 1), categories=("Books",)), {"limit": 5}))
    assert payload["dataset"] == "x"
    assert payload["filters"] == {"from": "2024-01-01", "category": ["Books"], "limit": 5}
    assert payload["rows"] == [{"day": "2024-01-02", "aov": None, "orders": 3, "name": "a\"b"}]
    assert to_csv(frame).splitlines()[0] == "day,aov,orders,name"
