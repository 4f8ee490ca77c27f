"""Patterns from Rerun's published examples (clock, dna, plots, structure from motion, rgbd,
graphs), written against rerun-sdk 0.41 as a Rerun user writes them."""
import math
import sys

import numpy as np

import annoview as rr

rr.init("types_examples", recording_id="types-examples")
rr.save(sys.argv[1])

# clock
rr.log("world", rr.ViewCoordinates.RIGHT_HAND_Y_UP, static=True)
rr.log("world/frame", rr.Boxes3D(half_sizes=[20.0, 20.0, 1.0], centers=[0.0, 0.0, 0.0]), static=True)
for step in range(0, 60, 20):
    rr.set_time("sim_time", duration=step)
    angle = math.tau * step / 60
    tip = np.array([math.sin(angle), math.cos(angle), 0.0]) * 18.0
    rr.log("world/seconds_hand", rr.Arrows3D(origins=[0.0, 0.0, 0.0], vectors=tip, colors=[255, 255, 0], radii=0.2))

# dna
rng = np.random.default_rng(0)
for t in range(3):
    rr.set_time("stable_time", duration=t * 0.1)
    rr.log("dna/structure", rr.Transform3D(rotation=rr.RotationAxisAngle(axis=[0, 0, 1], radians=t / 4.0 * math.tau)))

# plots
rr.log("trig/sin", rr.SeriesLines(colors=[255, 0, 0], names="sin(0.01t)"), static=True)
rr.log("trig/cos", rr.SeriesLines(colors=[0, 255, 0], names="cos(0.01t)", widths=2), static=True)
rr.log("scatter/lcg", rr.SeriesPoints(colors=[200, 0, 200], markers="square", marker_sizes=2), static=True)
for t in range(0, 30, 5):
    rr.set_time("step", sequence=t)
    rr.log("trig/sin", rr.Scalars(math.sin(float(t) / 100.0)))
    rr.log("trig/cos", rr.Scalars(math.cos(float(t) / 100.0)))
    rr.log("bar", rr.BarChart(rng.normal(size=8)))

# structure from motion
rr.log("description", rr.TextDocument("# SfM\nposes and a camera", media_type=rr.MediaType.MARKDOWN), static=True)
for frame in range(3):
    rr.set_time("frame", sequence=frame)
    quat_xyzw = np.array([0.0, 0.0, math.sin(frame / 10), math.cos(frame / 10)])
    rr.log("camera", rr.Transform3D(translation=[frame, 0.5, 2.0], rotation=rr.Quaternion(xyzw=quat_xyzw),
                                    relation=rr.TransformRelation.ChildFromParent))
    rr.log("camera", rr.Pinhole(resolution=[640, 480], focal_length=[500.0, 500.0], principal_point=[320, 240]))
    rr.log("logs", rr.TextLog(f"frame {frame}: 42 points", level=rr.TextLogLevel.INFO))
    rr.log("plot/avg_reproj_err", rr.Scalars(0.5 + 0.1 * frame))

# rgbd
intrinsics = np.array([[525.0, 0.0, 320.0], [0.0, 525.0, 240.0], [0.0, 0.0, 1.0]])
rr.log("world/camera", rr.Pinhole(image_from_camera=intrinsics, width=64, height=48), static=True)
rr.set_time("frame", sequence=0)
rr.log("world/camera/depth", rr.DepthImage(rng.integers(0, 5000, (48, 64), dtype=np.uint16), meter=1000.0))

# graphs
rr.log("lattice", rr.GraphNodes([f"{x}-{y}" for x in range(2) for y in range(2)],
                                positions=[[x * 10.0, y * 10.0] for x in range(2) for y in range(2)],
                                labels=[f"({x}, {y})" for x in range(2) for y in range(2)]), static=True)
rr.log("lattice", rr.GraphEdges([("0-0", "0-1"), ("0-0", "1-0")], graph_type=rr.GraphType.Directed), static=True)

# mesh and shapes
rr.log("mesh", rr.Mesh3D(vertex_positions=[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
                         vertex_normals=[0.0, 0.0, 1.0], vertex_colors=[[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                         triangle_indices=[[0, 1, 2]]), static=True)
rr.log("shapes/spheres", rr.Ellipsoids3D(centers=[[0, 0, 0], [2, 0, 0]], half_sizes=[[1, 1, 1], [0.5, 0.5, 0.5]],
                                         colors=[[255, 0, 0], [0, 0, 255]], fill_mode=rr.components.FillMode.Solid),
       static=True)
rr.log("shapes/capsules", rr.Capsules3D(lengths=[1.0], radii=[0.25], translations=[[0, 0, 3]],
                                        rotation_axis_angles=[rr.RotationAxisAngle([1, 0, 0], rr.Angle(deg=45))]),
       static=True)
rr.log("map", rr.GeoPoints(lat_lon=[[47.6344, 19.1397], [47.6334, 19.1399]], radii=rr.Radius.ui_points(20.0),
                           colors=[[255, 0, 0], [0, 0, 255]]), static=True)
