"""A Rerun user's script with its own recording object: `with rr.RecordingStream(...) as rec`,
rr.set_sinks(rr.FileSink(...)), escaped entity path parts, properties and a recording name."""
import sys

import numpy as np

import annoview as rr

names = ["left cam", "right:cam"]
with rr.RecordingStream("compat_context", recording_id="ctx-1") as rec:
    rr.set_sinks(rr.FileSink(sys.argv[1]), recording=rec)
    rec.send_recording_name("two cameras")
    rec.send_property("rig", rr.Points3D([[0.0, 0.0, 1.5]]))
    rr.log("/", rr.AnnotationContext([(1, "car", (255, 0, 0)), (2, "bike", (0, 0, 255))]), static=True)
    rng = np.random.default_rng(7)
    for frame in range(6):
        rr.set_time("frame", sequence=frame)
        for cam in names:
            base = f"cams/{rr.escape_entity_path_part(cam)}"
            rr.log(f"{base}/boxes", rr.Boxes2D(mins=rng.random((2, 2)) * 50, sizes=[[10, 8], [6, 6]], class_ids=[1, 2]))
            rr.log(rr.new_entity_path(["cams", cam, "track"]), rr.Points2D(rng.random((3, 2)) * 50, class_ids=1))
