"""AnnotationInfo, ClassDescription and AnnotationContext: class id -> label, color, keypoints.

Accepts every shorthand of Rerun's SDK: tuples `(id, label)` / `(id, label, color)`, a bare
int id for `info`, any iterable of keypoint pairs (a frozenset of tuples, IntEnum members).
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..strict import strict_mode, stricter
from .archetypes import Archetype
from .colors import parse_color
from .kinds import Kind
from ..instances import MAX_ID

_NAME = "AnnotationContext"


def _id(value: Any, field_name: str) -> int:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            import numpy as np

            if isinstance(value, np.integer):
                value = int(value)
            else:
                raise TypeError
        except TypeError:
            raise ValidationError(_NAME, field_name, f"expected an integer id, got {value!r:.40}") from None
    if not 0 <= value <= MAX_ID:
        raise ValidationError(_NAME, field_name, f"id {value} out of range 0..{MAX_ID}")
    return int(value)


@dataclass(frozen=True)
class AnnotationInfo:
    """One class or keypoint: id, optional label, optional color (packed 0xRRGGBBAA)."""

    id: int
    label: str | None = None
    color: Any = None

    def __post_init__(self) -> None:
        _deferred(self, self._validate)

    def _validate(self) -> None:
        object.__setattr__(self, "id", _id(self.id, "info.id"))
        if self.label is not None and not isinstance(self.label, str):
            stricter(ValidationError(_NAME, "info.label", f"expected a string label, got {type(self.label).__name__}"))
            object.__setattr__(self, "label", str(self.label))  # rerun-sdk records str(label)
        if self.color is not None:
            object.__setattr__(self, "color", parse_color(self.color, _NAME, "info.color"))

    @staticmethod
    def coerce(value: Any, field_name: str = "info") -> "AnnotationInfo":
        if isinstance(value, AnnotationInfo):
            return value
        if isinstance(value, (int, enum.Enum)) and not isinstance(value, bool):
            return AnnotationInfo(_id(value, field_name))
        if isinstance(value, tuple) and 1 <= len(value) <= 3:
            return AnnotationInfo(*value)
        if isinstance(value, list) and 1 <= len(value) <= 3:
            return AnnotationInfo(*value)
        raise ValidationError(_NAME, field_name, f"expected AnnotationInfo, an id, or (id, label[, color]), got {value!r:.60}")

    def to_struct(self) -> dict:
        _raise_deferred(self)
        return {"id": self.id, "label": self.label, "color": self.color}

    @property
    def rgba(self) -> tuple[int, int, int, int] | None:
        c = self.color
        return None if c is None else ((c >> 24) & 255, (c >> 16) & 255, (c >> 8) & 255, c & 255)


def _deferred(obj: Any, validate: Any) -> None:
    """Validate now; in non-strict mode an error is kept and raised when the object is logged
    (inside an AnnotationContext, which then drops it with one warning), so building an
    AnnotationInfo / ClassDescription never raises into a Rerun script."""
    try:
        validate()
    except ValidationError as e:
        if strict_mode():
            raise
        object.__setattr__(obj, "_error", e)


def _raise_deferred(obj: Any) -> None:
    error = obj.__dict__.get("_error")
    if error is not None:
        raise error


def _pair(p: Any) -> tuple[int, int]:
    try:
        a, b = p
    except (TypeError, ValueError):
        raise ValidationError(_NAME, "keypoint_connections", f"expected a pair of keypoint ids, got {p!r:.40}") from None
    return _id(a, "keypoint_connections"), _id(b, "keypoint_connections")


@dataclass(frozen=True)
class ClassDescription:
    """A class: its info plus keypoint annotations and the connections that form a skeleton."""

    info: Any
    keypoint_annotations: Any = field(default_factory=tuple)
    keypoint_connections: Any = field(default_factory=tuple)

    def __init__(self, *, info: Any, keypoint_annotations: Iterable[Any] | None = None,
                 keypoint_connections: Iterable[Any] | None = None) -> None:
        for name in ("info", "keypoint_annotations", "keypoint_connections"):
            object.__setattr__(self, name, () if name != "info" else None)
        _deferred(self, lambda: self._validate(info, keypoint_annotations, keypoint_connections))

    def _validate(self, info: Any, keypoint_annotations: Iterable[Any] | None,
                  keypoint_connections: Iterable[Any] | None) -> None:
        object.__setattr__(self, "info", AnnotationInfo.coerce(info, "info"))
        kps = tuple(AnnotationInfo.coerce(k, "keypoint_annotations") for k in (() if keypoint_annotations is None else keypoint_annotations))
        object.__setattr__(self, "keypoint_annotations", kps)
        if keypoint_connections is not None and isinstance(keypoint_connections, (str, bytes)):
            raise ValidationError(_NAME, "keypoint_connections", "expected pairs of keypoint ids, got a string")
        conns = tuple(_pair(p) for p in (() if keypoint_connections is None else keypoint_connections))
        if isinstance(keypoint_connections, (set, frozenset)):
            conns = tuple(sorted(conns))
        object.__setattr__(self, "keypoint_connections", conns)

    @staticmethod
    def coerce(value: Any) -> "ClassDescription":
        if isinstance(value, ClassDescription):
            return value
        if isinstance(value, (AnnotationInfo, tuple, list)):
            return ClassDescription(info=value)
        if isinstance(value, dict):
            raise ValidationError(_NAME, "context", "dicts are not a context form; use rr.ClassDescription(info=..., ...) or (id, label, color)")
        raise ValidationError(_NAME, "context", f"expected ClassDescription, AnnotationInfo or (id, label[, color]), got {value!r:.60}")

    def to_struct(self) -> dict:
        _raise_deferred(self)
        return {
            "info": self.info.to_struct(),
            "keypoint_annotations": [k.to_struct() for k in self.keypoint_annotations],
            "keypoint_connections": [{"keypoint0": a, "keypoint1": b} for a, b in self.keypoint_connections],
        }

    @staticmethod
    def from_struct(s: dict) -> "ClassDescription":
        info = s.get("info") or {}
        return ClassDescription(
            info=AnnotationInfo(info.get("id") or 0, info.get("label"), info.get("color")),
            keypoint_annotations=[AnnotationInfo(k.get("id") or 0, k.get("label"), k.get("color"))
                                  for k in (s.get("keypoint_annotations") or [])],
            keypoint_connections=[(c["keypoint0"], c["keypoint1"]) for c in (s.get("keypoint_connections") or [])],
        )


class AnnotationContext(Archetype):
    """Class id -> ClassDescription for the entity and its descendants."""

    archetype_name = _NAME
    field_kinds = {"context": Kind.CONTEXT}

    def __init__(self, context: Any) -> None:
        super().__init__()

        def parse() -> list[dict]:
            if isinstance(context, AnnotationContext):
                return list(context.components.get("context", []))
            if isinstance(context, (ClassDescription, AnnotationInfo)):
                items: Any = [context]
            elif isinstance(context, dict):
                raise ValidationError(_NAME, "context", "dicts are not a context form; pass a list of rr.ClassDescription / (id, label, color)")
            else:
                try:
                    items = list(context)
                except TypeError:
                    raise ValidationError(_NAME, "context", f"expected a sequence of class descriptions, got {type(context).__name__}") from None
            descs = [ClassDescription.coerce(c) for c in items]
            structs = [d.to_struct() for d in descs]
            return [{"class_id": st["info"]["id"], "class_description": st} for st in structs]

        self._required("context", parse)

    @property
    def class_descriptions(self) -> list[ClassDescription]:
        return [ClassDescription.from_struct(e["class_description"]) for e in self.components.get("context", [])]


def as_context(obj: Any) -> Any:
    """A ClassDescription logged directly means a context with that one class."""
    if isinstance(obj, ClassDescription):
        return AnnotationContext([obj])
    return obj
