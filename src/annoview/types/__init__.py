"""Archetypes, annotation types, image format enums and component kinds."""
from .annotation import AnnotationContext, AnnotationInfo, ClassDescription
from .archetypes import Archetype, Box2DFormat, Boxes2D, LineStrips2D, LineStrips3D, Points2D, Points3D
from .batches import ComponentDescriptor
from .columns import ComponentColumn, ComponentColumnList
from .image_format import ChannelDatatype, ColorModel, PixelFormat
from .images import EncodedImage, Image, SegmentationImage

__all__ = [
    "AnnotationContext", "AnnotationInfo", "ClassDescription", "Archetype", "Box2DFormat", "Boxes2D", "Image",
    "LineStrips2D", "LineStrips3D", "Points2D", "Points3D", "SegmentationImage", "EncodedImage", "ChannelDatatype",
    "ColorModel", "PixelFormat", "ComponentColumn", "ComponentColumnList", "ComponentDescriptor",
]
