"""Chunk store: entity tree, per-timeline latest-at index."""
from .store import CellRef, Store, TimelineInfo
from .tree import EntityNode, EntityTree

__all__ = ["Store", "CellRef", "TimelineInfo", "EntityNode", "EntityTree"]
