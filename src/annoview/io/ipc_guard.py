"""Check an Arrow IPC stream's framing and message metadata before Arrow reads it.

Why: Arrow's IPC reader trusts what the metadata says. A compressed body is decompressed to the
size it declares (a 54 KB file became 1.7 GB), and a dictionary batch or an unexpected message
type takes code paths annoview never exercises. CRCs do not help: a hostile writer computes them.
So before `pyarrow.ipc` sees a payload, this module walks the stream's messages itself (a small,
bounds-checked flatbuffer reader, no allocation beyond the payload) and refuses:

- compressed record and dictionary batches (annoview writes uncompressed IPC: see
  Chunk.to_ipc, encode_footer);
- any message sequence other than one schema, the dictionaries of dictionary-encoded columns
  (no deltas), then the record batch(es);
- buffers that reach outside their message body, and field nodes with negative or impossible
  lengths or null counts.

What is left for Arrow is an uncompressed stream whose buffers all lie inside the payload, which
`RecordBatch.validate(full=True)` then checks value by value (offsets, UTF-8, child lengths):
see read_single_batch.
"""
from __future__ import annotations

import struct

import numpy as np
import pyarrow as pa

from ..errors import RecordingFormatError

_SCHEMA, _DICTIONARY_BATCH, _RECORD_BATCH = 1, 2, 3
_HEADER_NAMES = {0: "an empty", 1: "a schema", 2: "a dictionary batch", 3: "a record batch", 4: "a tensor",
                 5: "a sparse tensor"}
_CONTINUATION = 0xFFFFFFFF


_U8, _U16, _U32, _I32, _I64 = (struct.Struct(f) for f in ("<B", "<H", "<I", "<i", "<q"))


class _Flat:
    """Bounds-checked reads of a flatbuffer: every out-of-range read is a RecordingFormatError."""

    def __init__(self, buf: memoryview, what: str) -> None:
        self.buf, self.what = buf, what

    def _unpack(self, fmt: struct.Struct, pos: int) -> int:
        if pos < 0 or pos + fmt.size > len(self.buf):
            raise RecordingFormatError(f"{self.what}: Arrow message metadata points outside itself")
        return fmt.unpack_from(self.buf, pos)[0]

    def root(self) -> int:
        return self._unpack(_U32, 0)

    def field(self, table: int, index: int) -> int | None:
        """Position of field `index` of the table at `table`, or None when it is absent."""
        vtable = table - self._unpack(_I32, table)
        vt_size = self._unpack(_U16, vtable)
        slot = 4 + 2 * index
        if slot + 2 > vt_size:
            return None
        off = self._unpack(_U16, vtable + slot)
        return table + off if off else None

    def scalar(self, table: int, index: int, fmt: struct.Struct, default: int = 0) -> int:
        pos = self.field(table, index)
        return default if pos is None else self._unpack(fmt, pos)

    def target(self, table: int, index: int) -> int | None:
        """Where an offset field (table, vector, union value) points, or None when absent."""
        pos = self.field(table, index)
        return None if pos is None else pos + self._unpack(_U32, pos)

    def pairs(self, table: int, index: int) -> np.ndarray:
        """A vector of structs of two int64 (FieldNode, Buffer) as an (n, 2) array."""
        vec = self.target(table, index)
        if vec is None:
            return np.zeros((0, 2), np.int64)
        n = self._unpack(_U32, vec)
        if n * 16 > len(self.buf) - vec - 4:
            raise RecordingFormatError(f"{self.what}: Arrow message metadata vector runs past its end")
        return np.frombuffer(self.buf, "<i8", count=2 * n, offset=vec + 4).reshape(n, 2)


def check_stream(data: bytes | memoryview, what: str, max_batches: int = 1) -> bytes:
    """Walk an IPC stream's messages; raise RecordingFormatError for anything annoview did not
    write. Returns the schema message's metadata bytes (a cache key for schema checks)."""
    buf = memoryview(data)
    pos, batches, schema = 0, 0, b""
    schema_seen = False
    while True:
        if pos + 4 > len(buf):
            if pos == len(buf):
                return schema  # a stream without its end-of-stream marker: Arrow accepts it
            raise RecordingFormatError(f"{what}: Arrow IPC stream ends inside a message header")
        length = struct.unpack_from("<I", buf, pos)[0]
        pos += 4
        if length == _CONTINUATION:
            if pos + 4 > len(buf):
                raise RecordingFormatError(f"{what}: Arrow IPC stream ends inside a message header")
            length = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        if length == 0:
            return schema  # end-of-stream marker
        if length > len(buf) - pos:
            raise RecordingFormatError(f"{what}: Arrow message metadata of {length} bytes runs past the payload")
        flat = _Flat(buf[pos:pos + length], what)
        pos += length
        message = flat.root()
        header_type = flat.scalar(message, 1, _U8)
        body_length = flat.scalar(message, 3, _I64)
        if body_length < 0 or body_length > len(buf) - pos:
            raise RecordingFormatError(f"{what}: Arrow message body of {body_length} bytes runs past the payload")
        if header_type == _SCHEMA and not schema_seen and body_length == 0:
            schema_seen = True
            schema = bytes(flat.buf)
        elif header_type == _DICTIONARY_BATCH and schema_seen and not batches:
            # the dictionaries of dictionary-encoded (generic) columns, before the record batch
            dictionary = flat.target(message, 2)
            data = None if dictionary is None else flat.target(dictionary, 1)
            if data is None:
                raise RecordingFormatError(f"{what}: dictionary batch message without its data")
            if flat.scalar(dictionary, 2, _U8):
                raise RecordingFormatError(f"{what}: delta dictionary batch (annoview writes none)")
            _check_record_batch(flat, data, body_length, what)
        elif header_type == _RECORD_BATCH and schema_seen:
            batches += 1
            if batches > max_batches:
                raise RecordingFormatError(f"{what}: more than {max_batches} record batch(es)")
            header = flat.target(message, 2)
            if header is None:
                raise RecordingFormatError(f"{what}: record batch message without its header")
            _check_record_batch(flat, header, body_length, what)
        else:
            kind = _HEADER_NAMES.get(header_type, f"an unknown (type {header_type})")
            raise RecordingFormatError(f"{what}: unexpected Arrow message: {kind} message")
        pos += body_length


def _check_record_batch(flat: _Flat, batch: int, body_length: int, what: str) -> None:
    if flat.field(batch, 3) is not None:
        raise RecordingFormatError(f"{what}: compressed Arrow record batch (annoview writes uncompressed "
                                   "chunks; a compressed body could expand without bound)")
    rows = flat.scalar(batch, 0, _I64)
    cap = 8 * body_length + 64  # a bitmap holds 8 values a byte: no column can be longer
    if not 0 <= rows <= cap:
        raise RecordingFormatError(f"{what}: record batch claims {rows} rows in a {body_length}-byte body")
    buffers = flat.pairs(batch, 2)
    offset, length = buffers[:, 0], buffers[:, 1]
    bad = (offset < 0) | (length < 0) | (length > body_length - offset)
    if bad.any():
        i = int(np.argmax(bad))
        raise RecordingFormatError(f"{what}: Arrow buffer at {offset[i]} (+{length[i]} bytes) lies outside "
                                   f"its {body_length}-byte message body")
    nodes = flat.pairs(batch, 1)
    length, nulls = nodes[:, 0], nodes[:, 1]
    bad = (length < 0) | (length > cap) | (nulls < 0) | (nulls > length)
    if bad.any():
        i = int(np.argmax(bad))
        raise RecordingFormatError(f"{what}: Arrow field node claims {length[i]} values ({nulls[i]} null) "
                                   f"in a {body_length}-byte body")


def read_single_batch(data: bytes | memoryview, what: str,
                      allow_empty: bool = False) -> tuple[pa.RecordBatch | None, bytes]:
    """(the one record batch of an IPC stream, checked (check_stream) and fully validated; the
    schema message bytes, a cache key for schema checks).

    The batch is None only for a stream with no batch when allow_empty is set. Every failure,
    including Arrow's own, is a RecordingFormatError naming `what`.
    """
    schema_key = check_stream(data, what)
    try:
        reader = pa.ipc.open_stream(pa.py_buffer(data))
        batches = list(reader)
    except (pa.ArrowException, OSError, ValueError) as e:
        raise RecordingFormatError(f"{what}: not an Arrow IPC stream: {e}") from None
    if not batches and allow_empty:
        return None, schema_key
    if len(batches) != 1:
        raise RecordingFormatError(f"{what}: holds {len(batches)} record batches, expected 1")
    batch = batches[0]
    try:
        batch.validate(full=True)
    except (pa.ArrowException, ValueError) as e:
        raise RecordingFormatError(f"{what}: invalid Arrow data: {e}") from None
    return batch, schema_key
