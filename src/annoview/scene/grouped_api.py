"""What a grouped visualizer gets and returns (the grouped scene build, scene/grouped.py).

A grouped visualizer draws every entity of one archetype at once, from arrays: its input
(`GroupInput`) gives each field as one `Gathered` (store/gather.py) over the group's entities,
their palettes and contexts, and stable object ids; its result (`GroupResult`) lists the batched
visuals it can build (`GroupBatch`: the batch key `batch.py` would give them, the entities it
covers, and how to build it for a set of members), which entities it drew, and which need the
per-entity visualizer after all (`needs_part`: what it does not draw itself, such as labels).
The grouped build decides which batches stand (a batch of one, or one that would merge with
visuals of other entities, is left to the per-entity path so the result is exactly what
`batch.py` would make) and takes the rest from the per-entity visualizer.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..annotations import ResolvedContext
from ..store.gather import Gathered
from .visuals import Visual


def unreadable(g: Gathered) -> bool:
    """Some entity has a value that is not a number array (the grouped path cannot read it)."""
    return g.values is None and bool((g.lengths > 0).any())


@dataclass
class GroupInput:
    archetype: str
    field: Callable[[str], Gathered]               # field name -> its cells for every entity
    palette_gid: np.ndarray                        # per entity: index into palette_keys / contexts
    palette_keys: Sequence[Hashable]
    contexts: Sequence[ResolvedContext]
    services: Any                                  # the builder (visualizers/base.py `Services`)
    object_ids: Callable[[str, np.ndarray], np.ndarray]   # (kind, entity positions) -> ids
    value_ids: Callable[[Gathered, np.ndarray, np.ndarray], np.ndarray]  # equal id = equal cut value
    cache_key: Callable[[np.ndarray], Hashable]    # names the data of some entities (row ids)
    labels: bool | None = None                     # the view's labels option: on / off; None: rule 7
    path: Callable[[int], str] = str               # entity position -> its path (label idents, default colors)


@dataclass
class GroupBatch:
    key: Hashable                                  # batch.py's key for the visuals it replaces
    members: np.ndarray                            # bool per entity
    local_index: int                               # where the per-entity visualizer puts it
    build: Callable[[np.ndarray], Visual]          # member positions (sorted) -> the batched visual
    kind: str


@dataclass
class GroupResult:
    space: str                                     # "2d" | "3d"
    drawn: np.ndarray                              # bool per entity: draws something
    needs_part: np.ndarray                         # bool per entity: also run the per-entity visualizer
    batches: list[GroupBatch] = field(default_factory=list)
    kinds: list[tuple[str, np.ndarray]] = field(default_factory=list)   # object kinds, in id order
    count_classes: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    # per-entity visuals it builds itself (labels): (entity positions drawn by batches only) ->
    # [(entity position, index in its per-entity part, visual)]; called after object ids exist
    singles: Callable[[np.ndarray], list[tuple[int, int, Visual]]] | None = None


GroupVisualizer = Callable[[GroupInput], GroupResult]
_GROUPED: dict[str, tuple[GroupVisualizer, tuple[str, ...], str]] = {}


def register_grouped(*archetypes: str, fields: Sequence[str], required: str) -> Callable[[GroupVisualizer], GroupVisualizer]:
    """Decorator: `build` draws these archetypes for many entities at once, reading `fields`;
    an entity without `required` is not in the group."""
    def deco(fn: GroupVisualizer) -> GroupVisualizer:
        for a in archetypes:
            _GROUPED[a] = (fn, tuple(fields), required)
        return fn
    return deco


def grouped_visualizers() -> dict[str, tuple[GroupVisualizer, tuple[str, ...], str]]:
    """Archetype -> (grouped visualizer, fields, required field)."""
    from .visualizers import archetypes
    archetypes()   # imports every visualizer module, the grouped ones included
    return _GROUPED
