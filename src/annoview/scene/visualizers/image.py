"""Image: gray, RGB or RGBA pixels covering [0, W] x [0, H] of its space."""
from __future__ import annotations

from ..model import Part
from ..visuals import DRAW_ORDER_IMAGE, ImageVisual
from . import register
from ._pixels import image_array
from .base import VisualizerInput

DRAW_ORDER = DRAW_ORDER_IMAGE   # Rerun's default: under everything else


@register("Image", requires="buffer")
def build(inp: VisualizerInput) -> Part:
    part = Part()
    img = image_array(inp.value("buffer"), inp.value("format"))
    oid = inp.object_id("image")
    opacity = inp.value("opacity")
    part.visuals_2d.append(ImageVisual(image=img, object_id=oid, cache_key=("img", inp.cache_key),
                                       opacity=1.0 if opacity is None else float(opacity[0]),
                                       draw_order=inp.draw_order(DRAW_ORDER)))
    part.objects[oid] = inp.scene_object(oid, "image")
    return part
