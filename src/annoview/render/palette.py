"""Palette textures: class id -> color and (class id, keypoint id) -> color as GPU lookups.

One `PaletteTexture` per resolved annotation context. Geometry carries integer class and keypoint
ids; shaders look colors up here (shaders/palette.glsl). So recoloring a class, hiding it or
highlighting one class rewrites these small textures only, never a geometry buffer.

Layout (mirrored in palette.glsl):
- `palette`    SRGB8_ALPHA8 256x256, texel (id % 256, id // 256) = RGBA of class `id`, all 65536
               ids. The bytes are the sRGB colors as given; the sRGB *format* makes texelFetch
               return linear color (hardware decode), which is what blending wants.
- `kp_index`   RG32UI 256x256, texel of class `id` = (base, count) into `kp_colors`.
- `kp_colors`  SRGB8_ALPHA8, 256 wide, entry `base + keypoint_id`. A class's slots cover keypoint ids
               0..max; slots of keypoints without an entry hold the class color, refreshed on
               the CPU whenever the class color changes, so the shader needs no "missing" flag.
- `class_style` RG16F 256x256, texel of class `id` = (point radius scale, line thickness scale), the
               legend's per-class sizes (shaders/class_style.glsl); 1.0 everywhere by default.
The textures hold *effective* colors: base colors with hidden classes at alpha 0 and, while a
class is highlighted, every other class's alpha scaled by `dim_alpha`. `sync()` uploads only the
rows that changed since the last upload.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
import moderngl

from .context import GL_SRGB8_ALPHA8

N_IDS = 65536
WIDTH = 256

KeypointEntry = tuple[int, int, Any, Any]  # (class_id, keypoint_id, rgba, label)


def _rgba(value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape == ():  # packed 0xRRGGBBAA
        v = int(arr)
        return np.array([(v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255], np.uint8)
    if arr.dtype.kind == "f":
        arr = np.round(arr * 255.0)
    arr = arr.astype(np.uint8).reshape(-1)
    if arr.shape[0] == 3:
        arr = np.append(arr, np.uint8(255))
    if arr.shape[0] != 4:
        raise ValueError(f"expected an RGB or RGBA color, got {value!r}")
    return arr


class PaletteTexture:
    """GPU class palette + keypoint color table for one resolved annotation context."""

    def __init__(
        self,
        ctx: moderngl.Context,
        colors: np.ndarray,
        keypoints: Sequence[KeypointEntry] = (),
        dim_alpha: float = 0.25,
    ) -> None:
        self.ctx = ctx
        self.dim_alpha = float(dim_alpha)
        self.writes = 0                 # texture write calls, for tests and stats
        self._base = np.zeros((N_IDS, 4), np.uint8)
        self._hidden = np.zeros(N_IDS, bool)
        self._labels_off = np.zeros(N_IDS, bool)        # classes whose labels the legend turned off
        self.any_labels_off = False
        self._highlight: int | None = None
        self._uploaded: np.ndarray | None = None      # effective palette currently on the GPU
        self._dirty = True                              # an edit since the last sync
        self._kp_uploaded: np.ndarray | None = None
        self.has_transparent = False    # some class has alpha 0 (shaders must skip it)
        self.all_opaque = True          # every class has alpha 255 (no blending needed)
        self.palette = ctx.texture((WIDTH, N_IDS // WIDTH), 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
        self.kp_index = ctx.texture((WIDTH, N_IDS // WIDTH), 2, dtype="u4")
        self.kp_colors = ctx.texture((WIDTH, 1), 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
        self.class_style = neutral_style_texture(ctx)
        self._styles: dict[int, tuple[float, float]] = {}
        for tex in (self.palette, self.kp_index, self.kp_colors):
            tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
            tex.repeat_x = tex.repeat_y = False
        self.set_colors(colors)
        self.set_keypoints(keypoints)
        self.sync()

    @classmethod
    def from_resolved(cls, ctx: moderngl.Context, resolved: Any, **kw: Any) -> "PaletteTexture":
        """From an `annotations.ResolvedContext` (anything with .palette() and .keypoint_entries())."""
        return cls(ctx, resolved.palette(), resolved.keypoint_entries(), **kw)

    # ---- edits (CPU side; `sync()` pushes them) -------------------------------------------
    def set_colors(self, colors: np.ndarray) -> None:
        """Replace every class color: (65536, 4) uint8 sRGB RGBA."""
        colors = np.asarray(colors)
        if colors.shape != (N_IDS, 4) or colors.dtype != np.uint8:
            raise ValueError(f"palette must be (65536, 4) uint8, got {colors.shape} {colors.dtype}")
        self._base[:] = colors
        self._dirty = True

    def set_class_color(self, class_id: int, rgba: Any) -> None:
        self._base[int(class_id)] = _rgba(rgba)
        self._dirty = True

    def set_keypoints(self, entries: Iterable[KeypointEntry]) -> None:
        """Keypoint colors: (class_id, keypoint_id, rgba or None, label) entries, already resolved.

        An entry with rgba None uses the class color.
        """
        per_class: dict[int, dict[int, np.ndarray | None]] = {}
        for entry in entries:
            cid, kid, rgba = int(entry[0]), int(entry[1]), entry[2]
            per_class.setdefault(cid, {})[kid] = None if rgba is None else _rgba(rgba)
        index = np.zeros((N_IDS, 2), np.uint32)
        total = sum(max(kps) + 1 for kps in per_class.values())
        colors = np.zeros((max(total, 1), 4), np.uint8)
        owner = np.zeros(max(total, 1), np.int64)          # class of each slot
        fallback = np.ones(max(total, 1), bool)            # slot shows the class color
        base = 0
        for cid in sorted(per_class):
            kps = per_class[cid]
            count = max(kps) + 1
            index[cid] = (base, count)
            owner[base:base + count] = cid
            for kid, rgba in kps.items():
                if rgba is not None:
                    colors[base + kid] = rgba
                    fallback[base + kid] = False
            base += count
        self._kp_base, self._kp_owner, self._kp_fallback = colors, owner, fallback
        self.kp_index.write(index.tobytes())
        self.writes += 1
        rows = -(-len(colors) // WIDTH)
        if self.kp_colors.size != (WIDTH, rows):
            self.kp_colors.release()
            self.kp_colors = self.ctx.texture((WIDTH, rows), 4, dtype="f1", internal_format=GL_SRGB8_ALPHA8)
            self.kp_colors.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self._kp_uploaded = None
        self._dirty = True

    def set_hidden(self, class_ids: Iterable[int]) -> None:
        """Hide exactly these classes (alpha 0 everywhere: points, lines, masks, labels)."""
        self._hidden[:] = False
        ids = np.fromiter((int(c) for c in class_ids), np.int64)
        self._hidden[ids] = True
        self._dirty = True

    def set_labels_off(self, class_ids: Iterable[int]) -> None:
        """Draw no labels for exactly these classes (their points and lines stay). Read on the
        CPU by label placement, so no texture changes."""
        self._labels_off[:] = False
        self._labels_off[np.fromiter((int(c) for c in class_ids), np.int64)] = True
        self.any_labels_off = bool(self._labels_off.any())

    def labels_off(self, class_ids: np.ndarray) -> np.ndarray:
        """Per class id (0..65535): are its labels turned off?"""
        return self._labels_off[class_ids]

    @property
    def any_hidden(self) -> bool:
        """Is any class drawn invisible (hidden, or a color with alpha 0)? (What the last
        `sync()` uploaded, and the pending hidden set.)"""
        return bool(self.has_transparent or self._hidden.any())

    def hidden_classes(self, class_ids: np.ndarray) -> np.ndarray:
        """Per class id (0..65535): is it drawn invisible (hidden, or a color with alpha 0)?"""
        return self._hidden[class_ids] | (self._base[class_ids, 3] == 0)

    def hide_class(self, class_id: int, hidden: bool = True) -> None:
        self._hidden[int(class_id)] = hidden
        self._dirty = True

    def set_class_styles(self, styles: dict[int, tuple[float, float]]) -> None:
        """Per-class (point radius scale, line thickness scale); classes not named get (1, 1).
        Written to the GPU at once, and only when it differs from what is there."""
        styles = {int(c): (float(r), float(t)) for c, (r, t) in styles.items() if (r, t) != (1.0, 1.0)}
        if styles == self._styles:
            return
        table = np.ones((N_IDS, 2), np.float16)
        for cid, scales in styles.items():
            table[cid] = scales
        self.class_style.write(table.tobytes())
        self.writes += 1
        self._styles = styles

    def size_scale(self, class_ids: np.ndarray) -> np.ndarray | None:
        """Per class id, the larger of its radius and thickness scales (None: every class at 1):
        how much further a label must stay from what it names when the legend draws its class
        bigger."""
        if not self._styles:
            return None
        scale = np.ones(len(class_ids), np.float64)
        for cid, (radius, thickness) in self._styles.items():
            scale[class_ids == cid] = max(radius, thickness)
        return scale

    def set_dim_alpha(self, dim_alpha: float) -> None:
        self.dim_alpha = float(dim_alpha)
        self._dirty = True

    def set_highlight(self, class_id: int | None) -> None:
        """Highlight one class (others fade to `dim_alpha`), or None for no highlight."""
        self._highlight = None if class_id is None else int(class_id)
        self._dirty = True

    # ---- derived state ----------------------------------------------------------------------
    def _dim(self, rgba: np.ndarray, keep: np.ndarray) -> None:
        a = rgba[:, 3]
        rgba[:, 3] = np.where(keep, a, np.round(a * self.dim_alpha).astype(np.uint8))

    def effective_colors(self) -> np.ndarray:
        """(65536, 4) uint8: what the palette texture holds after `sync()`."""
        eff = self._base.copy()
        eff[self._hidden, 3] = 0
        if self._highlight is not None:
            self._dim(eff, np.arange(N_IDS) == self._highlight)
        return eff

    def effective_keypoint_colors(self) -> np.ndarray:
        """(slots, 4) uint8: what the keypoint table holds after `sync()`."""
        owner = self._kp_owner
        eff = np.where(self._kp_fallback[:, None], self._base[owner], self._kp_base)
        eff[self._hidden[owner], 3] = 0
        if self._highlight is not None:
            self._dim(eff, owner == self._highlight)
        return eff

    def sync(self) -> int:
        """Upload what changed since the last sync; returns the number of texture writes.

        Called by the renderer every frame; free when nothing was edited.
        """
        if not self._dirty:
            return 0
        self._dirty = False
        before = self.writes
        eff = self.effective_colors()
        if self._uploaded is None:
            self.palette.write(eff.tobytes())
            self.writes += 1
        else:
            changed = np.flatnonzero((eff != self._uploaded).any(axis=1))
            if changed.size:
                r0, r1 = int(changed[0]) // WIDTH, int(changed[-1]) // WIDTH + 1
                self.palette.write(eff[r0 * WIDTH:r1 * WIDTH].tobytes(), viewport=(0, r0, WIDTH, r1 - r0))
                self.writes += 1
        self._uploaded = eff
        self.has_transparent = bool((eff[:, 3] == 0).any())
        self.all_opaque = bool((eff[:, 3] == 255).all())
        kp = self.effective_keypoint_colors()
        if self._kp_uploaded is None or not np.array_equal(kp, self._kp_uploaded):
            rows = self.kp_colors.size[1]
            padded = np.zeros((rows * WIDTH, 4), np.uint8)
            padded[:len(kp)] = kp
            self.kp_colors.write(padded.tobytes())
            self.writes += 1
            self._kp_uploaded = kp
        return self.writes - before

    def bind(self, first_unit: int = 0) -> None:
        """Bind palette, keypoint index, keypoint colors and class styles to units first..first+3."""
        self.palette.use(first_unit)
        self.kp_index.use(first_unit + 1)
        self.kp_colors.use(first_unit + 2)
        self.class_style.use(first_unit + 3)

    def release(self) -> None:
        for tex in (self.palette, self.kp_index, self.kp_colors, self.class_style):
            tex.release()


def neutral_style_texture(ctx: moderngl.Context) -> moderngl.Texture:
    """A class-style table with every scale 1.0 (no per-class sizes)."""
    tex = ctx.texture((WIDTH, N_IDS // WIDTH), 2, np.ones((N_IDS, 2), np.float16).tobytes(), dtype="f2")
    tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
    tex.repeat_x = tex.repeat_y = False
    return tex
