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
