"""Stored image cells (raw bytes + ImageFormat) -> what the renderer draws, with Rerun's rules.

Why a value range: Rerun draws every image, whatever its channel type and values, by mapping a
value range to black..white. Its viewer's rule (matched here):
- u8 images: 0..255, pixel values sRGB-encoded;
- otherwise, from the finite min/max of all values: floats within [0, 1] -> 0..1; values within
  [0, 255] -> 0..255 (both read as sRGB-encoded); a constant image -> value -1..value +1;
  anything else -> min..max, and then RGB values are read as linear light.
Gray images are shown as the normalized value either way. u8 and u16 pixels go to the GPU as
they are (u16 as an integer texture, normalized in the shader); other types as float32.
BGR(A) is swizzled in the shader; pixel formats (NV12, YUY2, ...) become RGB u8 (pixel_formats.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import pixel_formats
from .types.image_format import CHANNELS_OF_MODEL, DTYPE_OF_CHANNEL

_BGR_MODELS = (4, 5)


@dataclass
class DisplayImage:
    pixels: np.ndarray                        # (H, W[, C]) uint8 / uint16 / float32, C in 1..4
    value_range: tuple[float, float] | None   # pixel values mapped to 0..1; None: u8's 0..255
    linear: bool = False                      # RGB values are linear light (not sRGB-encoded)
    bgr: bool = False                         # channels are B, G, R(, A)


def format_of(fmt: Any) -> dict:
    """The one ImageFormat instance of a stored format cell."""
    if fmt is None or not len(fmt):
        raise ValueError("image without a format component")
    f = fmt[0]
    if not isinstance(f, dict) or f.get("width") is None or f.get("height") is None:
        raise ValueError(f"image format without width and height: {f!r:.80}")
    return f


def raw_pixels(buffer: Any, f: dict) -> np.ndarray:
    """Raw bytes + an ImageFormat without pixel format -> (H, W[, C]) array of the channel type,
    checked against the byte count (a view, no copy)."""
    code = f.get("channel_datatype")
    if code is None:
        raise ValueError("image format without a channel datatype (bool pixels?): not drawable")
    dtype = DTYPE_OF_CHANNEL.get(int(code))
    if dtype is None:
        raise ValueError(f"unknown channel datatype {code}")
    model = f.get("color_model")
    channels = 1 if model is None else CHANNELS_OF_MODEL.get(int(model))
    if channels is None:
        raise ValueError(f"unknown color model {model}")
    w, h = int(f["width"]), int(f["height"])
    raw = np.asarray(buffer).reshape(-1).view(np.uint8)
    expected = w * h * channels * dtype.itemsize
    if raw.size != expected:
        raise ValueError(f"image buffer has {raw.size} bytes, format {w}x{h}x{channels} {dtype} needs {expected}")
    return raw.view(dtype).reshape((h, w) if channels == 1 else (h, w, channels))


def display_image(buffer: Any, fmt: Any) -> DisplayImage | None:
    """What to draw for a stored Image (None for an empty one); ValueError with one clear line
    for what cannot be drawn."""
    f = format_of(fmt)
    w, h = int(f["width"]), int(f["height"])
    if f.get("pixel_format") is not None:
        if w == 0 or h == 0:
            return None
        return DisplayImage(pixel_formats.to_rgb(np.asarray(buffer), int(f["pixel_format"]), w, h), None)
    if f.get("color_model") is None:
        raise ValueError("image format without a color model (not 1, 3 or 4 channels): not drawable")
    arr = raw_pixels(buffer, f)
    if arr.size == 0:
        return None
    return display_array(arr, bgr=int(f["color_model"]) in _BGR_MODELS)


def display_array(arr: np.ndarray, *, bgr: bool = False) -> DisplayImage:
    """(H, W[, C]) pixels of any channel type -> DisplayImage with Rerun's value range rule."""
    if arr.dtype == np.uint8:
        return DisplayImage(arr, None, bgr=bgr)
    lo, hi = finite_range(arr)
    is_float = arr.dtype.kind == "f"
    if is_float and 0.0 <= lo and hi <= 1.0:
        rng, linear = (0.0, 1.0), False
    elif 0.0 <= lo and hi <= 255.0:
        rng, linear = (0.0, 255.0), False
    elif lo == hi:
        rng, linear = (lo - 1.0, hi + 1.0), True
    else:
        rng, linear = (lo, hi), True
    pixels = arr if arr.dtype in (np.uint16, np.float32) else arr.astype(np.float32)
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    return DisplayImage(pixels, rng, linear=linear and channels > 1, bgr=bgr)


def finite_range(arr: np.ndarray) -> tuple[float, float]:
    """(min, max) over the finite values; (0, 0) when there are none."""
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            arr = arr[finite]
            if arr.size == 0:
                return 0.0, 0.0
    return float(arr.min()), float(arr.max())


def segmentation_ids(buffer: Any, fmt: Any) -> np.ndarray:
    """Class ids as uint8/uint16 for the GPU; other types when every id is a whole number in
    0..65535 (else one clear error)."""
    arr = raw_pixels(buffer, format_of(fmt))
    if arr.ndim != 2:
        raise ValueError(f"segmentation image must be single-channel, got shape {arr.shape}")
    if arr.dtype in (np.uint8, np.uint16):
        return arr
    if arr.size == 0:
        return arr.astype(np.uint8)
    if arr.dtype.kind == "f" and (not np.isfinite(arr).all() or (arr != np.round(arr)).any()):
        raise ValueError(f"segmentation pixels of dtype {arr.dtype} hold non-whole values; class ids are whole numbers")
    if arr.min() < 0 or arr.max() > 65535:
        raise ValueError(f"segmentation class ids outside 0..65535 (dtype {arr.dtype})")
    return arr.astype(np.uint16)
