"""Headless rendering to PNG: the same Renderer as the viewer, no window needed.

Used by tests, screenshots in docs, and `annoview render` style commands.
"""
from __future__ import annotations

from pathlib import Path
from typing import Hashable, Mapping, Sequence

import numpy as np
from PIL import Image

from .camera import Camera2D, Camera3D
from .palette import PaletteTexture
from .renderer import Renderer
from ..scene.visuals import Visual, scene_bounds


def render_to_array(renderer: Renderer, visuals: Sequence[Visual], size: tuple[int, int],
                    palettes: Mapping[Hashable, PaletteTexture] | None = None,
                    camera: Camera2D | Camera3D | None = None, *, view_3d: bool = False) -> np.ndarray:
    """Render and read back (H, W, 4) uint8; without a camera, fit the content."""
    if camera is None:
        bounds = scene_bounds(visuals) or (np.zeros(2), np.array(size, np.float64))
        camera = Camera3D.fit(*bounds) if view_3d else Camera2D.fit(*bounds, size=size)
    if isinstance(camera, Camera3D):
        result = renderer.render_3d(visuals, camera, size, palettes, view="offscreen-3d")
    else:
        result = renderer.render_2d(visuals, camera, size, palettes, view="offscreen-2d")
    return result.read_rgba()


def render_to_png(path: str | Path, visuals: Sequence[Visual], size: tuple[int, int],
                  palettes: Mapping[Hashable, PaletteTexture] | None = None,
                  camera: Camera2D | Camera3D | None = None, *, renderer: Renderer | None = None,
                  view_3d: bool = False) -> np.ndarray:
    """Render visuals to a PNG file (headless EGL context if no renderer is given)."""
    own = renderer is None
    r = renderer if renderer is not None else Renderer()
    try:
        rgba = render_to_array(r, visuals, size, palettes, camera, view_3d=view_3d)
    finally:
        if own:
            r.release()
    Image.fromarray(rgba, "RGBA").save(str(path))
    return rgba
