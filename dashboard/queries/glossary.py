"""Every metric's definition, written once: the README section and the dashboard's help text
both render from `GLOSSARY`. Datasets name the entries they return in `@dataset(metrics=...)`.

"In scope" means: orders in the status scope (valid = is_valid 1, the default; net = is_net 1;
gross = every order placed), dated inside the date range, with at least one line matching the
category and brand filters; only those matching lines count toward money and units.
"""
from __future__ import annotations

from schema.readme_sections import section

SCOPE = "Orders in scope (status scope: valid by default)"

GLOSSARY: dict[str, str] = {
    "revenue": f"sum(after_discount) of the order lines in scope (price after discount). {SCOPE}.",
    "revenue_before_discount": f"sum(before_discount) = sum(quantity x unit_price) of the lines in scope. {SCOPE}.",
    "discount": f"sum(discount_amount) of the lines in scope. {SCOPE}.",
    "orders": f"Distinct orders in scope having at least one line matching the filters. {SCOPE}.",
    "units": f"sum(quantity) of the lines in scope. {SCOPE}.",
    "customers": "Distinct customers with at least one order in scope.",
    "aov": "Average order value = revenue / orders (NULL when there are no orders).",
    "net_profit": "revenue - sum(quantity x products.unit_cost) over the lines in scope (cost at the current unit cost).",
    "cost": "sum(quantity x products.unit_cost) over the lines in scope.",
    "margin_pct": "100 x net_profit / revenue (NULL when revenue is 0).",
    "avg_clv": "Average revenue per buying customer over the filtered period = revenue / customers. "
               "The lifetime version is the `customer_lifetime_value` dataset.",
    "lifetime_value": "A customer's revenue over all time in the status scope (all their orders, no date filter).",
    "top_product": "product_name with the highest revenue in scope (ties: lowest product_id).",
    "share_pct": "100 x the row's value / the total over all rows shown.",
    "avg_rating": "Mean of reviews.rating of the product over all its reviews (all time).",
    "avg_discount_pct": "100 x sum(discount_amount) / sum(before_discount) of the lines in scope.",
    "units_received": "sum(inventory_receipts.quantity_received) with received_date in the date range.",
    "users": "Registered customers (sign-up date on or before the end of the range) in the selected cities/platforms.",
    "active_users": "Distinct customers with at least one order in scope in the date range.",
    "new_users": "Customers who signed up in the date range.",
    "new_customers": "Customers whose first order in scope falls in the period (first purchase).",
    "signups": "Customers whose signup_date falls in the period.",
    "order_frequency": "Customers grouped by their lifetime number of orders in scope (1, 2, 3, 4, 5-9, 10+).",
    "stock": "products.stock: units on hand now.",
    "price": "products.price: current list price.",
    "products": "Number of catalogue products (SKUs).",
    "status_mix": "Orders by status (completed, returned, canceled) regardless of the scope filter.",
    "reach": "Users an ad reached (one ad_interactions row each); summed over ads for a campaign.",
    "clicks": "Reached users who clicked.",
    "leads": "Clicked users who purchased through the ad (ads.purchases; campaigns.leads).",
    "budget": "Ad spend: reach x the placement's price per reach (summed per campaign).",
    "campaign_revenue": "Valid revenue (orders.total, is_valid = 1) of the orders attributed to the ad or campaign's ads.",
    "ctr_pct": "Click-through rate = 100 x clicks / reach.",
    "conversion_pct": "100 x purchases (leads) / clicks for ads; 100 x orders / sessions for traffic sources.",
    "click_to_lead_pct": "100 x leads / clicks.",
    "cpc": "Cost per click = budget / clicks.",
    "cpa": "Cost per acquisition = budget / leads.",
    "roas": "Return on ad spend = campaign_revenue / budget.",
    "roi_pct": "100 x (campaign_revenue - budget) / budget.",
    "campaign_profit": "campaign_revenue - budget.",
    "stage_rate_pct": "Funnel: 100 x users at this stage / users at the previous stage (reach -> click -> purchase).",
    "overall_rate_pct": "Funnel: 100 x users at this stage / users reached.",
    "active_share_pct": "100 x ads (or budget) of active ads / all ads.",
    "sessions": "Site visits started in the date range (agg by traffic source and device).",
    "efficiency_rank": "Ads ranked by ROAS (then CTR, then ad_id).",
    "yoy_status": "'increased' when the category's revenue in the year exceeds the previous year's, else 'decreased'.",
    "brand_group": "Brand normalised from lower(product_name): contains samsung -> samsung; apple, iphone or macbook -> apple; "
                   "sony; huawei; lenovo; anything else -> others.",
    "rank": "1 = best (highest value); ties share no rank (row_number order by value desc, then name).",
}


def definition(metric: str) -> str:
    return GLOSSARY[metric]


@section("glossary")
def render_markdown() -> str:
    lines = ["| metric | definition |", "|---|---|"]
    lines += [f"| `{name}` | {text} |" for name, text in GLOSSARY.items()]
    return "\n".join(lines)
