"""AnnotationInfo, ClassDescription and AnnotationContext: class id -> label, color, keypoints.

Accepts every shorthand of Rerun's SDK: tuples `(id, label)` / `(id, label, color)`, a bare
int id for `info`, any iterable of keypoint pairs (a frozenset of tuples, IntEnum members).

Non-strict mode never raises from these constructors, and keeps what Rerun's SDK keeps: an
out-of-range id is stored as given and the AnnotationContext that uses it is dropped with one
warning (Rerun logs it without classes); a non-string label becomes str(label); keypoint
connections that are not pairs of ids are dropped with a warning (Rerun raises TypeError there).
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import ValidationError
from ..strict import report, strict_mode
from ..utf8 import encodable
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
    problem: ClassVar[str | None] = None  # non-strict: why a context holding this must be dropped

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "id", _id(self.id, "info.id"))
        except ValidationError as e:
            if strict_mode():
                raise
            object.__setattr__(self, "problem", str(e))
        if self.label is not None:
            if not isinstance(self.label, str):
                report(ValidationError(_NAME, "info.label", f"expected a string label, got {type(self.label).__name__}"),
                       "converted with str() as Rerun does")
                object.__setattr__(self, "label", str(self.label))
            object.__setattr__(self, "label", encodable(self.label, _NAME, "info.label"))
        if self.color is not None:
            try:
                object.__setattr__(self, "color", parse_color(self.color, _NAME, "info.color"))
            except ValidationError as e:
                report(e, "color dropped")
                object.__setattr__(self, "color", None)

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
        return {"id": self.id, "label": self.label, "color": self.color}

    @property
    def rgba(self) -> tuple[int, int, int, int] | None:
        c = self.color
        return None if c is None else ((c >> 24) & 255, (c >> 16) & 255, (c >> 8) & 255, c & 255)


def _pairs(connections: Any) -> tuple[tuple[int, int], ...]:
    if connections is not None and isinstance(connections, (str, bytes)):
        raise ValidationError(_NAME, "keypoint_connections", "expected pairs of keypoint ids, got a string")
    try:
        conns = tuple(_pair(p) for p in (() if connections is None else connections))
    except TypeError:
        raise ValidationError(_NAME, "keypoint_connections",
                              f"expected pairs of keypoint ids, got {type(connections).__name__}") from None
    return tuple(sorted(conns)) if isinstance(connections, (set, frozenset)) else conns


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

    problem: ClassVar[str | None] = None  # non-strict: why a context holding this must be dropped

    def __init__(self, *, info: Any, keypoint_annotations: Iterable[Any] | None = None,
                 keypoint_connections: Iterable[Any] | None = None) -> None:
        try:
            object.__setattr__(self, "info", AnnotationInfo.coerce(info, "info"))
            kps = tuple(AnnotationInfo.coerce(k, "keypoint_annotations") for k in (() if keypoint_annotations is None else keypoint_annotations))
        except ValidationError as e:
            if strict_mode():
                raise
            object.__setattr__(self, "problem", str(e))
            object.__setattr__(self, "info", AnnotationInfo(0))
            kps = ()
        object.__setattr__(self, "keypoint_annotations", kps)
        try:
            conns = _pairs(keypoint_connections)
        except ValidationError as e:
            report(e, "keypoint connections dropped")
            conns = ()
        object.__setattr__(self, "keypoint_connections", conns)
        bad = self.problem or self.info.problem or next((k.problem for k in kps if k.problem), None)
        if bad is not None:
            object.__setattr__(self, "problem", bad)

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
            bad = next((d.problem for d in descs if d.problem), None)
            if bad is not None:
                raise ValidationError(_NAME, "context", f"a class description is invalid: {bad}")
            return [{"class_id": d.info.id, "class_description": d.to_struct()} for d in descs]

        self._required("context", parse)

    @property
    def class_descriptions(self) -> list[ClassDescription]:
        return [ClassDescription.from_struct(e["class_description"]) for e in self.components.get("context", [])]


def as_context(obj: Any) -> Any:
    """A ClassDescription logged directly means a context with that one class."""
    if isinstance(obj, ClassDescription):
        return AnnotationContext([obj])
    return obj
