"""A Rerun user's camera: a posed pinhole with an image, a segmentation mask colored by an
annotation context, and a 2D keypoint skeleton, plus a 3D marker in front of the camera.

    python camera_mask.py OUT.rrd    (written for `import rerun as rr`; annoview runs it too)
"""
import sys

import numpy as np
import rerun as rr

rr.init("camera_mask")
rr.save(sys.argv[1] if len(sys.argv) > 1 else "camera_mask.rrd")

W, H = 160, 120
rr.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
# the camera stands at y = -4, 1 unit up, looking along +y (RDF: z forward, y down)
rr.log("world/cam", rr.Transform3D(translation=[0, -4, 1],
                                   rotation=rr.RotationAxisAngle(axis=[1, 0, 0], degrees=-90)), static=True)
rr.log("world/cam", rr.Pinhole(focal_length=100, width=W, height=H, image_plane_distance=2.0), static=True)
rr.log("world/cam", rr.AnnotationContext([
    (1, "person", (220, 40, 40)),
    (2, "road", (60, 60, 200)),
    rr.ClassDescription(info=rr.AnnotationInfo(id=3, label="pose", color=(255, 220, 0)),
                        keypoint_annotations=[rr.AnnotationInfo(id=0, label="head", color=(0, 255, 0))],
                        keypoint_connections=[(0, 1), (1, 2), (1, 3)]),
]), static=True)

image = np.zeros((H, W, 3), np.uint8)
image[:, :, 1] = np.linspace(40, 160, W, dtype=np.uint8)[None, :]
rr.log("world/cam/image", rr.Image(image), static=True)
mask = np.zeros((H, W), np.uint8)
mask[80:, :] = 2                       # road along the bottom
mask[30:90, 60:100] = 1                # a person in the middle
rr.log("world/cam/image/mask", rr.SegmentationImage(mask), static=True)
rr.log("world/marker", rr.Points3D([[1.5, 0, 1]], colors=(255, 255, 255), radii=0.1), static=True)

for t in range(4):
    rr.set_time("frame", sequence=t)
    dx = 10 * t
    rr.log("world/cam/image/pose", rr.Points2D(
        [[80 + dx, 35], [80 + dx, 55], [65 + dx, 85], [95 + dx, 85]], class_ids=3, keypoint_ids=[0, 1, 2, 3],
        radii=-4))
