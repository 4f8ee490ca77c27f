"""`rerun.time`: the time calls, also under this module name (Rerun scripts import them from here)."""
from __future__ import annotations

import datetime as _dt
from typing import Any

from . import disable_timeline, reset_time, set_time
from .rerun_api import set_log_tick_enabled, set_log_time_enabled
from .sdk.time import _duration_ns, _timestamp_ns

UTC = _dt.timezone.utc


def to_nanos(duration: Any) -> int:
    """A duration (seconds, timedelta or numpy timedelta64) in nanoseconds."""
    return _duration_ns(duration)


def to_nanos_since_epoch(timestamp: Any) -> int:
    """A timestamp (seconds since the epoch, datetime or numpy datetime64) in nanoseconds."""
    return _timestamp_ns(timestamp)


__all__ = ["UTC", "disable_timeline", "reset_time", "set_log_tick_enabled", "set_log_time_enabled", "set_time",
           "to_nanos", "to_nanos_since_epoch"]
