"""The summary tables the query layer reads (rule 8), each with the SELECT that fills it.

A SELECT may read base tables and other summaries; refresh derives from the tables each SELECT
reads which summary waits for which (schema/refresh_plan.py), so the registration order below is
for the reader (dimensions, then the scans of the facts, then summaries built from summaries).

A *segment* is one (category, brand) pair. Additive measures (money, units) are summed from
segment x day / segment x month rows, so any category and brand filter is exact. Distinct
orders and customers are not additive: `order_facts` keeps one narrow row per order with the
bitmask of the segments its lines touch (two BIGINT words, see schema.sqlexpr), so "orders with
at least one line in the selected categories and brands" is `(mask & :bits) != 0`, exact on
every backend.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Date, Index, Integer, Numeric, SmallInteger, String, Table
from sqlalchemy.dialects.mysql import LONGTEXT

from schema.sqlexpr import bit_or, id_list, mask_word, month_of, year_of
from schema.views import date_of as day_of, valid_revenue_by_ad
from schema.summaries import summary
from schema.tables import ads, customers, inventory_receipts, metadata, order_items, orders, products, reviews, sessions


def Total() -> Numeric:  # noqa: N802 - a column type
    return Numeric(18, 2, asdecimal=False)


def _flags() -> list[Column]:
    return [Column("is_valid", SmallInteger, nullable=False, comment="orders.is_valid of the orders summed"),
            Column("is_net", SmallInteger, nullable=False, comment="orders.is_net of the orders summed")]


def _money() -> list[Column]:
    return [
        Column("revenue", Total(), nullable=False, comment="sum(after_discount)"),
        Column("before_discount", Total(), nullable=False, comment="sum(before_discount)"),
        Column("discount", Total(), nullable=False, comment="sum(discount_amount)"),
        Column("units", BigInteger, nullable=False, comment="sum(quantity)"),
        Column("cost", Total(), nullable=False, comment="sum(quantity x products.unit_cost)"),
    ]


NO_ROWID = {"sqlite_with_rowid": False}  # clustered on the primary key on SQLite, as InnoDB is


def in_written_order(select):
    """MySQL/MariaDB: join in FROM order (the facts first, then dimensions by primary key). Left to
    itself MariaDB drives from the small dimension and reads the facts by random index lookups,
    several times slower once the facts outgrow the buffer pool."""
    return select.prefix_with("STRAIGHT_JOIN", dialect="mysql").prefix_with("STRAIGHT_JOIN", dialect="mariadb")


def sorted_groups(select):
    """MySQL/MariaDB: GROUP BY by sorting (SQL_BIG_RESULT: the first table is sorted on the group key,
    then joined and aggregated as a stream) rather than through a temporary table keyed on the groups,
    which costs more per row once the groups are many; the joined tables are then read in key order."""
    return select.prefix_with("SQL_BIG_RESULT", dialect="mysql").prefix_with("SQL_BIG_RESULT", dialect="mariadb")


def in_key_order(select, key_columns: int):
    """MySQL/MariaDB: emit the rows sorted on the target's primary key (its first `key_columns` output
    columns), so InnoDB appends to its clustered index instead of splitting pages within a day; a
    filesort of the 1.3M order lines costs less than it saves (line_facts 9.9 s -> 7.5 s). SQLite
    gains nothing from it (measured), so other backends insert as read."""
    order = "ORDER BY " + ", ".join(str(i) for i in range(1, key_columns + 1))
    return select.suffix_with(order, dialect="mysql").suffix_with(order, dialect="mariadb")


def mysql_ignore_index(select, table: Table, index: str):
    """MySQL/MariaDB only: scan the table rather than walk `index` with a row lookup per entry."""
    for name in ("mysql", "mariadb"):
        select = select.with_hint(table, f"IGNORE INDEX ({index})", dialect_name=name)
    return select

# ---------------------------------------------------------------- dimension
dim_segment = Table(
    "dim_segment", metadata,
    Column("segment_id", Integer, primary_key=True, autoincrement=False, comment="0-based; bit position in the masks"),
    Column("category", String(60), nullable=False),
    Column("brand", String(60), nullable=False),
    sa.UniqueConstraint("category", "brand"),
    comment="Summary: one row per (category, brand) pair of the catalogue.",
)


def _select_dim_segment():
    p = products.c
    return sa.select(
        (sa.func.row_number().over(order_by=(p.category, p.brand)) - 1).label("segment_id"), p.category, p.brand
    ).group_by(p.category, p.brand)


summary(dim_segment, _select_dim_segment)


product_segment = Table(
    "product_segment", metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("segment_id", Integer, nullable=False),
    Column("unit_cost", Numeric(14, 2, asdecimal=False), nullable=False),
    comment="Summary: each product's segment and unit cost (integer keys for the line scan).",
)


def _select_product_segment():
    p = products.c
    return sa.select(p.product_id, dim_segment.c.segment_id, p.unit_cost).select_from(
        products.join(dim_segment, sa.and_(dim_segment.c.category == p.category, dim_segment.c.brand == p.brand)))


summary(product_segment, _select_product_segment)

def _lines():
    """order_items joined to their order and their product's segment and cost."""
    return order_items.join(orders, orders.c.order_id == order_items.c.order_id).join(
        product_segment, product_segment.c.product_id == order_items.c.product_id)


def _money_sums(cols):
    return [sa.func.sum(cols[c]) for c in ("revenue", "before_discount", "discount", "units", "cost")]


PERIOD_OF = {"day": lambda col: col, "month": month_of, "year": year_of}
PERIOD_COMMENT = {"month": "first day of the month", "year": "1 January"}


def _rollup(name: str, source: Table, *, to: str, drop: tuple[str, ...] = (), carry: tuple[str, ...] = (),
            comment: str) -> Table:
    """A coarser copy of a summary whose first key column is its period (day or month): that period
    as `to` (day, month or year), its other key columns but `drop`, the `carry` columns (functions of
    the key, e.g. a product's segment) as they are, its other columns summed."""
    period, *rest = source.primary_key.columns
    keys = [c for c in rest if c.name not in drop]
    values = [c for c in source.columns if not c.primary_key]
    table = Table(name, metadata, Column(to, Date, primary_key=True, comment=PERIOD_COMMENT.get(to)),
                  *[Column(c.name, c.type, primary_key=True, autoincrement=False, comment=c.comment) for c in keys],
                  *[Column(c.name, c.type, nullable=False, comment=c.comment) for c in values], comment=comment, **NO_ROWID)

    def select():
        d = source.c
        group = [PERIOD_OF[to](d[period.name]), *[d[c.name] for c in keys]]
        return sorted_groups(sa.select(*group, *[(sa.func.min if c.name in carry else sa.func.sum)(d[c.name]) for c in values])
                             .group_by(*group))

    summary(table, select)
    return table


# ---------------------------------------------------------------- order lines by day (edge days of product queries)
line_facts = Table(
    "line_facts", metadata,
    Column("day", Date, primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("order_item_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, nullable=False),
    Column("customer_id", Integer, nullable=False),
    *_money(),
    # distinct orders and customers under a category or brand filter read only the selected segments' lines
    Index("ix_line_facts_segment_day", "segment_id", "day", "is_valid", "is_net", "order_id", "customer_id"),
    comment="Summary: every order line with its order's day, flags and customer and its product's segment and cost, "
            "clustered by (day, segment, flags, product): agg_sales_day is a streamed GROUP BY over it, and product totals "
            "over a few days (the edges of a date range that are not whole months) read a contiguous slice.",
    **NO_ROWID,
)


def _select_line_facts():
    o, oi, d = orders.c, order_items.c, product_segment.c
    return in_key_order(in_written_order(sa.select(
        day_of(o.order_date), d.segment_id, o.is_valid, o.is_net, oi.product_id, oi.order_item_id, oi.order_id,
        o.customer_id, oi.after_discount, oi.before_discount, oi.discount_amount, oi.quantity, oi.quantity * d.unit_cost,
    ).select_from(_lines())), 6)


summary(line_facts, _select_line_facts)


# ---------------------------------------------------------------- sales: segment x day
agg_sales_day = Table(
    "agg_sales_day", metadata,
    Column("day", Date, primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    *_money(),
    Column("lines", Integer, nullable=False, comment="order lines summed"),
    # covers the daily trend under a category or brand filter (SQLite, one category over all time: 13.5 -> 5.5 ms)
    Index("ix_agg_sales_day_segment_day", "segment_id", "day", "is_valid", "is_net", "revenue", "units"),
    comment="Summary: order lines per day x (category, brand) segment x status flags.",
    **NO_ROWID,
)


def _select_sales_day():
    f = line_facts.c  # grouped on line_facts' key prefix: no sort, no temporary table
    return (sa.select(f.day, f.segment_id, f.is_valid, f.is_net, *_money_sums(f), sa.func.count())
            .group_by(f.day, f.segment_id, f.is_valid, f.is_net))


summary(agg_sales_day, _select_sales_day)

# ---------------------------------------------------------------- sales: product x month, one column per status scope
SCOPE_SUFFIXES = ("gross", "valid", "net")
PRODUCT_SUMS = ("revenue", "before_discount", "discount", "units", "cost", "orders")


def scoped_name(measure: str, scope: str) -> str:
    return f"{measure}_{scope}"


def in_scope(cols, scope: str, value, other=None):
    """`value` for rows of orders in the status `scope` (gross: all; valid, net: their flag), else `other`."""
    flag = {"gross": None, "valid": cols.is_valid, "net": cols.is_net}[scope]
    return value if flag is None else sa.case((flag == 1, value), else_=other)


def _scoped_product_columns() -> list[Column]:
    """Every product measure once per status scope (gross: all orders, valid, net): a product's month
    is one row whatever the scope, so a range reads one row per product and piece."""
    types = {c.name: (c.type, c.comment) for c in _money()}
    types["orders"] = (Integer(), "distinct orders with the product")
    return [Column(scoped_name(m, s), types[m][0], nullable=False, comment=f"{types[m][1]}, orders in scope {s}")
            for s in SCOPE_SUFFIXES for m in PRODUCT_SUMS]


agg_product_month = Table(
    "agg_product_month", metadata,
    Column("month", Date, primary_key=True),
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("segment_id", Integer, nullable=False),
    *_scoped_product_columns(),
    Index(None, "segment_id", "month"),
    comment="Summary: order lines per month x product, each measure per status scope.",
    **NO_ROWID,
)


def _select_product_month():
    f = line_facts.c  # the lines already joined to their order and segment: one scan, no second join
    month = month_of(f.day)
    # per status flags first (an order has one set of flags, so its distinct orders add up across them),
    # then one row per product with the flags' sums folded into the scopes
    per_flags = (sa.select(month.label("month"), f.product_id, f.is_valid, f.is_net, sa.func.min(f.segment_id).label("segment_id"),
                           *[sa.func.sum(f[c]).label(c) for c in PRODUCT_SUMS[:-1]],
                           sa.func.count(sa.distinct(f.order_id)).label("orders"))
                 .group_by(month, f.product_id, f.is_valid, f.is_net).subquery("per_flags"))
    g = per_flags.c
    zero = sa.literal_column("0")
    return (sa.select(g.month, g.product_id, sa.func.min(g.segment_id),
                      *[sa.func.sum(in_scope(g, s, g[m], zero)) for s in SCOPE_SUFFIXES for m in PRODUCT_SUMS])
            .group_by(g.month, g.product_id))


summary(agg_product_month, _select_product_month)
agg_product_year = _rollup("agg_product_year", agg_product_month, to="year", carry=("segment_id",),
                           comment="Summary: agg_product_month rolled up to years (a range's whole year reads these).")

agg_product_cum = Table(
    "agg_product_cum", metadata,
    Column("month", Date, primary_key=True, comment="first day of the month: the sums run through its last day"),
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("segment_id", Integer, nullable=False),
    *_scoped_product_columns(),
    comment="Summary: per product, its sales from the start through each month (a row for every month from the "
            "product's first one, each measure per status scope): whole months m1..m2 are the latest row up to m2 "
            "less the latest row before m1, two rows per product however long the range.",
    **NO_ROWID,
)


def _select_product_cum():
    m = agg_product_month.c
    months = sa.select(m.month).distinct().subquery("months")
    keys = (sa.select(m.product_id, sa.func.min(m.segment_id).label("segment_id"), sa.func.min(m.month).label("first_month"))
            .group_by(m.product_id).subquery("product_keys"))
    k, sold = keys.c, agg_product_month.alias("sold")
    grid = keys.join(months, months.c.month >= k.first_month).outerjoin(
        sold, sa.and_(sold.c.month == months.c.month, sold.c.product_id == k.product_id))
    running = {"partition_by": k.product_id, "order_by": months.c.month}
    sums = [c.name for c in agg_product_cum.columns if not c.primary_key and c.name != "segment_id"]
    return sa.select(months.c.month, k.product_id, k.segment_id,
                     *[sa.func.sum(sa.func.coalesce(sold.c[c], 0)).over(**running) for c in sums]).select_from(grid)


summary(agg_product_cum, _select_product_cum)

# ---------------------------------------------------------------- orders: one narrow row per order
order_facts = Table(
    "order_facts", metadata,
    Column("day", Date, primary_key=True),
    Column("order_id", Integer, primary_key=True, autoincrement=False),
    *_flags(),
    Column("customer_id", Integer, nullable=False),
    Column("payment_method_id", Integer, nullable=False),
    Column("mask0", BigInteger, nullable=False, comment="segments 0..61 the order's lines touch (bit i = segment i)"),
    Column("mask1", BigInteger, nullable=False, comment="segments 62..123"),
    Column("revenue", Total(), nullable=False, comment="sum(after_discount) of the order"),
    Column("units", Integer, nullable=False),
    Index(None, "customer_id"),
    comment="Summary: one narrow row per order with lines (day-clustered) for exact distinct order and customer counts.",
    **NO_ROWID,
)


def _select_order_facts():
    o, oi, seg = orders.c, order_items.c, product_segment.c.segment_id
    # one GROUP BY order_id over the lines, read in order_id order (SQLite: its index; MySQL: sorted
    # first, so the orders are looked up in key order), so the groups stream; the order's own columns
    # are constant within a group, hence MIN() rather than more GROUP BY keys
    return sorted_groups(in_written_order(
        sa.select(sa.func.min(day_of(o.order_date)), oi.order_id, sa.func.min(o.is_valid), sa.func.min(o.is_net),
                  sa.func.min(o.customer_id), sa.func.min(o.payment_method_id), bit_or(mask_word(seg, 0)),
                  bit_or(mask_word(seg, 1)), sa.func.sum(oi.after_discount), sa.func.sum(oi.quantity))
        .select_from(_lines()).group_by(oi.order_id)))


summary(order_facts, _select_order_facts)


# ---------------------------------------------------------------- orders: day x payment method, day x city
def _order_measures():
    return [Column("orders", Integer, nullable=False), Column("revenue", Total(), nullable=False),
            Column("units", BigInteger, nullable=False)]


agg_orders_day_pm = Table(
    "agg_orders_day_pm", metadata,
    Column("day", Date, primary_key=True),
    Column("payment_method_id", Integer, primary_key=True, autoincrement=False),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    *_order_measures(),
    Index(None, "payment_method_id", "day"),
    comment="Summary: orders per day x payment method x status flags.",
    **NO_ROWID,
)


def _select_orders_day_pm():
    f = order_facts.c
    return sorted_groups(
        sa.select(f.day, f.payment_method_id, f.is_valid, f.is_net, sa.func.count(), sa.func.sum(f.revenue), sa.func.sum(f.units))
        .group_by(f.day, f.payment_method_id, f.is_valid, f.is_net)
    )


summary(agg_orders_day_pm, _select_orders_day_pm)

agg_orders_day_city = Table(
    "agg_orders_day_city", metadata,
    Column("day", Date, primary_key=True),
    Column("city", String(60), primary_key=True),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    *_order_measures(),
    Index(None, "city", "day"),
    comment="Summary: orders per day x customer city x status flags.",
    **NO_ROWID,
)


def _select_orders_day_city():
    f = order_facts.c
    return in_written_order((
        sa.select(f.day, customers.c.city, f.is_valid, f.is_net, sa.func.count(), sa.func.sum(f.revenue), sa.func.sum(f.units))
        .select_from(order_facts.join(customers, customers.c.customer_id == f.customer_id))
        .group_by(f.day, customers.c.city, f.is_valid, f.is_net)
    ))


summary(agg_orders_day_city, _select_orders_day_city)



# ---------------------------------------------------------------- orders: the same rolled up (day; month x pm; month x city)
agg_orders_day = _rollup("agg_orders_day", agg_orders_day_pm, to="day", drop=("payment_method_id",),
                         comment="Summary: orders per day x status flags (agg_orders_day_pm without the payment method).")
agg_orders_month = _rollup("agg_orders_month", agg_orders_day, to="month",
                           comment="Summary: orders per month x status flags (whole months of a date range read these).")
agg_orders_month_pm = _rollup("agg_orders_month_pm", agg_orders_day_pm, to="month",
                              comment="Summary: orders per month x payment method x status flags.")
agg_orders_month_city = _rollup("agg_orders_month_city", agg_orders_day_city, to="month",
                                comment="Summary: orders per month x customer city x status flags.")

# ---------------------------------------------------------------- orders per segment mask (product filters)
agg_orders_day_mask = Table(
    "agg_orders_day_mask", metadata,
    Column("day", Date, primary_key=True),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    *[Column(c.name, c.type, primary_key=True, autoincrement=False, comment=c.comment)
      for c in order_facts.columns if c.name.startswith("mask")],
    Column("orders", Integer, nullable=False),
    comment="Summary: orders per day x status flags x segment mask: distinct orders under a category or brand "
            "filter without reading every order (orders touch few segments, so masks repeat).",
    **NO_ROWID,
)


def _select_orders_day_mask():
    f = order_facts.c
    group = [f.day, f.is_valid, f.is_net, *[c for c in f if c.name.startswith("mask")]]
    return sorted_groups(sa.select(*group, sa.func.count()).group_by(*group))


summary(agg_orders_day_mask, _select_orders_day_mask)
agg_orders_month_mask = _rollup("agg_orders_month_mask", agg_orders_day_mask, to="month",
                                comment="Summary: orders per month x status flags x segment mask.")

agg_orders_day_category = Table(
    "agg_orders_day_category", metadata,
    Column("day", Date, primary_key=True),
    Column("category", String(60), primary_key=True),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    Column("orders", Integer, nullable=False, comment="distinct orders with a line in the category"),
    comment="Summary: orders per day x category x status flags: distinct orders under a one-category filter "
            "(the commonest) without de-duplicating lines or testing masks.",
    **NO_ROWID,
)


def _select_orders_day_category():
    li, d = line_facts.c, dim_segment.c
    group = [li.day, d.category, li.is_valid, li.is_net]
    return in_written_order(sorted_groups(sa.select(*group, sa.func.count(sa.distinct(li.order_id)))
                                          .select_from(line_facts.join(dim_segment, d.segment_id == li.segment_id))
                                          .group_by(*group)))


summary(agg_orders_day_category, _select_orders_day_category)
agg_orders_month_category = _rollup("agg_orders_month_category", agg_orders_day_category, to="month",
                                    comment="Summary: orders per month x category x status flags (an order has one day).")

# ---------------------------------------------------------------- customers per segment and month (product filters)
def LongText() -> sa.Text:  # noqa: N802 - a column type
    return sa.Text().with_variant(LONGTEXT(), "mysql", "mariadb")  # MySQL's TEXT stops at 64 KB


agg_customer_ids_month = Table(
    "agg_customer_ids_month", metadata,
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    Column("month", Date, primary_key=True),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    Column("customer_ids", LongText(), nullable=False,
           comment="comma-separated ids of the customers with a line in the segment in the month (repeats kept)"),
    comment="Summary: the customers per (category, brand) segment x month x status flags, as one list of ids: "
            "distinct customers under a category or brand filter are the union of a few hundred lists, "
            "counted in Python, instead of COUNT(DISTINCT) over every selected line (MariaDB, three "
            "categories over a year: 60k lines, 26 ms).",
    **NO_ROWID,
)


def _select_customer_ids_month():
    li = line_facts.c
    group = [li.segment_id, month_of(li.day), li.is_valid, li.is_net]
    return sa.select(*group, id_list(li.customer_id)).group_by(*group)


summary(agg_customer_ids_month, _select_customer_ids_month)

# ---------------------------------------------------------------- customers with an order per month and year
def _presence_columns() -> list[Column]:
    return [Column("city", String(60), nullable=False, comment="customers.city (copied: customer filters need no join)"),
            Column("platform", String(20), nullable=False, comment="customers.platform (copied)"),
            Column("is_valid", SmallInteger, nullable=False, comment="1 when one of the customer's orders in the period is valid"),
            Column("is_net", SmallInteger, nullable=False, comment="1 when one of them is net")]


def _before_period(scope: str) -> Column:
    return Column(f"prev_day_{scope}", Date, nullable=True,
                  comment=f"the customer's last order day in scope {scope} before the period (NULL: none)")


def _first_in_range_indexes(table: str, period: str) -> list[Index]:
    """Per status scope, (period, flag, prev_day, city, platform): the rows of a customer's first period
    in a range are those whose prev_day falls before the range, a short slice of the index per listed
    period (`period IN (...)`), where the primary key would read every row of those periods (MariaDB,
    16 months: 21 -> 6 ms); city and platform let customer filters count from the index alone (three
    cities over 5 months: 21 ms by the primary key, 27 ms by the index without them, 8 ms with)."""
    flags = {"gross": (), "valid": ("is_valid",), "net": ("is_net",)}
    return [Index(f"ix_{table}_first_{s}", period, *flags[s], f"prev_day_{s}", "city", "platform") for s in SCOPE_SUFFIXES]


def _previous_order_day(last_day, customer_id, period):
    """The latest `last_day` of the customer's earlier periods (NULL when none): a window over the rows."""
    return sa.func.max(last_day).over(partition_by=customer_id, order_by=period, rows=(None, -1))


agg_customer_month = Table(
    "agg_customer_month", metadata,
    Column("month", Date, primary_key=True),
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    *_presence_columns(),
    *[Column(f"first_day_{s}", Date, nullable=True, comment=f"first order day in scope {s} in the month") for s in SCOPE_SUFFIXES],
    *[Column(f"last_day_{s}", Date, nullable=True, comment=f"last order day in scope {s} in the month") for s in SCOPE_SUFFIXES],
    *[_before_period(s) for s in SCOPE_SUFFIXES],
    *_first_in_range_indexes("agg_customer_month", "month"),
    comment="Summary: one row per customer and month with an order: distinct customers of any date range as a "
            "count of rows (a customer counts in the first month of the range holding one of its orders: "
            "sources.active_customers); half as many rows as orders.",
    **NO_ROWID,
)


def _select_customer_month():
    f, c = order_facts.c, customers.c
    month = month_of(f.day)
    # grouped first, then joined: one customer lookup per customer-month rather than per order
    # (SQLite 4.8 s -> 2.7 s at 1M orders)
    per = sorted_groups(sa.select(
        month.label("month"), f.customer_id, sa.func.max(f.is_valid).label("is_valid"), sa.func.max(f.is_net).label("is_net"),
        *[sa.func.min(in_scope(f, s, f.day)).label(f"first_day_{s}") for s in SCOPE_SUFFIXES],
        *[sa.func.max(in_scope(f, s, f.day)).label(f"last_day_{s}") for s in SCOPE_SUFFIXES],
    ).group_by(month, f.customer_id)).subquery("per_month")
    p = per.c
    return in_written_order(sa.select(
        p.month, p.customer_id, c.city, c.platform, p.is_valid, p.is_net,
        *[p[f"first_day_{s}"] for s in SCOPE_SUFFIXES], *[p[f"last_day_{s}"] for s in SCOPE_SUFFIXES],
        *[_previous_order_day(p[f"last_day_{s}"], p.customer_id, p.month) for s in SCOPE_SUFFIXES],
    ).select_from(per.join(customers, c.customer_id == p.customer_id)))


summary(agg_customer_month, _select_customer_month)

agg_customer_year = Table(
    "agg_customer_year", metadata,
    Column("year", Date, primary_key=True, comment="1 January"),
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    *_presence_columns(),
    *[_before_period(s) for s in SCOPE_SUFFIXES],
    *_first_in_range_indexes("agg_customer_year", "year"),
    comment="Summary: agg_customer_month rolled up to years (a fifth of the orders' rows).",
    **NO_ROWID,
)


def _select_customer_year():
    m = agg_customer_month.c
    year = year_of(m.month)
    return sorted_groups(sa.select(
        year, m.customer_id, sa.func.min(m.city), sa.func.min(m.platform), sa.func.max(m.is_valid), sa.func.max(m.is_net),
        *[_previous_order_day(sa.func.max(m[f"last_day_{s}"]), m.customer_id, year) for s in SCOPE_SUFFIXES],
    ).group_by(year, m.customer_id))


summary(agg_customer_year, _select_customer_year)

# ---------------------------------------------------------------- customers: lifetime per customer

agg_customer = Table(
    "agg_customer", metadata,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    *[Column(f"first_day_{s}", Date, nullable=True, comment=f"first order day in scope {s}") for s in SCOPE_SUFFIXES],
    *[Column(f"orders_{s}", Integer, nullable=False, comment=f"lifetime orders in scope {s}") for s in SCOPE_SUFFIXES],
    *[Column(f"revenue_{s}", Total(), nullable=False, comment=f"lifetime revenue in scope {s}") for s in SCOPE_SUFFIXES],
    comment="Summary: lifetime orders and revenue of each customer who ordered, per status scope.",
)
for _s in SCOPE_SUFFIXES:  # top customers: ORDER BY revenue DESC, customer_id LIMIT n reads n index entries. With
    # an ascending index the mixed directions made MariaDB sort all 117k customers (45-60 ms at 1M orders)
    Index(f"ix_agg_customer_top_{_s}", agg_customer.c[f"revenue_{_s}"].desc(), agg_customer.c.customer_id)


def _select_customer():
    f = order_facts.c
    one, zero = sa.literal_column("1"), sa.literal_column("0")
    # a scan and a sort: MariaDB would rather walk the customer_id index, a random row lookup per order
    return mysql_ignore_index(sorted_groups(sa.select(
        f.customer_id,
        *[sa.func.min(in_scope(f, s, f.day)) for s in SCOPE_SUFFIXES],
        *[sa.func.sum(in_scope(f, s, one, zero)) for s in SCOPE_SUFFIXES],
        *[sa.func.sum(in_scope(f, s, f.revenue, zero)) for s in SCOPE_SUFFIXES],
    ).group_by(f.customer_id)), order_facts, "ix_order_facts_customer_id")


summary(agg_customer, _select_customer)

# ---------------------------------------------------------------- sales: segment x month (from the daily rows)
agg_sales_month = Table(
    "agg_sales_month", metadata,
    Column("month", Date, primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    *[Column(c.name, c.type, primary_key=True, comment=c.comment) for c in _flags()],
    *_money(),
    Column("lines", Integer, nullable=False),
    comment="Summary: agg_sales_day rolled up to months (whole months of a date range read these).",
    **NO_ROWID,
)


def _select_sales_month():
    d = agg_sales_day.c
    month = month_of(d.day)
    return sorted_groups(sa.select(month, d.segment_id, d.is_valid, d.is_net, *_money_sums(d), sa.func.sum(d.lines))
                         .group_by(month, d.segment_id, d.is_valid, d.is_net))


summary(agg_sales_month, _select_sales_month)
agg_sales_day_total = _rollup("agg_sales_day_total", agg_sales_day, to="day", drop=("segment_id",),
                              comment="Summary: order lines per day x status flags over every segment (money without a "
                                      "product filter: a row per day rather than one per segment).")
agg_sales_month_total = _rollup("agg_sales_month_total", agg_sales_day_total, to="month",
                                comment="Summary: agg_sales_day_total rolled up to months.")

# ---------------------------------------------------------------- reviews, receipts, sessions
agg_product_rating = Table(
    "agg_product_rating", metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("reviews", Integer, nullable=False),
    Column("rating_sum", Integer, nullable=False),
    comment="Summary: number of reviews and sum of ratings per product (all time).",
)


def _select_product_rating():
    r = reviews.c
    return sa.select(r.product_id, sa.func.count(), sa.func.sum(r.rating)).group_by(r.product_id)


summary(agg_product_rating, _select_product_rating)

agg_receipts_day = Table(
    "agg_receipts_day", metadata,
    Column("day", Date, primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    Column("quantity", BigInteger, nullable=False, comment="sum(quantity_received)"),
    Column("receipts", Integer, nullable=False),
    comment="Summary: inventory received per day x segment.",
    **NO_ROWID,
)


def _select_receipts_day():
    r, d = inventory_receipts.c, product_segment.c
    return in_written_order((
        sa.select(r.received_date, d.segment_id, sa.func.sum(r.quantity_received), sa.func.count())
        .select_from(inventory_receipts.join(product_segment, d.product_id == r.product_id))
        .group_by(r.received_date, d.segment_id)
    ))


summary(agg_receipts_day, _select_receipts_day)
agg_receipts_month = _rollup("agg_receipts_month", agg_receipts_day, to="month",
                             comment="Summary: inventory received per month x segment (whole months of a range read these).")

agg_sessions_day = Table(
    "agg_sessions_day", metadata,
    Column("day", Date, primary_key=True),
    Column("traffic_source", String(20), primary_key=True),
    Column("device", String(10), primary_key=True),
    Column("sessions", Integer, nullable=False),
    Column("orders", Integer, nullable=False, comment="sessions that placed an order"),
    comment="Summary: sessions per day x traffic source x device.",
    **NO_ROWID,
)


def _select_sessions_day():
    s = sessions.c
    day = day_of(s.started_at)
    return sorted_groups(sa.select(day, s.traffic_source, s.device, sa.func.count(), sa.func.count(s.order_id)).group_by(
        day, s.traffic_source, s.device))


summary(agg_sessions_day, _select_sessions_day)


# ---------------------------------------------------------------- customers: per month x city x platform
agg_active_month = Table(
    "agg_active_month", metadata,
    Column("month", Date, primary_key=True),
    Column("city", String(60), primary_key=True),
    Column("platform", String(20), primary_key=True),
    *[Column(f"active_{s}", Integer, nullable=False, comment=f"distinct customers with an order in scope {s}") for s in SCOPE_SUFFIXES],
    comment="Summary: active customers per month x city x platform (additive over city and platform: one each per customer).",
    **NO_ROWID,
)


def _select_active_month():
    m = agg_customer_month.c  # one row per customer and month, with city and platform: no second pass over the orders
    return sa.select(m.month, m.city, m.platform, sa.func.count(), sa.func.sum(m.is_valid), sa.func.sum(m.is_net)).group_by(
        m.month, m.city, m.platform)


summary(agg_active_month, _select_active_month)

agg_first_month = Table(
    "agg_first_month", metadata,
    Column("month", Date, primary_key=True),
    Column("scope", String(5), primary_key=True, comment="gross, valid or net"),
    Column("city", String(60), primary_key=True),
    Column("platform", String(20), primary_key=True),
    Column("customers", Integer, nullable=False, comment="customers whose first order in the scope falls in the month"),
    comment="Summary: new (first-order) customers per month x scope x city x platform.",
    **NO_ROWID,
)


def _select_first_month():
    c = agg_customer.c
    parts = []
    for s in SCOPE_SUFFIXES:
        month = month_of(c[f"first_day_{s}"])
        parts.append(
            sa.select(month.label("month"), sa.literal_column(f"'{s}'").label("scope"), customers.c.city, customers.c.platform,
                      sa.func.count().label("customers"))
            .select_from(agg_customer.join(customers, customers.c.customer_id == c.customer_id))
            .where(c[f"first_day_{s}"].is_not(None))
            .group_by(month, customers.c.city, customers.c.platform)
        )
    return sa.union_all(*parts)


summary(agg_first_month, _select_first_month)

# ---------------------------------------------------------------- marketing: attributed revenue per ad
agg_ad = Table(
    "agg_ad", metadata,
    Column("ad_id", Integer, primary_key=True, autoincrement=False),
    Column("revenue", Total(), nullable=False, comment="valid attributed revenue (schema.views.valid_revenue_by_ad)"),
    comment="Summary: attributed valid revenue per ad (ads without attributed orders have 0).",
)


def _select_ad():
    rev = valid_revenue_by_ad()
    return sa.select(ads.c.ad_id, sa.func.coalesce(rev.c.revenue, 0)).select_from(
        ads.outerjoin(rev, rev.c.ad_id == ads.c.ad_id))


summary(agg_ad, _select_ad)


# ---------------------------------------------------------------- registered customers per sign-up month
AGE_BANDS = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None))


def age_band(age):
    """'16-24' ... '65+': the one definition of the age bands."""
    return sa.case(*[((age <= hi) if hi else (age >= lo), sa.literal_column(f"'{lo}-{hi}'" if hi else f"'{lo}+'"))
                     for lo, hi in AGE_BANDS])


agg_signup_month = Table(
    "agg_signup_month", metadata,
    Column("month", Date, primary_key=True, comment="month of signup_date"),
    Column("city", String(60), primary_key=True),
    Column("platform", String(20), primary_key=True),
    Column("gender", String(1), primary_key=True),
    Column("age_band", String(5), primary_key=True),
    Column("users", Integer, nullable=False),
    comment="Summary: customers per sign-up month x city x platform x gender x age band.",
    **NO_ROWID,
)


def _select_signup_month():
    c = customers.c
    month, band = month_of(c.signup_date), age_band(c.age)
    return sa.select(month, c.city, c.platform, c.gender, band, sa.func.count()).group_by(month, c.city, c.platform, c.gender, band)


summary(agg_signup_month, _select_signup_month)
agg_signup_place_month = _rollup(
    "agg_signup_place_month", agg_signup_month, to="month", drop=("gender", "age_band"),
    comment="Summary: customers per sign-up month x city x platform (user counts read a tenth of agg_signup_month's rows).")


# ---------------------------------------------------------------- customers: lifetime distribution
FREQUENCY_BUCKETS = ((1, 1, "1"), (2, 2, "2"), (3, 3, "3"), (4, 4, "4"), (5, 9, "5-9"), (10, None, "10+"))


def frequency_bucket(n):
    """'1', '2', '3', '4', '5-9', '10+': the one definition of the order-frequency buckets."""
    return sa.case(*[((n <= hi) if hi else (n >= lo), sa.literal_column(f"'{label}'")) for lo, hi, label in FREQUENCY_BUCKETS])


agg_customer_segment = Table(
    "agg_customer_segment", metadata,
    Column("scope", String(5), primary_key=True, comment="gross, valid or net"),
    Column("city", String(60), primary_key=True),
    Column("platform", String(20), primary_key=True),
    Column("orders_bucket", String(5), primary_key=True, comment="lifetime orders in the scope: 1, 2, 3, 4, 5-9, 10+"),
    Column("customers", Integer, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("revenue", Total(), nullable=False),
    comment="Summary: buying customers per scope x city x platform x lifetime order-count bucket, with their orders and revenue.",
)


def _select_customer_segment():
    c = agg_customer.c
    parts = []
    for s in SCOPE_SUFFIXES:
        bucket = frequency_bucket(c[f"orders_{s}"])
        parts.append(
            sa.select(sa.literal_column(f"'{s}'").label("scope"), customers.c.city, customers.c.platform, bucket.label("orders_bucket"),
                      sa.func.count().label("customers"), sa.func.sum(c[f"orders_{s}"]).label("orders"),
                      sa.func.sum(c[f"revenue_{s}"]).label("revenue"))
            .select_from(agg_customer.join(customers, customers.c.customer_id == c.customer_id))
            .where(c[f"orders_{s}"] > 0)
            .group_by(customers.c.city, customers.c.platform, bucket)
        )
    return sa.union_all(*parts)


summary(agg_customer_segment, _select_customer_segment)
