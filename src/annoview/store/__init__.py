"""Chunk store: entity tree, per-timeline latest-at index."""
from .budget import default_limit, parse_memory_limit
from .residency import ChunkFile, ChunkTable, ChunkUnavailable, FileSource
from .store import CellRef, Store, TimelineInfo
from .tree import EntityNode, EntityTree

__all__ = ["ChunkFile", "ChunkTable", "ChunkUnavailable", "FileSource", "default_limit", "parse_memory_limit", "Store", "CellRef", "TimelineInfo", "EntityNode", "EntityTree"]
