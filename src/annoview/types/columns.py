"""Component columns for `rr.send_columns`: many rows of one component in one Arrow array.

A column is a flat array of instances (every row's instances back to back) plus row offsets.
`Archetype.columns(...)` encodes each field's whole batch once, with the same encoder a single
`rr.log` uses, and starts with one instance per row; `.partition(lengths)` regroups the
instances into rows. No step loops over rows in Python, which is what makes columnar logging
the fast path for bulk data.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from ..chunk import encode_column
from ..errors import ValidationError
from ..strict import strict_mode
from .batches import ComponentDescriptor
from .kinds import VALUE_TYPES, Kind


def as_descriptor(descriptor: Any) -> ComponentDescriptor:
    if isinstance(descriptor, ComponentDescriptor):
        return descriptor
    if isinstance(descriptor, str):
        return ComponentDescriptor(descriptor)
    comp = getattr(descriptor, "component", None)  # another SDK's descriptor object
    if isinstance(comp, str):
        return ComponentDescriptor(comp, archetype=getattr(descriptor, "archetype", None),
                                   component_type=getattr(descriptor, "component_type", None))
    raise ValidationError("ComponentColumn", "descriptor", f"expected a component name or descriptor, got {descriptor!r:.60}")


def archetype_field(name: str, component_type: str | None = None) -> tuple[Kind, pa.DataType] | None:
    """(storage kind, instance Arrow type) when `name` is `Archetype:field` of an archetype annoview
    knows (drawn or generic) and `component_type`, if given, is that field's; else None."""
    from .annotation import AnnotationContext
    from .archetypes import Boxes2D, LineStrips2D, LineStrips3D, Points2D, Points3D
    from .generic import REGISTRY
    from .images import EncodedImage, Image, SegmentationImage
    from .kinds import component_type as field_component_type

    arch, _, field = name.partition(":")
    if not field or (component_type is not None and component_type != field_component_type(arch, field)):
        return None
    drawn = {c.archetype_name: c for c in (Points2D, Points3D, Boxes2D, LineStrips2D, LineStrips3D, SegmentationImage,
                                             Image, EncodedImage, AnnotationContext)}
    if arch in drawn:
        kind = drawn[arch].field_kinds.get(field)
        if kind is Kind.ARROW:
            return kind, drawn[arch].empty_field(field).type
        return None if kind is None else (kind, VALUE_TYPES[kind])
    generic = REGISTRY.get(arch)
    if generic is None or field not in generic.fields:
        return None
    try:
        return Kind.ARROW, generic.field_arrow(field, []).type
    except (ValidationError, pa.ArrowException, TypeError, ValueError):
        return None


def cell_from_arrow(kind: Kind, arr: pa.Array, name: str) -> Any:
    """An Arrow batch of one of annoview's own kinds -> the stored cell (what its archetype's
    constructor would have stored), so a logged component batch is drawn like the archetype."""
    if kind is Kind.ARROW:
        return arr
    if kind in (Kind.VEC2, Kind.VEC3):
        d = 2 if kind is Kind.VEC2 else 3
        return np.asarray(arr.flatten().to_numpy(zero_copy_only=False), np.float32).reshape(-1, d)
    dtypes = {Kind.F32: np.float32, Kind.ID: np.uint16, Kind.COLOR: np.uint32, Kind.BOOL: np.bool_}
    if kind in dtypes:
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtypes[kind])
    if kind is Kind.STR:
        return [str(s) for s in arr.to_pylist()]
    raise ValidationError("log", name, "log this field through its archetype (rr.<Archetype>.from_fields) "
                          "rather than as a loose component batch")


def instance_array(kind: Kind, cell: Any) -> pa.Array:
    """A stored cell (every instance of a batch) -> the flat Arrow array of its instances."""
    if kind in (Kind.VEC2, Kind.VEC3):
        flat = np.ascontiguousarray(cell, np.float32)
        return pa.FixedSizeListArray.from_arrays(pa.array(flat.reshape(-1)), flat.shape[1])
    if kind in (Kind.F32, Kind.ID, Kind.COLOR, Kind.BOOL):
        return pa.array(np.asarray(cell), VALUE_TYPES[kind])
    if kind is Kind.ARROW:  # generic components are stored as their instances' Arrow array
        return cell
    return encode_column(kind, [cell]).values


class ComponentColumn:
    """Rows of one component: instance values plus row offsets (one instance per row unless
    `lengths`/`offsets` or `partition` say otherwise).

    `component_batch` is an Arrow array of instances, or anything with `as_arrow_array()`
    (component batches), or a plain sequence Arrow can convert.
    """

    def __init__(self, descriptor: Any, component_batch: Any, *, lengths: Any = None, offsets: Any = None,
                 kind: Kind | None = None) -> None:
        self.descriptor = as_descriptor(descriptor)
        self.kind = kind
        self.values: pa.Array = pa.nulls(0)
        self._offsets: np.ndarray | None = None  # None: one instance per row, made when needed
        self.error: ValidationError | None = None  # non-strict: reported when the column is sent
        try:
            self.values = _instances(component_batch)
            if lengths is not None and offsets is not None:
                raise ValidationError("ComponentColumn", "lengths", "give lengths= or offsets=, not both")
            if offsets is not None:
                self._offsets = _checked_offsets(np.asarray(offsets, np.int32), len(self.values), self.descriptor.component)
            elif lengths is not None:
                self._offsets = _offsets_of(lengths, len(self.values), self.descriptor.component)
        except ValidationError as e:
            self._defer(e)

    def _defer(self, error: ValidationError) -> None:
        """Strict: raise now. Otherwise keep the error: `send_columns` reports it and sends
        nothing (rerun-sdk, too, only complains when the columns are sent)."""
        if strict_mode():
            raise error
        self.error = error

    @property
    def offsets(self) -> np.ndarray:
        """int32 row offsets into the instances (rows + 1 of them)."""
        if self._offsets is None:
            self._offsets = np.arange(len(self.values) + 1, dtype=np.int32)
        return self._offsets

    def component_descriptor(self) -> ComponentDescriptor:
        return self.descriptor

    def __len__(self) -> int:
        """Number of rows."""
        return len(self.values) if self._offsets is None else len(self._offsets) - 1

    def as_arrow_array(self) -> pa.Array:
        """One list per row."""
        return pa.ListArray.from_arrays(pa.array(self.offsets), self.values)

    def partition(self, lengths: Any) -> "ComponentColumn":
        """The same instances, regrouped into rows of the given lengths (they must add up to the
        number of instances)."""
        out = ComponentColumn.__new__(ComponentColumn)
        out.descriptor, out.kind, out.values, out.error, out._offsets = self.descriptor, self.kind, self.values, self.error, None
        try:
            out._offsets = _offsets_of(lengths, len(self.values), self.descriptor.component)
        except ValidationError as e:
            out._defer(e)
        return out

    def __repr__(self) -> str:
        return f"ComponentColumn({self.descriptor.component!r}, {len(self)} rows, {len(self.values)} instances)"


class ComponentColumnList:
    """The columns of one archetype (what `Archetype.columns(...)` returns)."""

    def __init__(self, columns: Iterable[ComponentColumn]) -> None:
        self._columns = list(columns)

    def partition(self, lengths: Any) -> "ComponentColumnList":
        return ComponentColumnList(c.partition(lengths) for c in self._columns)

    def __iter__(self) -> Iterator[ComponentColumn]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __getitem__(self, i: int) -> ComponentColumn:
        return self._columns[i]

    def __repr__(self) -> str:
        return f"ComponentColumnList({self._columns!r})"


def _instances(batch: Any) -> pa.Array:
    if isinstance(batch, pa.ChunkedArray):
        return batch.combine_chunks()
    if isinstance(batch, pa.Array):
        return batch
    if callable(getattr(batch, "as_arrow_array", None)):
        return _instances(batch.as_arrow_array())
    try:
        return pa.array(np.asarray(batch) if isinstance(batch, np.ndarray) else batch)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
        raise ValidationError("ComponentColumn", "component_batch", f"cannot make an Arrow array of it: {e}") from None


def _offsets_of(lengths: Any, n: int, what: str) -> np.ndarray:
    arr = np.asarray(lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValidationError("partition", "lengths", f"{what}: expected a 1-D sequence of integer lengths, got {lengths!r:.60}")
    if arr.size and arr.min() < 0:
        raise ValidationError("partition", "lengths", f"{what}: lengths must not be negative")
    total = int(arr.sum(dtype=np.int64))
    if total != n:
        raise ValidationError("partition", "lengths", f"{what}: lengths add up to {total}, the column has {n} instances")
    off = np.zeros(len(arr) + 1, np.int32)
    np.cumsum(arr.astype(np.int32), out=off[1:])
    return off


def _checked_offsets(off: np.ndarray, n: int, what: str) -> np.ndarray:
    if off.ndim != 1 or not len(off) or off[0] < 0 or off[-1] > n or (np.diff(off) < 0).any():
        raise ValidationError("ComponentColumn", "offsets", f"{what}: offsets must not decrease and stay within 0..{n}")
    return off
