"""Ground grid for 3D views: lines on the plane through the origin perpendicular to the camera's up axis.

Spacing is a power of ten picked from the orbit distance, and the grid is centered on the
target snapped to the spacing, so the cache key changes only when the grid really moves. Lines
are split into short pieces whose alpha fades with distance from the center, so the far grid
does not alias into a gray carpet. The renderer draws it first without depth writes: it never
hides what is drawn on the ground plane.
"""
from __future__ import annotations

import math

import numpy as np

from ..scene.visuals import LinesVisual
from .camera import Camera3D, ground_basis

GRID_RGB = (128, 128, 128)
GRID_ALPHA = 140


def grid_visual(camera: Camera3D, half_lines: int = 20, pieces: int = 40) -> LinesVisual:
    spacing = 10.0 ** math.floor(math.log10(max(camera.distance, 1e-6) / 2.0))
    e1, e2, _ = ground_basis(camera.up)
    t = camera.target
    a, b = float(t @ e1), float(t @ e2)
    ca, cb = round(a / spacing) * spacing, round(b / spacing) * spacing
    ext = half_lines * spacing
    ticks = np.arange(-half_lines, half_lines + 1) * spacing          # (n,)
    edges = np.linspace(-ext, ext, pieces + 1)                         # along each line
    n = len(ticks)
    # pieces of lines parallel to the second axis (fixed first coordinate), then the other family
    u = np.repeat(ticks, pieces)
    v0 = np.tile(edges[:-1], n)
    v1 = np.tile(edges[1:], n)
    fam1 = np.stack([np.stack([u, v0], -1), np.stack([u, v1], -1)], 1)           # (n*pieces, 2, 2)
    fam2 = fam1[..., ::-1]
    seg2 = np.concatenate([fam1, fam2]) + np.array([ca, cb])
    mid = np.concatenate([fam1, fam2]).mean(axis=1)
    fade = np.clip(1.0 - np.linalg.norm(mid, axis=1) / ext, 0.0, 1.0) ** 1.5
    colors = np.empty((len(seg2), 4), np.uint8)
    colors[:, :3] = GRID_RGB
    colors[:, 3] = np.round(GRID_ALPHA * fade).astype(np.uint8)
    keep = colors[:, 3] > 0
    seg2, colors = seg2[keep], colors[keep]
    seg = (seg2[..., 0:1] * e1 + seg2[..., 1:2] * e2).astype(np.float32)   # on the ground plane through 0
    return LinesVisual(segments=seg, colors=colors, radii=-0.5,
                       cache_key=("grid", spacing, ca, cb, camera.up, half_lines, pieces), object_id=0,
                       draw_order=-1e9)
