"""Labels: text boxes next to points / below boxes, drawn with a runtime glyph atlas.

Layout (which glyph where, in pixels relative to the anchor) is done on the CPU once per cache
key; the anchor is projected on the GPU every frame, so panning and zooming move labels without
re-uploading. Label colors use the palette like points do, so hiding a class hides its labels.
"""
from __future__ import annotations

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .frame import (IMAGE_UNIT, FrameState, attach_instance_data, cached_entry, color_inputs,
                    draw_instanced_quads, pick_inputs)
from .text import GlyphAtlas
from ..scene.visuals import LabelsVisual

PAD_X, PAD_Y = 3, 1


class LabelsRenderer:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.corners = ctx.buffer(np.array([0, 0, 1, 0, 0, 1, 1, 1], np.float32).tobytes())
        self.atlases: dict[int, GlyphAtlas] = {}

    def atlas(self, size: int) -> GlyphAtlas:
        a = self.atlases.get(size)
        if a is None:
            a = self.atlases[size] = GlyphAtlas(self.ctx, size)
        return a

    def _build(self, v: LabelsVisual, cache: GeometryCache, font_px: int, scale: float) -> CacheEntry:
        atlas = self.atlas(font_px)
        pos = np.asarray(v.positions, np.float32)
        n = len(v.texts)
        dim = pos.shape[1] if pos.ndim == 2 else 2
        color_define, ids_n, colors_n = color_inputs(v, n)
        instances = np.arange(n, dtype=np.uint32) if v.instances is None else np.asarray(v.instances, np.uint32)
        anchors, rects, uvs, ids, owner = [], [], [], [], []
        lh = atlas.line_height
        for i, text in enumerate(v.texts):
            glyphs, width = atlas.layout(str(text))
            pad_x, pad_y = round(PAD_X * scale), round(PAD_Y * scale)
            bw, bh = width + 2 * pad_x, lh + 2 * pad_y
            off = float(v.offset_px) * scale
            if v.anchor == "right":
                bx, by = off, -(bh // 2)
            elif v.anchor == "below":
                bx, by = -(bw // 2), off
            else:
                bx, by = -(bw // 2), -(bh // 2)
            quads = [((bx, by, bw, bh), (0, 0, 0, 0))]
            quads += [((bx + pad_x + gx, by + pad_y, g.w, g.h), (g.x, g.y, g.w, g.h)) for gx, g in glyphs]
            for rect, uv in quads:
                anchors.append(pos[i])
                rects.append(rect)
                uvs.append(uv)
                owner.append(i)
        owner_a = np.asarray(owner, np.int64)
        m = len(owner_a)
        entry = CacheEntry()
        ids = np.empty((m, 2), np.uint32)
        if m:
            ids[:, 0] = ids_n[owner_a, 0]
            ids[:, 1] = instances[owner_a]
        entry.objects["anchor"] = cache.buffer(np.asarray(anchors, np.float32).reshape(m, dim))
        entry.objects["rect"] = cache.buffer(np.asarray(rects, np.float32).reshape(m, 4))
        entry.objects["uv"] = cache.buffer(np.asarray(uvs, np.float32).reshape(m, 4))
        entry.objects["ids"] = cache.buffer(ids)
        pick_n = pick_inputs(v, n)
        defines = attach_instance_data(entry, cache, dim, color_define,
                                       color=None if colors_n is None else colors_n[owner_a],
                                       pick=None if pick_n is None else pick_n[owner_a].reshape(m, 2))
        entry.meta.update(n=m, dim=dim, defines=defines)
        atlas.upload()
        return entry

    def draw(self, v: LabelsVisual, fs: FrameState) -> None:
        if not len(v.texts):
            return
        scale = float(fs.ui_scale)
        font_px = max(6, round(v.font_size * scale))
        key = None if v.cache_key is None else ("labels", v.cache_key, font_px, scale)
        entry = cached_entry(fs, key, lambda: self._build(v, fs.cache, font_px, scale))
        m = entry.meta
        if m["n"] == 0:
            return
        prog = fs.program("labels", "labels", m["defines"] | fs.color_by_defines())
        o = entry.objects
        content = [(self.corners, "2f", "in_corner"),
                   (o["anchor"], f"{m['dim']}f/i", "in_anchor"),
                   (o["rect"], "4f/i", "in_rect"),
                   (o["uv"], "4f/i", "in_uv"),
                   (o["ids"], "2u4/i", "in_ids")]
        self.atlas(font_px).upload().use(IMAGE_UNIT)
        draw_instanced_quads(fs, self.ctx, entry, prog, content, v, u_atlas=IMAGE_UNIT)

    def release(self) -> None:
        for a in self.atlases.values():
            a.release()
        self.corners.release()
