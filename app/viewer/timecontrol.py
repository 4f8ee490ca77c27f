"""Time control: which timeline, the current time, playback, stepping. Pure logic, no UI.

Playback rates: a sequence timeline plays `fps` steps per second (x speed), a duration or
timestamp timeline plays in real time (x speed). Steps go to the next/previous time at which
anything was logged, so sparse sequences and timestamp timelines step through their data, not
through empty nanoseconds. New data arriving while the cursor sits at the end keeps it at the
end ("follow", what one wants for a live stream).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np

from annoview.store import TimelineInfo

SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass
class TimeControl:
    timeline: str | None = None
    time: int | None = None
    playing: bool = False
    speed: float = 1.0
    loop: bool = True
    fps: float = 30.0
    follow: bool = True          # at the end: stay there as data arrives
    _info: TimelineInfo | None = None
    _carry: float = 0.0          # fractional sequence steps not taken yet

    # ---- timelines ------------------------------------------------------------------------
    def sync(self, timelines: dict[str, TimelineInfo], default: TimelineInfo | None) -> bool:
        """Adopt the store's timelines (after new data); True when the time changed."""
        before = (self.timeline, self.time)
        info = timelines.get(self.timeline) if self.timeline is not None else None
        if info is None:
            info = default
            self.timeline = info.name if info else None
            self.time = info.max if info else None
        elif self.follow and self._info is not None and self.time == self._info.max and not self.playing:
            self.time = info.max
        self._info = info
        if info is not None and self.time is not None:
            self.time = int(min(max(self.time, info.min), info.max))
        return (self.timeline, self.time) != before

    @property
    def info(self) -> TimelineInfo | None:
        return self._info

    def select_timeline(self, info: TimelineInfo) -> None:
        """Switch timelines; the cursor goes to the end of the new one (as `annoview screenshot`)."""
        if info.name != self.timeline:
            self.timeline, self._info, self.time = info.name, info, info.max
            self._carry = 0.0

    # ---- moving ---------------------------------------------------------------------------
    def set_time(self, t: int) -> None:
        info = self._info
        if info is None:
            return
        self.time = int(min(max(int(t), info.min), info.max))
        self.follow = self.time == info.max

    def home(self) -> None:
        if self._info is not None:
            self.set_time(self._info.min)

    def end(self) -> None:
        if self._info is not None:
            self.set_time(self._info.max)

    def toggle_play(self) -> None:
        info = self._info
        if info is None:
            return
        if not self.playing and self.time == info.max and info.max > info.min:
            self.time = info.min          # play from the start when parked at the end
        self.playing = not self.playing
        self._carry = 0.0

    def step(self, direction: int, data_times: np.ndarray | None = None) -> None:
        """To the next (+1) or previous (-1) time holding data; +-1 on a sequence without any."""
        info = self._info
        if info is None or self.time is None:
            return
        self.playing = False
        t = self.time
        if data_times is not None and len(data_times):
            if direction > 0:
                i = int(np.searchsorted(data_times, t, side="right"))
                nxt = int(data_times[i]) if i < len(data_times) else (int(data_times[0]) if self.loop else t)
            else:
                i = int(np.searchsorted(data_times, t, side="left")) - 1
                nxt = int(data_times[i]) if i >= 0 else (int(data_times[-1]) if self.loop else t)
            self.set_time(nxt)
        elif info.kind == "sequence":
            self.set_time(t + (1 if direction > 0 else -1))

    def advance(self, dt: float) -> bool:
        """Move by `dt` seconds of playback; True when the time changed."""
        info = self._info
        if not self.playing or info is None or self.time is None:
            return False
        before = self.time
        if info.kind == "sequence":
            self._carry += dt * self.fps * self.speed
            steps = int(self._carry)
            self._carry -= steps
            t = self.time + steps
        else:
            t = self.time + int(dt * self.speed * 1e9)
        if t > info.max:
            if self.loop and info.max > info.min:
                span = info.max - info.min + (1 if info.kind == "sequence" else 0)
                t = info.min + (t - info.min) % max(span, 1)
            else:
                t = info.max
                self.playing = False
        self.time = int(t)
        self.follow = self.time == info.max and not self.playing
        return self.time != before

    # ---- display --------------------------------------------------------------------------
    def fraction(self) -> float:
        """Where the cursor is, 0..1 along the timeline (for the time bar)."""
        info = self._info
        if info is None or self.time is None or info.max == info.min:
            return 1.0
        return (self.time - info.min) / (info.max - info.min)

    def time_at_fraction(self, f: float) -> int:
        info = self._info
        assert info is not None
        t = info.min + min(max(f, 0.0), 1.0) * (info.max - info.min)
        return int(round(t))


def format_time(kind: str, value: int | None, *, relative_to: int | None = None) -> str:
    """A time as the time panel shows it: `#42`, `1.250 s`, or a UTC clock time."""
    if value is None:
        return "-"
    if kind == "sequence":
        return f"#{value}"
    if kind == "duration":
        return f"{value / 1e9:.3f} s"
    d = _dt.datetime.fromtimestamp(value / 1e9, tz=_dt.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"
