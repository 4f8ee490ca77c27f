"""Fill a store from a recording file without holding it: each `.avr` chunk goes in with where to
read it back (its footer-index entry), so evicting it costs nothing and reloading it is one read.

Why two ways in: a file written with per-chunk row indexes in its footer (io/row_index.py) is
indexed from the footer alone, in seconds for any size, and a chunk is first read when a frame
needs it. A footer without them (an older writer) has each chunk read once, in file order, to
index it. A file without a footer (a crashed logger) is scanned once by open_index, which takes
the row index from each chunk as it passes, so it then goes in like a footer's. Static chunks and chunks with rr.Clear rows are always read
at open: they are needed at every time (and small), and the clear index needs their values.
Used by the viewer's loader and by `annoview screenshot`.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import NamedTuple

from ..errors import RecordingFormatError, RecordingRecoveryWarning
from .residency import ChunkFile, FileSource
from .store import Store


BATCH = 512   # footer-indexed chunks per store.add_indexed call: the first frame need not wait for the rest


def add_entries(store: Store, index, chunk_file: ChunkFile, damaged: list[str],
                cancelled: Callable[[], bool] = lambda: False, step: Callable[[int], None] = lambda n: None) -> list[int] | None:
    """Every entry of an open_index() result into `store`; a damaged frame read at open is
    skipped and described in `damaged`. `step(n)` reports n more entries done. Returns the chunk
    numbers added unread (see `warm`), or None when `cancelled()` turned true."""
    unread: list[int] = []
    batch: list[tuple] = []

    def flush() -> None:
        if batch:
            unread.extend(store.add_indexed(batch))
            step(len(batch))
            batch.clear()

    for entry in index.entries:
        if cancelled():
            return None
        rows = entry.rows
        if rows is not None and not entry.is_static and "Clear" not in entry.archetypes:
            source = FileSource(chunk_file, _without_rows(entry), rows.digest())
            batch.append((entry.entity_path, rows, entry.timelines, source, rows.data_bytes or entry.length))
            if len(batch) >= BATCH:
                flush()
            continue
        flush()
        try:
            chunk = chunk_file.load(entry)
        except RecordingFormatError as e:
            damaged.append(f"{entry.length} bytes at offset {entry.offset} ({entry.entity_path}): {e}")
        else:
            store.add_chunk(chunk, FileSource(chunk_file, _without_rows(entry)))
        step(1)
    flush()
    return unread


def warm(store: Store, unread: list[int], cancelled: Callable[[], bool] = lambda: False) -> int:
    """Read the unread chunks in file order when all of them fit in the memory limit (or there
    is none), so a recording that fits is all in memory soon after it opens, as if read whole;
    a bigger one is read on demand and by the prefetcher instead. Returns the chunks read."""
    table = store.chunks
    if table.limit is not None and sum(table.nbytes(c) for c in unread) + table.resident_bytes() > table.limit:
        return 0
    done = 0
    for cid in unread:
        if cancelled():
            break
        done += table.prefetch(cid)
    return done


class _Frame(NamedTuple):
    """What reading a chunk back needs of its index entry (the row index is in the store now,
    only its digest is kept): cheaper to hold for thousands of chunks than the entry."""

    offset: int
    length: int
    entity_path: str


def _without_rows(entry) -> _Frame:
    return _Frame(entry.offset, entry.length, entry.entity_path)


def add_file(store: Store, path: str | os.PathLike[str]) -> None:
    """The recording at `path` into `store`, indexed from its footer where it can be (nothing
    else is read until a query needs it). Damaged `.avr` frames read here are skipped with one
    RecordingRecoveryWarning, as read_avr does; one found later is a problem line of the store
    (Store.read_problems). A Rerun file (no footer index) is read whole, its evicted chunks
    spilled like a live stream's."""
    from ..io import is_rrd, load_chunks

    if not os.path.exists(path) or os.path.isdir(path) or is_rrd(path) or store.chunks.limit is None:
        store.add_chunks(load_chunks(path))
        return
    from ..io.avr import open_index

    index = open_index(path)
    if index.header is None:
        return                                  # open_index warned: the file ends inside its header
    damaged: list[str] = []
    add_entries(store, index, ChunkFile(path), damaged)
    if damaged:
        warnings.warn(f"{path}: damaged recording; skipped {len(damaged)} chunk frame(s): " + " | ".join(damaged),
                      RecordingRecoveryWarning, stacklevel=2)
