"""`rr.send_columns`: many rows of an entity in one call, recorded as ONE chunk.

The rows' times come from `TimeColumn`s (no log_time, no thread time context: only the given
indexes, as rerun-sdk records it; no index at all makes the rows static). Component columns come
from `Archetype.columns(...)`, `ComponentColumn`s or anything with `as_arrow_array()` and
`component_descriptor()`. Everything is converted with array operations; the chunk bypasses the
micro-batcher, since it already is one.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa

from ..chunk import META_RERUN_NAME, Chunk, assemble_chunk, component_field, register_column_metadata
from ..errors import ValidationError
from ..strict import strict_mode
from ..types.columns import ComponentColumn, ComponentColumnList, archetype_field, as_descriptor, cell_from_arrow
from ..types.kinds import Kind
from .time import NS

_ARROW_TIME_TYPES = {"sequence": pa.int64(), "duration": pa.duration("ns"), "timestamp": pa.timestamp("ns")}


def _name_check(timeline: Any) -> str:
    if not isinstance(timeline, str) or not timeline or ":" in timeline or timeline == "row_id":
        raise ValidationError("TimeColumn", "timeline", f"expected a non-empty timeline name without ':', got {timeline!r:.60}")
    return timeline


def _seconds_ns(values: np.ndarray, kind: str) -> np.ndarray:
    if values.dtype.kind not in "iuf" or values.dtype.kind == "b":
        raise ValidationError("TimeColumn", kind, f"expected seconds as numbers, got dtype {values.dtype}")
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise ValidationError("TimeColumn", kind, "seconds must be finite")
    return np.round(values.astype(np.float64) * NS).astype(np.int64)


def _duration_ns(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "m":
        return arr.astype("timedelta64[ns]").astype(np.int64)
    if arr.dtype == object:
        if all(isinstance(x, _dt.timedelta) for x in arr.reshape(-1)):
            return arr.astype("timedelta64[us]").astype("timedelta64[ns]").astype(np.int64)
        arr = arr.astype(np.float64)
    return _seconds_ns(arr, "duration")


def _timestamp_ns(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]").astype(np.int64)
    if arr.dtype == object:
        items = arr.reshape(-1)
        if all(isinstance(x, _dt.datetime) for x in items):
            utc = [x if x.tzinfo is None else x.astimezone(_dt.timezone.utc).replace(tzinfo=None) for x in items]
            return np.array(utc, "datetime64[us]").astype("datetime64[ns]").astype(np.int64)
        arr = arr.astype(np.float64)
    return _seconds_ns(arr, "timestamp")


class TimeColumn:
    """The times of the rows of one `send_columns` call on one timeline: `sequence=` integers,
    `duration=` seconds / timedelta / timedelta64, or `timestamp=` seconds since the epoch /
    datetime / datetime64 (naive datetimes are UTC)."""

    def __init__(self, timeline: str, *, sequence: Any = None, duration: Any = None, timestamp: Any = None) -> None:
        self.timeline, self.kind, self.times = str(timeline), "sequence", np.zeros(0, np.int64)
        self.error: ValidationError | None = None  # non-strict: reported when the column is sent
        try:
            self._convert(timeline, sequence, duration, timestamp)
        except ValidationError as e:
            if strict_mode():
                raise
            self.error = e

    def _convert(self, timeline: str, sequence: Any, duration: Any, timestamp: Any) -> None:
        given = [k for k, x in (("sequence", sequence), ("duration", duration), ("timestamp", timestamp)) if x is not None]
        if len(given) != 1:
            raise ValidationError("TimeColumn", "timeline", f"give exactly one of sequence=, duration=, timestamp= (timeline={timeline!r})")
        self.timeline = _name_check(timeline)
        self.kind = given[0]
        if self.kind == "sequence":
            try:
                seq = np.asarray(list(sequence) if isinstance(sequence, range) else sequence)
            except (TypeError, ValueError) as e:
                raise ValidationError("TimeColumn", "sequence", f"expected integers: {e}") from None
            if seq.dtype.kind not in "iuf" or seq.dtype.kind == "b":
                raise ValidationError("TimeColumn", "sequence", f"expected integers, got dtype {seq.dtype}")
            self.times = seq.astype(np.int64).reshape(-1)
        elif self.kind == "duration":
            self.times = _duration_ns(duration).reshape(-1)
        else:
            self.times = _timestamp_ns(timestamp).reshape(-1)

    def timeline_name(self) -> str:
        return self.timeline

    def as_arrow_array(self) -> pa.Array:
        return pa.array(self.times).view(_ARROW_TIME_TYPES[self.kind]) if self.kind != "sequence" else pa.array(self.times)

    def __len__(self) -> int:
        return len(self.times)

    def __repr__(self) -> str:
        return f"TimeColumn({self.timeline!r}, {self.kind}, {len(self.times)} times)"


def _index(col: Any) -> tuple[str, str, np.ndarray]:
    """(timeline, kind, int64 times) of a TimeColumn or any object with `timeline_name()` and
    `as_arrow_array()` (int64, duration or timestamp)."""
    if isinstance(col, TimeColumn):
        if col.error is not None:
            raise col.error
        return col.timeline, col.kind, col.times
    name_fn, arr_fn = getattr(col, "timeline_name", None), getattr(col, "as_arrow_array", None)
    if not callable(name_fn) or not callable(arr_fn):
        raise ValidationError("send_columns", "indexes", f"expected rr.TimeColumn objects, got {type(col).__name__}")
    arr = arr_fn()
    t = arr.type
    if pa.types.is_integer(t):
        kind, arr = "sequence", arr.cast(pa.int64())
    elif pa.types.is_duration(t):
        kind, arr = "duration", arr.cast(pa.duration("ns")).view(pa.int64())
    elif pa.types.is_timestamp(t):
        kind, arr = "timestamp", arr.cast(pa.timestamp("ns")).view(pa.int64())
    else:
        raise ValidationError("send_columns", "indexes", f"timeline {name_fn()!r} has type {t}, expected integers, durations or timestamps")
    return _name_check(name_fn()), kind, arr.to_numpy(zero_copy_only=False)


def _flatten(columns: Any) -> list[Any]:
    if isinstance(columns, (ComponentColumn,)) or callable(getattr(columns, "component_descriptor", None)):
        return [columns]
    if columns is None or isinstance(columns, (str, bytes)) or not hasattr(columns, "__iter__"):
        raise ValidationError("send_columns", "columns", f"expected component columns, got {type(columns).__name__}")
    out: list[Any] = []
    for c in columns:
        out.extend(_flatten(c) if isinstance(c, (ComponentColumnList, list, tuple)) else [c])
    return out


def _component(col: Any) -> tuple[pa.Field, pa.Array]:
    """The chunk field and list array of one column. Fields of archetypes annoview knows keep
    their exact storage type; any other component keeps its Arrow type and its descriptor as
    metadata, named as `.rrd` import names it."""
    if not isinstance(col, ComponentColumn):
        desc_fn = getattr(col, "component_descriptor", None)
        if not callable(desc_fn) or not callable(getattr(col, "as_arrow_array", None)):
            raise ValidationError("send_columns", "columns", f"expected component columns (e.g. rr.Points3D.columns(...)), "
                                  f"got {type(col).__name__}")
        arr = col.as_arrow_array()
        if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
            col = ComponentColumn(desc_fn(), arr)  # a plain component batch: one instance per row
        else:
            col = ComponentColumn(desc_fn(), arr.values, offsets=arr.offsets.to_numpy())
    if col.error is not None:
        raise col.error
    desc = col.descriptor
    arr = col.as_arrow_array()
    name = desc.component
    if col.kind is not None and col.kind is not Kind.ARROW:  # from an annoview archetype's columns()
        return component_field(name, col.kind, arr.type), arr
    known = archetype_field(name, desc.component_type)
    if known is not None:
        kind, instance_type = known
        try:
            arr = arr.cast(pa.list_(instance_type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
            raise ValidationError("send_columns", name, f"type {arr.type} is not {instance_type}: {e}") from None
        return component_field(name, kind, arr.type), arr
    column, md = loose_field(desc)
    return pa.field(column, arr.type, metadata=md), arr


def loose_field(desc: Any) -> tuple[str, dict[bytes, bytes]]:
    """(column name, metadata) of a component outside annoview's archetypes (AnyValues and the
    like): a bare name is stored as `AnyValues:name`, as `.rrd` import stores it."""
    name = desc.component
    md = {b"rerun:component": name.encode(), b"annoview:kind": Kind.ARROW.value.encode()}
    if desc.archetype:
        md[b"rerun:archetype"] = desc.archetype.encode()
    if desc.component_type:
        md[b"rerun:component_type"] = desc.component_type.encode()
    column = name
    if ":" not in name:
        column = f"AnyValues:{name}"
        md[META_RERUN_NAME] = name.encode()
    return column, md


def loose_batches(item: Any) -> dict[str, tuple[Kind, Any]] | None:
    """`rr.log` of component batches (one, or a list of them) instead of an archetype:
    column -> (kind, cell); None when `item` is not made of component batches."""
    items = item if isinstance(item, (list, tuple)) else [item]
    if not items or not all(callable(getattr(i, "component_descriptor", None)) and
                            callable(getattr(i, "as_arrow_array", None)) for i in items):
        return None
    out: dict[str, tuple[Kind, Any]] = {}
    for batch in items:
        desc = as_descriptor(batch.component_descriptor())
        arr = batch.as_arrow_array()
        if arr is None:  # an AnyBatchValue that was dropped
            continue
        known = archetype_field(desc.component, desc.component_type)
        if known is not None:
            kind, instance_type = known
            out[desc.component] = (kind, cell_from_arrow(kind, arr.cast(instance_type), desc.component))
        else:
            column, md = loose_field(desc)
            register_column_metadata(column, {k: v for k, v in md.items() if k != b"annoview:kind"})
            out[column] = (Kind.ARROW, arr)
    return out


def columns_chunk(entity_path: str, indexes: Iterable[Any], columns: Any,
                  row_ids: Callable[[int], tuple[int, int]]) -> Chunk:
    """The one chunk of a send_columns call (raises ValidationError on mismatched lengths).
    `row_ids(n)` reserves n row ids: (high half shared by all, first low half)."""
    if indexes is not None and not isinstance(indexes, (list, tuple)) and not hasattr(indexes, "__iter__"):
        raise ValidationError("send_columns", "indexes", f"expected a list of rr.TimeColumn, got {type(indexes).__name__}")
    times = [_index(i) for i in (indexes or [])]
    comps = [_component(c) for c in _flatten(columns)]
    if not comps:
        raise ValidationError("send_columns", "columns", "no component columns given")
    n = len(comps[0][1])
    for tl, _, t in times:
        if len(t) != n:
            raise ValidationError("send_columns", "indexes", f"timeline {tl!r} has {len(t)} times for {n} rows; "
                                  "all indexes and columns must have the same length")
    for f, arr in comps:
        if len(arr) != n:
            raise ValidationError("send_columns", "columns", f"{f.name} has {len(arr)} rows, expected {n}; "
                                  "all indexes and columns must have the same length")
    names = [f.name for f, _ in comps] + [tl for tl, _, _ in times]
    if len(set(names)) != len(names):
        raise ValidationError("send_columns", "columns", f"a column is given twice: {sorted(names)}")
    hi, lo_start = row_ids(n)
    his = np.full(n, hi, np.uint64)
    los = np.arange(lo_start, lo_start + n, dtype=np.uint64)
    return assemble_chunk(entity_path, not times, his, los, {tl: (k, t) for tl, k, t in times}, comps)

