"""A Rerun user's robotics script that also uses things annoview does not handle yet (camera
model, transforms, view coordinates, text logs, scalars, a blueprint): they are accepted with a
warning and the annotated data is recorded."""
import sys

import numpy as np

import annoview as rr
import annoview.blueprint as rrb

rr.init("compat_extras")
rr.save(sys.argv[1])
rr.send_blueprint(rrb.Blueprint(rrb.Horizontal(rrb.Spatial2DView(origin="/camera"), rrb.Spatial3DView(origin="/"))))
rr.log("/", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
rr.log("camera", rr.AnnotationContext([(1, "cone", (255, 128, 0))]), static=True)
rr.log("camera", rr.Pinhole(focal_length=300.0, width=64, height=48), static=True)
for frame in range(5):
    rr.set_time("frame", sequence=frame)
    rr.log("camera", rr.Transform3D(translation=[0.1 * frame, 0.0, 1.0]))
    rr.log("camera/detections", rr.Boxes2D(mins=[[10 + frame, 10]], sizes=[[8, 8]], class_ids=1))
    rr.log("log", rr.TextLog(f"frame {frame}"))
    rr.log("speed", rr.Scalars(float(np.sin(frame))))
