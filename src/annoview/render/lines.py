"""Line segments: LineStrips2D/3D, Boxes2D outlines, 3D wireframes, keypoint connections, arrows,
the 3D grid.

Core profiles cap glLineWidth at 1, so each segment is an instanced quad expanded in screen
space (shaders/lines.vert.glsl); width = 2 * radius, negative radius = UI points, with round caps
and joins cut in the fragment shader and a one-pixel antialiased edge. Per-segment data
is uploaded once per cache key; class colors come from the palette on the GPU.
"""
from __future__ import annotations

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .frame import (FrameState, attach_instance_data, cached_entry, class_style_define, color_inputs,
                    draw_instanced_quads, pick_inputs, radius_inputs)
from ..scene.visuals import DEFAULT_LINE_RADIUS, ArrowsVisual, BoxesVisual, LinesVisual


class LinesRenderer:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.corners = ctx.buffer(np.array([0, -1, 0, 1, 1, -1, 1, 1], np.float32).tobytes())

    def _build(self, v: LinesVisual | BoxesVisual, cache: GeometryCache) -> CacheEntry:
        seg, inst = v.segment_arrays()
        m, _, dim = seg.shape
        k = v.instance_count()
        color_define, ids_k, colors_k = color_inputs(v, k)
        radius, radii_k = radius_inputs(v.radii, DEFAULT_LINE_RADIUS, k)
        ids = np.empty((m, 2), np.uint32)
        ids[:, 0] = ids_k[inst, 0] if k else 0
        ids[:, 1] = inst
        entry = CacheEntry()
        entry.objects["segments"] = cache.buffer(np.ascontiguousarray(seg.reshape(m, 2 * dim)))
        entry.objects["ids"] = cache.buffer(ids)
        pick_k = pick_inputs(v, k)
        defines = attach_instance_data(entry, cache, dim, color_define,
                                       color=None if colors_k is None else colors_k[inst],
                                       radius=None if radii_k is None else radii_k[inst],
                                       pick=None if pick_k is None else pick_k[inst]) | class_style_define(ids_k[:, 0])
        entry.meta.update(n=m, dim=dim, defines=defines, radius=radius)
        return entry

    def draw(self, v: LinesVisual | BoxesVisual, fs: FrameState) -> None:
        kind = "boxes" if isinstance(v, BoxesVisual) else "lines"
        key = None if v.cache_key is None else (kind, v.cache_key)
        entry = cached_entry(fs, key, lambda: self._build(v, fs.cache))
        m = entry.meta
        if m["n"] == 0:
            return
        o = entry.objects
        d = m["dim"]
        content = [(self.corners, "2f", "in_corner"),
                   (o["segments"], f"{d}f {d}f/i", "in_p0", "in_p1"),
                   (o["ids"], "2u4/i", "in_ids")]
        # an arrow is two instanced draws of its segment: the shaft, stopping where the head
        # starts, then the head (the same quad folded into a triangle at the tip)
        variants = ((frozenset(),) if not isinstance(v, ArrowsVisual)
                    else (frozenset({"ARROW_SHAFT"}), frozenset({"ARROW_HEAD"})))
        for extra in variants:
            prog = fs.program("lines", "lines", m["defines"] | extra | fs.color_by_defines())
            uniforms = dict(u_radius=float(m["radius"]))
            if extra:
                uniforms.update(u_head_length=ArrowsVisual.HEAD_LENGTH, u_head_width=ArrowsVisual.HEAD_WIDTH)
            draw_instanced_quads(fs, self.ctx, entry, prog, content, v, **uniforms)

    def release(self) -> None:
        self.corners.release()
