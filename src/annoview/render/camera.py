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
from dataclasses import dataclass, field

import numpy as np

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
    f = target - eye
    f = f / np.linalg.norm(f)
    s = np.cross(f, up)
    if np.linalg.norm(s) < 1e-9:          # looking straight along up: pick any side vector
        s = np.cross(f, np.array([1.0, 0.0, 0.0]) if abs(f[0]) < 0.9 else np.array([0.0, 1.0, 0.0]))
    s = s / np.linalg.norm(s)
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def perspective(fov_y: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(fov_y / 2.0)
    return np.array([
        [f / aspect, 0.0, 0.0, 0.0],
        [0.0, f, 0.0, 0.0],
        [0.0, 0.0, (far + near) / (near - far), 2.0 * far * near / (near - far)],
        [0.0, 0.0, -1.0, 0.0],
    ])


@dataclass
class Camera3D:
    """Perspective orbit camera around `target`: yaw about the up axis, pitch above the ground."""

    target: np.ndarray = field(default_factory=lambda: np.zeros(3))
    distance: float = 5.0
    yaw: float = math.radians(45.0)
    pitch: float = math.radians(30.0)
    fov_y: float = math.radians(45.0)
    up: str = "z"                 # "z" (Rerun's default for 3D) or "y"

    def __post_init__(self) -> None:
        self.target = np.asarray(self.target, np.float64).reshape(3)

    def up_vector(self) -> np.ndarray:
        return np.array([0.0, 0.0, 1.0]) if self.up == "z" else np.array([0.0, 1.0, 0.0])

    def eye(self) -> np.ndarray:
        cp, sp = math.cos(self.pitch), math.sin(self.pitch)
        cy, sy = math.cos(self.yaw), math.sin(self.yaw)
        if self.up == "z":
            d = np.array([cp * cy, cp * sy, sp])
        else:
            d = np.array([cp * sy, sp, cp * cy])
        return self.target + self.distance * d

    def view(self) -> np.ndarray:
        return look_at(self.eye(), self.target, self.up_vector())

    def proj(self, size: Size) -> np.ndarray:
        w, h = size
        near = max(self.distance * 1e-3, 1e-4)
        return perspective(self.fov_y, w / max(h, 1), near, self.distance * 1e3)

    def view_proj(self, size: Size) -> np.ndarray:
        return self.proj(size) @ self.view()

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
    def fit(cls, bmin: np.ndarray, bmax: np.ndarray, **kw: object) -> "Camera3D":
        """Frame a bounding box: target its center, back off until its sphere fits the view."""
        bmin = np.asarray(bmin, np.float64)
        bmax = np.asarray(bmax, np.float64)
        if bmin.shape[0] == 2:
            bmin, bmax = np.append(bmin, 0.0), np.append(bmax, 0.0)
        cam = cls(target=(bmin + bmax) / 2.0, **kw)  # type: ignore[arg-type]
        if "yaw" not in kw and cam.up == "z":
            # look across the shorter horizontal side so the content spreads over the screen
            # instead of lining up along the view direction
            ext = bmax - bmin
            cam.yaw = math.radians(-60.0) if ext[0] >= ext[1] else math.radians(-30.0)
        radius = max(float(np.linalg.norm(bmax - bmin)) / 2.0, 1e-3)
        cam.distance = radius / math.sin(cam.fov_y / 2.0) * 1.05
        return cam
