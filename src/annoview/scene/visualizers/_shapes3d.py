"""Oriented 3D shapes (Boxes3D, Ellipsoids3D): a wireframe (each instance a set of line segments
in one color, so colors, class ids, labels and picking work as for line strips) and, by fill
mode, a shaded fill of the same instances (`SolidsVisual`).

Fill modes (Rerun's `FillMode`): 1 major wireframe draws the wireframe, 2 dense wireframe a
see-through wireframe of the whole surface (the same 12 edges for a box), 3 solid an opaque fill
without lines, 4 (transparent fill + major wireframe, Rerun's default when none is logged) both.
"""
from __future__ import annotations

import numpy as np

from ..model import Part
from ..visuals import DEFAULT_LINE_RADIUS, LinesVisual, SolidsVisual, strip_labels
from ._poses import instance_rotations
from .base import VisualizerInput, add_labels, instance_count, instance_rows

DEFAULT_RADIUS = DEFAULT_LINE_RADIUS   # wireframe lines, screen px (as line strips)
DENSE, SOLID, TRANSPARENT_FILL = 2, 3, 4
DEFAULT_FILL_MODE = TRANSPARENT_FILL   # Rerun 0.41's default look
FILL_OPACITY = 0.15                    # alpha of the transparent fill (Rerun's look, measured)


def build_shapes(inp: VisualizerInput, kind: str, shape: str, unit_segments: np.ndarray, radii_field: str,
                 tag: str, dense_segments: np.ndarray | None = None) -> Part:
    """`unit_segments` (M, 2, 3): one shape's wireframe for half sizes (1, 1, 1) at the origin
    (`dense_segments` for the dense fill mode, when it differs); each instance gets it scaled by
    its half sizes, rotated and moved to its center."""
    part = Part()
    fill = inp.value("fill_mode")
    fill = DEFAULT_FILL_MODE if fill is None or not len(fill) else int(fill[0])
    if fill == DENSE and dense_segments is not None:
        unit_segments = dense_segments
    n = instance_count(inp, "half_sizes", "centers")
    half = instance_rows(inp.value("half_sizes"), n, 3, 0.5)
    centers = instance_rows(inp.value("centers"), n, 3, 0.0)
    rot = instance_rotations(inp.value("quaternions"), inp.value("rotation_axis_angles"), n)
    m = len(unit_segments)
    local = unit_segments[None, :, :, :] * half[:, None, None, :]                # (n, M, 2, 3)
    if rot is not None:
        local = np.einsum("nij,nmkj->nmki", rot, local)
    segments = (local + centers[:, None, None, :]).astype(np.float32).reshape(-1, 2, 3)
    class_ids = inp.value("class_ids")
    key = inp.palette_key
    oid = inp.object_id(kind)
    radii = inp.value(radii_field)
    colored = dict(colors=inp.colors(), class_ids=None if class_ids is None else np.asarray(class_ids),
                   palette_key=key, default_color=inp.default_color(), object_id=oid)
    lines = LinesVisual(segments=segments, instances=np.repeat(np.arange(n, dtype=np.uint32), m),
                        radii=DEFAULT_RADIUS if radii is None else radii, cache_key=(tag, inp.cache_key, key), **colored)
    if fill != SOLID:
        part.visuals_3d.append(lines)
    if fill in (SOLID, TRANSPARENT_FILL):
        part.visuals_3d.append(SolidsVisual(shape=shape, centers=centers, half_sizes=half, rotations=rot,
                                            opacity=1.0 if fill == SOLID else FILL_OPACITY,
                                            cache_key=(tag + "-fill", inp.cache_key, key), **colored))
    obj = part.objects[oid] = inp.scene_object(oid, kind, positions=centers, resolve=inp.resolver(n))
    part.count_classes(key, class_ids, n)
    add_labels(inp, part.visuals_3d, lines, obj, n, lambda vis, texts: strip_labels(vis, texts, centers))
    return part


def _box_edges() -> np.ndarray:
    c = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], np.float32)
    pairs = [(a, b) for a in range(8) for b in range(a + 1, 8) if np.count_nonzero(c[a] != c[b]) == 1]
    return np.stack([c[[a for a, _ in pairs]], c[[b for _, b in pairs]]], 1)   # (12, 2, 3)


def _ellipse_rings(steps: int = 64) -> np.ndarray:
    """The three principal circles of the unit sphere (xy, yz, zx planes), `steps` segments each."""
    t = np.linspace(0, 2 * np.pi, steps + 1)
    ring = np.stack([np.cos(t), np.sin(t), np.zeros_like(t)], 1)
    rings = [ring, ring[:, [2, 0, 1]], ring[:, [1, 2, 0]]]
    return np.concatenate([np.stack([r[:-1], r[1:]], 1) for r in rings]).astype(np.float32)


def _dense_sphere(rings: int = 8, meridians: int = 12, steps: int = 32) -> np.ndarray:
    """A see-through wireframe of the unit sphere: latitude rings and meridians."""
    segs = []
    t = np.linspace(0, 2 * np.pi, steps + 1)
    for lat in np.linspace(-np.pi / 2, np.pi / 2, rings + 1)[1:-1]:
        ring = np.stack([np.cos(lat) * np.cos(t), np.cos(lat) * np.sin(t), np.full_like(t, np.sin(lat))], 1)
        segs.append(np.stack([ring[:-1], ring[1:]], 1))
    u = np.linspace(-np.pi / 2, np.pi / 2, steps // 2 + 1)
    for lon in np.linspace(0, 2 * np.pi, meridians, endpoint=False):
        arc = np.stack([np.cos(u) * np.cos(lon), np.cos(u) * np.sin(lon), np.sin(u)], 1)
        segs.append(np.stack([arc[:-1], arc[1:]], 1))
    return np.concatenate(segs).astype(np.float32)


BOX_EDGES = _box_edges()
ELLIPSE_RINGS = _ellipse_rings()
DENSE_SPHERE = _dense_sphere()
