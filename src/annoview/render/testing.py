"""Helpers for render tests: a shared headless renderer, palettes, exact-pixel assertions.

On a pixel mismatch the frame is written to <repo>/test-output/<name>.png (gitignored) so the
failure can be looked at, not just read about.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from .srgb import linear_to_srgb, srgb_to_linear

OUTPUT_DIR = Path(__file__).resolve().parents[3] / "test-output"


def save_png(rgba: np.ndarray, name: str, scale: int = 1) -> Path:
    """Write an (H, W, 3|4) uint8 frame to test-output/<name>.png (nearest-neighbour upscaled)."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    img = Image.fromarray(np.ascontiguousarray(rgba))
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    path = OUTPUT_DIR / f"{name}.png"
    img.save(path)
    return path


def assert_pixels(actual: np.ndarray, expected: np.ndarray, name: str, frame: np.ndarray | None = None,
                  tol: int = 0) -> None:
    """Exact (or |diff| <= tol) comparison; on failure save the frame and say where it differs."""
    actual = np.asarray(actual).astype(np.int64)
    expected = np.asarray(expected).astype(np.int64)
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
    bad = np.abs(actual - expected) > tol
    if bad.any():
        where = np.argwhere(bad)[:5].tolist()
        path = save_png(frame if frame is not None else np.clip(actual, 0, 255).astype(np.uint8), name, 4)
        raise AssertionError(
            f"{name}: {int(bad.sum())} values differ (first at {where}); "
            f"got {actual[tuple(where[0])]} expected {expected[tuple(where[0])]}; frame saved to {path}")


def make_palette(seed: int = 0) -> np.ndarray:
    """(65536, 4) uint8 opaque palette of random colors (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    pal = rng.integers(0, 256, size=(65536, 4), dtype=np.uint8)
    pal[:, 3] = 255
    return pal


def blend_linear(src: np.ndarray, alpha: float, dst: np.ndarray) -> np.ndarray:
    """What an sRGB framebuffer shows for `src` at `alpha` over `dst` (exact math)."""
    return linear_to_srgb(alpha * srgb_to_linear(src) + (1.0 - alpha) * srgb_to_linear(dst))


# ---- analytic expectations for antialiased round primitives (shaders/coverage.glsl) -----------
def pixel_centers(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of every pixel center, in framebuffer pixels with a top-left origin."""
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    return xx, yy


def disc_coverage(w: int, h: int, center: tuple[float, float], r: float) -> np.ndarray:
    """(h, w) coverage of a round point of radius r px: 1 inside, a one-pixel linear fade at the
    edge (r + 0.5 - distance, clamped), as the points shader draws it."""
    xx, yy = pixel_centers(w, h)
    d = np.hypot(xx - center[0], yy - center[1])
    return np.clip(r + 0.5 - d, 0.0, 1.0)


def segment_coverage(w: int, h: int, p0: tuple[float, float], p1: tuple[float, float], r: float) -> np.ndarray:
    """(h, w) coverage of a line segment of radius r px with round caps (distance to the segment)."""
    xx, yy = pixel_centers(w, h)
    a, b = np.asarray(p0, np.float64), np.asarray(p1, np.float64)
    ab = b - a
    t = np.clip(((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / max(float(ab @ ab), 1e-12), 0.0, 1.0)
    d = np.hypot(xx - (a[0] + t * ab[0]), yy - (a[1] + t * ab[1]))
    return np.clip(r + 0.5 - d, 0.0, 1.0)


def composite(bg: tuple[int, ...] | np.ndarray, layers: list[tuple[np.ndarray, object]]) -> np.ndarray:
    """(h, w, 3) sRGB bytes of `layers` (coverage, sRGB color) blended in order over `bg` in linear
    light, rounded to 8 bits after each layer as an SRGB8 framebuffer stores it."""
    h, w = layers[0][0].shape
    out = np.broadcast_to(np.asarray(bg, np.float64)[:3], (h, w, 3)).copy()
    for cov, color in layers:
        a = np.asarray(cov, np.float64)[..., None]
        out = linear_to_srgb(a * srgb_to_linear(np.asarray(color)[:3]) + (1.0 - a) * srgb_to_linear(out))
    return out
