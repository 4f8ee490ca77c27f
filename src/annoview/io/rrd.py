"""Rerun `.rrd` import and export through rerun-sdk's chunk API (the optional `rerun` extra).

Why a mapping and not a parser: annoview's chunks copy Rerun's layout (row id, one column per
timeline, one list column per `Archetype:field` component), so reading a Rerun chunk is mostly
renaming columns and relabelling Arrow types. rerun-sdk (pinned, see pyproject) does the actual
file decoding; annoview never parses the .rrd byte format itself.

What the mapping does, and why:
- Row ids: Rerun's 16-byte TUIDs are kept as our `row_id`, so the store's last-row-wins for
  static data and its tie-breaking for equal times behave exactly as in Rerun. Rerun chunks do
  not arrive in log order; rows inside a chunk are sorted by row id here, the store orders
  across chunks by row id itself.
- Timelines: `int64` -> "sequence", `timestamp[*]` -> "timestamp", `duration[*]` -> "duration",
  all stored as int64 nanoseconds (zero-copy views for the `ns` unit Rerun writes).
- Components are recognized by their field metadata (`rerun:archetype`, `rerun:component`,
  `rerun:component_type`), never by the column name alone: a column is mapped onto annoview's
  `Archetype:field` only when its archetype and field are ones annoview renders and its Rerun
  component type is the expected one. Arrow types are relabelled to annoview's exact types
  (Rerun marks inner fields non-nullable; the memory layout is the same, so this is a view).
- `AnnotationContext:context` is `list<list<struct>>` in Rerun (one context instance per row,
  itself a list of classes); annoview stores the row's classes directly (`list<struct>`).
- Everything else (the `/__properties` entity, `AnyValues`, archetypes annoview does not draw)
  is kept under its original column name with its original type and metadata, so `annoview
  info` lists it and an export writes it back unchanged; the renderer skips it with a note.
  A name without ':' (AnyValues) gets an `AnyValues:` prefix, and a name that collides with a
  column annoview would render gets a `rerun.` prefix; the original name is kept in the field
  metadata (`annoview:rerun_name`) and restored on export.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..chunk import _META_ARCH, _META_INDEX, _META_PATH, _META_STATIC, META_RERUN_NAME, ROW_ID, Chunk
from ..errors import AnnoviewWarning, RecordingFormatError, RecordingRecoveryWarning
from ..types.kinds import VALUE_TYPES, Kind, component_type
from . import rrd_worker
from .atomic import publish, temp_beside
from .chunk_check import archetype_fields, loose
from .rrd_pool import WorkerRead

__all__ = [
    "read_rrd", "write_rrd", "rrd_recording_info", "rrd_chunk_count", "rerun_batch_to_chunks", "chunk_to_rerun_batch",
    "READ_EXTRA_MESSAGE", "WRITE_EXTRA_MESSAGE",
]

READ_EXTRA_MESSAGE = "reading .rrd files needs the optional extra: pip install 'annoview[rerun]'"
WRITE_EXTRA_MESSAGE = "writing .rrd files needs the optional extra: pip install 'annoview[rerun]'"

# Rerun's column metadata keys and values (rerun-sdk 0.41, sorbet 0.1.4).
_RR_KIND, _RR_ARCH, _RR_COMP, _RR_CTYPE = b"rerun:kind", b"rerun:archetype", b"rerun:component", b"rerun:component_type"
_RR_INDEX_NAME, _RR_ENTITY, _RR_ID = b"rerun:index_name", b"rerun:entity_path", b"rerun:id"
_RR_ROW_ID = "rerun.controls.RowId"
_ARCH_PREFIX = "rerun.archetypes."
_META_KIND = b"annoview:kind"
_META_RERUN_NAME = META_RERUN_NAME  # original Rerun name of a renamed column

# The archetypes annoview renders: archetype name -> field -> storage kind.
ARCHETYPE_FIELDS: dict[str, dict[str, Kind]] = {  # generic (Kind.ARROW) fields are kept as Rerun wrote them
    arch: {f: k for f, k in fields.items() if k is not Kind.ARROW} for arch, fields in archetype_fields().items()
}


# ---------------------------------------------------------------------------------------------
# rerun-sdk import (optional)


def _rerun_chunk_api(message: str) -> Any:
    """The `rerun.chunk` module, or a one-line RecordingFormatError naming the extra to install."""
    try:
        import rerun.chunk as rr_chunk
    except ModuleNotFoundError:
        raise RecordingFormatError(message) from None
    except ImportError as e:  # installed but not loadable (e.g. the worker's memory limit)
        raise RecordingFormatError(f"rerun-sdk could not be loaded: {_one_line(e)}") from None
    return rr_chunk


# ---------------------------------------------------------------------------------------------
# Arrow types


_loose = loose


def _retype(arr: pa.Array, target: pa.DataType, what: str) -> pa.Array:
    """`arr` as `target`: a zero-copy view when only nullability/field names differ, else a cast."""
    if arr.type == target:
        return arr
    if _loose(arr.type) == _loose(target):
        return arr.view(target)
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
        raise RecordingFormatError(f"{what}: type {arr.type} cannot be read as {target}: {e}") from None


def _not_null(t: pa.DataType, name: str = "item") -> pa.Field:
    return pa.field(name, t, nullable=False)


_RR_FSL2 = pa.list_(_not_null(pa.float32()), 2)
_RR_FSL3 = pa.list_(_not_null(pa.float32()), 3)
_RR_INFO = pa.struct([_not_null(pa.uint16(), "id"), ("label", pa.utf8()), ("color", pa.uint32())])
_RR_PAIR = pa.struct([_not_null(pa.uint16(), "keypoint0"), _not_null(pa.uint16(), "keypoint1")])
_RR_CLASS_ELEM = pa.struct([
    _not_null(pa.uint16(), "class_id"),
    _not_null(pa.struct([
        _not_null(_RR_INFO, "info"),
        _not_null(pa.list_(_not_null(_RR_INFO)), "keypoint_annotations"),
        _not_null(pa.list_(_not_null(_RR_PAIR)), "keypoint_connections"),
    ]), "class_description"),
])
# Rerun's per-instance Arrow type of each storage kind (as rerun-sdk 0.41 writes them).
RERUN_INSTANCE_TYPES: dict[Kind, pa.DataType] = {
    Kind.VEC2: _RR_FSL2,
    Kind.VEC3: _RR_FSL3,
    Kind.F32: pa.float32(),
    Kind.ID: pa.uint16(),
    Kind.U8: pa.uint8(),
    Kind.COLOR: pa.uint32(),
    Kind.BOOL: pa.bool_(),
    Kind.STR: pa.utf8(),
    Kind.STRIPS2: pa.list_(_not_null(_RR_FSL2)),
    Kind.STRIPS3: pa.list_(_not_null(_RR_FSL3)),
    Kind.BLOB: pa.list_(_not_null(pa.uint8())),
    Kind.IMAGE_FORMAT: pa.struct([_not_null(pa.uint32(), "width"), _not_null(pa.uint32(), "height"),
                                  ("pixel_format", pa.uint8()), ("color_model", pa.uint8()),
                                  ("channel_datatype", pa.uint8())]),
    Kind.CONTEXT: pa.list_(_not_null(_RR_CLASS_ELEM)),
}


# ---------------------------------------------------------------------------------------------
# Rerun record batch -> annoview chunks


def _text(md: dict[bytes, bytes], key: bytes) -> str | None:
    value = md.get(key)
    return None if value is None else value.decode("utf-8", "replace")


def _known_component(name: str, md: dict[bytes, bytes]) -> tuple[str, str, Kind] | None:
    """(archetype, field, kind) when the column's Rerun metadata names a component annoview renders."""
    ctype, comp = _text(md, _RR_CTYPE), _text(md, _RR_COMP) or name
    if ctype is None or ":" not in comp:
        return None
    arch, field = comp.rsplit(":", 1)
    rr_arch = _text(md, _RR_ARCH)
    if rr_arch is not None:
        arch = rr_arch[len(_ARCH_PREFIX):] if rr_arch.startswith(_ARCH_PREFIX) else rr_arch
    kind = ARCHETYPE_FIELDS.get(arch, {}).get(field)
    if kind is None or ctype != component_type(arch, field):
        return None
    return arch, field, kind


def _component_field(arch: str, field: str, kind: Kind) -> pa.Field:
    """The field annoview's SDK writes for this component (see chunk.build_chunk)."""
    name = f"{arch}:{field}"
    return pa.field(name, pa.list_(VALUE_TYPES[kind]), metadata={
        _RR_ARCH: f"{_ARCH_PREFIX}{arch}".encode(), _RR_COMP: name.encode(),
        _RR_CTYPE: component_type(arch, field).encode(), _META_KIND: kind.value.encode(),
    })


def _flatten_instances(arr: pa.Array, value_type: pa.DataType, what: str) -> pa.Array:
    """Rerun's `list<list<T>>` (one instance per row, an instance being a list) -> `list<T>` with
    the row's elements; zero-copy apart from the new offsets."""
    if not pa.types.is_list(arr.type) or not pa.types.is_list(arr.type.value_type):
        raise RecordingFormatError(f"{what}: expected list<list<struct>>, got {arr.type}")
    inner = arr.values
    offsets = inner.offsets.to_numpy()[arr.offsets.to_numpy()]
    values = _retype(inner.values, value_type, what)
    mask = arr.is_null() if arr.null_count else None
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, type=pa.list_(value_type), mask=mask)


def _wrap_rows(arr: pa.Array) -> pa.Array:
    """A plain (non-list) column -> one single-element list per row, as Rerun reads it."""
    offsets = pa.array(np.arange(len(arr) + 1, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, arr)


def _timeline_kind(t: pa.DataType) -> str | None:
    if pa.types.is_integer(t):
        return "sequence"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_duration(t):
        return "duration"
    return None


def _timeline_ns(arr: pa.Array, kind: str) -> pa.Array:
    """Times as int64 (nanoseconds for timestamps and durations); zero-copy for int64 and `ns`."""
    t = arr.type
    if kind == "timestamp" and t.unit != "ns":
        arr = arr.cast(pa.timestamp("ns", t.tz))
    elif kind == "duration" and t.unit != "ns":
        arr = arr.cast(pa.duration("ns"))
    elif kind == "sequence" and t != pa.int64():
        arr = arr.cast(pa.int64())
    return arr if arr.type == pa.int64() else arr.view(pa.int64())


_RESERVED = frozenset(f"{a}:{k}" for a, ks in ARCHETYPE_FIELDS.items() for k in ks)
_ROW, _TIMELINE, _KNOWN, _KEPT, _SKIP = "row_id", "timeline", "known", "kept", "skip"


@lru_cache(maxsize=4096)
def _column_plan(name: str, arrow_type: pa.DataType, md_items: tuple[tuple[bytes, bytes], ...]) -> tuple[Any, ...]:
    """What to do with one Rerun column, decided once per distinct (name, type, metadata):
    (role, output field, kind). Files repeat the same few schemas over thousands of chunks, so
    the per-chunk work is only Arrow views."""
    md = dict(md_items)
    role = _text(md, _RR_KIND)
    if (role == "control" or (role is None and name == _RR_ROW_ID)) and arrow_type == pa.binary(16):
        return _ROW, None, None
    if role == "control":
        return _SKIP, None, None  # other control columns (none in 0.41): nothing annoview can show
    if role == "index" or (role is None and _timeline_kind(arrow_type) is not None and ":" not in name):
        return _TIMELINE, *_timeline_field(name, arrow_type, md)
    known = _known_component(name, md)
    if known is not None:
        arch, field, kind = known
        return _KNOWN, _component_field(arch, field, kind), kind
    # Kept as is: original type and metadata, under a name annoview reads as a component.
    out = name if ":" in name else f"AnyValues:{name}"
    if out in _RESERVED:
        out = f"rerun.{out}"
    if out != name:
        md[_META_RERUN_NAME] = name.encode()
    is_list = pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)
    return _KEPT, pa.field(out, arrow_type if is_list else pa.list_(arrow_type), metadata=md), None


def _timeline_field(name: str, arrow_type: pa.DataType, md: dict[bytes, bytes]) -> tuple[pa.Field, str]:
    kind = _timeline_kind(arrow_type)
    if kind is None:
        raise RecordingFormatError(f"timeline {name!r} has type {arrow_type}, expected int64, timestamp or duration")
    name = _text(md, _RR_INDEX_NAME) or name
    out_md = {_META_INDEX: kind.encode()}
    if ":" in name or name == ROW_ID:
        out_md[_META_RERUN_NAME] = name.encode()
        renamed = "rerun." + name.replace(":", ".")
        warnings.warn(f"Rerun timeline {name!r} renamed to {renamed!r} (':' and {ROW_ID!r} are reserved for "
                      "annoview's own columns)", AnnoviewWarning, stacklevel=2)
        name = renamed
    return pa.field(name, pa.int64(), metadata=out_md), kind


def _sort_order(row_ids: pa.Array) -> np.ndarray | None:
    """Permutation sorting rows by row id (big-endian TUID: hi, then lo), or None when sorted."""
    n = len(row_ids)
    if n < 2:
        return None
    raw = np.frombuffer(row_ids.buffers()[1], ">u8", count=2 * (row_ids.offset + n))[2 * row_ids.offset:]
    pairs = raw.reshape(-1, 2).astype(np.uint64)
    hi, lo = pairs[:, 0], pairs[:, 1]
    later = hi[1:] > hi[:-1]
    same = hi[1:] == hi[:-1]
    if bool((later | (same & (lo[1:] >= lo[:-1]))).all()):
        return None
    return np.lexsort((lo, hi))


def _convert_column(role: str, out: pa.Field, kind: Any, arr: pa.Array, what: str) -> pa.Array:
    if role == _TIMELINE:
        return _timeline_ns(arr, kind)
    if role == _KNOWN:
        if kind is Kind.CONTEXT:
            return _flatten_instances(arr, VALUE_TYPES[kind], what)
        return _retype(arr, out.type, what)
    return arr if arr.type == out.type else _wrap_rows(arr)


def rerun_batch_to_chunks(entity_path: str, is_static: bool, batch: pa.RecordBatch) -> list[Chunk]:
    """One Rerun chunk (its record batch) -> annoview chunks (one, or several when some rows
    lack a time on some timeline, since annoview's timeline columns are dense)."""
    where = f"Rerun chunk of {entity_path}"
    schema = batch.schema
    plans = []
    for f in schema:
        md = f.metadata
        try:
            plans.append(_column_plan(f.name, f.type, tuple(md.items()) if md else ()))
        except RecordingFormatError as e:
            raise RecordingFormatError(f"{where}: {e}") from None
    row_idx = next((i for i, p in enumerate(plans) if p[0] == _ROW), None)
    if row_idx is None:
        raise RecordingFormatError(f"{where} has no row id column")
    row_ids = batch.column(row_idx)
    if (schema.field(row_idx).metadata or {}).get(b"rerun:is_sorted") != b"true":
        order = _sort_order(row_ids)
        if order is not None:
            batch = batch.take(pa.array(order))
            row_ids = batch.column(row_idx)
    fields: list[pa.Field] = [_ROW_FIELD]
    arrays: list[pa.Array] = [row_ids]
    timelines: list[str] = []
    for i, (role, out, kind) in enumerate(plans):
        if role in (_ROW, _SKIP):
            continue
        arrays.append(_convert_column(role, out, kind, batch.column(i), f"{where} column {schema.field(i).name!r}"))
        fields.append(out)
        if role == _TIMELINE:
            timelines.append(out.name)
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise RecordingFormatError(f"{where} has two columns named {dup!r}")
    archs = sorted({n.split(":", 1)[0] for n in names if ":" in n and n not in timelines})
    out_schema = pa.schema(fields, metadata={
        _META_PATH: entity_path.encode(), _META_STATIC: b"1" if is_static else b"0", _META_ARCH: ",".join(archs).encode(),
    })
    out_batch = pa.RecordBatch.from_arrays(arrays, schema=out_schema)
    if any(out_batch.column(t).null_count for t in timelines):
        return _split_sparse_times(entity_path, is_static, out_batch, timelines)
    return [Chunk(entity_path, is_static, out_batch)]


_ROW_FIELD = pa.field(ROW_ID, pa.binary(16), nullable=False)


def _split_sparse_times(entity_path: str, is_static: bool, batch: pa.RecordBatch, tls: list[str]) -> list[Chunk]:
    """Rows with a null time on some timeline go to a chunk without that timeline (annoview's
    timeline columns are dense). Rerun 0.41 writes dense time columns, so this is a safety net."""
    valid = np.stack([batch.column(t).is_valid().to_numpy(zero_copy_only=False) for t in tls], 1)
    patterns, group = np.unique(valid, axis=0, return_inverse=True)
    out = []
    for g, pattern in enumerate(patterns):
        part = batch.take(pa.array(np.flatnonzero(group.reshape(-1) == g)))
        for t, keep in zip(tls, pattern):
            if not keep:
                part = part.remove_column(part.schema.get_field_index(t))
        out.append(Chunk(entity_path, is_static, part))
    return out


# ---------------------------------------------------------------------------------------------
# Reading files


def _open_reader(path: str | os.PathLike[str], rr_chunk: Any) -> tuple[Any, Any]:
    """(RrdReader, the first recording's StoreEntry); every failure is one RecordingFormatError."""
    source = str(path)
    if not os.path.exists(source):
        raise RecordingFormatError(f"{source}: no such file")
    try:
        with warnings.catch_warnings():
            # A file whose writer was killed has no footer; stream() still reads it.
            warnings.filterwarnings("ignore", message=".*no footer/manifest.*")
            reader = rr_chunk.RrdReader(source)
            recordings = reader.recordings()
    except (RuntimeError, ValueError, OSError) as e:
        raise RecordingFormatError(f"{source}: not a readable Rerun .rrd file: {_one_line(e)}") from None
    if not recordings:
        raise RecordingFormatError(f"{source}: the .rrd file holds no recording")
    if len(recordings) > 1:
        first = recordings[0]
        warnings.warn(f"{source}: the file holds {len(recordings)} recordings; reading only the first "
                      f"({first.application_id}, {first.recording_id})", AnnoviewWarning, stacklevel=3)
    return reader, recordings[0]


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


def _store_chunk_count(reader: Any, entry: Any) -> int | None:
    """Number of Rerun chunks in the recording, from the file's manifest (no chunk data is
    read); None for a file without a footer (its writer was killed), where only a scan could tell."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(reader.store(store=entry))
    except (RuntimeError, ValueError, OSError):
        return None


def _iter_rrd(reader: Any, entry: Any, source: str, on_chunk: Callable[[int], None] | None) -> Iterator[Chunk]:
    """In-process decoding with rerun-sdk: used by the worker process (rrd_worker.py) only."""
    try:
        stream = iter(reader.stream(store=entry))
    except (RuntimeError, ValueError, OSError) as e:
        raise RecordingFormatError(f"{source}: not a readable Rerun .rrd file: {_one_line(e)}") from None
    while True:
        try:
            rr_c = next(stream)
            batch = rr_c.to_record_batch()
            entity_path, is_static = rr_c.entity_path, rr_c.is_static
        except StopIteration:
            return
        except (RuntimeError, ValueError, OSError) as e:
            raise RecordingFormatError(f"{source}: damaged Rerun .rrd file: {_one_line(e)}") from None
        yield from rerun_batch_to_chunks(entity_path, is_static, batch)
        if on_chunk is not None:
            on_chunk(batch.nbytes)


# ---------------------------------------------------------------------------------------------
# Reading through the worker process (rrd_worker.py): rerun-sdk never runs in this process


def _extra_installed() -> bool:
    for name in ("rerun", "rerun.chunk"):
        if name in sys.modules and sys.modules[name] is None:  # blocked on purpose (tests)
            return False
    try:
        return importlib.util.find_spec("rerun") is not None
    except (ImportError, ValueError):
        return False


def _worker_read(path: str | os.PathLike[str], mode: str) -> WorkerRead:
    """A read of `path` by a worker process (rrd_pool.py), after the checks that need none."""
    source = str(path)
    if not _extra_installed():
        raise RecordingFormatError(READ_EXTRA_MESSAGE)
    if not os.path.exists(source):
        raise RecordingFormatError(f"{source}: no such file")
    if os.path.isdir(source):
        raise RecordingFormatError(f"{source}: is a directory, not a recording")
    return WorkerRead(source, mode)


_info_cache: dict[tuple[str, int, int], dict[str, Any]] = {}


def _cache_key(path: str | os.PathLike[str]) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return os.path.abspath(path), st.st_size, st.st_mtime_ns


def _remember_info(path: str | os.PathLike[str], info: dict[str, Any]) -> None:
    key = _cache_key(path)
    if key is not None:
        if len(_info_cache) > 16:
            _info_cache.clear()
        _info_cache[key] = info


def _rrd_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The worker's info message (application id, recording id, chunk count), cached per file
    version: a read_rrd that started first has already received it."""
    key = _cache_key(path)
    if key is not None and key in _info_cache:
        return _info_cache[key]
    info: dict[str, Any] | None = None
    for kind, value in _worker_read(path, "info").messages():
        if kind == "info" and isinstance(value, dict):
            info = value
        elif kind == "warning":
            warnings.warn(str(value), AnnoviewWarning, stacklevel=3)
    if info is None:
        raise RecordingFormatError(f"{path}: the .rrd reader sent no recording info")
    _remember_info(path, info)
    return info


def rrd_recording_info(path: str | os.PathLike[str]) -> tuple[str, str]:
    """(application_id, recording_id) of the file's first recording."""
    info = _rrd_info(path)
    return str(info.get("application_id")), str(info.get("recording_id"))


def rrd_chunk_count(path: str | os.PathLike[str]) -> int | None:
    """Number of Rerun chunks in the first recording, from the file's manifest (no chunk data is
    read); None for a file without a footer (its writer was killed), where only a scan could tell."""
    count = _rrd_info(path).get("chunks")
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def read_rrd(path: str | os.PathLike[str], on_chunk: Callable[[int], None] | None = None) -> Iterator[Chunk]:
    """Every chunk of the first recording in a Rerun `.rrd` file, as annoview chunks.

    rerun-sdk runs in a worker process (rrd_worker.py), so a file it cannot handle ends that
    process, not this one. The file is opened now (missing extra, missing or unreadable file ->
    RecordingFormatError); chunks are decoded while iterating, in file order. If reading fails
    after some chunks arrived, those are kept and one RecordingRecoveryWarning says why the rest
    is missing. `on_chunk(nbytes)` is called after each Rerun chunk (for progress bars).
    """
    worker = _worker_read(path, "read")
    messages = worker.messages()
    try:
        for kind, value in messages:  # up to the info message: a file rerun cannot open fails here
            if kind == "warning":
                warnings.warn(str(value), AnnoviewWarning, stacklevel=2)
            elif kind == "info":
                if isinstance(value, dict):
                    _remember_info(path, value)  # rrd_recording_info / rrd_chunk_count need no worker now
                break
    except BaseException:
        messages.close()
        raise
    return _read_rest(worker, messages, on_chunk)


def _read_rest(worker: WorkerRead, messages: Iterator[tuple[str, Any]],
               on_chunk: Callable[[int], None] | None) -> Iterator[Chunk]:
    try:
        for kind, value in messages:
            if kind == "chunk":
                yield value
            elif kind == "tick" and on_chunk is not None:
                on_chunk(int(value))
            elif kind == "warning":
                warnings.warn(str(value), AnnoviewWarning, stacklevel=3)
    except RecordingFormatError as e:
        if not worker.chunks:
            raise
        warnings.warn(f"damaged recording; kept the {worker.chunks} chunk(s) read before the failure: {e}",
                      RecordingRecoveryWarning, stacklevel=3)
    finally:
        close = getattr(messages, "close", None)
        if close is not None:
            close()


# ---------------------------------------------------------------------------------------------
# annoview chunk -> Rerun record batch


_chunk_counter_lock = threading.Lock()
_chunk_counter = int.from_bytes(os.urandom(8), "big") >> 1


def _new_chunk_id() -> str:
    """A fresh Rerun chunk id (a TUID: nanosecond time + increasing counter, as Rerun mints them)."""
    global _chunk_counter
    with _chunk_counter_lock:
        _chunk_counter = (_chunk_counter + 1) & 0xFFFFFFFFFFFFFFFF
        inc = _chunk_counter
    return f"chunk_{time.time_ns():016X}{inc:016x}"


def _export_kind(f: pa.Field) -> tuple[str, str, Kind] | None:
    """(archetype, field, kind) when the column is one of annoview's rendered components."""
    if f.metadata and _META_RERUN_NAME in f.metadata:
        return None
    arch, _, field = f.name.partition(":")
    kind = ARCHETYPE_FIELDS.get(arch, {}).get(field)
    return None if kind is None else (arch, field, kind)


def _export_component(f: pa.Field, arr: pa.Array, where: str) -> tuple[pa.Field, pa.Array]:
    known = _export_kind(f)
    what = f"{where} column {f.name!r}"
    if known is None:  # a kept Rerun column (or another producer's): original name and metadata
        md = {k: v for k, v in (f.metadata or {}).items() if not k.startswith(b"annoview:")}
        name = (f.metadata or {}).get(_META_RERUN_NAME, f.name.encode()).decode()
        md.setdefault(_RR_KIND, b"data")
        md.setdefault(_RR_COMP, name.encode())
        return pa.field(name, arr.type, metadata=md), arr
    arch, field, kind = known
    arr = _retype(arr, pa.list_(VALUE_TYPES[kind]), what)
    instance = RERUN_INSTANCE_TYPES[kind]
    if kind is Kind.CONTEXT:
        inner = arr.view(instance)
        mask = arr.is_null() if arr.null_count else None
        arr = pa.ListArray.from_arrays(pa.array(np.arange(len(arr) + 1, dtype=np.int32)), inner,
                                       type=pa.list_(instance), mask=mask)
    else:
        arr = arr.view(pa.list_(instance))
    return pa.field(f.name, arr.type, metadata={
        _RR_KIND: b"data", _RR_ARCH: f"{_ARCH_PREFIX}{arch}".encode(), _RR_COMP: f.name.encode(),
        _RR_CTYPE: component_type(arch, field).encode(),
    }), arr


_RERUN_TIME_TYPES = {"sequence": pa.int64(), "timestamp": pa.timestamp("ns"), "duration": pa.duration("ns")}


def chunk_to_rerun_batch(chunk: Chunk) -> pa.RecordBatch:
    """An annoview chunk as a fully identified Rerun record batch (row ids kept, fresh chunk id),
    ready for `rerun.chunk.Chunk.from_record_batch`."""
    where = f"chunk of {chunk.entity_path}"
    batch = chunk.batch
    fields: list[pa.Field] = [pa.field(_RR_ROW_ID, pa.binary(16), nullable=False, metadata={
        _RR_KIND: b"control", b"ARROW:extension:name": b"rerun.datatypes.TUID",
        b"ARROW:extension:metadata": b'{"namespace":"row"}'})]
    arrays: list[pa.Array] = [batch.column(ROW_ID)]
    timelines = chunk.timelines
    for name, kind in timelines.items():
        f = batch.schema.field(name)
        rr_name = (f.metadata or {}).get(_META_RERUN_NAME, name.encode()).decode()
        arr = batch.column(name)
        if arr.null_count:
            raise RecordingFormatError(f"{where}: timeline {name!r} has missing times; Rerun needs dense time columns")
        arr = arr if arr.type == pa.int64() else arr.cast(pa.int64())
        fields.append(pa.field(rr_name, _RERUN_TIME_TYPES[kind], metadata={_RR_KIND: b"index", _RR_INDEX_NAME: rr_name.encode()}))
        arrays.append(arr.view(_RERUN_TIME_TYPES[kind]))
    for f in batch.schema:
        if ":" in f.name and f.name not in timelines:
            field, arr = _export_component(f, batch.column(f.name), where)
            fields.append(field)
            arrays.append(arr)
    schema = pa.schema(fields, metadata={_RR_ENTITY: chunk.entity_path.encode(), _RR_ID: _new_chunk_id().encode()})
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def write_rrd(chunks: Iterable[Chunk], path: str | os.PathLike[str], application_id: str, recording_id: str,
              on_chunk: Callable[[Chunk], None] | None = None) -> int:
    """Write chunks to a Rerun `.rrd` file that rerun-sdk's RrdReader and the Rerun viewer open.

    Row ids are kept, so static last-row-wins and ordering survive the trip. Written to a
    temporary file next to `path` and renamed at the end: a failed export leaves no half file.
    Temporal chunks without any timeline would turn static in Rerun (it has no other way to say
    "temporal with no time"), so they are left out with a warning. Returns the number of chunks
    written; `on_chunk(chunk)` is called after each one (progress bars).
    """
    rr_chunk = _rerun_chunk_api(WRITE_EXTRA_MESSAGE)
    target = Path(path)
    failure: list[BaseException] = []
    written = [0]
    dropped: list[str] = []

    def rerun_chunks() -> Iterator[Any]:
        try:
            for chunk in chunks:
                if chunk.num_rows == 0:
                    continue
                if not chunk.is_static and not chunk.timelines:
                    dropped.append(chunk.entity_path)
                    continue
                try:
                    converted = rr_chunk.Chunk.from_record_batch(chunk_to_rerun_batch(chunk))
                except (ValueError, RuntimeError, TypeError) as e:
                    raise RecordingFormatError(f"chunk of {chunk.entity_path}: rerun-sdk refused it: {_one_line(e)}") from None
                yield from converted
                written[0] += 1
                if on_chunk is not None:
                    on_chunk(chunk)
        except BaseException as e:  # re-raised below with its own type; Rust would wrap it
            failure.append(e)

    tmp = temp_beside(target)
    try:
        try:
            rr_chunk.LazyChunkStream.from_iter(rerun_chunks()).write_rrd(
                tmp, application_id=application_id, recording_id=recording_id)
        except (RuntimeError, ValueError, OSError) as e:
            if not failure:
                raise RecordingFormatError(f"{target}: writing the .rrd file failed: {_one_line(e)}") from None
        if failure:
            raise failure[0]
        publish(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if dropped:
        warnings.warn(f"{target}: left out {len(dropped)} temporal chunk(s) without any timeline "
                      f"({', '.join(sorted(set(dropped))[:5])}); Rerun would show them as static",
                      AnnoviewWarning, stacklevel=2)
    return written[0]
