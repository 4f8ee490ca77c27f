"""The chunk store: ingest chunks, entity tree, timelines, latest-at queries.

Static data wins over temporal data for the same component. Data without a value on the queried
timeline is not visible there (only static data is), as in Rerun. `rr.Clear` rows hide what
was logged before them (store/clears.py).
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..chunk import Chunk
from .clears import STATIC_TIME, ClearIndex
from .index import HIT_FIELDS, ComponentIndex, Hits, newest
from .residency import ChunkTable, ChunkUnavailable, FileSource
from .tree import EntityTree

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..io.row_index import RowIndex

    TimelineRanges = dict[str, tuple[str, int, int]]


@dataclass(frozen=True)
class TimelineInfo:
    name: str
    kind: str
    min: int
    max: int


@dataclass(frozen=True)
class CellRef:
    """Where one latest-at value lives; `row_key` (the 128-bit row id) is the cache key."""

    chunk: Chunk
    row: int
    row_key: tuple[int, int]
    time: int | None  # None for static

    @property
    def value(self) -> Any:
        return self.chunk.column(self._component).cell(self.row)

    _component: str = ""


class Store:
    """Thread-safe chunk store; queries see every chunk added before them.

    With a `memory_limit` (bytes), chunk data beyond it is evicted least recently used first and
    read back when a query needs it (see residency.py); the index stays whole, so every query
    answers exactly as with all data in memory."""

    def __init__(self, memory_limit: int | None = None, *, spill_dir: str | None = None) -> None:
        self._lock = threading.RLock()
        self.chunks = ChunkTable(memory_limit, spill_dir)
        self.tree = EntityTree()
        self._slots: dict[str, int] = {}
        self._paths: list[str] = []
        self._components: list[dict[str, int]] = []  # per slot: component -> row count
        # component -> entity slot -> (hi, lo, chunk, row) of the newest static row
        self._static_by_component: dict[str, dict[int, tuple[int, int, int, int]]] = {}
        # (timeline, component group) -> index. Components present in every row of a chunk share
        # one index (logged together, they have the same rows); sparse ones get a group of one.
        self._indexes: dict[tuple[str, tuple[str, ...]], ComponentIndex] = {}
        self._timelines: dict[str, list[Any]] = {}  # name -> [kind, min, max]
        self._clears = ClearIndex()  # rr.Clear rows, applied to every latest-at query
        self.generation = 0  # bumped on every ingest; lets the UI skip work when nothing changed

    # -- ingest ----------------------------------------------------------------------------------
    def add_chunks(self, chunks: Iterable[Chunk]) -> None:
        for c in chunks:
            self.add_chunk(c)

    def add_chunk(self, chunk: Chunk, source: FileSource | None = None) -> None:
        """Ingest a chunk; `source` says where to read it back from after an eviction (a
        recording file's index entry); without one, an evicted chunk is spilled to disk first."""
        with self._lock:
            cid = self.chunks.append(chunk, source)
            slot = self._slot(chunk.entity_path)
            row_ids = chunk.row_ids()
            self._clears.add(chunk, cid, slot, row_ids)
            present = {c: _present_rows(chunk, c) for c in chunk.component_names}
            times = {tl: chunk.times(tl) for tl in chunk.timelines}
            self._index_rows(cid, slot, chunk.is_static, row_ids, chunk.timelines, times, present)

    def add_indexed(self, items: "Sequence[tuple[str, RowIndex, TimelineRanges, FileSource, int]]") -> list[int]:
        """Index temporal chunks from a recording's footer without reading them and return their
        numbers. Each item is (entity path, row index (io/row_index.py), timeline -> (kind, min,
        max), where to read it, estimated bytes). A chunk's data is read from its source when a
        query first needs it, and must match its row index then. Chunks holding rr.Clear rows go
        through add_chunk: the clear index needs their values.

        Many chunks at once: one lock hold and one index append per (timeline, component group)
        for the whole batch, so an 8 GB file's thousands of chunks index in well under a second."""
        for _, rows, _, _, _ in items:
            if any(c.startswith("Clear:") for c in rows.null_rows):
                raise ValueError("a chunk with Clear rows must be added with add_chunk")
        parts: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
        cids = []
        with self._lock:
            for path, rows, ranges, source, nbytes in items:
                cid = self.chunks.append_unread(path, source, nbytes, {tl: (lo, hi) for tl, (_, lo, hi) in ranges.items()})
                cids.append(cid)
                slot = self._slot(path)
                n = rows.num_rows
                counts = self._components[slot]
                dense, sparse = [], []
                for c, nulls in rows.null_rows.items():
                    counts[c] = counts.get(c, 0) + n - len(nulls)
                    if not len(nulls):
                        dense.append(c)
                    elif len(nulls) < n:
                        sparse.append((c, rows.present(c)))
                if not n:
                    continue
                group = tuple(sorted(dense))
                for tl, (kind, lo, hi) in ranges.items():
                    info = self._timelines.setdefault(tl, [kind, lo, hi])
                    info[1], info[2] = min(info[1], lo), max(info[2], hi)
                    times = rows.times[tl]
                    if group:
                        parts.setdefault((tl, group), []).append((slot, cid, times, None, rows.row_ids))
                    for c, sel in sparse:
                        parts.setdefault((tl, (c,)), []).append((slot, cid, times[sel], sel, rows.row_ids[sel]))
            for key, batch in parts.items():
                idx = self._indexes.get(key)
                if idx is None:
                    idx = self._indexes[key] = ComponentIndex()
                lengths = [len(p[2]) for p in batch]
                idx.add_many(np.repeat(np.array([p[0] for p in batch], np.int64), lengths),
                             np.concatenate([p[2] for p in batch]),
                             np.repeat(np.array([p[1] for p in batch], np.int64), lengths),
                             np.concatenate([np.arange(k) if p[3] is None else p[3] for p, k in zip(batch, lengths)]),
                             np.concatenate([p[4] for p in batch]))
            self.generation += 1
        return cids

    def _index_rows(self, cid: int, slot: int, is_static: bool, row_ids: np.ndarray, kinds: dict[str, str],
                    all_times: dict[str, np.ndarray], present: dict[str, np.ndarray]) -> None:
        """The latest-at index entries of one chunk's rows (under the lock)."""
        counts = self._components[slot]
        n = len(row_ids)
        comps = list(present)
        for c in comps:
            counts[c] = counts.get(c, 0) + int(len(present[c]))
        if is_static:
            for c in comps:
                for r in present[c]:
                    hi, lo = int(row_ids[r, 0]), int(row_ids[r, 1])
                    entries = self._static_by_component.setdefault(c, {})
                    prev = entries.get(slot)
                    if prev is None or (hi, lo) >= prev[:2]:
                        entries[slot] = (hi, lo, cid, int(r))
        else:
            rows = np.arange(n)
            dense = tuple(sorted(c for c in comps if len(present[c]) == n))
            groups = [(dense, rows)] if dense else []
            groups += [((c,), present[c]) for c in comps if 0 < len(present[c]) < n]
            for tl, kind in kinds.items():
                times = all_times[tl]
                if n:
                    info = self._timelines.setdefault(tl, [kind, int(times.min()), int(times.max())])
                    info[1], info[2] = min(info[1], int(times.min())), max(info[2], int(times.max()))
                for group, sel in groups:
                    idx = self._indexes.get((tl, group))
                    if idx is None:
                        idx = self._indexes[(tl, group)] = ComponentIndex()
                    if len(sel) == n:
                        idx.add(slot, times, cid, rows, row_ids)
                    else:
                        idx.add(slot, times[sel], cid, sel, row_ids[sel])
        self.generation += 1

    def _slot(self, path: str) -> int:
        slot = self._slots.get(path)
        if slot is None:
            slot = self._slots[path] = len(self._paths)
            self._paths.append(path)
            self._components.append({})
            self.tree.add(path).has_data = True
            self._clears.new_entity()
        return slot

    # -- structure -------------------------------------------------------------------------------
    def entity_paths(self) -> list[str]:
        with self._lock:
            return sorted(self._paths)

    def timelines(self) -> dict[str, TimelineInfo]:
        with self._lock:
            return {n: TimelineInfo(n, k, lo, hi) for n, (k, lo, hi) in sorted(self._timelines.items())}

    def component_counts(self, entity_path: str) -> dict[str, int]:
        """Component -> number of rows holding it (static and temporal)."""
        with self._lock:
            slot = self._slots.get(entity_path)
            return dict(self._components[slot]) if slot is not None else {}

    def archetypes(self, entity_path: str) -> dict[str, int]:
        """Archetype -> row count (the most rows of any of its components)."""
        out: dict[str, int] = {}
        for comp, n in self.component_counts(entity_path).items():
            arch = comp.split(":", 1)[0]
            out[arch] = max(out.get(arch, 0), n)
        return out

    def has_component(self, entity_path: str, component: str) -> bool:
        return component in self.component_counts(entity_path)

    def entities_with(self, component: str) -> list[str]:
        with self._lock:
            return [p for p, s in self._slots.items() if component in self._components[s]]

    def timeline_times(self, timeline: str) -> np.ndarray:
        """Sorted distinct times at which anything was logged on the timeline (the viewer's
        step-to-next-data and the tick marks of its time bar)."""
        with self._lock:
            parts = [idx.distinct_times() for (tl, _), idx in self._indexes.items() if tl == timeline]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def times(self, entity_path: str, timeline: str, component: str) -> np.ndarray:
        """Sorted times at which the entity logged the component on the timeline."""
        with self._lock:
            slot = self._slots.get(entity_path)
            if slot is None:
                return np.zeros(0, np.int64)
            parts = [idx.slot_times(slot) for (tl, group), idx in self._indexes.items()
                     if tl == timeline and component in group]
            return np.unique(np.concatenate(parts)) if len(parts) > 1 else (parts[0] if parts else np.zeros(0, np.int64))

    # -- queries ---------------------------------------------------------------------------------
    def latest_at(self, entity_path: str, timeline: str | None, t: int | None,
                  components: Iterable[str] | None = None) -> dict[str, CellRef]:
        """Component -> latest value at time t on the timeline (static wins)."""
        return self.query([entity_path], timeline, t, components).for_entity(entity_path)

    def latest_at_many(self, entity_paths: Iterable[str], timeline: str | None, t: int | None,
                       components: Iterable[str] | None = None) -> dict[str, dict[str, CellRef]]:
        q = self.query(entity_paths, timeline, t, components)
        return {p: q.for_entity(p) for p in q.paths}

    def query(self, entity_paths: Iterable[str] | None, timeline: str | None, t: int | None,
              components: Iterable[str] | None = None, *, read: bool = True) -> "FrameQuery":
        """Latest-at for many entities at once: one vectorized search per component, results as
        arrays (no per-entity Python objects until asked for).

        With `read` (the default), the chunks the answer points at are in memory when it returns
        (read back if evicted, outside the store lock), and any that cannot be read are left out
        of it, with their problem line recorded (ChunkTable.failed): whatever reads the values
        next never meets an unreadable chunk. read=False answers from the index alone (the
        prefetcher decides itself what to read)."""
        query = self._query(entity_paths, timeline, t, components)
        if read and query.hits and self.chunks.absent:
            bad = self.chunks.readable(np.concatenate([h.chunk for h in query.hits.values()]))
            if len(bad):
                query.hits = _without_chunks(query.hits, bad)
        return query

    def _query(self, entity_paths: Iterable[str] | None, timeline: str | None, t: int | None,
               components: Iterable[str] | None) -> "FrameQuery":
        with self._lock:
            if entity_paths is None:  # every entity: slots are 0..n-1 in path order
                paths = list(self._paths)
                slots = np.arange(len(paths), dtype=np.int64)
            else:
                paths = [p for p in entity_paths if p in self._slots]
                slots = np.array([self._slots[p] for p in paths], np.int64)
            wanted = set(components) if components is not None else None
            hits: dict[str, Hits] = {}
            if timeline is not None and t is not None and len(slots):
                for (tl, group), idx in self._indexes.items():
                    comps = [c for c in group if wanted is None or c in wanted]
                    if tl != timeline or not comps:
                        continue
                    found = idx.lookup(slots, t)
                    if not len(found.entities):
                        continue
                    for comp in comps:
                        hits[comp] = newest(hits[comp], found) if comp in hits else found
            for comp, entries in self._static_by_component.items():
                if wanted is not None and comp not in wanted:
                    continue
                if len(entries) * 4 < len(slots):   # few static entities: look them up, not every slot
                    owned = np.fromiter(entries, np.int64, len(entries))
                    at = np.flatnonzero(np.isin(slots, owned))
                    local = [(i, entries[sl]) for i, sl in zip(at.tolist(), slots[at].tolist())]
                else:
                    local = [(i, entries[sl]) for i, sl in enumerate(slots.tolist()) if sl in entries]
                if not local:
                    continue
                ent = np.array([i for i, _ in local], np.int64)
                st_chunk = np.array([e[2] for _, e in local], np.int64)
                st_row = np.array([e[3] for _, e in local], np.int64)
                st_hi = np.array([e[0] for _, e in local], np.uint64)
                st_lo = np.array([e[1] for _, e in local], np.uint64)
                hits[comp] = with_static(hits.get(comp), ent, st_chunk, st_row, st_hi, st_lo)
            if self._clears:
                hits = self._clears.apply(hits, slots, self._paths, timeline, t)
            if self.chunks.failed:      # chunks that could not be read back: shown without them
                hits = _without_chunks(hits, self.chunks.failed_ids())
            return FrameQuery(paths, hits, self.chunks)

    def read_problems(self) -> list[str]:
        """One line per chunk that could not be read back from its file (entity, time, why)."""
        return self.chunks.failure_lines()


def _without_chunks(hits: dict[str, Hits], failed: np.ndarray) -> dict[str, Hits]:
    out = {}
    for comp, h in hits.items():
        keep = ~np.isin(h.chunk, failed)
        if keep.all():
            out[comp] = h
        elif keep.any():
            out[comp] = Hits(*(getattr(h, f)[keep] for f in HIT_FIELDS))
    return out


def with_static(hits: Hits | None, ent: np.ndarray, chunk: np.ndarray, row: np.ndarray, hi: np.ndarray,
                lo: np.ndarray) -> Hits:
    """Static values replace temporal ones for the same entity (static wins, as in Rerun)."""
    static = Hits(ent, chunk, row, np.full(len(ent), STATIC_TIME, np.int64), hi, lo)
    if hits is None:
        return static
    keep = ~np.isin(hits.entities, ent)
    merged = [np.concatenate([getattr(hits, f)[keep], getattr(static, f)]) for f in HIT_FIELDS]
    order = np.argsort(merged[0], kind="stable")
    return Hits(*(m[order] for m in merged))


@dataclass
class FrameQuery:
    """The result of one latest-at query over many entities."""

    paths: list[str]
    hits: dict[str, Hits]
    chunks: ChunkTable  # append-only: chunk numbers stay valid; evicted data reloads on access
    _by_entity: dict[str, dict[str, CellRef]] | None = None

    def for_entity(self, path: str) -> dict[str, CellRef]:
        if self._by_entity is None:
            by: dict[str, dict[str, CellRef]] = {p: {} for p in self.paths}
            for comp, h in self.hits.items():
                for e, c, r, t in zip(h.entities.tolist(), h.chunk.tolist(), h.row.tolist(), h.time.tolist()):
                    try:
                        chunk = self.chunks[c]
                    except ChunkUnavailable:   # recorded in chunks.failed; the entity shows the rest
                        continue
                    by[self.paths[e]][comp] = _ref(chunk, r, comp, None if t == STATIC_TIME else t)
            self._by_entity = by
        return self._by_entity.get(path, {})

    def cells_of(self, entities: np.ndarray) -> dict[int, dict[str, CellRef]]:
        """Entity index -> its cells, for some entities only: `for_entity` builds every entity's
        dict on first use, which a grouped scene build (most entities read as arrays, see
        store/gather.py) must not pay for."""
        want = np.unique(np.asarray(entities, np.int64))
        out: dict[int, dict[str, CellRef]] = {int(e): {} for e in want.tolist()}
        if not len(want):
            return out
        chunks: dict[int, Chunk] = {}
        for comp, h in self.hits.items():
            if not len(h.entities):
                continue
            # hit entities are sorted: a binary search per wanted entity
            pos = np.minimum(np.searchsorted(h.entities, want), len(h.entities) - 1)
            sel = pos[h.entities[pos] == want]
            for k in sel.tolist():
                t = int(h.time[k])
                cid = int(h.chunk[k])
                chunk = chunks.get(cid)
                if chunk is None:   # an entity's components mostly share a chunk: fetch it once
                    chunk = chunks[cid] = self.chunks[cid]
                out[int(h.entities[k])][comp] = _ref(chunk, int(h.row[k]), comp, None if t == STATIC_TIME else t)
        return out


def _ref(chunk: Chunk, row: int, component: str, time: int | None) -> CellRef:
    ids = chunk.row_ids()
    return CellRef(chunk, row, (int(ids[row, 0]), int(ids[row, 1])), time, component)


def _present_rows(chunk: Chunk, component: str) -> np.ndarray:
    view = chunk.column(component)
    if view.valid is None:
        return np.arange(chunk.num_rows)
    return np.flatnonzero(view.valid)
