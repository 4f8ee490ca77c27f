"""Batching of per-entity visuals: many skeleton entities -> one points + one connections draw.

A scene with 1,000 people logged as 1,000 entities would otherwise cost 2,000 draw calls (and
2,000 GL buffers per scrubbed frame). Palette-colored points and keypoint connections that share
a palette, a view and a draw order are concatenated; `pick_ids` keep every instance pickable as
(entity object id, instance). The merged cache key is the tuple of the members' keys, so a
frame seen before uploads nothing.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from .render.visuals import (DEFAULT_CONNECTION_RADIUS, DEFAULT_POINT_RADIUS, NO_KEYPOINT, LinesVisual,
                             PointsVisual, Visual, broadcast_last)


def _batch_key(v: Visual) -> Hashable | None:
    """Group key, or None for visuals that draw alone (explicit colors, no class ids, ...)."""
    if getattr(v, "pick_ids", None) is not None or v.cache_key is None:
        return None
    if isinstance(v, PointsVisual) and v.colors is None and v.class_ids is not None:
        return ("points", v.palette_key, v.draw_order, np.asarray(v.positions).shape[1])
    if isinstance(v, LinesVisual) and v.pairs is not None and v.colors is None and v.class_ids is not None:
        return ("connections", v.palette_key, v.draw_order, np.asarray(v.points).shape[1], _scalar(v.radii))
    return None


def _scalar(r: Any) -> float | None:
    if r is None:
        return None
    a = np.asarray(r, np.float32).reshape(-1)
    return float(a[0]) if a.size == 1 else None


def _per_instance(values: Any, n: int, fill: float | int, dtype: type) -> np.ndarray:
    if values is None:
        return np.full(n, fill, dtype)
    arr = broadcast_last(np.asarray(values).reshape(-1), n)
    return np.asarray(arr, dtype) if len(arr) == n else np.full(n, fill, dtype)


def _merge_points(members: list[PointsVisual]) -> PointsVisual:
    pos, cls, kps, radii, pick = [], [], [], [], []
    for v in members:
        p = np.asarray(v.positions, np.float32)
        n = len(p)
        pos.append(p)
        cls.append(_per_instance(v.class_ids, n, 0, np.uint32))
        kps.append(_per_instance(v.keypoint_ids, n, NO_KEYPOINT, np.uint32))
        radii.append(_per_instance(v.radii, n, DEFAULT_POINT_RADIUS, np.float32))
        pick.append(np.stack([np.full(n, v.object_id, np.uint32), np.arange(n, dtype=np.uint32)], 1))
    first = members[0]
    return PointsVisual(positions=np.concatenate(pos), class_ids=np.concatenate(cls), keypoint_ids=np.concatenate(kps),
                        radii=np.concatenate(radii), palette_key=first.palette_key, draw_order=first.draw_order,
                        pick_ids=np.concatenate(pick), cache_key=("batch", tuple(v.cache_key for v in members)))


def _merge_connections(members: list[LinesVisual]) -> LinesVisual:
    pts, pairs, cls, pick = [], [], [], []
    offset = 0
    for v in members:
        p = np.asarray(v.points, np.float32)
        pr = np.asarray(v.pairs, np.int64).reshape(-1, 2)
        pts.append(p)
        pairs.append(pr + offset)
        offset += len(p)
        cls.append(_per_instance(v.class_ids, len(pr), 0, np.uint32))
        pick.append(np.stack([np.full(len(pr), v.object_id, np.uint32), np.arange(len(pr), dtype=np.uint32)], 1))
    first = members[0]
    return LinesVisual(points=np.concatenate(pts), pairs=np.concatenate(pairs), class_ids=np.concatenate(cls),
                       radii=DEFAULT_CONNECTION_RADIUS if first.radii is None else first.radii,
                       palette_key=first.palette_key, draw_order=first.draw_order, pick_ids=np.concatenate(pick),
                       cache_key=("batch", tuple(v.cache_key for v in members)))


def batch_visuals(visuals: list[Visual]) -> list[Visual]:
    """Merge batchable visuals; others keep their place. Draw order is preserved because only
    visuals of equal draw order merge (the renderer sorts stably by draw order)."""
    groups: dict[Hashable, list[Visual]] = {}
    out: list[Visual | Hashable] = []
    for v in visuals:
        key = _batch_key(v)
        if key is None:
            out.append(v)
            continue
        if key not in groups:
            groups[key] = []
            out.append(("group", key))
        groups[key].append(v)
    merged: list[Visual] = []
    for item in out:
        if isinstance(item, Visual):
            merged.append(item)
            continue
        members = groups[item[1]]
        if len(members) == 1:
            merged.append(members[0])
        elif item[1][0] == "points":
            merged.append(_merge_points(members))  # type: ignore[arg-type]
        else:
            merged.append(_merge_connections(members))  # type: ignore[arg-type]
    return merged
