"""Output conventions shared by every dataset: money and percentages rounded to 2 decimals,
ratios with an empty denominator as NULL (NaN), snake_case columns in a fixed order."""
from __future__ import annotations

import numpy as np
import pandas as pd


def ratio(numerator, denominator, scale: float = 1.0):
    """numerator / denominator x scale, NaN where the denominator is 0 or missing."""
    num = pd.to_numeric(numerator, errors="coerce")
    den = pd.to_numeric(denominator, errors="coerce")
    if np.isscalar(den):
        return float(num) * scale / float(den) if den else np.nan
    den = den.astype(float).where(den != 0)
    return num.astype(float) * scale / den


def rounded(frame, *columns: str, digits: int = 2):
    """The columns rounded, in a DataFrame or in a dict of scalars (one row: pandas costs ~0.1 ms an operation)."""
    for col in columns:
        value = frame[col]
        frame[col] = (round(float(value), digits) if np.isscalar(value)
                      else pd.to_numeric(value, errors="coerce").astype(float).round(digits))
    return frame


def ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0).astype("int64")
    return frame


def share(frame: pd.DataFrame, column: str, name: str = "share_pct") -> pd.DataFrame:
    total = frame[column].sum()
    frame[name] = (frame[column] * 100.0 / total).round(2) if total else np.nan
    return frame
