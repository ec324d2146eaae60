"""The one source of truth for the schema: every table, key, index and check.

DDL for SQLite, MariaDB/MySQL and PostgreSQL is emitted from this MetaData; the data
dictionary in the README is generated from the `comment=` texts below.

Conventions:
- surrogate integer keys named `<entity>_id`; business codes (`order_code`, `sku_code`) are unique;
- money is DECIMAL(14,2) read back as float (`asdecimal=False`) for pandas;
- flags are SMALLINT 0/1 (not BOOLEAN) so `is_valid = 1` works the same on every backend,
  as outside tools and the course questions write it.
"""
from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def Money() -> Numeric:  # noqa: N802 - reads like a type in table definitions
    return Numeric(14, 2, asdecimal=False)


def flag(name: str, comment: str) -> Column:
    return Column(name, SmallInteger, nullable=False, default=0, comment=comment)


def flag_check(*names: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{n} IN (0, 1)", name=f"{n}_01") for n in names]


ORDER_STATUSES = ("completed", "returned", "canceled")
PAYMENT_GROUPS = ("cod", "card", "wallet", "bank", "voucher", "credit", "internal")
GENDERS = ("F", "M")

# ---------------------------------------------------------------- reference data
suppliers = Table(
    "suppliers",
    metadata,
    Column("supplier_id", Integer, primary_key=True, autoincrement=False),
    Column("supplier_name", String(120), nullable=False, comment="Company name"),
    Column("country", String(60), nullable=False),
    Column("contact_email", String(120), nullable=False),
    comment="Companies that supply products; inventory receipts reference them.",
)

customers = Table(
    "customers",
    metadata,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    Column("customer_code", String(20), nullable=False, comment="Code in the source system, e.g. C996508L"),
    Column("customer_name", String(120), nullable=False),
    Column("email", String(160), nullable=False),
    Column("address", String(200), nullable=False),
    Column("city", String(60), nullable=False, index=True),
    Column("state", String(60), nullable=False),
    Column("country", String(60), nullable=False),
    Column("gender", String(1), nullable=False, comment="F or M"),
    Column("age", SmallInteger, nullable=False),
    Column("platform", String(20), nullable=False, index=True, comment="Sign-up platform: web, android, ios"),
    Column("signup_date", Date, nullable=False, index=True, comment="Registration date; may follow the first order, as in real exports"),
    Column("last_active_date", Date, nullable=False, comment="Latest order or session date"),
    CheckConstraint("gender IN ('F', 'M')", name="gender"),
    CheckConstraint("age BETWEEN 16 AND 100", name="age"),
    Index("uq_customers_customer_code", "customer_code", unique=True),
    comment="Registered shoppers.",
)

products = Table(
    "products",
    metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("sku_code", String(20), nullable=False, comment="SKU code in the source system"),
    Column("product_name", String(160), nullable=False),
    Column("category", String(60), nullable=False, index=True),
    Column("brand", String(60), nullable=False, index=True),
    Column("price", Money(), nullable=False, comment="Current list price"),
    Column("unit_cost", Money(), nullable=False, comment="Cost of goods per unit (COGS)"),
    Column("stock", Integer, nullable=False, comment="Units on hand"),
    Column("supplier_id", Integer, ForeignKey("suppliers.supplier_id"), nullable=True),
    CheckConstraint("price >= 0", name="price"),
    CheckConstraint("unit_cost >= 0", name="unit_cost"),
    CheckConstraint("stock >= 0", name="stock"),
    Index("uq_products_sku_code", "sku_code", unique=True),
    comment="The catalogue: one row per SKU.",
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("payment_method_id", Integer, primary_key=True, autoincrement=False),
    Column("method_name", String(40), nullable=False),
    Column("method_group", String(20), nullable=False, comment="cod, card, wallet, bank, voucher, credit or internal"),
    Column("is_digital", SmallInteger, nullable=False, comment="1 when paid online (everything but cash on delivery)"),
    CheckConstraint("method_group IN (%s)" % ", ".join(f"'{g}'" for g in PAYMENT_GROUPS), name="method_group"),
    *flag_check("is_digital"),
    Index("uq_payment_methods_method_name", "method_name", unique=True),
    comment="Ways to pay.",
)

promotions = Table(
    "promotions",
    metadata,
    Column("promotion_id", Integer, primary_key=True, autoincrement=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False, index=True),
    Column("description", String(200), nullable=False),
    Column("discount_pct", Numeric(5, 2, asdecimal=False), nullable=False, comment="Percent off the line"),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    CheckConstraint("discount_pct > 0 AND discount_pct <= 90", name="discount_pct"),
    CheckConstraint("start_date <= end_date", name="dates"),
    comment="Time-boxed discounts on one product.",
)

calendar = Table(
    "calendar",
    metadata,
    Column("date_day", Date, primary_key=True),
    Column("year", SmallInteger, nullable=False),
    Column("quarter", SmallInteger, nullable=False),
    Column("month", SmallInteger, nullable=False),
    Column("month_start", Date, nullable=False, comment="First day of the month"),
    Column("week_start", Date, nullable=False, comment="Monday of the ISO week"),
    Column("iso_week", SmallInteger, nullable=False),
    Column("weekday", SmallInteger, nullable=False, comment="1 = Monday ... 7 = Sunday"),
    Column("weekday_name", String(9), nullable=False),
    Column("month_name", String(9), nullable=False),
    Column("is_weekend", SmallInteger, nullable=False),
    CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
    CheckConstraint("month BETWEEN 1 AND 12", name="month"),
    *flag_check("is_weekend"),
    comment="Date dimension covering every day of the data.",
)

# ---------------------------------------------------------------- sales facts
orders = Table(
    "orders",
    metadata,
    Column("order_id", Integer, primary_key=True, autoincrement=False),
    Column("order_code", String(24), nullable=False, comment="Code in the source system, e.g. ODR9939707760w"),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False, index=True),
    Column("order_date", DateTime, nullable=False, index=True, comment="When the order was placed"),
    Column("status", String(12), nullable=False, comment="completed, returned or canceled"),
    Column("payment_method_id", Integer, ForeignKey("payment_methods.payment_method_id"), nullable=False, index=True),
    flag("is_gross", "1 for every order placed (gross demand)"),
    flag("is_valid", "1 when payment was confirmed: completed and returned orders; the default revenue scope"),
    flag("is_net", "1 when valid and kept: completed orders, neither canceled nor returned"),
    Column("total", Money(), nullable=False, comment="Sum of the lines' after_discount (kept by refresh)"),
    *flag_check("is_gross", "is_valid", "is_net"),
    CheckConstraint("is_valid <= is_gross AND is_net <= is_valid", name="flag_order"),
    CheckConstraint("status IN (%s)" % ", ".join(f"'{s}'" for s in ORDER_STATUSES), name="status"),
    CheckConstraint("total >= 0", name="total"),
    Index(None, "is_valid", "order_date"),
    Index("uq_orders_order_code", "order_code", unique=True),
    comment="One row per order (header).",
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_item_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money(), nullable=False, comment="Price per unit on the order date"),
    Column("before_discount", Money(), nullable=False, comment="quantity x unit_price"),
    Column("discount_amount", Money(), nullable=False),
    Column("after_discount", Money(), nullable=False, comment="before_discount - discount_amount: the revenue of the line"),
    Column("promotion_id", Integer, ForeignKey("promotions.promotion_id"), nullable=True),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint("unit_price >= 0", name="unit_price"),
    CheckConstraint("discount_amount >= 0 AND discount_amount <= before_discount", name="discount"),
    CheckConstraint("after_discount >= 0", name="after_discount"),
    # covers the order totals refresh (sum of after_discount per order) without a row lookup per line
    Index(None, "order_id", "after_discount"),
    comment="Order lines.",
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("payment_method_id", Integer, ForeignKey("payment_methods.payment_method_id"), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("paid_at", DateTime, nullable=True, comment="NULL when the payment never went through"),
    Column("payment_status", String(12), nullable=False, comment="paid, refunded or failed"),
    CheckConstraint("amount >= 0", name="amount"),
    CheckConstraint("payment_status IN ('paid', 'refunded', 'failed')", name="payment_status"),
    Index("uq_payments_order_id", "order_id", unique=True),
    comment="One payment attempt per order.",
)

shipments = Table(
    "shipments",
    metadata,
    Column("shipment_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False),
    Column("shipping_method", String(20), nullable=False, comment="standard, express or same_day"),
    Column("shipping_cost", Money(), nullable=False),
    Column("tracking_number", String(24), nullable=False),
    Column("shipped_date", DateTime, nullable=False),
    Column("delivered_date", DateTime, nullable=True, comment="NULL while in transit or when returned to sender"),
    CheckConstraint("shipping_cost >= 0", name="shipping_cost"),
    CheckConstraint("delivered_date IS NULL OR delivered_date >= shipped_date", name="delivery_after_ship"),
    Index("uq_shipments_order_id", "order_id", unique=True),
    Index("uq_shipments_tracking_number", "tracking_number", unique=True),
    comment="Shipments of paid orders; shipped after the order, delivered after shipping.",
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=False),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False, index=True),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("rating", SmallInteger, nullable=False),
    Column("review_text", String(400), nullable=False),
    Column("review_date", Date, nullable=False),
    CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    comment="Product reviews written after delivery.",
)

inventory_receipts = Table(
    "inventory_receipts",
    metadata,
    Column("receipt_id", Integer, primary_key=True, autoincrement=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False, index=True),
    Column("supplier_id", Integer, ForeignKey("suppliers.supplier_id"), nullable=False),
    Column("quantity_received", Integer, nullable=False),
    Column("received_date", Date, nullable=False, index=True),
    CheckConstraint("quantity_received > 0", name="quantity_received"),
    comment="Stock received from suppliers.",
)

# ---------------------------------------------------------------- marketing
campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_name", String(120), nullable=False),
    Column("objective", String(20), nullable=False, comment="awareness, traffic, conversions or retention"),
    Column("account", String(60), nullable=False, comment="Ad account that runs it"),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("status", String(12), nullable=False, comment="planned, active or ended"),
    Column("budget", Money(), nullable=False, default=0, comment="Sum of its ads' budgets (kept by refresh)"),
    Column("revenue", Money(), nullable=False, default=0, comment="Attributed order revenue (kept by refresh)"),
    Column("reach", Integer, nullable=False, default=0, comment="Users reached (kept by refresh)"),
    Column("clicks", Integer, nullable=False, default=0, comment="Users who clicked (kept by refresh)"),
    Column("leads", Integer, nullable=False, default=0, comment="Ad purchases (kept by refresh)"),
    CheckConstraint("start_date <= end_date", name="dates"),
    CheckConstraint("status IN ('planned', 'active', 'ended')", name="status"),
    CheckConstraint("reach >= clicks AND clicks >= leads AND leads >= 0", name="funnel"),
    Index("uq_campaigns_campaign_name", "campaign_name", unique=True),
    comment="Marketing campaigns; the totals are derived from ads and interactions by refresh.",
)

ad_prices = Table(
    "ad_prices",
    metadata,
    Column("placement", String(30), primary_key=True, comment="feed, stories, search, banner, video or marketplace"),
    Column("price_per_reach", Numeric(10, 4, asdecimal=False), nullable=False, comment="Cost of reaching one user"),
    CheckConstraint("price_per_reach > 0", name="price"),
    comment="Price list: what one reached user costs per placement.",
)

ads = Table(
    "ads",
    metadata,
    Column("ad_id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_id", Integer, ForeignKey("campaigns.campaign_id"), nullable=False, index=True),
    Column("ad_name", String(120), nullable=False),
    Column("ad_format", String(20), nullable=False, comment="image, video, carousel or collection"),
    Column("placement", String(30), ForeignKey("ad_prices.placement"), nullable=False),
    Column("platform", String(20), nullable=False, comment="facebook, instagram, google, tiktok or youtube"),
    Column("created_at", DateTime, nullable=False),
    Column("is_active", SmallInteger, nullable=False),
    Column("reach", Integer, nullable=False, default=0, comment="Interactions reached (kept by refresh)"),
    Column("clicks", Integer, nullable=False, default=0, comment="Interactions clicked (kept by refresh)"),
    Column("purchases", Integer, nullable=False, default=0, comment="Interactions that bought (kept by refresh)"),
    Column("budget", Money(), nullable=False, default=0, comment="reach x placement price (kept by refresh)"),
    *flag_check("is_active"),
    CheckConstraint("reach >= clicks AND clicks >= purchases AND purchases >= 0", name="funnel"),
    comment="Ads inside campaigns.",
)

product_ads = Table(
    "product_ads",
    metadata,
    Column("ad_id", Integer, ForeignKey("ads.ad_id"), primary_key=True),
    Column("product_id", Integer, ForeignKey("products.product_id"), primary_key=True, index=True),
    comment="Which products an ad advertises.",
)

ad_interactions = Table(
    "ad_interactions",
    metadata,
    Column("interaction_id", Integer, primary_key=True, autoincrement=False),
    Column("ad_id", Integer, ForeignKey("ads.ad_id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False, index=True),
    Column("reached_at", DateTime, nullable=False),
    Column("clicked_at", DateTime, nullable=True),
    Column("purchased_at", DateTime, nullable=True),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=True, comment="The attributed order"),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=True, comment="The advertised product bought"),
    CheckConstraint("clicked_at IS NULL OR clicked_at >= reached_at", name="click_after_reach"),
    CheckConstraint("purchased_at IS NULL OR (clicked_at IS NOT NULL AND purchased_at >= clicked_at)", name="purchase_after_click"),
    CheckConstraint("(purchased_at IS NULL) = (order_id IS NULL)", name="purchase_has_order"),
    Index("uq_ad_interactions_order_id", "order_id", unique=True),
    Index("uq_ad_interactions_ad_id_customer_id", "ad_id", "customer_id", unique=True),
    comment="One row per ad x customer: reached, then maybe clicked, then maybe purchased.",
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False, index=True),
    Column("started_at", DateTime, nullable=False, index=True),
    Column("ended_at", DateTime, nullable=False),
    Column("traffic_source", String(20), nullable=False, comment="organic, direct, paid_search, social, email or referral"),
    Column("device", String(10), nullable=False, comment="desktop, mobile or tablet"),
    Column("order_id", Integer, ForeignKey("orders.order_id"), nullable=True, comment="The order placed in this session, if any"),
    CheckConstraint("ended_at >= started_at", name="dates"),
    Index("uq_sessions_order_id", "order_id", unique=True),
    comment="Site visits; a session that converted points at its order.",
)

# Tables in the order they must be loaded (parents first); deletes run in reverse.
LOAD_ORDER: tuple[Table, ...] = tuple(metadata.sorted_tables)

# ---------------------------------------------------------------- bookkeeping (not loaded, not in LOAD_ORDER)
refresh_log = Table(
    "refresh_log",
    metadata,
    Column("refresh_id", Integer, primary_key=True, autoincrement=True),
    Column("refreshed_at", DateTime, nullable=False, index=True, comment="When the refresh finished (UTC)"),
    Column("seconds", Numeric(10, 3, asdecimal=False), nullable=False, comment="How long the refresh took"),
    Column("order_count", Integer, nullable=False, comment="Orders in the database at the time"),
    Column("method", String(12), nullable=False, comment="python (statements or step procedures run from run.py) or procedure (CALL refresh_all())"),
    comment="One row per refresh of the derived columns and summary tables; the dashboard's 'data as of' time.",
)
