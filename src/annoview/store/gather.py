"""Grouped latest-at: the cells of many entities of one component as flat numpy arrays.

`Store.query` already finds every entity's latest row with one vectorized search; what stays is
reading the values. `CellRef.value` decodes one cell at a time (a Python call per entity and
component); a scene of 10,000 people would pay that 40,000 times a frame. `ColumnGather` reads
the same cells for a whole group of entities at once:

- the values come back concatenated, with one length per entity (`Gathered`), ready for array
  code (the scene's grouped build, `scene/grouped.py`);
- a chunk's column is prepared once (`RowTable`: its numeric values as one array, reshaped to
  (rows, length, ...) when every row has the same length, as a skeleton's 17 keypoints do);
- windows of rows around the ones asked for are copied into one array per component (`_Arena`),
  so a gather is one fancy index for all entities; when that does not pay (scrubbing around)
  or does not fit, a gather costs one array index per entity;
- a column whose rows all hold the same value (class ids, keypoint ids, `show_labels` logged
  with every frame) is noted as "uniform" once per chunk; gathering a component whose chunks
  are all uniform is pure numpy, with no per-entity work at all.

Tables are held through weak references: they live in their chunk's column views, so evicting a
chunk (store/residency.py) frees them, and the next gather reads the chunk back.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from ..chunk import Chunk, ColumnView
from .residency import ChunkTable

_UNKNOWN, _NOT_UNIFORM = -2, -1


class RowTable:
    """One chunk column, decoded for gathering: `flat` values (None when not numeric), row
    `offsets` (the column view's own array), `row_len` (L when every row has L values, else -1),
    `fixed` (rows, L, ...) in that case, and `uniform`, the value every row holds, if one does.

    One table per column view (`of`), however many gatherers read it: it lives exactly as long
    as the view, and so as the chunk."""

    __slots__ = ("flat", "offsets", "fixed", "row_len", "uniform", "__weakref__")

    @classmethod
    def of(cls, chunk: Chunk, component: str) -> "RowTable":
        view = chunk.column(component)
        held = getattr(view, "_gather_table", None)
        if held is None:
            held = view._gather_table = cls(view)  # type: ignore[attr-defined]
        return held

    def __init__(self, view: ColumnView) -> None:
        if not view._decoded:
            view._decode()
        offsets = view.offsets
        self.flat = view._flat
        self.offsets = offsets
        lengths = np.diff(offsets)
        self.fixed = None
        self.row_len = -1
        self.uniform: np.ndarray | None = None
        if len(lengths) and (lengths == lengths[0]).all() and view.valid is None:
            self.row_len = int(lengths[0])
            if self.flat is not None:
                start = int(offsets[0])
                body = self.flat[start:start + self.row_len * len(lengths)]
                self.fixed = body.reshape(len(lengths), self.row_len, *self.flat.shape[1:])
                if self.row_len and (self.fixed == self.fixed[:1]).all():
                    self.uniform = np.array(self.fixed[0])


ARENA_BYTES = 64 << 20   # per component (less under a memory limit); beyond it, chunk by chunk


WINDOW_ROWS = 64   # rows of one chunk an arena copies around the row asked for


class _Arena:
    """A window of rows of many chunks of one component copied into one array, so a gather over
    any entities is one fancy index. A chunk contributes the rows around the one asked for
    (`WINDOW_ROWS`, all of a small chunk): playback moves through them, and a row outside its
    chunk's window copies a new window. Bounded by a byte budget: when full it starts again with
    what the gather needs now (a copy of data the chunks hold, so dropping it loses nothing).
    Rows of a chunk whose rows all have L values start at base + (row - first) * L; other
    chunks keep their window's row offsets here."""

    def __init__(self, like: np.ndarray) -> None:
        self.item_shape, self.dtype = like.shape[1:], like.dtype
        self.item_bytes = like.dtype.itemsize * int(np.prod(like.shape[1:], dtype=np.int64))
        self.values = np.empty((0, *self.item_shape), self.dtype)
        self.used = 0
        self.offsets = np.zeros(0, np.int64)          # ragged windows: row offsets, here
        self.offsets_used = 0
        self.base = np.zeros(0, np.int64)             # per chunk id: window start here, -1 absent
        self.first = np.zeros(0, np.int64)            # per chunk id: first row of its window
        self.stop = np.zeros(0, np.int64)             # per chunk id: row after its window
        self.row_len = np.zeros(0, np.int64)          # per chunk id: L, or -1 (ragged)
        self.row_base = np.zeros(0, np.int64)         # per chunk id (ragged): its window's first offset

    def nbytes(self) -> int:
        return self.used * self.item_bytes + 8 * self.offsets_used

    def fits(self, tab: RowTable) -> bool:
        return tab.flat is not None and tab.flat.shape[1:] == self.item_shape and tab.flat.dtype == self.dtype

    def holds(self, chunk: np.ndarray, row: np.ndarray) -> np.ndarray:
        """Per cell: whether its row is in the arena."""
        if not len(self.base):
            return np.zeros(len(chunk), bool)
        inside = chunk < len(self.base)
        c = np.where(inside, chunk, 0)
        return inside & (self.base[c] >= 0) & (self.first[c] <= row) & (row < self.stop[c])

    def cost(self, tabs: list[RowTable], starts: np.ndarray, stops: np.ndarray) -> int:
        values = sum(int(t.offsets[b] - t.offsets[a]) for t, a, b in zip(tabs, starts.tolist(), stops.tolist()))
        ragged = sum(b - a + 1 for t, a, b in zip(tabs, starts.tolist(), stops.tolist()) if t.row_len < 0)
        return values * self.item_bytes + 8 * ragged

    def add(self, cids: np.ndarray, tabs: list[RowTable], starts: np.ndarray, stops: np.ndarray) -> None:
        """Copy rows [starts[i], stops[i]) of chunk cids[i] (one copy for all of them)."""
        lo = np.fromiter((int(t.offsets[a]) for t, a in zip(tabs, starts.tolist())), np.int64, len(tabs))
        pieces = [t.flat[x:int(t.offsets[b])] for t, x, b in zip(tabs, lo.tolist(), stops.tolist())]
        sizes = np.fromiter((len(p) for p in pieces), np.int64, len(pieces))
        total = int(sizes.sum())
        if not self.used and total:            # a new arena: the concatenation is the array
            self.values = np.concatenate(pieces)
        else:
            self.values = _ensure(self.values, self.used + total)
            if total:
                self.values[self.used:self.used + total] = np.concatenate(pieces)
        at = self.used + np.cumsum(sizes) - sizes
        top = int(cids.max()) + 1
        if len(self.base) < top:
            grow = top - len(self.base) + 1024
            self.base, self.first, self.stop, self.row_len, self.row_base = (
                np.concatenate([arr, np.full(grow, -1, np.int64)])
                for arr in (self.base, self.first, self.stop, self.row_len, self.row_base))
        row_len = np.fromiter((t.row_len for t in tabs), np.int64, len(tabs))
        fixed = row_len >= 0
        # fixed rows: row r starts at base + (r - first) * L; ragged ones at base + offsets[r]
        self.base[cids] = np.where(fixed, at, at - lo)
        self.first[cids], self.stop[cids], self.row_len[cids] = starts, stops, row_len
        for i in np.flatnonzero(~fixed).tolist():
            t, a, b = tabs[i], int(starts[i]), int(stops[i])
            rows = b - a + 1
            self.offsets = _ensure(self.offsets, self.offsets_used + rows)
            self.offsets[self.offsets_used:self.offsets_used + rows] = t.offsets[a:b + 1]
            self.row_base[cids[i]] = self.offsets_used - a
            self.offsets_used += rows
        self.used += total

    def take(self, chunk: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, lengths) of the cells at (chunk[i], row[i]); all must be held."""
        length = self.row_len[chunk]
        ragged = length < 0
        starts = self.base[chunk] + (row - self.first[chunk]) * np.maximum(length, 0)
        if ragged.any():
            at = self.row_base[chunk[ragged]] + row[ragged]
            first = self.offsets[at]
            length = length.copy()
            length[ragged] = self.offsets[at + 1] - first
            starts[ragged] = self.base[chunk[ragged]] + first
        first_len = int(length[0])
        if (length == first_len).all():           # every cell the same length (17 keypoints each)
            take = (starts[:, None] + np.arange(first_len, dtype=np.int64)[None, :]).reshape(-1)
        else:
            total = int(length.sum())
            take = (np.repeat(starts, length) + np.arange(total, dtype=np.int64)
                    - np.repeat(np.cumsum(length) - length, length))
        return self.values[take], length


def _ensure(arr: np.ndarray, size: int) -> np.ndarray:
    """`arr` with room for `size` leading entries (grown geometrically, contents kept)."""
    if len(arr) >= size:
        return arr
    grown = np.empty((max(size, 2 * len(arr), 1024), *arr.shape[1:]), arr.dtype)
    grown[:len(arr)] = arr
    return grown


@dataclass
class Gathered:
    """One component's cells for a group of entities, in the group's order.

    `values` is the concatenation of every entity's cell (None when the column is not numeric:
    strings, structs); `lengths` has one instance count per entity (0 where the entity has no
    hit); `starts` the offset of each entity's first value in `values`. `uniform_ids` is the
    id of each entity's value in the gatherer's table of uniform values, -1 where its chunk is
    not uniform: equal ids mean equal values, with no comparison."""

    values: np.ndarray | None
    lengths: np.ndarray
    starts: np.ndarray
    uniform_ids: np.ndarray


class ColumnGather:
    """Reads many entities' cells of one component at once (see module doc). One per consumer
    (the scene builder keeps one across frames); tables are shared through the chunks."""

    def __init__(self, chunks: ChunkTable) -> None:
        self.chunks = chunks
        self._tables: dict[str, list[weakref.ref | None]] = {}
        self._uniform: dict[str, np.ndarray] = {}      # component -> per chunk id: value id or -1/-2
        self._row_len: dict[str, np.ndarray] = {}      # component -> per chunk id: row length or -1
        self._values: list[np.ndarray] = []            # uniform values by id
        self._value_ids: dict[tuple, int] = {}
        self._value_lens = np.zeros(0, np.int64)
        self._arenas: dict[str, _Arena | None] = {}
        self._missed: dict[str, float] = {}            # component -> share of cells the last gather missed

    def _grow(self, component: str) -> tuple[list, np.ndarray, np.ndarray]:
        n = len(self.chunks)
        tabs = self._tables.setdefault(component, [])
        uni = self._uniform.get(component)
        if uni is None or len(uni) < n:
            size = max(n, 2 * (len(uni) if uni is not None else 0))   # geometric: a live stream adds chunks
            old = uni if uni is not None else np.zeros(0, np.int64)
            uni = self._uniform[component] = np.concatenate([old, np.full(size - len(old), _UNKNOWN, np.int64)])
            rl = self._row_len.get(component, np.zeros(0, np.int64))
            self._row_len[component] = np.concatenate([rl, np.full(size - len(rl), -1, np.int64)])
            tabs.extend([None] * (size - len(tabs)))
        return tabs, uni, self._row_len[component]

    def _table(self, component: str, cid: int) -> RowTable:
        tab = RowTable.of(self.chunks[cid], component)
        self._tables[component][cid] = weakref.ref(tab)
        self._row_len[component][cid] = tab.row_len
        if tab.uniform is None:
            self._uniform[component][cid] = _NOT_UNIFORM
        else:
            u = tab.uniform
            key = (u.dtype.str, u.shape, u.tobytes())
            vid = self._value_ids.get(key)
            if vid is None:
                vid = self._value_ids[key] = len(self._values)
                self._values.append(u)
                self._value_lens = np.append(self._value_lens, len(u))
            self._uniform[component][cid] = vid
        return tab

    def gather(self, component: str, chunk: np.ndarray, row: np.ndarray) -> Gathered:
        """The cells at (chunk[i], row[i]) for every i, concatenated (see `Gathered`)."""
        tabs, uni, row_len = self._grow(component)
        count = len(chunk)
        if count == 0:
            z = np.zeros(0, np.int64)
            return Gathered(None, z, z, z)
        ids = uni[chunk]
        unknown = np.flatnonzero(ids == _UNKNOWN)
        if len(unknown):
            for cid in np.unique(chunk[unknown]).tolist():
                self._table(component, cid)
            ids = uni[chunk]
        if (ids >= 0).all():
            lengths = self._value_lens[ids]
            starts = np.cumsum(lengths) - lengths
            values = self._uniform_values(ids, lengths)
            return Gathered(values, lengths, starts, ids)
        arena = self._arena(component, tabs, chunk, row)
        if arena is not None:
            values, lengths = arena.take(chunk, row)
            return Gathered(values, lengths, np.cumsum(lengths) - lengths, np.maximum(ids, -1))
        parts: list[np.ndarray] = []
        for c, r in zip(chunk.tolist(), row.tolist()):
            ref = tabs[c]
            tab = ref() if ref is not None else None
            if tab is None:
                tab = self._table(component, c)
            if tab.flat is None:
                return self._lengths_only(component, chunk, row, ids)
            if tab.fixed is not None:
                parts.append(tab.fixed[r])
            else:
                o = tab.offsets
                parts.append(tab.flat[int(o[r]):int(o[r + 1])])
        rl = row_len[chunk]
        lengths = rl if (rl >= 0).all() else np.fromiter((len(p) for p in parts), np.int64, count)
        starts = np.cumsum(lengths) - lengths
        return Gathered(np.concatenate(parts), lengths, starts, np.maximum(ids, -1))

    def _arena(self, component: str, tabs: list, chunk: np.ndarray, row: np.ndarray) -> _Arena | None:
        """The component's arena holding every cell asked for, copying the missing windows;
        None when they do not fit (or are not numbers of one shape): gather chunk by chunk."""
        arena = self._arenas.get(component)
        held = arena.holds(chunk, row) if arena is not None else np.zeros(len(chunk), bool)
        if held.all():
            self._missed[component] = 0.0
            return arena
        missed, before = 1.0 - float(held.mean()), self._missed.get(component, 0.0)
        self._missed[component] = missed
        if arena is not None and missed > 0.5 and before > 0.5:
            return None     # scrubbing around: copying windows would not pay, read chunk by chunk
        if missed > 0.5:
            # most windows move at once (playback reached their ends): a new arena with this
            # frame's windows, instead of growing the old one with what is now garbage
            arena, held = None, np.zeros(len(chunk), bool)
        cids, row_tabs, starts, stops = self._windows(tabs, component, chunk[~held], row[~held])
        if arena is None:
            if row_tabs[0].flat is None:
                return None
            arena = self._arenas[component] = _Arena(row_tabs[0].flat)
        if not all(arena.fits(t) for t in row_tabs):
            return None
        budget = self._budget()
        if arena.nbytes() + arena.cost(row_tabs, starts, stops) > budget:
            # start again with what this gather needs (one frame's windows), if that fits
            cids, row_tabs, starts, stops = self._windows(tabs, component, chunk, row)
            if arena.cost(row_tabs, starts, stops) > budget:
                return None
            arena = self._arenas[component] = _Arena(row_tabs[0].flat)
        arena.add(cids, row_tabs, starts, stops)
        return arena

    def _windows(self, tabs: list, component: str, chunk: np.ndarray,
                 row: np.ndarray) -> tuple[np.ndarray, list[RowTable], np.ndarray, np.ndarray]:
        """(chunk ids, tables, first rows, stop rows) of windows covering these cells:
        `WINDOW_ROWS` rows from a little before the row asked for (all rows of a small chunk)."""
        cids, first = np.unique(chunk, return_index=True)
        lo = row[first].copy()
        hi = row[first] + 1
        if len(cids) < len(chunk):         # several rows of one chunk: cover them all
            pos = np.searchsorted(cids, chunk)
            np.minimum.at(lo, pos, row)
            np.maximum.at(hi, pos, row + 1)
        row_tabs = [self._live(tabs, component, c) for c in cids.tolist()]
        total = np.fromiter((len(t.offsets) - 1 for t in row_tabs), np.int64, len(row_tabs))
        size = np.maximum(WINDOW_ROWS, hi - lo)
        starts = np.maximum(0, np.minimum(lo - size // 4, total - size))
        return cids, row_tabs, starts, np.minimum(total, starts + size)

    def _budget(self) -> int:
        """Bytes one arena may hold: `ARENA_BYTES`, and a sixteenth of the store's memory limit
        when it has one (an arena copies chunk data the limit does not see)."""
        limit = getattr(self.chunks, "limit", None)
        return ARENA_BYTES if limit is None else min(ARENA_BYTES, int(limit) // 16)

    def _live(self, tabs: list, component: str, cid: int) -> RowTable:
        ref = tabs[cid]
        tab = ref() if ref is not None else None
        return tab if tab is not None else self._table(component, cid)

    def _uniform_values(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        first = int(ids[0])
        if (ids == first).all():
            v = self._values[first]
            return np.broadcast_to(v, (len(ids), *v.shape)).reshape(-1, *v.shape[1:])
        used = np.unique(ids)
        table = np.concatenate([self._values[i] for i in used.tolist()])
        table_starts = np.zeros(int(used.max()) + 1, np.int64)
        ulen = self._value_lens[used]
        table_starts[used] = np.cumsum(ulen) - ulen
        total = int(lengths.sum())
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return table[np.repeat(table_starts[ids], lengths) + within]

    def _lengths_only(self, component: str, chunk: np.ndarray, row: np.ndarray, ids: np.ndarray) -> Gathered:
        """Cell lengths of a non-numeric column (labels: only their count matters here)."""
        lengths = np.empty(len(chunk), np.int64)
        for i, (c, r) in enumerate(zip(chunk.tolist(), row.tolist())):
            ref = self._tables[component][c]
            tab = ref() if ref is not None else None
            if tab is None:
                tab = self._table(component, c)
            lengths[i] = int(tab.offsets[r + 1] - tab.offsets[r])
        return Gathered(None, lengths, np.cumsum(lengths) - lengths, np.maximum(ids, -1))


__all__ = ["ColumnGather", "Gathered", "RowTable"]
