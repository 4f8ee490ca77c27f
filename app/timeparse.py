"""Timeline choice and `TIMELINE=VALUE` parsing shared by the CLI commands and the viewer."""
from __future__ import annotations

import datetime as _dt

from annoview.errors import AnnoviewError
from annoview.store import Store, TimelineInfo


class UsageError(AnnoviewError):
    """A bad command-line argument (one-line error, exit code 1)."""


def default_timeline(store: Store) -> TimelineInfo | None:
    """The first timeline by name, preferring any over `log_time` (Rerun shows user timelines first)."""
    timelines = store.timelines()
    names = sorted(n for n in timelines if n != "log_time") or sorted(timelines)
    return timelines[names[0]] if names else None


def parse_time_value(info: TimelineInfo, text: str) -> int:
    """A user-written time on a timeline: an int sequence, seconds (`1.5` / `1.5s`) for
    durations, seconds since the epoch or an ISO date for timestamps; `min`/`max` work for all."""
    text = text.strip()
    if text in ("min", "start"):
        return info.min
    if text in ("max", "end"):
        return info.max
    try:
        if info.kind == "sequence":
            return int(text)
        if info.kind == "duration":
            return int(round(float(text.removesuffix("s")) * 1e9))
        try:
            return int(round(float(text) * 1e9))
        except ValueError:
            d = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if d.tzinfo is None:
                d = d.replace(tzinfo=_dt.timezone.utc)
            return int(d.timestamp() * 1e9)
    except ValueError:
        raise UsageError(f"--time: {text!r} is not a valid {info.kind} value for timeline {info.name!r}") from None


def parse_time_arg(store: Store, arg: str | None) -> tuple[str | None, int | None]:
    """`TIMELINE=VALUE` (or None: the end of the default timeline) -> (timeline, time)."""
    if arg is None:
        info = default_timeline(store)
        return (info.name, info.max) if info else (None, None)
    name, sep, value = arg.partition("=")
    if not sep:
        raise UsageError(f"--time: expected TIMELINE=VALUE, got {arg!r}")
    info = store.timelines().get(name)
    if info is None:
        known = ", ".join(store.timelines()) or "none"
        raise UsageError(f"--time: no timeline {name!r} in this recording (timelines: {known})")
    return name, parse_time_value(info, value)


def parse_size(text: str, flag: str = "--size") -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    try:
        size = (int(w), int(h))
    except ValueError:
        raise UsageError(f"{flag}: expected WxH such as 1280x720, got {text!r}") from None
    if not sep or not (1 <= size[0] <= 16384 and 1 <= size[1] <= 16384):
        raise UsageError(f"{flag}: expected WxH with each side in 1..16384, got {text!r}")
    return size
