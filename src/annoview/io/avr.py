"""Native recording format `.avr`: a header, append-only CRC'd frames of Arrow IPC chunks, and
a footer index written on close (byte layouts in docs/format.md; framing in frames.py).

Why this shape:
- append-only frames written as they come: a crashed logger leaves a file whose every complete
  frame loads; a damaged tail costs only the damaged bytes, reported by one warning;
- a footer index (one row per chunk: offset, entity, timeline ranges) found from the last 16
  bytes: a viewer lists a 1 GB recording without reading its body and loads chunks on demand;
- every length is bounded by the bytes actually left in the file before it is allocated.
"""
from __future__ import annotations

import bisect
import dataclasses
import os
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import pyarrow as pa

from .. import paths
from ..chunk import TIMELINE_KINDS, Chunk
from ..errors import RecordingFormatError, RecordingRecoveryWarning, ValidationError
from .frames import (
    DEFAULT_MAX_FRAME_LEN, FORMAT_VERSION, FRAME_CHUNK, FRAME_FOOTER, FRAME_HEADER_SIZE, MAGIC,
    MAX_FILE_FRAME_LEN, PREAMBLE_SIZE, TRAILER_MAGIC, TRAILER_SIZE, AvrHeader, FrameDecoder,
    decode_header, decode_trailer, encode_frame, encode_header, encode_trailer, frame_header,
    header_size, parse_frame_header, verify_payload,
)
from .ipc_guard import read_single_batch
from .row_index import MAX_ROW_INDEX_BYTES, ROW_INDEX_FIELDS, RowIndex, decode_columns, encode_columns

__all__ = [
    "AvrHeader", "AvrIndex", "AvrWriter", "FrameDecoder", "IndexEntry", "encode_frame", "open_index",
    "read_avr", "read_avr_header", "FRAME_CHUNK", "FRAME_FOOTER", "FORMAT_VERSION", "MAGIC",
    "TRAILER_MAGIC", "DEFAULT_MAX_FRAME_LEN", "FOOTER_SCHEMA", "encode_footer", "decode_footer",
]

T = TypeVar("T")
TimelineRanges = dict[str, tuple[str, int, int]]  # name -> (kind, min, max)

_TIMELINE_RANGE = pa.struct([("name", pa.utf8()), ("kind", pa.utf8()), ("min", pa.int64()), ("max", pa.int64())])
FOOTER_SCHEMA = pa.schema([
    ("offset", pa.uint64()), ("length", pa.uint64()), ("entity_path", pa.utf8()), ("is_static", pa.bool_()),
    ("num_rows", pa.uint64()), ("archetypes", pa.utf8()), ("timelines", pa.list_(_TIMELINE_RANGE)),
])
# The footer of a file written with per-chunk row indexes (see row_index.py): a reader builds its
# latest-at index from the footer alone. Files with the base schema (older writers, or a writer
# past MAX_ROW_INDEX_BYTES) stay readable: their chunks are read once to index them.
FOOTER_SCHEMA_ROWS = pa.schema(list(FOOTER_SCHEMA) + [pa.field(n, t) for n, t in ROW_INDEX_FIELDS])


@dataclass(frozen=True)
class IndexEntry:
    """One chunk frame: where it is (offset of the frame start, whole frame length including the
    9-byte frame header) and what it holds, so queries can pick chunks without decoding them."""

    offset: int
    length: int
    entity_path: str
    is_static: bool
    num_rows: int
    archetypes: tuple[str, ...]
    timelines: TimelineRanges = field(hash=False)
    rows: RowIndex | None = field(default=None, compare=False, hash=False, repr=False)  # see row_index.py


def _summarize(chunk: Chunk) -> tuple[str, bool, int, tuple[str, ...], TimelineRanges]:
    """Index fields of a chunk; an empty chunk has no time range, so its timelines are omitted."""
    ranges: TimelineRanges = {}
    if chunk.num_rows:
        for name, kind in chunk.timelines.items():
            t = chunk.times(name)
            ranges[name] = (kind, int(t.min()), int(t.max()))
    return chunk.entity_path, chunk.is_static, chunk.num_rows, tuple(chunk.archetypes), ranges


def _entry(offset: int, length: int, chunk: Chunk) -> IndexEntry:
    return IndexEntry(offset, length, *_summarize(chunk), rows=RowIndex.of_chunk(chunk))


# ---------------------------------------------------------------------------------------------
# Footer index table


def encode_footer(entries: Iterable[IndexEntry]) -> bytes:
    """Index rows -> Arrow IPC stream (the footer frame payload); with the row index columns when
    every entry has its row index."""
    entries = list(entries)
    with_rows = bool(entries) and all(e.rows is not None for e in entries)
    schema = FOOTER_SCHEMA_ROWS if with_rows else FOOTER_SCHEMA
    columns = {
        "offset": [e.offset for e in entries],
        "length": [e.length for e in entries],
        "entity_path": [e.entity_path for e in entries],
        "is_static": [e.is_static for e in entries],
        "num_rows": [e.num_rows for e in entries],
        "archetypes": [",".join(e.archetypes) for e in entries],
        "timelines": [[{"name": n, "kind": k, "min": lo, "max": hi} for n, (k, lo, hi) in e.timelines.items()]
                      for e in entries],
    }
    if with_rows:
        columns.update(encode_columns([e.rows for e in entries], [list(e.timelines) for e in entries]))  # type: ignore[misc]
    table = pa.Table.from_pydict(columns, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode_footer(payload: bytes) -> list[IndexEntry]:
    """Footer payload -> index rows; anything unexpected is a RecordingFormatError.

    The payload is checked and validated like a chunk (ipc_guard) before any value is read:
    a footer with a valid CRC can still be hostile.
    """
    batch, _ = read_single_batch(payload, "footer index", allow_empty=True)
    if batch is None:
        return []
    with_rows = batch.schema.equals(FOOTER_SCHEMA_ROWS)
    if not with_rows and not batch.schema.equals(FOOTER_SCHEMA):
        raise RecordingFormatError(f"footer index has schema {batch.schema}, expected {FOOTER_SCHEMA}")
    if any(col.null_count for col in batch.columns):
        raise RecordingFormatError("footer index has null values")
    columns = [batch.column(name).to_pylist() for name in FOOTER_SCHEMA.names]
    fields = [(off, ln, path, static, n, tuple(a for a in archs.split(",") if a), _ranges(tls))
              for off, ln, path, static, n, archs, tls in zip(*columns)]
    canonical: set[str] = set()
    for f in fields:
        if f[2] not in canonical:
            if not _is_canonical(f[2]):
                raise RecordingFormatError(f"footer index has an invalid entity path {f[2][:80]!r}")
            canonical.add(f[2])
    if not with_rows:
        return [IndexEntry(*f) for f in fields]
    rows = decode_columns(batch, [f[4] for f in fields], [f[6] for f in fields], [f[5] for f in fields],
                          [f[1] for f in fields])
    return [IndexEntry(*f, rows=r) for f, r in zip(fields, rows)]


def _is_canonical(path: str) -> bool:
    try:
        return paths.normalize(path) == path
    except ValidationError:
        return False


def _ranges(items: list[dict]) -> TimelineRanges:
    out: TimelineRanges = {}
    for t in items:
        if t is None or None in t.values() or t["kind"] not in TIMELINE_KINDS or t["min"] > t["max"]:
            raise RecordingFormatError(f"footer index has an invalid timeline range {t!r}")
        out[t["name"]] = (t["kind"], t["min"], t["max"])
    return out


def _check_entries(entries: list[IndexEntry], start: int, footer_offset: int) -> None:
    """Entries must tile the body exactly, in order: the writer appends frames back to back and
    indexes every one, so a gap means frames the footer leaves out (a forged or foreign footer)
    and an overlap means entries that disagree with the file. Either way it is not used."""
    prev_end = start
    for e in entries:
        if e.offset != prev_end or e.length <= FRAME_HEADER_SIZE or e.offset + e.length > footer_offset:
            raise RecordingFormatError(f"footer index entry at offset {e.offset} (length {e.length}) "
                                       f"does not start where the previous frame ends ({prev_end})")
        prev_end = e.offset + e.length
    if prev_end != footer_offset:
        raise RecordingFormatError(f"footer index covers the body up to offset {prev_end}, but frames "
                                   f"continue to the footer at {footer_offset}: the index is partial")


# ---------------------------------------------------------------------------------------------
# Writer


class AvrWriter:
    """Append-only .avr writer; safe to share between threads.

    Every frame goes straight to the OS (unbuffered file), so a killed process leaves every frame
    it finished writing. close() adds the footer index and trailer. If a write fails (disk full),
    the writer stops writing and close() adds no footer: readers recover the complete frames.
    """

    def __init__(self, path: str | os.PathLike[str], application_id: str = "unknown",
                 recording_id: str | None = None, *, exclusive: bool = False, row_index: bool = True) -> None:
        """exclusive=True creates the file and raises FileExistsError if the path exists, also as
        a symlink (O_CREAT | O_EXCL never follows one): for receivers that must not clobber.
        row_index=False writes the base footer only (a spill file, read back by offset only)."""
        self.path = Path(path)
        recording_id = recording_id or str(uuid.uuid4())
        created_ns = time.time_ns()
        head = encode_header(application_id, recording_id, created_ns)
        self.header = AvrHeader(application_id, recording_id, created_ns, FORMAT_VERSION, len(head))
        self._lock = threading.Lock()
        self._entries: list[IndexEntry] = []
        self._row_index = row_index
        self._row_index_bytes = 0
        self._pos = 0
        self._closed = False
        self._broken = False
        self._file = open(self.path, "xb" if exclusive else "wb", buffering=0)
        try:
            self._write(head)
        except BaseException:
            self._file.close()
            raise

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def entries(self) -> list[IndexEntry]:
        with self._lock:
            return list(self._entries)

    def write_chunk(self, chunk: Chunk) -> IndexEntry:
        """Append one chunk frame; encoding happens outside the lock so threads overlap."""
        payload = chunk.ipc_buffer()
        head = frame_header(FRAME_CHUNK, payload)
        summary = _summarize(chunk)
        rows = RowIndex.of_chunk(chunk) if self._row_index else None
        with self._lock:
            self._check_writable()
            entry = IndexEntry(self._pos, len(head) + len(payload), *summary, rows=rows)
            self._write(head, payload)
            if rows is not None:
                self._row_index_bytes += rows.nbytes
                if self._row_index_bytes > MAX_ROW_INDEX_BYTES:   # too big to hold: base footer only
                    self._row_index = False
                    self._entries = [dataclasses.replace(e, rows=None) for e in self._entries]
                    entry = dataclasses.replace(entry, rows=None)
            self._entries.append(entry)
        return entry

    def flush(self) -> None:
        """Make written frames durable (fsync): frames are already in the OS, this survives power loss."""
        with self._lock:
            if not self._closed:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        """Write the footer index and trailer, then close; calling it again does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                if not self._broken:
                    footer_offset = self._pos
                    payload = encode_footer(self._entries)
                    self._write(frame_header(FRAME_FOOTER, payload), payload, encode_trailer(footer_offset))
            finally:
                self._file.close()

    def __enter__(self) -> "AvrWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_writable(self) -> None:
        if self._closed:
            raise ValueError(f"AvrWriter for {self.path} is closed")
        if self._broken:
            raise ValueError(f"AvrWriter for {self.path} stopped after a failed write")

    def _write(self, *parts: bytes) -> None:
        try:
            for part in parts:
                view = memoryview(part)
                while view:
                    view = view[self._file.write(view):]
        except BaseException:
            self._broken = True
            raise
        self._pos += sum(len(p) for p in parts)


# ---------------------------------------------------------------------------------------------
# Low-level reading


class _NoTrailer(RecordingFormatError):
    """The file does not end with a trailer: its writer did not close (not damage)."""


class _Incomplete(RecordingFormatError):
    """The file ends inside a frame (a truncated tail rather than changed bytes)."""


@dataclass
class _Damage:
    offset: int
    reason: str
    incomplete: bool
    end: int = 0
    frames: int | None = None  # chunk frames known (from the footer) to be lost


def _file_size(f: IO[bytes]) -> int:
    return os.fstat(f.fileno()).st_size


def _read_header(f: IO[bytes], size: int, source: str) -> AvrHeader | None:
    """The header, or None when the file ends inside it; wrong magic/version raise."""
    f.seek(0)
    prefix = f.read(min(size, PREAMBLE_SIZE))
    total = header_size(prefix, source)
    if total is None or total > size:
        return None
    return decode_header(prefix + f.read(total - len(prefix)), source)


def _read_frame_at(f: IO[bytes], offset: int, end: int) -> tuple[int, bytes]:
    """Read and CRC-check the frame at `offset`, which must end by `end` (checked before reading)."""
    if end - offset < FRAME_HEADER_SIZE:
        raise _Incomplete(f"incomplete frame header ({end - offset} of {FRAME_HEADER_SIZE} bytes)")
    f.seek(offset)
    head = f.read(FRAME_HEADER_SIZE)
    if len(head) < FRAME_HEADER_SIZE:
        raise _Incomplete(f"incomplete frame header ({len(head)} of {FRAME_HEADER_SIZE} bytes)")
    ftype, length, crc = parse_frame_header(head, MAX_FILE_FRAME_LEN)
    left = end - offset - FRAME_HEADER_SIZE
    if length > left:
        raise _Incomplete(f"frame needs {length} payload bytes but only {left} are left")
    payload = f.read(length)
    if len(payload) != length:
        raise _Incomplete(f"frame needs {length} payload bytes but only {len(payload)} could be read")
    verify_payload(payload, crc)
    return ftype, payload


def _decode_chunk(payload: bytes) -> Chunk:
    """Chunk.from_ipc, with any decoding failure reported as a format error."""
    try:
        return Chunk.from_ipc(payload)
    except RecordingFormatError:
        raise
    except (ValueError, KeyError, TypeError, pa.ArrowException) as e:
        raise RecordingFormatError(f"chunk frame does not decode: {e}") from None


def _check_trailer(f: IO[bytes], size: int, footer_offset: int, footer_end: int) -> None:
    left = size - footer_end
    if left < TRAILER_SIZE:
        raise _Incomplete(f"footer frame is followed by {left} of the {TRAILER_SIZE} trailer bytes")
    if left > TRAILER_SIZE:
        raise RecordingFormatError(f"{left - TRAILER_SIZE} unexpected bytes after the footer trailer")
    f.seek(footer_end)
    if decode_trailer(f.read(TRAILER_SIZE)) != footer_offset:
        raise RecordingFormatError("trailer does not point at the footer frame")


def _read_footer(f: IO[bytes], size: int, start: int) -> tuple[int, list[IndexEntry]]:
    """(footer offset, entries) via the trailer: reads only the last 16 bytes and the footer frame."""
    if size - start < FRAME_HEADER_SIZE + TRAILER_SIZE:
        raise _NoTrailer("file too short for a footer")
    f.seek(size - TRAILER_SIZE)
    footer_offset = decode_trailer(f.read(TRAILER_SIZE))
    if footer_offset is None:
        raise _NoTrailer(f"no {TRAILER_MAGIC.decode()} trailer (the writer was not closed)")
    if not start <= footer_offset <= size - TRAILER_SIZE - FRAME_HEADER_SIZE:
        raise RecordingFormatError(f"trailer points at offset {footer_offset}, outside the file body")
    ftype, payload = _read_frame_at(f, footer_offset, size - TRAILER_SIZE)
    if ftype != FRAME_FOOTER or footer_offset + FRAME_HEADER_SIZE + len(payload) != size - TRAILER_SIZE:
        raise RecordingFormatError("trailer does not point at a footer frame that ends at the trailer")
    entries = decode_footer(payload)
    _check_entries(entries, start, footer_offset)
    return footer_offset, entries


def _try_read_footer(f: IO[bytes], size: int, start: int) -> tuple[int, list[IndexEntry]] | None:
    """The footer, or None on any footer problem (the caller scans instead)."""
    return _footer_or_reason(f, size, start)[0]


def _footer_or_reason(f: IO[bytes], size: int, start: int) -> tuple[tuple[int, list[IndexEntry]] | None, str | None]:
    """(footer, None), or (None, why a footer that is there was not used), or (None, None) when
    the file has no trailer at all (a writer that did not close: nothing to report)."""
    try:
        return _read_footer(f, size, start), None
    except _NoTrailer:
        return None, None
    except (RecordingFormatError, ValueError, TypeError, KeyError, OverflowError, pa.ArrowException) as e:
        return None, str(e)


# ---------------------------------------------------------------------------------------------
# Scanning with recovery


def _scan_run(f: IO[bytes], size: int, pos: int,
              decode: Callable[[int, bytes], T]) -> Generator[T, None, _Damage | None]:
    """Decode chunk frames from pos until the footer, the end, or the first damaged frame."""
    while pos < size:
        try:
            ftype, payload = _read_frame_at(f, pos, size)
            end = pos + FRAME_HEADER_SIZE + len(payload)
            if ftype == FRAME_FOOTER:
                _check_trailer(f, size, pos, end)
                return None
            item = decode(pos, payload)
        except RecordingFormatError as e:
            return _Damage(pos, str(e), isinstance(e, _Incomplete))
        yield item
        pos = end
    return None


def _scan(f: IO[bytes], size: int, start: int, decode: Callable[[int, bytes], T], source: str) -> Iterator[T]:
    """Every intact chunk frame in file order; one RecordingRecoveryWarning at the end if any
    bytes were dropped. Without a footer, reading stops at the first damaged frame (its length
    field cannot be trusted); with a valid footer, it resumes at the next indexed frame."""
    damages: list[_Damage] = []
    footer: tuple[int, list[IndexEntry]] | None = None
    footer_read = False
    pos: int | None = start
    while pos is not None:
        damage = yield from _scan_run(f, size, pos, decode)
        if damage is None:
            break
        if not footer_read:
            footer, footer_read = _try_read_footer(f, size, start), True
        pos = _resume_offset(footer, damage, size)
        damages.append(damage)
    if damages:
        warnings.warn(_recovery_message(source, damages), RecordingRecoveryWarning, stacklevel=3)


def _resume_offset(footer: tuple[int, list[IndexEntry]] | None, damage: _Damage, size: int) -> int | None:
    """Where reading goes on after a damaged frame (None: it cannot), filling damage.end/frames."""
    damage.end = size
    if footer is None:
        return None
    footer_offset, entries = footer
    offsets = [e.offset for e in entries]
    i = bisect.bisect_right(offsets, damage.offset)
    nxt = offsets[i] if i < len(offsets) else footer_offset
    if nxt <= damage.offset:
        return None
    damage.end = nxt
    damage.frames = i - bisect.bisect_left(offsets, damage.offset)
    return nxt


def _recovery_message(source: str, damages: list[_Damage]) -> str:
    total = sum(d.end - d.offset for d in damages)
    parts = []
    for d in damages:
        if d.frames is not None:
            what = f"{d.frames} chunk frame(s)"
        elif d.incomplete:
            what = "the incomplete last frame"
        else:
            what = "everything from there to the end of the file, frame count unknown (no valid footer index)"
        parts.append(f"{d.end - d.offset} bytes at offset {d.offset}: {what}; {d.reason}")
    return (f"{source}: damaged recording; loaded every intact chunk and dropped {total} byte(s) "
            f"in {len(damages)} place(s): " + " | ".join(parts))


def _warn_truncated_header(source: str, size: int) -> None:
    warnings.warn(f"{source}: damaged recording; the file ends inside its header, dropped {size} byte(s) "
                  f"at offset 0: no chunks to load", RecordingRecoveryWarning, stacklevel=3)


def _open(path: str | os.PathLike[str]) -> tuple[IO[bytes], int, str]:
    f = open(path, "rb")
    return f, _file_size(f), str(path)


# ---------------------------------------------------------------------------------------------
# Public reading API


def read_avr_header(path: str | os.PathLike[str]) -> AvrHeader:
    """The recording's header (application id, recording id, creation time); reads only it."""
    f, size, source = _open(path)
    with f:
        header = _read_header(f, size, source)
    if header is None:
        raise RecordingFormatError(f"{source}: truncated header ({size} bytes)")
    return header


def read_avr(path: str | os.PathLike[str]) -> Iterator[Chunk]:
    """Every intact chunk of a recording, in file order, CRC-checked.

    The header is checked now (wrong file -> RecordingFormatError, newer format ->
    NewerFormatError); a damaged or truncated body is recovered while iterating (see _scan).
    """
    f, size, source = _open(path)
    with f:
        header = _read_header(f, size, source)
    # The generator opens the file again when iteration starts: an iterator that is never
    # iterated (a conversion that fails before reading) holds no open file.
    return _iter_chunks(path, size, header, source)


def _iter_chunks(path: str | os.PathLike[str], size: int, header: AvrHeader | None, source: str) -> Iterator[Chunk]:
    if header is None:
        _warn_truncated_header(source, size)
        return
    with open(path, "rb") as f:
        yield from _scan(f, size, header.size, lambda _off, payload: _decode_chunk(payload), source)


@dataclass
class AvrIndex:
    """What a recording holds and where, without its chunk data: open big files lazily.

    header is None only for a file that ends inside its header. from_footer says whether the
    entries came from the footer index (cheap) or from scanning the frames.
    """

    path: Path
    header: AvrHeader | None
    entries: list[IndexEntry]
    from_footer: bool

    def entity_paths(self) -> list[str]:
        return sorted({e.entity_path for e in self.entries})

    def timelines(self) -> TimelineRanges:
        """Timeline name -> (kind, min, max) over all chunks."""
        out: TimelineRanges = {}
        for e in self.entries:
            for name, (kind, lo, hi) in e.timelines.items():
                prev = out.get(name)
                out[name] = (kind, lo, hi) if prev is None else (prev[0], min(prev[1], lo), max(prev[2], hi))
        return out

    def entries_for(self, entity_paths: Iterable[str] | None = None) -> list[IndexEntry]:
        if entity_paths is None:
            return list(self.entries)
        wanted = set(entity_paths)
        return [e for e in self.entries if e.entity_path in wanted]

    def load_chunk(self, entry: IndexEntry) -> Chunk:
        """Read one chunk frame by offset; a damaged frame raises RecordingFormatError."""
        f, size, _ = _open(self.path)
        with f:
            return _load_entry(f, size, entry)

    def load_chunks(self, entity_paths: Iterable[str] | None = None) -> list[Chunk]:
        """The chunks of the given entities (all when None), in file order. Damaged frames are
        skipped and reported by one RecordingRecoveryWarning, like read_avr."""
        return self.load_entries(self.entries_for(entity_paths))

    def load_entries(self, entries: Iterable[IndexEntry], dropped: list[IndexEntry] | None = None) -> list[Chunk]:
        """The chunks of the given entries; damaged frames are skipped (and appended to
        `dropped` when given) and reported by one RecordingRecoveryWarning that names each one."""
        return list(self.iter_entries(entries, dropped))

    def iter_entries(self, entries: Iterable[IndexEntry], dropped: list[IndexEntry] | None = None) -> Iterator[Chunk]:
        """load_entries one chunk at a time, so a caller that summarizes chunks holds one at a
        time (`annoview info` on a file larger than memory); the warning comes at the end."""
        damaged: list[str] = []
        f, size, source = _open(self.path)
        with f:
            for entry in entries:
                try:
                    chunk = _load_entry(f, size, entry)
                except RecordingFormatError as e:
                    damaged.append(f"{entry.length} bytes at offset {entry.offset} ({entry.entity_path}): {e}")
                    if dropped is not None:
                        dropped.append(entry)
                    continue
                yield chunk
        if damaged:
            warnings.warn(f"{source}: damaged recording; skipped {len(damaged)} chunk frame(s): "
                          + " | ".join(damaged), RecordingRecoveryWarning, stacklevel=3)


def _load_entry(f: IO[bytes], size: int, entry: IndexEntry) -> Chunk:
    if entry.offset + entry.length > size:
        raise RecordingFormatError(f"the file ends at byte {size}, inside or before the frame at offset "
                                   f"{entry.offset} ({entry.length} bytes): it was truncated")
    ftype, payload = _read_frame_at(f, entry.offset, min(size, entry.offset + entry.length))
    if ftype != FRAME_CHUNK or FRAME_HEADER_SIZE + len(payload) != entry.length:
        raise RecordingFormatError(f"frame at offset {entry.offset} does not match its index entry")
    chunk = _decode_chunk(payload)
    if chunk.entity_path != entry.entity_path:
        raise RecordingFormatError(f"frame at offset {entry.offset} holds {chunk.entity_path!r}, "
                                   f"the index says {entry.entity_path!r}")
    return chunk


def open_index(path: str | os.PathLike[str], use_footer: bool = True) -> AvrIndex:
    """Index a recording. With a valid footer this reads the header, the 16-byte trailer and the
    footer frame only; otherwise (or with use_footer=False) it scans and decodes every frame,
    recovering from damage like read_avr."""
    f, size, source = _open(path)
    with f:
        header = _read_header(f, size, source)
        if header is None:
            _warn_truncated_header(source, size)
            return AvrIndex(Path(path), None, [], False)
        if use_footer:
            footer, reason = _footer_or_reason(f, size, header.size)
            if footer is not None:
                return AvrIndex(Path(path), header, footer[1], True)
        else:
            reason = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            entries = list(_scan(f, size, header.size,
                                 lambda off, payload: _entry(off, FRAME_HEADER_SIZE + len(payload),
                                                             _decode_chunk(payload)), source))
    for w in caught:  # the scan's own warning already names a damaged footer frame
        warnings.warn(w.message, w.category, stacklevel=2)
    if reason is not None and not caught:
        # A footer that is there but not used (hostile content, or an index that leaves frames
        # out) is worth one line: nothing was lost, but the file is not what its writer closed.
        warnings.warn(f"{source}: the footer index was not used ({reason}); every frame was scanned "
                      "instead", RecordingRecoveryWarning, stacklevel=2)
    return AvrIndex(Path(path), header, entries, False)
