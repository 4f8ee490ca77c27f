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
HIT_FIELDS = ("entities", "chunk", "row", "time", "hi", "lo")


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
    """Rows kept in row-id order plus a permutation that sorts them by (slot, time, row id).

    Keeping the columns in row-id order (and only the int64 key sorted) avoids gathering six
    columns on every sort and merge: queries touch just the few rows they return."""

    def __init__(self, cols: dict[str, np.ndarray], in_row_id_order: bool) -> None:
        if not in_row_id_order:
            o = np.lexsort((cols["lo"], cols["hi"]))
            cols = {k: v[o] for k, v in cols.items()}
        self.cols = cols
        key = self._composite(cols["slot"], cols["time"])
        # stable: rows with equal (slot, time) stay in row-id order, so the last one wins
        self.perm = np.argsort(key, kind="stable")
        self.key = key[self.perm]
        n = len(key)
        self.min_row_id = (int(cols["hi"][0]), int(cols["lo"][0])) if n else None
        self.max_row_id = (int(cols["hi"][-1]), int(cols["lo"][-1])) if n else None

    def __len__(self) -> int:
        return len(self.key)

    def _composite(self, slot: np.ndarray, time: np.ndarray) -> np.ndarray:
        self.unique: np.ndarray | None = None
        if not len(time):
            self.span, self.tmin, self.div = 0, 0, 1
            return np.zeros(0, np.int64)
        tmin, tmax = int(time.min()), int(time.max())
        span = tmax - tmin + 2
        if (int(slot.max()) + 2) * span < _KEY_LIMIT:
            self.tmin, self.span, self.div = tmin, span, span
            return slot * span + (time - tmin + 1)
        self.span, self.tmin = 0, 0
        self.unique = np.unique(time)
        self.div = len(self.unique) + 1
        return slot * self.div + np.searchsorted(self.unique, time)

    def latest_at(self, slots: np.ndarray, t: int) -> np.ndarray:
        """Row index (into `cols`) of each slot's last row with time <= t in this run, or -1."""
        if self.span:
            q = min(max(int(t) - self.tmin + 1, 0), self.span - 1)
        else:
            assert self.unique is not None
            q = int(np.searchsorted(self.unique, t, side="right")) - 1  # rank of the last time <= t
        pos = np.searchsorted(self.key, slots * self.div + q, side="right") - 1
        ok = pos >= 0
        ok[ok] = self.key[pos[ok]] // self.div == slots[ok]
        return np.where(ok, self.perm[np.maximum(pos, 0)], -1)

    def slot_times(self, slot: int) -> np.ndarray:
        a, b = np.searchsorted(self.key, [slot * self.div, (slot + 1) * self.div])
        return self.cols["time"][self.perm[a:b]]


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

    def add_many(self, slots: np.ndarray, times: np.ndarray, chunk_ids: np.ndarray, rows: np.ndarray,
                 row_ids: np.ndarray) -> None:
        """Rows of many chunks at once (every argument one value per row)."""
        self._pending.append((slots.astype(np.int64, copy=False), times.astype(np.int64, copy=False),
                              chunk_ids.astype(np.int64, copy=False), rows.astype(np.int64, copy=False),
                              row_ids[:, 0], row_ids[:, 1]))

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
        # at most one merge per build, the smallest eligible pair: a frame never pays for a whole
        # cascade, and the run count still stays logarithmic
        for i in range(len(self._runs) - 1, 0, -1):
            if 2 * len(self._runs[i]) >= len(self._runs[i - 1]):
                self._runs[i - 1:i + 1] = [_merge(self._runs[i - 1], self._runs[i])]
                break

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
            best = hits if best is None else newest(best, hits)
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
        parts = [run.slot_times(slot) for run in self._runs]
        if len(parts) == 1:
            return parts[0]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def _merge(older: _Run, newer: _Run) -> _Run:
    cols = {k: np.concatenate([older.cols[k], newer.cols[k]]) for k in _FIELDS}
    # both runs keep their rows in row-id order, so the concatenation does too when every newer
    # row id is larger (the usual case); otherwise the merged run re-sorts its rows by row id
    in_order = older.max_row_id is None or newer.min_row_id is None or newer.min_row_id > older.max_row_id
    return _Run(cols, in_order)


def newest(a: Hits, b: Hits) -> Hits:
    """Per queried entity, the later of two hits (time, then row id): the same component found
    in two runs, or in two component groups of the store."""
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
