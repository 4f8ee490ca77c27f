"""Boxes2D: axis-aligned box outlines in image space, labels under each box's bottom edge."""
from __future__ import annotations

import numpy as np

from ..model import Part
from ..visuals import DEFAULT_LINE_RADIUS, DRAW_ORDER_BOXES, BoxesVisual, box_labels
from . import register
from .base import VisualizerInput, add_labels, instance_count, instance_rows

DRAW_ORDER = DRAW_ORDER_BOXES        # Rerun's default: over masks, under lines and points
DEFAULT_RADIUS = DEFAULT_LINE_RADIUS  # outline half-width, screen px


@register("Boxes2D", requires="half_sizes")
def build(inp: VisualizerInput) -> Part:
    part = Part()
    if inp.value("half_sizes") is None or not len(inp.value("half_sizes")):
        return part  # centers alone (rerun-sdk records them): no box to draw, as in Rerun
    n = instance_count(inp, "half_sizes", "centers")
    centers = instance_rows(inp.value("centers"), n, 2, 0.0)   # no centers: at the origin, as in Rerun
    half = instance_rows(inp.value("half_sizes"), n, 2, 0.0)
    inp = inp.with_instances(n)
    class_ids = inp.value("class_ids")
    key = inp.palette_key
    oid = inp.object_id("boxes")
    radii = inp.value("radii")
    boxes = BoxesVisual(mins=centers - half, sizes=2 * half, radii=DEFAULT_RADIUS if radii is None else radii,
                        colors=inp.colors(), class_ids=None if class_ids is None else np.asarray(class_ids),
                        palette_key=key, default_color=inp.default_color(), object_id=oid,
                        cache_key=("box", inp.cache_key, key), draw_order=inp.draw_order(DRAW_ORDER))
    part.visuals_2d.append(boxes)
    obj = part.objects[oid] = inp.scene_object(oid, "boxes", positions=centers, resolve=inp.resolver(n))
    part.count_classes(key, class_ids, n)
    add_labels(inp, part.visuals_2d, boxes, obj, n, box_labels)
    return part

