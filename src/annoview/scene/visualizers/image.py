"""Image and EncodedImage: pixels covering [0, W] x [0, H] of their space.

Raw images (any channel type, color model or pixel format) are mapped to drawable pixels with
Rerun's value-range rule (image_pixels.py); encoded ones (PNG, JPEG, ...) are decoded with a
pixel budget (image_decode.py). What cannot be drawn raises ValueError: one problem line.
"""
from __future__ import annotations

from typing import Any

from ...image_decode import decode as decode_encoded_image
from ...image_pixels import DisplayImage, display_array, display_image
from ..model import Part
from ..visuals import DRAW_ORDER_IMAGE, ImageVisual
from . import register
from .base import VisualizerInput

DRAW_ORDER = DRAW_ORDER_IMAGE   # Rerun's default: under everything else


@register("Image", requires="buffer")
def build(inp: VisualizerInput) -> Part:
    return _image_part(inp, display_image(inp.value("buffer"), inp.value("format")))


@register("EncodedImage")
def build_encoded(inp: VisualizerInput) -> Part:
    blob, media_type = inp.value("blob"), inp.value("media_type")
    if blob is None:
        raise ValueError("EncodedImage without a blob")
    pixels = decode_encoded_image(blob, media_type[0] if media_type else None)
    return _image_part(inp, display_array(pixels) if pixels.size else None)


def _image_part(inp: VisualizerInput, disp: DisplayImage | None) -> Part:
    part = Part()
    if disp is None:
        return part  # an empty image: nothing to draw
    oid = inp.object_id("image")
    opacity = inp.value("opacity")
    part.visuals_2d.append(ImageVisual(
        image=disp.pixels, value_range=disp.value_range, linear=disp.linear, bgr=disp.bgr,
        smooth=_magnified_smoothly(inp.value("magnification_filter")), object_id=oid,
        cache_key=("img", inp.cache_key), opacity=1.0 if opacity is None else float(opacity[0]),
        draw_order=inp.draw_order(DRAW_ORDER)))
    part.objects[oid] = inp.scene_object(oid, "image")
    return part


def _magnified_smoothly(code: Any) -> bool:
    """Rerun's MagnificationFilter: 1 Nearest (default), 2 Linear, 3 Bicubic (drawn linear here)."""
    return code is not None and len(code) > 0 and int(code[0]) in (2, 3)
