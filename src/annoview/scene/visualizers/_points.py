"""Points2D and Points3D: round points colored by class and keypoint id through the palette,
keypoint connections (docs/semantics.md rule 6) and labels (rule 7)."""
from __future__ import annotations

import numpy as np

from ..model import Part
from ..visuals import DEFAULT_CONNECTION_RADIUS, DEFAULT_POINT_RADIUS, DRAW_ORDER_POINTS, LinesVisual, PointsVisual, point_labels
from .base import VisualizerInput, add_labels, target_list

DRAW_ORDER = DRAW_ORDER_POINTS                   # Rerun's default for points: on top of boxes and lines
CONNECTIONS_BELOW = 0.5                          # skeleton lines just under their keypoints
DEFAULT_RADIUS = DEFAULT_POINT_RADIUS            # Rerun's 1.5 ui points, in screen px
CONNECTION_RADIUS = DEFAULT_CONNECTION_RADIUS


def build_points(inp: VisualizerInput, space: str) -> Part:
    part = Part()
    pos = np.asarray(inp.value("positions"), np.float32)
    n = len(pos)
    inp = inp.with_instances(n)
    class_ids, kp_ids = inp.value("class_ids"), inp.value("keypoint_ids")
    key = inp.palette_key
    oid = inp.object_id("points")
    target = target_list(part, space)
    draw_order = inp.draw_order(DRAW_ORDER)
    radii = inp.value("radii")
    pts = PointsVisual(positions=pos, radii=DEFAULT_RADIUS if radii is None else radii, colors=inp.colors(),
                       class_ids=None if class_ids is None else np.asarray(class_ids),
                       keypoint_ids=None if kp_ids is None or class_ids is None else np.asarray(kp_ids),
                       palette_key=key, default_color=inp.default_color(), object_id=oid,
                       cache_key=("pts", inp.cache_key, key), draw_order=draw_order)
    target.append(pts)
    obj = part.objects[oid] = inp.scene_object(oid, "points", positions=pos, resolve=inp.resolver(n, keypoints=True))
    part.count_classes(key, class_ids, n)
    if class_ids is not None and kp_ids is not None:
        pairs, pair_classes = inp.services.skeleton(key, inp.context, class_ids, kp_ids, n)
        if len(pairs):
            cid = inp.object_id("connections")
            target.append(LinesVisual.keypoint_connections(
                pos, pairs, pair_classes, palette_key=key, object_id=cid, radii=CONNECTION_RADIUS,
                cache_key=("conn", inp.cache_key, key), draw_order=draw_order - CONNECTIONS_BELOW))
            part.objects[cid] = inp.scene_object(cid, "connections", positions=pos, pairs=pairs,
                                                 pair_classes=pair_classes)
    add_labels(inp, target, pts, obj, n, point_labels)
    return part
