"""Pinhole cameras: the 2D image space of an entity with a `Pinhole`, placed in 3D.

The entity that logs a Pinhole (and everything under it) lives in image space: pixel
coordinates, x right, y down, origin at the top-left corner. `image_from_camera` (K, stored
column-major) projects a point of the camera's RDF frame (x right, y down, z forward) onto
pixels; `camera_xyz` says how the entity's own 3D axes relate to RDF (RDF by default).

In a 3D view, 2D content of the camera is drawn on its image plane at `image_plane_distance`
in front of the camera: pixel (u, v) sits at d * K^-1 (u, v, 1). That is linear in (u, v, 1),
so one 4x4 matrix (`entity_from_image`) maps the 2D parts' own coordinates (x, y, 0, 1) onto
the plane, and the renderer draws them with it like any transformed part. Everything on the
plane scales with d about the camera center, so a plane at d is the unit plane scaled by d.

Without a logged distance the view picks one from the size of the scene, as Rerun 0.41 does
(`default_image_plane_distance`; measured against its viewer).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .transforms import TransformError, _rows
from .view_coordinates import DEFAULT_CAMERA_XYZ, entity_from_rdf, parse_view_coordinates

NO_SCENE_IMAGE_PLANE_DISTANCE = 0.3      # no other 3D content to size the plane by
SCENE_IMAGE_PLANE_FACTOR = 0.04          # times the diagonal of the 3D content's bounding box
MIN_IMAGE_PLANE_DISTANCE = 0.1


def default_image_plane_distance(bounds: tuple[np.ndarray, np.ndarray] | None) -> float:
    """The image plane distance of a camera that logged none, from the bounding box of the 3D
    view's other content (cameras' own planes and frustums excluded), as Rerun 0.41 draws it."""
    if bounds is None:
        return NO_SCENE_IMAGE_PLANE_DISTANCE
    diag = float(np.linalg.norm(np.asarray(bounds[1], np.float64) - np.asarray(bounds[0], np.float64)))
    if not np.isfinite(diag):
        return NO_SCENE_IMAGE_PLANE_DISTANCE
    return max(SCENE_IMAGE_PLANE_FACTOR * diag, MIN_IMAGE_PLANE_DISTANCE)


def scale_about_origin(d: float) -> np.ndarray:
    m = np.eye(4)
    m[0, 0] = m[1, 1] = m[2, 2] = d
    return m


@dataclass(frozen=True)
class PinholeCamera:
    image_from_camera: np.ndarray                 # 3x3 K, row-major
    resolution: tuple[float, float] | None        # width, height in pixels
    camera_xyz: tuple[int, int, int] = DEFAULT_CAMERA_XYZ
    image_plane_distance: float | None = None     # None: not logged, the view picks one

    @property
    def size(self) -> tuple[float, float]:
        """Image size in pixels; without a resolution, twice the principal point (the image
        is assumed centered on it)."""
        if self.resolution is not None:
            return self.resolution
        k = self.image_from_camera
        return (max(2.0 * float(k[0, 2]), 1.0), max(2.0 * float(k[1, 2]), 1.0))

    def entity_from_image(self, distance: float | None = None) -> np.ndarray:
        """4x4 taking image-space (u, v, 0, 1) to the entity's 3D point on the image plane
        (at `distance`, else the logged distance, else 1)."""
        d = float(distance) if distance is not None else (self.image_plane_distance or 1.0)
        a = d * entity_from_rdf(self.camera_xyz) @ np.linalg.inv(self.image_from_camera)
        m = np.zeros((4, 4))
        m[:3, 0], m[:3, 1], m[:3, 3] = a[:, 0], a[:, 1], a[:, 2]
        m[3, 3] = 1.0
        return m

    def project(self, points: Any) -> np.ndarray:
        """Entity-space 3D points (N, 3) -> pixels (N, 2) (points behind the camera give NaN)."""
        p = np.asarray(points, np.float64).reshape(-1, 3) @ entity_from_rdf(self.camera_xyz)   # -> RDF
        uvw = p @ self.image_from_camera.T
        with np.errstate(divide="ignore", invalid="ignore"):
            uv = uvw[:, :2] / uvw[:, 2:3]
        uv[uvw[:, 2] <= 0] = np.nan
        return uv


def pinhole_from_cells(cells: Mapping[str, Any]) -> PinholeCamera | None:
    """The entity's Pinhole from its latest-at cells (CellRefs by component name), or None.

    A ViewCoordinates logged on the camera entity itself sets `camera_xyz` when the Pinhole
    does not (older recordings do that)."""
    k_ref = cells.get("Pinhole:image_from_camera")
    k_rows = None if k_ref is None else _rows(k_ref.value, 9)
    if k_rows is None:
        return None
    k = k_rows[-1].reshape(3, 3).T          # stored column-major
    if not np.isfinite(k).all() or abs(np.linalg.det(k)) < 1e-12:
        raise TransformError(f"Pinhole: image_from_camera {k.tolist()} is not an invertible projection")
    res_ref = cells.get("Pinhole:resolution")
    res = None if res_ref is None else _rows(res_ref.value, 2)
    resolution = None
    if res is not None:
        w, h = float(res[-1, 0]), float(res[-1, 1])
        if not (np.isfinite([w, h]).all() and w > 0 and h > 0):
            raise TransformError(f"Pinhole: resolution {w} x {h} is not a positive size")
        resolution = (w, h)
    xyz = None
    for name in ("Pinhole:camera_xyz", "ViewCoordinates:xyz"):
        ref = cells.get(name)
        if ref is not None:
            xyz = parse_view_coordinates(ref.value)
            if xyz is not None:
                break
    dist_ref = cells.get("Pinhole:image_plane_distance")
    dist = None if dist_ref is None else _rows(dist_ref.value, 1)
    distance = None if dist is None else float(dist[-1, 0])
    if distance is not None and not (np.isfinite(distance) and distance > 0):
        distance = None
    return PinholeCamera(k, resolution, xyz or DEFAULT_CAMERA_XYZ, distance)


def frustum_segments(cam: PinholeCamera, distance: float | None = None) -> np.ndarray:
    """(M, 2, 3) line segments of the camera's frustum in the entity's 3D space: four rays from
    the camera center to the image plane's corners, the image rectangle, and a small triangle
    above its top edge that shows which way is up in the image."""
    w, h = cam.size
    to3 = cam.entity_from_image(distance)
    corners_px = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    tri_px = np.array([[0.4 * w, 0.0], [0.5 * w, -0.1 * w], [0.6 * w, 0.0]], np.float64)   # as Rerun draws it
    c = _apply(to3, corners_px)
    t = _apply(to3, tri_px)
    origin = np.zeros(3)
    segs = [(origin, c[i]) for i in range(4)]
    segs += [(c[i], c[(i + 1) % 4]) for i in range(4)]
    segs += [(t[0], t[1]), (t[1], t[2])]
    return np.array(segs, np.float64)


def _apply(m: np.ndarray, uv: np.ndarray) -> np.ndarray:
    return uv @ m[:3, :2].T + m[:3, 3]
