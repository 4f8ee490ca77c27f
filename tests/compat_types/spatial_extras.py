"""A Rerun user's script logging transforms, cameras and 3D shapes (written against rerun-sdk 0.41)."""
import sys

import numpy as np

import annoview as rr

rr.init("types_spatial", recording_id="types-spatial")
rr.save(sys.argv[1])
rr.log("/", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
rr.log("world/cam", rr.Pinhole(focal_length=500, width=640, height=480, camera_xyz=rr.ViewCoordinates.RDF), static=True)
rr.log("world/cam2", rr.Pinhole(focal_length=[400, 300], principal_point=[10, 20], resolution=[64, 48],
                                image_plane_distance=2.0), static=True)
rr.log("world/cam3", rr.Pinhole(fov_y=0.8, aspect_ratio=1.5), static=True)
rr.log("world/vc", rr.ViewCoordinates(rr.components.ViewCoordinates.RUB), static=True)
for frame in range(3):
    rr.set_time("frame", sequence=frame)
    rr.log("world/a", rr.Transform3D(translation=[frame, 2, 3], rotation=rr.Quaternion(xyzw=[0, 0, 0, 1])))
    rr.log("world/b", rr.Transform3D(translation=np.array([1.0, 2.0, 3.0]),
                                     rotation=rr.RotationAxisAngle(axis=[0, 0, 1], degrees=30 * frame), scale=2))
    rr.log("world/c", rr.Transform3D(mat3x3=[[1, 2, 3], [4, 5, 6], [7, 8, 9]], from_parent=True))
    rr.log("world/d", rr.Transform3D(quaternion=[0, 0, 0.7071, 0.7071], scale=[1, 2, 3],
                                     relation=rr.TransformRelation.ChildFromParent))
    rr.log("world/e", rr.Transform3D(rotation_axis_angle=rr.RotationAxisAngle([1, 0, 0], rr.Angle(deg=45))))
    rr.log("world/boxes", rr.Boxes3D(sizes=[[1, 2, 3], [2, 2, 2]], centers=[[0, 0, 0], [frame, 1, 1]],
                                     colors=[[255, 0, 0], [0, 255, 0]], fill_mode="solid", class_ids=[1, 2],
                                     labels=["a", "b"], radii=rr.Radius.ui_points(2)))
    rr.log("world/boxes2", rr.Boxes3D(mins=[[0, 0, 0]], sizes=[[1, 1, 1]],
                                      rotations=rr.RotationAxisAngle([0, 0, 1], 0.5),
                                      fill_mode=rr.components.FillMode.DenseWireframe))
    rr.log("world/boxes3", rr.Boxes3D(half_sizes=[1, 2, 3], quaternions=[rr.Quaternion(xyzw=[0, 0, 0, 1])]))
    rr.log("world/ell", rr.Ellipsoids3D(radii=[1, 2], centers=[[0, 0, 0], [1, 1, 1]], line_radii=0.01))
    rr.log("world/ell2", rr.Ellipsoids3D(half_sizes=[[1, 2, 3]], colors=0xFF8800FF, fill_mode="MajorWireframe"))
    rr.log("world/arrows", rr.Arrows3D(vectors=[[1, 0, 0], [0, 1, 0]], origins=[[0, 0, 0]], radii=0.1,
                                       labels=["x", "y"]),
           rr.InstancePoses3D(translations=[[1, 2, 3], [4, 5, 6]], mat3x3=np.eye(3)))
    rr.log("image/arrows", rr.Arrows2D(vectors=[[1, 0]], origins=[[5, 5]], draw_order=3, show_labels=False))
    rr.log("world/poses", rr.InstancePoses3D(rotation_axis_angles=[rr.RotationAxisAngle([0, 1, 0], radians=1.0)],
                                             quaternions=[[0, 0, 0, 1]]))
