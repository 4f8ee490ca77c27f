"""Python classes of Rerun's datatypes and components (rr.datatypes.*, rr.components.*), from tables.

Each class takes Rerun's constructor signature, keeps its arguments as attributes, and knows the
one instance it stands for (`_native()`, consumed by convert.to_arrow). Its `XxxBatch` holds an
Arrow array of the Rerun type. Component classes subclass the datatype they wrap (so
`isinstance(rr.components.Translation3D(...), rr.datatypes.Vec3D)` holds, as in Rerun).
"""
from __future__ import annotations

import enum
import math
from functools import lru_cache
from collections.abc import Callable
from typing import Any

import numpy as np

from .batches import ComponentBatchMixin, ComponentMixin
from .convert import Native, enum_value, radians_of, tensor_data
from .generic import Binder, signature
from .rerun_schema import ENUMS

NativeFn = Callable[[dict[str, Any]], Any]


class Datatype(Native):
    """Base of generated datatype/component value classes."""

    _DATATYPE: str = ""
    _SIG: Any = None
    _BINDER: Any = None
    _NATIVE: NativeFn | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._args = type(self)._BINDER.bind(type(self).__name__, args, kwargs)
        cls = type(self)
        for k, v in self._args.items():
            if not isinstance(getattr(cls, k, None), property):  # derived attributes (Angle.radians, ...)
                object.__setattr__(self, k, v)
        fn = type(self)._NATIVE
        self._value = fn(self._args) if fn is not None else next(iter(self._args.values()), None)
        if isinstance(self._value, Native):
            self._value = self._value._native()
        if fn is None and self._args:  # numeric values read back as numpy arrays, as in Rerun
            dtype = _numeric_dtype(self._DATATYPE)
            if dtype is not None:
                try:
                    arr = np.asarray(self._value, dtype)
                except (TypeError, ValueError):
                    arr = None
                if arr is not None:
                    name = next(iter(self._args))
                    object.__setattr__(self, name, arr)

    def _native(self) -> Any:
        return self._value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self._value, dtype=dtype)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(np.array_equal(np.asarray(self._value, dtype=object), np.asarray(other._value, dtype=object)))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._args.items() if v is not None)
        return f"{type(self).__name__}({args})"


@lru_cache(maxsize=None)
def _numeric_dtype(name: str) -> np.dtype | None:
    """numpy dtype of a fixed-size list of numbers datatype/component (Vec3D, Quaternion, ...)."""
    import pyarrow as pa

    from .rerun_schema import COMPONENTS, DATATYPES, component_arrow_type

    t = component_arrow_type(name) if name in COMPONENTS else DATATYPES.get(name)
    if t is not None and pa.types.is_fixed_size_list(t) and pa.types.is_primitive(t.value_type):
        return np.dtype(t.value_type.to_pandas_dtype())
    return None


def make_value_class(name: str, params: str, datatype: str, native: NativeFn | None = None,
                     base: type = Datatype, module: str = "annoview.datatypes", extra: dict[str, Any] | None = None) -> type:
    sig = signature(params)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        Datatype.__init__(self, *args, **kwargs)

    __init__.__signature__ = sig  # type: ignore[attr-defined]  (what inspect.signature reports)
    ns: dict[str, Any] = {"_DATATYPE": datatype, "_SIG": sig, "_BINDER": Binder(sig), "__init__": __init__,
                          "_NATIVE": staticmethod(native) if native else None,
                          "__module__": module, "__doc__": f"Rerun's {name} ({datatype} values)."}
    ns.update(extra or {})
    return type(name, (base,), ns)


def make_batch_class(name: str, component: str, module: str) -> type:
    return type(f"{name}Batch", (ComponentBatchMixin,), {"_COMPONENT": component, "__module__": module,
                                                         "__doc__": f"A batch of {name} values (Arrow array)."})


def make_enum(name: str, module: str) -> type:
    """Rerun enums: members with Rerun's integer values; `auto(x)` accepts names in any case."""
    cls = enum.Enum(name, ENUMS[name], module=module)  # type: ignore[misc]
    cls.auto = classmethod(lambda c, v: c(enum_value(name, v, (name, "value"))))  # type: ignore[attr-defined]
    cls.__str__ = lambda self: self.name  # type: ignore[method-assign]
    return cls


# -- natives of datatypes whose arguments are not the value itself ----------------------------------


def _angle(a: dict[str, Any]) -> float:
    return radians_of(a["rad"], a["deg"])


def _rotation_axis_angle(a: dict[str, Any]) -> dict[str, Any]:
    given = [x for x in (a["angle"], a["radians"], a["degrees"]) if x is not None]
    if len(given) != 1:
        raise ValueError("RotationAxisAngle needs exactly one of angle=, radians= or degrees=")
    if a["angle"] is not None:
        angle = a["angle"]._native() if isinstance(a["angle"], Native) else float(a["angle"])
    elif a["radians"] is not None:
        angle = float(a["radians"])
    else:
        angle = math.radians(float(a["degrees"]))
    return {"axis": np.asarray(a["axis"], np.float32).reshape(-1).tolist(), "angle": angle}


def _matrix(n: int) -> NativeFn:
    def native(a: dict[str, Any]) -> np.ndarray:
        if a["rows"] is not None and a["columns"] is not None:
            raise ValueError("give rows= or columns=, not both")
        if a["columns"] is not None:
            return np.asarray(a["columns"], np.float32).reshape(n, n).T.copy()
        return np.asarray(a["rows"] if a["rows"] is not None else np.eye(n), np.float32).reshape(n, n)

    return native


def _plane(a: dict[str, Any]) -> list[float]:
    normal = np.asarray(a["normal"], np.float32).reshape(-1)
    if a["distance"] is None:
        return normal.tolist() if normal.size == 4 else normal.tolist() + [0.0]
    return normal.tolist() + [float(a["distance"])]


def _time_int(a: dict[str, Any]) -> int:
    if a.get("seq") is not None:
        return int(a["seq"])
    if a.get("seconds") is not None:
        return int(round(float(a["seconds"]) * 1e9))
    return int(a.get("nanos") or a.get("nanoseconds") or 0)


def _tensor(a: dict[str, Any]) -> Any:
    array = a["array"]
    if array is None and a["buffer"] is not None:
        array = np.asarray(a["buffer"]._native() if isinstance(a["buffer"], Native) else a["buffer"])
        if a["shape"] is not None:
            array = array.reshape([int(s) for s in a["shape"]])
    return tensor_data(array, a["dim_names"], ("TensorData", "array"))


def _scale(a: dict[str, Any]) -> Any:
    v = a["uniform_or_per_axis"]
    if isinstance(v, bool) or v is None:
        v = 1.0
    return [float(v)] * 3 if np.ndim(v) == 0 else v


def _view_coordinates(a: dict[str, Any]) -> Any:
    return a["coordinates"]


def _image_format(a: dict[str, Any]) -> dict[str, Any]:
    def code(e: str, v: Any) -> int | None:
        return None if v is None else enum_value(e, v, ("ImageFormat", e))

    return {"width": int(a["width"]), "height": int(a["height"]),
            "pixel_format": None if a["pixel_format"] is None else int(getattr(a["pixel_format"], "value", a["pixel_format"])),
            "color_model": code("ColorModel", a["color_model"]),
            "channel_datatype": code("ChannelDatatype", a["channel_datatype"])}


def _pair(k0: str, k1: str) -> NativeFn:
    return lambda a: {k0: a[k0], k1: a[k1]}


# name -> (params, datatype stored, native builder or None for "the first argument")
DATATYPE_CLASSES: dict[str, tuple[str, NativeFn | None]] = {
    "AbsoluteTimeRange": ("min, max", _pair("min", "max")),
    "Angle": ("rad=None, deg=None", _angle),
    "Blob": ("data", None),
    "Bool": ("value", None),
    "ChannelCountPair": ("channel_id, message_count", _pair("channel_id", "message_count")),
    "ClassId": ("id", None),
    "DVec2D": ("xy", None),
    "EntityPath": ("path", None),
    "Float32": ("value", None),
    "Float64": ("value", None),
    "IVec3D": ("xyz", None),
    "ImageFormat": ("width, height, *, pixel_format=None, color_model=None, channel_datatype=None", _image_format),
    "KeypointId": ("id", None),
    "Mat3x3": ("rows=None, *, columns=None", _matrix(3)),
    "Mat4x4": ("rows=None, *, columns=None", _matrix(4)),
    "Plane3D": ("normal, distance=None", _plane),
    "Quaternion": ("*, xyzw", None),
    "Range1D": ("range", None),
    "Range2D": ("x_range, y_range", _pair("x_range", "y_range")),
    "Rgba32": ("rgba", None),
    "RotationAxisAngle": ("axis, angle=None, *, radians=None, degrees=None", _rotation_axis_angle),
    "SphericalHarmonics3Rgb": ("coefficients", None),
    "TensorBuffer": ("inner", None),
    "TensorData": ("*, shape=None, buffer=None, array=None, dim_names=None", _tensor),
    "TensorDimensionIndexSelection": ("dimension, index", _pair("dimension", "index")),
    "TensorDimensionSelection": ("dimension, *, invert=False", _pair("dimension", "invert")),
    "TimeInt": ("*, seq=None, seconds=None, nanos=None", _time_int),
    "TimeRange": ("start, end", _pair("start", "end")),
    "TimeRangeBoundary": ("inner, kind='cursor_relative'", _pair("inner", "kind")),
    "UInt16": ("value", None),
    "UInt32": ("value", None),
    "UInt64": ("value", None),
    "UVec2D": ("xy", None),
    "UVec3D": ("xyz", None),
    "UVec4D": ("xyzw", None),
    "Utf8": ("value", None),
    "Utf8Pair": ("first, second", _pair("first", "second")),
    "Uuid": ("bytes", None),
    "Vec2D": ("xy", None),
    "Vec3D": ("xyz", None),
    "Vec4D": ("xyzw", None),
    "VideoTimestamp": ("timestamp_ns", None),
    "ViewCoordinates": ("coordinates", _view_coordinates),
    "VisibleTimeRange": ("timeline, range=None, *, start=None, end=None", None),
}

# Components whose constructor differs from their datatype's: name -> (params, native)
COMPONENT_CLASSES: dict[str, tuple[str, NativeFn | None]] = {
    "AnnotationContext": ("class_map", None),
    "ChannelMessageCounts": ("counts", None),
    "ClearIsRecursive": ("recursive=True", lambda a: bool(a["recursive"])),
    "GeoLineString": ("*, lat_lon", None),
    "GraphEdge": ("first, second", _pair("first", "second")),
    "KeyValuePairs": ("pairs", None),
    "LineStrip2D": ("points", None),
    "LineStrip3D": ("points", None),
    "RotationQuat": ("*, xyzw", None),
    "Scale3D": ("uniform_or_per_axis=True", _scale),
    "Timestamp": ("*, seq=None, seconds=None, nanos=None", _time_int),
    "VideoTimestamp": ("*, nanoseconds=None, seconds=None", _time_int),
}


def _time_boundary(kind: str) -> Callable[..., Any]:
    return classmethod(lambda cls, time=None, **kw: cls(time if time is not None else kw.get("seq", kw.get("seconds")), kind))


def _axis(self: Any) -> Any:
    from ..datatypes import Vec3D

    return Vec3D(self._value["axis"])


def _angle_obj(self: Any) -> Any:
    from ..datatypes import Angle

    return Angle(rad=self._value["angle"])


VALUE_EXTRAS: dict[str, dict[str, Any]] = {
    "Angle": {"radians": property(lambda self: self._value), "degrees": property(lambda self: math.degrees(self._value))},
    "RotationAxisAngle": {"axis": property(_axis), "angle": property(_angle_obj)},
    "TimeRangeBoundary": {"cursor_relative": _time_boundary("cursor_relative"), "absolute": _time_boundary("absolute"),
                          "infinite": classmethod(lambda cls: cls(None, "infinite"))},
}

__all__ = ["Datatype", "DATATYPE_CLASSES", "COMPONENT_CLASSES", "VALUE_EXTRAS", "make_value_class", "make_batch_class",
           "make_enum", "ComponentMixin"]
