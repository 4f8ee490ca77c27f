"""Per-frame state shared by the primitive renderers: camera uniforms, palettes, counters.

A primitive renderer gets one `FrameState` per frame and never touches the render target or
global GL state itself; the `Renderer` owns that. Counting draw calls here is how benchmarks
prove that instanced drawing keeps one call per visual regardless of instance count.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, Mapping

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .camera import gl_bytes
from .palette import PaletteTexture
from .shaders import ShaderLibrary, set_uniform
from ..instances import broadcast_last
from ..scene.legend import COLOR_BY as COLOR_BY_MODES
from ..scene.visuals import NO_CLASS, NO_KEYPOINT, _Colored, as_rgba

PALETTE_UNIT = 0      # units 0, 1, 2, 3: palette, keypoint index, keypoint colors, class styles
STYLE_UNIT = PALETTE_UNIT + 3
IMAGE_UNIT = 4        # image / id texture / glyph atlas
COLOR_TABLE_UNIT = 5  # "color by entity / instance": the color table (shaders/color_by.glsl)

_COLOR_BY_DEFINES = {"class": frozenset(), "entity": frozenset({"COLOR_BY_ENTITY"}),
                     "instance": frozenset({"COLOR_BY_INSTANCE"})}


@dataclass
class FrameStats:
    """What one frame cost: draw calls, geometry uploads, palette texture writes."""

    draw_calls: int = 0
    uploads: int = 0
    bytes_uploaded: int = 0
    palette_writes: int = 0
    visuals: int = 0
    draw_seconds: float = 0.0   # CPU time inside draw calls (llvmpipe shades vertices there)
    label_writes: int = 0       # label position rewrites (labels placed apart each frame; not geometry)
    label_bytes: int = 0


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
    eye: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 0.0)   # camera position (w=1) / direction (w=0)
    pick_pass: bool = False          # drawing pick records instead of colors
    ui_scale: float = 1.0            # framebuffer pixels per UI point (screen-pixel radii, labels)
    blending: bool = True            # current GL blend state (color pass)
    color_by: str = "class"          # view option: class (annotation colors) | entity | instance
    neutral_style: moderngl.Texture | None = None   # class styles of visuals without a palette
    # per-frame bookkeeping so thousands of small visuals do not re-set the same state
    _frame_uniforms_set: set[int] = field(default_factory=set)
    _model_of: dict[int, bytes | None] = field(default_factory=dict)   # program -> transform set in it
    _eyes: dict[bytes, tuple[float, float, float, float]] = field(default_factory=dict)   # transform -> local eye
    _bound_palette: object = field(default=None)

    def program(self, vertex: str, fragment: str, defines: Iterable[str] = ()) -> moderngl.Program:
        """The pass's variant of a program (PICK_PASS outputs pick records instead of colors)."""
        d = set(defines)
        if self.pick_pass:
            d.add("PICK_PASS")
        return self.shaders.program(vertex, fragment, d)

    def set_blend(self, enabled: bool) -> None:
        """Blend only when a draw can be translucent: opaque full-screen layers skip the
        read-modify-write of the sRGB target (a large cost on software rasterizers)."""
        enabled = enabled and not self.pick_pass
        if enabled != self.blending:
            (self.ctx.enable if enabled else self.ctx.disable)(moderngl.BLEND)
            self.blending = enabled

    def setup(self, prog: moderngl.Program, object_id: int, transform: np.ndarray | None = None) -> None:
        """Camera, viewport and sampler uniforms (once per program and frame), the visual's
        model transform (only when it differs from the program's current one) and the object id."""
        if prog.glo not in self._frame_uniforms_set:
            self._frame_uniforms_set.add(prog.glo)
            set_uniform(prog, "u_view_proj", gl_bytes(self.view_proj))
            set_uniform(prog, "u_viewport", (float(self.viewport[0]), float(self.viewport[1])))
            set_uniform(prog, "u_px_scale", float(self.px_scale))
            set_uniform(prog, "u_ui_scale", float(self.ui_scale))
            set_uniform(prog, "u_eye", self.eye)
            set_uniform(prog, "u_palette", PALETTE_UNIT)
            set_uniform(prog, "u_kp_index", PALETTE_UNIT + 1)
            set_uniform(prog, "u_kp_colors", PALETTE_UNIT + 2)
            set_uniform(prog, "u_class_style", STYLE_UNIT)
            set_uniform(prog, "u_color_table", COLOR_TABLE_UNIT)
        key = None if transform is None else np.asarray(transform, np.float64).tobytes()
        if self._model_of.get(prog.glo) != key:
            self._model_of[prog.glo] = key
            self._set_model(prog, transform)
        set_uniform(prog, "u_object_id", int(object_id) & 0xFFFFFFFF)

    def _set_model(self, prog: moderngl.Program, transform: np.ndarray | None) -> None:
        """View-projection times the model matrix, and (for programs that read it) the eye in the
        model's coordinates: the points shader offsets depth toward it."""
        if transform is None:
            set_uniform(prog, "u_view_proj", gl_bytes(self.view_proj))
            set_uniform(prog, "u_eye", self.eye)
            set_uniform(prog, "u_px_scale", float(self.px_scale))
            return
        m = np.asarray(transform, np.float64)
        set_uniform(prog, "u_view_proj", gl_bytes(self.view_proj @ m))
        # sizes in scene units (positive radii) are in the model's units: a keypoint of radius 3
        # in a camera's pixels stays 3 pixels of that image on its plane in 3D
        set_uniform(prog, "u_px_scale", float(self.px_scale) * model_scale(m))
        if prog.get("u_eye", None) is not None:
            set_uniform(prog, "u_eye", self._local_eye(m))

    def _local_eye(self, m: np.ndarray) -> tuple[float, float, float, float]:
        key = m.tobytes()
        hit = self._eyes.get(key)
        if hit is None:
            e = np.asarray(self.eye, np.float64)
            a, t = m[:3, :3], m[:3, 3]
            rhs = e[:3] - t if e[3] > 0.5 else e[:3]
            try:
                local = np.linalg.solve(a, rhs)
            except np.linalg.LinAlgError:   # an image plane's matrix is singular in z
                local = np.linalg.lstsq(a, rhs, rcond=None)[0]
            hit = self._eyes[key] = (float(local[0]), float(local[1]), float(local[2]), float(e[3]))
        return hit

    def palette(self, key: Hashable | None) -> PaletteTexture:
        try:
            return self.palettes[key]
        except KeyError:
            raise KeyError(f"no PaletteTexture for palette_key {key!r}; pass it in `palettes`") from None

    def color_by_defines(self) -> frozenset[str]:
        """Shader defines of the view's color-by mode (none in the pick pass: colors unused)."""
        return frozenset() if self.pick_pass else _COLOR_BY_DEFINES[self.color_by]

    def bind_palette(self, prog: moderngl.Program, key: Hashable | None) -> None:
        """Bind the palette textures of context `key` to their units (only if the program reads
        them, and only when another palette is bound; sampler uniforms are set in `setup`).
        A program that reads only the class styles of a visual without a palette (explicit
        colors and class ids, no context) gets the neutral style table."""
        if prog.get("u_palette", None) is None and prog.get("u_kp_index", None) is None:
            if prog.get("u_class_style", None) is None:
                return
            if key not in self.palettes:
                if self.neutral_style is not None:
                    self.neutral_style.use(STYLE_UNIT)
                    self._bound_palette = None
                return
        pal = self.palette(key)
        if self._bound_palette is not pal:
            pal.bind(PALETTE_UNIT)
            self._bound_palette = pal

    def draw(self, vao: moderngl.VertexArray, mode: int, vertices: int, instances: int = 1) -> None:
        t0 = time.perf_counter()
        vao.render(mode, vertices=vertices, instances=instances)
        self.stats.draw_seconds += time.perf_counter() - t0
        self.stats.draw_calls += 1


def model_scale(m: np.ndarray) -> float:
    """Scene units per model unit: the geometric mean of the lengths of the model's axes (an
    image plane has no z axis; only the axes that exist count)."""
    lengths = np.sqrt((np.asarray(m, np.float64)[:3, :3] ** 2).sum(axis=0))
    lengths = lengths[lengths > 1e-12]
    return float(np.exp(np.log(lengths).mean())) if len(lengths) else 1.0


def vao_for(entry: CacheEntry, ctx: moderngl.Context, prog: moderngl.Program,
            content: list[tuple[moderngl.Buffer, str, str]]) -> moderngl.VertexArray:
    """The entry's VAO for `prog` (built once; VAOs are bindings, not uploads)."""
    vao = entry.vaos.get(prog.glo)
    if vao is None:
        vao = ctx.vertex_array(prog, active_content(prog, content))
        entry.vaos[prog.glo] = vao
    return vao


_TOKEN = re.compile(r"^(\d*)([fiux])(\d?)$")


def active_content(prog: moderngl.Program, content: list[tuple]) -> list[tuple]:
    """VAO content without attributes the compiler removed (an inactive attribute bound anyway
    raises GL_INVALID_VALUE). Inactive parts of an interleaved buffer become padding."""
    out = []
    for buf, fmt, *names in content:
        fmt, _, per = fmt.partition("/")
        tokens = fmt.split()
        kept_tokens, kept_names = [], []
        for token, name in zip(tokens, names):
            if prog.get(name, None) is not None:
                kept_tokens.append(token)
                kept_names.append(name)
            else:
                count, kind, size = _TOKEN.match(token).groups()  # type: ignore[union-attr]
                default = 1 if kind == "x" else 4
                kept_tokens.append(f"{int(count or 1) * int(size or default)}x")
        if kept_names:
            out.append((buf, " ".join(kept_tokens) + (f"/{per}" if per else ""), *kept_names))
    return out


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


def class_style_define(class_ids: np.ndarray) -> frozenset[str]:
    """CLASS_STYLE (per-class size scales from the legend) for instances that carry class ids."""
    return frozenset({"CLASS_STYLE"}) if bool((np.asarray(class_ids) != NO_CLASS).any()) else frozenset()


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


# Per-instance attributes a cached entry may carry (only those present are bound).
OPTIONAL_ATTRIBUTES = (("color", "4f1/i", "in_color"), ("radius", "f/i", "in_radius"), ("pick", "2u4/i", "in_pick"))


def attach_instance_data(entry: CacheEntry, cache: GeometryCache, dim: int, color_define: str, *,
                         color: np.ndarray | None = None, radius: np.ndarray | None = None,
                         pick: np.ndarray | None = None) -> frozenset[str]:
    """Upload the optional per-instance attributes (the build-side twin of OPTIONAL_ATTRIBUTES)
    and return the defines that select the matching shader variant."""
    defines = {color_define}
    if dim == 2:
        defines.add("POS2D")
    if color is not None:
        entry.objects["color"] = cache.buffer(np.ascontiguousarray(color))
    if radius is not None:
        entry.objects["radius"] = cache.buffer(np.ascontiguousarray(radius, np.float32))
        defines.add("RADIUS_ATTRIB")
    if pick is not None:
        entry.objects["pick"] = cache.buffer(np.ascontiguousarray(pick))
        defines.add("PICK_ATTRIB")
    return frozenset(defines)


def cached_entry(fs: FrameState, key: Hashable | None, build: Callable[[], CacheEntry]) -> CacheEntry:
    """The cached geometry for `key`, built (uploaded) only on a miss."""
    entry = fs.cache.get(key)
    if entry is None:
        entry = fs.cache.put(key, build())
    return entry


def with_optional_attributes(objects: dict, content: list[tuple]) -> list[tuple]:
    for name, fmt, attribute in OPTIONAL_ATTRIBUTES:
        if name in objects:
            content.append((objects[name], fmt, attribute))
    return content


def draw_instanced_quads(fs: FrameState, ctx: moderngl.Context, entry: CacheEntry, prog: moderngl.Program,
                         content: list[tuple], v: _Colored, **uniforms: object) -> None:
    """The shared tail of the instanced primitives (points, lines, labels): bind the entry's
    VAO, the palette and the common uniforms, then one draw of 4-vertex strips per instance."""
    vao = vao_for(entry, ctx, prog, with_optional_attributes(entry.objects, content))
    fs.set_blend(True)
    fs.setup(prog, v.object_id, v.transform)
    fs.bind_palette(prog, v.palette_key)
    for name, value in uniforms.items():
        set_uniform(prog, name, value)
    set_uniform(prog, "u_color", uniform_color(v))
    fs.draw(vao, moderngl.TRIANGLE_STRIP, 4, entry.meta["n"])
