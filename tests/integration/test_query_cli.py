"""`python run.py query` as analysts use it: listing, JSON keys, and one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from schema.config import PROJECT_ROOT
from schema.db import create_engine


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from datagen.pipeline import generate_into

    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"
    engine = create_engine(url)
    generate_into(engine, orders=600, seed=3, start=date(2023, 1, 1), months=12, replace=False)
    engine.dispose()
    return url


def query(*args, db_url=None, env=None):
    cmd = [sys.executable, "run.py", "query", *args] + (["--database-url", db_url] if db_url else [])
    return subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_list_names_every_dataset():
    from dashboard.queries.catalogue import DATASETS

    out = query("--list")
    assert out.returncode == 0
    listed = {line.split()[0] for line in out.stdout.splitlines() if line.strip()}
    assert listed == set(DATASETS)


def test_kpis_json_has_exactly_the_documented_keys(db):
    out = query("kpis", "--format", "json", "--from", "2023-03-01", "--to", "2023-05-31", db_url=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    keys = ["revenue", "revenue_before_discount", "discount", "orders", "units", "customers", "aov", "net_profit", "margin_pct",
            "avg_clv", "top_product"]
    assert payload["dataset"] == "kpis"
    assert payload["filters"] == {"from": "2023-03-01", "to": "2023-05-31"}
    assert list(payload["rows"][0]) == keys + [f"{k}_prev" for k in keys]
    assert payload["rows"][0]["orders"] > 0


def test_csv_and_params(db):
    out = query("top_products", "--param", "limit=3", "--format", "csv", db_url=db)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("product_id,product_name") and len(lines) == 4


@pytest.mark.parametrize("args, message", [
    (("no_such_dataset",), "unknown dataset"),
    (("kpis", "--from", "2023-02-30"), "is not a date"),
    (("kpis", "--from", "2023-05-01", "--to", "2023-04-01"), "is after"),
    (("kpis", "--category", "Books'; DROP TABLE orders; --"), "unknown category"),
    (("top_products", "--param", "limit=many"), "must be int"),
    (("top_products", "--param", "colour=red"), "has no parameter"),
])
def test_bad_input_is_one_line_and_non_zero(db, args, message):
    out = query(*args, db_url=db)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr, out.stderr


def test_low_stock_threshold_defaults_to_the_setting(db):
    engine = create_engine(db)
    with engine.connect() as conn:
        products = pd.read_sql("SELECT product_id, stock FROM products", conn)
    engine.dispose()
    threshold = int(products["stock"].quantile(0.2))  # a value that keeps some products and drops most
    expected = products[products["stock"] <= threshold].sort_values(["stock", "product_id"])["product_id"].head(200).tolist()

    out = query("low_stock", "--format", "json", db_url=db, env={"LOW_STOCK_THRESHOLD": str(threshold)})
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["filters"]["threshold"] == threshold
    assert [row["product_id"] for row in payload["rows"]] == expected
    assert 0 < len(expected) < len(products)

    given = query("low_stock", "--param", "threshold=0", "--format", "json", db_url=db, env={"LOW_STOCK_THRESHOLD": "5"})
    assert json.loads(given.stdout)["filters"]["threshold"] == 0  # an explicit threshold wins


def test_a_malformed_setting_is_one_line_and_non_zero(db):
    out = query("low_stock", db_url=db, env={"LOW_STOCK_THRESHOLD": "lots"})
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "LOW_STOCK_THRESHOLD must be a whole number" in out.stderr, out.stderr
