"""Points3D (see `_points`): points, keypoint skeletons and labels in 3D."""
from __future__ import annotations

from ..model import Part
from . import register
from ._points import build_points
from .base import VisualizerInput


@register("Points3D", requires="positions")
def build(inp: VisualizerInput) -> Part:
    return build_points(inp, "3d")
