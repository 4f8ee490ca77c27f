"""Per-view render target: linear-light color plus an integer pick target, and picking.

Color: SRGB8_ALPHA8 with GL_FRAMEBUFFER_SRGB enabled while drawing, so shaders write linear
color and blending happens in linear light (Rerun's look), yet the stored bytes are ordinary
sRGB: reading them back gives the palette colors exactly.
Pick: RGBA32UI = (object id, instance, class id + 1, keypoint id + 1); 0 means "none". It is
filled by a separate pick pass on demand, scissored to the pixels asked for (hover reads one
texel, docs/architecture.md "Picking"), so frames nobody hovers pay nothing for picking;
a second render target in the color pass cost ~3x the draw time on llvmpipe.
Depth: a 24-bit depth renderbuffer for 3D views, shared by both passes.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import moderngl

from .context import GL_SRGB8_ALPHA8, read_fbo_rgba


class PickResult(NamedTuple):
    """What is under a pixel: object id (the visual's), instance index, class id, keypoint id.

    For images and segmentation images the instance is the pixel index y * W + x.
    `class_id` / `keypoint_id` are None when the hit thing has none.
    """

    object_id: int
    instance: int
    class_id: int | None
    keypoint_id: int | None


def decode_pick(record: np.ndarray) -> PickResult | None:
    obj, inst, cls, kp = (int(v) for v in record)
    if obj == 0:
        return None
    return PickResult(obj, inst, cls - 1 if cls else None, kp - 1 if kp else None)


class FrameTarget:
    """The FBOs of one view, reused across frames while the size stays the same."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int]) -> None:
        self.ctx = ctx
        self.size = (int(size[0]), int(size[1]))
        self.color = ctx.texture(self.size, 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
        self.color.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.pick = ctx.texture(self.size, 4, dtype="u4")
        self.pick.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.depth = ctx.depth_renderbuffer(self.size)
        # 2D passes use FBOs without the depth attachment: on llvmpipe an attached depth buffer
        # costs ~2x fragment time even with the depth test off.
        self.fbo = ctx.framebuffer(color_attachments=[self.color])
        self.pick_fbo = ctx.framebuffer(color_attachments=[self.pick])
        self.fbo_3d = ctx.framebuffer(color_attachments=[self.color], depth_attachment=self.depth)
        self.pick_fbo_3d = ctx.framebuffer(color_attachments=[self.pick], depth_attachment=self.depth)
        # Single-attachment FBOs so each buffer is cleared with values of its own type
        # (a float clear of an integer target writes float bit patterns).
        self._fbo_color = self.fbo
        self._fbo_pick = self.pick_fbo
        self._fbo_depth = ctx.framebuffer(depth_attachment=self.depth)
        self.pick_source: object | None = None   # the frame whose full pick pass the pick target holds
        self._display: moderngl.Texture | None = None
        self._display_fbo: moderngl.Framebuffer | None = None

    def clear(self, background: tuple[int, int, int, int], depth: bool = True) -> None:
        """Color = background bytes exactly (sRGB writes off), depth = 1 (3D only)."""
        r, g, b, a = (c / 255.0 for c in background)
        self._fbo_color.clear(r, g, b, a)
        if depth:
            self._fbo_depth.clear(depth=1.0)

    def clear_pick(self, rect: tuple[int, int, int, int] | None, depth: bool) -> None:
        """Pick = 0 (and depth = 1) inside `rect` (GL window coordinates) or everywhere."""
        self._fbo_pick.clear(0.0, 0.0, 0.0, 0.0, viewport=rect)
        if depth:
            self._fbo_depth.clear(depth=1.0, viewport=rect)

    def read_rgba(self) -> np.ndarray:
        """(H, W, 4) uint8 sRGB, top row first."""
        return read_fbo_rgba(self.fbo, attachment=0)

    def read_pick(self) -> np.ndarray:
        """(H, W, 4) uint32 pick records as last rendered by a pick pass, top row first."""
        w, h = self.size
        data = self.pick_fbo.read(components=4, dtype="u4", alignment=1)
        return np.frombuffer(data, np.uint32).reshape(h, w, 4)[::-1].copy()

    def pick_texel(self, x: int, y: int) -> PickResult | None:
        """The pick record at framebuffer pixel (x, y) (top-left origin) after a pick pass."""
        h = self.size[1]
        data = self.pick_fbo.read(viewport=(int(x), h - 1 - int(y), 1, 1), components=4, dtype="u4", alignment=1)
        return decode_pick(np.frombuffer(data, np.uint32))

    def display_texture(self, resolve_program: moderngl.Program) -> moderngl.Texture:
        """A plain RGBA8 copy of the color target (same bytes), for imgui-style displays that
        would otherwise sRGB-decode the texture when sampling it. Rows are bottom-up as in GL:
        show it with uv0 = (0, 1), uv1 = (1, 0)."""
        if self._display is None:
            self._display = self.ctx.texture(self.size, 4, dtype="f1")
            self._display.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self._display_fbo = self.ctx.framebuffer(color_attachments=[self._display])
        assert self._display_fbo is not None
        self._display_fbo.use()
        self.color.use(0)
        resolve_program["u_color"].value = 0
        vao = self.ctx.vertex_array(resolve_program, [])
        vao.render(moderngl.TRIANGLES, vertices=3)
        vao.release()
        return self._display

    def release(self) -> None:
        for obj in (self.fbo, self.pick_fbo, self.fbo_3d, self.pick_fbo_3d, self._fbo_depth, self.color, self.pick, self.depth,
                    self._display_fbo, self._display):
            if obj is not None:
                obj.release()
