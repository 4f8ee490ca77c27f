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
from ..strict import checked, stricter
from . import validate as v
from .colors import parse_colors
from .kinds import Kind


class Archetype:
    """Base of everything `rr.log` accepts."""

    archetype_name: ClassVar[str] = ""
    field_kinds: ClassVar[dict[str, Kind]] = {}

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
        "show_labels": Kind.BOOL, "class_ids": Kind.ID, "keypoint_ids": Kind.ID,
    }

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
            if sizes is None and half_sizes is None:
                error = ValidationError(name, "half_sizes", "one of sizes=, half_sizes= or array= is required")
                if centers is None:
                    raise error
                stricter(error)  # rerun-sdk records the centers alone; nothing is drawn
            if mins is not None and sizes is None and half_sizes is None:
                raise ValidationError(name, "mins", "mins= needs sizes= or half_sizes=")
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

        def parse() -> list[np.ndarray]:
            return [v.positions(s, self.dim, name, "strips") for s in _strip_items(strips, self.dim, name)]

        parsed = self._required("strips", parse)
        if parsed is None:
            return
        _common_instance_fields(self, len(parsed), "strips", radii=radii, colors=colors, labels=labels,
                                show_labels=show_labels, class_ids=class_ids, draw_order=draw_order)


def _strip_items(strips: Any, dim: int, name: str) -> list[Any]:
    """The strips of any input form, read as rerun-sdk reads them: numbers nested two deep
    (an (M, dim) array, `[(x, y), (x, y)]`) are ONE strip; three deep (an (N, M, dim) array,
    a list of arrays or of point lists, ragged or not) are one strip per item."""
    if isinstance(strips, np.ndarray):
        arr = strips
    else:
        if not isinstance(strips, (list, tuple)):
            try:
                strips = list(strips)
            except TypeError:
                raise ValidationError(name, "strips", f"expected a sequence of strips, got {type(strips).__name__}") from None
        if len(strips) == 0:
            return []
        try:
            arr = np.asarray(strips, dtype=np.float32)
        except (ValueError, TypeError):
            return list(strips)  # ragged: one strip per item
    if arr.ndim == 2:
        return [arr]
    if arr.ndim == 3:
        return list(arr)
    if arr.ndim == 1 and arr.shape[0] == 0:
        return []
    raise ValidationError(name, "strips", f"expected (M, {dim}) points or (N, M, {dim}) strips, got shape {arr.shape}")


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
    field_kinds = {"buffer": Kind.BLOB, "format": Kind.IMAGE_FORMAT, "opacity": Kind.F32, "draw_order": Kind.F32}

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
