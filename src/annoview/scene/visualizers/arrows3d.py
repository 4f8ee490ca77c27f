"""Arrows3D (see `_arrows`)."""
from __future__ import annotations

from ..model import Part
from . import register
from ._arrows import build_arrows
from .base import VisualizerInput


@register("Arrows3D")
def build(inp: VisualizerInput) -> Part:
    return build_arrows(inp, "3d", 3)
