"""`rr.datatypes` (Rerun's newer name: `rr.encodings`): Rerun's datatypes and their batches.

Every class is generated from the tables in types/pytypes.py and types/rerun_schema.py: it takes
Rerun's constructor arguments, and its `XxxBatch` converts any accepted input into Rerun's exact
Arrow type. `XxxLike` / `XxxArrayLike` are the input-type aliases Rerun exports for annotations.
ChannelDatatype, ColorModel and PixelFormat are the image layer's enums (types/image_format.py).
"""
from typing import Any as _Any

from .types.annotation import AnnotationInfo, ClassDescription
from .types.pytypes import DATATYPE_CLASSES as _DATATYPE_CLASSES
from .types.pytypes import VALUE_EXTRAS as _VALUE_EXTRAS
from .types.pytypes import make_batch_class, make_enum, make_value_class

_g = globals()
for _name, (_params, _native) in _DATATYPE_CLASSES.items():
    _g[_name] = make_value_class(_name, _params, _name, _native, module=__name__, extra=_VALUE_EXTRAS.get(_name))
for _name in ("ViewDir",):
    _g[_name] = make_enum(_name, __name__)
ClassDescriptionMapElem = ClassDescription


class KeypointPair(tuple):
    """A skeleton edge between two keypoint ids (a plain pair, as annotation contexts take it)."""

    def __new__(cls, keypoint0: _Any, keypoint1: _Any) -> "KeypointPair":
        return super().__new__(cls, (int(keypoint0), int(keypoint1)))

    @property
    def keypoint0(self) -> int:
        return self[0]

    @property
    def keypoint1(self) -> int:
        return self[1]


for _name in [*_DATATYPE_CLASSES, "ViewDir", "AnnotationInfo", "ClassDescription", "ClassDescriptionMapElem", "KeypointPair"]:
    _g[f"{_name}Batch"] = make_batch_class(_name, _name, __name__)
    _g[f"{_name}Like"] = _Any
    _g[f"{_name}ArrayLike"] = _Any

from .types.image_format import ChannelDatatype, ColorModel, PixelFormat  # noqa: E402

for _name in ("ChannelDatatype", "ColorModel", "PixelFormat"):
    _g[f"{_name}Batch"] = make_batch_class(_name, _name, __name__)
    _g[f"{_name}Like"] = _Any
    _g[f"{_name}ArrayLike"] = _Any

__all__ = sorted(n for n in _g if n[:1].isupper())
del _g, _name, _params, _native
