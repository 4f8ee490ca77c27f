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

from ..instances import broadcast_last
from .visuals import DEFAULT_CONNECTION_RADIUS, DEFAULT_POINT_RADIUS, NO_KEYPOINT, LinesVisual, PointsVisual, Visual


def _batch_key(v: Visual) -> Hashable | None:
    """Group key, or None for visuals that draw alone (explicit colors, no class ids, ...)."""
    if getattr(v, "pick_ids", None) is not None or v.cache_key is None or v.transform is not None:
        return None   # transformed visuals draw alone: their matrix is a per-draw uniform
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


def _concat_per_instance(values: list[Any], ns: np.ndarray, fill: float | int, dtype: type) -> np.ndarray:
    """Each member's per-instance values broadcast to its instance count (shorter repeat their
    last value, missing ones get `fill`), concatenated. The common shapes (one value per member,
    or exactly one per instance) take one numpy call instead of a loop."""
    arrays = [None if v is None else np.asarray(v).reshape(-1) for v in values]
    if all(a is not None and a.size == 1 for a in arrays):
        return np.repeat(np.array([a[0] for a in arrays], dtype), ns)  # type: ignore[index]
    if all(a is not None and a.size == n for a, n in zip(arrays, ns)):
        return np.concatenate(arrays).astype(dtype, copy=False)  # type: ignore[arg-type]
    parts = []
    for a, n in zip(arrays, ns.tolist()):
        if a is None or a.size == 0:
            parts.append(np.full(n, fill, dtype))
        else:
            parts.append(np.asarray(broadcast_last(a, n), dtype)[:n])
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _pick_ids(object_ids: list[int], ns: np.ndarray) -> np.ndarray:
    """(object id, instance index within its member) per instance."""
    total = int(ns.sum())
    starts = np.repeat(np.cumsum(ns) - ns, ns)
    return np.stack([np.repeat(np.asarray(object_ids, np.uint32), ns),
                     (np.arange(total) - starts).astype(np.uint32)], 1)


def _merge_points(members: list[PointsVisual]) -> PointsVisual:
    positions = [np.asarray(v.positions, np.float32) for v in members]
    ns = np.array([len(p) for p in positions], np.int64)
    first = members[0]
    return PointsVisual(
        positions=np.concatenate(positions),
        class_ids=_concat_per_instance([v.class_ids for v in members], ns, 0, np.uint32),
        keypoint_ids=_concat_per_instance([v.keypoint_ids for v in members], ns, NO_KEYPOINT, np.uint32),
        radii=_concat_per_instance([DEFAULT_POINT_RADIUS if v.radii is None else v.radii for v in members], ns,
                                   DEFAULT_POINT_RADIUS, np.float32),
        palette_key=first.palette_key, draw_order=first.draw_order,
        pick_ids=_pick_ids([v.object_id for v in members], ns),
        cache_key=("batch", tuple(v.cache_key for v in members)))


def _merge_connections(members: list[LinesVisual]) -> LinesVisual:
    points = [np.asarray(v.points, np.float32) for v in members]
    pairs = [np.asarray(v.pairs, np.int64).reshape(-1, 2) for v in members]
    offsets = np.cumsum([0] + [len(p) for p in points[:-1]])
    ns = np.array([len(p) for p in pairs], np.int64)
    first = members[0]
    return LinesVisual(points=np.concatenate(points),
                       pairs=np.concatenate(pairs) + np.repeat(offsets, ns)[:, None],
                       class_ids=_concat_per_instance([v.class_ids for v in members], ns, 0, np.uint32),
                       radii=DEFAULT_CONNECTION_RADIUS if first.radii is None else first.radii,
                       palette_key=first.palette_key, draw_order=first.draw_order,
                       pick_ids=_pick_ids([v.object_id for v in members], ns),
                       cache_key=("batch", tuple(v.cache_key for v in members)))


def batch_visuals(visuals: list[Visual], memo: dict[Hashable, tuple[tuple, Visual]] | None = None) -> list[Visual]:
    """Merge batchable visuals; others keep their place. Draw order is preserved because only
    visuals of equal draw order merge (the renderer sorts stably by draw order). With `memo`
    (one entry per group), a group whose members' cache keys are unchanged reuses its merged
    visual instead of concatenating again."""
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
            continue
        member_keys = tuple(v.cache_key for v in members)
        held = memo.get(item[1]) if memo is not None else None
        if held is not None and held[0] == member_keys:
            merged.append(held[1])
            continue
        batch = (_merge_points(members) if item[1][0] == "points"  # type: ignore[arg-type]
                 else _merge_connections(members))  # type: ignore[arg-type]
        if memo is not None:
            memo[item[1]] = (member_keys, batch)
        merged.append(batch)
    return merged
