"""Frame-level API: visuals + camera + palettes -> a rendered view with picking.

    renderer = Renderer(ctx)
    result = renderer.render_2d(visuals, Camera2D.pixel_exact(w, h), (w, h), {ctx_key: palette})
    rgba = result.read_rgba(); hit = result.pick(x, y)

Rules (docs/architecture.md, docs/semantics.md): visuals draw sorted by `draw_order` (stable; higher on top);
2D uses painter's order without depth, 3D adds a depth test and a ground grid; color blends in
linear light; a segmentation image with `opacity=None` gets 0.5 when an image is drawn under it
and 1.0 otherwise. Picking is lazy: `result.pick(x, y)` redraws the frame's visuals into the
integer pick target scissored to that pixel (target.py says why). GL state is restored
afterwards (blend, depth, sRGB writes off, previous framebuffer bound) so a UI drawing into the
same context is not disturbed. One Renderer per GL context; the context must be current.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Hashable, Mapping, Sequence

import numpy as np
import moderngl

from .cache import GeometryCache
from .camera import Camera2D, Camera3D
from .context import GL_FRAMEBUFFER_SRGB, create_headless_context
from .color_tables import ColorTables
from .frame import COLOR_BY_MODES, COLOR_TABLE_UNIT, FrameState, FrameStats
from .grid import grid_visual
from .images import ImageRenderer, SegmentationRenderer
from .label_placement import place_labels
from .labels import LabelsRenderer, label_positions
from .lines import LinesRenderer
from .palette import PaletteTexture, neutral_style_texture
from .points import PointsRenderer
from .solids import SolidsRenderer
from .shaders import ShaderLibrary
from .target import FrameTarget, PickResult
from ..scene.visuals import (SEGMENTATION_OVER_IMAGE_OPACITY, BoxesVisual, ImageVisual, LabelsVisual,
                      LinesVisual, PointsVisual, SegmentationVisual, SolidsVisual, Visual)

DEFAULT_BACKGROUND = (18, 18, 20, 255)
SCISSORED_PICKS_PER_FRAME = 3


@dataclass
class FrameRecord:
    """Everything needed to draw a frame again (the pick pass redraws it on demand)."""

    visuals: list[Visual]                  # sorted by draw order
    view_proj: np.ndarray
    px_scale: float
    size: tuple[int, int]
    palettes: Mapping[Hashable, PaletteTexture]
    depth: bool
    grid: LinesVisual | None
    eye: tuple[float, float, float, float]
    ui_scale: float = 1.0
    # id(LabelsVisual) -> (N, 4) x0, y0, x1, y1 pixels of each label box, NaN = not drawn (placed once
    # per frame, so the pick pass draws labels exactly where the color pass did)
    label_places: dict[int, np.ndarray] = field(default_factory=dict)


@dataclass
class FrameResult:
    """One rendered view. Valid until the same view is rendered again (its target is reused)."""

    target: FrameTarget
    stats: FrameStats
    renderer: "Renderer"
    record: FrameRecord
    _scissored_picks: int = 0

    @property
    def size(self) -> tuple[int, int]:
        return self.target.size

    def read_rgba(self) -> np.ndarray:
        """(H, W, 4) uint8 sRGB, top row first."""
        return self.target.read_rgba()

    def read_pick(self) -> np.ndarray:
        """(H, W, 4) uint32 (object, instance, class + 1, keypoint + 1) for every pixel."""
        self._full_pick()
        return self.target.read_pick()

    def pick(self, x: int, y: int) -> PickResult | None:
        """What is drawn at framebuffer pixel (x, y) (top-left origin); None = background.

        The first few picks of a frame each run a pick pass scissored to that pixel (cheap
        fragments, but all vertices again); a hover that keeps moving over the same frame then
        gets one full-frame pick pass and plain texel reads from it.
        """
        w, h = self.size
        if not (0 <= x < w and 0 <= y < h):
            return None
        if self.target.pick_source is not self.record:
            self._scissored_picks += 1
            if self._scissored_picks <= SCISSORED_PICKS_PER_FRAME:
                self.renderer.render_pick(self, (int(x), h - 1 - int(y), 1, 1))
                self.target.pick_source = None   # only that pixel is valid
                return self.target.pick_texel(x, y)
            self._full_pick()
        return self.target.pick_texel(x, y)

    def _full_pick(self) -> None:
        if self.target.pick_source is not self.record:
            self.renderer.render_pick(self, None)
            self.target.pick_source = self.record

    def label_boxes(self) -> list[tuple[LabelsVisual, np.ndarray]]:
        """The frame's labels with their boxes ((N, 4) x0, y0, x1, y1 framebuffer pixels, top-left
        origin, exclusive end; NaN rows: not drawn, dropped for space or switched off)."""
        return [(v, self.record.label_places[id(v)]) for v in self.record.visuals
                if isinstance(v, LabelsVisual) and id(v) in self.record.label_places]

    def display_texture(self) -> moderngl.Texture:
        """Plain RGBA8 texture with the frame's bytes, for showing in imgui (uv0=(0,1), uv1=(1,0))."""
        return self.renderer.display_texture(self.target)

    def save_png(self, path: str) -> None:
        from PIL import Image

        Image.fromarray(self.read_rgba(), "RGBA").save(path)


class Renderer:
    """Owns shaders, per-primitive renderers, the geometry cache and per-view targets."""

    def __init__(self, ctx: moderngl.Context | None = None, *, cache_budget_bytes: int = 1 << 30,
                 background: tuple[int, int, int, int] = DEFAULT_BACKGROUND) -> None:
        self.ctx = ctx if ctx is not None else create_headless_context()
        self.shaders = ShaderLibrary(self.ctx)
        self.cache = GeometryCache(self.ctx, cache_budget_bytes)
        self.background = background
        self.points = PointsRenderer(self.ctx)
        self.lines = LinesRenderer(self.ctx)
        self.images = ImageRenderer(self.ctx)
        self.segmentation = SegmentationRenderer(self.ctx)
        self.labels = LabelsRenderer(self.ctx)
        self.solids = SolidsRenderer(self.ctx)
        self.draw_calls = 0          # total over the renderer's life
        # framebuffer pixels per UI point: screen-pixel radii and labels grow with it on HiDPI
        # screens (the viewer sets it from the window's scale; headless renders use 1)
        self.ui_scale = 1.0
        # The framebuffer to leave bound between frames: the window's, or GL's default in a
        # standalone context (moderngl reports None there). Never leave a target of ours bound:
        # releasing a bound FBO makes moderngl's next framebuffer creation rebind a dead name.
        self._home_fbo = self.ctx.fbo if self.ctx.fbo is not None else self.ctx.detect_framebuffer(0)
        self._targets: dict[Hashable, FrameTarget] = {}
        # view option "color by" (class | entity | instance) and the tables it reads
        self.color_by = "class"
        self.neutral_style = neutral_style_texture(self.ctx)
        self._color_tables = ColorTables(self.ctx)
        # per view: (sorted label identities, the side each was placed on, its anchor) of the
        # last frame, so a label keeps its side while scrubbing
        self._label_sides: dict[Hashable, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.label_seconds = 0.0     # CPU time of the last frame's label placement

    def set_object_colors(self, colors: np.ndarray) -> None:
        """(N, 4) uint8 sRGB: row = object id, the entity color "color by entity" shows for it
        (the scene renderer fills it with each object's entity default color)."""
        self._color_tables.set_object_colors(colors)

    # ---- public API -------------------------------------------------------------------------
    def palette(self, colors: np.ndarray, keypoints: Sequence[tuple] = ()) -> PaletteTexture:
        """A new PaletteTexture in this renderer's context."""
        return PaletteTexture(self.ctx, colors, keypoints)

    def render_2d(self, visuals: Sequence[Visual], camera: Camera2D, size: tuple[int, int] | None = None,
                  palettes: Mapping[Hashable, PaletteTexture] | None = None, *,
                  background: tuple[int, int, int, int] | None = None, view: Hashable = "2d") -> FrameResult:
        """Render a 2D view (image pixel coordinates, y down) into the target of `view`."""
        size = size or camera.size
        if size is None:
            raise ValueError("render_2d needs a size (or a camera made with one)")
        vp = camera.view_proj(size)
        px_scale = abs(vp[1, 1]) * size[1] / 2.0
        return self._render(list(visuals), vp, px_scale, size, palettes or {}, background, view, depth=False,
                            eye=(0.0, 0.0, 1.0, 0.0))

    def render_3d(self, visuals: Sequence[Visual], camera: Camera3D, size: tuple[int, int],
                  palettes: Mapping[Hashable, PaletteTexture] | None = None, *,
                  background: tuple[int, int, int, int] | None = None, grid: bool = True,
                  view: Hashable = "3d") -> FrameResult:
        """Render a 3D view through a perspective orbit camera, with depth test and ground grid."""
        vp = camera.view_proj(size)
        px_scale = abs(camera.proj(size)[1, 1]) * size[1] / 2.0
        eye = camera.eye()
        return self._render(list(visuals), vp, px_scale, size, palettes or {}, background, view, depth=True,
                            grid=grid_visual(camera) if grid else None,
                            eye=(float(eye[0]), float(eye[1]), float(eye[2]), 1.0))

    def target(self, view: Hashable, size: tuple[int, int]) -> FrameTarget:
        t = self._targets.get(view)
        if t is None or t.size != tuple(size):
            if t is not None:
                self._home_fbo.use()
                t.release()
            t = self._targets[view] = FrameTarget(self.ctx, size)
        return t

    def display_texture(self, target: FrameTarget) -> moderngl.Texture:
        prev = self.ctx.fbo or self._home_fbo
        self.ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        tex = target.display_texture(self.shaders.program("resolve", "resolve"))
        _restore_fbo(prev)
        return tex

    def release(self) -> None:
        self._home_fbo.use()
        for t in self._targets.values():
            t.release()
        self._targets.clear()
        self.cache.clear()
        for r in (self.points, self.lines, self.images, self.segmentation, self.labels, self.solids):
            r.release()
        self.shaders.release()
        self.neutral_style.release()
        self._color_tables.release()

    # ---- frame ------------------------------------------------------------------------------
    def _render(self, visuals: list[Visual], view_proj: np.ndarray, px_scale: float, size: tuple[int, int],
                palettes: Mapping[Hashable, PaletteTexture], background: tuple[int, int, int, int] | None,
                view: Hashable, depth: bool, grid: LinesVisual | None = None,
                eye: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 0.0)) -> FrameResult:
        ctx = self.ctx
        prev_fbo = ctx.fbo or self._home_fbo
        size = (int(size[0]), int(size[1]))
        target = self.target(view, size)
        stats = FrameStats(visuals=len(visuals))
        uploads0, bytes0 = self.cache.uploads, self.cache.bytes_uploaded
        for key in {getattr(v, "palette_key", None) for v in visuals}:
            if key in palettes:
                stats.palette_writes += palettes[key].sync()
        order = sorted(range(len(visuals)), key=lambda i: (visuals[i].draw_order, i))
        record = FrameRecord([visuals[i] for i in order], view_proj, px_scale, size, palettes, depth, grid, eye,
                             self.ui_scale)
        if self.color_by not in COLOR_BY_MODES:
            raise ValueError(f"color_by must be one of {', '.join(COLOR_BY_MODES)}, got {self.color_by!r}")
        fs = FrameState(ctx, self.shaders, self.cache, view_proj, px_scale, size, palettes, stats, eye=eye,
                        ui_scale=self.ui_scale, color_by=self.color_by, neutral_style=self.neutral_style)
        if self.color_by != "class":
            self._color_tables.bind(self.color_by, COLOR_TABLE_UNIT)
        self.cache.begin_frame()
        try:
            target.clear(background or self.background, depth=depth)
            fbo = target.fbo_3d if depth else target.fbo
            fbo.use()
            self._begin_state(depth)
            ctx.enable_direct(GL_FRAMEBUFFER_SRGB)
            self._place_labels(record, fs, view)
            self._draw(record, fs, fbo)
        finally:
            self._end_state()
            self.cache.end_frame()
            _restore_fbo(prev_fbo)
        stats.uploads = self.cache.uploads - uploads0
        stats.bytes_uploaded = self.cache.bytes_uploaded - bytes0
        self.draw_calls += stats.draw_calls
        return FrameResult(target, stats, self, record)

    def render_pick(self, result: FrameResult, rect: tuple[int, int, int, int] | None) -> FrameStats:
        """Redraw `result`'s frame into its pick target, only inside `rect` (GL window
        coordinates x, y from the bottom, w, h) or everywhere; returns the pass's stats."""
        ctx = self.ctx
        rec, target = result.record, result.target
        prev_fbo = ctx.fbo or self._home_fbo
        stats = FrameStats(visuals=len(rec.visuals))
        fs = FrameState(ctx, self.shaders, self.cache, rec.view_proj, rec.px_scale, rec.size, rec.palettes, stats,
                        eye=rec.eye, pick_pass=True, ui_scale=rec.ui_scale, neutral_style=self.neutral_style)
        self.cache.begin_frame()
        try:
            target.clear_pick(rect, rec.depth)
            fbo = target.pick_fbo_3d if rec.depth else target.pick_fbo
            fbo.use()
            self._begin_state(rec.depth)
            ctx.disable(moderngl.BLEND)
            fs.blending = False
            if rect is not None:
                ctx.scissor = rect
            self._draw(rec, fs, fbo)
        finally:
            ctx.scissor = None
            self._end_state()
            self.cache.end_frame()
            _restore_fbo(prev_fbo)
        self.draw_calls += stats.draw_calls
        return stats

    def _place_labels(self, rec: FrameRecord, fs: FrameState, view: Hashable) -> None:
        """Place every label of the frame at once (label_placement.py): labels of all entities
        compete for space, so none overlaps another."""
        t0 = time.perf_counter()
        labels = [v for v in rec.visuals if isinstance(v, LabelsVisual) and len(v.texts)]
        if not labels:
            self._label_sides.pop(view, None)
            self.label_seconds = 0.0
            return
        boxes = self.labels.boxes(labels, fs)
        chosen = place_labels(boxes, fs.viewport, self._label_sides.get(view))
        order = np.argsort(boxes.ident, kind="stable")
        self._label_sides[view] = (boxes.ident[order], chosen[order], boxes.anchor[order])
        places = label_positions(boxes, chosen)
        start = 0
        for v in labels:
            rec.label_places[id(v)] = places[start:start + len(v.texts)]
            start += len(v.texts)
        self.label_seconds = time.perf_counter() - t0

    def _begin_state(self, depth: bool) -> None:
        ctx = self.ctx
        ctx.disable(moderngl.CULL_FACE)
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA,
                          moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA)
        ctx.blend_equation = moderngl.FUNC_ADD
        if depth:
            ctx.enable(moderngl.DEPTH_TEST)
            ctx.depth_func = "<="
        else:
            ctx.disable(moderngl.DEPTH_TEST)

    def _end_state(self) -> None:
        ctx = self.ctx
        ctx.disable_direct(GL_FRAMEBUFFER_SRGB)
        ctx.disable(moderngl.BLEND | moderngl.DEPTH_TEST)

    def _draw(self, rec: FrameRecord, fs: FrameState, fbo: moderngl.Framebuffer) -> None:
        """Draw the frame's visuals in order (shared by the color pass and the pick pass)."""
        ctx = self.ctx
        if rec.grid is not None:
            # the ground grid: depth-tested but never written, so it hides nothing
            fbo.depth_mask = False
            self.lines.draw(rec.grid, fs)
            fbo.depth_mask = True
        image_below = False
        plane = 0
        for v in rec.visuals:
            flat = rec.depth and v.transform is not None and _is_flat(v)
            if flat:
                # 2D layers on one image plane in 3D: each later layer (higher draw order) is
                # pulled slightly toward the eye so equal depths cannot flicker
                plane += 1
                ctx.polygon_offset = (-1.0 * plane, -4.0 * plane)
                ctx.enable_direct(GL_POLYGON_OFFSET_FILL)
            self._draw_one(rec, fs, fbo, v, image_below)
            if isinstance(v, (ImageVisual, SegmentationVisual)):
                image_below = True
            if flat:
                ctx.disable_direct(GL_POLYGON_OFFSET_FILL)
                ctx.polygon_offset = (0.0, 0.0)

    def _draw_one(self, rec: FrameRecord, fs: FrameState, fbo: moderngl.Framebuffer, v: Visual,
                  image_below: bool) -> None:
        ctx = self.ctx
        if isinstance(v, LabelsVisual):
            ctx.disable(moderngl.DEPTH_TEST)   # labels overlay everything
            self.labels.draw(v, fs, rec.label_places.get(id(v)))
            if rec.depth:
                ctx.enable(moderngl.DEPTH_TEST)
        elif isinstance(v, PointsVisual):
            self.points.draw(v, fs)
        elif isinstance(v, (LinesVisual, BoxesVisual)):
            self.lines.draw(v, fs)
        elif isinstance(v, SolidsVisual):
            translucent = v.opacity < 1.0 and not fs.pick_pass
            fbo.depth_mask = not translucent   # a translucent fill hides nothing behind it
            self.solids.draw(v, fs)
            fbo.depth_mask = True
        elif isinstance(v, ImageVisual):
            self.images.draw(v, fs)
        elif isinstance(v, SegmentationVisual):
            opacity = v.opacity
            if opacity is None:
                opacity = SEGMENTATION_OVER_IMAGE_OPACITY if image_below else 1.0
            self.segmentation.draw(v, fs, opacity)
        else:
            raise TypeError(f"not a visual: {type(v).__name__}")


GL_POLYGON_OFFSET_FILL = 0x8037


def _is_flat(v: Visual) -> bool:
    """Does the visual have 2D positions (an image layer, or 2D points/lines/boxes)?"""
    if isinstance(v, (ImageVisual, SegmentationVisual, BoxesVisual)):
        return True
    if isinstance(v, PointsVisual):
        return np.asarray(v.positions).shape[-1] == 2
    if isinstance(v, LinesVisual):
        data = v.segments if v.segments is not None else v.points
        return data is not None and np.asarray(data).shape[-1] == 2
    return False


def _restore_fbo(fbo: moderngl.Framebuffer | None) -> None:
    """Rebind the framebuffer that was bound before we drew (unless it has been released)."""
    if fbo is not None and not isinstance(fbo.mglo, moderngl.InvalidObject):
        fbo.use()
