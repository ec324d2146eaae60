"""Summary tables the dashboard reads (rule 8: a grain far coarser than the facts).

Each `Summary` pairs a Table (in the one MetaData, so init-db creates it and the data
dictionary documents it) with the SELECT that fills it; the table is always rebuilt whole.
schema/refresh.py turns the list below into refresh steps: on SQLite and PostgreSQL
`DELETE FROM t; INSERT INTO t (columns) <select>` inside the one refresh transaction; on
MySQL/MariaDB stored procedures that build `t__new` from the SELECT on two connections at once,
then one atomic RENAME swaps every summary in. A SELECT may read other summaries (it then reads
their freshly built rows); the order of the steps is derived from the tables each SELECT reads.
Register new summaries with `summary(table, build_select)`; the SELECT's columns must match
the table's columns in order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Select, Table


@dataclass(frozen=True)
class Summary:
    table: Table
    build_select: Callable[[], Select]


SUMMARIES: list[Summary] = []


def summary(table: Table, build_select: Callable[[], Select]) -> Table:
    SUMMARIES.append(Summary(table, build_select))
    return table


# The summary tables themselves (imported last: they register through `summary` above).
import schema.summary_tables  # noqa: E402,F401
