"""Chunks: one Arrow record batch of rows for one entity, plus metadata.

Columns: `row_id` (16-byte TUID: big-endian nanosecond timestamp + counter, so byte order is
time order), one int64 column per timeline, one list column per component named
`Archetype:field`. Each row is one log call; each component cell is a list of instances.

Two families of component columns:
- annoview's own storage kinds (field metadata `annoview:kind` names a Kind other than "arrow"),
  decoded to the forms the scene layer draws from (see ColumnView.cell);
- generic components (Kind.ARROW, or any column without `annoview:kind`, e.g. one kept from an
  .rrd file): stored with Rerun's exact Arrow type. DATA CONTRACT: a generic cell decodes to a
  numpy array when its value type is a numeric primitive ((n,)) or a fixed-size list of numbers
  ((n, k), dtype kept), otherwise to the pyarrow Array of the cell's instances.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from .errors import RecordingFormatError
from .types.kinds import VALUE_TYPES, Kind, component_type

ROW_ID = "row_id"
TIMELINE_KINDS = ("sequence", "duration", "timestamp")
_META_PATH, _META_STATIC, _META_ARCH = b"annoview:entity_path", b"annoview:is_static", b"annoview:archetype"
_META_INDEX = b"annoview:index"
META_RERUN_NAME = b"annoview:rerun_name"  # a column's name in Rerun, where annoview's differs
_META_KIND = b"annoview:kind"


def row_ids_to_array(hi: np.ndarray, lo: np.ndarray) -> pa.Array:
    packed = np.empty((len(hi), 2), ">u8")
    packed[:, 0], packed[:, 1] = hi, lo
    return pa.Array.from_buffers(pa.binary(16), len(hi), [None, pa.py_buffer(packed.tobytes())])


def row_ids_from_array(arr: pa.Array) -> np.ndarray:
    """16-byte row ids -> (n, 2) uint64 (hi, lo)."""
    if arr.type != pa.binary(16):
        raise RecordingFormatError(f"row id column has type {arr.type}, expected fixed_size_binary[16]")
    buf = arr.buffers()[1]
    raw = np.frombuffer(buf, dtype=">u8", count=2 * (arr.offset + len(arr)))[2 * arr.offset :]
    return raw.reshape(-1, 2).astype(np.uint64)


# ---------------------------------------------------------------------------------------------
# Encoding cells -> Arrow columns


def _offsets(lengths: Sequence[int]) -> np.ndarray:
    off = np.zeros(len(lengths) + 1, np.int32)
    np.cumsum(lengths, out=off[1:])
    return off


def _list_array(offsets: np.ndarray, values: pa.Array, valid: np.ndarray | None) -> pa.Array:
    mask = None if valid is None or valid.all() else pa.array(~valid)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, mask=mask)


def encode_column(kind: Kind, cells: Sequence[Any]) -> pa.Array:
    """Cells of one component (None = no value in that row) -> list<...> Arrow array."""
    valid = np.array([c is not None for c in cells])
    if kind in (Kind.VEC2, Kind.VEC3, Kind.F32, Kind.ID, Kind.U8, Kind.COLOR, Kind.BOOL):
        dtype = {Kind.F32: np.float32, Kind.ID: np.uint16, Kind.U8: np.uint8, Kind.COLOR: np.uint32,
                 Kind.BOOL: np.bool_}.get(kind, np.float32)
        parts = [c for c in cells if c is not None]
        lengths = [0 if c is None else len(c) for c in cells]
        flat = np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
        if kind in (Kind.VEC2, Kind.VEC3):
            d = 2 if kind is Kind.VEC2 else 3
            values: pa.Array = pa.FixedSizeListArray.from_arrays(pa.array(flat.reshape(-1)), d)
        else:
            values = pa.array(flat)
        return _list_array(_offsets(lengths), values, valid)
    if kind in (Kind.STRIPS2, Kind.STRIPS3):
        d = 2 if kind is Kind.STRIPS2 else 3
        strips = [s for c in cells if c is not None for s in c]
        flat = np.concatenate(strips).astype(np.float32).reshape(-1) if strips else np.zeros(0, np.float32)
        inner = pa.ListArray.from_arrays(pa.array(_offsets([len(s) for s in strips])),
                                         pa.FixedSizeListArray.from_arrays(pa.array(flat), d))
        return _list_array(_offsets([0 if c is None else len(c) for c in cells]), inner, valid)
    if kind is Kind.BLOB:  # a cell is one blob (an array of any shape) or a list of blobs
        rows = [[] if c is None else [c] if isinstance(c, np.ndarray) else list(c) for c in cells]
        blobs = [np.ascontiguousarray(b).view(np.uint8).reshape(-1) for r in rows for b in r]
        flat = np.concatenate(blobs) if blobs else np.zeros(0, np.uint8)
        inner = pa.ListArray.from_arrays(pa.array(_offsets([len(b) for b in blobs]), pa.int32()), pa.array(flat))
        return _list_array(_offsets([len(r) for r in rows]), inner, valid)
    if kind is Kind.ARROW:
        return _arrow_cells(cells, valid)
    return pa.array(list(cells), type=pa.list_(VALUE_TYPES[kind]))


def _arrow_cells(cells: Sequence[Any], valid: np.ndarray) -> pa.Array:
    """Generic cells (pa.Arrays of one instance type) -> list<that type>, no per-value copy
    beyond the concatenation."""
    parts = [c for c in cells if c is not None]
    if not parts:
        return pa.nulls(len(cells), pa.list_(pa.null()))
    t = parts[0].type
    for p in parts:
        if p.type != t:
            raise ValueError(f"cells of one component have different types: {t} and {p.type}")
    values = pa.concat_arrays(parts) if len(parts) > 1 else parts[0]
    return _list_array(_offsets([0 if c is None else len(c) for c in cells]), values, valid)


# ---------------------------------------------------------------------------------------------
# Decoding Arrow columns -> cells


class ColumnView:
    """Fast per-row access to a list column: flat numpy values plus offsets, decoded once."""

    def __init__(self, arr: pa.Array, generic: bool = False) -> None:
        if not pa.types.is_list(arr.type) and not pa.types.is_large_list(arr.type):
            raise RecordingFormatError(f"component column has type {arr.type}, expected a list type")
        self.array = arr
        self.generic = generic  # a generic component: see the data contract in the module doc
        self.offsets = np.asarray(arr.offsets.to_numpy(zero_copy_only=False), np.int64)
        self.valid = None if arr.null_count == 0 else np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))
        self.value_type = arr.type.value_type
        self._flat: Any = None
        self._decoded = False

    def __len__(self) -> int:
        return len(self.array)

    def _decode(self) -> None:
        vals = self.array.values
        vt = self.value_type
        numeric_items = pa.types.is_fixed_size_list(vt) and (
            pa.types.is_floating(vt.value_type) or (self.generic and _is_number(vt.value_type)))
        if numeric_items:
            d = vt.list_size
            flat = vals.values.to_numpy(zero_copy_only=False)[vals.offset * d : (vals.offset + len(vals)) * d]
            self._flat = flat.reshape(-1, d) if self.generic else flat.astype(np.float32, copy=False).reshape(-1, d)
        elif pa.types.is_integer(vt) or pa.types.is_floating(vt) or pa.types.is_boolean(vt):
            self._flat = vals.to_numpy(zero_copy_only=False)
        else:
            self._flat = None
        self._decoded = True

    def cell(self, row: int) -> Any:
        """The value of one row: ndarray for numeric kinds, list for strings/structs/strips,
        a flat uint8 ndarray for blobs; None where the row has no value."""
        if self.valid is not None and not self.valid[row]:
            return None
        if not self._decoded:
            self._decode()
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        if self._flat is not None:
            return self._flat[a:b]
        vt = self.value_type
        vals = self.array.values
        if self.generic:
            return vals.slice(a, b - a)
        if pa.types.is_list(vt) and (pa.types.is_uint8(vt.value_type) or pa.types.is_int8(vt.value_type)):
            if b <= a:
                return np.zeros(0, np.uint8)
            inner = vals[a]
            return np.asarray(inner.values.to_numpy(zero_copy_only=False), np.uint8)
        if pa.types.is_list(vt) and pa.types.is_fixed_size_list(vt.value_type):
            d = vt.value_type.list_size
            out = []
            for i in range(a, b):
                strip = vals[i].values
                out.append(np.asarray(strip.flatten().to_numpy(zero_copy_only=False), np.float32).reshape(-1, d))
            return out
        return vals.slice(a, b - a).to_pylist()


# Checked chunk schemas by their IPC schema message bytes (see Chunk.from_ipc).
_schema_facts: dict[bytes, Any] = {}


@dataclass
class Chunk:
    """Rows of one entity: row ids, timeline columns and component columns (see module doc)."""

    entity_path: str
    is_static: bool
    batch: pa.RecordBatch
    _views: dict[str, ColumnView] = field(default_factory=dict, repr=False)
    _row_ids: np.ndarray | None = field(default=None, repr=False)

    @property
    def num_rows(self) -> int:
        return self.batch.num_rows

    @property
    def archetypes(self) -> list[str]:
        return sorted({c.split(":", 1)[0] for c in self.component_names})

    @property
    def timelines(self) -> dict[str, str]:
        """Timeline name -> kind ("sequence" | "duration" | "timestamp")."""
        out = {}
        for f in self.batch.schema:
            md = f.metadata or {}
            if _META_INDEX in md:
                out[f.name] = md[_META_INDEX].decode()
        return out

    @property
    def component_names(self) -> list[str]:
        return [f.name for f in self.batch.schema if ":" in f.name]

    def row_ids(self) -> np.ndarray:
        """(n, 2) uint64 (hi, lo)."""
        if self._row_ids is None:
            self._row_ids = row_ids_from_array(self.batch.column(ROW_ID))
        return self._row_ids

    def times(self, timeline: str) -> np.ndarray:
        return self.batch.column(timeline).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)

    def column(self, component: str) -> ColumnView:
        view = self._views.get(component)
        if view is None:
            md = self.batch.schema.field(component).metadata or {}
            generic = md.get(_META_KIND, Kind.ARROW.value.encode()) == Kind.ARROW.value.encode()
            view = self._views[component] = ColumnView(self.batch.column(component), generic)
        return view

    def is_generic(self, component: str) -> bool:
        """True for a generic component (recorded, not drawn by annoview's own kinds)."""
        return self.column(component).generic

    def nbytes(self) -> int:
        return self.batch.nbytes

    # -- serialization ---------------------------------------------------------------------
    def to_ipc(self) -> bytes:
        return self.ipc_buffer().to_pybytes()

    def ipc_buffer(self) -> pa.Buffer:
        """The Arrow IPC stream without the copy into `bytes` (a bytes-like object: big chunks,
        as `send_columns` makes them, are written straight from it). Sized by a counting pass
        first, so the stream is written once into a buffer of its exact size instead of being
        copied again each time a growing buffer reallocates (4x faster for a 20 MB chunk)."""
        counter = pa.MockOutputStream()
        with pa.ipc.new_stream(counter, self.batch.schema) as writer:
            writer.write_batch(self.batch)
        buf = pa.allocate_buffer(counter.size())
        with pa.ipc.new_stream(pa.FixedSizeBufferWriter(buf), self.batch.schema) as writer:
            writer.write_batch(self.batch)
        return buf

    @staticmethod
    def from_ipc(data: bytes | memoryview) -> "Chunk":
        """Decode a chunk frame payload from an untrusted source (file, socket).

        The IPC stream is checked before Arrow reads it and the batch is fully validated and
        type-checked before it is used (io/ipc_guard.py, io/chunk_check.py): anything annoview
        did not write is a RecordingFormatError, never a crash later on.
        """
        from .io.chunk_check import check_schema, check_values
        from .io.ipc_guard import read_single_batch

        batch, schema_key = read_single_batch(data, "chunk frame")
        assert batch is not None
        facts = _schema_facts.get(schema_key)
        if facts is None:
            try:
                facts = check_schema(batch.schema)  # raises for a schema annoview did not write
            except UnicodeDecodeError as e:  # a column name that is not UTF-8 (pyarrow decodes names)
                raise RecordingFormatError(f"chunk frame: a column name is not valid UTF-8: {e}") from None
            if len(_schema_facts) >= 1024:
                _schema_facts.clear()
            _schema_facts[schema_key] = facts
        check_values(batch, facts)
        return Chunk(facts.entity_path, facts.is_static, batch)

    @staticmethod
    def from_batch(batch: pa.RecordBatch) -> "Chunk":
        """A chunk of a record batch whose schema is checked (io/chunk_check.py); the values are
        trusted, so batches from untrusted bytes come through from_ipc."""
        from .io.chunk_check import check_batch

        entity_path, is_static = check_batch(batch)
        return Chunk(entity_path, is_static, batch)


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)


def build_chunk(
    entity_path: str, is_static: bool, hi: np.ndarray, lo: np.ndarray,
    timelines: dict[str, tuple[str, np.ndarray]], components: dict[str, tuple[Kind, list[Any]]],
) -> Chunk:
    """Assemble a chunk from column data.

    timelines: name -> (kind, int64 times); components: "Arch:field" -> (kind, cells).
    """
    columns = []
    for name, (kind, cells) in components.items():
        col = encode_column(kind, cells)
        columns.append((component_field(name, kind, col.type), col))
    return assemble_chunk(entity_path, is_static, hi, lo, timelines, columns)


# Columns whose Rerun metadata is not derived from `Archetype:field` (AnyValues, DynamicArchetype):
# column name -> field metadata, registered when such a value is built (types/any_values.py).
_CUSTOM_METADATA: dict[str, dict[bytes, bytes]] = {}


def register_column_metadata(name: str, metadata: dict[bytes, bytes]) -> None:
    """The field metadata chunks write for the column `name` (see _CUSTOM_METADATA)."""
    _CUSTOM_METADATA[name] = metadata


def component_field(name: str, kind: Kind, arrow_type: pa.DataType) -> pa.Field:
    """The field of one `Archetype:field` component (Rerun's metadata keys)."""
    custom = _CUSTOM_METADATA.get(name)
    if custom is not None:
        return pa.field(name, arrow_type, metadata={**custom, _META_KIND: kind.value.encode()})
    arch, fname = name.split(":", 1)
    return pa.field(name, arrow_type, metadata={
        b"rerun:archetype": f"rerun.archetypes.{arch}".encode(), b"rerun:component": name.encode(),
        b"rerun:component_type": component_type(arch, fname).encode(), _META_KIND: kind.value.encode(),
    })


def assemble_chunk(
    entity_path: str, is_static: bool, hi: np.ndarray, lo: np.ndarray,
    timelines: dict[str, tuple[str, np.ndarray]], columns: Sequence[tuple[pa.Field, pa.Array]],
) -> Chunk:
    """A chunk from row ids, int64 timeline columns and already encoded component columns."""
    fields: list[pa.Field] = [pa.field(ROW_ID, pa.binary(16), nullable=False)]
    arrays: list[pa.Array] = [row_ids_to_array(hi, lo)]
    for name, (tkind, values) in timelines.items():
        fields.append(pa.field(name, pa.int64(), metadata={_META_INDEX: tkind.encode()}))
        arrays.append(pa.array(np.asarray(values, np.int64)))
    for f, col in columns:
        fields.append(f)
        arrays.append(col)
    archs = sorted({f.name.split(":", 1)[0] for f, _ in columns})
    schema = pa.schema(fields, metadata={_META_PATH: entity_path.encode(), _META_STATIC: b"1" if is_static else b"0",
                                         _META_ARCH: ",".join(archs).encode()})
    return Chunk(entity_path, is_static, pa.RecordBatch.from_arrays(arrays, schema=schema))
