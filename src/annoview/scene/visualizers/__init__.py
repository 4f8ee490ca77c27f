"""One visualizer per archetype, registered by archetype name.

Each module of this package builds one kind of logged data (`points2d.py` builds "Points2D"):

    from .base import VisualizerInput
    from . import register

    DRAW_ORDER = ...          # the archetype's defaults live in its module, nowhere else

    @register("Points2D", requires="positions")
    def build(inp: VisualizerInput) -> Part: ...

Modules are found on first use (every module of this package is imported once), so adding a
kind of data is adding one module here; docs/architecture.md walks through an example.
Modules whose name starts with "_" hold code shared by several visualizers.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from ..model import Part
from .base import VisualizerInput

Visualizer = Callable[[VisualizerInput], Part]

_REGISTRY: dict[str, Visualizer] = {}
_REQUIRES: dict[str, str] = {}
_loaded = False


def register(archetype: str, *, requires: str | None = None) -> Callable[[Visualizer], Visualizer]:
    """Decorator: `build` draws `archetype`. One visualizer per archetype. `requires` names the
    field without which it draws nothing: when that field is not logged or logged empty (as
    `Archetype.cleared()` logs it), the builder skips the archetype without a problem, as Rerun
    does, and `build` is not called."""
    def deco(fn: Visualizer) -> Visualizer:
        held = _REGISTRY.get(archetype)
        if held is not None and held is not fn:
            raise ValueError(f"two visualizers for {archetype}: {held.__module__} and {fn.__module__}")
        _REGISTRY[archetype] = fn
        if requires is not None:
            _REQUIRES[archetype] = requires
        return fn
    return deco


def required_field(archetype: str) -> str | None:
    """The field an archetype's visualizer cannot draw without (see `register`)."""
    _load()
    return _REQUIRES.get(archetype)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            importlib.import_module(f"{__name__}.{mod.name}")
    _loaded = True


def visualizer_for(archetype: str) -> Visualizer | None:
    """The visualizer registered for an archetype, None when annoview does not draw it."""
    _load()
    return _REGISTRY.get(archetype)


def archetypes() -> list[str]:
    """Every archetype annoview draws."""
    _load()
    return sorted(_REGISTRY)


__all__ = ["Visualizer", "VisualizerInput", "archetypes", "register", "required_field", "visualizer_for"]
