"""Well-formed but hostile recordings: valid CRCs, crafted Arrow buffers, compressed bodies, deep
JSON and odd metadata, each built here from scratch.

Every case is a file of GOOD_ROWS intact rows (in GOOD_CHUNKS chunks) plus one attacked part, so
a reader that validates before it trusts keeps exactly the intact rows. The module uses only the
public building blocks of the format (build_chunk, encode_frame, encode_footer, ...), so the same
cases run against older annoview versions for before/after measurements.
"""
from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from annoview.chunk import Chunk, build_chunk
from annoview.io.avr import IndexEntry, encode_footer
from annoview.io.frames import FRAME_CHUNK, FRAME_FOOTER, encode_frame, encode_trailer
from annoview.types.kinds import Kind

GOOD_CHUNKS = 4
ROWS_PER_CHUNK = 3
GOOD_ROWS = GOOD_CHUNKS * ROWS_PER_CHUNK + 1  # + the static context row
SENTINEL_POINTS = 4951                         # a point count whose offset bytes are unique


def context_cell() -> list[dict]:
    info = {"id": 1, "label": "person", "color": 0xFF0000FF}
    return [{"class_id": 1, "class_description": {
        "info": info, "keypoint_annotations": [{"id": 0, "label": "nose", "color": None}],
        "keypoint_connections": [{"keypoint0": 0, "keypoint1": 0}]}}]


def points_chunk(path: str, t0: int, points: int = 3, rows: int = ROWS_PER_CHUNK) -> Chunk:
    cells = [np.full((points, 2), 10.0 + i, np.float32) for i in range(rows)]
    return build_chunk(path, False, np.full(rows, 7, np.uint64), np.arange(t0, t0 + rows, dtype=np.uint64),
                       {"frame": ("sequence", np.arange(t0, t0 + rows))},
                       {"Points2D:positions": (Kind.VEC2, cells),
                        "Points2D:class_ids": (Kind.ID, [np.ones(points, np.uint16)] * rows),
                        "Points2D:labels": (Kind.STR, [["abc"] * points] * rows)})


def context_chunk(path: str = "/world") -> Chunk:
    return build_chunk(path, True, np.array([7], np.uint64), np.array([0], np.uint64), {},
                       {"AnnotationContext:context": (Kind.CONTEXT, [context_cell()])})


def good_chunks() -> list[Chunk]:
    return [context_chunk()] + [points_chunk(f"/world/p{i}", 100 * i) for i in range(GOOD_CHUNKS)]


def _entry(offset: int, length: int, chunk: Chunk) -> IndexEntry:
    tls = {n: (k, int(chunk.times(n).min()), int(chunk.times(n).max())) for n, k in chunk.timelines.items()} \
        if chunk.num_rows else {}
    return IndexEntry(offset, length, chunk.entity_path, chunk.is_static, chunk.num_rows,
                      tuple(chunk.archetypes), tls)


def header_bytes(json_body: bytes, version: int = 1) -> bytes:
    return struct.pack("<8sII", b"ANNOVIEW", version, len(json_body)) + json_body


DEFAULT_HEADER = json.dumps({"application_id": "hostile", "recording_id": "rec", "created_ns": 1}).encode()


def write_avr(path: Path, parts: list[tuple[bytes, Chunk]], *, header: bytes | None = None, footer: bool = True,
              footer_payload: bytes | None = None, drop_entries: int = 0) -> Path:
    """A file of the given chunk payloads (each with the chunk its index entry describes)."""
    out = bytearray(header_bytes(header or DEFAULT_HEADER))
    entries = []
    for payload, chunk in parts:
        frame = encode_frame(FRAME_CHUNK, payload)
        entries.append(_entry(len(out), len(frame), chunk))
        out += frame
    if footer:
        footer_offset = len(out)
        kept = entries[:len(entries) - drop_entries] if drop_entries else entries
        out += encode_frame(FRAME_FOOTER, footer_payload if footer_payload is not None else encode_footer(kept))
        out += encode_trailer(footer_offset)
    path.write_bytes(bytes(out))
    return path


def ipc(batch: pa.RecordBatch, compression: str | None = None) -> bytes:
    sink = pa.BufferOutputStream()
    opts = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_stream(sink, batch.schema, options=opts) as w:
        w.write_batch(batch)
    return sink.getvalue().to_pybytes()


def patch_once(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace the only occurrence of `old` (the crafted part is found by a unique byte pattern)."""
    assert data.count(old) == 1, f"pattern occurs {data.count(old)} times"
    return data.replace(old, new)


def with_attacked(attacked: tuple[bytes, Chunk], **kw: object) -> Callable[[Path], Path]:
    """A builder: the good chunks with `attacked` in the middle."""
    def build(path: Path) -> Path:
        good = [(c.to_ipc(), c) for c in good_chunks()]
        return write_avr(path, good[:2] + [attacked] + good[2:], **kw)
    return build


def _sentinel_chunk() -> Chunk:
    return points_chunk("/world/attacked", 999, points=SENTINEL_POINTS, rows=1)


def _i32(v: int) -> bytes:
    return struct.pack("<i", v)


# --- chunk payloads with valid CRC and inconsistent Arrow buffers -----------------------------

def chunk_bad_list_offset() -> tuple[bytes, Chunk]:
    c = _sentinel_chunk()
    return _patch_offsets(c, 50_000_000), c


def _patch_offsets(c: Chunk, new_end: int) -> bytes:
    data = c.to_ipc()
    # positions/class_ids/labels offsets are [0, SENTINEL_POINTS]; patch all of them
    old = _i32(0) + _i32(SENTINEL_POINTS)
    assert data.count(old) >= 1
    return data.replace(old, _i32(0) + _i32(new_end))


def chunk_negative_offset() -> tuple[bytes, Chunk]:
    c = _sentinel_chunk()
    return _patch_offsets(c, -5), c


def chunk_string_offsets() -> tuple[bytes, Chunk]:
    """Label string offsets that run backwards and past the data (utf8 column)."""
    c = build_chunk("/world/attacked", False, np.array([7], np.uint64), np.array([5], np.uint64),
                    {"frame": ("sequence", np.array([5]))},
                    {"Points2D:positions": (Kind.VEC2, [np.zeros((2, 2), np.float32)]),
                     "Points2D:labels": (Kind.STR, [["Q" * 3001, "R" * 2999]])})
    data = c.to_ipc()
    return patch_once(data, _i32(0) + _i32(3001) + _i32(6000), _i32(0) + _i32(900_000) + _i32(-3)), c


def chunk_invalid_utf8() -> tuple[bytes, Chunk]:
    c = build_chunk("/world/attacked", False, np.array([7], np.uint64), np.array([5], np.uint64),
                    {"frame": ("sequence", np.array([5]))},
                    {"Points2D:positions": (Kind.VEC2, [np.zeros((1, 2), np.float32)]),
                     "Points2D:labels": (Kind.STR, [["ZZZZ-label-ZZZZ"]])})
    return patch_once(c.to_ipc(), b"ZZZZ-label-ZZZZ", b"\xff\xfe\xc0\xc1-label-ZZZZ"), c


def _patch_field_node(nth: int, length: int) -> tuple[bytes, Chunk]:
    """The nth field node (row_id is 0, the timeline 1) of a one-row chunk claims `length` rows."""
    c = points_chunk("/world/attacked", 999, rows=1)
    data = c.to_ipc()
    node = struct.pack("<qq", 1, 0)
    i = -1
    for _ in range(nth + 1):
        i = data.index(node, i + 1)
    return data[:i] + struct.pack("<qq", length, 0) + data[i + 16:], c


def chunk_row_id_short() -> tuple[bytes, Chunk]:
    """A row id column whose field node says 50 rows: the data buffer holds one."""
    return _patch_field_node(0, 50)


def chunk_timeline_huge() -> tuple[bytes, Chunk]:
    """A timeline column whose field node claims 2**40 rows."""
    return _patch_field_node(1, 1 << 40)


# --- compressed bodies ------------------------------------------------------------------------

def chunk_compressed(points: int) -> tuple[bytes, Chunk]:
    """A zstd-compressed body: a few KB that decompress to points * 8 bytes."""
    c = build_chunk("/world/attacked", False, np.array([7], np.uint64), np.array([999], np.uint64),
                    {"frame": ("sequence", np.array([999]))},
                    {"Points2D:positions": (Kind.VEC2, [np.zeros((points, 2), np.float32)])})
    return ipc(c.batch, "zstd"), c


# --- values and metadata annoview did not write -----------------------------------------------

def _replace_field(chunk: Chunk, name: str, field: pa.Field, array: pa.Array) -> Chunk:
    i = chunk.batch.schema.get_field_index(name)
    batch = chunk.batch.set_column(i, field, array)
    return Chunk(chunk.entity_path, chunk.is_static, batch)


def chunk_timeline_kind(kind: bytes) -> tuple[bytes, Chunk]:
    c = points_chunk("/world/attacked", 999, rows=1)
    field = pa.field("frame", pa.int64(), metadata={b"annoview:index": kind})
    return _replace_field(c, "frame", field, c.batch.column("frame")).to_ipc(), c


def chunk_positions_null() -> tuple[bytes, Chunk]:
    c = points_chunk("/world/attacked", 999, rows=1)
    arr = pa.ListArray.from_arrays(pa.array([0, 3], pa.int32()), pa.nulls(3))
    f = c.batch.schema.field("Points2D:positions")
    return _replace_field(c, "Points2D:positions", pa.field(f.name, arr.type, metadata=f.metadata), arr).to_ipc(), c


def chunk_positions_dictionary() -> tuple[bytes, Chunk]:
    c = points_chunk("/world/attacked", 999, rows=1)
    dict_arr = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int32()), pa.array([1.0, 2.0], pa.float32()))
    arr = pa.ListArray.from_arrays(pa.array([0, 3], pa.int32()), dict_arr)
    f = c.batch.schema.field("Points2D:positions")
    return _replace_field(c, "Points2D:positions", pa.field(f.name, arr.type, metadata=f.metadata), arr).to_ipc(), c


def dictionary_chunk() -> Chunk:
    """A valid chunk with a dictionary-encoded generic column (as another producer may write)."""
    arr = pa.DictionaryArray.from_arrays(pa.array([3, 1, 4, 1, 2], pa.int32()), pa.array(list("abcde")))
    return build_chunk("/world/attacked", True, np.array([7], np.uint64), np.array([5], np.uint64), {},
                       {"Odd:dict": (Kind.ARROW, [arr])})


def chunk_dictionary_index() -> tuple[bytes, Chunk]:
    """A dictionary-encoded generic column whose index points past its dictionary."""
    c = dictionary_chunk()
    pattern = b"".join(_i32(v) for v in (3, 1, 4, 1, 2))
    return patch_once(c.to_ipc(), pattern, b"".join(_i32(v) for v in (3, 1, 40_000, 1, 2))), c


def chunk_context_nulls() -> tuple[bytes, Chunk]:
    """An AnnotationContext whose class id, description and info are null."""
    cell = [{"class_id": None, "class_description": None},
            {"class_id": 2, "class_description": {"info": None, "keypoint_annotations": [None],
                                                  "keypoint_connections": [None, {"keypoint0": None, "keypoint1": 1}]}},
            {"class_id": 3, "class_description": {"info": {"id": None, "label": None, "color": None},
                                                  "keypoint_annotations": None, "keypoint_connections": None}}]
    c = build_chunk("/world", True, np.array([8], np.uint64), np.array([1], np.uint64), {},
                    {"AnnotationContext:context": (Kind.CONTEXT, [cell])})
    return c.to_ipc(), c


def chunk_entity_path(path_bytes: bytes) -> tuple[bytes, Chunk]:
    c = points_chunk("/world/attacked", 999, rows=1)
    md = dict(c.batch.schema.metadata)
    md[b"annoview:entity_path"] = path_bytes
    batch = c.batch.replace_schema_metadata(md)
    return ipc(batch), c


def chunk_deep_entity(levels: int) -> tuple[bytes, Chunk]:
    c = points_chunk("/" + "/".join(f"d{i}" for i in range(levels)), 999, rows=1)
    return c.to_ipc(), c


# --- footers with valid CRC and bad Arrow content ---------------------------------------------

def footer_patched(patch: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    """The good file with its footer payload rewritten by `patch` (CRC recomputed)."""
    def build(path: Path) -> Path:
        good = [(c.to_ipc(), c) for c in good_chunks()]
        write_avr(path, good)
        raw = path.read_bytes()
        footer_offset = struct.unpack("<Q", raw[-16:-8])[0]
        payload = raw[footer_offset + 9:-16]
        return write_avr(path, good, footer_payload=patch(payload))
    return build


def _footer_string_offsets(p: bytes) -> bytes:
    # entity path offsets: "/world", "/world/p0", ... ; offsets [0, 6, 15, ...]
    return patch_once(p, _i32(0) + _i32(6) + _i32(15), _i32(0) + _i32(60_000_000) + _i32(-4))


def _footer_utf8(p: bytes) -> bytes:
    return p.replace(b"/world/p1", b"/world/\xff\xfe")


def _footer_list_offsets(p: bytes) -> bytes:
    # timelines list offsets [0, 0, 1, 2, 3, 4] (the static chunk has none)
    return patch_once(p, _i32(0) + _i32(0) + _i32(1) + _i32(2) + _i32(3) + _i32(4),
                      _i32(0) + _i32(0) + _i32(-7) + _i32(1 << 30) + _i32(3) + _i32(4))


def _footer_compressed(_p: bytes) -> bytes:
    n = 40_000
    table = pa.table({"offset": pa.array([0] * n, pa.uint64())})
    return ipc(table.to_batches()[0], "zstd")


def _footer_wrong_types(_p: bytes) -> bytes:
    return ipc(pa.RecordBatch.from_pydict({"offset": ["a"], "length": [1.5]}))


def _footer_rows(p: bytes) -> bytes:
    """The footer's first column claims 2**40 rows."""
    i = p.index(struct.pack("<qq", 5, 0))
    return p[:i] + struct.pack("<qq", 1 << 40, 0) + p[i + 16:]


# --- headers ----------------------------------------------------------------------------------

def deep_json_header(depth: int) -> bytes:
    return b'{"application_id": "a", "recording_id": "r", "created_ns": 1, "x": ' + b"[" * depth + b"]" * depth + b"}"


SURROGATE_HEADER = b'{"application_id": "app\\ud800", "recording_id": "r\\udfff", "created_ns": 1}'
CONTROL_HEADER = json.dumps({"application_id": "app\x1b[2J\x1b]0;pwned\x07\r", "recording_id": "r\x1b[31m",
                             "created_ns": 1}).encode()


# --- whole-file cases -------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    attack: str                       # the row of the closing table it counts under
    build: Callable[[Path], Path]
    intact_rows: int = GOOD_ROWS      # rows a validating reader must keep
    expect_error: bool = False        # the whole file is invalid (header): one clear error line


def _good(path: Path) -> Path:
    return write_avr(path, [(c.to_ipc(), c) for c in good_chunks()])


def _damaged_frame(path: Path) -> Path:
    """A CRC mismatch in the context chunk (the one `info` loads) of a file with a footer."""
    _good(path)
    raw = bytearray(path.read_bytes())
    i = raw.index(b"AnnotationContext")
    raw[i] ^= 0x20
    path.write_bytes(bytes(raw))
    return path


def _forged_footer(path: Path) -> Path:
    return write_avr(path, [(c.to_ipc(), c) for c in good_chunks()], drop_entries=2)


def cases(big: bool = False) -> list[Case]:
    """big: a compressed chunk of 400 MB (for measurements) instead of 16 MB (for tests)."""
    ctx_rows = 1
    return [
        Case("good", "control", _good),
        Case("footer_string_offsets", "1 footer Arrow", footer_patched(_footer_string_offsets)),
        Case("footer_invalid_utf8", "1 footer Arrow", footer_patched(_footer_utf8)),
        Case("footer_list_offsets", "1 footer Arrow", footer_patched(_footer_list_offsets)),
        Case("footer_row_count", "1 footer Arrow", footer_patched(_footer_rows)),
        Case("footer_wrong_types", "1 footer Arrow", footer_patched(_footer_wrong_types)),
        Case("chunk_list_offsets", "2 chunk Arrow", with_attacked(chunk_bad_list_offset())),
        Case("chunk_negative_offset", "2 chunk Arrow", with_attacked(chunk_negative_offset())),
        Case("chunk_string_offsets", "2 chunk Arrow", with_attacked(chunk_string_offsets())),
        Case("chunk_invalid_utf8", "2 chunk Arrow", with_attacked(chunk_invalid_utf8())),
        Case("chunk_timeline_length", "2 chunk Arrow", with_attacked(chunk_timeline_huge())),
        Case("chunk_row_id_length", "2 chunk Arrow", with_attacked(chunk_row_id_short())),
        Case("chunk_dictionary_index", "2 chunk Arrow", with_attacked(chunk_dictionary_index())),
        Case("header_deep_json", "3 deep JSON", lambda p: write_avr(p, [(c.to_ipc(), c) for c in good_chunks()],
                                                                   header=deep_json_header(30_000)),
             expect_error=True),
        Case("chunk_compressed", "4 compressed", with_attacked(chunk_compressed(50_000_000 if big else 2_000_000))),
        Case("footer_compressed", "4 compressed", footer_patched(_footer_compressed)),
        Case("timeline_kind_not_utf8", "5 odd values", with_attacked(chunk_timeline_kind(b"\xff\xfe"))),
        Case("timeline_kind_unknown", "5 odd values", with_attacked(chunk_timeline_kind(b"lunar"))),
        Case("context_nulls", "5 odd values", with_attacked(chunk_context_nulls()), GOOD_ROWS + ctx_rows),
        Case("positions_list_null", "5 odd values", with_attacked(chunk_positions_null())),
        Case("positions_dictionary", "5 odd values", with_attacked(chunk_positions_dictionary())),
        Case("header_surrogate", "5 odd values", lambda p: write_avr(p, [(c.to_ipc(), c) for c in good_chunks()],
                                                                    header=SURROGATE_HEADER)),
        Case("entity_path_not_utf8", "5 odd values", with_attacked(chunk_entity_path(b"/world/\xff"))),
        Case("entity_path_not_canonical", "5 odd values", with_attacked(chunk_entity_path(b"world//x/"))),
        Case("entity_path_1000_levels", "5 odd values", with_attacked(chunk_deep_entity(1000)), GOOD_ROWS + 1),
        Case("damaged_context_frame", "6 info recovery", _damaged_frame, GOOD_ROWS - ctx_rows),
        Case("forged_footer_partial", "6 info recovery", _forged_footer),
        Case("header_control_chars", "8 terminal", lambda p: write_avr(p, [(c.to_ipc(), c) for c in good_chunks()],
                                                                       header=CONTROL_HEADER)),
    ]
