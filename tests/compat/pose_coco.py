"""A Rerun user's pose script: COCO-style context, sequence timeline, keypoints per person."""
# rerun-0.41: skip (set_time_sequence was removed from rerun-sdk 0.41; annoview keeps it for older scripts)
import sys

import numpy as np

import annoview as rr

out = sys.argv[1]
rr.init("compat_pose", spawn=False)
rr.save(out)
rr.log(
    "/",
    rr.AnnotationContext(
        rr.ClassDescription(
            info=rr.AnnotationInfo(id=0, label="Person"),
            keypoint_annotations=[rr.AnnotationInfo(id=i, label=f"kp{i}") for i in range(5)],
            keypoint_connections=[(0, 1), (1, 2), (2, 3), (3, 4)],
        )
    ),
    static=True,
)
for t in range(20):
    rr.set_time_sequence("frame_nr", t)
    for person in range(2):
        xy = np.random.default_rng(t).random((5, 2)) * 100
        rr.log(f"video/pose/{person}/points", rr.Points2D(xy, keypoint_ids=[0, 1, 2, 3, 4], radii=-3))
