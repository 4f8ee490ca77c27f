"""Closed 3D shapes (the fills of Boxes3D and Ellipsoids3D): one unit mesh per shape, drawn
instanced with a per-instance center, half sizes and rotation, so a thousand boxes are one draw
and their class colors come from the palette on the GPU like every other primitive."""
from __future__ import annotations

import numpy as np
import moderngl

from .cache import CacheEntry, GeometryCache
from .frame import FrameState, attach_instance_data, cached_entry, color_inputs, pick_inputs, uniform_color, vao_for, with_optional_attributes
from .shaders import set_uniform
from ..scene.visuals import SolidsVisual

AMBIENT = 0.45   # share of a face's color lit from everywhere; the rest follows the light at the eye


def _unit_box() -> tuple[np.ndarray, np.ndarray]:
    """36 vertices (12 triangles) of the cube [-1, 1]^3 with flat normals."""
    verts, normals = [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u, v = np.eye(3)[(axis + 1) % 3], np.eye(3)[(axis + 2) % 3]
            quad = [n + a * u + b * v for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
            for i in (0, 1, 2, 0, 2, 3):
                verts.append(quad[i])
                normals.append(n)
    return np.array(verts, np.float32), np.array(normals, np.float32)


def _unit_sphere(rings: int = 16, segments: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Triangles of a UV sphere of radius 1 (normals = positions)."""
    theta = np.linspace(0, np.pi, rings + 1)
    phi = np.linspace(0, 2 * np.pi, segments + 1)
    grid = np.stack([np.sin(theta)[:, None] * np.cos(phi)[None], np.sin(theta)[:, None] * np.sin(phi)[None],
                     np.cos(theta)[:, None] * np.ones_like(phi)[None]], -1)           # (rings+1, segments+1, 3)
    a, b, c, d = grid[:-1, :-1], grid[1:, :-1], grid[1:, 1:], grid[:-1, 1:]
    tris = np.concatenate([np.stack([a, b, c], 2), np.stack([a, c, d], 2)], 2).reshape(-1, 3)
    return tris.astype(np.float32), tris.astype(np.float32)


UNIT_MESHES = {"box": _unit_box(), "sphere": _unit_sphere()}


class SolidsRenderer:
    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.meshes = {name: (ctx.buffer(np.concatenate([v, n], 1).tobytes()), len(v))
                       for name, (v, n) in UNIT_MESHES.items()}

    def _build(self, v: SolidsVisual, cache: GeometryCache) -> CacheEntry:
        n = v.instance_count()
        centers = np.asarray(v.centers, np.float32).reshape(-1, 3)
        half = np.asarray(v.half_sizes, np.float32).reshape(-1, 3)
        rot = (np.tile(np.eye(3, dtype=np.float32), (n, 1, 1)) if v.rotations is None
               else np.asarray(v.rotations, np.float32).reshape(-1, 3, 3))
        columns = np.transpose(rot, (0, 2, 1)).reshape(n, 9)          # GLSL mat3 takes columns
        color_define, ids, colors = color_inputs(v, n)
        ids[:, 1] = np.arange(n, dtype=np.uint32)
        entry = CacheEntry()
        entry.objects["pose"] = cache.buffer(np.ascontiguousarray(np.concatenate([centers, half, columns], 1)))
        entry.objects["ids"] = cache.buffer(ids)
        defines = attach_instance_data(entry, cache, 3, color_define, color=colors, pick=pick_inputs(v, n))
        entry.meta.update(n=n, defines=defines)
        return entry

    def draw(self, v: SolidsVisual, fs: FrameState) -> None:
        key = None if v.cache_key is None else ("solids", v.shape, v.cache_key)
        entry = cached_entry(fs, key, lambda: self._build(v, fs.cache))
        m = entry.meta
        if m["n"] == 0:
            return
        prog = fs.program("solids", "solids", m["defines"])
        mesh, vertices = self.meshes[v.shape]
        content = with_optional_attributes(entry.objects, [
            (mesh, "3f 3f", "in_vertex", "in_normal"),
            (entry.objects["pose"], "3f 3f 3f 3f 3f/i", "in_center", "in_half", "in_rot0", "in_rot1", "in_rot2"),
            (entry.objects["ids"], "2u4/i", "in_ids")])
        vao = vao_for(entry, self.ctx, prog, content)
        fs.set_blend(True)
        fs.setup(prog, v.object_id, v.transform)
        fs.bind_palette(prog, v.palette_key)
        set_uniform(prog, "u_color", uniform_color(v))
        set_uniform(prog, "u_opacity", float(v.opacity))
        set_uniform(prog, "u_ambient", AMBIENT)
        fs.draw(vao, moderngl.TRIANGLES, vertices, m["n"])

    def release(self) -> None:
        for buf, _ in self.meshes.values():
            buf.release()
