"""The sRGB transfer curves (IEC 61966-2-1) on the CPU, as shaders/color.glsl applies them on
the GPU: for code that must predict what the renderer draws (the hover magnifier, tests)."""
from __future__ import annotations

import numpy as np


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    """0..255 sRGB-encoded values -> 0..1 linear light (float64)."""
    c = np.asarray(c, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    """0..1 linear light -> 0..255 sRGB-encoded values, rounded (float64)."""
    lin = np.asarray(lin, np.float64)
    return np.round(255.0 * np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055))
