"""Arrows2D and Arrows3D: one arrow per vector, from its origin (default: the space's origin),
with a triangular head at the tip. Labels sit at the middle of each arrow."""
from __future__ import annotations

import numpy as np

from ..model import Part
from ..visuals import DEFAULT_LINE_RADIUS, DRAW_ORDER_LINES, ArrowsVisual, strip_labels
from .base import VisualizerInput, add_labels, instance_rows, target_list

DRAW_ORDER = DRAW_ORDER_LINES         # 2D: arrows are lines
DEFAULT_RADIUS = DEFAULT_LINE_RADIUS  # shaft half-width, screen px; the head scales with it


def build_arrows(inp: VisualizerInput, space: str, dim: int) -> Part:
    part = Part()
    vectors = np.asarray(inp.value("vectors"), np.float32).reshape(-1, dim)
    n = len(vectors)
    origins = instance_rows(inp.value("origins"), n, dim, 0.0)
    tips = origins + vectors
    class_ids = inp.value("class_ids")
    key = inp.palette_key
    oid = inp.object_id("arrows")
    radii = inp.value("radii")
    arrows = ArrowsVisual(segments=np.stack([origins, tips], 1), radii=DEFAULT_RADIUS if radii is None else radii,
                          colors=inp.colors(), class_ids=None if class_ids is None else np.asarray(class_ids),
                          palette_key=key, default_color=inp.default_color(), object_id=oid,
                          cache_key=("arrows", inp.cache_key, key), draw_order=inp.draw_order(DRAW_ORDER))
    target = target_list(part, space)
    target.append(arrows)
    obj = part.objects[oid] = inp.scene_object(oid, "arrows", positions=origins, resolve=inp.resolver(n))
    part.count_classes(key, class_ids, n)
    middles = origins + vectors / 2
    add_labels(inp, target, arrows, obj, n, lambda vis, texts: strip_labels(vis, texts, middles))
    return part
