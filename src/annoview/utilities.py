"""`rerun.utilities`: the small data helpers Rerun's examples use (the DNA and color-grid demos).

- `build_color_spiral`: points on a helix along +Z (angle = tau * angular_step * i +
  angular_offset, z = z_step * i), colored along the turbo colormap from the first point to the
  last (Google's published polynomial fit of turbo; within a few 1/255 of Rerun's lookup table);
- `build_color_grid`: an x*y*z cube of points spanning [-10, 10] with RGB colors spanning 0..255,
  optionally twisted about Z from bottom to top;
- `bounce_lerp`: linear interpolation that goes back and forth between a and b as t grows.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt


class ColorSpiral(NamedTuple):
    positions: npt.NDArray[np.float64]
    colors: npt.NDArray[np.float64]


class ColorGrid(NamedTuple):
    positions: npt.NDArray[np.float64]
    colors: npt.NDArray[np.uint8]


_TURBO_RED = (0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943)
_TURBO_GREEN = (0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604)
_TURBO_BLUE = (0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973)


def turbo(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Turbo colormap, (n,) in [0, 1] -> (n, 3) RGB in [0, 1]."""
    t = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    powers = np.stack([t**k for k in range(6)], axis=-1)
    rgb = np.stack([powers @ np.asarray(c) for c in (_TURBO_RED, _TURBO_GREEN, _TURBO_BLUE)], axis=-1)
    return np.clip(rgb, 0.0, 1.0)


def build_color_spiral(num_points: int = 100, *, radius: float = 2, angular_step: float = 0.02,
                       angular_offset: float = 0, z_step: float = 0.1) -> ColorSpiral:
    """A helix of `num_points` points along +Z, colored along the turbo colormap."""
    i = np.arange(num_points, dtype=np.float64)
    angle = math.tau * angular_step * i + angular_offset
    positions = np.stack([radius * np.cos(angle), radius * np.sin(angle), z_step * i], axis=1)
    colors = turbo(i / max(num_points - 1, 1))
    return ColorSpiral(positions, colors)


def build_color_grid(x_count: int = 10, y_count: int = 10, z_count: int = 10, *, twist: float = 0) -> ColorGrid:
    """x_count*y_count*z_count points over [-10, 10]^3 (x slowest), colored by position; `twist`
    turns each layer about Z, from -twist/2 radians at the bottom to +twist/2 at the top."""
    grid = np.mgrid[-10 : 10 : x_count * 1j, -10 : 10 : y_count * 1j, -10 : 10 : z_count * 1j]
    positions = grid.reshape(3, -1).T
    if twist:
        angle = twist * positions[:, 2] / 20.0
        c, s = np.cos(angle), np.sin(angle)
        x, y = positions[:, 0].copy(), positions[:, 1].copy()
        positions[:, 0], positions[:, 1] = c * x - s * y, s * x + c * y
    cgrid = np.mgrid[0 : 255 : x_count * 1j, 0 : 255 : y_count * 1j, 0 : 255 : z_count * 1j]
    colors = cgrid.reshape(3, -1).T.astype(np.uint8)
    return ColorGrid(positions, colors)


def bounce_lerp(a: float, b: float, t: Any) -> Any:
    """a at t=0, b at t=1, back to a at t=2, and so on (t may be an array)."""
    frac = np.asarray(t) % 1
    forward = (np.floor(t) % 2) == 0
    u = np.where(forward, frac, 1 - frac)
    out = (1 - u) * a + u * b
    return out if np.ndim(out) else float(out)


color_spiral = build_color_spiral()
color_grid = build_color_grid()

__all__ = ["ColorGrid", "ColorSpiral", "bounce_lerp", "build_color_grid", "build_color_spiral", "color_grid",
           "color_spiral", "turbo"]
