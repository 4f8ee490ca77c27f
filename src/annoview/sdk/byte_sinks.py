"""Sinks that hand the recording over as `.avr` bytes, and a sink that feeds several sinks.

Rerun scripts read a recording back as bytes (`memory_recording().drain_as_bytes()`,
`binary_stream().read()`, `rr.stdout()` piped into a viewer); annoview gives the same calls the
`.avr` encoding (docs/format.md), so the bytes written to a file open in `annoview` / `read_avr`.
A stream (binary stream, stdout) is the header then one frame per chunk, without a footer: the
readers load such a file frame by frame, exactly as they recover a recording cut short.
"""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from ..chunk import Chunk
from ..io.avr import IndexEntry, _summarize, encode_footer
from ..io.frames import FRAME_CHUNK, FRAME_FOOTER, encode_header, encode_trailer, frame_header
from .sinks import MemorySink, Sink

if TYPE_CHECKING:
    from .recording import RecordingStream


def _chunk_frame(chunk: Chunk) -> bytes:
    payload = chunk.to_ipc()
    return frame_header(FRAME_CHUNK, payload) + payload


def encode_avr(chunks: Iterable[Chunk], application_id: str, recording_id: str) -> bytes:
    """A complete `.avr` file (header, chunk frames, footer index, trailer) as bytes."""
    parts = [encode_header(application_id, recording_id, time.time_ns())]
    pos = len(parts[0])
    entries: list[IndexEntry] = []
    for chunk in chunks:
        frame = _chunk_frame(chunk)
        entries.append(IndexEntry(pos, len(frame), *_summarize(chunk)))
        parts.append(frame)
        pos += len(frame)
    footer = encode_footer(entries)
    parts += [frame_header(FRAME_FOOTER, footer), footer, encode_trailer(pos)]
    return b"".join(parts)


class MemoryRecording(MemorySink):
    """`rr.memory_recording()`: keeps the chunks (`chunks()`, `to_store()` read them back) and
    hands them over as a complete `.avr` file with `drain_as_bytes()`, as Rerun's does with `.rrd`."""

    def __init__(self, application_id: str = "unknown", recording_id: str = "unknown") -> None:
        super().__init__()
        self.application_id, self.recording_id = application_id, recording_id

    def num_msgs(self) -> int:
        """How many chunks are held."""
        with self._lock:
            return len(self._chunks)

    def drain_as_bytes(self) -> bytes:
        """Everything held so far as one `.avr` file; the memory is emptied."""
        with self._lock:
            chunks, self._chunks = self._chunks, []
        return encode_avr(chunks, self.application_id, self.recording_id)


class _StreamEncoder:
    """Header once, then one frame per chunk."""

    def __init__(self, application_id: str, recording_id: str) -> None:
        self._header: bytes | None = encode_header(application_id, recording_id, time.time_ns())

    def encode(self, chunk: Chunk) -> bytes:
        head, self._header = self._header, None
        return (head or b"") + _chunk_frame(chunk)

    def header(self) -> bytes:
        head, self._header = self._header, None
        return head or b""


class _ByteBuffer:
    """The sink behind a BinaryStream: encodes each chunk as it arrives and keeps the bytes."""

    def __init__(self, application_id: str, recording_id: str) -> None:
        self._encoder = _StreamEncoder(application_id, recording_id)
        self._parts: list[bytes] = []
        self._lock = threading.Lock()

    def send(self, chunk: Chunk) -> None:
        data = self._encoder.encode(chunk)
        with self._lock:
            self._parts.append(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        with self._lock:
            parts, self._parts = self._parts, []
        return self._encoder.header() + b"".join(parts)


class BinaryStream:
    """`rr.binary_stream()`: `read()` returns the recording bytes produced since the last read
    (the first read starts with the `.avr` header), so the reads concatenated are one stream."""

    def __init__(self, stream: "RecordingStream") -> None:
        self._stream = stream
        self._buffer = _ByteBuffer(stream.application_id, stream.recording_id)
        stream._set_sink(self._buffer)

    def flush(self, timeout_sec: float = 1e38) -> None:
        """Turn the recording's pending rows into bytes for the next read()."""
        self._stream.flush()

    def read(self, *, flush: bool = True, flush_timeout_sec: float = float("inf")) -> bytes | None:
        """The bytes produced since the previous read (None when there are none)."""
        if flush:
            self.flush(flush_timeout_sec)
        return self._buffer.take() or None


class StdoutSink:
    """`rr.stdout()`: the recording as an `.avr` byte stream on standard output."""

    def __init__(self, application_id: str, recording_id: str, out: IO[bytes] | None = None) -> None:
        self._out = out if out is not None else sys.stdout.buffer
        self._encoder = _StreamEncoder(application_id, recording_id)
        self._lock = threading.Lock()

    def send(self, chunk: Chunk) -> None:
        data = self._encoder.encode(chunk)
        with self._lock:
            self._out.write(data)

    def flush(self) -> None:
        with self._lock:
            self._out.flush()

    def close(self) -> None:
        self.flush()


class TeeSink:
    """`rr.set_sinks(a, b, ...)`: every chunk goes to each sink."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = sinks

    def send(self, chunk: Chunk) -> None:
        for sink in self.sinks:
            sink.send(chunk)

    def flush(self) -> None:
        for sink in self.sinks:
            sink.flush()

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()
