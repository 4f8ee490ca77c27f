"""What a record batch must look like before annoview treats it as a chunk.

Why a separate check: a chunk read from a file or a socket is used much later, by code that
assumes annoview wrote it (the scene reads positions as float32 pairs, `convert` maps timeline
kinds to Rerun types, the entity tree splits paths). A batch that is valid Arrow but not what
annoview writes (a `list<null>` position column, a timeline kind no reader knows, a path that is
not canonical) fails there, far from the file, with a ValueError or KeyError. Checked here, at
the door, it is one RecordingFormatError, and the reader drops that chunk with its warning.

Columns annoview renders (`Archetype:field` of the archetypes in annoview.types) must have
exactly annoview's Arrow layout (field names and nullability aside). Other component columns,
such as those kept from a Rerun import, may have any list type: nothing decodes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa

from .. import paths
from ..chunk import _META_INDEX as META_INDEX
from ..chunk import _META_PATH as META_PATH
from ..chunk import _META_STATIC as META_STATIC
from ..chunk import ROW_ID, TIMELINE_KINDS
from ..errors import RecordingFormatError, ValidationError
from ..types.kinds import VALUE_TYPES, Kind


@lru_cache(maxsize=1)
def archetype_fields() -> dict[str, dict[str, Kind]]:
    """Archetype name -> field -> storage kind, for every archetype annoview renders."""
    from ..types import (AnnotationContext, Boxes2D, EncodedImage, Image, LineStrips2D, LineStrips3D, Points2D,
                         Points3D, SegmentationImage)

    return {cls.archetype_name: dict(cls.field_kinds)
            for cls in (Points2D, Points3D, Boxes2D, LineStrips2D, LineStrips3D, SegmentationImage, Image,
                        EncodedImage, AnnotationContext)}


@lru_cache(maxsize=256)
def loose(t: pa.DataType) -> pa.DataType:
    """The type with every field nullable and list items named 'item': equal loose types have
    the same memory layout, so one can be viewed as the other without copying."""
    if pa.types.is_fixed_size_list(t):
        return pa.list_(loose(t.value_type), t.list_size)
    if pa.types.is_list(t):
        return pa.list_(loose(t.value_type))
    if pa.types.is_large_list(t):
        return pa.large_list(loose(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(t.field(i).name, loose(t.field(i).type)) for i in range(t.num_fields)])
    return t


@lru_cache(maxsize=64)
def _expected_type(name: str) -> pa.DataType | None:
    arch, _, field = name.partition(":")
    kind = archetype_fields().get(arch, {}).get(field)
    if kind is None or kind not in VALUE_TYPES:  # generic (Kind.ARROW): any list type
        return None
    return loose(pa.list_(VALUE_TYPES[kind]))


def _text(value: bytes, what: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        shown = value[:40].decode("utf-8", "backslashreplace")
        raise RecordingFormatError(f"chunk {what} is not valid UTF-8: '{shown}'") from None


def entity_path_of(md: dict[bytes, bytes]) -> str:
    """The chunk's entity path: UTF-8 and in canonical form, as the SDK writes it."""
    path = _text(md[META_PATH], "entity path")
    try:
        canonical = paths.normalize(path)
    except ValidationError as e:
        raise RecordingFormatError(f"chunk entity path {path[:80]!r} is invalid: {e}") from None
    if canonical != path:
        raise RecordingFormatError(f"chunk entity path {path[:80]!r} is not in canonical form ({canonical[:80]!r})")
    return path


@dataclass(frozen=True)
class SchemaFacts:
    """What a checked chunk schema says: its entity, static flag and timeline columns."""

    entity_path: str
    is_static: bool
    timelines: tuple[str, ...]


def check_schema(schema: pa.Schema) -> SchemaFacts:
    """Every check that depends on the schema alone (names, metadata, types); files repeat a few
    schemas over thousands of chunks, so Chunk.from_ipc caches the result per schema."""
    md = schema.metadata or {}
    if META_PATH not in md or ROW_ID not in schema.names:
        raise RecordingFormatError("record batch is not an annoview chunk (no entity path or row id)")
    names = schema.names
    if len(set(names)) != len(names):
        raise RecordingFormatError("chunk has two columns with the same name")
    entity_path = entity_path_of(md)
    static = md.get(META_STATIC, b"0")
    if static not in (b"0", b"1"):
        raise RecordingFormatError(f"chunk static flag is '{static[:20].decode('utf-8', 'backslashreplace')}', "
                                   "expected '0' or '1'")
    timelines = []
    for f in schema:
        if f.name == ROW_ID:
            if f.type != pa.binary(16):
                raise RecordingFormatError(f"row id column has type {f.type}, expected fixed_size_binary[16]")
        elif f.metadata and META_INDEX in f.metadata:
            kind = _text(f.metadata[META_INDEX], f"timeline {f.name[:80]!r} kind")
            if kind not in TIMELINE_KINDS:
                raise RecordingFormatError(f"timeline {f.name[:80]!r} has kind {kind[:40]!r}, expected one of "
                                           f"{', '.join(TIMELINE_KINDS)}")
            if f.type != pa.int64():
                raise RecordingFormatError(f"timeline {f.name[:80]!r} has type {f.type}, expected int64")
            timelines.append(f.name)
        elif ":" in f.name:
            if not (pa.types.is_list(f.type) or pa.types.is_large_list(f.type)):
                raise RecordingFormatError(f"component {f.name[:80]} has type {f.type}, expected a list")
            expected = _expected_type(f.name)
            if expected is not None and loose(f.type) != expected:
                raise RecordingFormatError(f"component {f.name} has type {f.type}, expected {expected}")
    return SchemaFacts(entity_path, static == b"1", tuple(timelines))


def check_values(batch: pa.RecordBatch, facts: SchemaFacts) -> None:
    """The per-batch checks: no null row ids or times (annoview's timeline columns are dense)."""
    for name in (ROW_ID, *facts.timelines):
        nulls = batch.column(name).null_count
        if nulls:
            raise RecordingFormatError(f"column {name[:80]!r} has {nulls} null values")


def check_batch(batch: pa.RecordBatch) -> tuple[str, bool]:
    """(entity path, static) of a record batch that passes every check above."""
    facts = check_schema(batch.schema)
    check_values(batch, facts)
    return facts.entity_path, facts.is_static
