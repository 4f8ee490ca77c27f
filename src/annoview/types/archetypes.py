"""The logged archetypes: Points2D/3D, Boxes2D, LineStrips2D/3D, SegmentationImage, Image.

Each archetype validates its input at construction (naming archetype and field on error) and
holds `components`: field name -> one cell value in its stored form. Single values are kept as
length-1 cells (Rerun does the same); resolution broadcasts them.
"""
from __future__ import annotations

import enum
from typing import Any, ClassVar

import numpy as np

from ..errors import ValidationError
from ..strict import checked
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
                 show_labels: Any = None, class_ids: Any = None, keypoint_ids: Any = None) -> None:
        super().__init__(positions, radii=radii, colors=colors, labels=labels, show_labels=show_labels,
                         class_ids=class_ids, keypoint_ids=keypoint_ids)


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
    return (mins + sizes / 2).astype(np.float32), half


class Boxes2D(Archetype):
    """Axis-aligned 2D boxes, stored as centers + half sizes (as Rerun stores them)."""

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

        def geometry() -> tuple[np.ndarray, np.ndarray]:
            if array is not None:
                if any(x is not None for x in (sizes, mins, half_sizes, centers)):
                    raise ValidationError(name, "array", "array= cannot be combined with sizes/mins/half_sizes/centers")
                return _boxes_from_array(array, array_format)
            if sizes is not None and half_sizes is not None:
                raise ValidationError(name, "sizes", "give sizes= or half_sizes=, not both")
            if mins is not None and centers is not None:
                raise ValidationError(name, "mins", "give mins= or centers=, not both")
            if sizes is None and half_sizes is None:
                raise ValidationError(name, "half_sizes", "one of sizes=, half_sizes= or array= is required")
            half = (v.positions(sizes, 2, name, "sizes") / 2 if sizes is not None
                    else v.positions(half_sizes, 2, name, "half_sizes"))
            if (half < 0).any():
                raise ValidationError(name, "sizes" if sizes is not None else "half_sizes", "box sizes must not be negative")
            if mins is not None:
                m = v.positions(mins, 2, name, "mins")
                if len(m) not in (len(half), 1) and len(half) != 1:
                    raise ValidationError(name, "mins", f"{len(m)} mins for {len(half)} sizes")
                c = m + half
            elif centers is not None:
                c = v.positions(centers, 2, name, "centers")
            else:
                c = np.zeros((len(half), 2), np.float32)
            if len(c) != len(half):
                if len(half) == 1:
                    half = np.repeat(half, len(c), 0)
                elif len(c) == 1:
                    c = np.repeat(c, len(half), 0)
                else:
                    raise ValidationError(name, "centers", f"{len(c)} centers for {len(half)} sizes")
            return c.astype(np.float32), half.astype(np.float32)

        geo = self._required("centers", geometry)
        if geo is None:
            return
        del self.components["centers"]
        if mins is None and centers is None and array is None:
            self.components["half_sizes"] = geo[1]  # no position given: none recorded (the origin, as in Rerun)
        else:
            self.components["centers"], self.components["half_sizes"] = geo
        n = len(geo[0])
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


# Rerun's ChannelDatatype and ColorModel codes, so .rrd import/export is a mapping.
CHANNEL_DATATYPES: dict[str, int] = {
    "uint8": 6, "int8": 7, "uint16": 8, "int16": 9, "uint32": 10, "int32": 11, "uint64": 12,
    "int64": 13, "float16": 33, "float32": 34, "float64": 35,
}
DTYPE_OF_CHANNEL: dict[int, np.dtype] = {code: np.dtype(name) for name, code in CHANNEL_DATATYPES.items()}
COLOR_MODEL_L, COLOR_MODEL_RGB, COLOR_MODEL_RGBA = 1, 2, 3


def image_format(width: int, height: int, dtype: np.dtype, color_model: int | None) -> list[dict]:
    return [{"width": width, "height": height, "pixel_format": None, "color_model": color_model,
             "channel_datatype": CHANNEL_DATATYPES[np.dtype(dtype).name]}]


def _segmentation_ids(image: Any) -> np.ndarray:
    name, field = "SegmentationImage", "image"
    try:
        arr = np.asarray(image)
    except (ValueError, TypeError) as e:
        raise ValidationError(name, field, f"expected a 2-D integer array: {e}") from None
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim != 2:
        raise ValidationError(name, field, f"expected a 2-D (H, W) array of class ids, got shape {arr.shape}")
    if arr.dtype in (np.uint8, np.uint16):
        return np.ascontiguousarray(arr)
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8)
    if arr.dtype.kind not in "iuf":
        raise ValidationError(name, field, f"expected integer class ids, got dtype {arr.dtype}")
    if arr.size == 0:
        return arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            raise ValidationError(name, field, f"dtype {arr.dtype} with non-whole values; class ids must be whole numbers (use an integer dtype)")
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > 65535:
        raise ValidationError(name, field, f"class id {int(lo if lo < 0 else hi)} in a {arr.dtype} image; ids must be in 0..65535 (uint8 or uint16)")
    return arr.astype(np.uint8 if hi <= 255 and arr.dtype.itemsize == 1 else np.uint16)


class SegmentationImage(Archetype):
    """An image whose pixels are class ids, colored by the annotation context."""

    archetype_name = "SegmentationImage"
    field_kinds = {"buffer": Kind.BLOB, "format": Kind.IMAGE_FORMAT, "opacity": Kind.F32, "draw_order": Kind.F32}

    def __init__(self, image: Any, *, opacity: Any = None, draw_order: Any = None) -> None:
        super().__init__()
        ids_img = self._required("buffer", lambda: _segmentation_ids(image))
        if ids_img is None:
            return
        h, w = ids_img.shape
        self.components["buffer"] = ids_img  # kept as (H, W); stored as raw bytes
        self.components["format"] = image_format(w, h, ids_img.dtype, None)  # Rerun writes no color model here
        if opacity is not None:
            self._set("opacity", lambda: v.scalar_float(opacity, self.archetype_name, "opacity", 0.0, 1.0))
        if draw_order is not None:
            self._set("draw_order", lambda: v.scalar_float(draw_order, self.archetype_name, "draw_order"))


def _image_pixels(image: Any) -> tuple[np.ndarray, int]:
    name, field = "Image", "image"
    try:
        arr = np.asarray(image)
    except (ValueError, TypeError) as e:
        raise ValidationError(name, field, f"expected an (H, W[, 3|4]) array: {e}") from None
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        model = COLOR_MODEL_L
    elif arr.ndim == 3 and arr.shape[2] in (3, 4):
        model = COLOR_MODEL_RGB if arr.shape[2] == 3 else COLOR_MODEL_RGBA
    else:
        raise ValidationError(name, field, f"expected shape (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}")
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float32)
        if arr.size and (not np.isfinite(arr).all() or arr.min() < 0 or arr.max() > 1):
            raise ValidationError(name, field, "float images must be finite and in [0, 1]")
    elif arr.dtype not in (np.uint8, np.uint16):
        raise ValidationError(name, field, f"expected uint8, uint16 or float in [0, 1], got dtype {arr.dtype}")
    return np.ascontiguousarray(arr), model


class Image(Archetype):
    """A gray, RGB or RGBA image (uint8, uint16, or float in [0, 1])."""

    archetype_name = "Image"
    field_kinds = {"buffer": Kind.BLOB, "format": Kind.IMAGE_FORMAT, "opacity": Kind.F32, "draw_order": Kind.F32,
                   "magnification_filter": Kind.ARROW}
    arrow_components = {"magnification_filter": "MagnificationFilter"}

    def __init__(self, image: Any, *, opacity: Any = None, draw_order: Any = None) -> None:
        super().__init__()
        parsed = self._required("buffer", lambda: _image_pixels(image))
        if parsed is None:
            return
        pixels, model = parsed
        self.components["buffer"] = pixels
        self.components["format"] = image_format(pixels.shape[1], pixels.shape[0], pixels.dtype, model)
        if opacity is not None:
            self._set("opacity", lambda: v.scalar_float(opacity, self.archetype_name, "opacity", 0.0, 1.0))
        if draw_order is not None:
            self._set("draw_order", lambda: v.scalar_float(draw_order, self.archetype_name, "draw_order"))


__all__ = [
    "Archetype", "Points2D", "Points3D", "Boxes2D", "Box2DFormat", "LineStrips2D", "LineStrips3D",
    "SegmentationImage", "Image", "CHANNEL_DATATYPES", "DTYPE_OF_CHANNEL",
]
