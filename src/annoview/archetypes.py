"""`rr.archetypes`: every Rerun archetype annoview accepts.

annoview's own archetypes (Points2D/3D, Boxes2D, LineStrips2D/3D, SegmentationImage, Image,
EncodedImage, AnnotationContext) are drawn; the rest are defined by table (types/rerun_archetypes.py), recorded
as Rerun's components and listed by `annoview info`.
"""
from .types import rerun_archetypes as _defined  # noqa: F401  (registers the table)
from .types.annotation import AnnotationContext
from .types.archetypes import Boxes2D, LineStrips2D, LineStrips3D, Points2D, Points3D
from .types.images import EncodedImage, Image, SegmentationImage
from .types.generic import REGISTRY as _REGISTRY

globals().update(_REGISTRY)

__all__ = sorted({"AnnotationContext", "Boxes2D", "Image", "EncodedImage", "LineStrips2D", "LineStrips3D", "Points2D",
                  "Points3D", "SegmentationImage", *_REGISTRY})

from . import components as _components  # noqa: E402

# rr.ViewCoordinates.RDF, .RIGHT_HAND_Z_UP, ...: in Rerun these constants are loggable on their own
# and usable as values (Pinhole(camera_xyz=...)), also as rr.components.ViewCoordinates.RDF; here
# both names give the one-field archetype, which is both.
for _const, _letters in _components.view_coordinate_names().items():
    _value = _REGISTRY["ViewCoordinates"](_letters)
    setattr(_REGISTRY["ViewCoordinates"], _const, _value)
    setattr(_components.ViewCoordinates, _const, _value)
del _const, _letters, _value
