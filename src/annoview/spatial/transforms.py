"""Transform3D and InstancePoses3D as 4x4 matrices (no GL).

A Transform3D row maps the entity's space into its parent's (`relation` ParentFromChild, the
default) or the other way round (ChildFromParent, then it is inverted here). Its parts apply to
a point in the reverse of the order the archetype lists them: first `mat3x3`, then `scale`,
then `quaternion`, then `rotation_axis_angle`, then `translation`:

    parent_from_child = T(translation) @ R(axis_angle) @ R(quaternion) @ S(scale) @ mat3x3

Logging a Transform3D resets the whole transform (a later row with only a rotation drops the
earlier translation), so only the cells of the newest row count; `transform_from_cells` picks
them by row id. Quaternions are xyzw and normalized here; a zero or non-finite one is the
identity (and reported).

The quaternion formula is written out here instead of calling pyrr (which the cameras use): pyrr's
functions check and convert their arguments on every call, about 20x the cost of the math, and
a scene with a hundred animated links needs a hundred rotations per frame. The tests check these
matrices against pyrr's.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import math

import numpy as np

IDENTITY = np.eye(4)
IDENTITY.setflags(write=False)

PARENT_FROM_CHILD, CHILD_FROM_PARENT = 1, 2
TRANSFORM_FIELDS = ("translation", "rotation_axis_angle", "quaternion", "scale", "mat3x3", "relation")
POSE_FIELDS = ("translations", "rotation_axis_angles", "quaternions", "scales", "mat3x3")


class TransformError(ValueError):
    """A stored transform that cannot be used (wrong shape, non-finite, singular)."""


def quaternion_matrix(xyzw: Any) -> np.ndarray:
    """3x3 rotation of a quaternion given as x, y, z, w (normalized first)."""
    q = np.asarray(xyzw, np.float64).reshape(4)
    norm = math.sqrt(float(q @ q))
    if not math.isfinite(norm) or norm < 1e-12:
        raise TransformError(f"quaternion {q.tolist()} has no rotation (zero or not finite)")
    x, y, z, w = (q / norm).tolist()
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def axis_angle_matrix(axis: Any, angle_rad: float) -> np.ndarray:
    """3x3 rotation by `angle_rad` about `axis` (right-handed; the axis is normalized)."""
    a = np.asarray(axis, np.float64).reshape(3)
    norm = math.sqrt(float(a @ a))
    if not np.isfinite(a).all() or not math.isfinite(angle_rad):
        raise TransformError(f"axis-angle rotation ({a.tolist()}, {angle_rad}) is not finite")
    if norm < 1e-12:
        if abs(angle_rad) < 1e-12:
            return np.eye(3)
        raise TransformError(f"axis-angle rotation about a zero axis by {angle_rad} rad")
    half = 0.5 * float(angle_rad)
    return quaternion_matrix(np.append(a / norm * math.sin(half), math.cos(half)))


def compose_trs(translation: Any = None, rotation_axis_angle: tuple[Any, float] | None = None,
                quaternion: Any = None, scale: Any = None, mat3x3: Any = None,
                relation: int = PARENT_FROM_CHILD) -> np.ndarray:
    """4x4 parent_from_child of one transform (see the module docstring for the order).

    `mat3x3` is row-major here (3x3 array); `scale` is one number or three.
    """
    m = np.eye(3)
    if rotation_axis_angle is not None:
        m = m @ axis_angle_matrix(*rotation_axis_angle)
    if quaternion is not None:
        m = m @ quaternion_matrix(quaternion)
    if scale is not None:
        s = np.asarray(scale, np.float64).reshape(-1)
        if s.size not in (1, 3) or not np.isfinite(s).all():
            raise TransformError(f"scale must be 1 or 3 finite numbers, got {s.tolist()}")
        m = m @ np.diag(np.broadcast_to(s, 3))
    if mat3x3 is not None:
        mm = np.asarray(mat3x3, np.float64).reshape(3, 3)
        if not np.isfinite(mm).all():
            raise TransformError("mat3x3 is not finite")
        m = m @ mm
    out = np.eye(4)
    out[:3, :3] = m
    if translation is not None:
        t = np.asarray(translation, np.float64).reshape(-1)
        if t.size != 3 or not np.isfinite(t).all():
            raise TransformError(f"translation must be 3 finite numbers, got {t.tolist()}")
        out[:3, 3] = t
    if relation == CHILD_FROM_PARENT:
        if abs(np.linalg.det(m)) < 1e-12:
            raise TransformError("child-from-parent transform is singular (cannot be inverted)")
        out = np.linalg.inv(out)
    elif relation != PARENT_FROM_CHILD:
        raise TransformError(f"unknown transform relation {relation} (1 parent-from-child, 2 child-from-parent)")
    return out


def transform_points(m: np.ndarray, points: Any) -> np.ndarray:
    """Apply a 4x4 affine matrix to (N, 3) points (or (N, 2): z = 0)."""
    p = np.asarray(points, np.float64)
    if p.shape[-1] == 2:
        p = np.concatenate([p, np.zeros(p.shape[:-1] + (1,))], axis=-1)
    return p @ m[:3, :3].T + m[:3, 3]


# ---- decoding stored cells ------------------------------------------------------------------

def _rows(value: Any, width: int) -> np.ndarray | None:
    """A stored batch of fixed-size vectors -> (N, width) float64; None when empty/absent."""
    if value is None:
        return None
    if hasattr(value, "to_pylist"):
        value = value.to_pylist()
    arr = np.asarray(value, np.float64)
    if arr.size == 0:
        return None
    if arr.size % width:
        raise TransformError(f"expected values of {width} numbers, got shape {arr.shape}")
    return arr.reshape(-1, width)


def _axis_angles(value: Any) -> list[tuple[np.ndarray, float]] | None:
    """RotationAxisAngle cells: structs {axis: [3], angle: radians}, as a pyarrow array or
    decoded Python dicts; a numpy (N, 4) [ax, ay, az, angle] is accepted too."""
    if value is None:
        return None
    if hasattr(value, "to_pylist"):
        value = value.to_pylist()
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return None
        return [(r[:3], float(r[3])) for r in value.reshape(-1, 4)]
    out = []
    for item in value:
        if item is None:
            continue
        if isinstance(item, Mapping):
            axis, angle = item.get("axis"), item.get("angle")
        else:
            axis, angle = item[0], item[1]
        if isinstance(angle, Mapping):   # an Angle struct {radians}
            angle = next(iter(angle.values()))
        if axis is None or angle is None:
            raise TransformError(f"axis-angle rotation without axis or angle: {item!r}")
        out.append((np.asarray(axis, np.float64), float(angle)))
    return out or None


def _trs_rows(vals: Mapping[str, Any], translation: str, quaternion: str, axis_angle: str,
              scale: str) -> tuple[Any, Any, Any, Any, Any]:
    """Translation, quaternion, axis-angle, scale and mat3x3 rows of a transform's cells (each
    None when absent); Transform3D and InstancePoses3D name the first four differently."""
    return (_rows(vals.get(translation), 3), _rows(vals.get(quaternion), 4), _axis_angles(vals.get(axis_angle)),
            _rows(vals.get(scale), 3), _rows(vals.get("mat3x3"), 9))


def _mat3(values: np.ndarray) -> np.ndarray:
    """A stored 3x3 matrix is column-major (9 numbers, column after column)."""
    return values.reshape(3, 3).T


def newest_row_cells(cells: Mapping[str, Any], archetype: str) -> dict[str, Any]:
    """The archetype's cells that belong to its newest row (by time, static last, then row id):
    a Transform3D or InstancePoses3D log call replaces the whole previous one."""
    prefix = archetype + ":"
    mine = {k[len(prefix):]: ref for k, ref in cells.items() if k.startswith(prefix)}
    if not mine:
        return {}

    def order(ref: Any) -> tuple:
        t = getattr(ref, "time", None)
        return (t is None, t if t is not None else 0, getattr(ref, "row_key", (0, 0)))

    newest = max(order(r) for r in mine.values())
    return {name: ref for name, ref in mine.items() if order(ref) == newest}


def transform_from_cells(cells: Mapping[str, Any]) -> np.ndarray | None:
    """parent_from_child of an entity's latest Transform3D (cells as CellRefs by component
    name), or None when it has none (or only cleared fields)."""
    row = newest_row_cells(cells, "Transform3D")
    vals = {k: ref.value for k, ref in row.items()}
    t, q, aa, s, m = _trs_rows(vals, "translation", "quaternion", "rotation_axis_angle", "scale")
    rel = _rows(vals.get("relation"), 1)
    rel_v = None if rel is None else int(rel[-1, 0])
    if all(v is None for v in (t, q, aa, s, m)):
        return None if rel_v in (None, PARENT_FROM_CHILD) else IDENTITY.copy()
    return compose_trs(translation=None if t is None else t[-1],
                       rotation_axis_angle=None if aa is None else aa[-1],
                       quaternion=None if q is None else q[-1],
                       scale=None if s is None else s[-1],
                       mat3x3=None if m is None else _mat3(m[-1]),
                       relation=PARENT_FROM_CHILD if rel_v is None else rel_v)


def instance_pose_from_cells(cells: Mapping[str, Any]) -> np.ndarray | None:
    """The first pose of an entity's InstancePoses3D as a 4x4 (applied to the entity's own
    data only, never to its children), or None. Points and lines use the first pose only."""
    row = newest_row_cells(cells, "InstancePoses3D")
    if not row:
        return None
    vals = {k: ref.value for k, ref in row.items()}
    t, q, aa, s, m = _trs_rows(vals, "translations", "quaternions", "rotation_axis_angles", "scales")
    if all(v is None for v in (t, q, aa, s, m)):
        return None
    return compose_trs(translation=None if t is None else t[0], rotation_axis_angle=None if aa is None else aa[0],
                       quaternion=None if q is None else q[0], scale=None if s is None else s[0],
                       mat3x3=None if m is None else _mat3(m[0]))
