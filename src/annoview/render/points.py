"""Points2D / Points3D: instanced round points, one draw call per visual.

Per-instance data (position, class + keypoint ids, optional colors/radii) is uploaded once per
cache key; the color comes from the palette in the vertex shader unless explicit colors are given,
so palette edits never touch these buffers.
"""
from __future__ import annotations

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .frame import (FrameState, attach_instance_data, cached_entry, class_style_define, color_inputs,
                    draw_instanced_quads, pick_inputs, radius_inputs)
from ..scene.visuals import DEFAULT_POINT_RADIUS, PointsVisual


class PointsRenderer:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.corners = ctx.buffer(np.array([-1, -1, 1, -1, -1, 1, 1, 1], np.float32).tobytes())

    def _build(self, v: PointsVisual, cache: GeometryCache) -> CacheEntry:
        pos = np.ascontiguousarray(np.asarray(v.positions, np.float32))
        n, dim = pos.shape
        color_define, ids, colors = color_inputs(v, n, v.keypoint_ids)
        radius, radii = radius_inputs(v.radii, DEFAULT_POINT_RADIUS, n)
        entry = CacheEntry()
        entry.objects["position"] = cache.buffer(pos)
        entry.objects["ids"] = cache.buffer(ids)
        defines = attach_instance_data(entry, cache, dim, color_define, color=colors, radius=radii,
                                       pick=pick_inputs(v, n)) | class_style_define(ids[:, 0])
        entry.meta.update(n=n, dim=dim, defines=defines, radius=radius)
        return entry

    def draw(self, v: PointsVisual, fs: FrameState) -> None:
        if len(v.positions) == 0:
            return
        key = None if v.cache_key is None else ("points", v.cache_key)
        entry = cached_entry(fs, key, lambda: self._build(v, fs.cache))
        m = entry.meta
        prog = fs.program("points", "points", m["defines"] | fs.color_by_defines())
        o = entry.objects
        content = [(self.corners, "2f", "in_corner"),
                   (o["position"], f"{m['dim']}f/i", "in_position"),
                   (o["ids"], "2u4/i", "in_ids")]
        draw_instanced_quads(fs, self.ctx, entry, prog, content, v, u_radius=float(m["radius"]))

    def release(self) -> None:
        self.corners.release()
