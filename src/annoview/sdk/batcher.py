"""Micro-batching: many small log calls become few chunks.

Rows are grouped by (entity, static, component set, timeline set) and turned into one chunk when
a group grows past a size or row limit, when the oldest pending row is older than the flush
interval (a background thread), on explicit flush, and at interpreter exit.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..chunk import Chunk, build_chunk
from ..types.kinds import Kind

MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 4096
FLUSH_INTERVAL_S = 0.02

GroupKey = tuple[str, bool, tuple[str, ...], tuple[str, ...]]


@dataclass
class _Group:
    entity_path: str
    is_static: bool
    kinds: dict[str, Kind]
    timeline_kinds: dict[str, str]
    hi: list[int] = field(default_factory=list)
    lo: list[int] = field(default_factory=list)
    times: dict[str, list[int]] = field(default_factory=dict)
    cells: dict[str, list[Any]] = field(default_factory=dict)
    nbytes: int = 0
    started: float = 0.0

    def to_chunk(self) -> Chunk:
        return build_chunk(
            self.entity_path, self.is_static, np.array(self.hi, np.uint64), np.array(self.lo, np.uint64),
            {name: (self.timeline_kinds[name], np.array(vals, np.int64)) for name, vals in self.times.items()},
            {name: (self.kinds[name], cells) for name, cells in self.cells.items()},
        )


def _cell_bytes(value: Any) -> int:
    return value.nbytes if isinstance(value, np.ndarray) else 64


class Batcher:
    """Collects rows and emits chunks to `emit` (called outside the lock, in row order per group)."""

    def __init__(self, emit: Callable[[Chunk], None], flush_interval_s: float = FLUSH_INTERVAL_S) -> None:
        self._emit = emit
        self._groups: dict[GroupKey, _Group] = {}
        self._lock = threading.Lock()
        self._emit_lock = threading.Lock()
        self._interval = flush_interval_s
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=_tick, args=(weakref.ref(self),), daemon=True, name="annoview-batcher")
        self._thread.start()

    def add_row(
        self, entity_path: str, is_static: bool, hi: int, lo: int, times: dict[str, tuple[str, int]],
        components: dict[str, tuple[Kind, Any]],
    ) -> None:
        key: GroupKey = (entity_path, is_static, tuple(components), tuple(times))
        full: list[_Group] = []
        with self._lock:
            was_idle = not self._groups
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = _Group(
                    entity_path, is_static, {n: k for n, (k, _) in components.items()},
                    {n: k for n, (k, _) in times.items()},
                    times={n: [] for n in times}, cells={n: [] for n in components}, started=time.monotonic(),
                )
            group.hi.append(hi)
            group.lo.append(lo)
            for name, (_, value) in times.items():
                group.times[name].append(value)
            for name, (_, value) in components.items():
                group.cells[name].append(value)
                group.nbytes += _cell_bytes(value)
            if group.nbytes >= MAX_BYTES or len(group.hi) >= MAX_ROWS:
                full.append(self._groups.pop(key))
        if was_idle:
            self._wake.set()  # the age timer sleeps longer while nothing is pending
        if full:
            self._send(full)

    def _send(self, groups: list[_Group]) -> None:
        with self._emit_lock:
            for g in groups:
                self._emit(g.to_chunk())

    def flush(self, older_than_s: float | None = None) -> None:
        """Emit pending groups (all of them, or only those older than the given age).

        Taking the groups and emitting them happen under the emit lock together: a flush that
        returns (`rr.flush`, close at exit) has seen every group another thread's flush took,
        emitted. Otherwise the age timer could take a group, lose the race for the emit lock,
        and emit it into a sink the closing thread had already closed (rows lost at exit)."""
        now = time.monotonic()
        with self._emit_lock:
            with self._lock:
                if older_than_s is None:
                    groups = list(self._groups.values())
                    self._groups.clear()
                else:
                    keys = [k for k, g in self._groups.items() if now - g.started >= older_than_s]
                    groups = [self._groups.pop(k) for k in keys]
            for g in groups:
                self._emit(g.to_chunk())

    def close(self) -> None:
        self.flush()
        self._closed = True
        self._wake.set()


def _tick(ref: "weakref.ref[Batcher]") -> None:
    """Age-based flushing without keeping the batcher alive."""
    while True:
        b = ref()
        if b is None or b._closed:
            return
        wake, interval = b._wake, b._interval
        has_pending = bool(b._groups)
        del b
        if wake.wait(interval if has_pending else interval * 4):
            wake.clear()
        b = ref()
        if b is None or b._closed:
            return
        try:
            b.flush(older_than_s=b._interval)
        except Exception as e:  # a failing sink must not kill the thread silently
            import warnings

            warnings.warn(f"annoview: flushing logged data failed: {e}", RuntimeWarning, stacklevel=1)
        del b
