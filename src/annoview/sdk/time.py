"""Per-thread time context: the timeline values stamped on every log call (as in Rerun).

Every value is checked to fit int64 at `set_time` (as nanoseconds for durations and
timestamps): a value that does not fit would otherwise fail when its batch is written and take
every later row on that timeline with it. Python ints keep the arithmetic exact.
"""
from __future__ import annotations

import datetime as _dt
import threading
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..utf8 import encodable

NS = 1_000_000_000
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def _duration_ns(value: Any) -> int:
    if isinstance(value, _dt.timedelta):
        return (value.days * 86400 + value.seconds) * NS + value.microseconds * 1000
    if isinstance(value, np.timedelta64):
        return _numpy_ns(value, "duration")
    return _seconds_to_ns(value, "duration")


def _timestamp_ns(value: Any) -> int:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        try:
            delta = value - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        except OverflowError:  # datetime.min with a positive UTC offset
            raise ValidationError("set_time", "timestamp", f"{value} is out of range") from None
        return _fits_int64(_duration_ns(delta), "timestamp", f"{value} in nanoseconds since 1970")
    if isinstance(value, np.datetime64):
        return _fits_int64(_numpy_ns(value, "timestamp"), "timestamp", f"{value} in nanoseconds since 1970")
    return _seconds_to_ns(value, "timestamp")


def _seconds_to_ns(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValidationError("set_time", field, f"expected seconds as a number, got {type(value).__name__}")
    f = float(value)
    if not np.isfinite(f):
        raise ValidationError("set_time", field, "seconds must be finite")
    scaled = f * NS
    if not -(2.0**63) <= scaled < 2.0**63:  # also catches inf from an overflowing product
        hint = " (is it in milliseconds?)" if field == "timestamp" and abs(f) < 1e15 else ""
        raise ValidationError("set_time", field, f"{f:g} s does not fit int64 nanoseconds "
                              f"(about ±292 years around 1970){hint}")
    return int(round(scaled))


_UNIT_NS = {"W": 7 * 86400 * NS, "D": 86400 * NS, "h": 3600 * NS, "m": 60 * NS, "s": NS, "ms": 10**6,
            "us": 10**3, "ns": 1}


def _numpy_ns(value: np.timedelta64 | np.datetime64, field: str) -> int:
    """Exact nanoseconds of a numpy time value (numpy's own cast to [ns] wraps around silently)."""
    if np.isnat(value):
        raise ValidationError("set_time", field, "NaT is not a time")
    unit, count = np.datetime_data(value.dtype)
    if unit in _UNIT_NS:
        return int(value.astype(np.int64)) * count * _UNIT_NS[unit]
    if unit in ("Y", "M") and isinstance(value, np.datetime64):
        return _numpy_ns(value.astype("M8[D]"), field)  # calendar units: exact via days
    if unit in ("ps", "fs", "as"):
        return int(value.astype("m8[ns]" if isinstance(value, np.timedelta64) else "M8[ns]").astype(np.int64))
    raise ValidationError("set_time", field, f"numpy unit {unit!r} is not supported; use D, h, m, s, ms, us or ns")


def _fits_int64(value: int, field: str, what: str) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValidationError("set_time", field, f"{what} does not fit int64 (±{INT64_MAX})")
    return value


def to_index_value(timeline: Any, sequence: Any, duration: Any, timestamp: Any) -> tuple[str, int]:
    """The (kind, int64 value) for a set_time call; exactly one of the three must be given."""
    if not isinstance(timeline, str) or not timeline or ":" in timeline or timeline == "row_id":
        raise ValidationError("set_time", "timeline", f"expected a non-empty timeline name without ':', got {timeline!r}")
    given = [(k, v) for k, v in (("sequence", sequence), ("duration", duration), ("timestamp", timestamp)) if v is not None]
    if len(given) != 1:
        raise ValidationError("set_time", "timeline", f"give exactly one of sequence=, duration=, timestamp= for {timeline!r}")
    kind, value = given[0]
    if kind == "sequence":
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValidationError("set_time", "sequence", f"expected an integer, got {type(value).__name__}")
        value = int(value)
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValidationError("set_time", "sequence", f"sequence {value} does not fit int64 (±{INT64_MAX})")
        return kind, value
    if kind == "duration":
        ns = _duration_ns(value)
        return kind, _fits_int64(ns, "duration", f"duration {value} in nanoseconds")
    return kind, _timestamp_ns(value)


class TimeContext:
    """Timeline values per thread, like Rerun's thread-local time."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _values(self) -> dict[str, tuple[str, int]]:
        vals = getattr(self._local, "values", None)
        if vals is None:
            vals = self._local.values = {}
        return vals

    def set(self, timeline: str, kind: str, value: int) -> None:
        if not timeline.isascii():
            timeline = encodable(timeline, "set_time", "timeline")
        vals = self._values()
        prev = vals.get(timeline)
        if prev is not None and prev[0] != kind:
            raise ValidationError("set_time", "timeline", f"timeline {timeline!r} is a {prev[0]} timeline, cannot set a {kind}")
        vals[timeline] = (kind, value)

    def disable(self, timeline: str) -> None:
        self._values().pop(timeline, None)

    def reset(self) -> None:
        self._values().clear()

    def snapshot(self) -> dict[str, tuple[str, int]]:
        return self._values()
