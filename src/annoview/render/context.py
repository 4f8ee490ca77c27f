"""GL context creation and framebuffer readback.

Headless EGL (Mesa llvmpipe on machines without a GPU) gives the same code path as a viewer
window, so every render test and the offscreen PNG export run without a display. The viewer
passes its own window context (`moderngl.create_context()`); nothing here assumes EGL.
"""
from __future__ import annotations

import numpy as np
import moderngl

GL_FRAMEBUFFER_SRGB = 0x8DB9
GL_SRGB8_ALPHA8 = 0x8C43


def create_headless_context(require: int = 330) -> moderngl.Context:
    """A standalone OpenGL context through EGL (no window, no display server needed).

    `require=330` keeps us honest: the renderer must also run in a viewer's 3.3 core context.
    """
    return moderngl.create_standalone_context(require=require, backend="egl")


def read_fbo_rgba(fbo: moderngl.Framebuffer, attachment: int = 0) -> np.ndarray:
    """An FBO color attachment as an (H, W, 4) uint8 array, top row first.

    GL stores rows bottom-up; we flip so index [y, x] is framebuffer pixel (x, y) with y down,
    matching image pixel coordinates. Reads the stored bytes (sRGB-encoded for an SRGB8_ALPHA8
    target) without conversion.
    """
    w, h = fbo.size
    data = fbo.read(components=4, attachment=attachment, alignment=1)
    return np.frombuffer(data, np.uint8).reshape(h, w, 4)[::-1].copy()


def read_texture_rgba(texture: moderngl.Texture) -> np.ndarray:
    """An RGBA8 texture as (H, W, 4) uint8, top row first (see `read_fbo_rgba`)."""
    w, h = texture.size
    data = texture.read(alignment=1)
    return np.frombuffer(data, np.uint8).reshape(h, w, texture.components)[::-1].copy()
