"""Marketing datasets: campaigns, ad structure, funnel and ad performance.

Every figure comes from the per-ad totals kept by refresh (ads.reach/clicks/purchases/budget,
agg_ad.revenue); the filters select campaigns overlapping the date range, campaigns by name and
ads by platform. These tables hold hundreds to a few thousand rows, so one read serves each dataset
(the KPI row, over two periods, is summed in SQL instead).
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.queries.cache import cached
from dashboard.queries.engine import read_frame, scalar_rows
from dashboard.queries.filters import Filters
from dashboard.queries.registry import dataset
from dashboard.queries.shape import ints, ratio, rounded, share
from dashboard.queries.sql import both, in_clause, range_clause
from schema.summary_tables import agg_ad, agg_sessions_day
from schema.tables import ads, campaigns

MARKETING_DIMS = ("start", "end", "campaigns", "platforms")
COUNTS = ("reach", "clicks", "purchases")


def ad_rows(f: Filters) -> pd.DataFrame:
    """One row per ad of the selected campaigns (overlapping the range) and platforms: read once per
    filter state and data version (cached like a dataset), since most marketing datasets of a page
    start from it; a copy, so callers may add columns."""
    return cached("source:ad_rows", f.only(*MARKETING_DIMS), {}, lambda: _read_ad_rows(f)).copy()


def _selected_ads(*columns, f: Filters):
    """SELECT `columns` over the ads (joined to their campaign and attributed revenue) that `f` selects."""
    a, c = ads.c, campaigns.c
    overlap = both(*([c.end_date >= f.start] if f.start else []), *([c.start_date <= f.end] if f.end else []))
    return (sa.select(*columns)
            .select_from(ads.join(campaigns, c.campaign_id == a.campaign_id).outerjoin(agg_ad, agg_ad.c.ad_id == a.ad_id))
            .where(overlap, in_clause(c.campaign_name, f.campaigns), in_clause(a.platform, f.platforms)))


def _read_ad_rows(f: Filters) -> pd.DataFrame:
    a, c = ads.c, campaigns.c
    frame = read_frame(_selected_ads(a.ad_id, a.ad_name, a.ad_format, a.placement, a.platform, a.is_active, a.reach, a.clicks,
                                     a.purchases, a.budget, agg_ad.c.revenue, c.campaign_id, c.campaign_name, f=f))
    frame["revenue"] = frame["revenue"].fillna(0.0) if not frame.empty else frame["revenue"]
    return ints(frame, "ad_id", "campaign_id", "is_active", *COUNTS)


def _totals(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group of `by`: ads, reach, clicks, purchases, budget, revenue (plain sums: pandas' named
    aggregation costs several times as much on these few hundred rows)."""
    grouped = frame.groupby(by, sort=True)
    totals = grouped[[*COUNTS, "budget", "revenue"]].sum()
    totals.insert(0, "ads", grouped.size())
    return ints(totals.reset_index(), "ads", *COUNTS)


def _rates(frame):
    """CTR, conversion, CPC, CPA, ROAS, ROI and profit from the sums, in a DataFrame or a dict (one row)."""
    frame["ctr_pct"] = ratio(frame["clicks"], frame["reach"], 100)
    frame["conversion_pct"] = ratio(frame["purchases"], frame["clicks"], 100)
    frame["cpc"] = ratio(frame["budget"], frame["clicks"])
    frame["cpa"] = ratio(frame["budget"], frame["purchases"])
    frame["roas"] = ratio(frame["revenue"], frame["budget"])
    frame["roi_pct"] = ratio(frame["revenue"] - frame["budget"], frame["budget"], 100)
    frame["profit"] = frame["revenue"] - frame["budget"]
    return rounded(frame, "budget", "revenue", "ctr_pct", "conversion_pct", "cpc", "cpa", "roas", "roi_pct", "profit")


def _campaigns(f: Filters) -> pd.DataFrame:
    c = campaigns.c
    info = read_frame(sa.select(c.campaign_id, c.campaign_name, c.objective, c.status, c.start_date, c.end_date))
    per = _totals(ad_rows(f), ["campaign_id"])
    return info.merge(per, on="campaign_id").sort_values("campaign_id")


CAMPAIGN_METRICS = ("reach", "clicks", "leads", "budget", "campaign_revenue", "ctr_pct", "conversion_pct", "cpc", "cpa", "roas",
                    "roi_pct", "campaign_profit")


@dataset("campaign_table", title="Campaigns", dimensions=MARKETING_DIMS, metrics=CAMPAIGN_METRICS,
         description="Per campaign overlapping the range: reach, clicks, leads, budget, revenue, CTR, conversion, CPC, CPA, "
                     "ROAS, ROI and profit (over its ads on the selected platforms).")
def campaign_table(filters: Filters) -> pd.DataFrame:
    frame = _rates(_campaigns(filters)).rename(columns={"purchases": "leads"})
    cols = ["campaign_id", "campaign_name", "objective", "status", "start_date", "end_date", "ads", "reach", "clicks", "leads",
            "budget", "revenue", "ctr_pct", "conversion_pct", "cpc", "cpa", "roas", "roi_pct", "profit"]
    return frame[cols].reset_index(drop=True)


@dataset("campaign_timeline", title="Campaign timeline", dimensions=MARKETING_DIMS, metrics=("budget",),
         description="Per campaign: start and end dates, status and budget, in start order.")
def campaign_timeline(filters: Filters) -> pd.DataFrame:
    frame = rounded(_campaigns(filters), "budget").sort_values(["start_date", "campaign_id"])
    return frame[["campaign_id", "campaign_name", "objective", "status", "start_date", "end_date", "budget"]].reset_index(drop=True)


def _structure(f: Filters, by: str) -> pd.DataFrame:
    frame = _totals(ad_rows(f), [by])
    frame["ctr_pct"] = ratio(frame["clicks"], frame["reach"], 100)
    frame = share(frame, "budget", "budget_share_pct")
    frame = rounded(frame, "budget", "ctr_pct").sort_values(["budget", by], ascending=[False, True])
    return frame[[by, "ads", "reach", "clicks", "ctr_pct", "budget", "budget_share_pct"]].reset_index(drop=True)


for _by, _name, _title in (("ad_format", "ad_formats", "Ads by format"), ("placement", "ad_placements", "Ads by placement"),
                           ("platform", "ctr_by_platform", "CTR and budget by ad platform"),
                           ("campaign_name", "budget_by_campaign", "Budget allocation by campaign")):
    dataset(_name, title=_title, dimensions=MARKETING_DIMS, metrics=("reach", "clicks", "ctr_pct", "budget", "share_pct"),
            description=f"Per {_by.replace('_', ' ')}: ads, reach, clicks, CTR, budget and budget share.")(
        lambda filters, by=_by: _structure(filters, by))


@dataset("ad_active_share", title="Active vs inactive ads", dimensions=MARKETING_DIMS, metrics=("active_share_pct", "budget"),
         description="Ads and budget of active and inactive ads, with shares.")
def ad_active_share(filters: Filters) -> pd.DataFrame:
    frame = ad_rows(filters)
    frame["state"] = frame["is_active"].map({1: "active", 0: "inactive"})
    frame = _totals(frame, ["state"])
    frame = share(share(frame, "ads", "ads_share_pct"), "budget", "budget_share_pct")
    return rounded(frame, "budget")[["state", "ads", "budget", "ads_share_pct", "budget_share_pct"]]


@dataset("funnel", title="Funnel: reach -> click -> purchase", dimensions=MARKETING_DIMS,
         metrics=("reach", "clicks", "leads", "stage_rate_pct", "overall_rate_pct"),
         description="Users at each stage over the selected ads, with the rate from the previous stage and from reach.")
def funnel(filters: Filters) -> pd.DataFrame:
    sums = ad_rows(filters)[list(COUNTS)].sum()
    users = [int(sums[c]) for c in COUNTS]
    frame = pd.DataFrame({"stage": ["reach", "click", "purchase"], "users": users})
    frame["stage_rate_pct"] = [100.0 if users[0] else float("nan"), ratio(users[1], users[0], 100), ratio(users[2], users[1], 100)]
    frame["overall_rate_pct"] = [ratio(u, users[0], 100) for u in users]
    return rounded(frame, "stage_rate_pct", "overall_rate_pct")


@dataset("click_to_lead", title="Click-to-lead ratio by campaign", dimensions=MARKETING_DIMS,
         metrics=("clicks", "leads", "click_to_lead_pct"), description="Per campaign: clicks, leads and leads per click.")
def click_to_lead(filters: Filters) -> pd.DataFrame:
    frame = _campaigns(filters).rename(columns={"purchases": "leads"})
    frame["click_to_lead_pct"] = ratio(frame["leads"], frame["clicks"], 100)
    return rounded(frame, "click_to_lead_pct")[["campaign_id", "campaign_name", "clicks", "leads", "click_to_lead_pct"]].reset_index(drop=True)


@dataset("roas_by_campaign", title="ROAS by campaign", dimensions=MARKETING_DIMS, metrics=("budget", "campaign_revenue", "roas"),
         description="Per campaign: budget, attributed revenue and ROAS, highest ROAS first.")
def roas_by_campaign(filters: Filters) -> pd.DataFrame:
    frame = _rates(_campaigns(filters)).sort_values(["roas", "campaign_id"], ascending=[False, True], na_position="last")
    return frame[["campaign_id", "campaign_name", "budget", "revenue", "roas"]].reset_index(drop=True)


def _ads_ranked(f: Filters) -> pd.DataFrame:
    frame = _rates(ad_rows(f))
    return frame.sort_values(["roas", "ctr_pct", "ad_id"], ascending=[False, False, True], na_position="last").reset_index(drop=True)


@dataset("roas_by_ad", title="ROAS by ad", dimensions=MARKETING_DIMS, params={"limit": 20},
         metrics=("budget", "campaign_revenue", "roas"), description="The ads with the highest ROAS: budget, revenue, ROAS.")
def roas_by_ad(filters: Filters, limit: int = 20) -> pd.DataFrame:
    frame = _ads_ranked(filters).head(max(int(limit), 0))
    return frame[["ad_id", "ad_name", "campaign_name", "platform", "budget", "revenue", "roas"]]


@dataset("ad_efficiency", title="Ad efficiency ranking", dimensions=MARKETING_DIMS, params={"limit": 20},
         metrics=("efficiency_rank", "ctr_pct", "conversion_pct", "cpa", "roas"),
         description="Ads ranked by ROAS, then CTR: CTR, conversion, CPC, CPA, ROAS.")
def ad_efficiency(filters: Filters, limit: int = 20) -> pd.DataFrame:
    frame = _ads_ranked(filters).head(max(int(limit), 0))
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[["rank", "ad_id", "ad_name", "campaign_name", "platform", "reach", "clicks", "purchases", "ctr_pct",
                  "conversion_pct", "cpc", "cpa", "roas"]]


@dataset("conversion_by_traffic_source", title="Conversion by traffic source", dimensions=("start", "end"),
         metrics=("sessions", "orders", "conversion_pct"), description="Per traffic source: sessions in the range, those "
         "that placed an order, conversion %.")
def conversion_by_traffic_source(filters: Filters) -> pd.DataFrame:
    s = agg_sessions_day.c
    frame = read_frame(sa.select(s.traffic_source, sa.func.sum(s.sessions).label("sessions"), sa.func.sum(s.orders).label("orders"))
                       .where(range_clause(s.day, filters)).group_by(s.traffic_source))
    frame["conversion_pct"] = ratio(frame["orders"], frame["sessions"], 100)
    frame = rounded(ints(frame, "sessions", "orders"), "conversion_pct").sort_values(["conversion_pct", "traffic_source"],
                                                                                     ascending=[False, True])
    return frame.reset_index(drop=True)


KPI_COLUMNS = ("campaigns", "ads", "reach", "clicks", "leads", "budget", "revenue", "profit", "ctr_pct", "conversion_pct", "cpc",
               "cpa", "roas", "roi_pct")


def _kpi_values(f: Filters | None) -> dict:
    """Totals and rates over the ads `ad_rows(f)` selects; every value NULL when there is no period (f is None)."""
    if f is None:
        return dict.fromkeys(KPI_COLUMNS, float("nan"))
    a = ads.c
    zero = sa.literal_column("0")
    sums = [sa.func.coalesce(sa.func.sum(col), zero).label(col.name) for col in (*[a[c] for c in COUNTS], a.budget, agg_ad.c.revenue)]
    # summed in SQL and rated as plain numbers: one row to read, not every ad (the previous period's ads
    # are read for this alone), and no DataFrame for a single row
    stmt = _selected_ads(sa.func.count(sa.distinct(a.campaign_id)).label("campaigns"), sa.func.count().label("ads"), *sums, f=f)
    counts = ("campaigns", "ads", *COUNTS)
    row = _rates({n: int(v or 0) if n in counts else float(v or 0)
                  for n, v in zip((*counts, "budget", "revenue"), scalar_rows(stmt)[0])})
    row["leads"] = row.pop("purchases")
    return {c: row[c] for c in KPI_COLUMNS}


@dataset("marketing_kpis", title="Marketing KPIs", dimensions=MARKETING_DIMS,
         metrics=("reach", "clicks", "leads", "budget", "campaign_revenue", "campaign_profit", "ctr_pct", "conversion_pct", "cpc",
                  "cpa", "roas", "roi_pct"),
         description="One row over the ads of the selected campaigns overlapping the range, on the selected platforms: campaigns, "
                     "ads, reach, clicks, leads, budget, revenue, profit, CTR, conversion, CPC, CPA, ROAS, ROI; each also as "
                     "`<name>_prev` over the previous period of equal length (campaigns overlapping it; NULL for an open range).")
def marketing_kpis(filters: Filters) -> pd.DataFrame:
    now, before = _kpi_values(filters), _kpi_values(filters.previous_period())
    return pd.DataFrame([{**now, **{f"{k}_prev": v for k, v in before.items()}}])


@dataset("campaign_ads", title="Ads of the selected campaigns", dimensions=MARKETING_DIMS, params={"limit": 500},
         metrics=("reach", "clicks", "leads", "budget", "campaign_revenue", "campaign_profit", "ctr_pct", "conversion_pct", "roas",
                  "roi_pct"),
         description="One row per ad of the selected campaigns (drill-down from a campaign): format, placement, platform, "
                     "active flag, reach, clicks, leads, budget, revenue, CTR, conversion, ROAS, ROI and profit; by campaign, "
                     "then highest budget first.")
def campaign_ads(filters: Filters, limit: int = 500) -> pd.DataFrame:
    frame = _rates(ad_rows(filters)).rename(columns={"purchases": "leads"})
    frame = frame.sort_values(["campaign_id", "budget", "ad_id"], ascending=[True, False, True]).head(max(int(limit), 0))
    return frame[["ad_id", "ad_name", "campaign_id", "campaign_name", "ad_format", "placement", "platform", "is_active", "reach",
                  "clicks", "leads", "budget", "revenue", "ctr_pct", "conversion_pct", "roas", "roi_pct", "profit"]].reset_index(drop=True)
