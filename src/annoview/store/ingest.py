"""Fill a store from a recording file so that a memory limit can work: each `.avr` chunk goes in
with where to read it back (its footer-index entry), so evicting it costs nothing and reloading
it is one read. Used by `annoview screenshot`, which then streams through a file larger than its
memory limit instead of holding it whole.
"""
from __future__ import annotations

import os
import warnings

from ..errors import RecordingFormatError, RecordingRecoveryWarning
from .residency import ChunkFile, FileSource
from .store import Store


def add_file(store: Store, path: str | os.PathLike[str]) -> None:
    """Every chunk of the recording at `path` into `store`. Damaged `.avr` frames are skipped
    with one RecordingRecoveryWarning, as read_avr does; a Rerun file (no footer index) is read
    whole, its evicted chunks spilled like a live stream's."""
    from ..io import is_rrd, load_chunks

    if not os.path.exists(path) or os.path.isdir(path) or is_rrd(path) or store.chunks.limit is None:
        store.add_chunks(load_chunks(path))
        return
    from ..io.avr import open_index

    index = open_index(path)
    if index.header is None:
        return                                  # open_index warned: the file ends inside its header
    chunk_file = ChunkFile(path)
    damaged: list[str] = []
    for entry in index.entries:
        try:
            chunk = chunk_file.load(entry)
        except RecordingFormatError as e:
            damaged.append(f"{entry.length} bytes at offset {entry.offset} ({entry.entity_path}): {e}")
            continue
        store.add_chunk(chunk, FileSource(chunk_file, entry))
    if damaged:
        warnings.warn(f"{path}: damaged recording; skipped {len(damaged)} chunk frame(s): " + " | ".join(damaged),
                      RecordingRecoveryWarning, stacklevel=2)
