"""`rr.components`: Rerun's components, their batches and enums, generated from tables.

A component class subclasses the datatype it wraps (types/rerun_schema.py COMPONENTS) with
Rerun's constructor; `XxxBatch(data)` converts any accepted input to Rerun's exact Arrow type.
Enums (FillMode, TransformRelation, ...) are Python enums with Rerun's values whose members and
names (any case) are accepted wherever the component is.
"""
from typing import Any as _Any

import numpy as np

from . import datatypes as _dt
from .types.batches import ComponentMixin as _ComponentMixin
from .types.pytypes import COMPONENT_CLASSES as _COMPONENT_CLASSES
from .types.pytypes import DATATYPE_CLASSES as _DATATYPE_CLASSES
from .types.pytypes import Datatype as _Datatype
from .types.pytypes import make_batch_class, make_enum, make_value_class
from .types.rerun_schema import COMPONENTS as _COMPONENTS
from .types.rerun_schema import ENUMS as _ENUMS

_g = globals()
for _name, _datatype in _COMPONENTS.items():
    if _name in _ENUMS:
        _g[_name] = make_enum(_name, __name__)
    else:
        _base = getattr(_dt, _datatype, _Datatype) if _datatype else _Datatype
        _params, _native = _COMPONENT_CLASSES.get(_name) or _DATATYPE_CLASSES.get(_datatype, ("value", None))
        _g[_name] = make_value_class(_name, _params, _name, _native, base=_base, module=__name__)
        if _ComponentMixin not in _g[_name].__mro__:
            _g[_name].__bases__ = (*_g[_name].__bases__, _ComponentMixin)
    _g[f"{_name}Batch"] = make_batch_class(_name, _name, __name__)
    if not _datatype:  # Rerun exports input aliases only for components with their own layout
        _g[f"{_name}Like"] = _Any
        _g[f"{_name}ArrayLike"] = _Any


def _ui_points(radii: _Any) -> _Any:
    """Radii in UI points instead of scene units (Rerun stores them negated)."""
    return -np.abs(np.asarray(radii, dtype=np.float32))


_g["Radius"].ui_points = staticmethod(_ui_points)

for _level in ("CRITICAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"):
    setattr(_g["TextLogLevel"], _level, _level)
for _const, _value in {"TEXT": "text/plain", "MARKDOWN": "text/markdown", "JPEG": "image/jpeg", "PNG": "image/png",
                       "GLB": "model/gltf-binary", "GLTF": "model/gltf+json", "OBJ": "model/obj",
                       "PLY": "application/x-ply", "STL": "model/stl", "RVL": "application/rvl", "MP4": "video/mp4",
                       "AAC": "audio/aac", "FLAC": "audio/flac", "M4A": "audio/mp4", "MP3": "audio/mpeg",
                       "OGG": "audio/ogg", "WAV": "audio/wav"}.items():
    setattr(_g["MediaType"], _const, _value)

# Axis conventions: ViewCoordinates.RDF etc. (X, Y, Z directions) and the named handedness presets.
_DIRS = "UDRLFB"
_PRESETS = {"RIGHT_HAND_X_UP": "URF", "RIGHT_HAND_X_DOWN": "DRB", "RIGHT_HAND_Y_UP": "RUB", "RIGHT_HAND_Y_DOWN": "RDF",
            "RIGHT_HAND_Z_UP": "RFU", "RIGHT_HAND_Z_DOWN": "RBD", "LEFT_HAND_X_UP": "URB", "LEFT_HAND_X_DOWN": "DRF",
            "LEFT_HAND_Y_UP": "RUF", "LEFT_HAND_Y_DOWN": "RDB", "LEFT_HAND_Z_UP": "RBU", "LEFT_HAND_Z_DOWN": "RFD"}


def view_coordinate_names() -> dict[str, str]:
    """Every ViewCoordinates constant name -> its three direction letters (one per axis group)."""
    groups = {c: g for g in ("UD", "RL", "FB") for c in g}
    out = {a + b + c: a + b + c for a in _DIRS for b in _DIRS for c in _DIRS
           if len({groups[a], groups[b], groups[c]}) == 3}
    out.update(_PRESETS)
    return out


for _const, _letters in view_coordinate_names().items():
    setattr(_g["ViewCoordinates"], _const, _g["ViewCoordinates"](_letters))

__all__ = sorted(n for n in _g if n[:1].isupper())
del _g, _name, _datatype, _level, _const, _value, _letters, _base, _params, _native
