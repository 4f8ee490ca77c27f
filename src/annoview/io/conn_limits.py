"""Rules that stop hostile stream peers from holding the server's slots or memory.

Without them one byte a second keeps a connection open forever, 64 idle connections lock out
every real logger, and 64 declared 1 GiB frames buffer 64 GiB. The rules, applied by
StreamServer (tcp_server.py) and documented in docs/format.md ("Server checks"):

- Progress: a handshake or frame in progress must arrive at `min_rate_bps` on average once
  `progress_grace_s` have passed since its first byte. A real logger writes a frame in one go;
  a peer trickling bytes is closed. Quiet time *between* frames is not limited: a logger may
  have nothing to log for hours.
- Memory: the bytes held for unfinished handshakes and frames, across all connections, stay
  under `max_buffered_bytes`; beyond it the connection holding the most is closed.
- Slots: a full server admits a newcomer by closing, in this order, a connection that has not
  finished its handshake (oldest first), one whose frame in progress has been below the
  minimum rate for `idle_evict_s`, or the one idle the longest if idle for `idle_evict_s`.
  Otherwise the newcomer is refused with a reason starting with REJECT_BUSY_PREFIX, which the
  SDK retries with backoff. A real logger closed this way reconnects by itself (tcp_sink.py),
  so making room costs it nothing but a reconnect; a full server (64 connections) is rare.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DEFAULT_MAX_BUFFERED_BYTES = 2 << 30      # two maximal (1 GiB) frames at once
DEFAULT_PROGRESS_GRACE_S = 30.0
DEFAULT_MIN_RATE_BPS = 64 * 1024.0
DEFAULT_IDLE_EVICT_S = 1.0
REJECT_BUSY_PREFIX = "busy: "


class _ConnState(Protocol):
    info: object | None
    opened: float
    last_rx: float
    buffered: int
    partial_since: float | None
    partial_rx: int


@dataclass(frozen=True)
class ConnLimits:
    max_buffered_bytes: int = DEFAULT_MAX_BUFFERED_BYTES
    progress_grace_s: float = DEFAULT_PROGRESS_GRACE_S
    min_rate_bps: float = DEFAULT_MIN_RATE_BPS
    idle_evict_s: float = DEFAULT_IDLE_EVICT_S

    def too_slow(self, since: float | None, received: int, now: float, grace_s: float | None = None) -> str | None:
        """Why a handshake/frame in progress since `since` with `received` bytes is too slow, or None."""
        grace = self.progress_grace_s if grace_s is None else grace_s
        if since is None:
            return None
        elapsed = now - since
        if elapsed <= grace:
            return None
        if received >= self.min_rate_bps * (elapsed - grace):
            return None
        return (f"too slow: {received} bytes in {elapsed:.0f} s (after {grace:g} s it must "
                f"average {self.min_rate_bps / 1024:g} KiB/s)")

    def eviction_victim(self, conns: list[_ConnState], now: float) -> _ConnState | None:
        """The connection to close so that a newcomer fits, or None to refuse the newcomer."""
        waiting = [c for c in conns if c.info is None]
        if waiting:
            return min(waiting, key=lambda c: c.opened)
        slow = [c for c in conns if c.buffered and self.too_slow(c.partial_since, c.partial_rx, now, self.idle_evict_s)]
        if slow:
            return min(slow, key=lambda c: c.partial_since or now)
        idle = [c for c in conns if c.buffered == 0 and now - c.last_rx >= self.idle_evict_s]
        return min(idle, key=lambda c: c.last_rx) if idle else None
