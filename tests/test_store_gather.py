"""store/gather.py: many entities' cells of one component read at once give exactly what
`CellRef.value` gives cell by cell, for fixed-length, ragged, uniform and sliced columns, through
the arena and chunk by chunk, and after the chunks are evicted and read back."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from annoview.chunk import Chunk, build_chunk
from annoview.store import Store
from annoview.store import gather as gather_mod
from annoview.store.gather import ColumnGather
from annoview.types.kinds import Kind


def _store(rng: np.random.Generator, entities: int = 40, frames: int = 6) -> Store:
    store = Store()
    counter = 1
    for e in range(entities):
        ragged = e % 3 == 0
        cells = [rng.normal(0, 1, (int(rng.integers(0, 5)) if ragged else 4, 2)).astype(np.float32)
                 for _ in range(frames)]
        ids = [np.full(1, 7, np.uint16)] * frames if e % 2 else [rng.integers(0, 9, 3).astype(np.uint16)
                                                                 for _ in range(frames)]
        lo = np.arange(counter, counter + frames, dtype=np.uint64)
        counter += frames
        chunk = build_chunk(f"/e/{e}", False, np.ones(frames, np.uint64), lo, {"frame": ("sequence", np.arange(frames))},
                            {"Points2D:positions": (Kind.VEC2, cells), "Points2D:class_ids": (Kind.ID, ids)})
        if e % 5 == 1:   # a chunk whose columns are slices of bigger arrays (offsets not from 0)
            batch = pa.concat_tables([pa.Table.from_batches([chunk.batch])] * 2).combine_chunks().to_batches()[0]
            chunk = Chunk(chunk.entity_path, False, batch.slice(frames, frames))
        store.add_chunk(chunk)
    return store


def _check(store: Store, g: ColumnGather, t: int) -> None:
    q = store.query(None, "frame", t)
    for comp in ("Points2D:positions", "Points2D:class_ids"):
        h = q.hits[comp]
        got = g.gather(comp, h.chunk, h.row)
        for i, e in enumerate(h.entities.tolist()):
            want = np.asarray(q.for_entity(q.paths[e])[comp].value)
            s, n = int(got.starts[i]), int(got.lengths[i])
            assert n == len(want)
            assert np.array_equal(got.values[s:s + n], want)
        uniform = got.uniform_ids >= 0
        for i in np.flatnonzero(uniform).tolist():
            same = np.flatnonzero(got.uniform_ids == got.uniform_ids[i]).tolist()
            for j in same:
                a = got.values[got.starts[i]:got.starts[i] + got.lengths[i]]
                assert np.array_equal(a, got.values[got.starts[j]:got.starts[j] + got.lengths[j]])


@pytest.mark.parametrize("arena_bytes", [64 << 20, 200, 0])
@pytest.mark.parametrize("window", [64, 2])
def test_gather_matches_cell_by_cell(monkeypatch, arena_bytes, window):
    monkeypatch.setattr(gather_mod, "ARENA_BYTES", arena_bytes)   # arena, restarted arena, no arena
    monkeypatch.setattr(gather_mod, "WINDOW_ROWS", window)        # whole chunks, or moving windows
    store = _store(np.random.default_rng(arena_bytes), frames=9)
    g = ColumnGather(store.chunks)
    for t in (0, 3, 8, 5, 1, 3, 7):
        _check(store, g, t)


def test_gather_after_eviction_reads_the_chunks_back():
    store = _store(np.random.default_rng(1))
    g = ColumnGather(store.chunks)
    _check(store, g, 2)
    store.chunks.set_limit(1)           # evict everything it can
    _check(store, g, 4)
    store.chunks.set_limit(None)
    _check(store, g, 2)
