"""What every visualizer gets and the helpers they share.

A visualizer is a function `build(inp: VisualizerInput) -> Part` registered for an archetype
name (see `annoview.scene.visualizers`). Its input is frozen and typed: the entity path, its
cells for this archetype (field name -> stored cell, decoded on demand by `value`), the
resolved annotation context with its palette key and owner entity, the entity's view options,
the cache key (the row ids of those cells) and the builder's services (stable object ids,
per-entity default colors, memos shared across frames). Everything a visualizer needs is here,
so it never reaches into the store or the builder.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from ...annotations import ResolvedContext, ResolvedInstances, resolve_instances
from ...instances import RGBA, broadcast_last, explicit_colors
from ...store import CellRef
from ..model import EntityOptions, Part, SceneObject
from ..visuals import (LABEL_PRIORITY_CONTEXT, LABEL_PRIORITY_EXPLICIT, LabelsVisual, PointsVisual, Visual,
                       label_idents)

PER_INSTANCE = frozenset({"radii", "colors", "labels", "class_ids", "keypoint_ids"})
LABELS_MAX_INSTANCES = 30  # labels shown below this many instances (or exactly one label); docs/semantics.md rule 7


class Services(Protocol):
    """What the builder lends visualizers: state that outlives one frame."""

    def object_id(self, entity: str, kind: str) -> int: ...

    def default_color(self, entity: str) -> RGBA: ...

    def skeleton(self, key: Hashable, ctx: ResolvedContext, class_ids: Any, kp_ids: Any,
                 n: int) -> tuple[np.ndarray, np.ndarray]: ...

    def classes_present(self, cache: tuple, ids: np.ndarray) -> list[int]: ...

    def resolve(self, key: Hashable, ctx: ResolvedContext, n: int, class_ids: Any, keypoint_ids: Any,
                colors: Any, labels: Any, entity_path: str) -> ResolvedInstances: ...


@dataclass(frozen=True, eq=False)
class VisualizerInput:
    path: str
    archetype: str
    cells: Mapping[str, CellRef]      # field name ("positions") -> stored cell of this archetype
    context: ResolvedContext
    palette_key: Hashable             # names the palette texture of `context`
    context_owner: str | None         # entity whose AnnotationContext was used (None: auto colors)
    options: EntityOptions
    cache_key: tuple                  # ((component, row key), ...) of `cells`: same key, same data
    services: Services
    instances: int | None = None      # set by `with_instances`: per-instance fields are cut to it

    def value(self, field: str) -> Any:
        """The decoded value of one field, None when not logged or logged empty (an empty array
        clears a field: the visualizer falls back to its default, as in Rerun)."""
        ref = self.cells.get(field)
        if ref is None:
            return None
        got = ref.value
        got = got.to_pylist() if hasattr(got, "to_pylist") else got  # Arrow arrays (texts, structs) as lists
        if got is None or not len(got):
            return None
        n = self.instances
        if n is not None and field in PER_INSTANCE and len(got) > max(n, 1):
            return got[:max(n, 1)]
        return got

    def with_instances(self, n: int) -> "VisualizerInput":
        """This input with per-instance fields cut to `n` values: rerun-sdk records longer ones
        (3 radii for 1 point) and its viewer uses what it needs; so does this scene. The same
        input when nothing is longer (the usual case: no copy)."""
        limit = max(n, 1)
        for field in PER_INSTANCE:
            ref = self.cells.get(field)
            if ref is not None and ref.value is not None and len(ref.value) > limit:
                return replace(self, instances=n)
        return self

    def draw_order(self, default: float) -> float:
        d = self.value("draw_order")
        return default if d is None or not len(d) else float(d[0])

    def colors(self) -> np.ndarray | None:
        """Explicit colors as (K, 4) uint8, None when none were logged."""
        return explicit_colors(self.value("colors"))

    def object_id(self, kind: str) -> int:
        return self.services.object_id(self.path, kind)

    def default_color(self) -> RGBA:
        return self.services.default_color(self.path)

    def scene_object(self, object_id: int, kind: str, **kw: Any) -> SceneObject:
        return SceneObject(object_id, entity=self.path, archetype=self.archetype, kind=kind,
                           context_entity=self.context_owner, palette_key=self.palette_key,
                           cells=dict(self.cells), **kw)

    def resolver(self, n: int, *, keypoints: bool = False) -> Callable[[], ResolvedInstances]:
        """Resolves colors and labels of the n instances when hover or the inspector asks."""
        ctx, path = self.context, self.path
        class_ids, colors, labels = self.value("class_ids"), self.value("colors"), self.value("labels")
        kp_ids = self.value("keypoint_ids") if keypoints else None
        resolve = getattr(self.services, "resolve", None)
        if resolve is not None:  # memoized by value: 1,000 people share one resolution
            key = self.palette_key
            return lambda: resolve(key, ctx, n, class_ids, kp_ids, colors, labels, path)
        return lambda: resolve_instances(ctx, n, class_ids=class_ids, keypoint_ids=kp_ids, colors=colors,
                                         labels=labels, entity_path=path)


def add_labels(inp: VisualizerInput, target: list[Visual], visual: Any, obj: SceneObject, n: int,
               make: Callable[[Any, Sequence[str | None]], LabelsVisual]) -> None:
    """docs/semantics.md rule 7: shown when the entity has exactly one label or fewer than 30
    instances; `show_labels` forces it either way, and the view's labels option (`options.labels`:
    on / off) overrides both. Labels are resolved only when they may be shown.

    Rule 3: one explicit label, or a class id given once, for several instances is drawn once,
    at the center of their bounding box, in the first instance's color. Explicit labels get
    `LABEL_PRIORITY_EXPLICIT`, so they win a place over context labels when labels collide."""
    explicit = inp.value("labels")
    show = inp.value("show_labels")
    forced = inp.options.labels            # the view's labels option (None: auto) wins over show_labels
    if forced is None and show is not None:
        forced = bool(show[0])
    if forced is False:
        return
    if forced is None and not (n < LABELS_MAX_INSTANCES or (explicit is not None and len(explicit) == 1)):
        return
    res = obj.resolved()
    if res is None:
        return
    n_explicit = 0 if explicit is None else len(explicit)
    if res.shared_label is not None and n > 1:
        label = _center_label(visual, res.shared_label, explicit=n_explicit > 0)
        label.idents = label_idents(inp.path, np.zeros(1))
        target.append(label)
        return
    if any(res.labels):
        labels = make(visual, res.labels)
        inst = np.arange(len(labels.texts)) if labels.instances is None else np.asarray(labels.instances, np.int64)
        labels.priority = np.where(inst < n_explicit, LABEL_PRIORITY_EXPLICIT, LABEL_PRIORITY_CONTEXT).astype(np.float32)
        labels.idents = label_idents(inp.path, inst)
        target.append(labels)


def _center_label(visual: Any, text: str, explicit: bool) -> LabelsVisual:
    """One label centered under the center of a visual's bounds, in its first instance's color
    (its keypoint's color for keypoints)."""
    bmin, bmax = visual.bounds() or (np.zeros(2), np.zeros(2))
    center = ((bmin + bmax) / 2).astype(np.float32)[None, :]
    kp = getattr(visual, "keypoint_ids", None)
    return LabelsVisual(positions=center, texts=[text], colors=visual.colors,
                        class_ids=None if visual.class_ids is None else np.asarray(visual.class_ids).reshape(-1)[:1],
                        keypoint_ids=None if kp is None else np.asarray(kp).reshape(-1)[:1],
                        palette_key=visual.palette_key, default_color=visual.default_color,
                        object_id=visual.object_id, anchor="below",
                        priority=LABEL_PRIORITY_EXPLICIT if explicit else LABEL_PRIORITY_CONTEXT,
                        extent=float(np.sqrt(((np.asarray(bmax) - np.asarray(bmin)) ** 2).sum())),
                        cache_key=None if visual.cache_key is None else ("label1", visual.cache_key))


def target_list(part: Part, space: str) -> list[Visual]:
    """The part's visual list for a space: "2d" or "3d"."""
    return part.visuals_2d if space == "2d" else part.visuals_3d


def instance_rows(value: Any, n: int, dim: int, default: float = 0.0) -> np.ndarray:
    """A per-instance vector component as (n, dim) float32: a shorter list repeats its last row,
    a missing one is `default` everywhere (docs/semantics.md rule 3)."""
    if value is None or not len(value):
        return np.full((n, dim), default, np.float32)
    rows = np.asarray(value, np.float32).reshape(-1, dim)
    return np.asarray(broadcast_last(rows, n), np.float32)


def instance_count(inp: VisualizerInput, *fields: str) -> int:
    """Instances of a batch whose length is set by several fields: the longest; a field of one
    value applies to all, any other length must match."""
    lengths = [len(v) for v in (inp.value(f) for f in fields) if v is not None and len(v)]
    n = max(lengths, default=0)
    bad = [k for k in lengths if k not in (1, n)]
    if bad:
        raise ValueError(f"{'/'.join(fields)} have {lengths} values; expected one or {n} each")
    return n
