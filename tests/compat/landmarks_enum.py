"""A pose-library style script: IntEnum landmarks, a frozenset of connections, rerun.datatypes,
3D points, line strips and a separate RecordingStream."""
import enum
import sys

import numpy as np

import annoview as rr
from annoview.datatypes import ClassDescription, AnnotationInfo


class Landmark(enum.IntEnum):
    WRIST = 0
    THUMB_TIP = 1
    INDEX_TIP = 2
    MIDDLE_TIP = 3


CONNECTIONS = frozenset({(Landmark.WRIST, Landmark.THUMB_TIP), (Landmark.WRIST, Landmark.INDEX_TIP),
                         (Landmark.WRIST, Landmark.MIDDLE_TIP)})

rec = rr.RecordingStream("compat_landmarks")
rec.save(sys.argv[1])
rec.log("/", ClassDescription(info=AnnotationInfo(id=0, label="hand"),
                              keypoint_annotations=[AnnotationInfo(id=lm.value, label=lm.name) for lm in Landmark],
                              keypoint_connections=CONNECTIONS), static=True)
for i in range(8):
    rec.set_time("time", timestamp=1_700_000_000 + i * 0.033)
    pts = np.random.default_rng(i).random((len(Landmark), 3))
    rec.log("hand/landmarks", rr.Points3D(pts, keypoint_ids=Landmark, class_ids=0))
    rec.log(["hand", "outline"], rr.LineStrips3D([pts[[0, 1]], pts[[0, 2, 3]]], colors=[0, 0, 255]))
    rec.log("hand/2d", rr.LineStrips2D(np.array([[[0, 0], [1, 1]], [[1, 0], [0, 1]]]), radii=0.5))
rec.flush()
