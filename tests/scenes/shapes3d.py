"""Boxes3D, Ellipsoids3D and Arrows3D under an annotation context, as a Rerun user logs them:
rotated boxes (quaternion and axis-angle), class colors and labels, an explicit color, an
ellipsoid without a context entry (auto color). Runs unchanged with `import rerun as rr`."""
import sys

import rerun as rr

rr.init("shapes3d")
rr.save(sys.argv[1] if len(sys.argv) > 1 else "shapes3d.rrd")
rr.log("/", rr.AnnotationContext([(1, "car", (255, 80, 80)), (2, "tree", (60, 200, 60)), (3, "axis", (80, 140, 255))]),
       static=True)
rr.log("boxes", rr.Boxes3D(centers=[[0, 0, 0.5], [2.5, 0, 0.75]], half_sizes=[[1.0, 0.5, 0.5], [0.5, 0.5, 0.75]],
                           quaternions=[[0, 0, 0.3826834, 0.9238795], [0, 0, 0, 1]], class_ids=[1, 2]), static=True)
rr.log("tilted", rr.Boxes3D(centers=[[-2.5, 0, 0.5]], half_sizes=[[0.5, 0.5, 0.5]], colors=[(255, 255, 255)],
                            rotation_axis_angles=[rr.RotationAxisAngle(axis=[1, 0, 0], degrees=30)]), static=True)
rr.log("blobs", rr.Ellipsoids3D(centers=[[0, 2.5, 1.0]], half_sizes=[[1.0, 0.6, 0.4]], class_ids=[9]), static=True)
rr.log("axes", rr.Arrows3D(origins=[[0, -2.5, 0]], vectors=[[1.5, 0, 0], [0, 0, 1.5]], class_ids=[3]), static=True)
