"""Scene build: latest-at query results + resolved annotation contexts -> renderer visuals.

Each frame the viewer (or `annoview screenshot`) asks for the scene at a time; this module turns
store cells into the plain-array visuals of `annoview.render.visuals`, resolves each entity's
annotation context (nearest ancestor, itself included), and keeps what hover/inspection needs
(object id -> entity, per-instance arrays). A broken entity becomes a `problem` and the rest
still renders. Cache keys are built from the row ids of the cells used, so unchanged data is
never re-uploaded.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .annotations import (ResolvedContext, ResolvedInstances, context_from_cell, default_entity_color,
                          find_context_entity, resolve_instances, skeleton_segments)
from .render.visuals import (BoxesVisual, ImageVisual, LabelsVisual, LinesVisual, PointsVisual, SegmentationVisual,
                             Visual, box_labels, point_labels, strip_labels)
from .scene_batch import batch_visuals
from .store import CellRef, Store
from .image_decode import decode as decode_encoded_image
from .image_pixels import DisplayImage, display_array, display_image, segmentation_ids
from .types.colors import unpack_rgba

CONTEXT = "AnnotationContext:context"
AUTO_PALETTE_KEY = ("auto",)
LABELS_MAX_INSTANCES = 30  # Rerun's rule: labels shown below this many instances (or exactly one label)


@dataclass
class SceneObject:
    """What one pickable object id stands for, with what hover/inspection needs.

    Per-instance colors and labels are resolved only when asked for (hover, inspector): a frame
    with 1,000 skeleton entities must not pay for resolving 17,000 labels nobody looks at.
    """

    object_id: int
    entity: str
    archetype: str
    kind: str  # points | connections | boxes | lines | image | segmentation
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


@dataclass
class ViewOptions:
    """Per-entity display options the UI can set (segmentation opacity etc.)."""

    seg_opacity: dict[str, float] = field(default_factory=dict)
    seg_zero_transparent: dict[str, bool] = field(default_factory=dict)
    seg_outline: dict[str, bool] = field(default_factory=dict)


class SceneBuilder:
    """Builds `Scene`s from a store; object ids stay stable across frames for the same entity."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._object_ids: dict[tuple[str, str], int] = {}
        self._skeleton_memo: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._mask_classes: dict[tuple, list[int]] = {}
        self._parts: dict[tuple[str, str], tuple[tuple, _Part]] = {}
        self._batches: dict[Hashable, tuple[tuple, Visual]] = {}
        self._entity_colors: dict[str, tuple[int, int, int, int]] = {}
        self._owners: dict[str, str | None] = {}
        self._owners_for: frozenset[str] = frozenset()

    def object_id(self, entity: str, kind: str) -> int:
        key = (entity, kind)
        oid = self._object_ids.get(key)
        if oid is None:
            oid = self._object_ids[key] = len(self._object_ids) + 1
        return oid

    def build(self, timeline: str | None, t: int | None, *, hidden: Iterable[str] = (),
              options: ViewOptions | None = None) -> Scene:
        options = options or ViewOptions()
        hidden_set = set(hidden)
        query = self.store.query(None, timeline, t)
        scene = Scene()
        context_entities = {query.paths[i] for i in query.hits[CONTEXT].entities} if CONTEXT in query.hits else set()
        per_entity: list[tuple[str, dict[str, CellRef]]] = []
        for path in sorted(query.paths):  # deterministic draw order for equal draw orders
            cells = query.for_entity(path)
            if cells and path not in hidden_set:
                per_entity.append((path, cells))
        if context_entities != self._owners_for:
            self._owners, self._owners_for = {}, frozenset(context_entities)
        for path, cells in per_entity:
            owner = self._owners.get(path, "")
            if owner == "":
                owner = self._owners[path] = find_context_entity(path, context_entities.__contains__)
            key, ctx = self._context(scene, owner, query.for_entity(owner) if owner else {})
            archetypes = {c.split(":", 1)[0] for c in cells}
            for arch in sorted(archetypes):
                if arch != "AnnotationContext":
                    _merge_part(scene, self._part(path, arch, cells, key, ctx, owner, options))
        scene.visuals_2d = batch_visuals(scene.visuals_2d, self._batches)
        scene.visuals_3d = batch_visuals(scene.visuals_3d, self._batches)
        return scene

    def _part(self, path: str, arch: str, cells: dict[str, CellRef], key: Hashable, ctx: ResolvedContext,
              owner: str | None, options: ViewOptions) -> "_Part":
        """One entity's archetype, reused while the row ids of its cells, its context and its view
        options are unchanged: a live stream that updates a few entities, or a paused view whose
        store grows elsewhere, rebuilds only what changed. One part is kept per entity and
        archetype, so memory stays proportional to the entity count."""
        cache = tuple(sorted((c, r.row_key) for c, r in cells.items() if c.startswith(arch + ":")))
        view = ((options.seg_opacity.get(path), options.seg_zero_transparent.get(path), options.seg_outline.get(path))
                if arch == "SegmentationImage" else None)
        memo_key = (cache, key, view)
        held = self._parts.get((path, arch))
        if held is not None and held[0] == memo_key:
            return held[1]
        part = _Part()
        try:
            self._build_archetype(part, path, arch, cells, cache, key, ctx, owner, options)  # type: ignore[arg-type]
        except Exception as e:  # bad data in one entity must not take the view down
            part = _Part()
            part.problems.append((path, f"{arch}: {type(e).__name__}: {e}"))
        self._parts[(path, arch)] = (memo_key, part)
        return part

    # ---- contexts --------------------------------------------------------------------------
    def _context(self, scene: Scene, owner: str | None, cells: dict[str, CellRef]) -> tuple[Hashable, ResolvedContext]:
        ref = cells.get(CONTEXT)
        if owner is None or ref is None:
            key: Hashable = AUTO_PALETTE_KEY
            ctx = scene.contexts.get(key) or context_from_cell([], AUTO_PALETTE_KEY)
        else:
            key = ("ctx", owner, ref.row_key)
            ctx = scene.contexts.get(key) or context_from_cell(ref.value, ref.row_key)
        scene.contexts[key] = ctx
        scene.context_owner[key] = owner if ref is not None else None
        return key, ctx

    def _count(self, scene: Scene, key: Hashable, class_ids: np.ndarray | None, n: int) -> None:
        """Instances per class for the legend (class ids shorter than n repeat their last value)."""
        if class_ids is None or not len(class_ids) or not n:
            return
        counts = scene.class_counts.setdefault(key, {})
        ids = np.asarray(class_ids)[:n]
        if len(ids) == 1:
            cid = int(ids[0])
            counts[cid] = counts.get(cid, 0) + n
            return
        uniq, num = np.unique(ids, return_counts=True)
        num[uniq == ids[-1]] += n - len(ids)
        for i, c in zip(uniq.tolist(), num.tolist()):
            counts[i] = counts.get(i, 0) + c

    # ---- archetypes ------------------------------------------------------------------------
    def _build_archetype(self, scene: Scene, path: str, arch: str, cells: dict[str, CellRef], cache: tuple,
                         key: Hashable, ctx: ResolvedContext, owner: str | None, options: ViewOptions) -> None:
        def value(field_name: str) -> Any:
            ref = cells.get(f"{arch}:{field_name}")
            return None if ref is None else ref.value

        common = dict(entity=path, archetype=arch, context_entity=owner, palette_key=key,
                      cells={c.split(":", 1)[1]: r for c, r in cells.items() if c.startswith(arch + ":")})
        if arch in ("Points2D", "Points3D"):
            self._points(scene, path, arch, value, cache, key, ctx, common)
        elif arch == "Boxes2D":
            self._boxes(scene, path, value, cache, key, ctx, common)
        elif arch in ("LineStrips2D", "LineStrips3D"):
            self._strips(scene, path, arch, value, cache, key, ctx, common)
        elif arch in ("Image", "EncodedImage"):
            disp = self._display_image(arch, value)
            if disp is not None:
                oid = self.object_id(path, "image")
                opacity = value("opacity")
                scene.visuals_2d.append(ImageVisual(
                    image=disp.pixels, value_range=disp.value_range, linear=disp.linear, bgr=disp.bgr,
                    smooth=_magnified_smoothly(value("magnification_filter")),
                    object_id=oid, cache_key=("img", cache), opacity=1.0 if opacity is None else float(opacity[0]),
                    draw_order=_draw_order(value, -10.0)))
                scene.objects[oid] = SceneObject(oid, kind="image", **common)
        elif arch == "SegmentationImage":
            ids = segmentation_ids(value("buffer"), value("format"))
            oid = self.object_id(path, "segmentation")
            opacity = value("opacity")
            op = options.seg_opacity.get(path, None if opacity is None else float(opacity[0]))
            scene.visuals_2d.append(SegmentationVisual(
                ids=ids, palette_key=key, opacity=op, object_id=oid, cache_key=("seg", cache),
                zero_transparent=options.seg_zero_transparent.get(path, False),
                outline=options.seg_outline.get(path, False), draw_order=_draw_order(value, 0.0)))
            scene.objects[oid] = SceneObject(oid, kind="segmentation", **common)
            scene.segmentation_entities.append(path)
            bucket = scene.class_counts.setdefault(key, {})
            for i in self._classes_present(cache, ids):
                bucket[i] = bucket.get(i, 0) + 1  # one instance (region) per class present
        else:
            scene.problems.append((path, f"{arch}: not rendered by annoview (kept in the store)"))

    @staticmethod
    def _display_image(arch: str, value: Any) -> DisplayImage | None:
        """Image cells (raw bytes + format) or an EncodedImage blob (decoded with its size bounded)
        -> pixels and value range; a ValueError becomes the entity's problem line."""
        if arch == "Image":
            return display_image(value("buffer"), value("format"))
        blob, media_type = value("blob"), value("media_type")
        if blob is None:
            raise ValueError("EncodedImage without a blob")
        pixels = decode_encoded_image(blob, media_type[0] if media_type else None)
        return display_array(pixels) if pixels.size else None

    def _points(self, scene: Scene, path: str, arch: str, value: Any, cache: tuple, key: Hashable,
                ctx: ResolvedContext, common: dict) -> None:
        pos = np.asarray(value("positions"), np.float32)
        n = len(pos)
        value = _instances_of(value, n)
        class_ids, kp_ids, colors_packed, labels = value("class_ids"), value("keypoint_ids"), value("colors"), value("labels")
        oid = self.object_id(path, "points")
        target = scene.visuals_2d if arch == "Points2D" else scene.visuals_3d
        pts = PointsVisual(positions=pos, radii=value("radii"), colors=_explicit_colors(colors_packed),
                           class_ids=None if class_ids is None else np.asarray(class_ids),
                           keypoint_ids=None if kp_ids is None or class_ids is None else np.asarray(kp_ids),
                           palette_key=key, default_color=self._default_color(path), object_id=oid,
                           cache_key=("pts", cache, key), draw_order=_draw_order(value, 30.0))
        target.append(pts)
        obj = scene.objects[oid] = SceneObject(
            oid, kind="points", positions=pos, **common,
            resolve=lambda: resolve_instances(ctx, n, class_ids=class_ids, keypoint_ids=kp_ids, colors=colors_packed,
                                              labels=labels, entity_path=path))
        self._count(scene, key, class_ids, n)
        if class_ids is not None and kp_ids is not None:
            pairs, pair_classes = self._skeleton(key, ctx, class_ids, kp_ids, n)
            if len(pairs):
                cid = self.object_id(path, "connections")
                target.append(LinesVisual.keypoint_connections(
                    pos, pairs, pair_classes, palette_key=key, object_id=cid,
                    cache_key=("conn", cache, key), draw_order=_draw_order(value, 30.0) - 0.5))
                scene.objects[cid] = SceneObject(cid, kind="connections", positions=pos, pairs=pairs,
                                                 pair_classes=pair_classes, **common)
        self._labels(target, pts, obj, labels, value, n, point_labels)

    def _skeleton(self, key: Hashable, ctx: ResolvedContext, class_ids: np.ndarray, kp_ids: np.ndarray,
                  n: int) -> tuple[np.ndarray, np.ndarray]:
        """Rule 6 segments, memoized by value: the same ids under the same context (every frame of
        every person, typically) give the same pairs."""
        memo_key = (key, n, np.asarray(class_ids).tobytes(), np.asarray(kp_ids).tobytes())
        hit = self._skeleton_memo.get(memo_key)
        if hit is None:
            if len(self._skeleton_memo) > 4096:
                self._skeleton_memo.clear()
            hit = self._skeleton_memo[memo_key] = skeleton_segments(ctx, class_ids, kp_ids, n)
        return hit

    def _classes_present(self, cache: tuple, ids: np.ndarray) -> list[int]:
        """Class ids present in a mask, memoized by its cells' row ids: a 4K mask costs a full
        pass to count, and the same mask is seen again whenever the scene is rebuilt."""
        hit = self._mask_classes.get(cache)
        if hit is None:
            if len(self._mask_classes) > 1024:
                self._mask_classes.clear()
            hit = self._mask_classes[cache] = np.flatnonzero(np.bincount(ids.reshape(-1), minlength=1)).tolist()
        return hit

    def _default_color(self, path: str) -> tuple[int, int, int, int]:
        color = self._entity_colors.get(path)
        if color is None:
            color = self._entity_colors[path] = default_entity_color(path)
        return color

    def _labels(self, target: list[Visual], visual: Any, obj: SceneObject, explicit: Any, value: Any,
                n: int, make: Any) -> None:
        """REFERENCE rule 7: shown when the entity has exactly one label or fewer than 30 instances;
        `show_labels` forces it either way. Labels are resolved only when they may be shown."""
        show = value("show_labels")
        if show is not None and not bool(show[0]):
            return
        if show is None and not (n < LABELS_MAX_INSTANCES or (explicit is not None and len(explicit) == 1)):
            return
        res = obj.resolved()
        if res is None or not any(res.labels):
            return
        if res.shared_label is not None and n > 1 and isinstance(visual, PointsVisual):
            bmin, bmax = visual.bounds() or (np.zeros(2), np.zeros(2))
            center = ((bmin + bmax) / 2).astype(np.float32)[None, :]
            target.append(LabelsVisual(positions=center, texts=[res.shared_label], colors=visual.colors,
                                       class_ids=None if visual.class_ids is None else visual.class_ids[:1],
                                       palette_key=visual.palette_key, default_color=visual.default_color,
                                       object_id=visual.object_id, anchor="center",
                                       cache_key=None if visual.cache_key is None else ("label1", visual.cache_key)))
            return
        target.append(make(visual, res.labels))

    def _boxes(self, scene: Scene, path: str, value: Any, cache: tuple, key: Hashable, ctx: ResolvedContext,
               common: dict) -> None:
        if value("half_sizes") is None:
            return  # centers alone (rerun-sdk records them): no box to draw, as in Rerun
        half = np.asarray(value("half_sizes"), np.float32).reshape(-1, 2)
        raw_centers = value("centers")
        centers = (np.zeros((1, 2), np.float32) if raw_centers is None or not len(raw_centers)
                   else np.asarray(raw_centers, np.float32).reshape(-1, 2))
        n = max(len(centers), len(half))
        if not len(half):
            return
        half, centers = _clamped(half, n), _clamped(centers, n)
        value = _instances_of(value, n)
        class_ids, colors_packed, labels = value("class_ids"), value("colors"), value("labels")
        oid = self.object_id(path, "boxes")
        colors = _explicit_colors(colors_packed)
        boxes = BoxesVisual(mins=centers - half, sizes=2 * half, radii=value("radii"), colors=colors,
                            class_ids=None if class_ids is None else np.asarray(class_ids), palette_key=key,
                            default_color=self._default_color(path), object_id=oid, cache_key=("box", cache, key),
                            draw_order=_draw_order(value, 10.0))
        scene.visuals_2d.append(boxes)
        obj = scene.objects[oid] = SceneObject(
            oid, kind="boxes", positions=centers, **common,
            resolve=lambda: resolve_instances(ctx, n, class_ids=class_ids, colors=colors_packed, labels=labels,
                                              entity_path=path))
        self._count(scene, key, class_ids, n)
        self._labels(scene.visuals_2d, boxes, obj, labels, value, n, box_labels)

    def _strips(self, scene: Scene, path: str, arch: str, value: Any, cache: tuple, key: Hashable,
                ctx: ResolvedContext, common: dict) -> None:
        strips = [np.asarray(s, np.float32) for s in value("strips")]
        n = len(strips)
        value = _instances_of(value, n)
        class_ids, colors_packed, labels = value("class_ids"), value("colors"), value("labels")
        oid = self.object_id(path, "lines")
        colors = _explicit_colors(colors_packed)
        target = scene.visuals_2d if arch == "LineStrips2D" else scene.visuals_3d
        lines = LinesVisual.from_strips(
            strips, radii=value("radii"), colors=colors, class_ids=None if class_ids is None else np.asarray(class_ids),
            palette_key=key, default_color=self._default_color(path), object_id=oid, cache_key=("strips", cache, key),
            draw_order=_draw_order(value, 20.0))
        target.append(lines)
        dim = strips[0].shape[1] if strips else 2
        firsts = np.array([s[0] if len(s) else np.zeros(dim) for s in strips], np.float32).reshape(-1, dim)
        centers = np.array([s.mean(0) if len(s) else np.zeros(dim) for s in strips], np.float32).reshape(-1, dim)
        obj = scene.objects[oid] = SceneObject(
            oid, kind="lines", positions=firsts, **common,
            resolve=lambda: resolve_instances(ctx, n, class_ids=class_ids, colors=colors_packed, labels=labels,
                                              entity_path=path))
        self._count(scene, key, class_ids, n)
        # as Rerun does, a labeled strip (explicit or class label) shows it at the strip's center
        self._labels(target, lines, obj, labels, value, n, lambda vis, texts: strip_labels(vis, texts, centers))


class _Part:
    """What one entity's archetype adds to a scene (the fields of Scene it writes)."""

    __slots__ = ("visuals_2d", "visuals_3d", "objects", "problems", "segmentation_entities", "class_counts")

    def __init__(self) -> None:
        self.visuals_2d: list[Visual] = []
        self.visuals_3d: list[Visual] = []
        self.objects: dict[int, SceneObject] = {}
        self.problems: list[tuple[str, str]] = []
        self.segmentation_entities: list[str] = []
        self.class_counts: dict[Hashable, dict[int, int]] = {}


def _merge_part(scene: Scene, part: _Part) -> None:
    scene.visuals_2d.extend(part.visuals_2d)
    scene.visuals_3d.extend(part.visuals_3d)
    scene.objects.update(part.objects)
    scene.problems.extend(part.problems)
    scene.segmentation_entities.extend(part.segmentation_entities)
    for key, counts in part.class_counts.items():
        into = scene.class_counts.setdefault(key, {})
        for cid, n in counts.items():
            into[cid] = into.get(cid, 0) + n


_PER_INSTANCE = frozenset({"radii", "colors", "labels", "class_ids", "keypoint_ids"})


def _instances_of(value: Callable[[str], Any], n: int) -> Callable[[str], Any]:
    """`value` with per-instance fields cut to `n` instances: rerun-sdk records longer ones
    (3 radii for 1 point) and its viewer uses what it needs; so does this scene."""
    def cut(name: str) -> Any:
        got = value(name)
        if name in _PER_INSTANCE and got is not None and len(got) > n:
            return got[:max(n, 1)]
        return got
    return cut


def _magnified_smoothly(code: Any) -> bool:
    """Rerun's MagnificationFilter: 1 Nearest (default), 2 Linear, 3 Bicubic (drawn linear here)."""
    return code is not None and len(code) > 0 and int(code[0]) in (2, 3)


def _clamped(values: np.ndarray, n: int) -> np.ndarray:
    """`n` rows: the last one repeats (Rerun's rule for a component shorter than the instances)."""
    if len(values) >= n:
        return values[:n]
    return np.concatenate([values, np.repeat(values[-1:], n - len(values), 0)])


def _explicit_colors(packed: np.ndarray | None) -> np.ndarray | None:
    """Stored 0xRRGGBBAA colors -> (K, 4) uint8, None when the entity logged none."""
    return None if packed is None or not len(packed) else unpack_rgba(packed)


def _draw_order(value: Any, default: float) -> float:
    d = value("draw_order")
    return default if d is None or not len(d) else float(d[0])
