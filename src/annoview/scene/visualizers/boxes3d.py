"""Boxes3D: oriented boxes (centers, half sizes, quaternions / axis-angles): their 12 edges and /
or a shaded fill, by fill mode (see `_shapes3d`). Labels sit at the box centers.
"""
from __future__ import annotations

from ..model import Part
from . import register
from ._shapes3d import BOX_EDGES, build_shapes
from .base import VisualizerInput


@register("Boxes3D")
def build(inp: VisualizerInput) -> Part:
    return build_shapes(inp, "boxes", "box", BOX_EDGES, "radii", "box3")
