"""The Rerun archetypes annoview records as generic components: one `define` entry each.

An entry gives Rerun's call signature, the fields in Rerun's order with their component types,
the required fields, and, where Rerun's arguments are not simply the fields, a `prepare` function
(arguments -> field values) implementing Rerun's documented conveniences (Transform3D's
`rotation=`, Pinhole's `focal_length=`, Boxes3D's `sizes=`/`mins=`, ...). See generic.py for the
data contract. Adding an archetype is adding an entry here.
"""
from __future__ import annotations

import math
import mimetypes
import pathlib
from typing import Any

import numpy as np

from ..errors import ValidationError
from .convert import Native, tensor_data
from .generic import define


def _arr(value: Any, archetype: str, field: str, width: int | None = None) -> np.ndarray:
    try:
        a = np.asarray(value._native() if isinstance(value, Native) else value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValidationError(archetype, field, f"expected numbers: {e}") from None
    if width is not None:
        if a.size % width:
            raise ValidationError(archetype, field, f"expected {width} numbers per instance, got shape {a.shape}")
        a = a.reshape(-1, width)
    return a


_QUATERNIONS = ("Quaternion", "RotationQuat")
_AXIS_ANGLES = ("RotationAxisAngle",)


def _is_quaternion(value: Any) -> bool:
    """Rerun's `rotation=`/`rotations=` take quaternions or axis-angles: objects say which they
    are; plain numbers in groups of four are quaternions."""
    first = value[0] if isinstance(value, (list, tuple)) and value and isinstance(value[0], Native) else value
    kind = getattr(first, "_DATATYPE", None)
    if kind in _QUATERNIONS or kind in _AXIS_ANGLES:
        return kind in _QUATERNIONS
    return not isinstance(value, dict) and np.asarray(value, dtype=object).size % 4 == 0


# -- spatial transforms --------------------------------------------------------------------------


def _transform3d(a: dict[str, Any]) -> dict[str, Any]:
    rotation = a.pop("rotation")
    if rotation is not None:
        if a["quaternion"] is not None or a["rotation_axis_angle"] is not None:
            raise ValidationError("Transform3D", "rotation", "give rotation= or quaternion=/rotation_axis_angle=, not both")
        a["quaternion" if _is_quaternion(rotation) else "rotation_axis_angle"] = rotation
    if a.pop("from_parent"):
        if a["relation"] is not None:
            raise ValidationError("Transform3D", "from_parent", "give from_parent= or relation=, not both")
        a["relation"] = "ChildFromParent"
    return a


Transform3D = define(
    "Transform3D",
    "*, translation=None, rotation=None, rotation_axis_angle=None, quaternion=None, scale=None, mat3x3=None, "
    "from_parent=None, relation=None, child_frame=None, parent_frame=None",
    {"translation": "Translation3D", "rotation_axis_angle": "RotationAxisAngle", "quaternion": "RotationQuat",
     "scale": "Scale3D", "mat3x3": "TransformMat3x3", "relation": "TransformRelation",
     "child_frame": "TransformFrameId", "parent_frame": "TransformFrameId"},
    prepare=_transform3d, drawn=True, doc="A 3D transform between an entity and its parent (docs/transforms.md).")


def _pinhole(a: dict[str, Any]) -> dict[str, Any]:
    name = "Pinhole"
    width, height = a.pop("width"), a.pop("height")
    focal, principal = a.pop("focal_length"), a.pop("principal_point")
    fov_y, aspect = a.pop("fov_y"), a.pop("aspect_ratio")
    if a["resolution"] is None and width is not None and height is not None:
        a["resolution"] = [float(width), float(height)]
    elif a["resolution"] is None and fov_y is not None and aspect is not None:
        a["resolution"] = [float(aspect), 1.0]
    if fov_y is not None and aspect is not None and focal is None and a["image_from_camera"] is None:
        focal = 0.5 / math.tan(float(fov_y) * 0.5)
    if focal is not None and a["image_from_camera"] is None:
        f = _arr(focal, name, "focal_length").reshape(-1)
        if f.size not in (1, 2):
            raise ValidationError(name, "focal_length", f"expected one or two numbers, got {f.size}")
        fx, fy = (f[0], f[0]) if f.size == 1 else (f[0], f[1])
        if principal is not None:
            p = _arr(principal, name, "principal_point").reshape(-1)
            if p.size != 2:
                raise ValidationError(name, "principal_point", f"expected two numbers, got {p.size}")
            u, v = p
        elif a["resolution"] is not None:
            r = _arr(a["resolution"], name, "resolution").reshape(-1)
            u, v = r[0] / 2, r[1] / 2
        else:
            return {k: v for k, v in a.items() if k != "image_from_camera"}  # Rerun: no projection without a center
        a["image_from_camera"] = [[fx, 0, u], [0, fy, v], [0, 0, 1]]
    return a


Pinhole = define(
    "Pinhole",
    "*, image_from_camera=None, resolution=None, camera_xyz=None, width=None, height=None, focal_length=None, "
    "principal_point=None, fov_y=None, aspect_ratio=None, child_frame=None, parent_frame=None, "
    "image_plane_distance=None, color=None, line_width=None",
    {"image_from_camera": "PinholeProjection", "resolution": "Resolution", "camera_xyz": "ViewCoordinates",
     "child_frame": "TransformFrameId", "parent_frame": "TransformFrameId",
     "image_plane_distance": "ImagePlaneDistance", "color": "Color", "line_width": "Radius"},
    prepare=_pinhole, drawn=True, doc="A pinhole camera projection (docs/transforms.md).")

ViewCoordinates = define("ViewCoordinates", "xyz", {"xyz": "ViewCoordinates"}, required=("xyz",), drawn=True,
                         doc="The axis convention of an entity's space (docs/transforms.md).")

InstancePoses3D = define(
    "InstancePoses3D",
    "*, translations=None, rotation_axis_angles=None, quaternions=None, scales=None, mat3x3=None",
    {"translations": "Translation3D", "rotation_axis_angles": "RotationAxisAngle", "quaternions": "RotationQuat",
     "scales": "Scale3D", "mat3x3": "TransformMat3x3"}, drawn=True)


def _rotations(a: dict[str, Any], name: str) -> None:
    rotations = a.pop("rotations", None)
    if rotations is not None:
        # Rerun fills one rotation field and clears the other (an empty batch).
        if _is_quaternion(rotations):
            a["quaternions"], a["rotation_axis_angles"] = rotations, []
        else:
            a["rotation_axis_angles"], a["quaternions"] = rotations, []


def _boxes3d(a: dict[str, Any]) -> dict[str, Any]:
    name = "Boxes3D"
    sizes, mins = a.pop("sizes"), a.pop("mins")
    if sizes is not None:
        if a["half_sizes"] is not None:
            raise ValidationError(name, "sizes", "give sizes= or half_sizes=, not both")
        a["half_sizes"] = _arr(sizes, name, "sizes", 3) / 2
    if mins is not None:
        if a["centers"] is not None:
            raise ValidationError(name, "mins", "give mins= or centers=, not both")
        if a["half_sizes"] is None:
            raise ValidationError(name, "mins", "mins= needs sizes= or half_sizes=")
        a["centers"] = _arr(mins, name, "mins", 3) + _arr(a["half_sizes"], name, "half_sizes", 3)
    _rotations(a, name)
    return a


_SOLIDS = ("*, {size}centers=None, rotation_axis_angles=None, quaternions=None, colors=None, {radii}fill_mode=None, "
           "labels=None, show_labels=None, class_ids=None")
_SOLID_FIELDS = {"rotation_axis_angles": "RotationAxisAngle", "quaternions": "RotationQuat", "colors": "Color"}
_LABELS = {"labels": "Text", "show_labels": "ShowLabels", "class_ids": "ClassId"}

Boxes3D = define(
    "Boxes3D",
    "*, sizes=None, mins=None, half_sizes=None, centers=None, rotation_axis_angles=None, quaternions=None, "
    "rotations=None, colors=None, radii=None, fill_mode=None, labels=None, show_labels=None, class_ids=None",
    {"half_sizes": "HalfSize3D", "centers": "Translation3D", **_SOLID_FIELDS, "radii": "Radius",
     "fill_mode": "FillMode", **_LABELS},
    prepare=_boxes3d, drawn=True, doc="Oriented 3D boxes (drawn as wireframes).")


def _ellipsoids(a: dict[str, Any]) -> dict[str, Any]:
    radii = a.pop("radii")
    if radii is not None:
        r = _arr(radii, "Ellipsoids3D", "radii").reshape(-1, 1)
        a["half_sizes"] = np.repeat(r, 3, axis=1)
    return a


Ellipsoids3D = define(
    "Ellipsoids3D",
    "*, half_sizes=None, radii=None, centers=None, rotation_axis_angles=None, quaternions=None, colors=None, "
    "line_radii=None, fill_mode=None, labels=None, show_labels=None, class_ids=None",
    {"half_sizes": "HalfSize3D", "centers": "Translation3D", **_SOLID_FIELDS, "line_radii": "Radius",
     "fill_mode": "FillMode", **_LABELS},
    prepare=_ellipsoids, drawn=True, doc="3D ellipsoids and spheres (drawn as wireframes).")

Arrows2D = define(
    "Arrows2D",
    "*, vectors, origins=None, radii=None, colors=None, labels=None, show_labels=None, draw_order=None, class_ids=None",
    {"vectors": "Vector2D", "origins": "Position2D", "radii": "Radius", "colors": "Color", "labels": "Text",
     "show_labels": "ShowLabels", "draw_order": "DrawOrder", "class_ids": "ClassId"}, required=("vectors",), drawn=True)

Arrows3D = define(
    "Arrows3D",
    "*, vectors, origins=None, radii=None, colors=None, labels=None, show_labels=None, class_ids=None",
    {"vectors": "Vector3D", "origins": "Position3D", "radii": "Radius", "colors": "Color", **_LABELS},
    required=("vectors",), drawn=True)


Capsules3D = define(
    "Capsules3D",
    "*, lengths=None, radii=None, translations=None, rotation_axis_angles=None, quaternions=None, colors=None, "
    "line_radii=None, fill_mode=None, labels=None, show_labels=None, class_ids=None",
    {"lengths": "Length", "radii": "Radius", "translations": "Translation3D", **_SOLID_FIELDS,
     "line_radii": "Radius", "fill_mode": "FillMode", **_LABELS})

Cylinders3D = define(
    "Cylinders3D",
    "*, lengths=None, radii=None, centers=None, rotation_axis_angles=None, quaternions=None, colors=None, "
    "line_radii=None, fill_mode=None, labels=None, show_labels=None, class_ids=None",
    {"lengths": "Length", "radii": "Radius", "centers": "Translation3D", **_SOLID_FIELDS,
     "line_radii": "Radius", "fill_mode": "FillMode", **_LABELS})

Ellipses2D = define(
    "Ellipses2D",
    "*, half_sizes=None, centers=None, line_radii=None, colors=None, labels=None, show_labels=None, draw_order=None, "
    "class_ids=None",
    {"half_sizes": "HalfSize2D", "centers": "Position2D", "colors": "Color", "line_radii": "Radius", "labels": "Text",
     "show_labels": "ShowLabels", "draw_order": "DrawOrder", "class_ids": "ClassId"})

GaussianSplats3D = define(
    "GaussianSplats3D",
    "centers, *, scales=None, quaternions=None, colors=None, sh_coefficients=None, spherical_harmonics_degree=None",
    {"centers": "Position3D", "scales": "Scale3D", "quaternions": "RotationQuat", "colors": "Color",
     "sh_coefficients": "SphericalHarmonics3Rgb", "spherical_harmonics_degree": "SphericalHarmonicsDegree"},
    required=("centers",))

TransformAxes3D = define("TransformAxes3D", "axis_length, *, show_frame=None",
                         {"axis_length": "AxisLength", "show_frame": "ShowLabels"}, required=("axis_length",),
                         drawn=True)
CoordinateFrame = define("CoordinateFrame", "frame", {"frame": "TransformFrameId"}, required=("frame",))


def _mesh(a: dict[str, Any]) -> dict[str, Any]:
    texture = a.pop("albedo_texture")
    if texture is not None:
        a["albedo_texture_buffer"], a["albedo_texture_format"] = _image_buffer(texture, "Mesh3D", "albedo_texture", True)
    return a


Mesh3D = define(
    "Mesh3D",
    "*, vertex_positions, triangle_indices=None, vertex_normals=None, vertex_colors=None, vertex_texcoords=None, "
    "albedo_texture=None, albedo_factor=None, face_rendering=None, class_ids=None",
    {"vertex_positions": "Position3D", "triangle_indices": "TriangleIndices", "vertex_normals": "Vector3D",
     "vertex_colors": "Color", "vertex_texcoords": "Texcoord2D", "albedo_factor": "AlbedoFactor",
     "face_rendering": "MeshFaceRendering", "albedo_texture_buffer": "ImageBuffer",
     "albedo_texture_format": "ImageFormat", "class_ids": "ClassId"},
    required=("vertex_positions",), prepare=_mesh)


# -- assets, images, tensors ----------------------------------------------------------------------

_MEDIA_TYPES = {".glb": "model/gltf-binary", ".gltf": "model/gltf+json", ".obj": "model/obj", ".stl": "model/stl",
                ".ply": "application/x-ply", ".mp4": "video/mp4", ".md": "text/markdown", ".txt": "text/plain",
                ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp3": "audio/mpeg",
                ".wav": "audio/wav", ".ogg": "audio/ogg", ".flac": "audio/flac", ".aac": "audio/aac",
                ".m4a": "audio/mp4"}


def _asset(archetype: str) -> Any:
    def prepare(a: dict[str, Any]) -> dict[str, Any]:
        path, contents = a.pop("path"), a.pop("contents")
        if (path is None) == (contents is None):
            raise ValidationError(archetype, "path", "give exactly one of path= or contents=")
        if path is not None:
            p = pathlib.Path(path)
            try:
                a["blob"] = p.read_bytes()
            except OSError as e:
                raise ValidationError(archetype, "path", f"cannot read {p}: {e.strerror or e}") from None
            if a["media_type"] is None:
                a["media_type"] = _MEDIA_TYPES.get(p.suffix.lower()) or mimetypes.guess_type(p.name)[0]
        else:
            a["blob"] = contents.read() if hasattr(contents, "read") else contents
        return a

    return prepare


Asset3D = define("Asset3D", "*, path=None, contents=None, media_type=None, albedo_factor=None",
                 {"blob": "Blob", "media_type": "MediaType", "albedo_factor": "AlbedoFactor"}, required=("blob",),
                 prepare=_asset("Asset3D"))
AssetVideo = define("AssetVideo", "*, path=None, contents=None, media_type=None",
                    {"blob": "Blob", "media_type": "MediaType"}, required=("blob",), prepare=_asset("AssetVideo"))


def _read_frame_timestamps_nanos(self: Any) -> np.ndarray:
    """Presentation time (ns) of every frame of the MP4 video, ascending from 0 (as Rerun reads them)."""
    from ..io.mp4 import Mp4Error, frame_timestamps_ns

    blob = self.components.get("blob")
    if blob is None or not len(blob):
        raise ValidationError("AssetVideo", "blob", "no video data was recorded")
    media = self.components.get("media_type")
    media_type = media[0].as_py() if media is not None and len(media) else None
    if media_type not in (None, "video/mp4"):
        raise ValidationError("AssetVideo", "media_type", f"frame times can be read from MP4 only, not {media_type}")
    try:
        return frame_timestamps_ns(blob.values.to_numpy(zero_copy_only=False)[: len(blob[0])])
    except Mp4Error as e:
        raise ValidationError("AssetVideo", "blob", str(e)) from None


AssetVideo.read_frame_timestamps_nanos = _read_frame_timestamps_nanos  # type: ignore[attr-defined]
AssetAudio = define("AssetAudio", "*, path=None, contents=None, media_type=None",
                    {"blob": "Blob", "media_type": "MediaType"}, required=("blob",), prepare=_asset("AssetAudio"))

_CHANNEL_DATATYPES = {"uint8": 6, "int8": 7, "uint16": 8, "int16": 9, "uint32": 10, "int32": 11, "uint64": 12,
                      "int64": 13, "float16": 33, "float32": 34, "float64": 35}


def _image_buffer(image: Any, archetype: str, field: str, color: bool) -> tuple[np.ndarray, dict[str, Any]]:
    """(raw bytes, ImageFormat) of an (H, W[, C]) array, as Rerun stores image buffers."""
    try:
        arr = np.ascontiguousarray(np.asarray(image))
    except (TypeError, ValueError) as e:
        raise ValidationError(archetype, field, f"expected an image array: {e}") from None
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.dtype.name not in _CHANNEL_DATATYPES or arr.ndim not in (2, 3) or (arr.ndim == 3 and not color):
        raise ValidationError(archetype, field, f"expected an (H, W) numeric image, got {arr.dtype} {arr.shape}")
    if arr.ndim == 3 and arr.shape[2] not in (3, 4):
        raise ValidationError(archetype, field, f"expected 1, 3 or 4 channels, got {arr.shape[2]}")
    model = None if not color else {2: 1, 3: 2, 4: 3}[arr.ndim if arr.ndim == 2 else arr.shape[2]]
    fmt = {"width": arr.shape[1], "height": arr.shape[0], "pixel_format": None, "color_model": model,
           "channel_datatype": _CHANNEL_DATATYPES[arr.dtype.name]}
    return arr.reshape(-1).view(np.uint8), fmt


def _depth_image(a: dict[str, Any]) -> dict[str, Any]:
    a["buffer"], a["format"] = _image_buffer(a.pop("image"), "DepthImage", "image", False)
    return a


DepthImage = define(
    "DepthImage",
    "image, *, meter=None, colormap=None, depth_range=None, point_fill_ratio=None, draw_order=None, "
    "magnification_filter=None",
    {"buffer": "ImageBuffer", "format": "ImageFormat", "meter": "DepthMeter", "colormap": "Colormap",
     "depth_range": "ValueRange", "point_fill_ratio": "FillRatio", "draw_order": "DrawOrder",
     "magnification_filter": "MagnificationFilter"},
    required=("buffer", "format"), prepare=_depth_image)

EncodedDepthImage = define(
    "EncodedDepthImage",
    "blob, *, media_type=None, meter=None, colormap=None, depth_range=None, point_fill_ratio=None, draw_order=None, "
    "magnification_filter=None",
    {"blob": "Blob", "media_type": "MediaType", "meter": "DepthMeter", "colormap": "Colormap",
     "depth_range": "ValueRange", "point_fill_ratio": "FillRatio", "draw_order": "DrawOrder",
     "magnification_filter": "MagnificationFilter"}, required=("blob",))

GridMap = define(
    "GridMap",
    "*, data, format, cell_size, translation=None, rotation_axis_angle=None, quaternion=None, opacity=None, "
    "draw_order=None, colormap=None",
    {"data": "ImageBuffer", "format": "ImageFormat", "cell_size": "CellSize", "translation": "Translation3D",
     "rotation_axis_angle": "RotationAxisAngle", "quaternion": "RotationQuat", "opacity": "Opacity",
     "draw_order": "DrawOrder", "colormap": "Colormap"}, required=("data", "format", "cell_size"))


def _tensor(a: dict[str, Any]) -> dict[str, Any]:
    data, names = a.pop("data"), a.pop("dim_names")
    if data is None:
        raise ValidationError("Tensor", "data", "is required")
    a["data"] = tensor_data(data, names, ("Tensor", "data"))
    return a


Tensor = define("Tensor", "data=None, *, dim_names=None, value_range=None",
                {"data": "TensorData", "value_range": "ValueRange"}, required=("data",), prepare=_tensor)


def _bar_chart(a: dict[str, Any]) -> dict[str, Any]:
    values = a["values"]
    a["values"] = tensor_data(values, None, ("BarChart", "values"))
    if a["abscissa"] is not None:
        a["abscissa"] = tensor_data(a["abscissa"], None, ("BarChart", "abscissa"))
    return a


BarChart = define("BarChart", "values, *, color=None, abscissa=None, widths=None",
                  {"values": "TensorData", "color": "Color", "abscissa": "TensorData", "widths": "Length"},
                  required=("values",), prepare=_bar_chart)

Volume3D = define(
    "Volume3D",
    "values, *, voxel_size=None, translation=None, quaternion=None, value_range=None, gamma=None, colormap=None, "
    "optical_density=None",
    {"values": "TensorData", "voxel_size": "VoxelSize", "translation": "Translation3D", "quaternion": "RotationQuat",
     "value_range": "ValueRange", "gamma": "GammaCorrection", "colormap": "Colormap",
     "optical_density": "OpticalDensity"}, required=("values",))

VoxelGridMap = define(
    "VoxelGridMap",
    "voxel_indices, voxel_size, *, values=None, colors=None, translation=None, rotation_axis_angle=None, "
    "quaternion=None, opacity=None, value_range=None, colormap=None",
    {"voxel_indices": "VoxelIndex", "voxel_size": "VoxelSize", "values": "VoxelValue", "colors": "Color",
     "translation": "Translation3D", "rotation_axis_angle": "RotationAxisAngle", "quaternion": "RotationQuat",
     "opacity": "Opacity", "value_range": "ValueRange", "colormap": "Colormap"},
    required=("voxel_indices", "voxel_size"))

# -- video -----------------------------------------------------------------------------------------


def _video_frame_reference(a: dict[str, Any]) -> dict[str, Any]:
    seconds, nanos = a.pop("seconds"), a.pop("nanoseconds")
    given = [x is not None for x in (a["timestamp"], seconds, nanos)]
    if sum(given) != 1:
        raise ValidationError("VideoFrameReference", "timestamp", "give exactly one of timestamp=, seconds= or nanoseconds=")
    if seconds is not None:
        a["timestamp"] = int(round(float(seconds) * 1e9))
    elif nanos is not None:
        a["timestamp"] = int(nanos)
    return a


VideoFrameReference = define(
    "VideoFrameReference",
    "timestamp=None, *, seconds=None, nanoseconds=None, video_reference=None, opacity=None, draw_order=None",
    {"timestamp": "VideoTimestamp", "video_reference": "EntityPath", "opacity": "Opacity", "draw_order": "DrawOrder"},
    required=("timestamp",), prepare=_video_frame_reference)



def _frame_columns(scale: float) -> Any:
    def columns(cls: Any, times: Any) -> Any:
        """One VideoFrameReference per frame time, as columns for `rr.send_columns`. Times are
        cast to whole units before scaling, as rerun-sdk 0.41 does (0.5 s gives 0 ns there too)."""
        nanos = np.asarray(times).reshape(-1).astype(np.int64) * np.int64(scale)
        return cls.columns(timestamp=nanos)

    return classmethod(columns)


VideoFrameReference.columns_nanos = _frame_columns(1.0)  # type: ignore[attr-defined]
VideoFrameReference.columns_millis = _frame_columns(1e6)  # type: ignore[attr-defined]
VideoFrameReference.columns_secs = _frame_columns(1e9)  # type: ignore[attr-defined]

VideoStream = define(
    "VideoStream", "codec, *, sample=None, is_keyframe=None, opacity=None, draw_order=None",
    {"codec": "VideoCodec", "sample": "VideoSample", "is_keyframe": "IsKeyframe", "opacity": "Opacity",
     "draw_order": "DrawOrder"}, required=("codec",))

# -- text, plots, graphs, maps ---------------------------------------------------------------------

TextLog = define("TextLog", "text, *, level=None, color=None",
                 {"text": "Text", "level": "TextLogLevel", "color": "Color"}, required=("text",))
TextDocument = define("TextDocument", "text, *, media_type=None", {"text": "Text", "media_type": "MediaType"},
                      required=("text",))
Scalars = define("Scalars", "scalars", {"scalars": "Scalar"}, required=("scalars",))
SeriesLines = define(
    "SeriesLines",
    "*, colors=None, widths=None, names=None, visible_series=None, aggregation_policy=None, interpolation_mode=None",
    {"colors": "Color", "widths": "StrokeWidth", "names": "Name", "visible_series": "Visible",
     "aggregation_policy": "AggregationPolicy", "interpolation_mode": "InterpolationMode"})
SeriesPoints = define(
    "SeriesPoints", "*, colors=None, markers=None, names=None, visible_series=None, marker_sizes=None",
    {"colors": "Color", "markers": "MarkerShape", "names": "Name", "visible_series": "Visible",
     "marker_sizes": "MarkerSize"})
Measurements = define(
    "Measurements",
    "values, *, variances=None, units=None, colors=None, widths=None, names=None, visible_series=None, "
    "aggregation_policy=None, interpolation_mode=None",
    {"values": "Scalar", "variances": "Variance", "units": "Unit", "colors": "Color", "widths": "StrokeWidth",
     "names": "Name", "visible_series": "Visible", "aggregation_policy": "AggregationPolicy",
     "interpolation_mode": "InterpolationMode"}, required=("values",))
StateChange = define("StateChange", "*, state=None", {"state": "Text"})
StateConfiguration = define("StateConfiguration", "*, values=None, labels=None, colors=None, visible=None",
                            {"values": "Text", "labels": "Text", "colors": "Color", "visible": "Visible"})
BarChart.__doc__ = "A bar chart of a 1-D tensor (recorded, see generic.py)."

GraphNodes = define(
    "GraphNodes", "node_ids, *, positions=None, colors=None, labels=None, show_labels=None, radii=None",
    {"node_ids": "GraphNode", "positions": "Position2D", "colors": "Color", "labels": "Text",
     "show_labels": "ShowLabels", "radii": "Radius"}, required=("node_ids",))
GraphEdges = define("GraphEdges", "edges, *, graph_type=None", {"edges": "GraphEdge", "graph_type": "GraphType"},
                    required=("edges",))


def _geo_points(a: dict[str, Any]) -> dict[str, Any]:
    a["positions"] = a.pop("lat_lon")
    return a


def _geo_lines(a: dict[str, Any]) -> dict[str, Any]:
    a["line_strings"] = a.pop("lat_lon")
    return a


GeoPoints = define("GeoPoints", "*, lat_lon, radii=None, colors=None, class_ids=None",
                   {"positions": "LatLon", "radii": "Radius", "colors": "Color", "class_ids": "ClassId"},
                   required=("positions",), prepare=_geo_points)
GeoLineStrings = define("GeoLineStrings", "*, lat_lon, radii=None, colors=None",
                        {"line_strings": "GeoLineString", "radii": "Radius", "colors": "Color"},
                        required=("line_strings",), prepare=_geo_lines)

# -- recording structure and MCAP metadata ---------------------------------------------------------


def _clear(a: dict[str, Any]) -> dict[str, Any]:
    return {"is_recursive": bool(a["recursive"])}


Clear = define("Clear", "*, recursive", {"is_recursive": "ClearIsRecursive"}, required=("is_recursive",),
               prepare=_clear, drawn=True,  # not drawn itself, but honoured: the store applies it (store/clears.py)
               doc="Clears an entity (and with recursive=True its children) from this time on.")
Clear.flat = classmethod(lambda cls: cls(recursive=False))  # type: ignore[attr-defined]
Clear.recursive = classmethod(lambda cls: cls(recursive=True))  # type: ignore[attr-defined]

RecordingInfo = define("RecordingInfo", "*, start_time=None, name=None", {"start_time": "Timestamp", "name": "Name"})
McapChannel = define("McapChannel", "*, id, topic, message_encoding, metadata=None",
                     {"id": "ChannelId", "topic": "Text", "message_encoding": "Text", "metadata": "KeyValuePairs"},
                     required=("id", "topic", "message_encoding"))
McapMessage = define("McapMessage", "data", {"data": "Blob"}, required=("data",))
McapSchema = define("McapSchema", "*, id, name, encoding, data",
                    {"id": "SchemaId", "name": "Text", "encoding": "Text", "data": "Blob"},
                    required=("id", "name", "encoding", "data"))
_COUNTS = ("message_count", "schema_count", "channel_count", "attachment_count", "metadata_count", "chunk_count")
McapStatistics = define(
    "McapStatistics", ", ".join(("*",) + _COUNTS + ("message_start_time", "message_end_time",
                                                    "channel_message_counts=None")),
    {**{c: "Count" for c in _COUNTS}, "message_start_time": "Timestamp", "message_end_time": "Timestamp",
     "channel_message_counts": "ChannelMessageCounts"},
    required=(*_COUNTS, "message_start_time", "message_end_time"))
