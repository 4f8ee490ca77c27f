"""Decoding stored image cells (raw bytes + Rerun's ImageFormat) into checked numpy arrays."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import MAX_ID
from ...types.archetypes import DTYPE_OF_CHANNEL


def _format(fmt: Any) -> dict:
    if not fmt:
        raise ValueError("image without a format component")
    f = fmt[0]
    if f.get("channel_datatype") is None:
        raise ValueError(f"image format without a channel datatype: {f}")
    return f


def raw_array(buffer: Any, fmt: Any) -> np.ndarray:
    """Raw bytes + Rerun ImageFormat -> (H, W[, C]) array, checked against the byte count."""
    f = _format(fmt)
    dtype = DTYPE_OF_CHANNEL.get(int(f["channel_datatype"]))
    if dtype is None:
        raise ValueError(f"unsupported channel datatype {f['channel_datatype']}")
    channels = {1: 1, 2: 3, 3: 4}.get(int(f.get("color_model") or 1))
    if channels is None:
        raise ValueError(f"unsupported color model {f.get('color_model')}")
    w, h = int(f["width"]), int(f["height"])
    raw = np.asarray(buffer, np.uint8)
    expected = w * h * channels * dtype.itemsize
    if raw.size != expected:
        raise ValueError(f"image buffer has {raw.size} bytes, format {w}x{h}x{channels} {dtype} needs {expected}")
    return raw.view(dtype).reshape((h, w) if channels == 1 else (h, w, channels))


def image_array(buffer: Any, fmt: Any) -> np.ndarray:
    """A displayable image: uint8 / uint16 as stored, floats clipped to [0, 1]."""
    arr = raw_array(buffer, fmt)
    dtype = arr.dtype
    if dtype.kind == "f":
        return np.clip(arr.astype(np.float32), 0, 1)
    if dtype not in (np.uint8, np.uint16):
        raise ValueError(f"image dtype {dtype} is not displayable (uint8, uint16 or float)")
    return arr


def segmentation_ids(buffer: Any, fmt: Any) -> np.ndarray:
    """Class ids as uint8/uint16; other integer types when lossless (ids up to 65535)."""
    arr = raw_array(buffer, fmt)
    if arr.ndim != 2:
        raise ValueError(f"segmentation image must be single-channel, got shape {arr.shape}")
    if arr.dtype in (np.uint8, np.uint16):
        return arr
    if arr.dtype.kind not in "iu":
        raise ValueError(f"segmentation pixels of dtype {arr.dtype}: class ids must be integers")
    if arr.size and (arr.min() < 0 or arr.max() > MAX_ID):
        raise ValueError(f"segmentation class ids outside 0..{MAX_ID} (dtype {arr.dtype})")
    return arr.astype(np.uint16)
