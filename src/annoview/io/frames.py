"""Framing of the native `.avr` format, shared by the file reader/writer and the TCP stream.

One module owns every byte layout (file header, frame header, trailer) so that the file reader,
the file writer and the network stream cannot drift apart: they all call the functions below.
See docs/format.md for the layouts.

Every length read from untrusted bytes is checked against a limit *before* anything is
allocated, so a corrupt or hostile length field is a RecordingFormatError, never a MemoryError.
"""
from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from ..errors import NewerFormatError, RecordingFormatError

MAGIC = b"ANNOVIEW"
TRAILER_MAGIC = b"AVRINDEX"
FORMAT_VERSION = 1

FRAME_CHUNK = 1
FRAME_FOOTER = 2
FRAME_TYPES = (FRAME_CHUNK, FRAME_FOOTER)

_PREAMBLE = struct.Struct("<8sII")  # magic, format version, header-json length
_FRAME = struct.Struct("<BII")      # frame type, payload length, CRC32 of the payload
_TRAILER = struct.Struct("<Q8s")    # offset of the footer frame, trailer magic

PREAMBLE_SIZE = _PREAMBLE.size      # 16
FRAME_HEADER_SIZE = _FRAME.size     # 9
TRAILER_SIZE = _TRAILER.size        # 16

MAX_HEADER_JSON = 1 << 20           # the header is three small fields; anything bigger is corruption
MAX_FILE_FRAME_LEN = 2 << 30        # hard cap for a frame in a file (2 GiB)
DEFAULT_MAX_FRAME_LEN = 1 << 30     # default cap for a frame arriving over the network (1 GiB)


@dataclass(frozen=True)
class AvrHeader:
    """What the file header says about a recording.

    `size` is the byte length of the header (preamble + JSON), i.e. the offset of the first frame.
    """

    application_id: str
    recording_id: str
    created_ns: int
    version: int = FORMAT_VERSION
    size: int = 0


# ---------------------------------------------------------------------------------------------
# File header


def encode_header(application_id: str, recording_id: str, created_ns: int) -> bytes:
    """Magic + version + length-prefixed UTF-8 JSON; JSON so that readers need no pickle/eval."""
    body = json.dumps({"application_id": application_id, "recording_id": recording_id,
                       "created_ns": int(created_ns)}, ensure_ascii=False).encode("utf-8")
    return _PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(body)) + body


def header_size(prefix: bytes, source: str = "stream") -> int | None:
    """Total header size announced by the first bytes, or None while fewer than 16 are known.

    Validates what is already visible (magic, version, JSON length bound) so that a wrong file
    is rejected from its first bytes, before anything else is read.
    """
    n = min(len(prefix), len(MAGIC))
    if bytes(prefix[:n]) != MAGIC[:n]:
        raise RecordingFormatError(f"{source} is not an annoview recording (it does not start with {MAGIC.decode()})")
    if len(prefix) >= 12:
        _check_version(struct.unpack_from("<I", prefix, 8)[0], source)
    if len(prefix) < PREAMBLE_SIZE:
        return None
    _, _, json_len = _PREAMBLE.unpack_from(prefix)
    if json_len > MAX_HEADER_JSON:
        raise RecordingFormatError(f"{source}: header JSON length {json_len} exceeds the {MAX_HEADER_JSON}-byte limit")
    return PREAMBLE_SIZE + json_len


MAX_JSON_DEPTH = 32                 # headers and handshakes are flat objects; deep nesting is an attack
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_depth(raw: bytes) -> int:
    """Deepest bracket nesting outside strings: checked before json.loads, whose recursive parser
    would otherwise raise RecursionError (30,000 brackets fit in a 64 KiB handshake)."""
    skeleton = np.frombuffer(_JSON_STRING.sub(b'""', raw), np.uint8)
    step = (np.isin(skeleton, (0x5B, 0x7B)).astype(np.int32) - np.isin(skeleton, (0x5D, 0x7D)).astype(np.int32))
    return int(np.cumsum(step).max(initial=0))


def _clean_strings(value: object) -> object:
    """Lone surrogates (a `\\ud800` escape is valid JSON) replaced by U+FFFD: such a string
    cannot be encoded as UTF-8, so it would fail later when printed or written back."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean_strings(k): _clean_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(v) for v in value]
    return value


def json_object(data: bytes | memoryview, what: str) -> dict:
    """A UTF-8 JSON object read from untrusted bytes (json only: never pickle or eval), nested at
    most MAX_JSON_DEPTH deep; shared by the file header and the stream handshake."""
    raw = bytes(data)
    depth = _json_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise RecordingFormatError(f"{what} JSON is nested {depth} levels deep (at most {MAX_JSON_DEPTH})")
    try:
        info = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise RecordingFormatError(f"{what} is not valid UTF-8 JSON: {e}") from None
    if not isinstance(info, dict):
        raise RecordingFormatError(f"{what} JSON is a {type(info).__name__}, expected an object")
    return _clean_strings(info)  # type: ignore[return-value]


def decode_header(data: bytes, source: str = "stream") -> AvrHeader:
    """Parse a complete file header (at least header_size(data) bytes)."""
    size = header_size(data, source)
    if size is None or len(data) < size:
        raise RecordingFormatError(f"{source}: truncated header ({len(data)} bytes)")
    info = json_object(data[PREAMBLE_SIZE:size], f"{source}: header")
    app, rec, created = info.get("application_id"), info.get("recording_id"), info.get("created_ns")
    if not isinstance(app, str) or not isinstance(rec, str):
        raise RecordingFormatError(f"{source}: header needs string application_id and recording_id")
    if not isinstance(created, int) or isinstance(created, bool):
        raise RecordingFormatError(f"{source}: header created_ns must be an integer, got {created!r}")
    version = struct.unpack_from("<I", data, 8)[0]
    return AvrHeader(app, rec, created, version, size)


# Format versions are small counters; a number past this is a damaged header, not a newer file.
MAX_PLAUSIBLE_VERSION = 1 << 16


def _check_version(version: int, source: str) -> None:
    if version > MAX_PLAUSIBLE_VERSION:
        raise RecordingFormatError(f"{source}: damaged header (format version field reads {version}, "
                                   f"not a version any annoview writes)")
    if version > FORMAT_VERSION:
        raise NewerFormatError(f"{source} uses annoview recording format version {version}; this annoview "
                               f"reads format version {FORMAT_VERSION}: upgrade annoview to open it")
    if version < 1:
        raise RecordingFormatError(f"{source}: invalid recording format version {version}")


# ---------------------------------------------------------------------------------------------
# Frames


def frame_header(frame_type: int, payload: bytes | memoryview) -> bytes:
    """The 9 bytes before a payload; separate from encode_frame so a writer can skip a copy."""
    if frame_type not in FRAME_TYPES:
        raise ValueError(f"unknown frame type {frame_type}")
    if len(payload) > MAX_FILE_FRAME_LEN:
        raise ValueError(f"frame payload of {len(payload)} bytes exceeds the {MAX_FILE_FRAME_LEN}-byte limit")
    return _FRAME.pack(frame_type, len(payload), zlib.crc32(payload))


def encode_frame(frame_type: int, payload: bytes | memoryview) -> bytes:
    """One complete frame: type, length, CRC32, payload."""
    return frame_header(frame_type, payload) + bytes(payload)


def parse_frame_header(buf: bytes | bytearray | memoryview, max_len: int) -> tuple[int, int, int]:
    """(type, payload length, crc) of the 9 bytes at the start of buf, validated against max_len."""
    ftype, length, crc = _FRAME.unpack_from(buf)
    if ftype not in FRAME_TYPES:
        raise RecordingFormatError(f"unknown frame type {ftype}")
    if length > max_len:
        raise RecordingFormatError(f"frame payload length {length} exceeds the {max_len}-byte limit")
    return ftype, length, crc


def verify_payload(payload: bytes | bytearray | memoryview, crc: int) -> None:
    """CRC32 check; a mismatch means the bytes changed after they were written."""
    actual = zlib.crc32(payload)
    if actual != crc:
        raise RecordingFormatError(f"frame CRC mismatch (stored {crc:#010x}, computed {actual:#010x})")


def encode_trailer(footer_offset: int) -> bytes:
    return _TRAILER.pack(footer_offset, TRAILER_MAGIC)


def decode_trailer(data: bytes) -> int | None:
    """Footer offset from the last 16 bytes of a file, or None when they are not a trailer."""
    if len(data) != TRAILER_SIZE:
        return None
    offset, magic = _TRAILER.unpack(data)
    return offset if magic == TRAILER_MAGIC else None


class FrameDecoder:
    """Incremental frame parser for byte streams (TCP) that arrive in arbitrary pieces.

    feed() returns every frame completed by the new bytes. A bad frame (unknown type, length over
    max_frame_len, CRC mismatch) poisons the decoder: the stream cannot be resynchronised. Frames
    completed before the bad one in the same call are returned first and the error is raised by
    the next feed() or finish(), so no good frame is lost.
    """

    def __init__(self, max_frame_len: int = DEFAULT_MAX_FRAME_LEN) -> None:
        self.max_frame_len = max_frame_len
        self._buf = bytearray()
        self._pending: tuple[int, int, int] | None = None
        self._error: RecordingFormatError | None = None

    @property
    def buffered(self) -> int:
        """Bytes received that do not yet form a complete frame."""
        return len(self._buf) + (FRAME_HEADER_SIZE if self._pending else 0)

    def feed(self, data: bytes | bytearray | memoryview) -> list[tuple[int, bytes]]:
        if self._error is not None:
            raise self._error
        self._buf += data
        out: list[tuple[int, bytes]] = []
        try:
            while (frame := self._next()) is not None:
                out.append(frame)
        except RecordingFormatError as e:
            self._error = e
            if not out:
                raise
        return out

    def finish(self) -> None:
        """Call at end of stream: raises if a frame was bad or cut off."""
        if self._error is not None:
            raise self._error
        if self.buffered:
            raise RecordingFormatError(f"stream ended inside a frame ({self.buffered} bytes pending)")

    def _next(self) -> tuple[int, bytes] | None:
        buf = self._buf
        if self._pending is None:
            if len(buf) < FRAME_HEADER_SIZE:
                return None
            self._pending = parse_frame_header(buf, self.max_frame_len)
            del buf[:FRAME_HEADER_SIZE]  # O(1): bytearray deletes from the front in place
        ftype, length, crc = self._pending
        if len(buf) < length:
            return None
        payload = bytes(buf[:length])
        del buf[:length]
        self._pending = None
        verify_payload(payload, crc)
        return ftype, payload
