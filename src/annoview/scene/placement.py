"""Where each entity's visuals go in the 2D and the 3D view: what the scene builder's one
placement step applies (transforms and spaces; docs/transforms.md has the rules).

Per frame, `SpatialLayout.resolve` takes the latest-at query and the view origin and resolves
every entity's `EntitySpace` (cached by row ids in a `TransformTree`). Then, per entity:
- `for_2d`: the entity's 2D visuals as the 2D view shows them: pixel coordinates under a camera;
  elsewhere the entity's transform flattened to the view plane.
- `for_3d`: its 3D visuals with `world_from_parts`, and, under a camera, its 2D visuals on the
  camera's image plane.
- `camera_visuals`: the frustum of an entity's own Pinhole.
Visuals come back as shallow copies with `transform` set (or the originals when nothing is
transformed), so cached parts are never modified.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..instances import unpack_rgba
from ..paths import ROOT
from ..spatial import EntitySpace, TransformTree, frustum_segments, view_up
from ..spatial.pinhole import default_image_plane_distance, scale_about_origin
from ..spatial.transforms import IDENTITY
from .model import Part
from .visuals import DRAW_ORDER_LINES, LinesVisual, Visual, scene_bounds

FRUSTUM_COLOR = (160, 160, 160, 255)
FRUSTUM_RADIUS = -0.75          # screen px: thin, like Rerun's camera lines
SPATIAL_ARCHETYPES = frozenset({"Transform3D", "Pinhole", "ViewCoordinates", "InstancePoses3D"})


def under(path: str, origin: str) -> bool:
    return origin == ROOT or path == origin or path.startswith(origin + "/")


def _flat(m: np.ndarray) -> np.ndarray:
    """A 3D transform as the 2D view applies it: x and y only (z is dropped)."""
    out = m.copy()
    out[2, :] = 0.0
    out[:, 2] = 0.0
    out[2, 2] = 1.0
    return out


class SpatialLayout:
    """Spaces of all entities at one time, relative to a view origin."""

    def __init__(self, spaces: Mapping[str, EntitySpace], origin: str | None, up: np.ndarray | None) -> None:
        self.spaces = spaces
        self.origin = origin
        self.view_up = up
        o = spaces.get(origin or ROOT)
        self.origin_space = o
        self.view_from_world = IDENTITY if o is None or o.path == ROOT else np.linalg.inv(o.world_from_entity)
        # a 2D view whose origin is in a camera's image space shows that camera's pixels
        self.pinhole_2d = o.pinhole if o is not None else None
        # visuals on the image plane (or frustum) of a camera without a logged plane distance:
        # (visual, camera path, image plane?) placed by `finish` once the scene's size is known
        self._camera_visuals: list[tuple[Visual, str, bool]] = []

    @classmethod
    def resolve(cls, tree: TransformTree, paths: list[str], cells_of: Callable[[str], Mapping[str, Any]],
                origin: str | None = None) -> "SpatialLayout":
        spaces = tree.resolve([*paths, origin] if origin else paths, cells_of)
        layout = cls(spaces, origin, None)
        found = view_up(cells_of, origin or ROOT, [p for p in paths if "ViewCoordinates:xyz" in cells_of(p)])
        if found is not None:
            where, up = found
            sp = spaces.get(where)
            m = layout.view_from_world @ (sp.world_from_entity if sp is not None else IDENTITY)
            v = m[:3, :3] @ up
            layout.view_up = v / np.linalg.norm(v) if np.linalg.norm(v) > 1e-12 else None
        return layout

    def problems(self) -> list[tuple[str, str]]:
        return [(p, msg) for p, sp in self.spaces.items() for msg in sp.problems]

    # ---- the 2D view ------------------------------------------------------------------------
    def for_2d(self, path: str, visuals: list[Visual]) -> list[Visual]:
        if not visuals:
            return visuals
        sp = self.spaces.get(path)
        if sp is None:
            return visuals
        if self.origin is None:
            # the default 2D view: every camera's pixels as they are, other 2D data where its
            # transforms put it in the view plane
            if sp.pinhole is not None or not sp.is_transformed:
                return visuals
            return _with(visuals, _flat(sp.world_from_parts))
        if not under(path, self.origin):
            return []
        if self.pinhole_2d is not None:
            return visuals if sp.pinhole == self.pinhole_2d else []
        if sp.pinhole is not None:
            return []
        m = _flat(self.view_from_world @ sp.world_from_parts)
        return visuals if np.array_equal(m, IDENTITY) else _with(visuals, m)

    # ---- the 3D view ------------------------------------------------------------------------
    def for_3d(self, path: str, visuals_2d: list[Visual], visuals_3d: list[Visual]) -> list[Visual]:
        sp = self.spaces.get(path)
        if sp is None:
            return visuals_3d
        if self.origin is not None and not under(path, self.origin):
            return []
        if sp.pinhole is not None:
            cam = self.spaces[sp.pinhole]
            if not visuals_2d or cam.camera is None:
                return []
            placed = _with(visuals_2d, self._camera_matrix(cam, True, cam.camera.image_plane_distance or 1.0))
            self._camera_visuals.extend((v, cam.path, True) for v in placed)
            return placed
        if not visuals_3d:
            return visuals_3d
        m = self.view_from_world @ sp.world_from_parts
        return visuals_3d if np.array_equal(m, IDENTITY) else _with(visuals_3d, m)

    def camera_visuals(self, path: str, cells: Mapping[str, Any] | None = None, object_id: int = 0) -> list[Visual]:
        """The frustum of the entity's own Pinhole (in the 3D view), or nothing; `Pinhole:color`
        and `Pinhole:line_width` (a width: scene units, negative = screen points) style it."""
        sp = self.spaces.get(path)
        if sp is None or sp.camera is None or sp.pinhole != path:
            return []
        if self.origin is not None and not under(path, self.origin):
            return []
        cam = sp.camera
        segs = frustum_segments(cam, 1.0).astype(np.float32)      # the unit frustum, scaled by `finish`
        key = ("frustum", cam.image_from_camera.tobytes(), cam.size, cam.camera_xyz)
        color, radius = _frustum_style(cells or {})
        line = LinesVisual(segments=segs, colors=color, radii=radius,
                           object_id=object_id, cache_key=key, draw_order=DRAW_ORDER_LINES,
                           transform=self._camera_matrix(sp, False, cam.image_plane_distance or 1.0))
        self._camera_visuals.append((line, path, False))
        return [line]

    def _camera_matrix(self, cam: EntitySpace, image: bool, distance: float) -> np.ndarray:
        """View from the camera's image plane (image=True) or unit frustum, at `distance`."""
        m = self.view_from_world @ cam.world_from_entity @ scale_about_origin(distance)
        return m @ cam.camera.entity_from_image(1.0) if image else m  # type: ignore[union-attr]

    def finish(self, visuals_3d: list[Visual]) -> None:
        """Size the image planes and frustums of cameras that logged no distance from the rest of
        the 3D view (as Rerun does, see spatial.pinhole.default_image_plane_distance)."""
        pending = [(v, p, img) for v, p, img in self._camera_visuals
                   if self.spaces[p].camera.image_plane_distance is None]  # type: ignore[union-attr]
        if not pending:
            return
        mine = {id(v) for v, _, _ in self._camera_visuals}
        bounds = scene_bounds([v for v in visuals_3d if id(v) not in mine])
        d = default_image_plane_distance(bounds)
        for v, p, img in pending:
            v.transform = self._camera_matrix(self.spaces[p], img, d)


def _frustum_style(cells: Mapping[str, Any]) -> tuple[np.ndarray, float]:
    color = np.array([FRUSTUM_COLOR], np.uint8)
    radius = FRUSTUM_RADIUS
    c = cells.get("Pinhole:color")
    if c is not None:
        packed = np.asarray(c.value).reshape(-1)
        if packed.size:
            color = unpack_rgba(packed[-1:])
    w = cells.get("Pinhole:line_width")
    if w is not None:
        width = np.asarray(w.value, np.float64).reshape(-1)
        if width.size and np.isfinite(width[-1]) and width[-1] != 0:
            radius = float(width[-1]) / 2.0
    return color, radius


def place(part: Part, path: str, layout: SpatialLayout) -> Part:
    """The part as the views draw it: a shallow copy whose visuals carry their placement (the
    cached part itself stays in entity space)."""
    v2 = layout.for_2d(path, part.visuals_2d)
    v3 = layout.for_3d(path, part.visuals_2d, part.visuals_3d)
    if v2 is part.visuals_2d and v3 is part.visuals_3d:
        return part
    out = Part()
    out.visuals_2d, out.visuals_3d = v2, v3
    out.objects, out.problems = part.objects, part.problems
    out.segmentation_entities, out.class_counts = part.segmentation_entities, part.class_counts
    return out


def _with(visuals: list[Visual], m: np.ndarray) -> list[Visual]:
    return [dataclasses.replace(v, transform=m) for v in visuals]
