"""Portable SQL expressions the three backends spell differently (day and month of a timestamp,
the bit of a segment). Used by the summary SELECTs; compiled per dialect."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

MASK_BITS = 62  # bits used per BIGINT mask word (keeps every value positive on every backend)
MASK_WORDS = 2  # so at most 124 category x brand segments


class day_of(FunctionElement):  # noqa: N801 - reads like a SQL function
    """The calendar day of a DATETIME, as a DATE."""

    type = sa.Date()
    inherit_cache = True
    name = "day_of"


class month_of(FunctionElement):  # noqa: N801
    """The first day of the month of a DATE/DATETIME, as a DATE."""

    type = sa.Date()
    inherit_cache = True
    name = "month_of"


@compiles(day_of)
def _day_default(element, compiler, **kw):
    return "CAST(%s AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(day_of, "sqlite")
def _day_sqlite(element, compiler, **kw):
    return "date(%s)" % compiler.process(element.clauses, **kw)


@compiles(month_of)
def _month_pg(element, compiler, **kw):
    return "CAST(date_trunc('month', %s) AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return "date(%s, 'start of month')" % compiler.process(element.clauses, **kw)


@compiles(month_of, "mysql")
@compiles(month_of, "mariadb")
def _month_mysql(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)  # no '%' here: procedures run it unformatted
    return "(CAST(%s AS DATE) - INTERVAL (DAYOFMONTH(%s) - 1) DAY)" % (arg, arg)


class year_of(FunctionElement):  # noqa: N801
    """1 January of the year of a DATE/DATETIME, as a DATE."""

    type = sa.Date()
    inherit_cache = True
    name = "year_of"


@compiles(year_of)
def _year_pg(element, compiler, **kw):
    return "CAST(date_trunc('year', %s) AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(year_of, "sqlite")
def _year_sqlite(element, compiler, **kw):
    return "date(%s, 'start of year')" % compiler.process(element.clauses, **kw)


@compiles(year_of, "mysql")
@compiles(year_of, "mariadb")
def _year_mysql(element, compiler, **kw):
    return "MAKEDATE(YEAR(%s), 1)" % compiler.process(element.clauses, **kw)


def mask_word(segment_id, word: int):
    """The bit of `segment_id` inside mask word `word` (0 when the segment lives in another word)."""
    low, high = sa.literal_column(str(word * MASK_BITS)), sa.literal_column(str((word + 1) * MASK_BITS))
    one = sa.cast(sa.literal_column("1"), sa.BigInteger)
    return sa.case(
        (sa.and_(segment_id >= low, segment_id < high), one.op("<<")((segment_id - low).self_group())),
        else_=sa.cast(sa.literal_column("0"), sa.BigInteger),
    )


class bit_or(FunctionElement):  # noqa: N801
    """Bitwise OR of a group's values: BIT_OR on MySQL/MariaDB and PostgreSQL; SQLite has no such
    aggregate, but for single-bit values (mask_word) SUM(DISTINCT x) is the same number."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "bit_or"


@compiles(bit_or)
def _bit_or_default(element, compiler, **kw):
    return "BIT_OR(%s)" % compiler.process(element.clauses, **kw)


@compiles(bit_or, "sqlite")
def _bit_or_sqlite(element, compiler, **kw):
    return "SUM(DISTINCT %s)" % compiler.process(element.clauses, **kw)


class id_list(FunctionElement):  # noqa: N801
    """The group's integer values as one comma-separated text, repeats kept: ascending with
    GROUP_CONCAT on MySQL/MariaDB (within the session's group_concat_max_len, which the refresh and
    the query layer raise) and string_agg on PostgreSQL (so every refresh writes the same text);
    SQLite's group_concat (no ORDER BY before 3.44) lists them as read. NULL for an empty group."""

    type = sa.Text()
    inherit_cache = True
    name = "id_list"


@compiles(id_list)
def _id_list_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return "string_agg(CAST(%s AS TEXT), ',' ORDER BY %s)" % (arg, arg)


@compiles(id_list, "mysql")
@compiles(id_list, "mariadb")
def _id_list_mysql(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return "GROUP_CONCAT(%s ORDER BY %s)" % (arg, arg)


@compiles(id_list, "sqlite")
def _id_list_sqlite(element, compiler, **kw):
    return "group_concat(%s)" % compiler.process(element.clauses, **kw)
