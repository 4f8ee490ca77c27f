"""Rerun's component and datatype names and their exact Arrow types (rerun-sdk 0.41).

Why a table: annoview records every Rerun archetype as the same Arrow columns Rerun writes, so a
recording converts to `.rrd` by relabelling and the Rerun viewer shows it. The table is data only
(no conversion logic); `convert.py` turns Python input into arrays of these types and
`tests/test_types_components.py` checks every entry against rerun-sdk when it is installed.

Inner fields are non-nullable exactly where Rerun's are; the per-row list around a cell is not part
of these types (a column is `list<T>`).
"""
from __future__ import annotations

import pyarrow as pa


def _nn(t: pa.DataType, name: str = "item") -> pa.Field:
    return pa.field(name, t, nullable=False)


def fsl(t: pa.DataType, n: int) -> pa.DataType:
    """fixed_size_list<item: t not null>[n]."""
    return pa.list_(_nn(t), n)


def nn_list(t: pa.DataType) -> pa.DataType:
    """list<item: t not null>."""
    return pa.list_(_nn(t))


def _struct(*fields: tuple[str, pa.DataType, bool]) -> pa.DataType:
    return pa.struct([pa.field(n, t, nullable=nullable) for n, t, nullable in fields])


F16, F32, F64 = pa.float16(), pa.float32(), pa.float64()
U8, U16, U32, U64, I32, I64 = pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64(), pa.int32(), pa.int64()
BOOL, UTF8 = pa.bool_(), pa.utf8()

_ANNOTATION_INFO = _struct(("id", U16, False), ("label", UTF8, True), ("color", U32, True))
_KEYPOINT_PAIR = _struct(("keypoint0", U16, False), ("keypoint1", U16, False))
_CLASS_DESCRIPTION = _struct(("info", _ANNOTATION_INFO, False),
                             ("keypoint_annotations", nn_list(_ANNOTATION_INFO), False),
                             ("keypoint_connections", nn_list(_KEYPOINT_PAIR), False))
_TENSOR_BUFFER = pa.dense_union(
    [pa.field("_null_markers", pa.null())]
    + [_nn(nn_list(t), name) for name, t in (("U8", U8), ("U16", U16), ("U32", U32), ("U64", U64), ("I8", pa.int8()),
                                              ("I16", pa.int16()), ("I32", I32), ("I64", I64), ("F16", F16),
                                              ("F32", F32), ("F64", F64))],
    type_codes=list(range(12)))
_TIME_RANGE_BOUNDARY = pa.dense_union(
    [pa.field("_null_markers", pa.null()), _nn(I64, "CursorRelative"), _nn(I64, "Absolute"),
     pa.field("Infinite", pa.null())], type_codes=[0, 1, 2, 3])
_TIME_RANGE = _struct(("start", _TIME_RANGE_BOUNDARY, True), ("end", _TIME_RANGE_BOUNDARY, True))
_UTF8_PAIR = _struct(("first", UTF8, False), ("second", UTF8, False))
_CHANNEL_COUNT_PAIR = _struct(("channel_id", U16, False), ("message_count", U64, False))

# Datatype name (rerun.datatypes / rerun.encodings) -> Arrow type of one instance.
DATATYPES: dict[str, pa.DataType] = {
    "AbsoluteTimeRange": _struct(("min", I64, False), ("max", I64, False)),
    "Angle": F32,
    "AnnotationInfo": _ANNOTATION_INFO,
    "Blob": nn_list(U8),
    "Bool": BOOL,
    "ChannelCountPair": _CHANNEL_COUNT_PAIR,
    "ChannelDatatype": U8,
    "ClassDescription": _CLASS_DESCRIPTION,
    "ClassDescriptionMapElem": _struct(("class_id", U16, False), ("class_description", _CLASS_DESCRIPTION, False)),
    "ClassId": U16,
    "ColorModel": U8,
    "DVec2D": fsl(F64, 2),
    "EntityPath": UTF8,
    "Float32": F32,
    "Float64": F64,
    "IVec3D": fsl(I32, 3),
    "ImageFormat": _struct(("width", U32, False), ("height", U32, False), ("pixel_format", U8, True),
                           ("color_model", U8, True), ("channel_datatype", U8, True)),
    "KeypointId": U16,
    "KeypointPair": _KEYPOINT_PAIR,
    "Mat3x3": fsl(F32, 9),
    "Mat4x4": fsl(F32, 16),
    "PixelFormat": U8,
    "Plane3D": fsl(F32, 4),
    "Quaternion": fsl(F32, 4),
    "Range1D": fsl(F64, 2),
    "Range2D": _struct(("x_range", fsl(F64, 2), False), ("y_range", fsl(F64, 2), False)),
    "Rgba32": U32,
    "RotationAxisAngle": _struct(("axis", fsl(F32, 3), False), ("angle", F32, False)),
    "SphericalHarmonics3Rgb": pa.list_(_nn(fsl(F16, 3)), 15),
    "TensorBuffer": _TENSOR_BUFFER,
    "TensorData": _struct(("shape", nn_list(U64), False), ("names", nn_list(UTF8), True), ("buffer", _TENSOR_BUFFER, True)),
    "TensorDimensionIndexSelection": _struct(("dimension", U32, False), ("index", U64, False)),
    "TensorDimensionSelection": _struct(("dimension", U32, False), ("invert", BOOL, False)),
    "TimeInt": I64,
    "TimeRange": _TIME_RANGE,
    "TimeRangeBoundary": _TIME_RANGE_BOUNDARY,
    "UInt16": U16,
    "UInt32": U32,
    "UInt64": U64,
    "UVec2D": fsl(U32, 2),
    "UVec3D": fsl(U32, 3),
    "UVec4D": fsl(U32, 4),
    "Utf8": UTF8,
    "Utf8Pair": _UTF8_PAIR,
    "Uuid": fsl(U8, 16),
    "Vec2D": fsl(F32, 2),
    "Vec3D": fsl(F32, 3),
    "Vec4D": fsl(F32, 4),
    "VideoTimestamp": I64,
    "ViewCoordinates": fsl(U8, 3),
    "ViewDir": U8,
    "VisibleTimeRange": _struct(("timeline", UTF8, False), ("range", _TIME_RANGE, False)),
}

# Component name (rerun.components) -> the datatype it wraps.
COMPONENTS: dict[str, str] = {
    "AlbedoFactor": "Rgba32", "AxisLength": "Float32", "Blob": "Blob", "Bool": "Bool", "CellSize": "Float32",
    "ChannelId": "UInt16", "ClassId": "ClassId", "ClearIsRecursive": "Bool", "Color": "Rgba32", "Count": "UInt64",
    "DepthMeter": "Float32", "DrawOrder": "Float32", "EntityPath": "EntityPath", "FillRatio": "Float32",
    "Flag": "Bool", "GammaCorrection": "Float32", "GraphEdge": "Utf8Pair", "GraphNode": "Utf8",
    "HalfSize2D": "Vec2D", "HalfSize3D": "Vec3D", "ImageBuffer": "Blob", "ImageFormat": "ImageFormat",
    "ImagePlaneDistance": "Float32", "Interactive": "Bool", "IsKeyframe": "Bool", "KeypointId": "KeypointId",
    "LatLon": "DVec2D", "Length": "Float32", "LinearSpeed": "Float64", "MarkerSize": "Float32",
    "MediaType": "Utf8", "Name": "Utf8", "Opacity": "Float32", "OpticalDensity": "Float32",
    "PinholeProjection": "Mat3x3", "Plane3D": "Plane3D", "Position2D": "Vec2D", "Position3D": "Vec3D",
    "Radius": "Float32", "Range1D": "Range1D", "Resolution": "Vec2D", "RotationAxisAngle": "RotationAxisAngle",
    "RotationQuat": "Quaternion", "Scalar": "Float64", "Scale3D": "Vec3D", "SchemaId": "UInt16",
    "ShowLabels": "Bool", "SphericalHarmonics3Rgb": "SphericalHarmonics3Rgb", "SphericalHarmonicsDegree": "UInt32",
    "StrokeWidth": "Float32", "TensorData": "TensorData",
    "TensorDimensionIndexSelection": "TensorDimensionIndexSelection",
    "TensorHeightDimension": "TensorDimensionSelection", "TensorWidthDimension": "TensorDimensionSelection",
    "Texcoord2D": "Vec2D", "Text": "Utf8", "TextLogLevel": "Utf8", "Thumbnail": "Blob", "Timestamp": "TimeInt",
    "TransformFrameId": "Utf8", "TransformMat3x3": "Mat3x3", "Translation3D": "Vec3D", "TriangleIndices": "UVec3D",
    "Unit": "Utf8", "Url": "Utf8", "ValueRange": "Range1D", "Variance": "Float64", "Vector2D": "Vec2D",
    "Vector3D": "Vec3D", "VideoSample": "Blob", "VideoTimestamp": "VideoTimestamp",
    "ViewCoordinates": "ViewCoordinates", "Visible": "Bool", "VoxelIndex": "IVec3D", "VoxelSize": "Vec3D",
    "VoxelValue": "Float32",
    # components with their own (non-datatype) layout, listed in COMPONENT_TYPES below
    "AnnotationContext": "", "ChannelMessageCounts": "", "GeoLineString": "", "KeyValuePairs": "",
    "LineStrip2D": "", "LineStrip3D": "",
    # enums (values in ENUMS)
    "AggregationPolicy": "", "Colormap": "", "EntryKind": "", "FillMode": "", "GraphType": "",
    "InterpolationMode": "", "MagnificationFilter": "", "MarkerShape": "", "MeshFaceRendering": "",
    "PointShading": "", "TransformRelation": "", "VideoCodec": "",
}

# Enum name -> variants (name, value) in Rerun's order. Component and datatype enums alike.
ENUMS: dict[str, list[tuple[str, int]]] = {
    "AggregationPolicy": [("Off", 1), ("Average", 2), ("Max", 3), ("Min", 4), ("MinMax", 5), ("MinMaxAverage", 6)],
    "Colormap": [("Grayscale", 1), ("Inferno", 2), ("Magma", 3), ("Plasma", 4), ("Turbo", 5), ("Viridis", 6),
                 ("CyanToYellow", 7), ("Spectral", 8), ("Twilight", 9), ("RvizMap", 10), ("RvizCostmap", 11),
                 ("Costmap", 12)],
    "EntryKind": [("Dataset", 1), ("DatasetView", 2), ("Table", 3), ("TableView", 4), ("BlueprintDataset", 5),
                  ("AssetDataset", 6)],
    "FillMode": [("MajorWireframe", 1), ("DenseWireframe", 2), ("Solid", 3), ("TransparentFillMajorWireframe", 4)],
    "GraphType": [("Undirected", 1), ("Directed", 2)],
    "InterpolationMode": [("Linear", 1), ("StepAfter", 2), ("StepBefore", 3), ("StepMid", 4)],
    "MagnificationFilter": [("Nearest", 1), ("Linear", 2), ("Bicubic", 3)],
    "MarkerShape": [("Circle", 1), ("Diamond", 2), ("Square", 3), ("Cross", 4), ("Plus", 5), ("Up", 6), ("Down", 7),
                    ("Left", 8), ("Right", 9), ("Asterisk", 10)],
    "MeshFaceRendering": [("DoubleSided", 1), ("Front", 2), ("Back", 3)],
    "PointShading": [("Gradient", 1), ("Flat", 2)],
    "TransformRelation": [("ParentFromChild", 1), ("ChildFromParent", 2)],
    "VideoCodec": [("AV1", 0x61763031), ("H264", 0x61766331), ("H265", 0x68657631), ("VP8", 0x76703038),
                   ("VP9", 0x76703039)],
    "ViewDir": [("Up", 1), ("Down", 2), ("Right", 3), ("Left", 4), ("Forward", 5), ("Back", 6)],
    "ChannelDatatype": [("U8", 6), ("I8", 7), ("U16", 8), ("I16", 9), ("U32", 10), ("I32", 11), ("U64", 12),
                        ("I64", 13), ("F16", 33), ("F32", 34), ("F64", 35)],
    "ColorModel": [("L", 1), ("RGB", 2), ("RGBA", 3), ("BGR", 4), ("BGRA", 5)],
    "PixelFormat": [("Y_U_V12_LimitedRange", 20), ("NV12", 26), ("YUY2", 27), ("Y8_FullRange", 30),
                    ("Y_U_V24_LimitedRange", 39), ("Y_U_V24_FullRange", 40), ("Y8_LimitedRange", 41),
                    ("Y_U_V12_FullRange", 44), ("Y_U_V16_LimitedRange", 49), ("Y_U_V16_FullRange", 50),
                    ("BayerRGGB8", 128), ("BayerBGGR8", 129), ("BayerGBRG8", 130), ("BayerGRBG8", 131)],
}
# Datatype enums owned by the image layer: their Python classes live there, their values here.
DATATYPE_ENUMS = ("ChannelDatatype", "ColorModel", "PixelFormat", "ViewDir")


def component_arrow_type(component: str) -> pa.DataType:
    """The Arrow type of one instance of a Rerun component."""
    own = COMPONENT_TYPES.get(component)
    if own is not None:
        return own
    dt = COMPONENTS[component]
    return DATATYPES[dt] if dt else U32 if component == "VideoCodec" else U8


COMPONENT_TYPES: dict[str, pa.DataType] = {
    "AnnotationContext": nn_list(DATATYPES["ClassDescriptionMapElem"]),
    "ChannelMessageCounts": nn_list(_CHANNEL_COUNT_PAIR),
    "GeoLineString": nn_list(fsl(F64, 2)),
    "KeyValuePairs": nn_list(_UTF8_PAIR),
    "LineStrip2D": nn_list(fsl(F32, 2)),
    "LineStrip3D": nn_list(fsl(F32, 3)),
}
