"""The hover magnifier: the texels around the hovered pixel of an image or mask, enlarged.

Pure numpy, no GL or imgui (the tooltip uploads `Magnified.patch` to a small texture and draws
it with nearest filtering). The patch is built from the data, not read back from the screen:
for each texel of the hovered layer's pixel grid around the cursor, every image-like layer of
the 2D view (images, segmentation masks) is sampled where that texel's center lands (through
each layer's own transform, so an image and a mask of different resolutions line up as drawn)
and composited in draw order the way the renderer does it: in linear light, with the layer's
opacity, class 0 / hidden classes / outline mode as the mask shader treats them. Texels that
no layer covers (past an image edge) show a dark checkerboard, so the patch never invents data.

Each layer under the cursor also reports its value there (RGB(A), a gray or float value, or the
class id), which is how the tooltip shows "the image underneath" of a mask.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from annoview.render.srgb import linear_to_srgb, srgb_to_linear
from annoview.scene.visuals import ImageVisual, SegmentationVisual, Visual

PATCH_RADIUS = 16                    # texels each side of the hovered one: a 33 x 33 patch
SEGMENTATION_OVER_IMAGE = 0.5        # Rerun's mask opacity over an image (the renderer's rule)
CHECKER = (np.array([38, 38, 42], np.uint8), np.array([58, 58, 64], np.uint8))

RGBA = tuple[int, int, int, int]


@dataclass
class LayerValue:
    """One image-like layer at the hovered point."""

    entity: str
    kind: str                           # "image" or "segmentation"
    object_id: int
    pixel: tuple[int, int]              # column, row in this layer
    value: tuple[float | int, ...]      # raw texel: channels, or (class id,)
    color: RGBA                         # what the layer paints there (sRGB, before opacity)
    opacity: float                      # the layer's effective opacity
    palette_key: Hashable = None

    def describe(self) -> str:
        """The value in words: RGB(A) of a color image, a gray/depth value, a class id."""
        v = self.value
        if self.kind == "segmentation":
            return f"class {v[0]}"
        fmt = [f"{x:.4g}" if isinstance(x, float) else str(x) for x in v]
        names = {1: "value", 2: "value, alpha", 3: "RGB", 4: "RGBA"}.get(len(v), "value")
        return f"{names} ({', '.join(fmt)})" if len(v) > 1 else f"{names} {fmt[0]}"


@dataclass
class Magnified:
    patch: np.ndarray                   # (2r+1, 2r+1, 4) uint8 sRGB, row 0 at the top
    center: tuple[int, int]             # the hovered pixel (column, row) of the hovered layer
    radius: int
    layers: list[LayerValue]            # the layers under the cursor, top (last drawn) first


ColorsFor = Callable[[Hashable], np.ndarray | None]   # palette key -> (65536, 4) uint8 as drawn


def magnify(visuals: Sequence[Visual], object_id: int, pixel: tuple[int, int], colors_for: ColorsFor,
            names: dict[int, str] | None = None, radius: int = PATCH_RADIUS,
            background: Sequence[int] = (18, 18, 20)) -> Magnified | None:
    """The patch around `pixel` of the layer `object_id`, composited from all image-like
    `visuals` of the view (in the renderer's draw order), or None if that layer is not there.

    `colors_for(palette_key)` gives a mask's class colors as the view draws them (edited,
    hidden classes with alpha 0); `names` maps object ids to entity paths for the values;
    `background` (sRGB) is the view's clear color, seen through transparent texels.
    """
    order = sorted(range(len(visuals)), key=lambda i: (visuals[i].draw_order, i))
    layers = [visuals[i] for i in order if isinstance(visuals[i], (ImageVisual, SegmentationVisual))]
    hovered = next((v for v in layers if v.object_id == object_id), None)
    if hovered is None:
        return None
    n = 2 * radius + 1
    px, py = int(pixel[0]), int(pixel[1])
    gx, gy = np.meshgrid(np.arange(px - radius, px + radius + 1), np.arange(py - radius, py + radius + 1))
    centers = np.stack([gx.ravel() + 0.5, gy.ravel() + 0.5], axis=1)           # texel centers
    scene_pts = _forward(hovered.transform, centers)
    hover_pt = _forward(hovered.transform, np.array([[px + 0.5, py + 0.5]]))
    dst = np.tile(srgb_to_linear(np.asarray(background[:3], np.float64)), (n * n, 1))   # linear RGB
    covered = np.zeros(n * n, bool)
    values: list[LayerValue] = []
    image_below = False
    for v in layers:
        local = _inverse(v.transform, scene_pts)
        if local is None:
            continue
        rgba_lin, inside = _layer_colors(v, local, colors_for)
        opacity = _opacity(v, image_below)
        a = rgba_lin[:, 3] * opacity * inside
        dst = rgba_lin[:, :3] * a[:, None] + dst * (1.0 - a[:, None])
        covered |= inside & (rgba_lin[:, 3] > 0 if isinstance(v, SegmentationVisual) else inside)
        here = _inverse(v.transform, hover_pt)
        if here is not None:
            lv = _value_at(v, here[0], colors_for, opacity, (names or {}).get(v.object_id, ""))
            if lv is not None:
                values.append(lv)
        image_below = True
    srgb = linear_to_srgb(np.clip(dst, 0.0, 1.0)).astype(np.uint8)
    checker = ((gx.ravel() - px) // 2 + (gy.ravel() - py) // 2) % 2
    bg = np.where(checker[:, None] == 0, CHECKER[0], CHECKER[1])
    rgb = np.where(covered[:, None], srgb, bg)
    patch = np.concatenate([rgb, np.full((n * n, 1), 255, np.uint8)], axis=1).reshape(n, n, 4)
    return Magnified(patch=patch, center=(px, py), radius=radius, layers=values[::-1])


# ---- per layer -------------------------------------------------------------------------------

def _layer_colors(v: ImageVisual | SegmentationVisual, local: np.ndarray,
                  colors_for: ColorsFor) -> tuple[np.ndarray, np.ndarray]:
    """(N, 4) linear RGBA the layer paints at `local` pixel coordinates, and which are inside."""
    arr = np.asarray(v.ids if isinstance(v, SegmentationVisual) else v.image)
    h, w = arr.shape[:2]
    finite = np.isfinite(local).all(axis=1)
    safe = np.where(finite[:, None], local, -1.0)
    ix, iy = np.floor(safe[:, 0]).astype(np.int64), np.floor(safe[:, 1]).astype(np.int64)
    inside = finite & (ix >= 0) & (iy >= 0) & (ix < w) & (iy < h)
    cx, cy = np.clip(ix, 0, max(w - 1, 0)), np.clip(iy, 0, max(h - 1, 0))
    if isinstance(v, SegmentationVisual):
        ids = arr[cy, cx].astype(np.int64)
        colors = _palette(v, colors_for)[ids].astype(np.float64)
        lin = np.concatenate([srgb_to_linear(colors[:, :3]), colors[:, 3:] / 255.0], axis=1)
        if v.zero_transparent:
            lin[ids == 0, 3] = 0.0
        if v.outline:
            def at(dx: int, dy: int) -> np.ndarray:
                return arr[np.clip(cy + dy, 0, h - 1), np.clip(cx + dx, 0, w - 1)]
            interior = (at(1, 0) == ids) & (at(-1, 0) == ids) & (at(0, 1) == ids) & (at(0, -1) == ids)
            lin[interior, 3] = 0.0
        return lin, inside
    texels = arr[cy, cx]
    return display_linear(v, texels.reshape(len(local), -1)), inside


def display_linear(v: ImageVisual, texels: np.ndarray) -> np.ndarray:
    """(N, C) raw texels -> (N, 4) linear RGBA in 0..1, as the image shader maps them: value
    range to 0..1 (uint8 RGB/RGBA are taken as sRGB directly), gray -> RGB, sRGB decode unless
    the image is linear, red/blue swapped for BGR."""
    t = np.asarray(texels)
    c = t.shape[1]
    if t.dtype == np.bool_:
        t = t.astype(np.uint8) * 255
    t = t.astype(np.float64)
    srgb_texture = np.asarray(v.image).dtype in (np.uint8, np.bool_) and c in (3, 4)
    if srgb_texture:
        norm = t / 255.0                      # SRGB8 texture: the value range does not apply
    else:
        lo, hi = _value_range(v)
        norm = (t - lo) / (hi - lo if hi != lo else 1.0)
    if v.bgr and c >= 3:
        norm[:, [0, 2]] = norm[:, [2, 0]]
    ones = np.ones((len(norm), 1))
    rgba = {1: lambda: np.concatenate([norm[:, :1].repeat(3, 1), ones], 1),
            2: lambda: np.concatenate([norm[:, :1].repeat(3, 1), norm[:, 1:2]], 1),
            3: lambda: np.concatenate([norm, ones], 1)}.get(c, lambda: norm[:, :4].copy())()
    rgba = np.clip(np.nan_to_num(rgba, nan=0.0), 0.0, 1.0)     # NaN depth/float pixels: black
    if srgb_texture or not v.linear:
        rgba[:, :3] = srgb_to_linear(rgba[:, :3] * 255.0)
    return rgba


def _value_range(v: ImageVisual) -> tuple[float, float]:
    dtype = np.asarray(v.image).dtype
    if v.value_range is not None:
        return float(v.value_range[0]), float(v.value_range[1])
    if dtype == np.uint16:
        return 0.0, 65535.0
    if dtype.kind == "f":
        return 0.0, 1.0
    return 0.0, 255.0


def _palette(v: SegmentationVisual, colors_for: ColorsFor) -> np.ndarray:
    colors = colors_for(v.palette_key)
    if colors is None:
        colors = np.zeros((65536, 4), np.uint8)
    return colors


def _opacity(v: Visual, image_below: bool) -> float:
    if isinstance(v, SegmentationVisual):
        if v.opacity is None:
            return SEGMENTATION_OVER_IMAGE if image_below else 1.0
        return float(v.opacity)
    return float(getattr(v, "opacity", 1.0))


def _value_at(v: ImageVisual | SegmentationVisual, local: np.ndarray, colors_for: ColorsFor, opacity: float,
              entity: str) -> LayerValue | None:
    arr = np.asarray(v.ids if isinstance(v, SegmentationVisual) else v.image)
    h, w = arr.shape[:2]
    if not np.isfinite(local).all():
        return None
    x, y = int(np.floor(local[0])), int(np.floor(local[1]))
    if not (0 <= x < w and 0 <= y < h):
        return None
    raw = np.atleast_1d(arr[y, x])
    value = tuple(int(c) if raw.dtype.kind in "iub" else float(c) for c in raw)
    if isinstance(v, SegmentationVisual):
        rgba = tuple(int(c) for c in _palette(v, colors_for)[int(raw[0])])
        return LayerValue(entity, "segmentation", v.object_id, (x, y), value, rgba, opacity, v.palette_key)  # type: ignore[arg-type]
    lin = display_linear(v, raw.reshape(1, -1))[0]
    srgb = linear_to_srgb(lin[:3]).astype(int)
    rgba = (int(srgb[0]), int(srgb[1]), int(srgb[2]), int(round(lin[3] * 255)))
    return LayerValue(entity, "image", v.object_id, (x, y), value, rgba, opacity)


# ---- transforms (the 2D view: a model matrix acts on (x, y, 0)) -------------------------------

def _forward(m: np.ndarray | None, pts: np.ndarray) -> np.ndarray:
    if m is None:
        return pts
    m = np.asarray(m, np.float64)
    return pts @ m[:2, :2].T + m[:2, 3]


def _inverse(m: np.ndarray | None, pts: np.ndarray) -> np.ndarray | None:
    if m is None:
        return pts
    m = np.asarray(m, np.float64)
    a = m[:2, :2]
    if not np.isfinite(m[:2, [0, 1, 3]]).all() or abs(np.linalg.det(a)) < 1e-12:
        return None
    return (pts - m[:2, 3]) @ np.linalg.inv(a).T
