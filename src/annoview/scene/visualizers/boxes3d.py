"""Boxes3D: oriented boxes (centers, half sizes, quaternions / axis-angles) as 12-edge wireframes.

Every fill mode is drawn as the wireframe (annoview draws no solid 3D surfaces yet); labels sit
at the box centers.
"""
from __future__ import annotations

from ..model import Part
from . import register
from ._shapes3d import BOX_EDGES, build_shapes
from .base import VisualizerInput


@register("Boxes3D")
def build(inp: VisualizerInput) -> Part:
    return build_shapes(inp, "boxes", "box", BOX_EDGES, "radii", "box3")
