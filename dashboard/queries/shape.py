"""Output conventions shared by every dataset: money and percentages rounded to 2 decimals,
ratios with an empty denominator as NULL (NaN), snake_case columns in a fixed order."""
from __future__ import annotations

import numpy as np
import pandas as pd


def ratio(numerator, denominator, scale: float = 1.0):
    """numerator / denominator x scale, NaN where the denominator is 0 or missing; two columns of one
    frame (a Series on the numerator's index) or two numbers."""
    if np.isscalar(denominator):
        num, den = pd.to_numeric(numerator, errors="coerce"), pd.to_numeric(denominator, errors="coerce")
        return float(num) * scale / float(den) if den else np.nan
    num, den = _floats(numerator), _floats(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):  # plain NumPy: pandas' arithmetic costs ~0.1 ms an operation
        out = np.where(den != 0, num * scale / den, np.nan)
    return pd.Series(out, index=numerator.index) if isinstance(numerator, pd.Series) else out


def _floats(values) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)  # None -> NaN
    except (TypeError, ValueError):
        return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()


def rounded(frame, *columns: str, digits: int = 2):
    """The columns rounded, in a DataFrame or in a dict of scalars (one row: pandas costs ~0.1 ms an operation)."""
    for col in columns:
        value = frame[col]
        frame[col] = round(float(value), digits) if np.isscalar(value) else np.round(_floats(value), digits)
    return frame


def ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0).astype("int64")
    return frame


def share(frame: pd.DataFrame, column: str, name: str = "share_pct") -> pd.DataFrame:
    total = frame[column].sum()
    frame[name] = (frame[column] * 100.0 / total).round(2) if total else np.nan
    return frame
