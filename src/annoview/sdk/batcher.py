"""Micro-batching: many small log calls become few chunks.

Rows are grouped by (entity, static, component set, timeline set) and turned into one chunk when
a group grows past a size or row limit, when the oldest pending row is older than the flush
interval (a background thread), on explicit flush, and at interpreter exit.

Closing never loses a row whose add_row returned: groups taken out for sending are counted as
in flight until they are emitted, and close() waits for them (the age thread or another log
call may have taken a group just before close() looked). add_row after close() returns False
so that the caller can report the row instead of dropping it silently.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

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
    """Size of a cell for the flush threshold: numpy and Arrow (generic component) cells by their
    buffers, so big tensors or blobs flush early; other cells count as small."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, pa.Array):
        return value.get_total_buffer_size()  # ~0.1 us, where .nbytes takes ~10 us
    return 64


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
        self._inflight = 0                       # groups taken out of _groups, not yet emitted
        self._drained = threading.Condition(self._lock)
        self._thread = threading.Thread(target=_tick, args=(weakref.ref(self),), daemon=True, name="annoview-batcher")
        self._thread.start()

    def add_row(
        self, entity_path: str, is_static: bool, hi: int, lo: int, times: dict[str, tuple[str, int]],
        components: dict[str, tuple[Kind, Any]],
    ) -> bool:
        """Add one row; False (row not taken) once the batcher is closed."""
        key: GroupKey = (entity_path, is_static, tuple(components), tuple(times))
        full: list[_Group] = []
        with self._lock:
            if self._closed:
                return False
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
                self._inflight += 1
        if was_idle:
            self._wake.set()  # the age timer sleeps longer while nothing is pending
        if full:
            self._send(full)
        return True

    def _send(self, groups: list[_Group]) -> None:
        """Emit groups already counted in _inflight; the count drops even if emit raises."""
        try:
            with self._emit_lock:
                for g in groups:
                    self._emit(g.to_chunk())
        finally:
            with self._lock:
                self._inflight -= len(groups)
                self._drained.notify_all()

    def flush(self, older_than_s: float | None = None) -> None:
        """Emit pending groups (all of them, or only those older than the given age)."""
        now = time.monotonic()
        with self._lock:
            if older_than_s is None:
                groups = list(self._groups.values())
                self._groups.clear()
            else:
                keys = [k for k, g in self._groups.items() if now - g.started >= older_than_s]
                groups = [self._groups.pop(k) for k in keys]
            self._inflight += len(groups)
        if groups:
            self._send(groups)

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop taking rows, emit every pending one, and wait (bounded) for groups that other
        threads took out before this call; after it returns, nothing is emitted any more."""
        with self._lock:
            self._closed = True
        self.flush()
        with self._lock:
            self._drained.wait_for(lambda: self._inflight == 0, timeout_s)
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
