"""Points2D (see `_points`): image-space points, keypoint skeletons and labels."""
from __future__ import annotations

from ..model import Part
from . import register
from ._points import build_points
from .base import VisualizerInput


@register("Points2D", requires="positions")
def build(inp: VisualizerInput) -> Part:
    return build_points(inp, "2d")
