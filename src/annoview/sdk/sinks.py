"""Where chunks go: memory (tests, `memory_recording`), a `.avr` file, or a buffer until a real
sink is set (data logged before `rr.save` / `rr.connect` is not lost)."""
from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING, Protocol

from ..chunk import Chunk
from ..errors import AnnoviewWarning, warn_user

if TYPE_CHECKING:
    from ..store import Store


class Sink(Protocol):
    def send(self, chunk: Chunk) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


class MemorySink:
    """Keeps every chunk; tests read the recording back from here."""

    def __init__(self) -> None:
        self._chunks: list[Chunk] = []
        self._lock = threading.Lock()

    def send(self, chunk: Chunk) -> None:
        with self._lock:
            self._chunks.append(chunk)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def chunks(self) -> list[Chunk]:
        with self._lock:
            return list(self._chunks)

    def to_store(self) -> "Store":
        from ..store import Store

        store = Store()
        store.add_chunks(self.chunks())
        return store


class BufferSink(MemorySink):
    """The default sink: holds chunks until `save`/`connect` hands them to a real sink."""

    def drain(self) -> list[Chunk]:
        with self._lock:
            out, self._chunks = self._chunks, []
        return out


DEFAULT_MAX_KEPT_BYTES = 256 * 1024 * 1024


class FileSink:
    """Appends chunks to a `.avr` file as they are produced; the footer is written on close.

    A failing write (disk full, a removed mount) never reaches the log call: the file keeps every
    frame written before (readers recover them), one warning is given, and later chunks are kept
    in memory up to `max_kept_bytes` (oldest dropped beyond), so that a later `rr.save(other)`
    writes them (`unwritten()` hands them over).
    """

    def __init__(self, path: str, application_id: str, recording_id: str,
                 max_kept_bytes: int = DEFAULT_MAX_KEPT_BYTES) -> None:
        from ..io.avr import AvrWriter

        self.path = path
        self._writer = AvrWriter(path, application_id=application_id, recording_id=recording_id)
        self.max_kept_bytes = int(max_kept_bytes)
        self._lock = threading.Lock()
        self._failed: str | None = None
        self._kept: collections.deque[tuple[Chunk, int]] = collections.deque()
        self._kept_bytes = 0
        self.dropped_chunks = 0
        self._warned_encode = False

    def send(self, chunk: Chunk) -> None:
        if self._failed is None:
            try:
                self._writer.write_chunk(chunk)
                return
            except (OSError, ValueError) as e:  # ValueError: the writer stopped or was closed
                self._fail(e)
            except Exception as e:  # a chunk that does not encode: the file itself is fine
                if not self._warned_encode:
                    self._warned_encode = True
                    warn_user(f"annoview: a chunk of {chunk.entity_path} could not be written to {self.path} and "
                              f"was dropped ({type(e).__name__}: {e}) (warned once)", AnnoviewWarning)
                return
        self._keep(chunk)

    def flush(self) -> None:
        if self._failed is None:
            try:
                self._writer.flush()
            except OSError as e:
                self._fail(e)

    def close(self) -> None:
        try:
            self._writer.close()
        except OSError as e:
            self._fail(e)

    def unwritten(self) -> list[Chunk]:
        """The chunks kept in memory after a failed write, oldest first (and forgets them)."""
        with self._lock:
            out = [c for c, _ in self._kept]
            self._kept.clear()
            self._kept_bytes = 0
        return out

    def _fail(self, error: Exception) -> None:
        with self._lock:
            if self._failed is not None:
                return
            self._failed = str(getattr(error, "strerror", None) or error)
        warn_user(f"annoview: writing {self.path} failed ({self._failed}); the chunks written before are kept in "
                  f"the file, later data is kept in memory (up to {self.max_kept_bytes / 2**20:.0f} MiB, oldest "
                  "dropped beyond) until rr.save() to another path (warned once)", AnnoviewWarning)

    def _keep(self, chunk: Chunk) -> None:
        size = max(1, int(chunk.nbytes()))
        with self._lock:
            self._kept.append((chunk, size))
            self._kept_bytes += size
            while self._kept_bytes > self.max_kept_bytes and len(self._kept) > 1:
                _, old = self._kept.popleft()
                self._kept_bytes -= old
                self.dropped_chunks += 1
