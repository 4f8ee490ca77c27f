"""Grouped latest-at: the cells of many entities of one component as flat numpy arrays.

`Store.query` already finds every entity's latest row with one vectorized search; what stays is
reading the values. `CellRef.value` decodes one cell at a time (a Python call per entity and
component); a scene of 10,000 people would pay that 40,000 times a frame. `ColumnGather` reads
the same cells for a whole group of entities at once:

- the values come back concatenated, with one length per entity (`Gathered`), ready for array
  code (the scene's grouped build, `scene/grouped.py`);
- a chunk's column is prepared once (`RowTable`: its numeric values as one array, reshaped to
  (rows, length, ...) when every row has the same length, as a skeleton's 17 keypoints do), so a
  gather costs one array index per entity;
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


class _Arena:
    """The values of many chunks of one component copied into one array, so a gather over any
    entities is one fancy index. Bounded by `ARENA_BYTES`: when full it starts again with the
    chunks a gather needs now (a copy of data the chunks hold, so dropping it loses nothing).
    A chunk whose rows all have L values needs no per-row bookkeeping (row r starts at
    base + r * L); other chunks keep their row offsets here."""

    def __init__(self, like: np.ndarray) -> None:
        self.item_shape, self.dtype = like.shape[1:], like.dtype
        self.item_bytes = like.dtype.itemsize * int(np.prod(like.shape[1:], dtype=np.int64))
        self.values = np.empty((0, *self.item_shape), self.dtype)
        self.used = 0
        self.offsets = np.zeros(0, np.int64)          # ragged chunks: row offsets, here
        self.offsets_used = 0
        self.base = np.zeros(0, np.int64)             # per chunk id: first value here, -1 absent
        self.row_len = np.zeros(0, np.int64)          # per chunk id: L, or -1 (ragged)
        self.row_base = np.zeros(0, np.int64)         # per chunk id (ragged): its first offset

    def nbytes(self) -> int:
        return self.used * self.item_bytes + 8 * self.offsets_used

    def fits(self, tab: RowTable) -> bool:
        return tab.flat is not None and tab.flat.shape[1:] == self.item_shape and tab.flat.dtype == self.dtype

    def cost(self, tab: RowTable) -> int:
        rows = len(tab.offsets) - 1
        return int(tab.offsets[-1] - tab.offsets[0]) * self.item_bytes + (0 if tab.row_len >= 0 else 8 * (rows + 1))

    def holds(self, chunk: np.ndarray) -> bool:
        return bool(len(self.base)) and int(chunk.max()) < len(self.base) and bool((self.base[chunk] >= 0).all())

    def add(self, cid: int, tab: RowTable) -> None:
        a, b = int(tab.offsets[0]), int(tab.offsets[-1])
        self.values = _ensure(self.values, self.used + (b - a))
        self.values[self.used:self.used + (b - a)] = tab.flat[a:b]
        if len(self.base) <= cid:
            grow = cid + 1 - len(self.base) + 1024
            self.base = np.concatenate([self.base, np.full(grow, -1, np.int64)])
            self.row_len = np.concatenate([self.row_len, np.full(grow, -1, np.int64)])
            self.row_base = np.concatenate([self.row_base, np.full(grow, -1, np.int64)])
        # fixed rows: row r starts at base + r * L; ragged ones at base + offsets[r]
        self.base[cid] = self.used if tab.row_len >= 0 else self.used - a
        self.row_len[cid] = tab.row_len
        if tab.row_len < 0:
            rows = len(tab.offsets)
            self.offsets = _ensure(self.offsets, self.offsets_used + rows)
            self.offsets[self.offsets_used:self.offsets_used + rows] = tab.offsets
            self.row_base[cid] = self.offsets_used
            self.offsets_used += rows
        self.used += b - a

    def take(self, chunk: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, lengths) of the cells at (chunk[i], row[i])."""
        length = self.row_len[chunk]
        ragged = length < 0
        if ragged.any():
            at = self.row_base[chunk[ragged]] + row[ragged]
            first = self.offsets[at]
            length = length.copy()
            length[ragged] = self.offsets[at + 1] - first
            starts = self.base[chunk] + row * np.maximum(self.row_len[chunk], 0)
            starts[ragged] = self.base[chunk[ragged]] + first
        else:
            starts = self.base[chunk] + row * length
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
        arena = self._arena(component, tabs, chunk)
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

    def _arena(self, component: str, tabs: list, chunk: np.ndarray) -> _Arena | None:
        """The component's arena holding every chunk of `chunk`, registering the missing ones;
        None when they do not fit (or are not numbers of one shape): gather chunk by chunk."""
        arena = self._arenas.get(component)
        if arena is not None and arena.holds(chunk):
            return arena
        wanted = np.unique(chunk)
        if arena is not None and len(arena.base):
            inside = wanted < len(arena.base)
            inside[inside] = arena.base[wanted[inside]] >= 0
            wanted = wanted[~inside]
        new_tabs = [(c, self._live(tabs, component, c)) for c in wanted.tolist()]
        if arena is None:
            if new_tabs[0][1].flat is None:
                return None
            arena = self._arenas[component] = _Arena(new_tabs[0][1].flat)
        if not all(arena.fits(t) for _, t in new_tabs):
            return None
        budget = self._budget()
        if arena.nbytes() + sum(arena.cost(t) for _, t in new_tabs) > budget:
            # start again with what this gather needs (the chunks of one frame), if that fits
            needed = [(c, self._live(tabs, component, c)) for c in np.unique(chunk).tolist()]
            if sum(arena.cost(t) for _, t in needed) > budget:
                self._arenas[component] = arena if arena.used else None
                return None
            arena = self._arenas[component] = _Arena(needed[0][1].flat)
            new_tabs = needed
        for c, t in new_tabs:
            arena.add(c, t)
        return arena

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
