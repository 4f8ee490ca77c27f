"""Where chunks go: memory (tests, `memory_recording`), a `.avr` file, or a buffer until a real
sink is set (data logged before `rr.save` / `rr.connect` is not lost)."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from ..chunk import Chunk

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


class FileSink:
    """Appends chunks to a `.avr` file as they are produced; the footer is written on close."""

    def __init__(self, path: str, application_id: str, recording_id: str) -> None:
        from ..io.avr import AvrWriter

        self.path = path
        self._writer = AvrWriter(path, application_id=application_id, recording_id=recording_id)

    def send(self, chunk: Chunk) -> None:
        self._writer.write_chunk(chunk)

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()
