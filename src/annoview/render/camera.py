"""Cameras: a 2D pixel-exact orthographic camera and a 3D perspective orbit camera.

Camera2D follows the rule for 2D views (docs/architecture.md): image pixel coordinates, y down, origin at the
top-left pixel corner. The camera is the visible scene rectangle [x0, x1] x [y0, y1], so scene
(x, y) lands on framebuffer pixel ((x - x0) / (x1 - x0) * W, (y - y0) / (y1 - y0) * H) exactly;
with the rectangle (0, 0, W, H) one scene pixel is one framebuffer pixel.

Matrices are row-major numpy (math convention, column vectors); `gl_bytes` transposes them into
the column-major layout GLSL expects.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np
import pyrr

Size = tuple[int, int]


def gl_bytes(m: np.ndarray) -> bytes:
    """A row-major 4x4 matrix as column-major float32 bytes for a `mat4` uniform."""
    return np.ascontiguousarray(np.asarray(m, np.float32).T).tobytes()


@dataclass
class Camera2D:
    """Orthographic view of the scene rectangle [x0, x1] x [y0, y1] (y down)."""

    x0: float = 0.0
    y0: float = 0.0
    x1: float = 1.0
    y1: float = 1.0
    size: Size | None = None    # framebuffer size this camera was made for (optional)

    @classmethod
    def from_rect(cls, x0: float, y0: float, x1: float, y1: float, width: int | None = None,
                  height: int | None = None) -> "Camera2D":
        """Show exactly this rectangle (the `--rect` option); W, H = framebuffer size."""
        if x1 == x0 or y1 == y0:
            raise ValueError(f"empty camera rectangle ({x0}, {y0}, {x1}, {y1})")
        size = (int(width), int(height)) if width is not None and height is not None else None
        return cls(float(x0), float(y0), float(x1), float(y1), size)

    @classmethod
    def pixel_exact(cls, width: int, height: int) -> "Camera2D":
        """One scene unit = one framebuffer pixel, origin at the top-left corner."""
        return cls(0.0, 0.0, float(width), float(height), (int(width), int(height)))

    @classmethod
    def fit(cls, bmin: np.ndarray, bmax: np.ndarray, size: Size, margin: float = 0.02,
            pad_px: float = 12.0) -> "Camera2D":
        """Fit content bounds into `size`, keeping square scene pixels, centered, with a relative
        margin plus `pad_px` screen pixels per side (bounds are point centers: a point drawn
        with a radius must not be cut in half at the edge)."""
        w, h = size
        bmin = np.asarray(bmin, np.float64)[:2]
        bmax = np.asarray(bmax, np.float64)[:2]
        extent = np.maximum(bmax - bmin, 1e-6) * (1.0 + 2.0 * margin)
        pad = min(pad_px, w / 4.0, h / 4.0)
        scale = min((w - 2 * pad) / extent[0], (h - 2 * pad) / extent[1])     # px per scene unit
        center = (bmin + bmax) / 2.0
        half = np.array([w, h], np.float64) / scale / 2.0
        return cls(center[0] - half[0], center[1] - half[1], center[0] + half[0], center[1] + half[1], (w, h))

    def view_proj(self, size: Size | None = None) -> np.ndarray:
        """Scene -> clip: x0 -> -1, x1 -> +1, y0 -> +1 (top), y1 -> -1 (bottom)."""
        sx = 2.0 / (self.x1 - self.x0)
        sy = -2.0 / (self.y1 - self.y0)
        return np.array([
            [sx, 0.0, 0.0, -1.0 - sx * self.x0],
            [0.0, sy, 0.0, 1.0 - sy * self.y0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ])

    def scene_to_pixel(self, xy: np.ndarray, size: Size) -> np.ndarray:
        """Scene (x, y) -> framebuffer pixel coordinates (top-left origin, continuous)."""
        p = np.asarray(xy, np.float64)
        w, h = size
        return np.stack([(p[..., 0] - self.x0) / (self.x1 - self.x0) * w,
                         (p[..., 1] - self.y0) / (self.y1 - self.y0) * h], axis=-1)

    def pixel_to_scene(self, px: np.ndarray, size: Size) -> np.ndarray:
        p = np.asarray(px, np.float64)
        w, h = size
        return np.stack([self.x0 + p[..., 0] / w * (self.x1 - self.x0),
                         self.y0 + p[..., 1] / h * (self.y1 - self.y0)], axis=-1)

    def pan(self, dx_px: float, dy_px: float, size: Size) -> "Camera2D":
        """Drag the content by (dx, dy) framebuffer pixels."""
        w, h = size
        dx = dx_px / w * (self.x1 - self.x0)
        dy = dy_px / h * (self.y1 - self.y0)
        self.x0 -= dx
        self.x1 -= dx
        self.y0 -= dy
        self.y1 -= dy
        return self

    def zoom(self, factor: float, anchor_px: tuple[float, float], size: Size) -> "Camera2D":
        """Zoom in by `factor` (> 1 = closer) keeping the scene point under `anchor_px` fixed."""
        ax, ay = self.pixel_to_scene(np.array(anchor_px), size)
        self.x0 = ax + (self.x0 - ax) / factor
        self.x1 = ax + (self.x1 - ax) / factor
        self.y0 = ay + (self.y0 - ay) / factor
        self.y1 = ay + (self.y1 - ay) / factor
        return self


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray) -> np.ndarray:
    """View matrix (world -> eye space, camera looking down -z) from an eye, a target and an up
    direction; pyrr builds it (it returns the transposed, row-vector form)."""
    eye = np.asarray(eye, np.float64)
    target = np.asarray(target, np.float64)
    up = np.asarray(up, np.float64)
    f = target - eye
    if np.linalg.norm(np.cross(f, up)) < 1e-9 * max(float(np.linalg.norm(f)), 1e-12):
        # looking straight along up: any side vector will do
        up = np.array([1.0, 0.0, 0.0]) if abs(f[0]) < 0.9 * np.linalg.norm(f) else np.array([0.0, 1.0, 0.0])
    return np.asarray(pyrr.matrix44.create_look_at(eye, target, up), np.float64).T


def perspective(fov_y: float, aspect: float, near: float, far: float) -> np.ndarray:
    """OpenGL perspective projection (vertical field of view in radians), via pyrr."""
    return np.asarray(pyrr.matrix44.create_perspective_projection(math.degrees(fov_y), aspect, near, far),
                      np.float64).T


RERUN_FOV_Y = math.radians(55.0)   # Rerun's default vertical field of view for 3D views
FIT_MARGIN = 1.1                   # room around fitted 3D content (perspective makes near parts larger)
UpSpec = Union[str, Sequence[float], np.ndarray]


def up_axis(up: UpSpec) -> np.ndarray:
    """An up direction: "z", "y", "-y", ... or a 3-vector (normalized)."""
    if isinstance(up, str):
        sign = -1.0 if up.startswith("-") else 1.0
        axis = "xyz".index(up.lstrip("+-").lower())
        v = np.zeros(3)
        v[axis] = sign
        return v
    v = np.asarray(up, np.float64).reshape(3)
    n = float(np.linalg.norm(v))
    if not np.isfinite(n) or n < 1e-12:
        raise ValueError(f"up vector {v.tolist()} has no direction")
    return v / n


def ground_basis(up: UpSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(e1, e2, u): u = up, e1 and e2 span the ground plane (right-handed: e1 x e2 = u).
    Z-up gives x, y; Y-up gives z, x (as the orbit angles have always meant)."""
    u = up_axis(up)
    ref = np.array([1.0, 0.0, 0.0]) if abs(u[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
    if abs(u[1]) > 0.9:
        ref = np.array([0.0, 0.0, 1.0]) * np.sign(u[1])
    e1 = ref - u * float(ref @ u)
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(u, e1), u


@dataclass
class Camera3D:
    """Perspective orbit camera around `target`: yaw about the up axis, pitch above the ground.

    `up` is "z" (Rerun's default for 3D), "y", or any direction (a ViewCoordinates' up). The
    field of view defaults to Rerun's 55 degrees, so `Camera3D.look(eye, target, up)` shows what
    a Rerun 3D view with the same eye shows.
    """

    target: np.ndarray = field(default_factory=lambda: np.zeros(3))
    distance: float = 5.0
    yaw: float = math.radians(45.0)
    pitch: float = math.radians(30.0)
    fov_y: float = RERUN_FOV_Y
    up: UpSpec = "z"

    def __post_init__(self) -> None:
        self.target = np.asarray(self.target, np.float64).reshape(3)
        if not isinstance(self.up, str):   # hashable, normalized
            self.up = tuple(float(x) for x in up_axis(self.up))

    @classmethod
    def look(cls, eye: Sequence[float], target: Sequence[float], up: UpSpec = "z",
             fov_y: float = RERUN_FOV_Y) -> "Camera3D":
        """The camera at `eye` looking at `target` (the view's center) with `up` pointing up."""
        eye_v = np.asarray(eye, np.float64).reshape(3)
        tgt = np.asarray(target, np.float64).reshape(3)
        d = eye_v - tgt
        dist = float(np.linalg.norm(d))
        if not np.isfinite(dist) or dist < 1e-12:
            raise ValueError("the eye and the target are the same point")
        e1, e2, u = ground_basis(up)
        d = d / dist
        pitch = math.asin(float(np.clip(d @ u, -1.0, 1.0)))
        yaw = math.atan2(float(d @ e2), float(d @ e1))
        return cls(target=tgt, distance=dist, yaw=yaw, pitch=pitch, fov_y=fov_y, up=up)

    def up_vector(self) -> np.ndarray:
        return up_axis(self.up)

    def eye(self) -> np.ndarray:
        e1, e2, u = ground_basis(self.up)
        cp, sp = math.cos(self.pitch), math.sin(self.pitch)
        d = cp * math.cos(self.yaw) * e1 + cp * math.sin(self.yaw) * e2 + sp * u
        return self.target + self.distance * d

    def view(self) -> np.ndarray:
        return look_at(self.eye(), self.target, self.up_vector())

    def proj(self, size: Size) -> np.ndarray:
        w, h = size
        near = max(self.distance * 1e-3, 1e-4)
        return perspective(self.fov_y, w / max(h, 1), near, self.distance * 1e3)

    def view_proj(self, size: Size) -> np.ndarray:
        return self.proj(size) @ self.view()

    def key(self) -> tuple:
        """Everything that changes the picture (for re-render decisions)."""
        return ("3d", *self.target.tolist(), self.distance, self.yaw, self.pitch, self.fov_y, self.up)

    def orbit(self, dyaw: float, dpitch: float) -> "Camera3D":
        self.yaw += dyaw
        limit = math.radians(89.0)
        self.pitch = float(np.clip(self.pitch + dpitch, -limit, limit))
        return self

    def pan(self, dx_px: float, dy_px: float, size: Size) -> "Camera3D":
        """Move the target so content follows a drag of (dx, dy) pixels at the target's depth."""
        units_per_px = 2.0 * self.distance * math.tan(self.fov_y / 2.0) / max(size[1], 1)
        v = self.view()
        right, up = v[0, :3], v[1, :3]
        self.target = self.target - right * dx_px * units_per_px + up * dy_px * units_per_px
        return self

    def zoom(self, factor: float) -> "Camera3D":
        """Move closer by `factor` (> 1 = closer)."""
        self.distance = max(self.distance / factor, 1e-6)
        return self

    @classmethod
    def fit(cls, bmin: np.ndarray, bmax: np.ndarray, size: Size | None = None, *, margin: float = FIT_MARGIN,
            **kw: Any) -> "Camera3D":
        """Frame a bounding box: the one fit used by `annoview screenshot` and the viewer.

        Targets the box's center and backs off until its bounding sphere fits the narrower of
        the vertical and (with `size`) horizontal fields of view, times `margin`. Without an
        explicit yaw, it looks across the box's shorter ground side so content spreads over
        the screen instead of lining up along the view direction.
        """
        bmin = np.asarray(bmin, np.float64)
        bmax = np.asarray(bmax, np.float64)
        if bmin.shape[0] == 2:
            bmin, bmax = np.append(bmin, 0.0), np.append(bmax, 0.0)
        cam = cls(target=(bmin + bmax) / 2.0, **kw)
        if "yaw" not in kw:
            e1, e2, _ = ground_basis(cam.up)
            ext = np.abs(bmax - bmin)
            along1, along2 = float(ext @ np.abs(e1)), float(ext @ np.abs(e2))
            cam.yaw = math.radians(-60.0) if along1 >= along2 else math.radians(-30.0)
        radius = max(float(np.linalg.norm(bmax - bmin)) / 2.0, 1e-3)
        half = cam.fov_y / 2.0
        if size is not None and size[0] < size[1]:
            half = math.atan(math.tan(half) * size[0] / max(size[1], 1))
        cam.distance = radius / math.sin(half) * margin
        return cam
