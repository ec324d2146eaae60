"""Dataset frames as JSON, CSV or a text table (the CLI, the HTTP API and CSV downloads share these)."""
from __future__ import annotations

import io
import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd


def _plain(value):
    """A JSON-safe scalar: NaN/NA -> None, numpy -> Python, dates -> ISO."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    cols = list(frame.columns)
    return [{c: _plain(v) for c, v in zip(cols, row)} for row in frame.itertuples(index=False, name=None)]


def to_payload(name: str, frame: pd.DataFrame, filters, params: dict) -> dict:
    return {"dataset": name, "filters": {**filters.to_query(), **params}, "rows": records(frame)}


def to_json(name: str, frame: pd.DataFrame, filters, params: dict, *, indent: int | None = 2) -> str:
    return json.dumps(to_payload(name, frame, filters, params), indent=indent, ensure_ascii=False)


def to_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def to_table(frame: pd.DataFrame, *, max_rows: int = 200) -> str:
    if frame.empty:
        return "(no rows for these filters)\n" + ("  columns: " + ", ".join(map(str, frame.columns)) if len(frame.columns) else "")
    with pd.option_context("display.width", 200, "display.max_columns", 50, "display.max_colwidth", 40):
        text = frame.head(max_rows).to_string(index=False)
    if len(frame) > max_rows:
        text += f"\n... {len(frame) - max_rows} more rows (use --format csv or json for all)"
    return text
