"""EncodedImage blobs (PNG, JPEG, ...) -> pixel arrays for display, with Pillow.

The bytes come from a recording, i.e. from anywhere: they are treated as hostile. Only a few
common formats are probed, the header's size is checked against a pixel budget before any
pixel is decoded (a 100,000 x 100,000 PNG of a few KB must not allocate 40 GB), Pillow's
decompression-bomb warning is an error, and every decoder failure becomes one ValueError line.
"""
from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np

MAX_PIXELS = 64 * 1024 * 1024      # 64 megapixels (256 MB as RGBA)
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
_DIRECT_MODES = {"L", "LA", "RGB", "RGBA", "I;16", "I", "F"}


def decode(blob: Any, media_type: str | None = None, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """(H, W[, C]) pixels: uint8 L/LA/RGB/RGBA, uint16 (16-bit gray), int32 or float32 gray."""
    from PIL import Image as PILImage

    what = media_type or "encoded image"
    if isinstance(blob, (bytes, bytearray, memoryview)):
        data = bytes(blob)
    else:
        data = np.asarray(blob, np.uint8).reshape(-1).tobytes()
    if not data:
        raise ValueError(f"{what}: empty blob")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            im = PILImage.open(io.BytesIO(data), formats=FORMATS)
            w, h = im.size
            if w * h > max_pixels:
                raise ValueError(f"{w}x{h} pixels, more than the {max_pixels:,} annoview decodes")
            im.load()
            if im.mode not in _DIRECT_MODES:
                im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
            elif im.mode == "I;16":
                return np.asarray(im, dtype=np.uint16).copy()
            return np.asarray(im).copy()
        except PILImage.UnidentifiedImageError:
            raise ValueError(f"{what}: cannot decode: not a {', '.join(FORMATS)} image") from None
        except ValueError as e:
            raise ValueError(f"{what}: cannot decode: {e}") from None
        except Exception as e:  # noqa: BLE001 - decoders raise many types on hostile bytes
            raise ValueError(f"{what}: cannot decode ({type(e).__name__}: {' '.join(str(e).split())[:120]})") from None
