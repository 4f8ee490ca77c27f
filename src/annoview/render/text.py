"""Glyph atlas built at runtime with Pillow, for labels drawn in the framebuffer.

Glyphs are rendered once into an R8 coverage atlas and drawn 1:1 (whole-pixel positions,
texelFetch), so text is crisp and needs no shipped font file: Pillow >= 10.1 bundles a
TrueType font (`ImageFont.load_default(size=...)`); DejaVu Sans is used if that is unavailable.
The atlas only grows (append-only cells), so laid-out labels stay valid when new glyphs arrive.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import moderngl
from PIL import Image, ImageDraw, ImageFont

ATLAS_WIDTH = 512
_FALLBACK_FONTS = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@lru_cache(maxsize=8)
def load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        font = ImageFont.load_default(size=size)
        if isinstance(font, ImageFont.FreeTypeFont):
            return font
    except (TypeError, OSError, ImportError):
        pass
    for path in _FALLBACK_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


@dataclass(frozen=True)
class Glyph:
    x: int          # cell position in the atlas (pixels, y down)
    y: int
    w: int          # cell size = quad size in framebuffer pixels
    h: int
    advance: float


class GlyphAtlas:
    """R8 coverage atlas of one font size; `layout()` adds missing glyphs on demand."""

    def __init__(self, ctx: moderngl.Context, size: int) -> None:
        self.ctx = ctx
        self.font = load_font(size)
        ascent, descent = self.font.getmetrics() if hasattr(self.font, "getmetrics") else (size, size // 4)
        self.line_height = int(ascent + descent)
        self.glyphs: dict[str, Glyph] = {}
        self.pixels = np.zeros((64, ATLAS_WIDTH), np.uint8)
        self._cursor = (0, 0)          # next free cell (x, y)
        self.texture: moderngl.Texture | None = None
        self.version = 0               # bumps whenever the texture is rewritten
        self._dirty = False
        self.ensure(" ".join(chr(c) for c in range(33, 127)))
        self.upload()

    def ensure(self, text: str) -> None:
        for ch in set(text):
            if ch not in self.glyphs and ch not in "\n\r\t":
                self._add(ch)

    def _add(self, ch: str) -> None:
        advance = float(self.font.getlength(ch)) if hasattr(self.font, "getlength") else float(self.line_height) / 2
        bbox = self.font.getbbox(ch)
        w = max(int(math.ceil(max(advance, bbox[2]))) + 1, 1)
        h = self.line_height
        x, y = self._cursor
        if x + w > ATLAS_WIDTH:
            x, y = 0, y + h
        while y + h > self.pixels.shape[0]:
            self.pixels = np.vstack([self.pixels, np.zeros_like(self.pixels)])
        cell = Image.new("L", (w, h), 0)
        ImageDraw.Draw(cell).text((0, 0), ch, font=self.font, fill=255)
        self.pixels[y:y + h, x:x + w] = np.asarray(cell)
        self.glyphs[ch] = Glyph(x, y, w, h, advance)
        self._cursor = (x + w, y)
        self._dirty = True

    def upload(self) -> moderngl.Texture:
        """The atlas texture, rewritten if glyphs were added since the last upload."""
        h, w = self.pixels.shape
        if self.texture is None or self.texture.size != (w, h):
            if self.texture is not None:
                self.texture.release()
            self.texture = self.ctx.texture((w, h), 1, self.pixels.tobytes(), dtype="f1")
            self.texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self.version += 1
        elif self._dirty:
            self.texture.write(self.pixels.tobytes())
            self.version += 1
        self._dirty = False
        return self.texture

    def layout(self, text: str) -> tuple[list[tuple[int, Glyph]], int]:
        """Glyphs with their x offsets (px) and the total width of one line of text."""
        self.ensure(text)
        out: list[tuple[int, Glyph]] = []
        pen = 0.0
        for ch in text.replace("\n", " "):
            g = self.glyphs.get(ch) or self.glyphs["?"]
            if ch != " ":
                out.append((int(round(pen)), g))
            pen += g.advance
        return out, int(math.ceil(pen))

    def release(self) -> None:
        if self.texture is not None:
            self.texture.release()
