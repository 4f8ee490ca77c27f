"""Stand-ins for Rerun calls annoview does not handle yet, and the "recorded, not drawn" warning.

Archetypes annoview does not draw are recorded as components (types/generic.py) and warn once per
kind that they are not drawn yet. The few names still without an implementation here (blueprint
parts, and archetypes other modules provide) are accepted, warn once per kind ("not supported by
annoview yet, ignored") and log nothing, so the rest of a Rerun script is recorded as usual. Only
names Rerun really has are provided, so `hasattr(rr, "Typo")` stays False.
"""
from __future__ import annotations

from typing import Any

from .errors import AnnoviewWarning, warn_user

# Rerun archetypes other modules provide; the rest are in types/rerun_archetypes.py.
RERUN_ARCHETYPES = frozenset({"EncodedImage"})
_warned: set[str] = set()


def warn_not_drawn(archetype: str) -> None:
    """Once per kind: the archetype is recorded (stored, listed by `info`, exported) but not drawn."""
    key = f"not drawn: {archetype}"
    if key not in _warned:
        _warned.add(key)
        warn_user(f"annoview records {archetype} but does not draw it yet (it is stored and exported to .rrd)",
                  AnnoviewWarning)


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
