"""Latest-at index for one (timeline, component group) across all entities.

Rows live in a few sorted *runs*, each sorted by (entity slot, time, row id) under a composite
int64 key, so a latest-at query for any number of entities is one vectorized `searchsorted`
per run instead of a Python loop per entity. The key is `slot * span + (time - tmin + 1)` when
that fits in int64 (any sequence timeline, hours of nanosecond timestamps); otherwise the run's
times are rank-transformed first.

Why runs: a viewer queries every frame while a big file is still loading. Re-sorting every row
each time new chunks arrive would cost seconds per frame at 10 M rows; instead the new rows form
a small run of their own, and runs are merged geometrically (a run is merged into the previous
one once it is at least half its size), so each row is re-sorted O(log n) times in total and a
query looks at O(log n) runs. Merging two sorted runs is a stable sort of two sorted sequences,
which numpy's timsort does in about linear time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_KEY_LIMIT = 1 << 62
_FIELDS = ("slot", "time", "chunk", "row", "hi", "lo")


def _row_id_increasing(hi: np.ndarray, lo: np.ndarray) -> bool:
    """Whether 128-bit row ids (hi, lo) strictly increase (uint64 compares, no conversions)."""
    if len(hi) < 2:
        return True
    h0, h1, l0, l1 = hi[:-1], hi[1:], lo[:-1], lo[1:]
    return bool(((h1 > h0) | ((h1 == h0) & (l1 > l0))).all())


@dataclass
class Hits:
    """Latest-at results for the queried slots that have a value (`entities` index the query)."""

    entities: np.ndarray
    chunk: np.ndarray
    row: np.ndarray
    time: np.ndarray
    hi: np.ndarray
    lo: np.ndarray


class _Run:
    """Rows sorted by (slot, time, row id), with their composite key."""

    def __init__(self, cols: dict[str, np.ndarray], presorted_by_row_id: bool) -> None:
        key = self._composite(cols["slot"], cols["time"])
        if presorted_by_row_id:
            # ties keep row-id order under a stable sort; skip the sort when already in order
            order = None if (len(key) < 2 or bool((key[1:] >= key[:-1]).all())) else np.argsort(key, kind="stable")
        else:
            order = np.lexsort((cols["lo"], cols["hi"], cols["time"], cols["slot"]))
        if order is not None:
            cols = {k: v[order] for k, v in cols.items()}
            key = key[order]
        self.cols = cols
        self.key = key
        self.max_row_id = _max_row_id(cols["hi"], cols["lo"])
        self.min_row_id = _min_row_id(cols["hi"], cols["lo"])

    def __len__(self) -> int:
        return len(self.key)

    def _composite(self, slot: np.ndarray, time: np.ndarray) -> np.ndarray:
        self.unique: np.ndarray | None = None
        if not len(time):
            self.span, self.tmin = 0, 0
            return np.zeros(0, np.int64)
        tmin, tmax = int(time.min()), int(time.max())
        span = tmax - tmin + 2
        if (int(slot.max()) + 2) * span < _KEY_LIMIT:
            self.tmin, self.span = tmin, span
            return slot * span + (time - tmin + 1)
        self.span, self.tmin = 0, 0
        self.unique = np.unique(time)
        return slot * (len(self.unique) + 1) + np.searchsorted(self.unique, time)

    def latest_at(self, slots: np.ndarray, t: int) -> np.ndarray:
        """Position of each slot's last row with time <= t in this run, or -1."""
        if self.span:
            q = min(max(int(t) - self.tmin + 1, 0), self.span - 1)
            target = slots * self.span + q
        else:
            assert self.unique is not None
            r = int(np.searchsorted(self.unique, t, side="right"))  # distinct times <= t
            target = slots * (len(self.unique) + 1) + r - 1
        pos = np.searchsorted(self.key, target, side="right") - 1
        ok = pos >= 0
        ok[ok] = self.cols["slot"][pos[ok]] == slots[ok]
        return np.where(ok, pos, -1)


def _max_row_id(hi: np.ndarray, lo: np.ndarray) -> tuple[int, int] | None:
    if not len(hi):
        return None
    top = hi == hi.max()
    return int(hi.max()), int(lo[top].max())


def _min_row_id(hi: np.ndarray, lo: np.ndarray) -> tuple[int, int] | None:
    if not len(hi):
        return None
    bottom = hi == hi.min()
    return int(hi.min()), int(lo[bottom].min())


class ComponentIndex:
    """Append rows in any order; queries sort lazily, new rows into runs of their own."""

    def __init__(self) -> None:
        self._pending: list[tuple[np.ndarray, ...]] = []
        self._runs: list[_Run] = []
        self._distinct: np.ndarray | None = None

    def add(self, slot: int, times: np.ndarray, chunk_id: int, rows: np.ndarray, row_ids: np.ndarray) -> None:
        n = len(rows)
        self._pending.append((np.full(n, slot, np.int64), times.astype(np.int64), np.full(n, chunk_id, np.int64),
                              rows.astype(np.int64), row_ids[:, 0], row_ids[:, 1]))

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs) + sum(len(p[0]) for p in self._pending)

    # ---- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        if not self._pending:
            return
        cols = {name: np.concatenate(col) for name, col in zip(_FIELDS, zip(*self._pending))}
        self._pending = []
        self._distinct = None
        self._runs.append(_Run(cols, _row_id_increasing(cols["hi"], cols["lo"])))
        while len(self._runs) > 1 and 2 * len(self._runs[-1]) >= len(self._runs[-2]):
            newer = self._runs.pop()
            older = self._runs.pop()
            self._runs.append(_merge(older, newer))

    # ---- queries -----------------------------------------------------------------------------
    def lookup(self, slots: np.ndarray, t: int) -> Hits:
        """For each queried slot with a row at time <= t: where its latest row lives."""
        self._build()
        slots = np.asarray(slots, np.int64)
        best: Hits | None = None
        for run in self._runs:
            pos = run.latest_at(slots, t)
            found = np.flatnonzero(pos >= 0)
            if not len(found):
                continue
            k = pos[found]
            c = run.cols
            hits = Hits(found, c["chunk"][k], c["row"][k], c["time"][k], c["hi"][k], c["lo"][k])
            best = hits if best is None else _newest(best, hits)
        if best is None:
            z = np.zeros(0, np.int64)
            return Hits(z, z, z, z, z.astype(np.uint64), z.astype(np.uint64))
        return best

    def distinct_times(self) -> np.ndarray:
        """Sorted distinct times of every row."""
        self._build()
        if self._distinct is None:
            parts = [r.cols["time"] for r in self._runs]
            self._distinct = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        return self._distinct

    def slot_times(self, slot: int) -> np.ndarray:
        """Sorted times of one slot's rows."""
        self._build()
        parts = []
        for run in self._runs:
            a, b = np.searchsorted(run.cols["slot"], [slot, slot + 1])
            parts.append(run.cols["time"][a:b])
        if len(parts) == 1:
            return parts[0]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def _merge(older: _Run, newer: _Run) -> _Run:
    cols = {k: np.concatenate([older.cols[k], newer.cols[k]]) for k in _FIELDS}
    # [older, newer] is in row-id order for ties when every newer row id is larger: both halves
    # are sorted, so a stable sort merges them; otherwise sort by all four keys
    in_order = older.max_row_id is None or newer.min_row_id is None or newer.min_row_id > older.max_row_id
    return _Run(cols, in_order)


def _newest(a: Hits, b: Hits) -> Hits:
    """Per queried entity, the later of two hits (time, then row id)."""
    ent = np.union1d(a.entities, b.entities)
    out = {}
    for name in ("chunk", "row", "time", "hi", "lo"):
        arr = np.zeros(len(ent), getattr(a, name).dtype)
        arr[np.searchsorted(ent, a.entities)] = getattr(a, name)
        out[name] = arr
    has_a = np.zeros(len(ent), bool)
    has_a[np.searchsorted(ent, a.entities)] = True
    pos = np.searchsorted(ent, b.entities)
    t_a, h_a, l_a = out["time"][pos], out["hi"][pos], out["lo"][pos]
    later = ~has_a[pos] | (b.time > t_a) | ((b.time == t_a) & ((b.hi > h_a) | ((b.hi == h_a) & (b.lo > l_a))))
    take = pos[later]
    for name in out:
        out[name][take] = getattr(b, name)[later]
    return Hits(ent, out["chunk"], out["row"], out["time"], out["hi"], out["lo"])
