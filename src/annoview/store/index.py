"""Latest-at index for one (timeline, component) across all entities.

Rows are kept sorted by (entity slot, time, row id). Times are rank-transformed so a composite
int64 key `slot * (U + 1) + rank` is sorted too; a latest-at query for any number of entities is
then two vectorized `searchsorted` calls instead of a Python loop per entity.
"""
from __future__ import annotations

import numpy as np


class ComponentIndex:
    """Append rows in any order; queries sort lazily once per batch of appends."""

    def __init__(self) -> None:
        self._pending: list[tuple[np.ndarray, ...]] = []
        self.slot = np.zeros(0, np.int64)
        self.time = np.zeros(0, np.int64)
        self.chunk = np.zeros(0, np.int64)
        self.row = np.zeros(0, np.int64)
        self._unique = np.zeros(0, np.int64)
        self._key = np.zeros(0, np.int64)
        self._hi = np.zeros(0, np.uint64)
        self._lo = np.zeros(0, np.uint64)

    def add(self, slot: int, times: np.ndarray, chunk_id: int, rows: np.ndarray, row_ids: np.ndarray) -> None:
        n = len(rows)
        self._pending.append((np.full(n, slot, np.int64), times.astype(np.int64), np.full(n, chunk_id, np.int64),
                              rows.astype(np.int64), row_ids[:, 0], row_ids[:, 1]))

    def __len__(self) -> int:
        return len(self.slot) + sum(len(p[0]) for p in self._pending)

    def _build(self) -> None:
        if not self._pending:
            return
        parts = list(zip(*self._pending))
        self._pending = []
        slot = np.concatenate([self.slot, *parts[0]])
        time = np.concatenate([self.time, *parts[1]])
        chunk = np.concatenate([self.chunk, *parts[2]])
        row = np.concatenate([self.row, *parts[3]])
        hi = np.concatenate([self._hi, *parts[4]])
        lo = np.concatenate([self._lo, *parts[5]])
        order = np.lexsort((lo, hi, time, slot))
        self.slot, self.time, self.chunk, self.row = slot[order], time[order], chunk[order], row[order]
        self._hi, self._lo = hi[order], lo[order]
        self._unique = np.unique(self.time)
        rank = np.searchsorted(self._unique, self.time)
        self._key = self.slot * (len(self._unique) + 1) + rank

    @property
    def row_hi(self) -> np.ndarray:
        return self._hi

    @property
    def row_lo(self) -> np.ndarray:
        return self._lo

    def latest_at(self, slots: np.ndarray, t: int) -> np.ndarray:
        """For each entity slot: the sorted position of its last row with time <= t, or -1."""
        self._build()
        if len(self.slot) == 0:
            return np.full(len(slots), -1, np.int64)
        r = np.searchsorted(self._unique, t, side="right")  # number of distinct times <= t
        target = slots.astype(np.int64) * (len(self._unique) + 1) + r
        pos = np.searchsorted(self._key, target, side="left") - 1
        ok = pos >= 0
        ok[ok] = self.slot[pos[ok]] == slots[ok]
        return np.where(ok, pos, -1)

    def distinct_times(self) -> np.ndarray:
        """Sorted distinct times of every row."""
        self._build()
        return self._unique

    def slot_times(self, slot: int) -> np.ndarray:
        self._build()
        a, b = np.searchsorted(self.slot, [slot, slot + 1])
        return self.time[a:b]
