"""Spatial relations between entities, without GL: Transform3D / InstancePoses3D math, view
coordinates, pinhole cameras, and their composition along the entity tree.

Matrices are row-major numpy float64 with column vectors (`p_parent = M @ p_child`), the same
convention as `annoview.render.camera`. docs/transforms.md explains the rules implemented here.
"""
from .pinhole import PinholeCamera, frustum_segments, pinhole_from_cells
from .transforms import (IDENTITY, axis_angle_matrix, compose_trs, instance_pose_from_cells, quaternion_matrix,
                         transform_from_cells, transform_points)
from .tree import EntitySpace, TransformTree, view_up
from .view_coordinates import DEFAULT_CAMERA_XYZ, axis_basis, parse_view_coordinates, up_vector

__all__ = [
    "DEFAULT_CAMERA_XYZ", "IDENTITY", "EntitySpace", "PinholeCamera", "TransformTree", "axis_angle_matrix",
    "axis_basis", "compose_trs", "frustum_segments", "instance_pose_from_cells", "parse_view_coordinates",
    "pinhole_from_cells", "quaternion_matrix", "transform_from_cells", "transform_points", "up_vector", "view_up",
]
