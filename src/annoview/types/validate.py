"""Validation and normalization of per-instance component values.

Each function returns a numpy array (or list of str) in the stored dtype, or raises
ValidationError naming the archetype and the field. Single values stay length 1 (splatting
happens at resolution time, as in Rerun's files).
"""
from __future__ import annotations

import enum
import functools
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..instances import MAX_ID
from ..strict import stricter
from ..utf8 import encodable


def positions(value: Any, dim: int, archetype: str, field: str = "positions") -> np.ndarray:
    """Points as float32 (N, dim); a single (dim,) point and a flat array of N * dim numbers are
    accepted (as rerun-sdk accepts them). NaN/inf: strict mode refuses them, non-strict records
    them as rerun-sdk does (the viewer skips such instances)."""
    try:
        arr = np.asarray(value, dtype=np.float32)
    except (ValueError, TypeError) as e:
        raise ValidationError(archetype, field, f"expected numbers of shape (N, {dim}): {e}") from None
    if arr.ndim == 1 and arr.shape[0] == dim:
        arr = arr.reshape(1, dim)
    elif arr.ndim == 1 and arr.shape[0] % dim == 0:
        arr = arr.reshape(-1, dim)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValidationError(archetype, field, f"expected shape (N, {dim}), got {tuple(np.shape(value))}")
    finite = np.isfinite(arr)
    if not finite.all():
        bad = int(np.argwhere(~finite)[0][0])
        stricter(ValidationError(archetype, field, f"NaN or inf at index {bad}; positions must be finite"))
    return np.ascontiguousarray(arr)


def _enum_values(value: Any) -> Any:
    if isinstance(value, type) and issubclass(value, enum.Enum):
        return [int(m.value) for m in value]
    if isinstance(value, enum.Enum):
        return int(value.value)
    if isinstance(value, range):
        return np.arange(value.start, value.stop, value.step)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


def ids(value: Any, archetype: str, field: str) -> np.ndarray:
    """Class or keypoint ids as uint16 (N,): 0..65535, whole numbers, IntEnum classes allowed."""
    fast = _ids_fast(value)
    if fast is not None:
        return fast
    value = _enum_values(value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, enum.Enum) for v in value):
        value = [_enum_values(v) for v in value]
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise ValidationError(archetype, field, f"expected integer ids: {e}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValidationError(archetype, field, f"expected a 1-D sequence of ids, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, np.uint16)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValidationError(archetype, field, f"expected integer ids in 0..{MAX_ID}, got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValidationError(archetype, field, "ids must be finite whole numbers")
        if (arr != np.trunc(arr)).any():  # rerun-sdk truncates (1.7 -> 1)
            stricter(ValidationError(archetype, field, "ids must be whole numbers"))
            arr = np.trunc(arr)
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > MAX_ID:
        bad = lo if lo < 0 else hi
        raise ValidationError(archetype, field, f"id {int(bad)} out of range 0..{MAX_ID}")
    return arr.astype(np.uint16)


def _ids_fast(value: Any) -> np.ndarray | None:
    """The common forms without a scan: one int, a range, a uint8/uint16 array (logged per frame
    for every skeleton, so worth skipping the general path's min/max passes)."""
    kind = type(value)
    if kind is int:
        return np.array([value], np.uint16) if 0 <= value <= MAX_ID else None
    if kind is range:
        if len(value) and (min(value[0], value[-1]) < 0 or max(value[0], value[-1]) > MAX_ID):
            return None
        return _range_ids(value.start, value.stop, value.step)
    if kind is np.ndarray and value.ndim == 1 and value.dtype in (np.uint8, np.uint16):
        return value.astype(np.uint16)
    return None


@functools.lru_cache(maxsize=256)
def _range_ids(start: int, stop: int, step: int) -> np.ndarray:
    """Keypoint ids are the same range every frame: one read-only array per range."""
    arr = np.arange(start, stop, step).astype(np.uint16)
    arr.setflags(write=False)
    return arr


def floats(value: Any, archetype: str, field: str, *, allow_negative: bool = True) -> np.ndarray:
    """Per-instance floats (radii, opacity, ...) as float32 (N,), finite."""
    try:
        arr = np.asarray(value, dtype=np.float32)
    except (ValueError, TypeError) as e:
        raise ValidationError(archetype, field, f"expected numbers: {e}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValidationError(archetype, field, f"expected a 1-D sequence of numbers, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        stricter(ValidationError(archetype, field, "values must be finite (no NaN or inf)"))
    if not allow_negative and (arr < 0).any():
        stricter(ValidationError(archetype, field, "values must not be negative"))
    return arr


def scalar_float(value: Any, archetype: str, field: str, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    arr = floats(value, archetype, field)
    if len(arr) != 1:
        raise ValidationError(archetype, field, f"expected one number, got {len(arr)}")
    if (lo is not None and arr[0] < lo) or (hi is not None and arr[0] > hi):
        stricter(ValidationError(archetype, field, f"expected a number in [{lo}, {hi}], got {arr[0]}"))
    return arr


def labels(value: Any, archetype: str, field: str = "labels") -> list[str]:
    """Labels as a list of str; a single str is one label."""
    if isinstance(value, str):
        return [value if value.isascii() else encodable(value, archetype, field)]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    try:
        out = list(value)
    except TypeError:
        raise ValidationError(archetype, field, f"expected a string or a sequence of strings, got {type(value).__name__}") from None
    for i, s in enumerate(out):
        if not isinstance(s, str):
            raise ValidationError(archetype, field, f"label {i} is {type(s).__name__}, expected str")
        if not s.isascii():
            out[i] = encodable(s, archetype, field)
    return out


def flag(value: Any, archetype: str, field: str) -> np.ndarray:
    """One bool; non-strict mode records other values as their truth value, as rerun-sdk does."""
    if not isinstance(value, (bool, np.bool_)):
        stricter(ValidationError(archetype, field, f"expected True or False, got {value!r:.40}"))
        try:
            return np.array([bool(np.asarray(value).reshape(-1)[0])])
        except (ValueError, TypeError, IndexError):
            raise ValidationError(archetype, field, f"expected True or False, got {value!r:.40}") from None
    return np.array([bool(value)])


def named_code(value: Any, codes: dict[str, int], archetype: str, field: str) -> np.ndarray:
    """A small Rerun enum component (MagnificationFilter, PointShading, ...) as the uint8 code
    rerun-sdk stores; takes an enum member (annoview's or Rerun's), its name in any case or its code."""
    raw = getattr(value, "value", value)
    name = getattr(value, "name", raw)
    if isinstance(name, str) and name.lower() in codes:
        return np.array([codes[name.lower()]], np.uint8)
    if isinstance(raw, (int, np.integer)) and not isinstance(raw, bool) and int(raw) in codes.values():
        return np.array([int(raw)], np.uint8)
    names = ", ".join(n.capitalize() for n in codes)
    raise ValidationError(archetype, field, f"expected one of {names}, got {value!r:.40}")


def check_length(n_instances: int, n: int, archetype: str, field: str, main: str) -> None:
    """Per-instance fields may be shorter (last value repeats / falls back). Longer ones are an
    error in strict mode; non-strict mode keeps them, as rerun-sdk does (the viewer uses what
    it needs)."""
    if n > n_instances and not (n_instances == 0 and n == 1):
        stricter(ValidationError(
            archetype, field, f"{n} values for {n_instances} {main}; expected at most {n_instances} (or 1 for all)"
        ))
