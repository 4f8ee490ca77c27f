"""The color tables of the view option "color by entity / by instance" (shaders/color_by.glsl).

Both are SRGB8_ALPHA8 textures 256 texels wide, read with texelFetch by an integer id, so the
option recolors every point, line and box on the GPU without touching a geometry buffer:
- by instance: the auto color of the instance index (Rerun's auto colors, ids 0..65535), built once;
- by entity: row = object id, the entity's default color (`annotations.default_entity_color`),
  grown when new object ids appear; object ids past its end show the last row.
"""
from __future__ import annotations

import numpy as np
import moderngl

from ..annotations import auto_colors
from .context import GL_SRGB8_ALPHA8

WIDTH = 256


def _texture(ctx: moderngl.Context, rgba: np.ndarray) -> moderngl.Texture:
    rows = max(1, -(-len(rgba) // WIDTH))
    padded = np.zeros((rows * WIDTH, 4), np.uint8)
    padded[:len(rgba)] = rgba
    tex = ctx.texture((WIDTH, rows), 4, padded.tobytes(), dtype="f1", internal_format=GL_SRGB8_ALPHA8)
    tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
    tex.repeat_x = tex.repeat_y = False
    return tex


class ColorTables:
    """Owns the two tables; textures are made on first use."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._instance: moderngl.Texture | None = None
        self._object: moderngl.Texture | None = None
        self._object_colors = np.zeros((0, 4), np.uint8)
        self._object_dirty = True

    def set_object_colors(self, colors: np.ndarray) -> None:
        colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        if not np.array_equal(colors, self._object_colors):
            self._object_colors = colors.copy()
            self._object_dirty = True

    def bind(self, mode: str, unit: int) -> None:
        if mode == "instance":
            if self._instance is None:
                self._instance = _texture(self.ctx, auto_colors(np.arange(1 << 16)))
            self._instance.use(unit)
            return
        if self._object is None or self._object_dirty:
            if self._object is not None:
                self._object.release()
            colors = self._object_colors
            if not len(colors):          # no table given: the auto color of each object id
                colors = auto_colors(np.arange(WIDTH))
            self._object = _texture(self.ctx, colors)
            self._object_dirty = False
        self._object.use(unit)

    def release(self) -> None:
        for tex in (self._instance, self._object):
            if tex is not None:
                tex.release()
        self._instance = self._object = None
