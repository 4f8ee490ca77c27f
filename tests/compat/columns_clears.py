"""A Rerun user's bulk-logging script: trajectories sent with `rr.send_columns` on sequence,
duration and timestamp timelines, partial updates with `from_fields`, `cleared()` and clears."""
import sys
from datetime import datetime, timedelta, timezone

import numpy as np

import annoview as rr

rr.init("compat_columns")
rr.save(sys.argv[1])
rng = np.random.default_rng(7)
steps = np.arange(20)

# 20 steps of 5 points each, one chunk; radii per point, colors per point as float RGB
positions = rng.normal(size=(100, 3))
rr.send_columns(
    "world/swarm",
    indexes=[rr.TimeColumn("step", sequence=steps), rr.TimeColumn("sim_time", duration=steps * 0.05)],
    columns=rr.Points3D.columns(positions=positions, radii=np.linspace(0.01, 0.1, 100),
                                colors=(rng.random((100, 3)) * 255).astype(np.uint8)).partition([5] * 20),
)
# 2D tracks with labels and class ids, on a timestamp timeline (datetime64 and datetime forms)
stamps = np.datetime64("2024-05-01T12:00:00", "ns") + np.arange(4) * np.timedelta64(250, "ms")
rr.send_columns(
    "camera/tracks",
    indexes=[rr.TimeColumn("wall", timestamp=stamps)],
    columns=[*rr.Points2D.columns(positions=[[1, 2], [3, 4], [5, 6], [7, 8]], class_ids=[1, 2, 1, 2],
                                  labels=["a", "b", "c", "d"])],
)
rr.send_columns(
    "camera/boxes",
    indexes=[rr.TimeColumn("wall", timestamp=[datetime(2024, 5, 1, 12, tzinfo=timezone.utc) + timedelta(seconds=s)
                                               for s in range(3)])],
    columns=rr.Boxes2D.columns(half_sizes=[[1, 1], [2, 2], [3, 3], [4, 4]], centers=[[0, 0]] * 4).partition([1, 2, 1]),
)
rr.send_columns(
    "outline",
    indexes=[rr.TimeColumn("step", sequence=[0, 1])],
    columns=rr.LineStrips2D.columns(strips=[[[0, 0], [1, 1]], [[1, 1], [2, 0], [3, 3]]], colors=[0xFF0000FF, 0x00FF00FF]),
)
# static columns: no index
rr.send_columns("legend", indexes=[], columns=rr.Points2D.columns(positions=[[0, 0], [1, 1]]))
# clears as columns
rr.send_columns("world", indexes=[rr.TimeColumn("step", sequence=[15, 18])],
                columns=rr.Clear.columns(is_recursive=[True, False]))

# partial updates and clears through rr.log
for step in range(4):
    rr.set_time("step", sequence=step)
    if step == 0:
        rr.log("robot/arm", rr.Points3D([[0, 0, 0], [1, 1, 1]], radii=[0.1, 0.2], labels=["base", "tip"]))
        rr.log("robot/arm/box", rr.Boxes2D(half_sizes=[[1, 1]], colors=[255, 0, 0]))
        rr.log("robot/mask", rr.SegmentationImage(np.eye(4, dtype=np.uint8)))
    elif step == 1:
        rr.log("robot/arm", rr.Points3D.from_fields(radii=[0.3]))
        rr.log("robot/arm/box", rr.Boxes2D.from_fields(clear_unset=True, half_sizes=[[2, 3]]))
        rr.log("robot/mask", rr.SegmentationImage.cleared())
    elif step == 2:
        rr.log("robot", rr.Clear(recursive=True))
        rr.log("robot/lines", rr.LineStrips3D.from_fields(strips=[[[0, 0, 0], [0, 0, 1]]], colors=[0, 255, 0]))
    else:
        rr.log("robot/arm", rr.Points3D([[2, 2, 2]]))
        rr.log("robot/lines", rr.Clear.flat())
        rr.log("robot/lines", rr.LineStrips2D.cleared())
rr.log("robot/context", rr.AnnotationContext.from_fields(context=[(1, "arm", (255, 0, 0))]), static=True)
rr.log("robot/context", rr.Clear.recursive(), static=True)
