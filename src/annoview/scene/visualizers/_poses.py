"""Per-instance rotations of oriented 3D shapes (Boxes3D, Ellipsoids3D): quaternions and
axis-angles as (n, 3, 3) matrices, vectorized over instances (thousands of boxes in one call).

The vectorized twin of `annoview.spatial.transforms.quaternion_matrix` / `axis_angle_matrix`
(one transform at a time, with errors for degenerate rotations; tests check that both agree).
Here a degenerate rotation is the identity, so one bad instance does not drop the batch."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...instances import broadcast_last


def quaternion_matrices(xyzw: np.ndarray) -> np.ndarray:
    """(n, 4) quaternions (x, y, z, w), normalized here -> (n, 3, 3); a zero quaternion is the identity."""
    q = np.asarray(xyzw, np.float64).reshape(-1, 4)
    norm = np.linalg.norm(q, axis=1, keepdims=True)
    q = np.where(norm > 0, q / np.where(norm > 0, norm, 1), np.array([0.0, 0.0, 0.0, 1.0]))
    x, y, z, w = q.T
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], 1)


def axis_angle_matrices(axes: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """(n, 3) axes and (n,) angles in radians -> (n, 3, 3) (Rodrigues); a zero axis is the identity."""
    a = np.asarray(axes, np.float64).reshape(-1, 3)
    norm = np.linalg.norm(a, axis=1, keepdims=True)
    half = np.asarray(angles, np.float64).reshape(-1, 1) / 2
    xyz = np.where(norm > 0, a / np.where(norm > 0, norm, 1), 0.0) * np.sin(half)
    w = np.where(norm > 0, np.cos(half), 1.0)
    return quaternion_matrices(np.concatenate([xyz, w], 1))


def instance_rotations(quaternions: Any, axis_angles: Any, n: int) -> np.ndarray | None:
    """(n, 3, 3) rotation per instance, None when neither is logged. Shorter lists repeat their
    last value; with both, the axis-angle rotation applies after the quaternion (as Rerun
    composes an instance pose: rotation_axis_angle * quaternion)."""
    out = None
    if quaternions is not None and len(quaternions):
        out = quaternion_matrices(broadcast_last(np.asarray(quaternions, np.float64).reshape(-1, 4), n))
    if axis_angles is not None and len(axis_angles):
        rows = broadcast_last(np.arange(len(axis_angles)), n)
        axes = np.array([axis_angles[i]["axis"] for i in rows], np.float64).reshape(-1, 3)
        angles = np.array([axis_angles[i]["angle"] for i in rows], np.float64)
        m = axis_angle_matrices(axes, angles)
        out = m if out is None else m @ out
    return out
