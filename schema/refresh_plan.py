"""The order of the refresh steps, derived from what they read and write, and a runner that builds
independent chains on several connections at once.

A summary step waits for the steps that produce what its SELECT reads: another summary when it
reads that summary's table (agg_sales_day reads line_facts), a base step when it reads a column
whose value that step's UPDATE sets (agg_ad reads orders.total, set by order_totals). Nothing is
declared by hand: the tables and columns come from walking the SQLAlchemy statements, so a summary
registered later slots into the graph by itself.

The base steps (UPDATEs of base tables' derived columns) form one task: they run in order, in one
transaction, on one connection. Every summary is a task of its own. `run_parallel` hands ready
tasks to the free connections, the task with the most (transitive) dependents first, so the long
chains (line_facts -> agg_sales_day -> ..., order_facts -> agg_customer -> ...) start at once and
the leaves fill the gaps.
"""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import visitors


def reads(clause) -> tuple[set[sa.Table], set[sa.Column]]:
    """The tables and the table columns a statement or SELECT refers to (subqueries included)."""
    tables: set[sa.Table] = set()
    columns: set[sa.Column] = set()
    for element in visitors.iterate(clause):
        if isinstance(element, sa.Table):
            tables.add(element)
        elif isinstance(element, sa.Column) and isinstance(getattr(element, "table", None), sa.Table):
            columns.add(element)
            tables.add(element.table)
    return tables, columns


def writes(statements: Iterable) -> set[sa.Column]:
    """The columns the UPDATE statements among `statements` set (unwrapping OnlyIf-style wrappers)."""
    out: set[sa.Column] = set()
    for stmt in statements:
        stmt = getattr(stmt, "statement", stmt)
        if isinstance(stmt, sa.Update):
            values = getattr(stmt, "_values", None)
            if not values:  # cannot tell which columns: count all of them as written
                out.update(stmt.table.columns)
                continue
            for key in values:
                name = key if isinstance(key, str) else getattr(key, "key", None)
                out.add(stmt.table.c[name] if name in stmt.table.c else key)
    return out


@dataclass(frozen=True)
class Task:
    """What one connection runs in one go: one or more steps, after the tasks named in `needs`."""

    name: str
    steps: tuple
    needs: frozenset[str] = frozenset()


class CycleError(RuntimeError):
    pass


def plan(base_steps: Sequence, summary_steps: Sequence, read_by: Callable, written_by: Callable) -> list[Task]:
    """Tasks in a valid order (registration order where the dependencies allow).

    base_steps: run first-to-last as one task named "base". summary_steps: one task each, with
    `step.rebuilds` the summary table. read_by(step) -> (tables, columns) its SELECT reads;
    written_by(step) -> columns a base step sets."""
    written = set().union(*(written_by(s) for s in base_steps)) if base_steps else set()
    producer = {s.rebuilds: s.name for s in summary_steps}
    tasks: dict[str, Task] = {}
    if base_steps:
        tasks["base"] = Task("base", tuple(base_steps))
    for step in summary_steps:
        tables, columns = read_by(step)
        needs = {producer[t] for t in tables if t in producer and producer[t] != step.name}
        if columns & written:
            needs.add("base")
        tasks[step.name] = Task(step.name, (step,), frozenset(needs))
    ordered: list[Task] = []
    placed: set[str] = set()
    remaining = list(tasks.values())
    while remaining:  # each time the first task in registration order whose needs are placed
        task = next((t for t in remaining if t.needs <= placed), None)
        if task is None:
            raise CycleError("summaries read each other in a cycle: " + ", ".join(t.name for t in remaining))
        ordered.append(task)
        placed.add(task.name)
        remaining.remove(task)
    return ordered


def dependents(tasks: Sequence[Task]) -> dict[str, set[str]]:
    """name -> every task that (transitively) needs it."""
    out: dict[str, set[str]] = {t.name: set() for t in tasks}
    for t in reversed(tasks):  # tasks are in dependency order: a task's dependents come after it
        for need in t.needs:
            out[need] |= {t.name} | out[t.name]
    return out


# ---------------------------------------------------------------- running on several connections
@dataclass
class StepTime:
    name: str
    seconds: float
    connection: int


class _Board:
    """The shared state of the workers: what is pending, running and done, and the first error."""

    def __init__(self, tasks: Sequence[Task]):
        below = dependents(tasks)
        position = {t.name: i for i, t in enumerate(tasks)}
        self.rank = {t.name: (-len(below[t.name]), position[t.name]) for t in tasks}
        self.pending = {t.name: t for t in tasks}
        self.running: dict[str, int] = {}
        self.done: set[str] = set()
        self.error: BaseException | None = None
        self.cond = threading.Condition()

    def take(self, worker: int) -> Task | None:
        with self.cond:
            while True:
                if self.error is not None or not self.pending:
                    return None
                ready = [t for t in self.pending.values() if t.needs <= self.done]
                if ready:
                    task = min(ready, key=lambda t: self.rank[t.name])
                    del self.pending[task.name]
                    self.running[task.name] = worker
                    return task
                self.cond.wait()

    def finish(self, task: Task) -> None:
        with self.cond:
            self.done.add(task.name)
            self.running.pop(task.name, None)
            self.cond.notify_all()

    def fail(self, exc: BaseException) -> None:
        with self.cond:
            if self.error is None:
                self.error = exc
            self.cond.notify_all()

    def finished(self) -> bool:
        return self.error is not None or (not self.pending and not self.running)


def run_parallel(
    engine: Engine,
    tasks: Sequence[Task],
    run_step: Callable[[Connection, object], None],
    *,
    connections: int = 2,
    session: Callable[[Connection], contextlib.AbstractContextManager] | None = None,
    connection_id: Callable[[Connection], object] | None = None,
    interrupt: Callable[[list], None] | None = None,
) -> list[StepTime]:
    """Run every task on one of `connections` connections, each once its needs are done; a task's
    steps run in order and are committed together. Returns each step's time and connection (1-based).

    On the first error no new task starts, `interrupt(ids of the connections still busy)` is called
    (MySQL: KILL QUERY) so the others stop early, and the error is raised once all have stopped."""
    board = _Board(tasks)
    ids: dict[int, object] = {}
    times: list[StepTime] = []

    def work(worker: int) -> None:
        try:
            with engine.connect() as conn:
                if connection_id is not None:
                    ids[worker] = connection_id(conn)
                with session(conn) if session is not None else contextlib.nullcontext():
                    while (task := board.take(worker)) is not None:
                        for step in task.steps:
                            t0 = time.perf_counter()
                            run_step(conn, step)
                            times.append(StepTime(step.name, time.perf_counter() - t0, worker))
                        conn.commit()
                        board.finish(task)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which re-raises it
            board.fail(exc)

    threads = [threading.Thread(target=work, args=(i + 1,), name=f"refresh-{i + 1}", daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    try:
        with board.cond:
            board.cond.wait_for(board.finished)
    except BaseException as exc:  # Ctrl-C while waiting: stop the workers as on an error
        board.fail(exc)
    if board.error is not None and interrupt is not None:
        with board.cond:
            busy = [ids[w] for w in set(board.running.values()) if w in ids]
        if busy:
            with contextlib.suppress(Exception):
                interrupt(busy)
    for t in threads:
        t.join()
    if board.error is not None:
        raise board.error
    return times
