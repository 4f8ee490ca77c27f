"""SegmentationImage: class id pixels colored by the entity's palette on the GPU.

Opacity: the logged one, unless the view overrides it; None lets the renderer apply Rerun's
default (0.5 over an image, 1.0 alone). The legend counts one instance per class present.
"""
from __future__ import annotations

from ..model import Part
from ..visuals import DRAW_ORDER_SEGMENTATION, SegmentationVisual
from . import register
from ...image_pixels import segmentation_ids
from .base import VisualizerInput

DRAW_ORDER = DRAW_ORDER_SEGMENTATION   # Rerun's default: over images, under boxes


@register("SegmentationImage", requires="buffer")
def build(inp: VisualizerInput) -> Part:
    part = Part()
    ids = segmentation_ids(inp.value("buffer"), inp.value("format"))
    oid = inp.object_id("segmentation")
    key = inp.palette_key
    logged = inp.value("opacity")
    view = inp.options
    opacity = view.seg_opacity if view.seg_opacity is not None else (None if logged is None else float(logged[0]))
    part.visuals_2d.append(SegmentationVisual(
        ids=ids, palette_key=key, opacity=opacity, object_id=oid, cache_key=("seg", inp.cache_key),
        zero_transparent=bool(view.seg_zero_transparent), outline=bool(view.seg_outline),
        draw_order=inp.draw_order(DRAW_ORDER)))
    part.objects[oid] = inp.scene_object(oid, "segmentation")
    part.segmentation_entities.append(inp.path)
    bucket = part.class_counts.setdefault(key, {})
    for i in inp.services.classes_present(inp.cache_key, ids):
        bucket[i] = bucket.get(i, 0) + 1  # one instance (region) per class present
    return part
