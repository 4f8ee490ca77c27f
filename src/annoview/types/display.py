"""Short readable forms of recorded component values (for `annoview info` and the inspector).

A generic component cell (see generic.py's data contract) is a numpy array or a pyarrow Array;
both become one line: numbers rounded to 4 significant digits, long batches cut with a count,
blobs shown as their size, tensors as their shape and dtype.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pyarrow as pa


def _num(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return repr(v)


def _py(v: Any, budget: int) -> str:
    if isinstance(v, dict):
        if set(v) == {"shape", "names", "buffer"}:  # TensorData
            names = f" {v['names']}" if v.get("names") else ""
            return f"<tensor {'x'.join(map(str, v['shape']))}{names}>"
        return "{" + ", ".join(f"{k}: {_py(x, budget)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        if len(v) > 16 and all(isinstance(x, int) for x in v[:16]):
            return f"<{len(v)} values>"
        return "[" + ", ".join(_py(x, budget) for x in v) + "]"
    if isinstance(v, str):
        return repr(v)
    return _num(v)


_COLORS = frozenset({"Color", "AlbedoFactor", "Rgba32"})


def timestamp_text(ns: int) -> str:
    """Nanoseconds since the Unix epoch as UTC date and time to the millisecond."""
    try:
        return _dt.datetime.fromtimestamp(ns / 1e9, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"
    except (OverflowError, ValueError, OSError):  # outside the years datetime can show
        return f"{ns} ns since the epoch"


def _named(value: Any, component: str) -> Any:
    """Colors as #rrggbbaa, timestamps as dates and enum values by name, when the component type
    says what they are."""
    from .rerun_schema import ENUMS

    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iu" or value.ndim != 1:
        return value
    if component in _COLORS:
        return [f"#{int(v) & 0xFFFFFFFF:08x}" for v in value]
    if component == "Timestamp":
        return [timestamp_text(int(v)) for v in value]
    if component in ENUMS:
        names = {v: n for n, v in ENUMS[component]}
        return [names.get(int(v), int(v)) for v in value]
    return value


def short_value(value: Any, limit: int = 100, component_type: str = "") -> str:
    """One line describing a component cell; `component_type` (e.g. "rerun.components.Color")
    lets colors and enums read as #rrggbbaa and names."""
    if value is None:
        return "(none)"
    value = _named(value, component_type.removeprefix("rerun.components."))
    if isinstance(value, list):
        return value[0] if len(value) == 1 else "[" + ", ".join(value[:8]) + (", …]" if len(value) > 8 else "]")
    if isinstance(value, np.ndarray):
        n = len(value)
        items = value.tolist()
    elif isinstance(value, pa.Array):
        n = len(value)
        t = value.type
        if pa.types.is_list(t) and pa.types.is_uint8(t.value_type):
            sizes = [len(b) for b in value.to_pylist() if b is not None]
            return ", ".join(f"<blob {s} bytes>" for s in sizes[:4]) + (f" (+{len(sizes) - 4})" if len(sizes) > 4 else "")
        try:
            items = value.slice(0, 32).to_pylist()
        except (ValueError, TypeError, OverflowError, pa.ArrowException):  # e.g. ns timestamps without pandas
            return f"<{n} × {t}>"
    else:
        return str(value)[:limit]
    parts = []
    used = 0
    for i, item in enumerate(items):
        text = _py(item, limit)
        if used + len(text) > limit and parts:
            parts.append(f"… ({n - i} more)")
            break
        parts.append(text)
        used += len(text) + 2
    else:
        if n > len(items):
            parts.append(f"… ({n - len(items)} more)")
    text = parts[0] if n == 1 and len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return text if len(text) <= limit + 20 else text[: limit + 19] + "…"
