"""A Rerun user's robot arm: one Transform3D per link (each in its parent's frame, animated over
`frame`), a line per link, and a gripper whose four keypoints form a skeleton in 3D.

    python robot_arm.py OUT.rrd      (written for `import rerun as rr`; annoview runs it too)
"""
import math
import sys

import rerun as rr

rr.init("robot_arm")
rr.save(sys.argv[1] if len(sys.argv) > 1 else "robot_arm.rrd")

rr.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
rr.log("world", rr.AnnotationContext([
    rr.ClassDescription(
        info=rr.AnnotationInfo(id=1, label="gripper", color=(255, 160, 0)),
        keypoint_annotations=[rr.AnnotationInfo(id=0, label="palm", color=(255, 255, 255)),
                              rr.AnnotationInfo(id=1, label="left"), rr.AnnotationInfo(id=2, label="right"),
                              rr.AnnotationInfo(id=3, label="tip", color=(0, 255, 255))],
        keypoint_connections=[(0, 1), (0, 2), (0, 3)],
    ),
]), static=True)

rr.log("world/base", rr.Transform3D(translation=[0, 0, 0.2]), static=True)
rr.log("world/base", rr.LineStrips3D([[[0, 0, -0.2], [0, 0, 0.5]]], colors=(200, 200, 200), radii=0.04), static=True)
rr.log("world/base/upper", rr.LineStrips3D([[[0, 0, 0], [1.0, 0, 0]]], colors=(80, 160, 255), radii=0.03),
       static=True)
rr.log("world/base/upper/fore", rr.LineStrips3D([[[0, 0, 0], [0.8, 0, 0]]], colors=(120, 220, 120), radii=0.03),
       static=True)
rr.log("world/base/upper/fore/gripper", rr.Points3D(
    [[0, 0, 0], [0.15, 0.12, 0], [0.15, -0.12, 0], [0.3, 0, 0]], class_ids=1, keypoint_ids=[0, 1, 2, 3],
    radii=0.04), static=True)

for t in range(12):
    rr.set_time("frame", sequence=t)
    yaw = t * math.pi / 12                       # the shoulder turns about the base's z axis
    rr.log("world/base/upper", rr.Transform3D(
        translation=[0, 0, 0.5], rotation=rr.RotationAxisAngle(axis=[0, 0, 1], radians=yaw)))
    # the elbow bends up about its own y axis (negative angle: the forearm tilts toward +z)
    bend = -0.3 - 0.05 * t
    rr.log("world/base/upper/fore", rr.Transform3D(
        translation=[1.0, 0, 0], quaternion=rr.Quaternion(xyzw=[0, math.sin(bend / 2), 0, math.cos(bend / 2)])))
    # the wrist: scaled gripper, rotated about its x axis
    rr.log("world/base/upper/fore/gripper", rr.Transform3D(
        translation=[0.8, 0, 0], rotation=rr.RotationAxisAngle(axis=[1, 0, 0], degrees=30 * t), scale=1.5))
