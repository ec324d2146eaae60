"""The refresh plan: dependencies derived from the statements, shadows, and the parallel runner."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from schema import refresh_plan
from schema.refresh import SHADOW, procedure_definitions, reading_shadows, shadow_of, steps, tasks
from schema.summaries import SUMMARIES
from schema.tables import metadata


def _task(name: str, plan: list[refresh_plan.Task]) -> refresh_plan.Task:
    return next(t for t in plan if t.name == name)


def test_each_summary_waits_for_what_its_select_reads():
    plan = tasks(shadow=True)
    assert plan[0].name == "base" and [s.name for s in plan[0].steps] == ["order_totals", "ad_metrics", "campaign_metrics"]
    assert _task("summary_agg_sales_day", plan).needs == {"summary_line_facts"}
    assert _task("summary_agg_sales_month", plan).needs == {"summary_agg_sales_day"}
    assert _task("summary_agg_customer", plan).needs == {"summary_order_facts"}
    assert _task("summary_agg_first_month", plan).needs == {"summary_agg_customer"}
    assert _task("summary_agg_ad", plan).needs == {"base"}  # reads orders.total, set by order_totals
    # reads orders, but none of the columns the base steps set: starts without waiting for them
    assert _task("summary_line_facts", plan).needs == {"summary_product_segment"}
    assert _task("summary_order_facts", plan).needs == {"summary_product_segment"}
    placed: set[str] = set()
    for task in plan:  # a valid order, and registration order where it is free
        assert task.needs <= placed, task.name
        placed.add(task.name)
    assert [s.name for s in steps()][3:] == [f"summary_{s.table.name}" for s in SUMMARIES]


def test_a_later_summary_slots_in_and_cycles_are_refused():
    line_facts = next(s for s in SUMMARIES if s.table.name == "line_facts")
    agg = sa.Table("x_rollup", sa.MetaData(), sa.Column("n", sa.Integer, primary_key=True))
    class S:  # a stand-in step: reads line_facts
        name, rebuilds = "summary_x_rollup", agg

        @staticmethod
        def select():
            return sa.select(sa.func.count()).select_from(line_facts.table)

    plan = refresh_plan.plan([], [*[s for s in steps() if s.rebuilds is not None], S], read_by=lambda s: refresh_plan.reads(s.select()),
                             written_by=lambda s: set())
    assert _task("summary_x_rollup", plan).needs == {"summary_line_facts"}

    class A:
        name, rebuilds = "a", sa.Table("a", sa.MetaData(), sa.Column("n", sa.Integer))

    class B:
        name, rebuilds = "b", sa.Table("b", sa.MetaData(), sa.Column("n", sa.Integer))

    A.select = staticmethod(lambda: sa.select(B.rebuilds.c.n))
    B.select = staticmethod(lambda: sa.select(A.rebuilds.c.n))
    with pytest.raises(refresh_plan.CycleError):
        refresh_plan.plan([], [A, B], read_by=lambda s: refresh_plan.reads(s.select()), written_by=lambda s: set())


def test_shadows_are_read_by_the_summaries_built_from_summaries_and_stay_out_of_the_metadata():
    dialect = mysql.dialect()
    dialect.is_mariadb = True
    customer = next(s for s in SUMMARIES if s.table.name == "agg_customer")
    others = [s.table for s in SUMMARIES if s is not customer]
    sql = str(reading_shadows(customer.build_select(), others).compile(dialect=dialect))
    assert "FROM order_facts__new IGNORE INDEX (ix_order_facts_customer_id)" in sql  # the index hint follows
    assert "order_facts." not in sql
    body = procedure_definitions(dialect)["refresh_summary_agg_customer"]
    assert "CREATE TABLE agg_customer__new" in body and "INSERT INTO agg_customer__new" in body
    assert "CREATE INDEX ix_agg_customer_top_gross ON agg_customer__new (revenue_gross DESC, customer_id)" in body  # the live name
    assert "unique_checks = 0" in body and "tx_isolation = 'READ-COMMITTED'" in body  # bulk path: it has indexes
    plain = procedure_definitions(dialect)["refresh_summary_agg_customer_ids_month"]  # no secondary index: plain inserts
    assert "unique_checks" not in plain and "lost its rows" not in plain and "tx_isolation = 'READ-COMMITTED'" in plain
    swap = procedure_definitions(dialect)["refresh_swap"]
    assert "RENAME TABLE dim_segment TO dim_segment__old, dim_segment__new TO dim_segment," in swap
    assert shadow_of(customer.table).name == "agg_customer" + SHADOW
    assert not [name for name in metadata.tables if name.endswith(("__new", "__old"))]


def test_run_parallel_respects_needs_and_uses_both_connections(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")

    class Step:
        def __init__(self, name):
            self.name = name

    plan = [
        refresh_plan.Task("a", (Step("a"),)),
        refresh_plan.Task("b", (Step("b"),), frozenset({"a"})),
        refresh_plan.Task("c", (Step("c"),)),
        refresh_plan.Task("d", (Step("d"),), frozenset({"b", "c"})),
    ]
    events: list[tuple[str, str]] = []
    lock = threading.Lock()

    def run_step(conn, step):
        with lock:
            events.append(("start", step.name))
        time.sleep(0.05)
        with lock:
            events.append(("end", step.name))

    times = refresh_plan.run_parallel(engine, plan, run_step, connections=2)
    order = {e: i for i, e in enumerate(events)}
    assert order[("end", "a")] < order[("start", "b")]
    assert max(order[("end", "b")], order[("end", "c")]) < order[("start", "d")]
    assert {t.connection for t in times} == {1, 2}  # a and c ran at once
    engine.dispose()


def test_run_parallel_stops_on_the_first_error(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")

    class Step:
        def __init__(self, name):
            self.name = name

    plan = [refresh_plan.Task("bad", (Step("bad"),))] + [refresh_plan.Task(f"t{i}", (Step(f"t{i}"),), frozenset({"bad"})) for i in range(3)]
    ran: list[str] = []

    def run_step(conn, step):
        ran.append(step.name)
        if step.name == "bad":
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        refresh_plan.run_parallel(engine, plan, run_step, connections=2)
    assert ran == ["bad"]
    engine.dispose()
