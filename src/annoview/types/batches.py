"""Component batches and descriptors, as Rerun's SDK exposes them.

A batch is an Arrow array of one Rerun component type built from Python input (convert.py); a
descriptor says which archetype field it fills (`Archetype:field`) and its component type. The
column names annoview records are exactly the descriptors' `component` strings.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from .convert import to_arrow


class ComponentDescriptor:
    """Names one archetype field: `component` ("Points3D:positions"), the archetype
    ("rerun.archetypes.Points3D") and the component type ("rerun.components.Position3D")."""

    def __init__(self, component: str, archetype: str | None = None, component_type: str | None = None) -> None:
        self.component = component
        self.archetype = archetype
        self.component_type = component_type

    def with_overrides(self, archetype: str | None = None, component_type: str | None = None) -> "ComponentDescriptor":
        return ComponentDescriptor(self.component, archetype=archetype or self.archetype,
                                   component_type=component_type or self.component_type)

    def or_with_overrides(self, archetype: str | None = None, component_type: str | None = None) -> "ComponentDescriptor":
        """Fill in only what is missing."""
        return ComponentDescriptor(self.component, archetype=self.archetype or archetype,
                                   component_type=self.component_type or component_type)

    def with_changes(self, *, archetype: str | None = None, component_type: str | None = None) -> "ComponentDescriptor":
        return self.with_overrides(archetype=archetype, component_type=component_type)

    def with_builtin_archetype(self, archetype: str) -> "ComponentDescriptor":
        return self.with_overrides(archetype=f"rerun.archetypes.{archetype}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComponentDescriptor) and (self.component, self.archetype, self.component_type) == (
            other.component, other.archetype, other.component_type)

    def __hash__(self) -> int:
        return hash((self.component, self.archetype, self.component_type))

    def __repr__(self) -> str:
        return f"ComponentDescriptor({self.component!r}, archetype={self.archetype!r}, component_type={self.component_type!r})"


class ComponentBatchLike:
    """Anything with `as_arrow_array()` and a descriptor."""

    def as_arrow_array(self) -> pa.Array:
        raise NotImplementedError

    def component_descriptor(self) -> ComponentDescriptor:
        raise NotImplementedError


class ComponentBatchMixin(ComponentBatchLike):
    """Base of every `XxxBatch` in rr.components / rr.datatypes: the Arrow array of the input."""

    _COMPONENT: str = ""  # the Rerun component or datatype name this batch holds

    def __init__(self, data: Any, strict: bool | None = None) -> None:
        self._array = pa.array([], type=self._arrow_type()) if data is None else to_arrow(
            self._COMPONENT, data, (f"{type(self).__name__}", "data"))

    @classmethod
    def _arrow_type(cls) -> pa.DataType:
        return to_arrow(cls._COMPONENT, [], (cls.__name__, "data")).type

    @classmethod
    def _converter(cls, data: Any) -> "ComponentBatchMixin":
        return data if isinstance(data, cls) else cls(data)

    @classmethod
    def component_type(cls) -> str:
        return f"rerun.components.{cls._COMPONENT}"

    def as_arrow_array(self) -> pa.Array:
        return self._array

    def __len__(self) -> int:
        return len(self._array)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComponentBatchMixin) and self._array.equals(other._array)

    __hash__ = None  # type: ignore[assignment]

    def described(self, descriptor: ComponentDescriptor | str | None = None) -> "DescribedComponentBatch":
        if descriptor is None:
            descriptor = ComponentDescriptor(self._COMPONENT, component_type=self.component_type())
        elif isinstance(descriptor, str):
            descriptor = ComponentDescriptor(descriptor, component_type=self.component_type())
        return DescribedComponentBatch(self, descriptor)

    def component_descriptor(self) -> ComponentDescriptor:
        return ComponentDescriptor(self._COMPONENT, component_type=self.component_type())

    def partition(self, lengths: Any = None) -> Any:
        """This batch as a column for `rr.send_columns`: rows of the given lengths (default one
        instance per row)."""
        return _partition(self, lengths)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._array.to_pylist()!r:.200})"


class ArrowBatch(ComponentBatchMixin):
    """A batch around an already-built Arrow array (what an archetype recorded)."""

    def __init__(self, array: pa.Array, component: str) -> None:
        self._array = array
        self._COMPONENT = component


class DescribedComponentBatch(ComponentBatchLike):
    """A batch plus the descriptor saying which archetype field it fills."""

    def __init__(self, batch: ComponentBatchLike, descriptor: ComponentDescriptor) -> None:
        self._batch = batch
        self._descriptor = descriptor

    def component_descriptor(self) -> ComponentDescriptor:
        return self._descriptor

    def as_arrow_array(self) -> pa.Array:
        return self._batch.as_arrow_array()

    def __len__(self) -> int:
        return len(self.as_arrow_array())

    def partition(self, lengths: Any = None) -> Any:
        """This batch as a column for `rr.send_columns` (see ComponentBatchMixin.partition)."""
        return _partition(self, lengths)

    def __repr__(self) -> str:
        return f"DescribedComponentBatch({self._descriptor.component!r}, {len(self)} instances)"


def _partition(batch: ComponentBatchLike, lengths: Any) -> Any:
    from .columns import ComponentColumn

    return ComponentColumn(batch.component_descriptor(), batch.as_arrow_array(), lengths=lengths)


class ComponentMixin:
    """Base of single component values (rr.components.Color(...)): a batch of one."""


@runtime_checkable
class AsComponents(Protocol):
    """Anything `rr.log` takes as a set of described component batches (every archetype)."""

    def as_component_batches(self) -> list[DescribedComponentBatch]:
        ...


ComponentValueLike = Any  # Rerun's alias for "a value a component batch accepts"


__all__ = ["ComponentDescriptor", "ComponentBatchLike", "ComponentBatchMixin", "ComponentMixin",
           "DescribedComponentBatch", "ArrowBatch", "AsComponents", "ComponentValueLike"]
