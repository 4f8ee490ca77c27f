"""The logged archetypes: Points2D/3D, Boxes2D, LineStrips2D/3D (images: images.py).

Each archetype validates its input at construction (naming archetype and field on error) and
holds `components`: field name -> one cell value in its stored form. Single values are kept as
length-1 cells (Rerun does the same); resolution broadcasts them.
"""
from __future__ import annotations

import enum
from typing import Any, ClassVar

import numpy as np

from ..errors import ValidationError
from ..strict import checked, stricter
from . import validate as v
from .colors import parse_colors
from .columns import ComponentColumn, ComponentColumnList, instance_array
from .fields import EMPTY, encode_field
from .fields import strips as parse_strips
from .kinds import Kind


class Archetype:
    """Base of everything `rr.log` accepts."""

    archetype_name: ClassVar[str] = ""
    field_kinds: ClassVar[dict[str, Kind]] = {}
    # Kind.ARROW fields (recorded with Rerun's Arrow type, not drawn): field -> Rerun component
    arrow_components: ClassVar[dict[str, str]] = {}
    drawn: ClassVar[bool] = True  # False: recorded as components, not drawn (one warning per kind)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Rerun's per-field descriptor classmethods (`Points2D.descriptor_colors()`), used to
        describe a loose component batch as one of the archetype's fields."""
        super().__init_subclass__(**kwargs)
        for field in dict(cls.__dict__.get("field_kinds", {})):
            if f"descriptor_{field}" not in cls.__dict__:
                setattr(cls, f"descriptor_{field}", classmethod(lambda c, f=field: c.field_descriptor(f)))

    @classmethod
    def field_descriptor(cls, field: str) -> Any:
        from .batches import ComponentDescriptor
        from .kinds import component_type

        return ComponentDescriptor(f"{cls.archetype_name}:{field}", archetype=f"rerun.archetypes.{cls.archetype_name}",
                                   component_type=component_type(cls.archetype_name, field))

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}
        self.invalid: str | None = None  # set in non-strict mode when a required field was bad

    def _set(self, field: str, fn: Any, consequence: str | None = None) -> Any:
        """Validate one field; a bad optional field is dropped (non-strict), a bad required one
        marks the whole archetype invalid so `log` skips it."""
        value = checked(fn, consequence or f"field '{field}' dropped, the rest of the call is logged")
        if value is not None:
            self.components[field] = value
        elif consequence is not None:
            self.invalid = consequence
        return value

    def _required(self, field: str, fn: Any) -> Any:
        return self._set(field, fn, f"{self.archetype_name} not logged")

    def _per_instance(self, n: int, field: str, fn: Any, main: str) -> None:
        def run() -> Any:
            value = fn()
            v.check_length(n, len(value), self.archetype_name, field, main)
            return value

        self._set(field, run)

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={_short(val)}" for k, val in self.components.items())
        return f"{self.archetype_name}({parts})"

    # -- partial updates and columns (Rerun's field-level API) -----------------------------------
    @classmethod
    def field_names(cls) -> list[str]:
        """Every field of the archetype, in Rerun's order."""
        return list(cls.field_kinds)

    @classmethod
    def field_kind(cls, field: str) -> Kind:
        """The storage kind of one field (ValidationError naming the fields there are)."""
        if field not in cls.field_names():
            raise ValidationError(cls.archetype_name, field, f"unknown field; {cls.archetype_name} has "
                                  f"{', '.join(cls.field_names())}")
        return cls.field_kinds[field]

    @classmethod
    def encode_field(cls, field: str, value: Any) -> Any:
        """One field's value -> its stored cell, as the constructor stores it but on its own
        (what from_fields and columns call; generic archetypes override it)."""
        kind = cls.field_kind(field)
        if kind is Kind.ARROW:
            from .convert import to_arrow

            return to_arrow(cls.arrow_components[field], value, (cls.archetype_name, field))
        return encode_field(kind, value, cls.archetype_name, field)

    @classmethod
    def empty_field(cls, field: str) -> Any:
        """The empty cell of a field: logged, it clears the field."""
        if cls.field_kind(field) is Kind.ARROW:
            return cls.encode_field(field, [])
        return EMPTY[cls.field_kind(field)]()

    @classmethod
    def _encode(cls, field: str, value: Any) -> Any:
        return cls.encode_field(field, value)

    @classmethod
    def from_fields(cls, *, clear_unset: bool = False, **fields: Any) -> Any:
        """Only the given fields, unchecked against each other (a partial update). With
        `clear_unset=True` every other field is logged empty, which clears it."""
        obj = cls.__new__(cls)
        Archetype.__init__(obj)
        for field, value in fields.items():
            if value is not None:
                obj._set(field, lambda f=field, x=value: cls._encode(f, x))
        if clear_unset:
            for field in cls.field_names():
                if field not in obj.components:
                    obj.components[field] = cls.empty_field(field)
        return obj

    @classmethod
    def cleared(cls) -> Any:
        """Every field empty: logging it clears everything this archetype showed at the entity."""
        return cls.from_fields(clear_unset=True)

    @classmethod
    def update_fields(cls, *, clear_unset: bool = False, **fields: Any) -> Any:
        """Older Rerun name of `from_fields`."""
        return cls.from_fields(clear_unset=clear_unset, **fields)

    @classmethod
    def clear_fields(cls) -> Any:
        """Older Rerun name of `cleared`."""
        return cls.cleared()

    @classmethod
    def columns(cls, **fields: Any) -> ComponentColumnList:
        """Each given field as a column for `rr.send_columns`, one instance per row until
        `.partition(lengths)` regroups them. Each field's whole batch is encoded at once."""
        out = []
        for field, value in fields.items():
            if value is None:
                continue
            cell = checked(lambda f=field, x=value: cls._encode(f, x), f"column '{field}' dropped")
            if cell is None:
                continue
            kind = cls.field_kind(field)
            values = instance_array(kind, cell)
            lengths = [len(values)] if kind is Kind.CONTEXT else None  # a context is one instance
            out.append(ComponentColumn(f"{cls.archetype_name}:{field}", values, lengths=lengths, kind=kind))
        return ComponentColumnList(out)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<{value.dtype}{list(value.shape)}>"
    if isinstance(value, list) and len(value) > 4:
        return f"[{len(value)} items]"
    return repr(value)


def _common_instance_fields(
    arch: Archetype, n: int, main: str, *, radii: Any, colors: Any, labels: Any, show_labels: Any,
    class_ids: Any, draw_order: Any = None,
) -> None:
    name = arch.archetype_name
    if radii is not None:
        arch._per_instance(n, "radii", lambda: v.floats(radii, name, "radii"), main)
    if colors is not None:
        arch._per_instance(n, "colors", lambda: parse_colors(colors, name, "colors"), main)
    if labels is not None:
        arch._per_instance(n, "labels", lambda: v.labels(labels, name), main)
    if show_labels is not None:
        arch._set("show_labels", lambda: v.flag(show_labels, name, "show_labels"))
    if class_ids is not None:
        arch._per_instance(n, "class_ids", lambda: v.ids(class_ids, name, "class_ids"), main)
    if draw_order is not None:
        arch._set("draw_order", lambda: v.scalar_float(draw_order, name, "draw_order"))


class _Points(Archetype):
    dim: ClassVar[int] = 2

    def __init__(
        self, positions: Any, *, radii: Any = None, colors: Any = None, labels: Any = None,
        show_labels: Any = None, draw_order: Any = None, class_ids: Any = None, keypoint_ids: Any = None,
    ) -> None:
        super().__init__()
        name = self.archetype_name
        pos = self._required("positions", lambda: v.positions(positions, self.dim, name))
        if pos is None:
            return
        n = len(pos)
        if keypoint_ids is not None and class_ids is None:
            class_ids = 0  # Rerun: keypoints without a class belong to class 0
        _common_instance_fields(self, n, "positions", radii=radii, colors=colors, labels=labels,
                                show_labels=show_labels, class_ids=class_ids, draw_order=draw_order)
        if keypoint_ids is not None:
            self._per_instance(n, "keypoint_ids", lambda: v.ids(keypoint_ids, name, "keypoint_ids"), "positions")


class Points2D(_Points):
    """2D points in image/scene coordinates, optionally class- and keypoint-annotated."""

    archetype_name = "Points2D"
    dim = 2
    field_kinds = {
        "positions": Kind.VEC2, "radii": Kind.F32, "colors": Kind.COLOR, "labels": Kind.STR,
        "show_labels": Kind.BOOL, "draw_order": Kind.F32, "class_ids": Kind.ID, "keypoint_ids": Kind.ID,
    }


class Points3D(_Points):
    """3D points, optionally class- and keypoint-annotated."""

    archetype_name = "Points3D"
    dim = 3
    field_kinds = {
        "positions": Kind.VEC3, "radii": Kind.F32, "colors": Kind.COLOR, "labels": Kind.STR,
        "show_labels": Kind.BOOL, "point_shading": Kind.ARROW, "class_ids": Kind.ID, "keypoint_ids": Kind.ID,
    }
    arrow_components = {"point_shading": "PointShading"}

    def __init__(self, positions: Any, *, radii: Any = None, colors: Any = None, labels: Any = None,
                 show_labels: Any = None, point_shading: Any = None, class_ids: Any = None,
                 keypoint_ids: Any = None) -> None:
        super().__init__(positions, radii=radii, colors=colors, labels=labels, show_labels=show_labels,
                         class_ids=class_ids, keypoint_ids=keypoint_ids)
        if point_shading is not None and self.invalid is None:  # recorded; annoview shades points flat
            self._set("point_shading", lambda: self.encode_field("point_shading", point_shading))


class Box2DFormat(enum.Enum):
    """How `Boxes2D(array=...)` columns are laid out."""

    XYWH = "XYWH"
    YXHW = "YXHW"
    XYXY = "XYXY"
    YXYX = "YXYX"
    XCYCWH = "XCYCWH"
    XCYCW2H2 = "XCYCW2H2"


def _boxes_from_array(array: Any, fmt: Any) -> tuple[np.ndarray, np.ndarray]:
    name = "Boxes2D"
    if fmt is None:
        raise ValidationError(name, "array_format", "array= needs array_format=rr.Box2DFormat.<form>")
    if isinstance(fmt, str):
        try:
            fmt = Box2DFormat[fmt.upper()]
        except KeyError:
            raise ValidationError(name, "array_format", f"unknown format {fmt!r}; one of {[f.name for f in Box2DFormat]}") from None
    if not isinstance(fmt, Box2DFormat):
        raise ValidationError(name, "array_format", f"expected rr.Box2DFormat, got {fmt!r}")
    a = v.positions(array, 4, name, "array").astype(np.float64)
    c0, c1, c2, c3 = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
    if fmt is Box2DFormat.XYWH:
        mins, sizes = np.stack([c0, c1], 1), np.stack([c2, c3], 1)
    elif fmt is Box2DFormat.YXHW:
        mins, sizes = np.stack([c1, c0], 1), np.stack([c3, c2], 1)
    elif fmt is Box2DFormat.XYXY:
        mins, sizes = np.stack([c0, c1], 1), np.stack([c2 - c0, c3 - c1], 1)
    elif fmt is Box2DFormat.YXYX:
        mins, sizes = np.stack([c1, c0], 1), np.stack([c3 - c1, c2 - c0], 1)
    elif fmt is Box2DFormat.XCYCWH:
        sizes = np.stack([c2, c3], 1)
        mins = np.stack([c0, c1], 1) - sizes / 2
    else:  # XCYCW2H2
        sizes = np.stack([c2, c3], 1) * 2
        mins = np.stack([c0, c1], 1) - sizes / 2
    half = (sizes / 2).astype(np.float32)
    centers = (mins + sizes / 2).astype(np.float32)
    if fmt in (Box2DFormat.YXHW, Box2DFormat.YXYX):
        # rerun-sdk 0.41 stores the boxes of the two y-first formats in reverse row order;
        # recorded the same way so both viewers (and per-instance fields) agree.
        return centers[::-1].copy(), half[::-1].copy()
    return centers, half


class Boxes2D(Archetype):
    """Axis-aligned 2D boxes, stored as centers + half sizes (as Rerun stores them).

    What is stored is what rerun-sdk stores for the same call: `sizes=` alone gives half sizes
    and no centers, one size for many centers stays one half size (the viewer repeats it), and
    `mins=` gives centers `mins + sizes / 2` with numpy broadcasting.
    """

    archetype_name = "Boxes2D"
    field_kinds = {
        "centers": Kind.VEC2, "half_sizes": Kind.VEC2, "radii": Kind.F32, "colors": Kind.COLOR,
        "labels": Kind.STR, "show_labels": Kind.BOOL, "draw_order": Kind.F32, "class_ids": Kind.ID,
    }

    def __init__(
        self, *, sizes: Any = None, mins: Any = None, half_sizes: Any = None, centers: Any = None,
        array: Any = None, array_format: Any = None, radii: Any = None, colors: Any = None,
        labels: Any = None, show_labels: Any = None, draw_order: Any = None, class_ids: Any = None,
    ) -> None:
        super().__init__()
        name = self.archetype_name

        def geometry() -> tuple[np.ndarray | None, np.ndarray | None]:
            if array is not None:
                if any(x is not None for x in (sizes, mins, half_sizes, centers)):
                    raise ValidationError(name, "array", "array= cannot be combined with sizes/mins/half_sizes/centers")
                return _boxes_from_array(array, array_format)
            if sizes is not None and half_sizes is not None:
                raise ValidationError(name, "sizes", "give sizes= or half_sizes=, not both")
            if mins is not None and centers is not None:
                raise ValidationError(name, "mins", "give mins= or centers=, not both")
            if mins is not None and sizes is None and half_sizes is None:
                raise ValidationError(name, "mins", "mins= needs sizes= or half_sizes=")
            if sizes is None and half_sizes is None:
                error = ValidationError(name, "half_sizes", "one of sizes=, half_sizes= or array= is required")
                if centers is None:
                    raise error
                stricter(error)  # rerun-sdk records the centers alone; nothing is drawn
            half = None
            if sizes is not None or half_sizes is not None:
                field = "sizes" if sizes is not None else "half_sizes"
                half = v.positions(sizes if sizes is not None else half_sizes, 2, name, field)
                if sizes is not None:
                    half = half / np.float32(2)
                if (half < 0).any():
                    stricter(ValidationError(name, field, "box sizes must not be negative"))
            c = None
            if mins is not None:
                m = v.positions(mins, 2, name, "mins")
                if len(m) != len(half) and 1 not in (len(m), len(half)):
                    raise ValidationError(name, "mins", f"{len(m)} mins for {len(half)} sizes")
                c = m + half
            elif centers is not None:
                c = v.positions(centers, 2, name, "centers")
            return c, half

        geo = self._required("half_sizes", geometry)
        if geo is None:
            return
        c, half = geo
        for field, value in (("centers", c), ("half_sizes", half)):
            self.components.pop(field, None)
            if value is not None:
                self.components[field] = np.ascontiguousarray(value, np.float32)
        n = max(len(x) for x in (c, half) if x is not None)
        _common_instance_fields(self, n, "boxes", radii=radii, colors=colors, labels=labels,
                                show_labels=show_labels, class_ids=class_ids, draw_order=draw_order)


class _LineStrips(Archetype):
    dim: ClassVar[int] = 2

    def __init__(self, strips: Any, *, radii: Any = None, colors: Any = None, labels: Any = None,
                 show_labels: Any = None, class_ids: Any = None, draw_order: Any = None) -> None:
        super().__init__()
        name = self.archetype_name

        parsed = self._required("strips", lambda: parse_strips(strips, self.dim, name))
        if parsed is None:
            return
        _common_instance_fields(self, len(parsed), "strips", radii=radii, colors=colors, labels=labels,
                                show_labels=show_labels, class_ids=class_ids, draw_order=draw_order)


class LineStrips2D(_LineStrips):
    """2D polylines."""

    archetype_name = "LineStrips2D"
    dim = 2
    field_kinds = {
        "strips": Kind.STRIPS2, "radii": Kind.F32, "colors": Kind.COLOR, "labels": Kind.STR,
        "show_labels": Kind.BOOL, "class_ids": Kind.ID, "draw_order": Kind.F32,
    }


class LineStrips3D(_LineStrips):
    """3D polylines."""

    archetype_name = "LineStrips3D"
    dim = 3
    field_kinds = {
        "strips": Kind.STRIPS3, "radii": Kind.F32, "colors": Kind.COLOR, "labels": Kind.STR,
        "show_labels": Kind.BOOL, "class_ids": Kind.ID,
    }

    def __init__(self, strips: Any, *, radii: Any = None, colors: Any = None, labels: Any = None,
                 show_labels: Any = None, class_ids: Any = None) -> None:
        super().__init__(strips, radii=radii, colors=colors, labels=labels, show_labels=show_labels,
                         class_ids=class_ids)


def __getattr__(name: str) -> Any:
    """The image archetypes and format tables moved to images.py / image_format.py; imports of
    them from here keep working."""
    if name in ("Image", "SegmentationImage", "EncodedImage"):
        from . import images

        return getattr(images, name)
    if name in ("CHANNEL_DATATYPES", "DTYPE_OF_CHANNEL"):
        from . import image_format

        return getattr(image_format, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Archetype", "Points2D", "Points3D", "Boxes2D", "Box2DFormat", "LineStrips2D", "LineStrips3D",
]
