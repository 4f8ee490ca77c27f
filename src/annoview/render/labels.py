"""Labels: text boxes placed next to what they name, drawn with a runtime glyph atlas.

Two steps per frame. `boxes()` projects each label's anchor on the CPU and says how big its box
is, how far it must stay from its anchor and how it ranks; the `Renderer` hands every label of
the view at once to `label_placement.place_labels`, which picks a free side per label or drops
it, so labels never overlap. `draw()` then draws the glyph quads (laid out once per cache key,
relative to the box's top-left corner) at the placed positions: only those positions (12
bytes per glyph, counted apart from geometry uploads in `FrameStats.label_writes`) are
rewritten, and only when they changed. Label colors use the palette like
points do (class and keypoint ids), so hiding or recoloring a class changes its labels too.
"""
from __future__ import annotations

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .frame import (IMAGE_UNIT, FrameState, attach_instance_data, cached_entry, color_inputs,
                    draw_instanced_quads, model_scale, pick_inputs)
from .label_placement import LabelBoxes, chosen_boxes, primary_side, project_px
from .text import GlyphAtlas
from ..instances import broadcast_last
from ..scene.visuals import NO_CLASS, LabelsVisual

PAD_X, PAD_Y = 5, 3       # UI points between the text and its box's edge (Rerun's boxes are ~23 px tall)


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
        n = len(v.texts)
        color_define, ids_n, colors_n = color_inputs(v, n, v.keypoint_ids)
        instances = np.arange(n, dtype=np.uint32) if v.instances is None else np.asarray(v.instances, np.uint32)
        rects, uvs, owner = [], [], []
        sizes = np.zeros((n, 2), np.int64)
        lh = atlas.line_height
        pad_x, pad_y = round(PAD_X * scale), round(PAD_Y * scale)
        for i, text in enumerate(v.texts):
            glyphs, width = atlas.layout(str(text))
            bw, bh = width + 2 * pad_x, lh + 2 * pad_y
            sizes[i] = bw, bh
            rects.append((0, 0, bw, bh))
            uvs.append((0, 0, 0, 0))
            rects += [(pad_x + gx, pad_y, g.w, g.h) for gx, g in glyphs]
            uvs += [(g.x, g.y, g.w, g.h) for _, g in glyphs]
            owner += [i] * (len(glyphs) + 1)
        owner_a = np.asarray(owner, np.int64)
        m = len(owner_a)
        entry = CacheEntry()
        ids = np.empty((m, 3), np.uint32)
        if m:
            ids[:, :2] = ids_n[owner_a]
            ids[:, 2] = instances[owner_a]
        entry.objects["rect"] = cache.buffer(np.asarray(rects, np.float32).reshape(m, 4))
        entry.objects["uv"] = cache.buffer(np.asarray(uvs, np.float32).reshape(m, 4))
        entry.objects["ids"] = cache.buffer(ids)
        entry.objects["place"] = cache.buffer(np.zeros((m, 3), np.float32))
        pick_n = pick_inputs(v, n)
        defines = attach_instance_data(entry, cache, 3, color_define,
                                       color=None if colors_n is None else colors_n[owner_a],
                                       pick=None if pick_n is None else pick_n[owner_a].reshape(m, 2))
        entry.meta.update(n=m, defines=defines, owner=owner_a, sizes=sizes, placed=None, **_static(v, n))
        atlas.upload()
        return entry

    def _entry(self, v: LabelsVisual, fs: FrameState) -> tuple[CacheEntry, int]:
        scale = float(fs.ui_scale)
        font_px = max(6, round(v.font_size * scale))
        key = None if v.cache_key is None else ("labels", v.cache_key, font_px, scale)
        return cached_entry(fs, key, lambda: self._build(v, fs.cache, font_px, scale)), font_px

    def boxes(self, labels: list[LabelsVisual], fs: FrameState) -> LabelBoxes:
        """Where the labels of these visuals would go this frame, before placement (see the
        module docstring): projected anchors, box sizes, gaps, ranks, and which are switched
        off; one row per label, visuals in order. What does not change between frames comes
        from the cache entry; anchors are projected once per transform, not once per visual."""
        metas = [self._entry(v, fs)[0].meta for v in labels]
        counts = np.array([len(m["sizes"]) for m in metas], np.int64)
        n = int(counts.sum())
        starts = np.cumsum(counts) - counts

        def cat(key: str) -> np.ndarray:
            return np.concatenate([m[key] for m in metas]) if metas else np.zeros(0)

        anchor, w, units_px = np.zeros((n, 2)), np.ones(n), np.ones(n)
        groups: dict[bytes | None, list[int]] = {}
        for j, v in enumerate(labels):
            groups.setdefault(v.transform_key(), []).append(j)
        for members in groups.values():
            transform = labels[members[0]].transform
            rows = (slice(None) if len(groups) == 1 else
                    np.concatenate([np.arange(starts[j], starts[j] + counts[j]) for j in members]))
            view_proj = fs.view_proj if transform is None else fs.view_proj @ np.asarray(transform, np.float64)
            anchor[rows], w[rows] = project_px(np.concatenate([metas[j]["anchors"] for j in members]), view_proj,
                                               fs.viewport)
            units_px[rows] = fs.px_scale * (1.0 if transform is None else model_scale(np.asarray(transform)))
        ok = np.isfinite(w) & (w > 0)
        units_px /= np.where(ok, w, 1.0)
        clearance = cat("clearance") * self._class_scale(labels, metas, starts, fs, n)
        clearance_px = np.where(clearance < 0, -clearance * fs.ui_scale, clearance * units_px)
        gap = np.ceil(clearance_px + cat("offset") * fs.ui_scale).astype(np.int64)
        visible = ok & self._shown(labels, metas, starts, fs, n)
        return LabelBoxes(anchor=anchor, size=cat("sizes").reshape(n, 2), gap=gap, span=cat("span") * units_px,
                          reserve=np.minimum(clearance_px, gap - 1),
                          primary=cat("primary").astype(np.int64), visible=visible, priority=cat("priority"),
                          size_px=cat("extent") * units_px, depth=np.where(ok, w, 0.0) if fs.eye[3] > 0.5 else
                          np.zeros(n), ident=cat("ident").astype(np.uint64))

    @staticmethod
    def _class_scale(labels: list[LabelsVisual], metas: list[dict], starts: np.ndarray, fs: FrameState,
                     n: int) -> np.ndarray:
        """Per label, the size scale the legend gives its class (points and lines drawn bigger
        push their labels out as far)."""
        scale = np.ones(n)
        for j, v in enumerate(labels):
            palette, cid = fs.palettes.get(v.palette_key), metas[j]["class_ids"]
            if palette is not None and cid is not None:
                per = palette.size_scale(cid)
                if per is not None:
                    scale[starts[j]:starts[j] + len(cid)] = per
        return scale

    @staticmethod
    def _shown(labels: list[LabelsVisual], metas: list[dict], starts: np.ndarray, fs: FrameState,
               n: int) -> np.ndarray:
        """Labels not switched off by their class: labels of the class turned off in the legend,
        and (palette-colored ones, as the shader hides them) labels of a hidden class."""
        shown = np.ones(n, bool)
        any_hidden: dict[int, bool] = {}     # per palette, once per frame
        for j, v in enumerate(labels):
            palette = fs.palettes.get(v.palette_key)
            cid = metas[j]["class_ids"]
            if palette is None or cid is None:
                continue
            hidden = v.colors is None and any_hidden.setdefault(id(palette), palette.any_hidden)
            if not (palette.any_labels_off or hidden):
                continue
            has = cid >= 0
            cid = np.where(has, cid, 0)
            off = palette.labels_off(cid)
            if v.colors is None:
                off = off | palette.hidden_classes(cid)
            shown[starts[j]:starts[j] + len(cid)] = ~(off & has)
        return shown

    def draw(self, v: LabelsVisual, fs: FrameState, placed: np.ndarray | None) -> None:
        """Draw the labels of `v` in the boxes `placed` ((N, 4) x0, y0, x1, y1 pixels, NaN rows
        not drawn); None draws none."""
        if not len(v.texts) or placed is None:
            return
        entry, font_px = self._entry(v, fs)
        m = entry.meta
        if m["n"] == 0:
            return
        placed = placed[:, :2]
        sig = placed.tobytes()
        if m["placed"] != sig:   # the same places as last time: nothing to upload
            per_label = np.concatenate([np.nan_to_num(placed, nan=0.0), np.isfinite(placed[:, :1])], 1)
            data = np.ascontiguousarray(per_label[m["owner"]], np.float32)
            entry.objects["place"].write(data.tobytes())
            fs.stats.label_writes += 1
            fs.stats.label_bytes += data.nbytes
            m["placed"] = sig
        prog = fs.program("labels", "labels", m["defines"] | fs.color_by_defines())
        o = entry.objects
        content = [(self.corners, "2f", "in_corner"),
                   (o["place"], "3f/i", "in_place"),
                   (o["rect"], "4f/i", "in_rect"),
                   (o["uv"], "4f/i", "in_uv"),
                   (o["ids"], "3u4/i", "in_ids")]
        self.atlas(font_px).upload().use(IMAGE_UNIT)
        draw_instanced_quads(fs, self.ctx, entry, prog, content, v, u_atlas=IMAGE_UNIT)

    def release(self) -> None:
        for a in self.atlases.values():
            a.release()
        self.corners.release()


def _static(v: LabelsVisual, n: int) -> dict[str, object]:
    """What placement needs of a visual's labels that does not change between frames."""
    pos = np.asarray(v.positions, np.float64).reshape(n, -1)
    if v.idents is not None and len(v.idents) == n:
        ident = np.asarray(v.idents, np.uint64)
    elif v.pick_ids is not None:
        pid = np.asarray(v.pick_ids, np.uint64).reshape(-1, 2)
        ident = (pid[:, 0] << np.uint64(32)) | pid[:, 1]
    else:
        inst = np.arange(n, dtype=np.uint64) if v.instances is None else np.asarray(v.instances, np.uint64)
        ident = (np.uint64(v.object_id) << np.uint64(32)) | inst
    cid = None
    if v.class_ids is not None and np.asarray(v.class_ids).size:
        cid = np.asarray(broadcast_last(np.asarray(v.class_ids).reshape(-1), n), np.int64)
        cid = np.where((cid >= 0) & (cid < 65536) & (cid != NO_CLASS), cid, -1)
    return dict(anchors=pos, ident=ident, class_ids=cid, clearance=v.per_label("clearance", n),
                offset=np.full(n, float(v.offset_px)), span=v.per_label("span", n), extent=v.per_label("extent", n),
                priority=v.per_label("priority", n), primary=np.full(n, primary_side(v.anchor), np.int64))


def label_positions(boxes: LabelBoxes, chosen: np.ndarray) -> np.ndarray:
    """(N, 4) float32 box x0, y0, x1, y1 (pixels, exclusive end) of each placed label, NaN rows
    for dropped ones."""
    out = chosen_boxes(boxes, chosen).astype(np.float32)
    out[chosen < 0] = np.nan
    return out
