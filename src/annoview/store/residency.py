"""Which chunks are in memory: a least-recently-used byte budget over the store's chunks.

Why the store can drop chunk data at all: its latest-at index (times, row ids, chunk number and
row per component) is built once at ingest and stays complete, so queries are exact whether a
chunk's data is resident or not; only reading a value needs the data, and that reloads it. A
chunk from a recording file reloads through the footer index (its offset and length); a chunk
that arrived over a live stream has no file behind it, so it is first spilled to a temporary
`.avr` when evicted, which makes it reloadable like a file's: nothing streamed is ever lost.

A chunk may also start out unread (`append_unread`): a file whose footer carries row indexes is
indexed without reading chunk data (store/ingest.py), and each chunk is read on first use.

Static chunks are pinned (they are needed at every time and are small in practice). A chunk just
loaded is never the one evicted to make room for itself: a budget smaller than one chunk still
shows every frame, holding that one chunk. A chunk that cannot be read back (a truncated or
damaged file) is recorded once with a problem line and never retried: queries leave it out.
"""
from __future__ import annotations

import os
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..chunk import Chunk
from ..errors import AnnoviewError


_M_MMAP_THRESHOLD = -3
_allocator_tuned = False


def _return_freed_chunks_to_the_os() -> None:
    """glibc raises its mmap threshold after each large free, so evicted multi-MB chunk buffers
    would then come from per-thread heaps that rarely shrink: RSS would grow hundreds of MB past
    the limit. A fixed 1 MiB threshold keeps big buffers in their own mappings, released on free.
    Process-wide, done once, at the first eviction; a no-op off glibc."""
    global _allocator_tuned
    if _allocator_tuned:
        return
    _allocator_tuned = True
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):
        pass


class ChunkFile:
    """One open recording file read by offset, shared by every chunk reloaded from it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        # Opened now: a file replaced or deleted while the viewer runs keeps reading the data
        # it was indexed from (the open descriptor holds it); only truncation or damage in place
        # makes a read back fail (ChunkUnavailable).
        with self._lock:
            try:
                self._open()
            except OSError:
                pass            # reported by the first load

    def load(self, entry) -> Chunk:
        """The chunk of a footer-index entry (CRC-checked; a damaged frame raises)."""
        from ..io.avr import _load_entry

        with self._lock:
            if self._file is None:
                self._open()
            assert self._file is not None
            return _load_entry(self._file, os.fstat(self._file.fileno()).st_size, entry)

    def _open(self) -> None:
        self._file = open(self.path, "rb")
        # closed when this reader goes away, even at exit (no unclosed-file warnings)
        self._finalizer = weakref.finalize(self, self._file.close)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._finalizer()
                self._file = None


@dataclass(frozen=True)
class FileSource:
    """Where a chunk can be read back from: a recording (or spill) file and its index entry.
    `digest` (of the footer's row index, io/row_index.py) is set when the store indexed the chunk
    from the footer without reading it: the chunk read back must match what was indexed."""

    file: ChunkFile
    entry: object  # io.avr.IndexEntry
    digest: int | None = None

    def load(self) -> Chunk:
        chunk = self.file.load(self.entry)
        if self.digest is not None:
            from ..io.row_index import verify

            verify(chunk, self.digest, f"frame at offset {self.entry.offset}")  # type: ignore[attr-defined]
        return chunk


class ChunkUnavailable(AnnoviewError):
    """An evicted (or not yet read) chunk could not be read back: the file was truncated or
    changed in place, or could not be opened. Queries then leave its rows out."""


@dataclass
class _Slot:
    nbytes: int                          # for an unread chunk, the footer's estimate until first read
    static: bool
    ranges: dict[str, tuple[int, int]]   # timeline -> (min, max) of the chunk's rows
    source: FileSource | None = None
    loads: int = 0                       # reloads from disk (tests and benchmarks read it)
    entity_path: str = ""


@dataclass
class ResidencyStats:
    resident_bytes: int = 0
    peak_resident_bytes: int = 0
    evictions: int = 0
    reloads: int = 0
    spilled: int = 0
    spilled_bytes: int = 0


class ChunkTable:
    """The store's chunks by number (append-only), with data kept within `limit` bytes.

    limit None keeps everything (the behaviour without a memory limit). Thread-safe: the
    loader, the stream receiver, the prefetcher and the render loop use it at once; disk reads
    happen outside the table lock, so a reload never stalls another thread's hits.
    """

    def __init__(self, limit: int | None = None, spill_dir: str | None = None) -> None:
        self.limit = limit
        self.stats = ResidencyStats()
        self._lock = threading.RLock()
        self._slots: list[_Slot] = []
        self._data: list[Chunk | None] = []
        self._lru: OrderedDict[int, None] = OrderedDict()   # resident, evictable, oldest first
        self._loading: dict[int, threading.Event] = {}
        self._spill_dir = spill_dir
        self._spill: tuple[object, ChunkFile] | None = None    # (AvrWriter, reader)
        self._finalizer: weakref.finalize | None = None
        self.evicted_serial = 0                            # bumped on every eviction (GPU cache follows)
        self._evicted_rows: list[np.ndarray] = []          # row ids of chunks evicted since last taken
        self.track_evicted_rows = False                    # set by a consumer of take_evicted_rows
        self.spill_error: str | None = None                # set once spilling failed (disk full)
        # chunks that could not be read back: number -> the problem line. Never retried (a
        # truncated or replaced file would fail again on every frame); queries leave them out.
        self.failed: dict[int, str] = {}
        self._new_failures: list[str] = []
        self.absent = 0                                    # chunks whose data is not in memory now

    # ---- list-like access ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._slots)

    def __getitem__(self, cid: int) -> Chunk:
        return self.get(cid)

    def __iter__(self) -> Iterator[Chunk]:
        """Every chunk, read back where needed; one that cannot be read is skipped (it is in
        `failed`, with its problem line)."""
        for cid in range(len(self._slots)):
            try:
                yield self.get(cid)
            except ChunkUnavailable:
                continue

    def append(self, chunk: Chunk, source: FileSource | None = None) -> int:
        ranges = {}
        if chunk.num_rows:
            for tl in chunk.timelines:
                t = chunk.times(tl)
                ranges[tl] = (int(t.min()), int(t.max()))
        with self._lock:
            cid = len(self._slots)
            self._slots.append(_Slot(_buffer_bytes(chunk), chunk.is_static, ranges, source, entity_path=chunk.entity_path))
            self._data.append(chunk)
            self._admit(cid)
            self._trim(keep=cid)
            return cid

    def append_unread(self, entity_path: str, source: FileSource, nbytes: int,
                      ranges: dict[str, tuple[int, int]]) -> int:
        """A temporal chunk known from a file's footer index only: not resident; read on first
        use. `nbytes` estimates its size until it is read."""
        with self._lock:
            cid = len(self._slots)
            self._slots.append(_Slot(nbytes, False, ranges, source, entity_path=entity_path))
            self._data.append(None)
            self.absent += 1
            return cid

    # ---- residency ----------------------------------------------------------------------------
    def is_resident(self, cid: int) -> bool:
        return self._data[cid] is not None

    def get(self, cid: int) -> Chunk:
        """The chunk's data, read back from disk if it was evicted (marks it recently used)."""
        while True:
            with self._lock:
                chunk = self._data[cid]
                if chunk is not None:
                    if cid in self._lru:
                        self._lru.move_to_end(cid)
                    return chunk
                if cid in self.failed:
                    raise ChunkUnavailable(self.failed[cid])
                waiting = self._loading.get(cid)
                if waiting is None:
                    done = self._loading[cid] = threading.Event()
                    source = self._slots[cid].source
                    break
            waiting.wait()      # another thread is reading this chunk: use its result
        try:
            if source is None:  # cannot happen: an evicted chunk always has a source
                raise RuntimeError(f"chunk {cid} was evicted without a way to read it back")
            try:
                chunk = source.load()
            except (AnnoviewError, OSError, ValueError) as e:
                raise ChunkUnavailable(self._fail(cid, e)) from None
            with self._lock:
                self._data[cid] = chunk
                self.absent -= 1
                slot = self._slots[cid]
                slot.nbytes = _buffer_bytes(chunk)   # the estimate of an unread chunk becomes exact
                slot.loads += 1
                self.stats.reloads += 1
                self._admit(cid)
                self._trim(keep=cid)
            return chunk
        finally:
            with self._lock:
                self._loading.pop(cid, None)
            done.set()

    def prefetch(self, cid: int) -> bool:
        """Load an evicted chunk ahead of use; True if it had to be read. A chunk that cannot
        be read is recorded (see `failed`), not raised: the frame that needs it reports it."""
        if self._data[cid] is not None or cid in self.failed:
            return False
        try:
            self.get(cid)
        except ChunkUnavailable:
            return False
        return True

    def readable(self, cids: np.ndarray) -> np.ndarray:
        """Read the given chunks that are not in memory (a frame about to use them) and return
        the numbers of those that cannot be read. Free when every chunk is in memory."""
        if not self.absent:
            return np.zeros(0, np.int64)
        bad = []
        for cid in np.unique(cids).tolist():
            if self._data[cid] is None:
                try:
                    self.get(cid)
                except ChunkUnavailable:
                    bad.append(cid)
        return np.array(bad, np.int64)

    def failed_ids(self) -> np.ndarray:
        """Numbers of the chunks that could not be read back (queries leave them out)."""
        with self._lock:
            return np.fromiter(self.failed, np.int64, len(self.failed))

    def failure_lines(self) -> list[str]:
        with self._lock:
            return list(self.failed.values())

    def take_failures(self) -> list[str]:
        """Problem lines of the chunks that failed to read since the last call (the viewer shows
        each once)."""
        with self._lock:
            out, self._new_failures = self._new_failures, []
        return out

    def _fail(self, cid: int, error: BaseException) -> str:
        slot = self._slots[cid]
        ranges = {tl: r for tl, r in slot.ranges.items() if tl != "log_time"} or slot.ranges   # the SDK's own clock last
        when = ", ".join(f"{tl} {lo}" + (f"..{hi}" if hi != lo else "") for tl, (lo, hi) in sorted(ranges.items()))
        where = getattr(slot.source, "file", None)
        path = getattr(where, "path", "its file")
        why = str(error) if isinstance(error, AnnoviewError) else f"{type(error).__name__}: {error}"
        message = (f"{slot.entity_path or 'a chunk'}{' at ' + when if when else ''}: cannot read its data back "
                   f"from {path} ({why}); shown without it")
        with self._lock:
            if cid not in self.failed:
                self.failed[cid] = message
                self._new_failures.append(message)
        return self.failed[cid]

    def nbytes(self, cid: int) -> int:
        return self._slots[cid].nbytes

    def resident_bytes(self) -> int:
        return self.stats.resident_bytes

    def reloads(self, cid: int) -> int:
        return self._slots[cid].loads

    def ranges(self, cid: int) -> dict[str, tuple[int, int]]:
        return self._slots[cid].ranges

    def resident_ranges(self, timeline: str) -> list[tuple[int, int]]:
        """Merged (min, max) time ranges on `timeline` of the resident temporal chunks (the time
        panel draws them)."""
        with self._lock:
            spans = sorted(s.ranges[timeline] for cid, s in enumerate(self._slots)
                           if not s.static and timeline in s.ranges and self._data[cid] is not None)
        merged: list[tuple[int, int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        return merged

    def take_evicted_rows(self) -> np.ndarray:
        """Row ids (n, 2) of the chunks evicted since the last call (GPU caches drop their geometry)."""
        with self._lock:
            rows, self._evicted_rows = self._evicted_rows, []
        return np.concatenate(rows) if rows else np.zeros((0, 2), np.uint64)

    def set_limit(self, limit: int | None) -> None:
        with self._lock:
            self.limit = limit
            self._trim(keep=None)

    def close(self) -> None:
        """Close the files behind evicted chunks and delete the spill file. (An open recording
        file holds its disk space even after it was deleted: close it with the recording.)"""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            files = {id(s.source.file): s.source.file for s in self._slots if s.source is not None}
        for f in files.values():
            f.close()

    # ---- internals (under the lock) -----------------------------------------------------------
    def _admit(self, cid: int) -> None:
        slot = self._slots[cid]
        self.stats.resident_bytes += slot.nbytes
        self.stats.peak_resident_bytes = max(self.stats.peak_resident_bytes, self.stats.resident_bytes)
        if not slot.static:
            self._lru[cid] = None

    def _trim(self, keep: int | None) -> None:
        if self.limit is None or self.stats.resident_bytes <= self.limit:
            return
        for cid in list(self._lru):          # oldest first
            if self.stats.resident_bytes <= self.limit:
                return
            if cid != keep:
                self._evict(cid)

    def _evict(self, cid: int) -> None:
        _return_freed_chunks_to_the_os()   # first eviction: from now on big buffers come and go
        chunk = self._data[cid]
        assert chunk is not None
        slot = self._slots[cid]
        if slot.source is None:
            if self.spill_error is not None:
                return                        # cannot spill: keep it rather than lose it
            try:
                slot.source = self._spill_chunk(chunk)
            except (OSError, ValueError) as e:
                self.spill_error = f"cannot spill streamed data to a temporary file ({e}); keeping it in memory"
                return
        del self._lru[cid]
        self._data[cid] = None
        self.absent += 1
        self.stats.resident_bytes -= slot.nbytes
        self.stats.evictions += 1
        self.evicted_serial += 1
        if self.track_evicted_rows:
            self._evicted_rows.append(chunk.row_ids())

    def _spill_chunk(self, chunk: Chunk) -> FileSource:
        """Append a streamed chunk to this table's temporary .avr and return where it is."""
        if self._spill is None:
            from ..io.avr import AvrWriter

            fd, name = tempfile.mkstemp(prefix="annoview-spill-", suffix=".avr", dir=self._spill_dir)
            os.close(fd)
            writer = AvrWriter(name, "annoview-spill", row_index=False)
            reader = ChunkFile(name)
            self._spill = (writer, reader)
            self._finalizer = weakref.finalize(self, _delete_spill, writer, reader, name)
        writer, reader = self._spill
        entry = writer.write_chunk(chunk)  # type: ignore[attr-defined]
        self.stats.spilled += 1
        self.stats.spilled_bytes += entry.length
        return FileSource(reader, entry)

    @property
    def spill_path(self) -> Path | None:
        return None if self._spill is None else self._spill[1].path


def _buffer_bytes(chunk: Chunk) -> int:
    """Bytes of the chunk's Arrow buffers. Not RecordBatch.nbytes: that starts pyarrow's thread
    pool, about 1 GB of reserved address space, which breaks readers run under an address-space
    limit (tests/test_hostile_files.py)."""
    return int(chunk.batch.get_total_buffer_size())


def _delete_spill(writer, reader: ChunkFile, name: str) -> None:
    try:
        writer.close()
    finally:
        reader.close()
        try:
            os.unlink(name)
        except OSError:
            pass
