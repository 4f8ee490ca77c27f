"""TransformAxes3D: the entity's own x, y, z axes (red, green, blue) in 3D, `axis_length` long in
the entity's coordinates, so they show where a transform puts the entity and turn with it."""
from __future__ import annotations

import numpy as np

from ..model import Part
from ..visuals import DRAW_ORDER_LINES, LinesVisual
from . import register
from .base import VisualizerInput

AXIS_COLORS = np.array([[255, 25, 25, 255], [0, 240, 0, 255], [80, 80, 255, 255]], np.uint8)
AXIS_RADIUS = -1.0          # screen px: 2 px wide


@register("TransformAxes3D")
def build(inp: VisualizerInput) -> Part:
    part = Part()
    length = inp.value("axis_length")
    n = float(np.asarray(length, np.float64).reshape(-1)[-1]) if length is not None and len(length) else 1.0
    if not np.isfinite(n) or n <= 0:
        part.problems.append((inp.path, f"TransformAxes3D: axis_length {n} is not a positive length"))
        return part
    segments = np.zeros((3, 2, 3), np.float32)
    segments[:, 1] = np.eye(3, dtype=np.float32) * n
    part.visuals_3d.append(LinesVisual(segments=segments, colors=AXIS_COLORS, radii=AXIS_RADIUS,
                                       object_id=0, cache_key=("axes", inp.cache_key), draw_order=DRAW_ORDER_LINES))
    return part
