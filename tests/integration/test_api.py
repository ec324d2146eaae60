"""The read-only JSON API against a generated SQLite database.

The KPI numbers are checked against pandas over the raw tables (orders, order_items, products),
not against the query layer, so a wrong summary table or filter clause shows up here too.
"""
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import pytest
import sqlalchemy as sa
from flask import Flask

from dashboard import api
from dashboard.queries import cache, engine as query_engine
from schema.config import Settings

START, END = "2023-03-01", "2023-08-31"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    from datagen.pipeline import generate_into
    from schema.db import create_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    eng = create_engine(url)
    generate_into(eng, orders=3000, seed=11, start=date(2023, 1, 1), months=12, replace=False)
    eng.dispose()
    return url


@pytest.fixture(scope="module")
def raw(db_url):
    eng = sa.create_engine(db_url)
    with eng.connect() as conn:
        orders = pd.read_sql(sa.text("SELECT order_id, order_date, is_valid, is_net FROM orders"), conn)
        items = pd.read_sql(sa.text("SELECT order_id, product_id, after_discount FROM order_items"), conn)
        products = pd.read_sql(sa.text("SELECT product_id, category FROM products"), conn)
    eng.dispose()
    orders["day"] = pd.to_datetime(orders["order_date"]).dt.date
    return orders.merge(items, on="order_id").merge(products, on="product_id")


def expected_kpis(lines: pd.DataFrame, start: str, end: str, categories=(), scope="is_valid") -> tuple[float, int]:
    rows = lines[(lines["day"] >= date.fromisoformat(start)) & (lines["day"] <= date.fromisoformat(end))
                 & (lines[scope] == 1)]
    if categories:
        rows = rows[rows["category"].isin(categories)]
    return round(float(rows["after_discount"].sum()), 2), int(rows["order_id"].nunique())


def make_client(url: str):
    server = Flask("api-test")
    query_engine.configure(url)
    cache.init_cache(server, Settings(database_url=url))
    api.register(server)
    return server.test_client()


@pytest.fixture
def client(db_url):
    return make_client(db_url)


def test_datasets_listing(client):
    response = client.get("/api/v1/datasets")
    assert response.status_code == 200
    listing = {d["name"]: d for d in response.get_json()["datasets"]}
    assert {"kpis", "sales_daily", "top_products"} <= set(listing)
    top = listing["top_products"]
    assert top["params"] == {"limit": 10} and "categories" in top["dimensions"] and top["title"]


def test_kpis_match_pandas_over_the_raw_tables(client, raw):
    response = client.get(f"/api/v1/datasets/kpis?from={START}&to={END}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["dataset"] == "kpis" and body["filters"] == {"from": START, "to": END}
    revenue, orders = expected_kpis(raw, START, END)
    assert body["rows"][0]["revenue"] == pytest.approx(revenue, abs=0.01)
    assert body["rows"][0]["orders"] == orders


def test_kpis_with_categories_and_scope_match_pandas(client, raw):
    categories = sorted(raw["category"].unique())[:2]
    query = urlencode({"category": categories}, doseq=True)
    body = client.get(f"/api/v1/datasets/kpis?from={START}&to={END}&{query}&scope=net").get_json()
    revenue, orders = expected_kpis(raw, START, END, categories, scope="is_net")
    assert body["rows"][0]["revenue"] == pytest.approx(revenue, abs=0.01)
    assert body["rows"][0]["orders"] == orders
    assert body["filters"]["category"] == categories and body["filters"]["scope"] == "net"


def test_same_json_as_the_cli(client, db_url, capsys):
    import run

    assert run.main(["query", "top_products", "--from", START, "--to", END, "--param", "limit=3", "--format", "json",
                     "--database-url", db_url]) == 0
    cli = capsys.readouterr().out
    http = client.get(f"/api/v1/datasets/top_products?from={START}&to={END}&param=limit=3")
    assert http.get_data(as_text=True).strip() == cli.strip()
    by_name = client.get(f"/api/v1/datasets/top_products?from={START}&to={END}&limit=3")
    assert by_name.get_data(as_text=True) == http.get_data(as_text=True)
    assert len(http.get_json()["rows"]) == 3


def test_csv_format(client):
    response = client.get(f"/api/v1/datasets/top_products?from={START}&to={END}&limit=3&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("product_id,product_name") and len(lines) == 4


@pytest.mark.parametrize("query, status, message", [
    ("kpis?from=notadate", 400, "is not a date"),
    ("kpis?from=2023-05-01&to=2023-01-01", 400, "after"),
    ("kpis?category=No+Such+Category", 400, "unknown category"),
    ("kpis?scope=everything", 400, "scope"),
    ("kpis?bogus=1", 400, "no parameter 'bogus'"),
    ("top_products?limit=many", 400, "must be int"),
    ("top_products?param=limit", 400, "KEY=VALUE"),
    ("kpis?format=xml", 400, "format"),
    ("no_such_dataset", 404, "unknown dataset"),
])
def test_bad_requests_get_a_json_error(client, query, status, message):
    response = client.get(f"/api/v1/datasets/{query}")
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_unknown_endpoint_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404 and "error" in response.get_json()


def test_database_down_is_503():
    client = make_client("mysql+pymysql://nobody@127.0.0.1:9/none")  # nothing listens on port 9
    response = client.get("/api/v1/datasets/kpis")
    assert response.status_code == 503
    assert response.get_json()["error"].startswith("database unavailable")
