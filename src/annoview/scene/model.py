"""What a scene build produces: the `Scene` of one time, the `Part` one visualizer adds to it,
the `SceneObject` behind each pickable object id, and the view options the UI can set.

Plain data, no GL: the renderer draws `Scene.visuals_2d` / `visuals_3d`, hover and the inspector
read `Scene.objects`, the legend reads `Scene.contexts` and `Scene.class_counts`.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..annotations import ResolvedContext, ResolvedInstances
from ..store import CellRef
from .visuals import Visual


@dataclass
class SceneObject:
    """What one pickable object id stands for, with what hover/inspection needs.

    Per-instance colors and labels are resolved only when asked for (hover, inspector): a frame
    with 1,000 skeleton entities must not pay for resolving 17,000 labels nobody looks at.
    """

    object_id: int
    entity: str
    archetype: str
    kind: str  # points | connections | boxes | lines | image | segmentation | arrows | ellipsoids
    context_entity: str | None
    palette_key: Hashable
    positions: np.ndarray | None = None
    cells: dict[str, CellRef] = field(default_factory=dict, repr=False)  # field name -> stored cell
    pairs: np.ndarray | None = None           # connections: (M, 2) instance pairs
    pair_classes: np.ndarray | None = None    # connections: class id per pair
    resolve: Callable[[], ResolvedInstances] | None = field(default=None, repr=False)
    _resolved: ResolvedInstances | None = field(default=None, repr=False)

    @property
    def components(self) -> dict[str, Any]:
        """Every logged component value of the archetype (decoded on demand, for the inspector)."""
        return {name: ref.value for name, ref in self.cells.items()}

    def resolved(self) -> ResolvedInstances | None:
        if self._resolved is None and self.resolve is not None:
            self._resolved = self.resolve()
        return self._resolved

    @property
    def class_ids(self) -> np.ndarray | None:
        """Per instance (broadcast); for connections, per pair."""
        if self.kind == "connections":
            return self.pair_classes
        r = self.resolved()
        return None if r is None else r.class_ids

    @property
    def keypoint_ids(self) -> np.ndarray | None:
        r = self.resolved()
        return None if r is None else r.keypoint_ids

    @property
    def labels(self) -> list[str | None]:
        r = self.resolved()
        return [] if r is None else r.labels

    @property
    def colors(self) -> np.ndarray | None:
        r = self.resolved()
        return None if r is None else r.colors


class Part:
    """What one entity's archetype adds to a scene (the fields of Scene it writes).

    A visualizer returns one; the builder caches it per (entity, archetype) and merges it into
    the frame's Scene. Visuals in `visuals_2d` / `visuals_3d` are in the entity's own space.
    """

    __slots__ = ("visuals_2d", "visuals_3d", "objects", "problems", "segmentation_entities", "class_counts")

    def __init__(self) -> None:
        self.visuals_2d: list[Visual] = []
        self.visuals_3d: list[Visual] = []
        self.objects: dict[int, SceneObject] = {}
        self.problems: list[tuple[str, str]] = []
        self.segmentation_entities: list[str] = []
        self.class_counts: dict[Hashable, dict[int, int]] = {}

    def count_classes(self, key: Hashable, class_ids: np.ndarray | None, n: int) -> None:
        """Instances per class for the legend (class ids shorter than n repeat their last value)."""
        if class_ids is None or not len(class_ids) or not n:
            return
        counts = self.class_counts.setdefault(key, {})
        ids = np.asarray(class_ids)[:n]
        if len(ids) == 1:
            cid = int(ids[0])
            counts[cid] = counts.get(cid, 0) + n
            return
        uniq, num = np.unique(ids, return_counts=True)
        num[uniq == ids[-1]] += n - len(ids)
        for i, c in zip(uniq.tolist(), num.tolist()):
            counts[i] = counts.get(i, 0) + c


@dataclass
class Scene:
    visuals_2d: list[Visual] = field(default_factory=list)
    visuals_3d: list[Visual] = field(default_factory=list)
    contexts: dict[Hashable, ResolvedContext] = field(default_factory=dict)  # palette key -> context
    context_owner: dict[Hashable, str | None] = field(default_factory=dict)  # palette key -> entity path
    objects: dict[int, SceneObject] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    class_counts: dict[Hashable, dict[int, int]] = field(default_factory=dict)  # palette key -> id -> n
    segmentation_entities: list[str] = field(default_factory=list)
    view_up: np.ndarray | None = None      # the 3D view's up direction (ViewCoordinates); None: not said

    def merge(self, part: Part) -> None:
        self.visuals_2d.extend(part.visuals_2d)
        self.visuals_3d.extend(part.visuals_3d)
        self.objects.update(part.objects)
        self.problems.extend(part.problems)
        self.segmentation_entities.extend(part.segmentation_entities)
        for key, counts in part.class_counts.items():
            into = self.class_counts.setdefault(key, {})
            for cid, n in counts.items():
                into[cid] = into.get(cid, 0) + n


@dataclass(frozen=True)
class EntityOptions:
    """The view options of one entity, as a visualizer sees them (part of its cache key)."""

    seg_opacity: float | None = None
    seg_zero_transparent: bool | None = None
    seg_outline: bool | None = None
    labels: bool | None = None         # True / False: the view forces labels on / off; None: rule 7


LABEL_MODES = ("auto", "on", "off")


@dataclass
class ViewOptions:
    """Display options the UI can set: per entity (segmentation opacity etc.) and for the whole
    view (`labels`: "auto" follows docs/semantics.md rule 7 and `show_labels`; "on" labels every
    instance, overlapping ones being thinned out by placement; "off" draws none)."""

    seg_opacity: dict[str, float] = field(default_factory=dict)
    seg_zero_transparent: dict[str, bool] = field(default_factory=dict)
    seg_outline: dict[str, bool] = field(default_factory=dict)
    labels: str = "auto"

    def for_entity(self, path: str) -> EntityOptions:
        if self.labels not in LABEL_MODES:
            raise ValueError(f"labels: expected one of {', '.join(LABEL_MODES)}, got {self.labels!r}")
        labels = None if self.labels == "auto" else self.labels == "on"
        if not (self.seg_opacity or self.seg_zero_transparent or self.seg_outline) and labels is None:
            return NO_OPTIONS  # the common case, once per entity and frame: no allocation
        return EntityOptions(self.seg_opacity.get(path), self.seg_zero_transparent.get(path),
                             self.seg_outline.get(path), labels)


NO_OPTIONS = EntityOptions()
