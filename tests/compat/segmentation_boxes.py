"""A Rerun user's detection script: images, masks, boxes in several array formats, durations."""
import sys

import numpy as np

import annoview as rr

rr.init("compat_segmentation")
rr.save(sys.argv[1])
rr.log("camera", rr.AnnotationContext([(0, "background", (0, 0, 0)), (1, "car", (255, 0, 0)), (2, "tree")]), static=True)
for frame in range(10):
    rr.set_time("frame", sequence=frame)
    rr.set_time("sensor_time", duration=frame * 0.1)
    img = np.zeros((48, 64, 3), dtype=np.uint8)
    img[:, :, 1] = 100 + frame
    rr.log("camera/image", rr.Image(img))
    mask = np.zeros((48, 64), dtype=np.uint8)
    mask[10:20, frame:frame + 10] = 1
    mask[30:40, 40:50] = 2
    rr.log("camera/image/mask", rr.SegmentationImage(mask, opacity=0.6))
    rr.log("camera/image/dets", rr.Boxes2D(array=[[frame, 10, 10, 10], [40, 30, 10, 10]],
                                           array_format=rr.Box2DFormat.XYWH, class_ids=[1, 2],
                                           labels=["car", "tree"]))
    rr.log("camera/image/centers", rr.Boxes2D(array=np.array([[frame + 5.0, 15.0, 5.0, 5.0]]),
                                              array_format=rr.Box2DFormat.XCYCW2H2, class_ids=1))
