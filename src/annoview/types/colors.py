"""Color parsing: every color form Rerun accepts, to packed 0xRRGGBBAA uint32.

Forms: (r, g, b) / (r, g, b, a) as 0-255 ints or 0-1 floats, a packed 0xRRGGBBAA int, a hex
string "#RRGGBB[AA]", and arrays of any of these ((N,3)/(N,4) uint8 or float, (N,) uint32).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError
from ..instances import pack_channels, pack_rgba, unpack_rgba
from ..strict import stricter

__all__ = ["pack_rgba", "parse_color", "parse_colors", "unpack_rgba"]


def _hex_to_packed(s: str, archetype: str, field: str) -> int:
    h = s[1:] if s.startswith("#") else s
    if len(h) not in (6, 8) or any(c not in "0123456789abcdefABCDEF" for c in h):
        raise ValidationError(archetype, field, f"unknown color {s!r}: expected '#RRGGBB' or '#RRGGBBAA'")
    v = int(h, 16)
    return (v << 8) | 0xFF if len(h) == 6 else v


def _channels_to_packed(arr: np.ndarray, archetype: str, field: str) -> np.ndarray:
    """(N,3|4) numeric -> packed; floats are 0-1, integers 0-255."""
    if arr.shape[-1] not in (3, 4):
        raise ValidationError(archetype, field, f"expected colors of shape (N, 3) or (N, 4), got {arr.shape}")
    if arr.dtype.kind == "f":
        arr = _float_channels(arr, archetype, field)
    elif arr.dtype == np.uint8:
        pass
    elif arr.dtype.kind in "iu":
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise ValidationError(archetype, field, "integer colors must be in [0, 255]")
        arr = arr.astype(np.uint8)
    elif arr.dtype.kind == "b":
        raise ValidationError(archetype, field, "colors cannot be booleans")
    else:
        raise ValidationError(archetype, field, f"unknown color form of dtype {arr.dtype}")
    flat = arr.reshape(-1, arr.shape[-1])
    return pack_channels(flat, 255) if flat.shape[1] == 3 else pack_channels(flat[:, :3], flat[:, 3])


def _float_channels(arr: np.ndarray, archetype: str, field: str) -> np.ndarray:
    """0-1 floats -> uint8 as rerun-sdk stores them: times 255, rounded half to even, cast to
    uint8. Outside [0, 1] (strict mode refuses it) the cast wraps modulo 256 and NaN becomes 0,
    which is what rerun-sdk's cast records."""
    scaled = np.round(arr * arr.dtype.type(255))
    finite = np.isfinite(scaled)
    if not finite.all() or scaled.min(initial=0.0) < 0.0 or scaled.max(initial=0.0) > 255.0:
        stricter(ValidationError(archetype, field, "float colors must be finite and in [0, 1]"))
        scaled = np.where(finite, scaled, 0.0)
        return (scaled.astype(np.int64) & 0xFF).astype(np.uint8)
    return scaled.astype(np.uint8)


def _scalar_packed(v: Any, archetype: str, field: str) -> int | None:
    if isinstance(v, str):
        return _hex_to_packed(v, archetype, field)
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        if not 0 <= int(v) <= 0xFFFFFFFF:
            raise ValidationError(archetype, field, f"packed color {v} is not a 0xRRGGBBAA value")
        return int(v)
    return None


def parse_color(value: Any, archetype: str = "color", field: str = "color") -> int:
    """One color in any accepted form -> packed 0xRRGGBBAA."""
    packed = parse_colors(value, archetype, field)
    if len(packed) != 1:
        raise ValidationError(archetype, field, f"expected one color, got {len(packed)}")
    return int(packed[0])


def parse_colors(value: Any, archetype: str = "color", field: str = "colors") -> np.ndarray:
    """Colors in any accepted form -> (N,) uint32 packed. A single color gives N == 1."""
    single = _scalar_packed(value, archetype, field)
    if single is not None:
        return np.array([single], np.uint32)
    if isinstance(value, np.ndarray) and value.dtype == np.uint32 and value.ndim == 1:
        return value.copy()
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) == 0:
        return np.zeros(0, np.uint32)  # no colors (rerun-sdk records the empty list too)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return np.array([_hex_to_packed(v, archetype, field) for v in value], np.uint32)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple, np.ndarray, str)):
        # a list of colors, each in any form
        out = []
        for v in value:
            out.extend(parse_colors(v, archetype, field).tolist())
        return np.array(out, np.uint32)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise ValidationError(archetype, field, f"unknown color form: {e}") from None
    if arr.dtype == object or arr.dtype.kind in "USO":
        raise ValidationError(archetype, field, f"unknown color form {value!r:.60}")
    if arr.ndim == 0:
        raise ValidationError(archetype, field, f"unknown color form {value!r:.60}: a bare number must be a packed 0xRRGGBBAA int")
    if arr.ndim == 1:
        if arr.dtype.kind in "iu" and arr.dtype.itemsize >= 4 and len(arr) not in (3, 4):
            return _packed_ints(arr, archetype, field)
        if arr.dtype.kind in "iu" and len(arr) in (3, 4) and (arr.min() < 0 or arr.max() > 255):
            stricter(ValidationError(archetype, field, f"integer colors must be in [0, 255], got {arr.tolist()}"),
                     f"recorded as {len(arr)} packed 0xRRGGBBAA colors, as rerun-sdk reads them")
            return _packed_ints(arr, archetype, field)
        if len(arr) in (3, 4):
            return _channels_to_packed(arr.reshape(1, -1), archetype, field)
        if arr.dtype.kind in "iu":
            return _packed_ints(arr, archetype, field)
        raise ValidationError(archetype, field, f"expected a color (3 or 4 channels) or (N, 3|4) colors, got shape {arr.shape}")
    if arr.ndim == 2:
        return _channels_to_packed(arr, archetype, field)
    raise ValidationError(archetype, field, f"expected colors of shape (N, 3) or (N, 4), got {arr.shape}")


def _packed_ints(arr: np.ndarray, archetype: str, field: str) -> np.ndarray:
    if arr.size and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
        raise ValidationError(archetype, field, "packed colors must be 0xRRGGBBAA values in [0, 2**32)")
    return arr.astype(np.uint32)
