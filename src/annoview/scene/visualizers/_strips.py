"""LineStrips2D and LineStrips3D: one instance per strip; a labeled strip shows its label at the
mean of its vertices, as Rerun does."""
from __future__ import annotations

import numpy as np

from ..model import Part
from ..visuals import DEFAULT_LINE_RADIUS, DRAW_ORDER_LINES, LinesVisual, strip_labels
from .base import VisualizerInput, add_labels, target_list

DRAW_ORDER = DRAW_ORDER_LINES         # Rerun's default: over boxes, under points
DEFAULT_RADIUS = DEFAULT_LINE_RADIUS  # screen px


def build_strips(inp: VisualizerInput, space: str) -> Part:
    part = Part()
    strips = [np.asarray(s, np.float32) for s in inp.value("strips")]
    n = len(strips)
    inp = inp.with_instances(n)
    class_ids = inp.value("class_ids")
    key = inp.palette_key
    oid = inp.object_id("lines")
    target = target_list(part, space)
    radii = inp.value("radii")
    lines = LinesVisual.from_strips(
        strips, radii=DEFAULT_RADIUS if radii is None else radii, colors=inp.colors(),
        class_ids=None if class_ids is None else np.asarray(class_ids), palette_key=key,
        default_color=inp.default_color(), object_id=oid, cache_key=("strips", inp.cache_key, key),
        draw_order=inp.draw_order(DRAW_ORDER))
    target.append(lines)
    dim = strips[0].shape[1] if strips else 2
    firsts = np.array([s[0] if len(s) else np.zeros(dim) for s in strips], np.float32).reshape(-1, dim)
    centers = np.array([s.mean(0) if len(s) else np.zeros(dim) for s in strips], np.float32).reshape(-1, dim)
    obj = part.objects[oid] = inp.scene_object(oid, "lines", positions=firsts, resolve=inp.resolver(n))
    part.count_classes(key, class_ids, n)
    add_labels(inp, target, lines, obj, n, lambda vis, texts: strip_labels(vis, texts, centers))
    return part
