"""A matrix of input forms per archetype: annoview records exactly what rerun-sdk records for the
same call (components, Arrow types and values), compared archetype by archetype."""
from __future__ import annotations

import types

import numpy as np
import pytest

import annoview as rr

# Each case builds an archetype with m = annoview, and again with m = rerun-sdk.
CASES = {
    "transform_translation_list": lambda m: m.Transform3D(translation=[1, 2, 3]),
    "transform_translation_np": lambda m: m.Transform3D(translation=np.array([1.5, 2, 3], np.float64)),
    "transform_translation_vec3d": lambda m: m.Transform3D(translation=m.datatypes.Vec3D([1, 2, 3])),
    "transform_rotation_quat": lambda m: m.Transform3D(rotation=m.Quaternion(xyzw=[0, 0, 0.7071, 0.7071])),
    "transform_rotation_quat_component": lambda m: m.Transform3D(rotation=m.components.RotationQuat(xyzw=[0, 0, 0, 1])),
    "transform_rotation_axis_angle": lambda m: m.Transform3D(rotation=m.RotationAxisAngle(axis=[0, 1, 0], radians=0.3)),
    "transform_rotation_angle_obj": lambda m: m.Transform3D(rotation=m.RotationAxisAngle([1, 0, 0], m.Angle(rad=2.0))),
    "transform_quaternion_np": lambda m: m.Transform3D(quaternion=np.array([0, 0, 0, 1.0])),
    "transform_scale_uniform": lambda m: m.Transform3D(scale=3),
    "transform_scale_float": lambda m: m.Transform3D(scale=0.5),
    "transform_scale_vec": lambda m: m.Transform3D(scale=[1, 2, 3]),
    "transform_scale_component": lambda m: m.Transform3D(scale=m.Scale3D([1, 2, 3])),
    "transform_mat3x3_rows": lambda m: m.Transform3D(mat3x3=np.arange(9).reshape(3, 3)),
    "transform_mat3x3_flat": lambda m: m.Transform3D(mat3x3=list(range(9))),
    "transform_mat3x3_columns": lambda m: m.Transform3D(mat3x3=m.datatypes.Mat3x3(columns=np.arange(9))),
    "transform_from_parent": lambda m: m.Transform3D(translation=[1, 0, 0], from_parent=True),
    "transform_relation_str": lambda m: m.Transform3D(translation=[1, 0, 0], relation="ParentFromChild"),
    "transform_frames": lambda m: m.Transform3D(translation=[0, 0, 1], child_frame="cam", parent_frame="world"),
    "transform_empty": lambda m: m.Transform3D(),
    "pinhole_focal_wh": lambda m: m.Pinhole(focal_length=500, width=640, height=480),
    "pinhole_focal_xy": lambda m: m.Pinhole(focal_length=[500, 450], width=640, height=480),
    "pinhole_principal": lambda m: m.Pinhole(focal_length=500, principal_point=[300, 200], resolution=[640, 480]),
    "pinhole_matrix": lambda m: m.Pinhole(image_from_camera=np.array([[500, 0, 320], [0, 500, 240], [0, 0, 1]]),
                                          resolution=[640, 480]),
    "pinhole_fov": lambda m: m.Pinhole(fov_y=1.2, aspect_ratio=16 / 9, camera_xyz=m.ViewCoordinates.RUB,
                                       image_plane_distance=0.5),
    "pinhole_style": lambda m: m.Pinhole(focal_length=2, width=4, height=4, color=[0, 255, 0], line_width=2),
    "pinhole_no_center": lambda m: m.Pinhole(focal_length=500),
    "view_coordinates_const": lambda m: m.ViewCoordinates(m.components.ViewCoordinates.LEFT_HAND_Y_DOWN),
    "view_coordinates_list": lambda m: m.ViewCoordinates([3, 2, 5]),
    "boxes3d_half_sizes": lambda m: m.Boxes3D(half_sizes=[[1, 1, 1], [2, 2, 2]]),
    "boxes3d_sizes_centers": lambda m: m.Boxes3D(sizes=np.ones((3, 3)), centers=np.zeros((3, 3)),
                                                 labels=["a", "b", "c"], show_labels=True),
    "boxes3d_mins": lambda m: m.Boxes3D(mins=[0, 0, 0], sizes=[2, 4, 6]),
    "boxes3d_quaternions": lambda m: m.Boxes3D(half_sizes=[1, 1, 1], quaternions=[[0, 0, 0, 1]]),
    "boxes3d_rotations_quat": lambda m: m.Boxes3D(half_sizes=[1, 1, 1], rotations=[m.Quaternion(xyzw=[0, 0, 0, 1])]),
    "boxes3d_rotation_axis_angles": lambda m: m.Boxes3D(half_sizes=[1, 1, 1],
                                                        rotation_axis_angles=[m.RotationAxisAngle([0, 0, 1], 0.1)]),
    "boxes3d_style": lambda m: m.Boxes3D(half_sizes=[1, 1, 1], colors=[[0.5, 0.5, 0.5]], radii=0.02,
                                         fill_mode=m.components.FillMode.TransparentFillMajorWireframe, class_ids=7),
    "ellipsoids_radii": lambda m: m.Ellipsoids3D(radii=[0.5, 1.0], centers=[[0, 0, 0], [2, 0, 0]]),
    "ellipsoids_half_sizes": lambda m: m.Ellipsoids3D(half_sizes=[[1, 2, 3]], quaternions=[[0, 0, 0, 1]],
                                                      fill_mode="solid"),
    "arrows3d": lambda m: m.Arrows3D(vectors=np.eye(3), origins=np.zeros((3, 3)), colors=[[255, 0, 0], [0, 255, 0],
                                                                                          [0, 0, 255]]),
    "arrows3d_single": lambda m: m.Arrows3D(vectors=[0, 0, 1], radii=0.05, labels="up"),
    "arrows2d": lambda m: m.Arrows2D(vectors=[[1, 1], [2, 0]], origins=[0, 0], class_ids=[1, 2], draw_order=5),
    "instance_poses": lambda m: m.InstancePoses3D(translations=[[0, 0, 0], [1, 1, 1]], scales=[[1, 1, 1], [2, 2, 2]],
                                                  quaternions=[m.Quaternion(xyzw=[0, 0, 0, 1])] * 2),
    "instance_poses_mats": lambda m: m.InstancePoses3D(mat3x3=np.stack([np.eye(3), 2 * np.eye(3)])),
    "capsules": lambda m: m.Capsules3D(lengths=[1, 2], radii=0.5, translations=[[0, 0, 0], [1, 0, 0]],
                                       quaternions=[[0, 0, 0, 1], [0, 0, 0, 1]], labels=["a", "b"]),
    "cylinders": lambda m: m.Cylinders3D(lengths=[1], radii=[0.2], centers=[[0, 0, 1]],
                                         rotation_axis_angles=[m.RotationAxisAngle([1, 0, 0], m.Angle(deg=90))]),
    "ellipses2d": lambda m: m.Ellipses2D(half_sizes=[[2, 1], [1, 1]], centers=[[0, 0], [5, 5]], colors=0x00FF00FF),
    "text_log": lambda m: m.TextLog("hello"),
    "text_log_level": lambda m: m.TextLog("careful", level=m.TextLogLevel.WARN),
    "text_log_level_str": lambda m: m.TextLog("x", level="DEBUG", color=[255, 0, 0]),
    "text_document": lambda m: m.TextDocument("plain"),
    "text_document_md": lambda m: m.TextDocument("# md", media_type=m.MediaType.MARKDOWN),
    "scalars_float": lambda m: m.Scalars(1.5),
    "scalars_int": lambda m: m.Scalars(3),
    "scalars_list": lambda m: m.Scalars([1, 2, 3]),
    "scalars_np": lambda m: m.Scalars(np.array([0.5, 1.5], np.float32)),
    "scalars_np_scalar": lambda m: m.Scalars(np.float64(2.5)),
    "series_lines": lambda m: m.SeriesLines(colors=[[255, 0, 0], [0, 255, 0]], names=["a", "b"], widths=[1, 2],
                                            aggregation_policy="max", interpolation_mode="StepAfter"),
    "series_lines_visible": lambda m: m.SeriesLines(visible_series=[True, False]),
    "series_points": lambda m: m.SeriesPoints(colors=[255, 0, 0], markers=m.components.MarkerShape.Square,
                                              marker_sizes=[4]),
    "bar_chart_list": lambda m: m.BarChart([1, 2, 3]),
    "bar_chart_int64": lambda m: m.BarChart(np.arange(5)),
    "bar_chart_f64": lambda m: m.BarChart(np.linspace(0, 1, 4), color=0xFF0000FF, widths=0.5),
    "tensor_u8": lambda m: m.Tensor(np.zeros((2, 3, 4), np.uint8)),
    "tensor_names": lambda m: m.Tensor(np.ones((2, 2), np.float32), dim_names=("h", "w"), value_range=(0, 1)),
    "tensor_data_obj": lambda m: m.Tensor(m.TensorData(array=np.arange(6, dtype=np.int16).reshape(2, 3))),
    "depth_u16": lambda m: m.DepthImage(np.full((4, 5), 1000, np.uint16), meter=1000),
    "depth_f32": lambda m: m.DepthImage(np.ones((2, 2), np.float32), colormap=m.components.Colormap.Turbo,
                                        depth_range=(0.1, 10), point_fill_ratio=0.5, draw_order=-1),
    "graph_nodes": lambda m: m.GraphNodes(node_ids=["a", "b"], positions=[[0, 0], [1, 1]], radii=[1, 2],
                                          colors=[[255, 0, 0], [0, 0, 255]], show_labels=False),
    "graph_nodes_one": lambda m: m.GraphNodes("solo"),
    "graph_edges": lambda m: m.GraphEdges(edges=[("a", "b"), ("b", "a")], graph_type=m.components.GraphType.Directed),
    "geo_points": lambda m: m.GeoPoints(lat_lon=[59.319221, 18.075631], radii=10, colors=[255, 0, 0], class_ids=1),
    "geo_lines": lambda m: m.GeoLineStrings(lat_lon=[[[0, 0], [1, 1], [2, 0]], [[5, 5], [6, 6]]], colors=[0, 0, 255]),
    "geo_lines_np": lambda m: m.GeoLineStrings(lat_lon=np.array([[0.0, 0.0], [1.0, 1.0]])),
    "mesh": lambda m: m.Mesh3D(vertex_positions=np.random.default_rng(0).random((4, 3)),
                               triangle_indices=[[0, 1, 2], [0, 2, 3]], vertex_texcoords=np.zeros((4, 2)),
                               face_rendering="Back", class_ids=[2]),
    "mesh_texture": lambda m: m.Mesh3D(vertex_positions=[[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangle_indices=[0, 1, 2],
                                       vertex_texcoords=[[0, 0], [1, 0], [0, 1]],
                                       albedo_texture=np.zeros((2, 2, 3), np.uint8)),
    "mesh_flat_indices": lambda m: m.Mesh3D(vertex_positions=np.zeros(9), triangle_indices=np.array([0, 1, 2], np.uint32),
                                            vertex_colors=0xFFFFFFFF),
    "asset3d": lambda m: m.Asset3D(contents=b"solid x\nendsolid x\n", media_type=m.MediaType.STL),
    "asset3d_albedo": lambda m: m.Asset3D(contents=np.frombuffer(b"glTF", np.uint8), media_type="model/gltf-binary",
                                          albedo_factor=[0.5, 0.5, 0.5, 1.0]),
    "video_frame_seconds": lambda m: m.VideoFrameReference(seconds=2.5),
    "video_frame_nanos": lambda m: m.VideoFrameReference(nanoseconds=123456789, video_reference="videos/a"),
    "video_stream": lambda m: m.VideoStream(codec="AV1", sample=np.zeros(10, np.uint8), opacity=0.5),
    "clear_recursive": lambda m: m.Clear(recursive=True),
    "clear_flat": lambda m: m.Clear.flat(),
    "transform_axes": lambda m: m.TransformAxes3D(0.5),
    "coordinate_frame": lambda m: m.CoordinateFrame(frame="gripper"),
    "measurements": lambda m: m.Measurements(values=[1, 2, 3], variances=[0.1, 0.1, 0.2], colors=[[1, 2, 3]]),
    "state_change": lambda m: m.StateChange(state=["a", "b"]),
    "volume": lambda m: m.Volume3D(np.arange(8, dtype=np.uint8).reshape(2, 2, 2), translation=[1, 2, 3], gamma=2.2,
                                   optical_density=0.5, value_range=[0, 7]),
    "voxel_grid": lambda m: m.VoxelGridMap(np.array([[0, 0, 0], [-1, 2, 3]]), [0.1, 0.1, 0.1],
                                           colors=[[255, 0, 0], [0, 255, 0]], colormap="viridis"),
    "grid_map": lambda m: m.GridMap(data=np.zeros(4, np.uint8),
                                    format=m.components.ImageFormat(width=2, height=2, channel_datatype="U8",
                                                                    color_model="L"),
                                    cell_size=0.5, translation=[1, 1, 0]),
    "gaussian_splats": lambda m: m.GaussianSplats3D(np.zeros((2, 3)), quaternions=[[0, 0, 0, 1]] * 2,
                                                    spherical_harmonics_degree=0),
    "mcap_channel": lambda m: m.McapChannel(id=1, topic="/camera", message_encoding="cdr", metadata={"k": "v"}),
    "mcap_schema": lambda m: m.McapSchema(id=2, name="sensor_msgs/Image", encoding="ros2msg", data=b"uint8 x"),
    "mcap_statistics": lambda m: m.McapStatistics(message_count=10, schema_count=1, channel_count=1, attachment_count=0,
                                                  metadata_count=0, chunk_count=1, message_start_time=5,
                                                  message_end_time=9),
}


def _recorded(arch) -> dict:
    return {b.component_descriptor().component: b.as_arrow_array() for b in arch.as_component_batches()}


@pytest.fixture(scope="module")
def rerun():
    return pytest.importorskip("rerun")


@pytest.mark.parametrize("case", sorted(CASES))
def test_input_form_records_what_rerun_records(rerun, case):
    names = {n: getattr(rerun, n) for n in dir(rerun) if not n.startswith("__")}
    real = types.SimpleNamespace(**{**names, "datatypes": rerun.encodings})
    ours, theirs = _recorded(CASES[case](rr)), _recorded(CASES[case](real))
    assert ours.keys() == theirs.keys()
    for name, want in theirs.items():
        got = ours[name]
        assert got.type == want.type, name
        a, b = got.to_pylist(), want.to_pylist()
        assert a == b or np.allclose(np.asarray(a, float), np.asarray(b, float)), (name, a, b)


ODD_INPUTS = [object(), "x", [[1, 2], [3]], float("nan"), -1, {}, [], b"\x00", np.zeros((2, 2, 2, 2)), [None],
              {"a": object()}, (1, "b"), np.array(["a", "b"]), 1e300]


def test_odd_input_never_raises_in_non_strict_mode():
    """Non-strict mode (Rerun's default): whatever a script passes, constructing and logging any
    recorded archetype warns and carries on; it never raises into user code."""
    import inspect
    import warnings

    from annoview.types.generic import REGISTRY

    rr.set_strict_mode(False)
    rec = rr.new_recording("odd")
    rec.memory_recording()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, cls in REGISTRY.items():
                params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
                required = {p.name: [1.0, 2.0, 3.0] for p in params if p.default is inspect.Parameter.empty}
                for p in params:
                    for odd in ODD_INPUTS:
                        arch = cls(**{**required, p.name: odd})
                        rec.log("odd", arch)
    finally:
        rr.set_strict_mode(True)
    rec.flush()
