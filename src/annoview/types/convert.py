"""Python input -> Arrow arrays of Rerun's component types (see rerun_schema.py).

One entry point, `to_arrow(component, data)`, accepts every input form a Rerun user passes for a
component batch (a single value or a batch; numpy arrays, nested lists, annoview's datatype
objects such as `rr.Quaternion(xyzw=...)`, enum members or their names) and returns an Arrow array
of exactly the type Rerun writes, one element per instance. Converters are chosen from the Arrow
type (numeric primitives, fixed-size lists of numbers, strings, blobs, lists of points), plus a
few per-datatype hooks in `_NORMALIZE` / `_STRUCT` where Rerun's input forms need one (matrices
are given row by row but stored column-major, quaternions and rotations come as objects, ...).

Bad input raises ValidationError naming archetype and field; callers decide (strict mode) whether
that drops the field or raises.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import ValidationError
from .colors import parse_colors
from .rerun_schema import COMPONENTS, DATATYPES, ENUMS, component_arrow_type


class Native:
    """Base of annoview's Python datatype objects (rr.Quaternion, rr.RotationAxisAngle, ...):
    `_native()` gives one instance in a form the converters below accept."""

    def _native(self) -> Any:
        raise NotImplementedError


Where = tuple[str, str]  # (archetype or type name, field) for error messages


def _fail(where: Where, message: str) -> ValidationError:
    return ValidationError(where[0], where[1], " ".join(message.split()))  # always one line


def _natives(data: Any) -> Any:
    """Replace datatype objects (alone or in a list/tuple) by their native values."""
    if isinstance(data, Native):
        return data._native()
    if isinstance(data, (list, tuple)) and any(isinstance(x, Native) for x in data):
        return [x._native() if isinstance(x, Native) else x for x in data]
    return data


def _numpy(data: Any, dtype: np.dtype, where: Where) -> np.ndarray:
    if isinstance(data, pa.Array):
        data = data.to_numpy(zero_copy_only=False)
    if isinstance(data, np.ndarray) and data.dtype == dtype:
        return data
    try:
        arr = np.asarray(data)
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise ValueError(f"expected numbers, got {type(data).__name__} {data!r:.60}")
        if dtype.kind in "iu" and arr.dtype.kind == "f":
            if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
                raise ValueError("expected whole numbers")
        if dtype.kind in "iu" and arr.dtype.kind in "iuf" and arr.size:
            info = np.iinfo(dtype)
            if arr.min() < info.min or arr.max() > info.max:
                raise ValueError(f"values must be in {info.min}..{info.max}")
        return arr.astype(dtype, copy=False)
    except (ValueError, TypeError) as e:
        raise _fail(where, f"expected {dtype.name} values: {e}") from None


def _primitive_converter(t: pa.DataType) -> Callable[[Any, Where], pa.Array]:
    dtype = np.dtype(t.to_pandas_dtype())

    def convert(data: Any, where: Where) -> pa.Array:
        if not isinstance(data, np.ndarray):
            data = _natives(data)
        return pa.array(_numpy(data, dtype, where).reshape(-1), type=t)

    return convert


def _fixed_size_converter(t: pa.DataType) -> Callable[[Any, Where], pa.Array]:
    """Numbers in groups of k -> fixed_size_list<k>; type facts looked up once, not per call."""
    k, value_type = t.list_size, t.value_type
    dtype = np.dtype(value_type.to_pandas_dtype())

    def convert(data: Any, where: Where) -> pa.Array:
        if not isinstance(data, np.ndarray):
            data = _natives(data)
        arr = _numpy(data, dtype, where)
        if arr.size % k:
            raise _fail(where, f"expected {k} numbers per instance, got an array of shape {arr.shape}")
        return pa.FixedSizeListArray.from_arrays(pa.array(arr.reshape(-1), type=value_type), type=t)

    return convert


def _matrix(n: int) -> Callable[[Any, Where], Any]:
    """Matrices are given row by row ((n, n), a flat n*n list of rows, or Mat objects) and
    stored column-major, as Rerun stores them."""

    def normalize(data: Any, where: Where) -> Any:
        data = _natives(data)
        arr = _numpy(data, np.dtype(np.float32), where)
        if arr.size % (n * n):
            raise _fail(where, f"expected {n}x{n} matrices, got shape {arr.shape}")
        return np.ascontiguousarray(arr.reshape(-1, n, n).transpose(0, 2, 1))

    return normalize


def _scale(data: Any, where: Where) -> Any:
    """Scale3D: one number is a uniform scale."""
    data = _natives(data)
    if isinstance(data, (int, float, np.number)) and not isinstance(data, bool):
        return [float(data)] * 3
    return data


def _strings(data: Any, where: Where) -> pa.Array:
    data = _natives(data)
    if isinstance(data, pa.Array):
        return data.cast(pa.utf8())
    if isinstance(data, (str, enum.Enum)):
        data = [data]
    elif isinstance(data, np.ndarray):
        data = data.reshape(-1).tolist()
    try:
        items = list(data)
    except TypeError:
        raise _fail(where, f"expected a string or a list of strings, got {type(data).__name__}") from None
    out = []
    for s in items:
        s = s._native() if isinstance(s, Native) else s
        if isinstance(s, enum.Enum):
            s = s.value
        if not isinstance(s, str):
            raise _fail(where, f"expected strings, got {type(s).__name__} {s!r:.40}")
        try:
            out.append(s.encode("utf-8"))
        except UnicodeEncodeError as e:
            raise _fail(where, f"not valid text: {e}") from None
    # straight from the UTF-8 bytes: about half the cost of pa.array(list_of_str) for short batches
    ends = [0]
    for b in out:
        ends.append(ends[-1] + len(b))
    if ends[-1] >= 2**31:
        raise _fail(where, f"{ends[-1]} bytes of text in one batch; at most 2 GiB")
    offsets = np.array(ends, np.int32)
    return pa.Array.from_buffers(_UTF8, len(out), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(out))])


_UTF8 = pa.utf8()


def _one_blob(b: Any, where: Where) -> np.ndarray | None:
    if isinstance(b, Native):
        b = b._native()
    if isinstance(b, (bytes, bytearray, memoryview)):
        return np.frombuffer(bytes(b), np.uint8)
    if isinstance(b, np.ndarray) and b.dtype != object:
        return np.ascontiguousarray(b).view(np.uint8).reshape(-1) if b.dtype.kind in "iub" else None
    return None


def _blobs(data: Any, t: pa.DataType, where: Where) -> pa.Array:
    single = _one_blob(data, where)
    if single is not None:
        parts = [single]
    elif isinstance(data, (list, tuple)) and data and all(isinstance(x, (int, np.integer)) for x in data):
        parts = [_numpy(data, np.dtype(np.uint8), where)]
    elif isinstance(data, (list, tuple)):
        parts = []
        for b in data:
            one = _one_blob(b, where)
            if one is None:
                one = _numpy(b, np.dtype(np.uint8), where).reshape(-1)
            parts.append(one)
    else:
        raise _fail(where, f"expected bytes or a uint8 array, got {type(data).__name__}")
    offsets = np.zeros(len(parts) + 1, np.int32)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    values = np.concatenate(parts) if parts else np.zeros(0, np.uint8)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.uint8()), type=t)


def _point_lists(data: Any, t: pa.DataType, where: Where) -> pa.Array:
    """list<fixed_size_list<...>>: one (m, k) array is one strip; (n, m, k) or a list of (m, k)
    are n strips (as Rerun reads them)."""
    inner = t.value_type
    k = inner.list_size
    dtype = np.dtype(inner.value_type.to_pandas_dtype())
    data = _natives(data)
    strips: list[np.ndarray]
    try:
        arr = np.asarray(data, dtype=dtype)
        ok = arr.dtype != object
    except (ValueError, TypeError):
        ok = False
    if ok and arr.ndim == 2 and arr.shape[1] == k:
        strips = [arr]
    elif ok and arr.ndim == 3 and arr.shape[2] == k:
        strips = list(arr)
    elif ok and arr.ndim == 1 and arr.size == 0:
        strips = []
    elif isinstance(data, (list, tuple)):
        strips = [_numpy(_natives(s), dtype, where).reshape(-1, k) for s in data]
    else:
        raise _fail(where, f"expected (m, {k}) points or a list of them, got {type(data).__name__}")
    for s in strips:
        if s.ndim != 2 or s.shape[1] != k:
            raise _fail(where, f"each strip must be (m, {k}), got shape {s.shape}")
    offsets = np.zeros(len(strips) + 1, np.int32)
    np.cumsum([len(s) for s in strips], out=offsets[1:])
    flat = np.concatenate([s.reshape(-1) for s in strips]) if strips else np.zeros(0, dtype)
    points = pa.FixedSizeListArray.from_arrays(pa.array(flat, type=inner.value_type), type=inner)
    return pa.ListArray.from_arrays(pa.array(offsets), points, type=t)


def enum_value(name: str, value: Any, where: Where) -> int:
    """One enum value from a member, its name (any case, '_' ignored) or its integer."""
    variants = ENUMS[name]
    if isinstance(value, enum.Enum):
        value = value.value if isinstance(value.value, int) else value.name
    if isinstance(value, str):
        key = value.replace("_", "").replace(" ", "").lower()
        for vname, v in variants:
            if vname.replace("_", "").lower() == key:
                return v
        raise _fail(where, f"unknown {name} {value!r}; one of {[n for n, _ in variants]}")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if int(value) in {v for _, v in variants}:
            return int(value)
    raise _fail(where, f"unknown {name} {value!r}; one of {[n for n, _ in variants]}")


def _enums(name: str, data: Any, t: pa.DataType, where: Where) -> pa.Array:
    if isinstance(data, (str, enum.Enum, int, np.integer)):
        data = [data]
    try:
        items = list(data)
    except TypeError:
        raise _fail(where, f"expected a {name} or a list of them, got {type(data).__name__}") from None
    return pa.array([enum_value(name, x, where) for x in items], type=t)


# -- struct datatypes: one instance -> dict ---------------------------------------------------------


def _angle_radians(value: Any, where: Where) -> float:
    value = value._native() if isinstance(value, Native) else value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _fail(where, f"expected an angle in radians or rr.Angle, got {value!r:.40}") from None


def _rotation_axis_angle(x: Any, where: Where) -> dict:
    if isinstance(x, Mapping):
        axis, angle = x.get("axis"), x.get("angle")
    elif isinstance(x, (list, tuple)) and len(x) == 2:
        axis, angle = x
    else:
        raise _fail(where, f"expected rr.RotationAxisAngle(axis, angle), got {x!r:.60}")
    a = _numpy(axis, np.dtype(np.float32), where).reshape(-1)
    if a.size != 3:
        raise _fail(where, f"a rotation axis has 3 numbers, got {a.size}")
    return {"axis": a.tolist(), "angle": _angle_radians(angle, where)}


def _pair(names: tuple[str, str]) -> Callable[[Any, Where], dict]:
    def one(x: Any, where: Where) -> dict:
        if isinstance(x, Mapping):
            return {n: x[n] for n in names}
        if isinstance(x, (list, tuple, np.ndarray)) and len(x) == 2:
            return {names[0]: x[0], names[1]: x[1]}
        raise _fail(where, f"expected pairs ({names[0]}, {names[1]}), got {x!r:.60}")

    return one


def _utf8_pair(x: Any, where: Where) -> dict:
    d = _pair(("first", "second"))(x, where)
    for k in d:
        if not isinstance(d[k], str):
            raise _fail(where, f"expected a pair of strings, got {x!r:.60}")
    return d


def _passthrough(x: Any, where: Where) -> Any:
    if not isinstance(x, Mapping):
        raise _fail(where, f"expected a {where[1]} object, got {type(x).__name__}")
    return dict(x)


def _is_single_struct(name: str, data: Any) -> bool:
    if isinstance(data, (Mapping, Native)):
        return True
    if name == "Utf8Pair":
        return isinstance(data, (list, tuple)) and len(data) == 2 and all(isinstance(s, str) for s in data)
    if name == "RotationAxisAngle":
        return isinstance(data, (list, tuple)) and len(data) == 2 and not isinstance(data[1], (list, tuple, Native, Mapping))
    if name in ("Range2D", "TensorDimensionIndexSelection", "AbsoluteTimeRange"):
        return isinstance(data, (list, tuple)) and len(data) == 2 and not isinstance(data[0], (Mapping, Native)) \
            and np.ndim(data[0]) == (1 if name == "Range2D" else 0)
    return False


_STRUCT: dict[str, Callable[[Any, Where], Any]] = {
    "RotationAxisAngle": _rotation_axis_angle,
    "Utf8Pair": _utf8_pair,
    "Range2D": lambda x, w: {k: list(map(float, v)) for k, v in _pair(("x_range", "y_range"))(x, w).items()},
    "TensorDimensionIndexSelection": _pair(("dimension", "index")),
    "AbsoluteTimeRange": _pair(("min", "max")),
    "ChannelCountPair": _pair(("channel_id", "message_count")),
    "KeypointPair": _pair(("keypoint0", "keypoint1")),
}


def _structs(name: str, data: Any, t: pa.DataType, where: Where) -> pa.Array:
    one = _STRUCT.get(name, _passthrough)
    items = [data] if _is_single_struct(name, data) else list(data)
    rows = []
    for x in items:
        x = x._native() if isinstance(x, Native) else x
        rows.append(one(x, where))
    try:
        return pa.array(rows, type=t)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
        raise _fail(where, f"cannot be stored as {name}: {e}") from None


# -- tensors ---------------------------------------------------------------------------------------

_TENSOR_CODES = {"uint8": 1, "uint16": 2, "uint32": 3, "uint64": 4, "int8": 5, "int16": 6, "int32": 7, "int64": 8,
                 "float16": 9, "float32": 10, "float64": 11}


def tensor_data(array: Any, dim_names: Any, where: Where) -> pa.Array:
    """One TensorData instance (shape, optional dim names, typed buffer) from an n-d array."""
    array = array._native() if isinstance(array, Native) else array
    if isinstance(array, pa.Array) and array.type == DATATYPES["TensorData"] and len(array) == 1:
        if dim_names is None:
            return array
        cell = array.to_pylist()[0]
        buffer = array.field("buffer")
        values = buffer.field(buffer.type_codes[0].as_py()).values.to_numpy(zero_copy_only=False)
        array = values.reshape(cell["shape"])
    if isinstance(array, Mapping):
        dim_names = array.get("names", dim_names) if dim_names is None else dim_names
        array = np.asarray(array["buffer"]).reshape(array["shape"])
    try:
        arr = np.asarray(array)
    except (ValueError, TypeError) as e:
        raise _fail(where, f"expected an n-d array: {e}") from None
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8)
    if arr.dtype.name not in _TENSOR_CODES:
        raise _fail(where, f"unsupported tensor dtype {arr.dtype}")
    t = DATATYPES["TensorData"]
    buffer_type = DATATYPES["TensorBuffer"]
    code = _TENSOR_CODES[arr.dtype.name]
    value_type = buffer_type.field(code).type
    flat = pa.array(np.ascontiguousarray(arr).reshape(-1), type=value_type.value_type)
    child = pa.ListArray.from_arrays(pa.array([0, len(flat)], pa.int32()), flat, type=value_type)
    children = []
    for i in range(buffer_type.num_fields):
        ft = buffer_type.field(i).type
        children.append(child if i == code else pa.array([], type=ft))
    union = pa.UnionArray.from_dense(pa.array([code], pa.int8()), pa.array([0], pa.int32()), children,
                                     [buffer_type.field(i).name for i in range(buffer_type.num_fields)],
                                     list(range(buffer_type.num_fields)))
    shape = pa.array([list(arr.shape)], type=t.field("shape").type)
    if dim_names is not None:
        names_list = [str(n) for n in dim_names]
        if len(names_list) != arr.ndim:
            raise _fail(where, f"{len(names_list)} dim_names for a {arr.ndim}-d tensor")
        names = pa.array([names_list], type=t.field("names").type)
    else:
        names = pa.array([None], type=t.field("names").type)
    return pa.StructArray.from_arrays([shape, names, union.view(buffer_type)],
                                      fields=list(t))


def _tensors(data: Any, t: pa.DataType, where: Where) -> pa.Array:
    return tensor_data(data, None, where)


# -- entry point -----------------------------------------------------------------------------------

_VIEW_DIRS = {"U": 1, "D": 2, "R": 3, "L": 4, "F": 5, "B": 6}


def _view_coordinates(data: Any, where: Where) -> Any:
    """ViewCoordinates: also as letters ("RDF": X=Right, Y=Down, Z=Forward)."""
    data = _natives(data)
    if isinstance(data, str):
        data = [data]
    if isinstance(data, (list, tuple)) and data and all(isinstance(s, str) for s in data):
        out = []
        for s in data:
            key = s.upper()
            if len(key) != 3 or any(c not in _VIEW_DIRS for c in key):
                raise _fail(where, f"unknown view coordinates {s!r}: three letters of U/D/R/L/F/B such as 'RDF'")
            out.append([_VIEW_DIRS[c] for c in key])
        return out
    return data


_NORMALIZE: dict[str, Callable[[Any, Where], Any]] = {
    "Mat3x3": _matrix(3), "Mat4x4": _matrix(4), "Scale3D": _scale, "ViewCoordinates": _view_coordinates,
}


Converter = Callable[[Any, Where], pa.Array]


@lru_cache(maxsize=None)
def _plan(component: str) -> tuple[pa.DataType, Callable[[Any, Where], Any] | None, Converter]:
    """(Arrow type, input hook, converter) of a component or datatype, chosen once per name."""
    dt = COMPONENTS.get(component) if component in COMPONENTS else component
    t = component_arrow_type(component) if component in COMPONENTS else DATATYPES[component]
    hook = _NORMALIZE.get(component) or _NORMALIZE.get(dt or "")
    name = dt or component
    convert: Converter
    if name in ENUMS or (not dt and component in ENUMS):
        enum_name = name if name in ENUMS else component
        convert = lambda d, w: _enums(enum_name, d, t, w)  # noqa: E731
    elif name == "Rgba32":
        convert = lambda d, w: pa.array(parse_colors(_natives(d), *w), type=t)  # noqa: E731
    elif name == "TensorData":
        convert = lambda d, w: _tensors(d, t, w)  # noqa: E731
    elif pa.types.is_fixed_size_list(t) and _is_numeric(t.value_type):
        convert = _fixed_size_converter(t)
    elif _is_numeric(t):
        convert = _primitive_converter(t)
    elif pa.types.is_string(t):
        convert = _strings
    elif pa.types.is_list(t) and t.value_type == pa.uint8():
        convert = lambda d, w: _blobs(d, t, w)  # noqa: E731
    elif pa.types.is_list(t) and pa.types.is_fixed_size_list(t.value_type):
        convert = lambda d, w: _point_lists(d, t, w)  # noqa: E731
    elif pa.types.is_struct(t):
        convert = lambda d, w: _structs(name, d, t, w)  # noqa: E731
    elif pa.types.is_list(t) and pa.types.is_struct(t.value_type):
        convert = lambda d, w: _struct_lists(component, d, t, w)  # noqa: E731
    else:
        def convert(d: Any, w: Where) -> pa.Array:
            raise _fail(w, f"annoview cannot build {component} values from Python input yet")
    return t, hook, convert


def to_arrow(component: str, data: Any, where: Where | None = None) -> pa.Array:
    """A Rerun component (or datatype) batch from any accepted input form."""
    where = where or (component, "value")
    t, hook, convert = _plan(component)
    if isinstance(data, Native):
        native = data._native()
        if isinstance(native, pa.Array):  # a one-field archetype used as a value (rr.ViewCoordinates.RDF)
            data = native
    if isinstance(data, pa.Array) and data.type == t:
        return data
    if hook is not None:
        data = hook(data, where)
    return convert(data, where)


def _struct_lists(component: str, data: Any, t: pa.DataType, where: Where) -> pa.Array:
    """list<struct> components (KeyValuePairs, ChannelMessageCounts): a dict or pairs per instance."""
    inner_name = "Utf8Pair" if component == "KeyValuePairs" else "ChannelCountPair"
    instances = [data] if isinstance(data, Mapping) or (isinstance(data, (list, tuple)) and data
                                                         and isinstance(data[0], (list, tuple))) else list(data)
    rows = []
    for inst in instances:
        inst = inst._native() if isinstance(inst, Native) else inst
        pairs = list(inst.items()) if isinstance(inst, Mapping) else list(inst)
        rows.append([_STRUCT[inner_name](p, where) for p in pairs])
    try:
        return pa.array(rows, type=t)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
        raise _fail(where, f"cannot be stored as {component}: {e}") from None


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)


def radians_of(rad: Any = None, deg: Any = None) -> float:
    """An angle given in radians or degrees (radians win when both are given, as in Rerun)."""
    if rad is None and deg is None:
        raise ValueError("give rad= (radians) or deg= (degrees)")
    return float(rad) if rad is not None else math.radians(float(deg))
