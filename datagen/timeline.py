"""Time for the generator: day numbers, demand seasonality, hour-of-day profile, the calendar.

Dates are handled as int64 day numbers since 1970-01-01 and datetimes as int64 seconds since
1970-01-01 (naive, local time); the final frames convert them once.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from datagen import catalogue as cat

SECONDS_PER_DAY = 86_400
_EID_ANCHOR = date(2023, 4, 22)   # Idul Fitri 1444 H in Indonesia
_LUNAR_YEAR_DAYS = 354.367


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return _clip_day(d.year + m // 12, m % 12 + 1, d.day)


def _clip_day(year: int, month: int, day: int) -> date:
    for dd in (day, 30, 29, 28):
        try:
            return date(year, month, dd)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 for day numbers."""
    return np.asarray(days, dtype=np.int64).astype("M8[D]").astype("M8[M]").astype(np.int64)


def weekday0(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def eid_days(first_day: int, last_day: int) -> list[int]:
    """Approximate Eid al-Fitr day numbers (+-1 day) between first_day and last_day."""
    anchor = day_number(_EID_ANCHOR)
    k_lo = int(np.floor((first_day - anchor) / _LUNAR_YEAR_DAYS)) - 1
    k_hi = int(np.ceil((last_day - anchor) / _LUNAR_YEAR_DAYS)) + 1
    out = [anchor + int(round(k * _LUNAR_YEAR_DAYS)) for k in range(k_lo, k_hi + 1)]
    return [d for d in out if first_day - 30 <= d <= last_day + 30]


def daily_weights(first_day: int, n_days: int, spikes: dict[int, float]) -> np.ndarray:
    """Relative order volume of each day: trend x weekday x month x Eid x sale events x campaign spikes."""
    days = first_day + np.arange(n_days, dtype=np.int64)
    years = np.arange(n_days) / 365.25
    w = np.exp(np.log1p(cat.ANNUAL_GROWTH) * years)
    w *= np.asarray(cat.WEEKDAY_FACTOR)[weekday0(days)]
    months = month_index(days)
    w *= np.asarray(cat.MONTH_FACTOR)[months % 12]
    # Ramadan shopping ramps up over the two weeks before Eid; the holiday itself is quiet.
    for eid in eid_days(first_day, first_day + n_days - 1):
        rel = days - eid
        ramp = (rel >= -21) & (rel < 0)
        w[ramp] *= 1.0 + 0.9 * (rel[ramp] + 22) / 21.0
        w[(rel >= 0) & (rel <= 2)] *= 0.65
    dom = days.astype("M8[D]") - months.astype("M8[M]").astype("M8[D]")
    dom = dom.astype(np.int64) + 1
    for month, day, mult in cat.EVENT_DAYS:
        w[(months % 12 == month - 1) & (dom == day)] *= mult
    for d, mult in spikes.items():
        i = d - first_day
        if 0 <= i < n_days:
            w[i] *= mult
    return w


def season_state(days: np.ndarray, first_day: int, last_day: int) -> np.ndarray:
    """Category-mix season per day: 0 normal, 1 pre-Eid, 2 back to school (Jul-Aug), 3 year end (Nov-Dec)."""
    days = np.asarray(days, dtype=np.int64)
    m = month_index(days) % 12
    state = np.zeros(len(days), dtype=np.int8)
    state[(m == 6) | (m == 7)] = 2
    state[(m == 10) | (m == 11)] = 3
    for eid in eid_days(first_day, last_day):
        state[(days >= eid - 21) & (days < eid)] = 1
    return state


def seconds_in_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight following the hour-of-day profile."""
    p = np.asarray(cat.HOUR_PROFILE, dtype=float)
    hours = rng.choice(24, size=n, p=p / p.sum())
    return hours.astype(np.int64) * 3600 + rng.integers(0, 3600, size=n)


_WEEKDAYS = np.array(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], dtype=object)
_MONTHS = np.array(["January", "February", "March", "April", "May", "June", "July", "August", "September",
                    "October", "November", "December"], dtype=object)


def calendar_columns(first_day: int, last_day: int) -> dict[str, np.ndarray]:
    """Every day from first_day to last_day inclusive (day numbers) with its attributes."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    dt = days.astype("M8[D]")
    months = month_index(days)
    wd0 = weekday0(days)
    years = months // 12 + 1970
    month = months % 12 + 1
    # ISO week: the week belongs to the year of its Thursday
    thursday = days - wd0 + 3
    thu_year_start = thursday.astype("M8[D]").astype("M8[Y]").astype("M8[D]").astype(np.int64)
    iso_week = (thursday - thu_year_start) // 7 + 1
    del dt
    return {
        "date_day": days,
        "year": years,
        "quarter": (month - 1) // 3 + 1,
        "month": month,
        "month_start": months.astype("M8[M]").astype("M8[D]").astype(np.int64),
        "week_start": days - wd0,
        "iso_week": iso_week,
        "weekday": wd0 + 1,
        "weekday_name": _WEEKDAYS[wd0],
        "month_name": _MONTHS[month - 1],
        "is_weekend": (wd0 >= 5).astype(np.int64),
    }
