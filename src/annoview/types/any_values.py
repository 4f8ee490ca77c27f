"""`rr.AnyValues`, `rr.DynamicArchetype` and `rr.AnyBatchValue`: components of any name and type.

Rerun records them with the Arrow type inferred from the value (ints -> int64, floats -> double,
str -> utf8, numpy arrays keep their dtype, component batches their type), and remembers the
first type seen per component name: later values of that name are cast to it, and a value that
does not cast is dropped with a warning (as rerun-sdk does). `None` and untyped empty lists are
dropped (`drop_untyped_nones`).

Column names: an AnyValues component "x" is stored as `AnyValues:x` (what `.rrd` import names
it; the Rerun name is kept in the column metadata and restored on export); a DynamicArchetype
"A" component "x" as `A:x`, Rerun's own name.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from ..chunk import META_RERUN_NAME, register_column_metadata
from ..errors import ValidationError
from ..strict import checked
from .archetypes import Archetype
from .batches import ComponentDescriptor, DescribedComponentBatch
from .columns import ComponentColumn, ComponentColumnList
from .kinds import Kind

ANY_VALUES = "AnyValues"
# Rerun component name -> the Arrow type its first value had (later values are cast to it).
_TYPES: dict[str, pa.DataType] = {}


class _ArrowBatch:
    """A described batch around an Arrow array (what `as_component_batches()` hands out)."""

    def __init__(self, array: pa.Array) -> None:
        self._array = array

    def as_arrow_array(self) -> pa.Array:
        return self._array


def to_array(name: str, value: Any, *, expect_column: bool = False) -> pa.Array | None:
    """The Arrow instances of one value (None when it is dropped as an untyped None/empty)."""
    if value is None:
        return None
    if callable(getattr(value, "as_arrow_array", None)):
        arr = value.as_arrow_array()
    elif isinstance(value, pa.Array):
        arr = value
    elif isinstance(value, np.ndarray):
        if value.ndim > 1 and not expect_column:
            raise ValidationError(ANY_VALUES, name, f"expected a scalar or 1-D array, got shape {value.shape}")
        arr = pa.array(list(value) if value.ndim > 1 else value)
    elif isinstance(value, (str, bytes, bool, int, float, np.generic)):
        arr = pa.array([value.item() if isinstance(value, np.generic) and value.dtype.kind in "OUS" else value])
        if isinstance(value, np.generic):
            arr = arr.cast(pa.from_numpy_dtype(value.dtype))
    else:
        try:
            arr = pa.array(list(value))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
            raise ValidationError(ANY_VALUES, name, f"cannot make an Arrow array of {type(value).__name__}: {e}") from None
    if pa.types.is_null(arr.type):
        return None
    known = _TYPES.setdefault(name, arr.type)
    if arr.type != known:
        try:
            arr = arr.cast(known)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
            raise ValidationError(ANY_VALUES, name, f"first logged as {known}, now {arr.type}: {e}") from None
    return arr


class _Dynamic(Archetype):
    """Components named at run time; every field is a generic (Arrow) component."""

    archetype_name = ANY_VALUES
    field_kinds: dict[str, Kind] = {}

    def __init__(self, archetype: str | None, drop_untyped_nones: bool, components: Mapping[str, Any]) -> None:
        super().__init__()
        if archetype is not None:
            self.archetype_name = archetype
        self.field_kinds = {}
        self._descriptors: dict[str, ComponentDescriptor] = {}
        for name, value in components.items():
            self._add(name, value, None, drop_untyped_nones)

    def _rerun_name(self, field: str) -> str:
        return field if self.archetype_name == ANY_VALUES else f"{self.archetype_name}:{field}"

    def _add(self, field: str, value: Any, component_type: str | None, drop_untyped_nones: bool) -> "_Dynamic":
        rerun_name = self._rerun_name(field)
        arr = checked(lambda: to_array(rerun_name, value), f"component {rerun_name!r} dropped")
        if arr is None:
            if not drop_untyped_nones and value is None:
                raise ValidationError(self.archetype_name, field, "None has no type; pass a typed empty value")
            return self
        archetype = None if self.archetype_name == ANY_VALUES else self.archetype_name
        desc = ComponentDescriptor(rerun_name, archetype=archetype, component_type=component_type)
        column = f"{self.archetype_name}:{field}"
        md = {b"rerun:component": rerun_name.encode()}
        if archetype is not None:
            md[b"rerun:archetype"] = archetype.encode()
        if component_type is not None:
            md[b"rerun:component_type"] = component_type.encode()
        if column != rerun_name:
            md[META_RERUN_NAME] = rerun_name.encode()
        register_column_metadata(column, md)
        self.components[field] = arr
        self.field_kinds[field] = Kind.ARROW
        self._descriptors[field] = desc
        return self

    def with_component_from_data(self, descriptor: str, value: Any, *, drop_untyped_nones: bool = True) -> "_Dynamic":
        return self._add(str(descriptor), value, None, drop_untyped_nones)

    def with_component_override(self, field: str, component_type: str, value: Any, *,
                                drop_untyped_nones: bool = True) -> "_Dynamic":
        return self._add(field, value, component_type, drop_untyped_nones)

    def as_component_batches(self) -> list[DescribedComponentBatch]:
        return [DescribedComponentBatch(_ArrowBatch(arr), self._descriptors[f])  # type: ignore[arg-type]
                for f, arr in self.components.items()]

    @property
    def component_batches(self) -> list[DescribedComponentBatch]:
        return self.as_component_batches()

    def _columns(self) -> ComponentColumnList:
        return ComponentColumnList(ComponentColumn(self._descriptors[f], arr, kind=Kind.ARROW)
                                   for f, arr in self.components.items())


class AnyValues(_Dynamic):
    """Any named values next to (or instead of) an archetype: `rr.AnyValues(confidence=[0.9])`."""

    def __init__(self, drop_untyped_nones: bool = True, **kwargs: Any) -> None:
        super().__init__(None, drop_untyped_nones, kwargs)

    @classmethod
    def columns(cls, drop_untyped_nones: bool = True, **kwargs: Any) -> ComponentColumnList:  # type: ignore[override]
        """Each value as a column for `rr.send_columns`, one instance per row."""
        return cls(drop_untyped_nones, **kwargs)._columns()


class DynamicArchetype(_Dynamic):
    """Components of an archetype named at run time: `rr.DynamicArchetype("Robot", components={...})`."""

    def __init__(self, archetype: str, drop_untyped_nones: bool = True,
                 components: Mapping[str, Any] | None = None) -> None:
        if not isinstance(archetype, str) or not archetype or ":" in archetype:
            raise ValidationError("DynamicArchetype", "archetype", f"expected a name without ':', got {archetype!r:.60}")
        super().__init__(archetype, drop_untyped_nones, components or {})

    @classmethod
    def columns(cls, archetype: str, drop_untyped_nones: bool = True,  # type: ignore[override]
                components: Mapping[str, Any] | None = None) -> ComponentColumnList:
        return cls(archetype, drop_untyped_nones, components)._columns()


class AnyBatchValue:
    """One named batch of any values (a component batch for `rr.log` or, via `column`, for
    `rr.send_columns`)."""

    def __init__(self, descriptor: Any, value: Any, *, drop_untyped_nones: bool = True,
                 expect_column: bool = False) -> None:
        self.descriptor = descriptor if isinstance(descriptor, ComponentDescriptor) else ComponentDescriptor(str(descriptor))
        self._array = checked(lambda: to_array(self.descriptor.component, value, expect_column=expect_column),
                              f"component {self.descriptor.component!r} dropped")

    def is_valid(self) -> bool:
        return self._array is not None

    def component_descriptor(self) -> ComponentDescriptor:
        return self.descriptor

    def as_arrow_array(self) -> pa.Array | None:
        return self._array

    @classmethod
    def column(cls, descriptor: Any, value: Any, drop_untyped_nones: bool = True) -> ComponentColumn | None:
        batch = cls(descriptor, value, drop_untyped_nones=drop_untyped_nones, expect_column=True)
        if batch._array is None:
            return None
        return ComponentColumn(batch.descriptor, batch._array)


__all__ = ["AnyValues", "DynamicArchetype", "AnyBatchValue"]
