"""Stand-ins for Rerun archetypes and blueprint calls that annoview does not handle yet.

A Rerun script that also logs, say, `rr.Transform3D` or `rr.TextLog`, or sends a blueprint,
should still run unchanged under `import annoview as rr`: the call is accepted, warns once per
kind ("not supported by annoview yet, ignored") and logs nothing, and everything annoview
supports in the same script is recorded as usual. Only names Rerun really has are provided, so
`hasattr(rr, "Typo")` stays False.
"""
from __future__ import annotations

from typing import Any

from .errors import AnnoviewWarning, warn_user

RERUN_ARCHETYPES = frozenset({
    "AnyValues", "Arrows2D", "Arrows3D", "Asset3D", "AssetVideo", "BarChart", "Boxes3D", "Capsules3D", "Clear",
    "Cylinders3D", "DepthImage", "Ellipsoids3D", "GeoLineStrings", "GeoPoints", "GraphEdges",
    "GraphNodes", "InstancePoses3D", "Mesh3D", "Pinhole", "Scalars", "Scalar", "SeriesLines", "SeriesPoints",
    "SeriesLine", "SeriesPoint", "Tensor", "TextDocument", "TextLog", "Transform3D", "VideoFrameReference",
    "VideoStream", "ViewCoordinates", "DynamicArchetype",
})
_warned: set[str] = set()


def warn_once(what: str) -> None:
    if what not in _warned:
        _warned.add(what)
        warn_user(f"annoview: {what} is not supported yet and is ignored (the rest of the script is recorded)",
                  AnnoviewWarning)


class _AnyAttribute(type):
    """Class attributes such as `rr.ViewCoordinates.RIGHT_HAND_Z_UP` resolve to an instance."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return cls()


class UnsupportedArchetype(metaclass=_AnyAttribute):
    """Accepts any arguments; `rr.log` skips it with one warning per kind."""

    rerun_name = "Unsupported"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _noop


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


_classes: dict[str, type] = {}


def archetype(name: str) -> type:
    """The stand-in class for a Rerun archetype name (one class per name, so isinstance works)."""
    cls = _classes.get(name)
    if cls is None:
        cls = _classes[name] = _AnyAttribute(name, (UnsupportedArchetype,), {"rerun_name": name, "__module__": __name__})
    return cls


class BlueprintPart(metaclass=_AnyAttribute):
    """Any `rerun.blueprint` object: accepted and ignored (annoview arranges its own views)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warn_once("rerun.blueprint")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _noop
