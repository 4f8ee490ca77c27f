"""Clears in latest-at queries: `rr.Clear` hides what an entity logged before it.

Semantics (Rerun's): a clear logged at time t on an entity hides, in latest-at queries at t or
later, every component value of that entity that is older than the clear, ordered by (time, row
id); with `is_recursive` it also hides those of every entity below it. Anything logged after
the clear shows again. Static data counts as newer than any temporal data (it wins, as in
every latest-at): a temporal clear leaves static data alone, and a static clear hides all
temporal data, whenever logged, and the static data logged before it (checked against the
Rerun viewer).

Clears are applied at query time rather than by writing empty values into every cleared
component at ingest: a clear is one row however much it hides, entities created after a
recursive clear are handled for free, and a store without clears pays nothing.
"""
from __future__ import annotations

import numpy as np

from ..chunk import Chunk
from .index import ComponentIndex, Hits

CLEAR = "Clear:is_recursive"
STATIC_TIME = np.iinfo(np.int64).min


def clear_rows(chunk: Chunk) -> tuple[np.ndarray, np.ndarray]:
    """(rows, recursive flags) of the chunk's rows that hold a clear (a non-empty is_recursive)."""
    if CLEAR not in chunk.component_names:
        return np.zeros(0, np.int64), np.zeros(0, bool)
    view = chunk.column(CLEAR)
    lengths = np.diff(view.offsets)
    present = lengths > 0 if view.valid is None else view.valid & (lengths > 0)
    rows = np.flatnonzero(present)
    flat = view.array.values.to_numpy(zero_copy_only=False).astype(bool)
    return rows, flat[view.offsets[rows] - view.offsets[0]] if len(rows) else np.zeros(0, bool)


class Cutoff:
    """Per queried entity, the newest clear that applies to it: temporal (time, row id) and
    static (row id); `has_*` says whether there is one."""

    def __init__(self, n: int) -> None:
        self.has_t = np.zeros(n, bool)
        self.time = np.zeros(n, np.int64)
        self.t_hi = np.zeros(n, np.uint64)
        self.t_lo = np.zeros(n, np.uint64)
        self.has_s = np.zeros(n, bool)
        self.s_hi = np.zeros(n, np.uint64)
        self.s_lo = np.zeros(n, np.uint64)

    def take_temporal(self, ent: np.ndarray, time: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> None:
        later = ~self.has_t[ent] | _after(time, hi, lo, self.time[ent], self.t_hi[ent], self.t_lo[ent])
        # several candidates for one entity: keep the newest (sort so the last write wins)
        order = np.lexsort((lo[later], hi[later], time[later]))
        e = ent[later][order]
        self.has_t[e], self.time[e] = True, time[later][order]
        self.t_hi[e], self.t_lo[e] = hi[later][order], lo[later][order]

    def take_static(self, ent: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> None:
        later = ~self.has_s[ent] | (hi > self.s_hi[ent]) | ((hi == self.s_hi[ent]) & (lo > self.s_lo[ent]))
        order = np.lexsort((lo[later], hi[later]))
        e = ent[later][order]
        self.has_s[e], self.s_hi[e], self.s_lo[e] = True, hi[later][order], lo[later][order]

    def hidden(self, h: Hits) -> np.ndarray:
        """Which hits are older than their entity's clear."""
        e = h.entities
        static = h.time == STATIC_TIME
        older = (self.s_hi[e] > h.hi) | ((self.s_hi[e] == h.hi) & (self.s_lo[e] > h.lo))
        by_static = self.has_s[e] & (~static | older)
        by_temporal = ~static & self.has_t[e] & _after(self.time[e], self.t_hi[e], self.t_lo[e], h.time, h.hi, h.lo)
        return by_static | by_temporal


def _after(t1: np.ndarray, h1: np.ndarray, l1: np.ndarray, t2: np.ndarray, h2: np.ndarray, l2: np.ndarray) -> np.ndarray:
    """(t1, h1, l1) > (t2, h2, l2), element-wise."""
    return (t1 > t2) | ((t1 == t2) & ((h1 > h2) | ((h1 == h2) & (l1 > l2))))


class ClearIndex:
    """Every clear of a store: per timeline, one latest-at index of all clears and one of the
    recursive ones; static clears as the newest row id per entity."""

    def __init__(self) -> None:
        self._all: dict[str, ComponentIndex] = {}
        self._recursive: dict[str, ComponentIndex] = {}
        self._static_all: dict[int, tuple[int, int]] = {}
        self._static_recursive: dict[int, tuple[int, int]] = {}
        self._recursive_slots: dict[int, str] = {}  # slot -> path of entities with a recursive clear
        self._below: dict[int, np.ndarray] = {}  # recursive slot -> slots at or below it (lazily)

    def __bool__(self) -> bool:
        return bool(self._all or self._static_all)

    def add(self, chunk: Chunk, chunk_id: int, slot: int, row_ids: np.ndarray) -> None:
        rows, recursive = clear_rows(chunk)
        if not len(rows):
            return
        if recursive.any():
            self._recursive_slots[slot] = chunk.entity_path
            self._below.clear()
        ids = row_ids[rows]
        if chunk.is_static:
            for (hi, lo), rec in zip(ids.tolist(), recursive.tolist()):
                for table, use in ((self._static_all, True), (self._static_recursive, rec)):
                    if use and (hi, lo) > table.get(slot, (-1, -1)):
                        table[slot] = (hi, lo)
            return
        for tl in chunk.timelines:
            times = chunk.times(tl)[rows]
            self._all.setdefault(tl, ComponentIndex()).add(slot, times, chunk_id, rows, ids)
            if recursive.any():
                self._recursive.setdefault(tl, ComponentIndex()).add(
                    slot, times[recursive], chunk_id, rows[recursive], ids[recursive])

    def new_entity(self) -> None:
        """A new entity path may sit below a recursive clear."""
        self._below.clear()

    def _slots_below(self, slot: int, paths: list[str]) -> np.ndarray:
        hit = self._below.get(slot)
        if hit is None:
            root = self._recursive_slots[slot]
            prefix = "/" if root == "/" else root + "/"
            hit = self._below[slot] = np.array(
                [i for i, p in enumerate(paths) if p == root or p.startswith(prefix)], np.int64)
        return hit

    def cutoff(self, slots: np.ndarray, all_paths: list[str], timeline: str | None, t: int | None) -> Cutoff:
        """The clear applying to each queried slot at time t on the timeline."""
        cut = Cutoff(len(slots))
        pos = np.full(len(all_paths), -1, np.int64)
        pos[slots] = np.arange(len(slots))
        if timeline is not None and t is not None:
            idx = self._all.get(timeline)
            if idx is not None:
                h = idx.lookup(slots, t)
                cut.take_temporal(h.entities, h.time, h.hi, h.lo)
            idx = self._recursive.get(timeline)
            if idx is not None:
                roots = np.array(sorted(self._recursive_slots), np.int64)
                h = idx.lookup(roots, t)
                for k, root in enumerate(roots[h.entities].tolist()):
                    ent = pos[self._slots_below(root, all_paths)]
                    ent = ent[ent >= 0]
                    n = len(ent)
                    cut.take_temporal(ent, np.full(n, h.time[k]), np.full(n, h.hi[k]), np.full(n, h.lo[k]))
        own = [(int(pos[s]), hl) for s, hl in self._static_all.items() if pos[s] >= 0]
        if own:
            cut.take_static(np.array([e for e, _ in own]), np.array([hl[0] for _, hl in own], np.uint64),
                            np.array([hl[1] for _, hl in own], np.uint64))
        for root, (hi, lo) in self._static_recursive.items():
            ent = pos[self._slots_below(root, all_paths)]
            ent = ent[ent >= 0]
            cut.take_static(ent, np.full(len(ent), hi, np.uint64), np.full(len(ent), lo, np.uint64))
        return cut

    def apply(self, hits: dict[str, Hits], slots: np.ndarray, all_paths: list[str], timeline: str | None,
              t: int | None) -> dict[str, Hits]:
        """The hits without what a clear hides (components left with no hit are dropped)."""
        cut = self.cutoff(slots, all_paths, timeline, t)
        if not (cut.has_t.any() or cut.has_s.any()):
            return hits
        out = {}
        for comp, h in hits.items():
            hidden = cut.hidden(h)
            if not hidden.any():
                out[comp] = h
            elif not hidden.all():
                keep = ~hidden
                out[comp] = Hits(h.entities[keep], h.chunk[keep], h.row[keep], h.time[keep], h.hi[keep], h.lo[keep])
        return out
