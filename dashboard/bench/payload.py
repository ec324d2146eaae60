"""What a callback response carries: points per figure trace and rows per grid."""
from __future__ import annotations

import base64
from typing import Any, Iterator, Mapping

import numpy as np

POINT_KEYS = ("x", "y", "z", "values", "labels", "lat", "lon", "r", "theta")


def array_length(value: Any) -> int:
    """Length of a plotly data array: a list, or a typed array {"dtype", "bdata", "shape"?}."""
    if isinstance(value, (list, tuple)):
        return len(value)
    if isinstance(value, Mapping) and "bdata" in value:
        shape = value.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",") if s.strip()]
            return dims[0] if dims else 0
        return len(base64.b64decode(value["bdata"])) // np.dtype(value.get("dtype", "f8")).itemsize
    return 0


def trace_points(trace: Mapping) -> int:
    return max((array_length(trace.get(k)) for k in POINT_KEYS), default=0)


def _figures(response: Mapping) -> Iterator[Mapping]:
    for props in (response.get("response") or {}).values():
        for value in props.values():
            if isinstance(value, Mapping) and isinstance(value.get("data"), list):
                yield value


def response_shape(response: Mapping) -> dict:
    """{"max_points": most points in one trace, "traces": traces, "grid_rows": most rows in a grid}."""
    traces = [t for fig in _figures(response) for t in fig["data"] if isinstance(t, Mapping)]
    rows = [len(v) for props in (response.get("response") or {}).values()
            for prop, v in props.items() if prop == "rowData" and isinstance(v, list)]
    return {"max_points": max((trace_points(t) for t in traces), default=0), "traces": len(traces),
            "grid_rows": max(rows, default=0)}
