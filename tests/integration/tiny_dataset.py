"""A hand-built dataset with a few rows in every base table, valid against every key and CHECK.

Its strings carry what breaks naive bulk loaders: tabs, newlines, backslashes, quotes, a literal
backslash-N, an empty string, accents and a 4-byte emoji; NULLs sit in every nullable column.
Dtypes follow the generator's contract (int64, Int64 for nullable ints, float64 money,
datetime64 dates and datetimes, str text).
"""
from __future__ import annotations

import pandas as pd

from schema.tables import LOAD_ORDER

TRICKY = [
    "tab\there",
    "line\nbreak",
    "back\\slash",
    "\\N",
    'quote "double" and \'single\'',
    "",
    "Zoë Ñandú – 😀",
    "cr\r\nlf",
]


def _d(*values):
    return pd.to_datetime(list(values))


def _i(*values):
    return pd.array(list(values), dtype="Int64")


def tiny_dataset() -> dict[str, pd.DataFrame]:
    t = {}
    t["ad_prices"] = pd.DataFrame({"placement": ["feed", "stories"], "price_per_reach": [0.0125, 0.2]})
    days = pd.date_range("2024-01-01", "2024-01-10", freq="D")
    t["calendar"] = pd.DataFrame(
        {
            "date_day": days,
            "year": days.year.astype("int64"),
            "quarter": days.quarter.astype("int64"),
            "month": days.month.astype("int64"),
            "month_start": days.to_period("M").to_timestamp(),
            "week_start": (days - pd.to_timedelta(days.day_of_week, unit="D")),
            "iso_week": days.isocalendar().week.astype("int64").to_numpy(),
            "weekday": (days.day_of_week + 1).astype("int64"),
            "weekday_name": days.day_name(),
            "month_name": days.month_name(),
            "is_weekend": (days.day_of_week >= 5).astype("int64"),
        }
    )
    t["campaigns"] = pd.DataFrame(
        {
            "campaign_id": [1],
            "campaign_name": ["New year \t sale \\ 2024"],
            "objective": ["conversions"],
            "account": ["main"],
            "start_date": _d("2024-01-01"),
            "end_date": _d("2024-01-31"),
            "status": ["ended"],
            "budget": [125.5],
            "revenue": [99.99],
            "reach": [3],
            "clicks": [2],
            "leads": [1],
        }
    )
    t["customers"] = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "customer_code": ["C0001", "C0002", "C0003"],
            "customer_name": [TRICKY[0], TRICKY[4], TRICKY[6]],
            "email": ["a@example.com", "b@example.com", "c@example.com"],
            "address": [TRICKY[1], TRICKY[2], TRICKY[7]],
            "city": ["Hà Nội", "Berlin", TRICKY[3]],
            "state": ["", "BE", "X"],
            "country": ["VN", "DE", "US"],
            "gender": ["F", "M", "F"],
            "age": [16, 45, 100],
            "platform": ["web", "ios", "android"],
            "signup_date": _d("2023-12-31", "2024-01-01", "2024-01-05"),
            "last_active_date": _d("2024-01-09", "2024-01-02", "2024-01-05"),
        }
    )
    t["payment_methods"] = pd.DataFrame(
        {"payment_method_id": [1, 2], "method_name": ["Cash on delivery", "Visa"], "method_group": ["cod", "card"], "is_digital": [0, 1]}
    )
    t["suppliers"] = pd.DataFrame(
        {"supplier_id": [1, 2], "supplier_name": ["Acme\\Co", "Bolt\tLtd"], "country": ["DE", "VN"], "contact_email": ["x@acme.test", "y@bolt.test"]}
    )
    t["ads"] = pd.DataFrame(
        {
            "ad_id": [1, 2],
            "campaign_id": [1, 1],
            "ad_name": ["Ad one", 'Ad "two"'],
            "ad_format": ["image", "video"],
            "placement": ["feed", "stories"],
            "platform": ["facebook", "tiktok"],
            "created_at": _d("2024-01-01 00:00:00", "2024-01-02 23:59:59"),
            "is_active": [1, 0],
            "reach": [2, 1],
            "clicks": [1, 1],
            "purchases": [1, 0],
            "budget": [0.03, 0.2],
        }
    )
    t["products"] = pd.DataFrame(
        {
            "product_id": [1, 2, 3],
            "sku_code": ["SKU-1", "SKU-2", "SKU-3"],
            "product_name": [TRICKY[5] or "(empty)", TRICKY[2], "Ü-Phone 12\" case"],
            "category": ["Phones", "Books", "Phones"],
            "brand": ["Acme", "Bolt", "Acme"],
            "price": [0.0, 19.99, 1234567.89],
            "unit_cost": [0.0, 10.01, 999999.99],
            "stock": [0, 7, 123],
            "supplier_id": _i(1, None, 2),
        }
    )
    t["inventory_receipts"] = pd.DataFrame(
        {"receipt_id": [1, 2], "product_id": [1, 3], "supplier_id": [1, 2], "quantity_received": [10, 1], "received_date": _d("2024-01-01", "2024-01-03")}
    )
    t["orders"] = pd.DataFrame(
        {
            "order_id": [1, 2, 3, 4],
            "order_code": ["ODR1", "ODR2", "ODR3", "ODR4"],
            "customer_id": [1, 2, 1, 3],
            "order_date": _d("2024-01-01 00:00:00", "2024-01-02 10:11:12", "2024-01-05 23:59:59", "2024-01-09 12:00:00"),
            "status": ["completed", "returned", "canceled", "completed"],
            "payment_method_id": [1, 2, 2, 1],
            "is_gross": [1, 1, 1, 1],
            "is_valid": [1, 1, 0, 1],
            "is_net": [1, 0, 0, 1],
            "total": [39.98, 1234567.89, 0.01, 0.0],
        }
    )
    t["product_ads"] = pd.DataFrame({"ad_id": [1, 1, 2], "product_id": [1, 2, 2]})
    t["promotions"] = pd.DataFrame(
        {
            "promotion_id": [1],
            "product_id": [2],
            "description": ["10% off\\everything"],
            "discount_pct": [10.5],
            "start_date": _d("2024-01-01"),
            "end_date": _d("2024-01-01"),
        }
    )
    t["ad_interactions"] = pd.DataFrame(
        {
            "interaction_id": [1, 2, 3],
            "ad_id": [1, 1, 2],
            "customer_id": [1, 2, 1],
            "reached_at": _d("2024-01-01 00:00:00", "2024-01-01 08:00:00", "2024-01-03 09:00:00"),
            "clicked_at": _d("2024-01-01 00:00:00", None, "2024-01-03 09:00:01"),
            "purchased_at": _d("2024-01-01 00:00:00", None, None),
            "order_id": _i(1, None, None),
            "product_id": _i(1, None, None),
        }
    )
    t["order_items"] = pd.DataFrame(
        {
            "order_item_id": [1, 2, 3, 4, 5],
            "order_id": [1, 1, 2, 3, 4],
            "product_id": [2, 2, 3, 1, 1],
            "quantity": [1, 1, 1, 1, 3],
            "unit_price": [19.99, 19.99, 1234567.89, 0.01, 0.0],
            "before_discount": [19.99, 19.99, 1234567.89, 0.01, 0.0],
            "discount_amount": [0.0, 0.0, 0.0, 0.0, 0.0],
            "after_discount": [19.99, 19.99, 1234567.89, 0.01, 0.0],
            "promotion_id": _i(1, None, None, None, None),
        }
    )
    t["payments"] = pd.DataFrame(
        {
            "payment_id": [1, 2, 3, 4],
            "order_id": [1, 2, 3, 4],
            "payment_method_id": [1, 2, 2, 1],
            "amount": [39.98, 1234567.89, 0.01, 0.0],
            "paid_at": _d("2024-01-01 00:00:00", "2024-01-02 10:15:00", None, "2024-01-09 12:00:01"),
            "payment_status": ["paid", "refunded", "failed", "paid"],
        }
    )
    t["reviews"] = pd.DataFrame(
        {
            "review_id": [1, 2],
            "order_id": [1, 4],
            "product_id": [2, 1],
            "customer_id": [1, 3],
            "rating": [5, 1],
            "review_text": [TRICKY[1] + TRICKY[0], TRICKY[3] + TRICKY[6]],
            "review_date": _d("2024-01-03", "2024-01-10"),
        }
    )
    t["sessions"] = pd.DataFrame(
        {
            "session_id": [1, 2, 3],
            "customer_id": [1, 2, 3],
            "started_at": _d("2023-12-31 23:59:00", "2024-01-02 10:00:00", "2024-01-07 07:07:07"),
            "ended_at": _d("2024-01-01 00:00:30", "2024-01-02 10:20:00", "2024-01-07 07:07:07"),
            "traffic_source": ["organic", "email", "direct"],
            "device": ["mobile", "desktop", "tablet"],
            "order_id": _i(1, 2, None),
        }
    )
    t["shipments"] = pd.DataFrame(
        {
            "shipment_id": [1, 2, 3],
            "order_id": [1, 2, 4],
            "shipping_method": ["standard", "express", "same_day"],
            "shipping_cost": [1.5, 0.0, 12.34],
            "tracking_number": ["TRK1", "TRK2", "TRK3"],
            "shipped_date": _d("2024-01-01 06:00:00", "2024-01-02 12:00:00", "2024-01-09 13:00:00"),
            "delivered_date": _d("2024-01-03 00:00:00", None, "2024-01-09 13:00:00"),
        }
    )
    out = {}
    for table in LOAD_ORDER:
        df = t[table.name]
        out[table.name] = df[[c.name for c in table.columns]].reset_index(drop=True)
    return out
