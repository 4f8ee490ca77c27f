"""The Rerun archetypes annoview records as generic components: one `define` entry each.

An entry gives Rerun's call signature, the fields in Rerun's order with their component types,
the required fields, and, where Rerun's arguments are not simply the fields, a `prepare` function
(arguments -> field values) implementing Rerun's documented conveniences (Transform3D's
`rotation=`, Pinhole's `focal_length=`, Boxes3D's `sizes=`/`mins=`, ...). See generic.py for the
data contract. Adding an archetype is adding an entry here.
"""
from __future__ import annotations

import math
import mimetypes
import pathlib
from typing import Any

import numpy as np

from ..errors import ValidationError
from .convert import Native, tensor_data
from .generic import define


def _arr(value: Any, archetype: str, field: str, width: int | None = None) -> np.ndarray:
    try:
        a = np.asarray(value._native() if isinstance(value, Native) else value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValidationError(archetype, field, f"expected numbers: {e}") from None
    if width is not None:
        if a.size % width:
            raise ValidationError(archetype, field, f"expected {width} numbers per instance, got shape {a.shape}")
        a = a.reshape(-1, width)
    return a


def _is_quaternion(value: Any) -> bool:
    from ..datatypes import Quaternion, RotationAxisAngle  # the Python classes (no import cycle at call time)

    if isinstance(value, Quaternion):
        return True
    if isinstance(value, RotationAxisAngle):
        return False
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (Quaternion, RotationAxisAngle)) for v in value):
        return isinstance(value[0], Quaternion)
    return np.asarray(value, dtype=object).size % 4 == 0 and not isinstance(value, (dict,))


# -- spatial transforms --------------------------------------------------------------------------


def _transform3d(a: dict[str, Any]) -> dict[str, Any]:
    rotation = a.pop("rotation")
    if rotation is not None:
        if a["quaternion"] is not None or a["rotation_axis_angle"] is not None:
            raise ValidationError("Transform3D", "rotation", "give rotation= or quaternion=/rotation_axis_angle=, not both")
        a["quaternion" if _is_quaternion(rotation) else "rotation_axis_angle"] = rotation
    if a.pop("from_parent"):
        if a["relation"] is not None:
            raise ValidationError("Transform3D", "from_parent", "give from_parent= or relation=, not both")
        a["relation"] = "ChildFromParent"
    return a


Transform3D = define(
    "Transform3D",
    "*, translation=None, rotation=None, rotation_axis_angle=None, quaternion=None, scale=None, mat3x3=None, "
    "from_parent=None, relation=None, child_frame=None, parent_frame=None",
    {"translation": "Translation3D", "rotation_axis_angle": "RotationAxisAngle", "quaternion": "RotationQuat",
     "scale": "Scale3D", "mat3x3": "TransformMat3x3", "relation": "TransformRelation",
     "child_frame": "TransformFrameId", "parent_frame": "TransformFrameId"},
    prepare=_transform3d, doc="A 3D transform between an entity and its parent (recorded, see generic.py).")


def _pinhole(a: dict[str, Any]) -> dict[str, Any]:
    name = "Pinhole"
    width, height = a.pop("width"), a.pop("height")
    focal, principal = a.pop("focal_length"), a.pop("principal_point")
    fov_y, aspect = a.pop("fov_y"), a.pop("aspect_ratio")
    if a["resolution"] is None and width is not None and height is not None:
        a["resolution"] = [float(width), float(height)]
    elif a["resolution"] is None and fov_y is not None and aspect is not None:
        a["resolution"] = [float(aspect), 1.0]
    if fov_y is not None and aspect is not None and focal is None and a["image_from_camera"] is None:
        focal = 0.5 / math.tan(float(fov_y) * 0.5)
    if focal is not None and a["image_from_camera"] is None:
        f = _arr(focal, name, "focal_length").reshape(-1)
        if f.size not in (1, 2):
            raise ValidationError(name, "focal_length", f"expected one or two numbers, got {f.size}")
        fx, fy = (f[0], f[0]) if f.size == 1 else (f[0], f[1])
        if principal is not None:
            p = _arr(principal, name, "principal_point").reshape(-1)
            if p.size != 2:
                raise ValidationError(name, "principal_point", f"expected two numbers, got {p.size}")
            u, v = p
        elif a["resolution"] is not None:
            r = _arr(a["resolution"], name, "resolution").reshape(-1)
            u, v = r[0] / 2, r[1] / 2
        else:
            return {k: v for k, v in a.items() if k != "image_from_camera"}  # Rerun: no projection without a center
        a["image_from_camera"] = [[fx, 0, u], [0, fy, v], [0, 0, 1]]
    return a


Pinhole = define(
    "Pinhole",
    "*, image_from_camera=None, resolution=None, camera_xyz=None, width=None, height=None, focal_length=None, "
    "principal_point=None, fov_y=None, aspect_ratio=None, child_frame=None, parent_frame=None, "
    "image_plane_distance=None, color=None, line_width=None",
    {"image_from_camera": "PinholeProjection", "resolution": "Resolution", "camera_xyz": "ViewCoordinates",
     "child_frame": "TransformFrameId", "parent_frame": "TransformFrameId",
     "image_plane_distance": "ImagePlaneDistance", "color": "Color", "line_width": "Radius"},
    prepare=_pinhole, doc="A pinhole camera projection (recorded, see generic.py).")

ViewCoordinates = define("ViewCoordinates", "xyz", {"xyz": "ViewCoordinates"}, required=("xyz",),
                         doc="The axis convention of an entity's space (recorded, see generic.py).")

InstancePoses3D = define(
    "InstancePoses3D",
    "*, translations=None, rotation_axis_angles=None, quaternions=None, scales=None, mat3x3=None",
    {"translations": "Translation3D", "rotation_axis_angles": "RotationAxisAngle", "quaternions": "RotationQuat",
     "scales": "Scale3D", "mat3x3": "TransformMat3x3"})


def _rotations(a: dict[str, Any], name: str) -> None:
    rotations = a.pop("rotations", None)
    if rotations is not None:
        # Rerun fills one rotation field and clears the other (an empty batch).
        if _is_quaternion(rotations):
            a["quaternions"], a["rotation_axis_angles"] = rotations, []
        else:
            a["rotation_axis_angles"], a["quaternions"] = rotations, []


def _boxes3d(a: dict[str, Any]) -> dict[str, Any]:
    name = "Boxes3D"
    sizes, mins = a.pop("sizes"), a.pop("mins")
    if sizes is not None:
        if a["half_sizes"] is not None:
            raise ValidationError(name, "sizes", "give sizes= or half_sizes=, not both")
        a["half_sizes"] = _arr(sizes, name, "sizes", 3) / 2
    if mins is not None:
        if a["centers"] is not None:
            raise ValidationError(name, "mins", "give mins= or centers=, not both")
        if a["half_sizes"] is None:
            raise ValidationError(name, "mins", "mins= needs sizes= or half_sizes=")
        a["centers"] = _arr(mins, name, "mins", 3) + _arr(a["half_sizes"], name, "half_sizes", 3)
    _rotations(a, name)
    return a


_SOLIDS = ("*, {size}centers=None, rotation_axis_angles=None, quaternions=None, colors=None, {radii}fill_mode=None, "
           "labels=None, show_labels=None, class_ids=None")
_SOLID_FIELDS = {"rotation_axis_angles": "RotationAxisAngle", "quaternions": "RotationQuat", "colors": "Color"}
_LABELS = {"labels": "Text", "show_labels": "ShowLabels", "class_ids": "ClassId"}

Boxes3D = define(
    "Boxes3D",
    "*, sizes=None, mins=None, half_sizes=None, centers=None, rotation_axis_angles=None, quaternions=None, "
    "rotations=None, colors=None, radii=None, fill_mode=None, labels=None, show_labels=None, class_ids=None",
    {"half_sizes": "HalfSize3D", "centers": "Translation3D", **_SOLID_FIELDS, "radii": "Radius",
     "fill_mode": "FillMode", **_LABELS},
    prepare=_boxes3d, doc="Oriented 3D boxes (recorded, see generic.py).")


def _ellipsoids(a: dict[str, Any]) -> dict[str, Any]:
    radii = a.pop("radii")
    if radii is not None:
        r = _arr(radii, "Ellipsoids3D", "radii").reshape(-1, 1)
        a["half_sizes"] = np.repeat(r, 3, axis=1)
    return a


Ellipsoids3D = define(
    "Ellipsoids3D",
    "*, half_sizes=None, radii=None, centers=None, rotation_axis_angles=None, quaternions=None, colors=None, "
    "line_radii=None, fill_mode=None, labels=None, show_labels=None, class_ids=None",
    {"half_sizes": "HalfSize3D", "centers": "Translation3D", **_SOLID_FIELDS, "line_radii": "Radius",
     "fill_mode": "FillMode", **_LABELS},
    prepare=_ellipsoids, doc="3D ellipsoids and spheres (recorded, see generic.py).")

Arrows2D = define(
    "Arrows2D",
    "*, vectors, origins=None, radii=None, colors=None, labels=None, show_labels=None, draw_order=None, class_ids=None",
    {"vectors": "Vector2D", "origins": "Position2D", "radii": "Radius", "colors": "Color", "labels": "Text",
     "show_labels": "ShowLabels", "draw_order": "DrawOrder", "class_ids": "ClassId"}, required=("vectors",))

Arrows3D = define(
    "Arrows3D",
    "*, vectors, origins=None, radii=None, colors=None, labels=None, show_labels=None, class_ids=None",
    {"vectors": "Vector3D", "origins": "Position3D", "radii": "Radius", "colors": "Color", **_LABELS},
    required=("vectors",))

__all__ = ["Transform3D", "Pinhole", "ViewCoordinates", "InstancePoses3D", "Boxes3D", "Ellipsoids3D", "Arrows2D",
           "Arrows3D"]
