"""What a scene build produces: the `Scene` of one time, the `Part` one visualizer adds to it,
the `SceneObject` behind each pickable object id, and the view options the UI can set.

Plain data, no GL: the renderer draws `Scene.visuals_2d` / `visuals_3d`, hover and the inspector
read `Scene.objects`, the legend reads `Scene.contexts` and `Scene.class_counts`.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

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


class LazyObjects:
    """Scene objects of many entities, built only when asked for.

    A grouped build (scene/grouped.py) draws 10,000 entities without making 20,000 Python
    objects; hover asks for one. `object_ids` (sorted) are the ids this source can give;
    `materialize(i)` builds the objects of its i-th entity (every object id of that entity)."""

    __slots__ = ("object_ids", "entity_index", "materialize")

    def __init__(self, object_ids: np.ndarray, entity_index: np.ndarray,
                 materialize: Callable[[int], dict[int, "SceneObject"]]) -> None:
        order = np.argsort(object_ids, kind="stable")
        self.object_ids = np.asarray(object_ids, np.int64)[order]
        self.entity_index = np.asarray(entity_index, np.int64)[order]
        self.materialize = materialize

    def find(self, object_id: int) -> int | None:
        i = int(np.searchsorted(self.object_ids, object_id))
        if i < len(self.object_ids) and self.object_ids[i] == object_id:
            return int(self.entity_index[i])
        return None


class ObjectTable(MutableMapping[int, "SceneObject"]):
    """`Scene.objects`: object id -> SceneObject, a dict whose entries may come from
    `LazyObjects` sources, built on first access (iteration builds them all)."""

    def __init__(self, eager: dict[int, "SceneObject"] | None = None) -> None:
        self._eager: dict[int, SceneObject] = dict(eager or {})
        self._lazy: list[LazyObjects] = []

    def add_lazy(self, source: LazyObjects) -> None:
        if len(source.object_ids):
            self._lazy.append(source)

    def _load(self, object_id: int) -> "SceneObject | None":
        for src in self._lazy:
            i = src.find(object_id)
            if i is not None:
                for oid, obj in src.materialize(i).items():
                    self._eager.setdefault(oid, obj)
                return self._eager.get(object_id)
        return None

    def _load_all(self) -> None:
        lazy, self._lazy = self._lazy, []
        for src in lazy:
            for i in np.unique(src.entity_index).tolist():
                for oid, obj in src.materialize(i).items():
                    self._eager.setdefault(oid, obj)

    def __getitem__(self, object_id: int) -> "SceneObject":
        obj = self._eager.get(object_id)
        if obj is None:
            obj = self._load(object_id)
            if obj is None:
                raise KeyError(object_id)
        return obj

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._eager or (isinstance(object_id, (int, np.integer))
                                            and self._load(int(object_id)) is not None)

    def __setitem__(self, object_id: int, obj: "SceneObject") -> None:
        self._eager[object_id] = obj

    def __delitem__(self, object_id: int) -> None:
        self._load_all()
        del self._eager[object_id]

    def __iter__(self) -> Iterator[int]:
        self._load_all()
        return iter(self._eager)

    def __len__(self) -> int:
        self._load_all()
        return len(self._eager)

    def ids(self) -> np.ndarray:
        """Every object id, without building the lazy objects (int64, unsorted)."""
        parts = [np.fromiter(self._eager, np.int64, len(self._eager))] + [src.object_ids for src in self._lazy]
        return np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]

    def update_eager(self, objects: dict[int, "SceneObject"]) -> None:
        self._eager.update(objects)


def add_class_counts(into: dict[Hashable, dict[int, int]], counts: dict[Hashable, dict[int, int]]) -> None:
    """Add a part's legend counts (palette key -> class id -> instances) into a scene's."""
    for key, per_class in counts.items():
        target = into.setdefault(key, {})
        for cid, n in per_class.items():
            target[cid] = target.get(cid, 0) + n


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
    objects: ObjectTable = field(default_factory=ObjectTable)  # object id -> SceneObject (a mapping)
    problems: list[tuple[str, str]] = field(default_factory=list)
    class_counts: dict[Hashable, dict[int, int]] = field(default_factory=dict)  # palette key -> id -> n
    segmentation_entities: list[str] = field(default_factory=list)
    view_up: np.ndarray | None = None      # the 3D view's up direction (ViewCoordinates); None: not said

    def merge(self, part: Part) -> None:
        self.visuals_2d.extend(part.visuals_2d)
        self.visuals_3d.extend(part.visuals_3d)
        self.merge_data(part)

    def merge_data(self, part: Part) -> None:
        """Everything of a part but its visuals (the grouped build places visuals itself)."""
        if isinstance(self.objects, ObjectTable):
            self.objects.update_eager(part.objects)
        else:
            self.objects.update(part.objects)
        self.problems.extend(part.problems)
        self.segmentation_entities.extend(part.segmentation_entities)
        add_class_counts(self.class_counts, part.class_counts)


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

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"labels": LABEL_MODES}   # fields with a closed set of values

    def for_entity(self, path: str) -> EntityOptions:
        if self.labels not in LABEL_MODES:
            raise ValueError(f"labels: expected one of {', '.join(LABEL_MODES)}, got {self.labels!r}")
        labels = None if self.labels == "auto" else self.labels == "on"
        if not (self.seg_opacity or self.seg_zero_transparent or self.seg_outline) and labels is None:
            return NO_OPTIONS  # the common case, once per entity and frame: no allocation
        return EntityOptions(self.seg_opacity.get(path), self.seg_zero_transparent.get(path),
                             self.seg_outline.get(path), labels)


NO_OPTIONS = EntityOptions()
