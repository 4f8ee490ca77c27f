"""Per-frame state shared by the primitive renderers: camera uniforms, palettes, counters.

A primitive renderer gets one `FrameState` per frame and never touches the render target or
global GL state itself; the `Renderer` owns that. Counting draw calls here is how benchmarks
prove that instanced drawing keeps one call per visual regardless of instance count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Mapping

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .camera import gl_bytes
from .palette import PaletteTexture
from .shaders import ShaderLibrary, set_uniform
from .visuals import NO_CLASS, NO_KEYPOINT, _Colored, as_rgba, broadcast_last

PALETTE_UNIT = 0      # units 0, 1, 2: palette, keypoint index, keypoint colors
IMAGE_UNIT = 3        # image / id texture / glyph atlas


@dataclass
class FrameStats:
    """What one frame cost: draw calls, geometry uploads, palette texture writes."""

    draw_calls: int = 0
    uploads: int = 0
    bytes_uploaded: int = 0
    palette_writes: int = 0
    visuals: int = 0


@dataclass
class FrameState:
    ctx: moderngl.Context
    shaders: ShaderLibrary
    cache: GeometryCache
    view_proj: np.ndarray
    px_scale: float
    viewport: tuple[int, int]
    palettes: Mapping[Hashable, PaletteTexture]
    stats: FrameStats = field(default_factory=FrameStats)

    def setup(self, prog: moderngl.Program, object_id: int) -> None:
        """Camera, viewport and pick uniforms common to every program."""
        set_uniform(prog, "u_view_proj", gl_bytes(self.view_proj))
        set_uniform(prog, "u_viewport", (float(self.viewport[0]), float(self.viewport[1])))
        set_uniform(prog, "u_px_scale", float(self.px_scale))
        set_uniform(prog, "u_object_id", int(object_id) & 0xFFFFFFFF)

    def bind_palette(self, prog: moderngl.Program, key: Hashable | None) -> None:
        """Bind the palette textures of context `key` (they are only read if the program uses them)."""
        if prog.get("u_palette", None) is None and prog.get("u_kp_index", None) is None:
            return
        try:
            pal = self.palettes[key]
        except KeyError:
            raise KeyError(f"no PaletteTexture for palette_key {key!r}; pass it in `palettes`") from None
        pal.bind(PALETTE_UNIT)
        set_uniform(prog, "u_palette", PALETTE_UNIT)
        set_uniform(prog, "u_kp_index", PALETTE_UNIT + 1)
        set_uniform(prog, "u_kp_colors", PALETTE_UNIT + 2)

    def draw(self, vao: moderngl.VertexArray, mode: int, vertices: int, instances: int = 1) -> None:
        vao.render(mode, vertices=vertices, instances=instances)
        self.stats.draw_calls += 1


def vao_for(entry: CacheEntry, ctx: moderngl.Context, prog: moderngl.Program,
            content: list[tuple[moderngl.Buffer, str, str]]) -> moderngl.VertexArray:
    """The entry's VAO for `prog` (built once; VAOs are bindings, not uploads)."""
    vao = entry.vaos.get(prog.glo)
    if vao is None:
        vao = ctx.vertex_array(prog, content, skip_errors=True)
        entry.vaos[prog.glo] = vao
    return vao


def color_inputs(v: _Colored, n: int, keypoint_ids: np.ndarray | None = None
                 ) -> tuple[str, np.ndarray, np.ndarray | None]:
    """(color define, per-instance (n, 2) uint32 ids [class, keypoint], per-instance colors).

    Explicit colors win (rule 3); one color becomes a uniform. Keypoint ids without class ids
    mean class 0 (as Rerun's SDK fills in).
    """
    ids = np.empty((n, 2), np.uint32)
    cls = broadcast_last(v.class_ids, n)
    kps = broadcast_last(keypoint_ids, n)
    if cls is None and kps is not None:
        cls = np.zeros(n, np.uint32)
    ids[:, 0] = NO_CLASS if cls is None else cls
    ids[:, 1] = NO_KEYPOINT if kps is None else kps
    mode = v.color_mode()
    if mode == "uniform" and v.colors is None and cls is not None:
        mode = "palette"
    colors = None
    if mode == "attrib":
        colors = broadcast_last(as_rgba(v.colors), n)
    return {"attrib": "COLOR_ATTRIB", "uniform": "COLOR_UNIFORM", "palette": "COLOR_PALETTE"}[mode], ids, colors


def pick_inputs(v: _Colored, n: int) -> np.ndarray | None:
    """Per-instance (n, 2) uint32 (object id, instance) for batched visuals, else None."""
    if v.pick_ids is None:
        return None
    ids = np.asarray(v.pick_ids, np.uint32).reshape(-1, 2)
    if len(ids) != n:
        raise ValueError(f"pick_ids has {len(ids)} rows for {n} instances")
    return ids


def radius_inputs(radii: np.ndarray | float | None, default: float, n: int) -> tuple[float, np.ndarray | None]:
    """(uniform radius, per-instance radii or None)."""
    if radii is None:
        return default, None
    r = np.asarray(radii, np.float32).reshape(-1)
    if r.size == 0:
        return default, None
    if r.size == 1 or (r == r[0]).all():
        return float(r[0]), None
    return 0.0, broadcast_last(r, n)


def uniform_color(v: _Colored) -> tuple[float, float, float, float]:
    """The sRGB color (0-1 floats) of a visual drawn in one color."""
    return tuple(c / 255.0 for c in v.uniform_color())  # type: ignore[return-value]
