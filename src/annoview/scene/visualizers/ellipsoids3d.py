"""Ellipsoids3D: ellipsoids (centers, half sizes, quaternions / axis-angles): the three principal
ellipses (major wireframe), latitude rings and meridians (dense wireframe) and / or a shaded
fill, by fill mode (see `_shapes3d`); `line_radii` sets the line width. Labels sit at the centers.
"""
from __future__ import annotations

from ..model import Part
from . import register
from ._shapes3d import DENSE_SPHERE, ELLIPSE_RINGS, build_shapes
from .base import VisualizerInput


@register("Ellipsoids3D")
def build(inp: VisualizerInput) -> Part:
    return build_shapes(inp, "ellipsoids", "sphere", ELLIPSE_RINGS, "line_radii", "ell3", DENSE_SPHERE)
