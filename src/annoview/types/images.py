"""The image archetypes: Image, SegmentationImage and EncodedImage, recorded as rerun-sdk records
them (raw bytes + ImageFormat, or the encoded blob + media type), so `.rrd` export is a mapping
and the Rerun viewer shows what annoview shows.

Input forms follow rerun-sdk: any array numpy can read (PIL images too), size-1 axes dropped
until the image is (H, W) or (H, W, C), every channel type from u8 to f64, color models
L/RGB/RGBA/BGR/BGRA, or `bytes=` with `width=`/`height=` and a pixel format (NV12, YUY2, ...).
Where rerun-sdk itself records something it warns about (a color model that does not match the
channels, bool pixels), strict mode raises and non-strict mode records it the same way.
"""
from __future__ import annotations

import builtins
import io
import os
from typing import Any

import numpy as np

from ..errors import ValidationError, warn_user
from ..strict import stricter
from . import validate as v
from .archetypes import Archetype
from .image_format import (CHANNEL_DATATYPES, CHANNELS_OF_MODEL, COLOR_MODEL_BGR, COLOR_MODEL_L, COLOR_MODEL_RGB,
                           DTYPE_OF_CHANNEL, MODEL_OF_CHANNELS, ColorModel, PixelFormat, image_format, parse_datatype,
                           parse_enum, pixel_format_bytes)
from .kinds import Kind

_MEDIA_TYPE_OF_SUFFIX = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}  # what rerun-sdk guesses


def _squeezed(image: Any, archetype: str) -> np.ndarray:
    """The pixels as an (H, W) or (H, W, C) array: size-1 axes are dropped, first ones first,
    while there are more than two axes (rerun-sdk's reading of (1, H, W) and (H, W, C, 1))."""
    try:
        arr = np.asarray(image)
    except (ValueError, TypeError) as e:
        raise ValidationError(archetype, "image", f"expected an (H, W) or (H, W, C) array: {e}") from None
    while arr.ndim > 2 and 1 in arr.shape:
        axis = arr.shape.index(1)
        arr = arr.reshape(arr.shape[:axis] + arr.shape[axis + 1:])
    if arr.ndim not in (2, 3):
        raise ValidationError(archetype, "image", f"expected a 2-D or 3-D array, got shape {arr.shape}")
    return arr


def _channel_code(arr: np.ndarray, archetype: str) -> int:
    code = CHANNEL_DATATYPES.get(arr.dtype.name)
    if code is None:
        raise ValidationError(archetype, "image", f"unsupported pixel dtype {arr.dtype} (u8..u64, i8..i64, f16, f32, f64)")
    return code


def _raw_bytes(data: Any, archetype: str) -> np.ndarray:
    """bytes / bytearray / memoryview / ndarray / file object -> flat uint8 array."""
    if hasattr(data, "read") and callable(data.read):
        data = data.read()
    if isinstance(data, (builtins.bytes, bytearray, memoryview)):
        return np.frombuffer(data, np.uint8)
    if isinstance(data, np.ndarray):
        return np.ascontiguousarray(data).view(np.uint8).reshape(-1)
    raise ValidationError(archetype, "bytes", f"expected bytes or a numpy array, got {type(data).__name__}")


def _dimension(value: Any, archetype: str, field: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ValidationError(archetype, field, f"expected a whole number >= 0, got {value!r:.40}")
    return int(value)


def _image_from_array(image: Any, color_model: Any) -> tuple[np.ndarray, list[dict]]:
    name = "Image"
    arr = _squeezed(image, name)
    h, w = arr.shape[:2]
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    if arr.dtype.kind == "b":
        stricter(ValidationError(name, "image", "bool pixels have no channel datatype; use uint8 (0/255)"),
                 "recorded without a channel datatype, as rerun-sdk does; annoview cannot draw it")
        datatype = None
    else:
        datatype = _channel_code(arr, name)
    if color_model is not None:
        model: int | None = parse_enum(ColorModel, color_model, name, "color_model")
        if CHANNELS_OF_MODEL[model] != channels:  # type: ignore[index]
            stricter(ValidationError(name, "color_model", f"{ColorModel(model).name} needs {CHANNELS_OF_MODEL[model]} "  # type: ignore[index]
                                     f"channels, the image has {channels}"), "recorded as given, as rerun-sdk does")
    else:
        model = MODEL_OF_CHANNELS.get(channels)
        if model is None:
            stricter(ValidationError(name, "image", f"expected shape (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}"),
                     "recorded without a color model, as rerun-sdk does; annoview cannot draw it")
    return np.ascontiguousarray(arr), image_format(w, h, channel_datatype=datatype, color_model=model)


def _image_from_bytes(data: Any, width: Any, height: Any, color_model: Any, pixel_format: Any,
                      datatype: Any) -> tuple[np.ndarray, list[dict]]:
    name = "Image"
    if width is None or height is None:
        raise ValidationError(name, "bytes", "bytes= needs width= and height=")
    w, h = _dimension(width, name, "width"), _dimension(height, name, "height")
    buf = _raw_bytes(data, name)
    if pixel_format is not None:
        if color_model is not None:
            raise ValidationError(name, "color_model", "color_model= and pixel_format= exclude each other")
        pf = parse_enum(PixelFormat, pixel_format, name, "pixel_format")
        fmt = image_format(w, h, pixel_format=pf)
        expected, what = pixel_format_bytes(pf, w, h), f"{w}x{h} {PixelFormat(pf).name}"
    else:
        if color_model is None or datatype is None:
            raise ValidationError(name, "bytes", "bytes= needs pixel_format= or both color_model= and datatype=")
        model = parse_enum(ColorModel, color_model, name, "color_model")
        dt = parse_datatype(datatype, name)
        fmt = image_format(w, h, channel_datatype=dt, color_model=model)
        expected = w * h * CHANNELS_OF_MODEL[model] * DTYPE_OF_CHANNEL[dt].itemsize
        what = f"{w}x{h} {ColorModel(model).name} {DTYPE_OF_CHANNEL[dt]}"
    if expected is not None and buf.size != expected:
        stricter(ValidationError(name, "bytes", f"{buf.size} bytes, {what} needs {expected}"))
    return buf, fmt


def _display_fields(arch: Archetype, opacity: Any, draw_order: Any, magnification_filter: Any = None) -> None:
    name = arch.archetype_name
    if opacity is not None:
        arch._set("opacity", lambda: v.scalar_float(opacity, name, "opacity", 0.0, 1.0))
    if draw_order is not None:
        arch._set("draw_order", lambda: v.scalar_float(draw_order, name, "draw_order"))
    if magnification_filter is not None:
        arch._set("magnification_filter", lambda: arch.encode_field("magnification_filter", magnification_filter))


_IMAGE_KINDS = {"buffer": Kind.BLOB, "format": Kind.IMAGE_FORMAT, "opacity": Kind.F32, "draw_order": Kind.F32}


class Image(Archetype):
    """A color image: gray, RGB(A) or BGR(A) pixels of any channel type, or packed YUV/Bayer bytes.

    Float images of any range are recorded as given; the viewer maps them to gray/color with
    Rerun's value-range rule (see image_pixels.py).
    """

    archetype_name = "Image"
    field_kinds = {**_IMAGE_KINDS, "magnification_filter": Kind.ARROW}
    arrow_components = {"magnification_filter": "MagnificationFilter"}  # recorded as Rerun's Arrow component

    def __init__(
        self, image: Any = None, color_model: Any = None, *, pixel_format: Any = None, datatype: Any = None,
        bytes: Any = None, width: Any = None, height: Any = None, opacity: Any = None, draw_order: Any = None,
        magnification_filter: Any = None,
    ) -> None:
        super().__init__()

        def parse() -> tuple[np.ndarray, list[dict]]:
            if image is not None:
                return _image_from_array(image, color_model)
            if bytes is not None:
                return _image_from_bytes(bytes, width, height, color_model, pixel_format, datatype)
            raise ValidationError(self.archetype_name, "image", "give image= or bytes= (with width=, height= and "
                                  "pixel_format= or color_model= and datatype=)")

        parsed = self._required("buffer", parse)
        if parsed is None:
            return
        self.components["buffer"], self.components["format"] = parsed
        _display_fields(self, opacity, draw_order, magnification_filter)

    def compress(self, jpeg_quality: int = 95) -> "EncodedImage | Image":
        """JPEG-compress a u8 L / RGB / BGR image into an EncodedImage, as rerun-sdk does; any
        other image is returned unchanged with a warning."""
        fmt = (self.components.get("format") or [{}])[0]
        model, datatype = fmt.get("color_model"), fmt.get("channel_datatype")
        if fmt.get("pixel_format") is not None or datatype != CHANNEL_DATATYPES["uint8"] or model not in (
                COLOR_MODEL_L, COLOR_MODEL_RGB, COLOR_MODEL_BGR):
            warn_user("Image.compress: only u8 L, RGB and BGR images can be JPEG-compressed; the image is kept")
            return self
        from PIL import Image as PILImage

        pixels = self._pixels()
        if model == COLOR_MODEL_BGR:
            pixels = pixels[..., ::-1]
        out = io.BytesIO()
        PILImage.fromarray(np.ascontiguousarray(pixels)).save(out, format="JPEG", quality=int(jpeg_quality))
        return EncodedImage(contents=out.getvalue(), media_type="image/jpeg")

    def as_pil_image(self) -> Any:
        """The pixels as a PIL image (u8 L, RGB or RGBA; BGR(A) reordered)."""
        from PIL import Image as PILImage

        pixels = self._pixels()
        model = self.components["format"][0].get("color_model")
        if model in (COLOR_MODEL_BGR, 5):
            pixels = pixels[..., [2, 1, 0, 3][:pixels.shape[-1]]]
        return PILImage.fromarray(np.ascontiguousarray(pixels))

    def _pixels(self) -> np.ndarray:
        buf = self.components.get("buffer")
        fmt = self.components.get("format")
        if buf is None or not fmt:
            raise ValueError("Image has no pixels")
        from ..image_pixels import raw_pixels

        return raw_pixels(buf, fmt[0])


class SegmentationImage(Archetype):
    """An image whose pixels are class ids, colored by the annotation context.

    Stored with the dtype it was given (rerun-sdk does the same); strict mode also checks that
    the ids are whole numbers in 0..65535, the range class ids have.
    """

    archetype_name = "SegmentationImage"
    field_kinds = dict(_IMAGE_KINDS)

    def __init__(self, image: Any, *, opacity: Any = None, draw_order: Any = None) -> None:
        super().__init__()
        ids_img = self._required("buffer", lambda: _segmentation_ids(image))
        if ids_img is None:
            return
        h, w = ids_img.shape
        self.components["buffer"] = ids_img  # kept as (H, W); stored as raw bytes
        self.components["format"] = image_format(w, h, channel_datatype=CHANNEL_DATATYPES[ids_img.dtype.name])
        _display_fields(self, opacity, draw_order)


def _segmentation_ids(image: Any) -> np.ndarray:
    name, field = "SegmentationImage", "image"
    arr = _squeezed(image, name)
    if arr.ndim != 2:
        raise ValidationError(name, field, f"expected a 2-D (H, W) array of class ids, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8)  # rerun-sdk refuses bools; 0/1 ids are what was meant
    if arr.dtype.kind not in "iuf" or arr.dtype.name not in CHANNEL_DATATYPES:
        raise ValidationError(name, field, f"expected integer class ids, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr)
    if arr.size == 0 or arr.dtype in (np.uint8, np.uint16):
        return arr
    if arr.dtype.kind == "f" and (not np.isfinite(arr).all() or (arr != np.round(arr)).any()):
        stricter(ValidationError(name, field, f"dtype {arr.dtype} with non-whole values; class ids must be whole "
                                 "numbers (use an integer dtype)"))
        return arr
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > 65535:
        stricter(ValidationError(name, field, f"class id {int(lo if lo < 0 else hi)} in a {arr.dtype} image; ids "
                                 "must be in 0..65535"))
    return arr


class EncodedImage(Archetype):
    """A PNG / JPEG / ... file's bytes, recorded unchanged (`blob`) with its media type; the viewer
    decodes it (image_decode.py), treating the bytes as untrusted."""

    archetype_name = "EncodedImage"
    field_kinds = {"blob": Kind.BLOB, "media_type": Kind.STR, "opacity": Kind.F32, "draw_order": Kind.F32,
                   "magnification_filter": Kind.ARROW}
    arrow_components = {"magnification_filter": "MagnificationFilter"}

    def __init__(self, *, path: Any = None, contents: Any = None, media_type: Any = None, opacity: Any = None,
                 draw_order: Any = None, magnification_filter: Any = None) -> None:
        super().__init__()
        name = self.archetype_name
        guessed: list[str | None] = [None]

        def blob() -> np.ndarray:
            if (path is None) == (contents is None):
                raise ValidationError(name, "path", "give exactly one of path= or contents=")
            if path is not None:
                try:
                    with open(os.fspath(path), "rb") as f:
                        data = f.read()
                except (OSError, TypeError) as e:
                    raise ValidationError(name, "path", f"cannot read {path!s:.80}: {e}") from None
                guessed[0] = _MEDIA_TYPE_OF_SUFFIX.get(os.path.splitext(os.fspath(path))[1].lower())
                return np.frombuffer(data, np.uint8)
            return _raw_bytes(contents, name)

        if self._required("blob", blob) is None:
            return
        mt = media_type if media_type is not None else guessed[0]
        if mt is not None:
            self._set("media_type", lambda: v.labels(str(getattr(mt, "value", mt)), name, "media_type"))
        _display_fields(self, opacity, draw_order, magnification_filter)


__all__ = ["Image", "SegmentationImage", "EncodedImage"]
