"""Per-thread time context: the timeline values stamped on every log call (as in Rerun)."""
from __future__ import annotations

import datetime as _dt
import threading
from typing import Any

import numpy as np

from ..errors import ValidationError

NS = 1_000_000_000


def _duration_ns(value: Any) -> int:
    if isinstance(value, _dt.timedelta):
        return (value.days * 86400 + value.seconds) * NS + value.microseconds * 1000
    if isinstance(value, np.timedelta64):
        return int(value.astype("timedelta64[ns]").astype(np.int64))
    return _seconds_to_ns(value, "duration")


def _timestamp_ns(value: Any) -> int:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return _duration_ns(delta)
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[ns]").astype(np.int64))
    return _seconds_to_ns(value, "timestamp")


def _seconds_to_ns(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValidationError("set_time", field, f"expected seconds as a number, got {type(value).__name__}")
    f = float(value)
    if not np.isfinite(f):
        raise ValidationError("set_time", field, "seconds must be finite")
    return int(round(f * NS))


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
        return kind, int(value)
    return kind, _duration_ns(value) if kind == "duration" else _timestamp_ns(value)


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
