"""One field of an archetype on its own: a value -> its stored cell, by storage kind.

Why per field and not per archetype: `Archetype.from_fields(...)`, `Archetype.columns(...)` and
`cleared()` take the raw Rerun fields (e.g. `Boxes2D.half_sizes`, not `sizes=`), one at a time,
without the cross-field rules of the constructors (no length checks: Rerun does none there
either). Each storage kind has one encoder here; an archetype's `field_kinds` says which one a
field uses, so a new archetype needs no code in this module.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ValidationError
from . import validate as v
from .colors import parse_colors
from .kinds import Kind

Encoder = Callable[[Any, str, str], Any]

# Rerun's ColorModel and ChannelDatatype names -> their codes (ImageFormat components).
COLOR_MODELS = {"L": 1, "RGB": 2, "RGBA": 3, "BGR": 4, "BGRA": 5}
CHANNEL_DATATYPE_NAMES = {"U8": 6, "I8": 7, "U16": 8, "I16": 9, "U32": 10, "I32": 11, "U64": 12, "I64": 13,
                          "F16": 33, "F32": 34, "F64": 35}
_FORMAT_KEYS = ("width", "height", "pixel_format", "color_model", "channel_datatype")


def bools(value: Any, archetype: str, field: str) -> np.ndarray:
    """One flag or a sequence of them -> (N,) bool."""
    arr = np.asarray(value)
    if arr.dtype.kind != "b" and not (arr.size == 0 and arr.dtype.kind in "fiu"):
        raise ValidationError(archetype, field, f"expected True/False values, got {value!r:.60}")
    return arr.astype(bool).reshape(-1)


def strips(value: Any, dim: int, archetype: str, field: str = "strips") -> list[np.ndarray]:
    """Line strips of any input form, each checked as (M_i, dim) positions."""
    return [v.positions(s, dim, archetype, field) for s in _strip_items(value, dim, archetype, field)]


def _strip_items(strips: Any, dim: int, name: str, field: str = "strips") -> list[Any]:
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
                raise ValidationError(name, field, f"expected a sequence of strips, got {type(strips).__name__}") from None
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
    raise ValidationError(name, field, f"expected (M, {dim}) points or (N, M, {dim}) strips, got shape {arr.shape}")


def blobs(value: Any, archetype: str, field: str) -> list[np.ndarray]:
    """Byte blobs: bytes or a 1-D array is one blob; a list of them, or an array of 2+ dims
    (one blob per item of its first axis, as rerun-sdk splits it), is several."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return [np.frombuffer(bytes(value), np.uint8)]
    if isinstance(value, np.ndarray):
        if value.ndim <= 1:
            return [np.ascontiguousarray(value).view(np.uint8).reshape(-1)]
        return [np.ascontiguousarray(b).view(np.uint8).reshape(-1) for b in value]
    try:
        items = list(value)
    except TypeError:
        raise ValidationError(archetype, field, f"expected bytes or a uint8 array, got {type(value).__name__}") from None
    if items and all(isinstance(i, (int, np.integer)) for i in items):
        return [np.asarray(items, np.uint8)]
    out = []
    for item in items:
        out.extend(blobs(item, archetype, field))
    return out


def _code(value: Any, names: dict[str, int], archetype: str, field: str) -> int | None:
    if value is None:
        return None
    if hasattr(value, "value") and not isinstance(value, (int, np.integer)):  # an enum member
        value = value.value
    if isinstance(value, str):
        code = names.get(value.upper())
        if code is None:
            raise ValidationError(archetype, field, f"unknown {field} {value!r}; one of {sorted(names)}")
        return code
    return int(value)


def image_formats(value: Any, archetype: str, field: str = "format") -> list[dict]:
    """ImageFormat instances (dicts or objects with width/height/... attributes) -> struct dicts."""
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        get = item.get if isinstance(item, dict) else (lambda k, _i=item: getattr(_i, k, None))
        rec = {k: get(k) for k in _FORMAT_KEYS}
        if rec["width"] is None or rec["height"] is None:
            raise ValidationError(archetype, field, f"an image format needs width and height, got {item!r:.80}")
        out.append({
            "width": int(rec["width"]), "height": int(rec["height"]),
            "pixel_format": _code(rec["pixel_format"], {}, archetype, "pixel_format"),
            "color_model": _code(rec["color_model"], COLOR_MODELS, archetype, "color_model"),
            "channel_datatype": _code(rec["channel_datatype"], CHANNEL_DATATYPE_NAMES, archetype, "channel_datatype"),
        })
    return out


def _context(value: Any, archetype: str, field: str) -> list[dict]:
    from .annotation import AnnotationContext

    ctx = AnnotationContext(value)
    if ctx.invalid is not None:
        raise ValidationError(archetype, field, ctx.invalid)
    return list(ctx.components["context"])


ENCODERS: dict[Kind, Encoder] = {
    Kind.VEC2: lambda x, a, f: v.positions(x, 2, a, f),
    Kind.VEC3: lambda x, a, f: v.positions(x, 3, a, f),
    Kind.F32: v.floats,
    Kind.ID: v.ids,
    Kind.COLOR: parse_colors,
    Kind.BOOL: bools,
    Kind.STR: v.labels,
    Kind.STRIPS2: lambda x, a, f: strips(x, 2, a, f),
    Kind.STRIPS3: lambda x, a, f: strips(x, 3, a, f),
    Kind.BLOB: blobs,
    Kind.IMAGE_FORMAT: image_formats,
    Kind.CONTEXT: _context,
}

# The empty cell of each kind: what `cleared()` logs for every field.
EMPTY: dict[Kind, Callable[[], Any]] = {
    Kind.VEC2: lambda: np.zeros((0, 2), np.float32),
    Kind.VEC3: lambda: np.zeros((0, 3), np.float32),
    Kind.F32: lambda: np.zeros(0, np.float32),
    Kind.ID: lambda: np.zeros(0, np.uint16),
    Kind.COLOR: lambda: np.zeros(0, np.uint32),
    Kind.BOOL: lambda: np.zeros(0, bool),
    Kind.STR: list,
    Kind.STRIPS2: list,
    Kind.STRIPS3: list,
    Kind.BLOB: list,
    Kind.IMAGE_FORMAT: list,
    Kind.CONTEXT: list,
}


def encode_field(kind: Kind, value: Any, archetype: str, field: str) -> Any:
    """A field value -> its stored cell (raises ValidationError naming archetype and field)."""
    return ENCODERS[kind](value, archetype, field)


def cell_length(kind: Kind, cell: Any) -> int:
    """Number of instances in a stored cell."""
    if kind is Kind.BLOB and isinstance(cell, np.ndarray):
        return 1
    return len(cell)
