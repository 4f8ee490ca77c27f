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
from ..scene.visuals import Visual


def scene_bounds(visuals: Sequence[Visual]) -> tuple[np.ndarray, np.ndarray] | None:
    """Union of the visuals' bounds (2D or 3D; 2D bounds get z = 0 when mixed)."""
    boxes = [b for b in (v.bounds() for v in visuals) if b is not None]
    if not boxes:
        return None
    dim = max(len(b[0]) for b in boxes)
    lo = np.full(dim, np.inf)
    hi = np.full(dim, -np.inf)
    for bmin, bmax in boxes:
        bmin = np.pad(bmin, (0, dim - len(bmin)))
        bmax = np.pad(bmax, (0, dim - len(bmax)))
        lo, hi = np.minimum(lo, bmin), np.maximum(hi, bmax)
    return lo, hi


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
