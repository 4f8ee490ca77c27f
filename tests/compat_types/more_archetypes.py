"""A Rerun user's script using plots, text, graphs, maps, meshes, tensors and video metadata
(written against rerun-sdk 0.41)."""
import sys

import numpy as np

import annoview as rr

rr.init("types_more", recording_id="types-more")
rr.save(sys.argv[1])
rr.log("plots/sin", rr.SeriesLines(colors=[255, 0, 0], widths=2, names="sin"), static=True)
rr.log("plots/pts", rr.SeriesPoints(colors=[0, 0, 255], markers="circle", marker_sizes=3, names=["p"]), static=True)
rr.log("plots/pts2", rr.SeriesPoints(markers=[rr.components.MarkerShape.Cross, "diamond"]), static=True)
rr.log("doc", rr.TextDocument("# Title\nbody", media_type=rr.MediaType.MARKDOWN), static=True)
rr.log("mesh", rr.Mesh3D(vertex_positions=[[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangle_indices=[0, 1, 2],
                         vertex_colors=[[255, 0, 0], [0, 255, 0], [0, 0, 255]], vertex_normals=[[0, 0, 1]] * 3,
                         albedo_factor=[200, 200, 200]), static=True)
rr.log("asset", rr.Asset3D(contents=b"glTF....", media_type="model/gltf-binary"), static=True)
rr.log("video", rr.AssetVideo(contents=b"\x00\x00\x00\x18ftypmp42", media_type="video/mp4"), static=True)
rr.log("graph", rr.GraphNodes(["a", "b", "c"], labels=["A", "B", "C"], positions=[[0, 0], [1, 0], [0, 1]]),
       rr.GraphEdges([("a", "b"), ("b", "c")], graph_type="directed"), static=True)
rr.log("map/points", rr.GeoPoints(lat_lon=[[59.3, 18.0], [48.8, 2.3]], radii=rr.Radius.ui_points(5),
                                  colors=[0, 255, 0]), static=True)
rr.log("map/route", rr.GeoLineStrings(lat_lon=[[[59.3, 18.0], [48.8, 2.3]]], radii=2.0), static=True)
rr.log("shapes/caps", rr.Capsules3D(lengths=[1, 2], radii=[0.5, 0.25], translations=[[0, 0, 0], [1, 0, 0]],
                                    colors=[[255, 0, 0]]), static=True)
rr.log("shapes/cyl", rr.Cylinders3D(lengths=1, radii=0.5, centers=[[0, 0, 1]], fill_mode="solid"), static=True)
rr.log("shapes/ell2d", rr.Ellipses2D(half_sizes=[[2, 1]], centers=[[5, 5]], line_radii=0.1), static=True)
rr.log("frames/axes", rr.TransformAxes3D(1.0, show_frame=True), rr.CoordinateFrame("base"), static=True)
rr.log("state", rr.StateConfiguration(values=["on", "off"], labels=["On", "Off"], colors=[[0, 255, 0], [255, 0, 0]]),
       static=True)
rr.log("depth", rr.DepthImage(np.arange(12, dtype=np.uint16).reshape(3, 4), meter=1000, colormap="viridis",
                              depth_range=[0, 5]), static=True)
rr.log("depth_f", rr.DepthImage(np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3)), static=True)
rr.log("tensor", rr.Tensor(np.arange(24, dtype=np.uint8).reshape(2, 3, 4), dim_names=["a", "b", "c"]), static=True)
rr.log("tensor_f", rr.Tensor(np.ones((2, 2)), value_range=[0, 2]), static=True)
rr.log("volume", rr.Volume3D(np.zeros((2, 2, 2), np.float32), voxel_size=[1, 1, 1], colormap="turbo"), static=True)
rr.log("voxels", rr.VoxelGridMap([[0, 0, 0], [1, 2, 3]], [0.5, 0.5, 0.5], values=[1, 2]), static=True)
rr.log("splats", rr.GaussianSplats3D([[0, 0, 0], [1, 1, 1]], scales=[[1, 1, 1], [2, 2, 2]], colors=[255, 255, 0]),
       static=True)
rr.log("encoded_depth", rr.EncodedDepthImage(b"\x89PNG....", media_type="image/png", meter=1000), static=True)
for frame in range(3):
    rr.set_time("frame", sequence=frame)
    rr.log("plots/sin", rr.Scalars(np.sin(frame)))
    rr.log("plots/multi", rr.Scalars([frame, 2 * frame]))
    rr.log("log", rr.TextLog(f"frame {frame}", level=rr.TextLogLevel.WARN if frame else "INFO", color=[255, 255, 0]))
    rr.log("bars", rr.BarChart(np.array([1, 2, frame], np.float32), color=[255, 0, 0], abscissa=[0, 1, 2]))
    rr.log("bars_i", rr.BarChart([frame, 1, 2]))
    rr.log("video", rr.VideoFrameReference(seconds=frame / 30))
    rr.log("video2", rr.VideoFrameReference(nanoseconds=frame * 1000, video_reference="video"))
    rr.log("stream", rr.VideoStream(codec=rr.VideoCodec.H264, sample=bytes([0, 0, 1, frame]), is_keyframe=frame == 0))
    rr.log("state", rr.StateChange(state="on" if frame % 2 else "off"))
    rr.log("meas", rr.Measurements([frame, 1.5], names=["a", "b"], units=["m", "s"]))
    rr.log("mcap", rr.McapMessage(b"\x01\x02"))
rr.set_time("frame", sequence=3)
rr.log("shapes", rr.Clear(recursive=True))
rr.log("log", rr.Clear.flat())
