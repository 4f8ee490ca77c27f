"""Ellipsoids3D: ellipsoids (centers, half sizes, quaternions / axis-angles) as the wireframe of
their three principal ellipses; `line_radii` sets the line width. Labels sit at the centers.

Every fill mode is drawn as that wireframe (annoview draws no solid 3D surfaces yet).
"""
from __future__ import annotations

from ..model import Part
from . import register
from ._shapes3d import ELLIPSE_RINGS, build_shapes
from .base import VisualizerInput


@register("Ellipsoids3D")
def build(inp: VisualizerInput) -> Part:
    return build_shapes(inp, "ellipsoids", "sphere", ELLIPSE_RINGS, "line_radii", "ell3")
