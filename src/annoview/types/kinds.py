"""Storage kinds of component cells and their Arrow types (Rerun's layout: one list column per component, named Archetype:field)."""
from __future__ import annotations

import enum

import pyarrow as pa


class Kind(enum.Enum):
    VEC2 = "vec2"          # (n, 2) float32       -> list<fixed_size_list<float32>[2]>
    VEC3 = "vec3"          # (n, 3) float32       -> list<fixed_size_list<float32>[3]>
    F32 = "f32"            # (n,) float32         -> list<float32>
    ID = "id"              # (n,) uint16          -> list<uint16>
    U8 = "u8"              # (n,) uint8           -> list<uint8> (enums such as MagnificationFilter)
    COLOR = "color"        # (n,) uint32 0xRRGGBBAA -> list<uint32>
    BOOL = "bool"          # (n,) bool            -> list<bool>
    STR = "str"            # list[str]            -> list<utf8>
    STRIPS2 = "strips2"    # list[(m, 2) float32] -> list<list<fixed_size_list<float32>[2]>>
    STRIPS3 = "strips3"    # list[(m, 3) float32] -> list<list<fixed_size_list<float32>[3]>>
    BLOB = "blob"          # ndarray pixels       -> list<list<uint8>> (raw bytes)
    IMAGE_FORMAT = "image_format"  # [dict]       -> list<struct>
    CONTEXT = "context"    # [dict]               -> list<struct> (Rerun's AnnotationContext layout)
    ARROW = "arrow"        # pa.Array of Rerun's exact instance type -> list<that type> (generic components)


KEYPOINT_PAIR = pa.struct([("keypoint0", pa.uint16()), ("keypoint1", pa.uint16())])
ANNOTATION_INFO = pa.struct([("id", pa.uint16()), ("label", pa.utf8()), ("color", pa.uint32())])
CLASS_DESCRIPTION = pa.struct([
    ("info", ANNOTATION_INFO),
    ("keypoint_annotations", pa.list_(ANNOTATION_INFO)),
    ("keypoint_connections", pa.list_(KEYPOINT_PAIR)),
])
CLASS_DESCRIPTION_MAP_ELEM = pa.struct([("class_id", pa.uint16()), ("class_description", CLASS_DESCRIPTION)])
IMAGE_FORMAT = pa.struct([
    ("width", pa.uint32()), ("height", pa.uint32()), ("pixel_format", pa.uint8()),
    ("color_model", pa.uint8()), ("channel_datatype", pa.uint8()),
])

VALUE_TYPES: dict[Kind, pa.DataType] = {
    Kind.VEC2: pa.list_(pa.float32(), 2),
    Kind.VEC3: pa.list_(pa.float32(), 3),
    Kind.F32: pa.float32(),
    Kind.ID: pa.uint16(),
    Kind.U8: pa.uint8(),
    Kind.COLOR: pa.uint32(),
    Kind.BOOL: pa.bool_(),
    Kind.STR: pa.utf8(),
    Kind.STRIPS2: pa.list_(pa.list_(pa.float32(), 2)),
    Kind.STRIPS3: pa.list_(pa.list_(pa.float32(), 3)),
    Kind.BLOB: pa.list_(pa.uint8()),
    Kind.IMAGE_FORMAT: IMAGE_FORMAT,
    Kind.CONTEXT: CLASS_DESCRIPTION_MAP_ELEM,
}

# Rerun component type names, written as field metadata (rerun:component_type).
RERUN_COMPONENT_TYPES: dict[tuple[str, str], str] = {
    ("Points2D", "positions"): "rerun.components.Position2D",
    ("Points3D", "positions"): "rerun.components.Position3D",
    ("Boxes2D", "centers"): "rerun.components.Position2D",
    ("Boxes2D", "half_sizes"): "rerun.components.HalfSize2D",
    ("LineStrips2D", "strips"): "rerun.components.LineStrip2D",
    ("LineStrips3D", "strips"): "rerun.components.LineStrip3D",
    ("SegmentationImage", "buffer"): "rerun.components.ImageBuffer",
    ("SegmentationImage", "format"): "rerun.components.ImageFormat",
    ("Image", "buffer"): "rerun.components.ImageBuffer",
    ("Image", "format"): "rerun.components.ImageFormat",
    ("EncodedImage", "blob"): "rerun.components.Blob",
    ("EncodedImage", "media_type"): "rerun.components.MediaType",
    ("AnnotationContext", "context"): "rerun.components.AnnotationContext",
    ("Points3D", "point_shading"): "rerun.components.PointShading",
    ("Image", "magnification_filter"): "rerun.components.MagnificationFilter",
}
FIELD_COMPONENT_TYPES: dict[str, str] = {
    "radii": "rerun.components.Radius", "colors": "rerun.components.Color",
    "labels": "rerun.components.Text", "show_labels": "rerun.components.ShowLabels",
    "draw_order": "rerun.components.DrawOrder", "class_ids": "rerun.components.ClassId",
    "keypoint_ids": "rerun.components.KeypointId", "opacity": "rerun.components.Opacity",
    "magnification_filter": "rerun.components.MagnificationFilter",
    "point_shading": "rerun.components.PointShading",
}


def component_type(archetype: str, field: str) -> str:
    return RERUN_COMPONENT_TYPES.get((archetype, field)) or FIELD_COMPONENT_TYPES.get(field, f"annoview.{archetype}.{field}")


def register_component_type(archetype: str, field: str, rerun_component: str) -> None:
    """Record the Rerun component type of a generic archetype's field (see types/generic.py)."""
    RERUN_COMPONENT_TYPES[(archetype, field)] = f"rerun.components.{rerun_component}"
