"""Archetypes, annotation types and component kinds."""
from .annotation import AnnotationContext, AnnotationInfo, ClassDescription
from .archetypes import (Archetype, Box2DFormat, Boxes2D, Image, LineStrips2D, LineStrips3D, Points2D, Points3D,
                         SegmentationImage)
from .batches import ComponentDescriptor
from .columns import ComponentColumn, ComponentColumnList

__all__ = [
    "AnnotationContext", "AnnotationInfo", "ClassDescription", "Archetype", "Box2DFormat", "Boxes2D", "Image",
    "LineStrips2D", "LineStrips3D", "Points2D", "Points3D", "SegmentationImage",
    "ComponentColumn", "ComponentColumnList", "ComponentDescriptor",
]
