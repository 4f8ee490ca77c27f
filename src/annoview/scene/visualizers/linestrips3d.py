"""LineStrips3D (see `_strips`)."""
from __future__ import annotations

from ..model import Part
from . import register
from ._strips import build_strips
from .base import VisualizerInput


@register("LineStrips3D", requires="strips")
def build(inp: VisualizerInput) -> Part:
    return build_strips(inp, "3d")
