"""One visualizer per archetype, registered by archetype name.

Each module of this package builds one kind of logged data (`points2d.py` builds "Points2D"):

    from .base import VisualizerInput
    from . import register

    DRAW_ORDER = ...          # the archetype's defaults live in its module, nowhere else

    @register("Points2D")
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
_loaded = False


def register(archetype: str) -> Callable[[Visualizer], Visualizer]:
    """Decorator: `build` draws `archetype`. One visualizer per archetype."""
    def deco(fn: Visualizer) -> Visualizer:
        held = _REGISTRY.get(archetype)
        if held is not None and held is not fn:
            raise ValueError(f"two visualizers for {archetype}: {held.__module__} and {fn.__module__}")
        _REGISTRY[archetype] = fn
        return fn
    return deco


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


__all__ = ["Visualizer", "VisualizerInput", "archetypes", "register", "visualizer_for"]
