"""datagen.bench on a small run: figures are complete and consistent, databases are cleaned up."""
from __future__ import annotations

import os

import sqlalchemy as sa

from datagen.bench import bench_generate, format_bench_generate
from schema.tables import LOAD_ORDER


def _check_figures(figures: dict, backend: str) -> None:
    assert figures["backend"] == backend
    assert [t["name"] for t in figures["tables"]] == [t.name for t in LOAD_ORDER]
    assert figures["rows"] == sum(t["rows"] for t in figures["tables"]) > 2000
    assert figures["peak_memory_mib"] > 0
    assert figures["total_seconds"] >= figures["load_seconds"] > 0
    base = figures["baseline"]
    assert base["orders"] == 300 and base["rows"] == 300 + 60 + 7  # orders, customers, payment methods
    assert {"generate", "load", "total"} <= set(figures["speedup"])
    text = format_bench_generate(figures)
    for needle in ("orders", "order_items", "baseline", "ours / baseline", "peak memory"):
        assert needle in text


def test_bench_generate_on_a_temporary_sqlite_file(capsys):
    figures = bench_generate(None, orders=2000, seed=7, baseline_sample=300, progress=False)
    _check_figures(figures, "sqlite")
    assert figures["method"] == "executemany"
    assert capsys.readouterr().out == ""  # figures are returned, never printed


def test_bench_generate_on_a_server_drops_its_databases(db_factory):
    server = sa.make_url(db_factory("mariadb")).set(database=None).render_as_string(hide_password=False)
    figures = bench_generate(server, orders=2000, seed=7, baseline_sample=300, progress=False)
    _check_figures(figures, "mysql")
    assert figures["method"] == "load_data_infile"
    mine = {f"bench_{os.getpid()}", f"bench_{os.getpid()}_baseline"}
    admin = sa.create_engine(server)
    try:
        with admin.connect() as conn:
            names = set(conn.exec_driver_sql("SHOW DATABASES").scalars().all())
    finally:
        admin.dispose()
    assert not names & mine
