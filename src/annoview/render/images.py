"""Images and segmentation images: one textured quad over the pixel rectangle [0, W] x [0, H].

Segmentation ids go to the GPU as R8UI / R16UI and are colored by the class palette in the
fragment shader, so a new mask every frame costs one 1-2 byte/pixel upload and no CPU
`palette[ids]` pass (benchmarks/bench_render.py measures the difference).
"""
from __future__ import annotations

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .context import GL_SRGB8_ALPHA8
from .frame import IMAGE_UNIT, FrameState
from .shaders import set_uniform
from ..scene.visuals import ImageVisual, SegmentationVisual


GL_SRGB8 = 0x8C41


def image_texture_format(image: np.ndarray) -> tuple[np.ndarray, int, str, bool]:
    """(pixels, components, moderngl dtype, integer texture?) for an Image array.

    uint8 RGB/RGBA become SRGB8 / SRGB8_ALPHA8 textures (see `_QuadRenderer.texture`): the
    hardware decodes them to linear, cheaper than pow() per fragment on a software rasterizer.
    """
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3 or img.shape[2] not in (1, 2, 3, 4):
        raise ValueError(f"Image: expected (H, W), (H, W, 3) or (H, W, 4) pixels, got shape {np.shape(image)}")
    if img.dtype == np.uint8:
        return img, img.shape[2], "f1", False
    if img.dtype == np.uint16:
        return img, img.shape[2], "u2", True
    if img.dtype.kind == "f":
        return img.astype(np.float32, copy=False), img.shape[2], "f4", False
    if img.dtype == np.bool_:
        return img.astype(np.uint8) * np.uint8(255), img.shape[2], "f1", False
    raise ValueError(f"Image: unsupported pixel dtype {img.dtype} (uint8, uint16 or float32)")


def segmentation_texture_format(ids: np.ndarray) -> tuple[np.ndarray, str]:
    """(ids, moderngl dtype) for a class id image: uint8 -> R8UI, up to 65535 -> R16UI."""
    arr = np.asarray(ids)
    if arr.ndim != 2:
        raise ValueError(f"SegmentationImage: expected an (H, W) array of class ids, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr, "u1"
    if arr.dtype == np.uint16:
        return arr, "u2"
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8), "u1"
    if arr.dtype.kind in "iu":
        if arr.size and (arr.min() < 0 or arr.max() > 65535):
            raise ValueError("SegmentationImage: class ids must be in 0..65535")
        return arr.astype(np.uint16), "u2"
    raise ValueError(f"SegmentationImage: class ids must be integers, got dtype {arr.dtype}")


def srgb_internal_format(components: int, dtype: str) -> int | None:
    """SRGB8 / SRGB8_ALPHA8 for uint8 RGB / RGBA images, else None (the default format)."""
    if dtype == "f1" and components in (3, 4):
        return GL_SRGB8 if components == 3 else GL_SRGB8_ALPHA8
    return None


class _QuadRenderer:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.corners = ctx.buffer(np.array([0, 0, 1, 0, 0, 1, 1, 1], np.float32).tobytes())
        self._vaos: dict[int, moderngl.VertexArray] = {}

    def vao(self, prog: moderngl.Program) -> moderngl.VertexArray:
        vao = self._vaos.get(prog.glo)
        if vao is None:
            vao = self.ctx.vertex_array(prog, [(self.corners, "2f", "in_corner")])
            self._vaos[prog.glo] = vao
        return vao

    @staticmethod
    def texture(cache: GeometryCache, kind: str, v: ImageVisual | SegmentationVisual,
                data: np.ndarray, components: int, dtype: str) -> moderngl.Texture:
        """Cached by key; key-less visuals stream into a scratch texture per object id."""
        internal = srgb_internal_format(components, dtype)
        if v.cache_key is None:
            return cache.scratch_texture((kind, v.object_id), data, components, dtype, internal)
        key = (kind, v.cache_key)
        entry = cache.get(key)
        if entry is None:
            entry = CacheEntry()
            entry.objects["texture"] = cache.texture(data, components, dtype, internal)
            cache.put(key, entry)
        return entry.objects["texture"]  # type: ignore[return-value]

    def release(self) -> None:
        for vao in self._vaos.values():
            vao.release()
        self.corners.release()


class ImageRenderer(_QuadRenderer):
    def draw(self, v: ImageVisual, fs: FrameState) -> None:
        if v.cache_key is not None and ("image", v.cache_key) in fs.cache:
            entry = fs.cache.get(("image", v.cache_key))
            tex = entry.objects["texture"]  # type: ignore[union-attr]
            components, dtype = tex.components, tex.dtype
            h, w = tex.size[1], tex.size[0]
        else:
            data, components, dtype, _ = image_texture_format(v.image)
            h, w = data.shape[:2]
            tex = self.texture(fs.cache, "image", v, data, components, dtype)
        defines = set()
        if dtype == "u2":
            defines.add("IMAGE_INTEGER")
        if srgb_internal_format(components, dtype) is not None:
            defines.add("IMAGE_SRGB_TEXTURE")
        smooth = v.smooth and dtype != "u2"  # integer textures cannot be filtered
        if smooth:
            defines.add("IMAGE_LINEAR")
        filt = moderngl.LINEAR if smooth else moderngl.NEAREST
        if tex.filter != (filt, filt):  # a cached texture may be shared by a nearest and a smooth view
            tex.filter = (filt, filt)
        prog = fs.program("image", "image", defines)
        fs.set_blend(not (v.opaque or components in (1, 3)) or v.opacity < 1.0)
        fs.setup(prog, v.object_id, v.transform)
        tex.use(IMAGE_UNIT)
        set_uniform(prog, "u_image", IMAGE_UNIT)
        lo, hi = _texel_range(v, dtype)
        set_uniform(prog, "u_range", (lo, hi if hi != lo else lo + 1.0))
        set_uniform(prog, "u_linear", int(v.linear))
        set_uniform(prog, "u_bgr", int(v.bgr))
        set_uniform(prog, "u_channels", int(components))
        set_uniform(prog, "u_opacity", float(v.opacity))
        set_uniform(prog, "u_size", (float(w), float(h)))
        fs.draw(self.vao(prog), moderngl.TRIANGLE_STRIP, 4)


def _texel_range(v: ImageVisual, dtype: str) -> tuple[float, float]:
    """The visual's value range in the units the shader reads: uint8 textures are normalized
    (texel = value / 255), uint16 textures are integers, float textures are the values."""
    if v.value_range is None:
        return (0.0, 65535.0) if dtype == "u2" else (0.0, 1.0)
    lo, hi = (float(x) for x in v.value_range)
    return (lo / 255.0, hi / 255.0) if dtype == "f1" else (lo, hi)


class SegmentationRenderer(_QuadRenderer):
    def draw(self, v: SegmentationVisual, fs: FrameState, opacity: float) -> None:
        """Draw with the effective `opacity` (the Renderer resolves Rerun's default)."""
        if v.cache_key is not None and ("segmentation", v.cache_key) in fs.cache:
            entry = fs.cache.get(("segmentation", v.cache_key))
            tex = entry.objects["texture"]  # type: ignore[union-attr]
        else:
            ids, dtype = segmentation_texture_format(v.ids)
            tex = self.texture(fs.cache, "segmentation", v, ids, 1, dtype)
        w, h = tex.size
        defines = set()
        if v.zero_transparent:
            defines.add("ZERO_TRANSPARENT")
        if v.outline:
            defines.add("OUTLINE")
        palette = fs.palette(v.palette_key)
        if palette.has_transparent:
            defines.add("SEE_THROUGH")
        prog = fs.program("image", "segmentation", defines)
        fs.set_blend(opacity < 1.0 or not palette.all_opaque)
        fs.setup(prog, v.object_id, v.transform)
        fs.bind_palette(prog, v.palette_key)
        tex.use(IMAGE_UNIT)
        set_uniform(prog, "u_ids", IMAGE_UNIT)
        set_uniform(prog, "u_opacity", float(opacity))
        set_uniform(prog, "u_size", (float(w), float(h)))
        fs.draw(self.vao(prog), moderngl.TRIANGLE_STRIP, 4)
