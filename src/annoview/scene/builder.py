"""Scene build: latest-at query results + resolved annotation contexts -> renderer visuals.

Each frame the viewer (or `annoview screenshot`) asks for the scene at a time. `SceneBuilder`:

1. queries the store latest-at the time (one query for every entity); entities that a grouped
   visualizer covers (many entities of one archetype, such as one Points2D entity per person)
   are built together with array code (`grouped.py`, same result as the steps below), the
   others one by one:
2. finds each entity's annotation context (nearest ancestor, itself included) and resolves it
   once per context row (`ResolvedContext`, keyed by a palette key the renderer reuses);
3. for each archetype of the entity, calls the visualizer registered for it
   (`annoview.scene.visualizers`) with a frozen `VisualizerInput`; the `Part` it returns is cached
   per (entity, archetype) and reused while the row ids of its cells, its context and its view
   options are unchanged, so a live stream rebuilds only what changed;
4. places the part in the world (`placement.place`, see below) and merges it into the `Scene`;
5. batches many small visuals into few draws (`annoview.scene.batch`).

A broken entity becomes a `problem` and the rest still renders.

Where transforms go
-------------------
Every entity has a placement: its world-from-entity transform (a 4x4 matrix, composed along the
entity tree) and its space ("3d", or the 2D image space of a pinhole camera above it). Both are
computed in ONE place, `SceneBuilder._placement(query, origin)` (a `SpatialLayout` over a
`TransformTree` that caches each entity's space by the row ids of the transforms along its
chain), and applied in ONE place, `placement.place(part, path, layout)`, after the part cache and
before batching: parts stay in entity space and placed visuals only carry a model matrix, so an
animated transform moves cached geometry without rebuilding or re-uploading it. 3D visuals get
world-from-entity; 2D visuals under a pinhole go to the 2D view in pixels and to the 3D view on
the camera's image plane; the camera's frustum is added for its entity (docs/transforms.md).
Transform3D, Pinhole, ViewCoordinates and InstancePoses3D have no visualizer: they are the
placement's input.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np

from ..annotations import (ResolvedContext, ResolvedInstances, context_from_cell, default_entity_color,
                           find_context_entity, resolve_instances, skeleton_segments)
from ..instances import CONTEXT_ARCHETYPE, CONTEXT_COMPONENT, RGBA, archetypes_in, split_component
from ..store import CellRef, Store
from ..store.store import FrameQuery
from .batch import batch_visuals
from .grouped import GroupedBuild
from ..spatial import TransformTree
from .model import Part, Scene, SceneObject, ViewOptions
from .placement import SPATIAL_ARCHETYPES, SpatialLayout, place
from .visualizers import required_field, visualizer_for
from .visualizers.base import VisualizerInput
from .visuals import Visual

CONTEXT = CONTEXT_COMPONENT
AUTO_PALETTE_KEY = ("auto",)
# Applied to other entities (contexts) or by the store's queries (clears), never drawn themselves.
NOT_DRAWN = frozenset({CONTEXT_ARCHETYPE, "Clear"})


class SceneBuilder:
    """Builds `Scene`s from a store; object ids stay stable across frames for the same entity.

    Also the `Services` visualizers use: object ids, per-entity default colors, value memos.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._object_ids: dict[tuple[str, str], int] = {}
        self._skeleton_memo: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._mask_classes: dict[tuple, list[int]] = {}
        self._resolve_memo: dict[tuple, ResolvedInstances] = {}
        self._context_rank: dict[Hashable, int] = {}
        self._parts: dict[tuple[str, str], tuple[tuple, Part]] = {}
        self._batches: dict[Hashable, tuple[tuple, Visual]] = {}
        self._entity_colors: dict[str, RGBA] = {}
        self._owners: dict[str, str | None] = {}
        self._owners_for: frozenset[str] = frozenset()
        self._tree = TransformTree()
        self.grouped = GroupedBuild(self)  # many entities of one archetype at once (grouped.py)

    @property
    def transforms_recomputed(self) -> int:
        """Entity spaces computed so far (cache misses of the transform tree)."""
        return self._tree.recomputed

    # ---- services lent to visualizers ------------------------------------------------------
    def object_id(self, entity: str, kind: str) -> int:
        key = (entity, kind)
        oid = self._object_ids.get(key)
        if oid is None:
            oid = self._object_ids[key] = len(self._object_ids) + 1
        return oid

    def default_color(self, entity: str) -> RGBA:
        color = self._entity_colors.get(entity)
        if color is None:
            color = self._entity_colors[entity] = default_entity_color(entity)
        return color

    def skeleton(self, key: Hashable, ctx: ResolvedContext, class_ids: np.ndarray, kp_ids: np.ndarray,
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

    def resolve(self, key: Hashable, ctx: ResolvedContext, n: int, class_ids: Any, keypoint_ids: Any,
                colors: Any, labels: Any, entity_path: str) -> ResolvedInstances:
        """`resolve_instances`, memoized by value: every person of a pose scene has the same class
        and keypoint ids under the same context, so the same colors and labels. Each call gets
        its own copy (callers may keep or change what they get)."""
        def raw(v: Any) -> Hashable:
            if v is None:
                return None
            if isinstance(v, np.ndarray) and v.dtype.kind != "O":
                return (v.dtype.str, v.shape, v.tobytes())
            return ("seq", tuple(v))

        # the entity's own color matters only without class ids and colors (rule 4)
        who = entity_path if class_ids is None and colors is None else None
        memo_key = (key, n, raw(class_ids), raw(keypoint_ids), raw(colors), raw(labels), who)
        try:
            hit = self._resolve_memo.get(memo_key)
        except TypeError:   # values that do not hash: resolve them as they are
            return resolve_instances(ctx, n, class_ids=class_ids, keypoint_ids=keypoint_ids, colors=colors,
                                     labels=labels, entity_path=entity_path)
        if hit is None:
            if len(self._resolve_memo) > 4096:
                self._resolve_memo.clear()
            hit = self._resolve_memo[memo_key] = resolve_instances(
                ctx, n, class_ids=class_ids, keypoint_ids=keypoint_ids, colors=colors, labels=labels,
                entity_path=entity_path)
        return dataclasses.replace(hit, colors=hit.colors.copy(), labels=list(hit.labels))

    def classes_present(self, cache: tuple, ids: np.ndarray) -> list[int]:
        """Class ids present in a mask, memoized by its cells' row ids: a 4K mask costs a full
        pass to count, and the same mask is seen again whenever the scene is rebuilt."""
        hit = self._mask_classes.get(cache)
        if hit is None:
            if len(self._mask_classes) > 1024:
                self._mask_classes.clear()
            hit = self._mask_classes[cache] = np.flatnonzero(np.bincount(ids.reshape(-1), minlength=1)).tolist()
        return hit

    # ---- the frame -------------------------------------------------------------------------
    def build(self, timeline: str | None, t: int | None, *, hidden: Iterable[str] = (),
              options: ViewOptions | None = None, origin: str | None = None) -> Scene:
        """The scene at a time; `origin` (an entity path) makes both views show that entity's
        space only, as a Rerun view's origin does (None: everything, see placement.py)."""
        options = options or ViewOptions()
        hidden_set = set(hidden)
        query = self.store.query(None, timeline, t)
        scene = Scene()
        layout = self._placement(query, origin)
        scene.view_up = layout.view_up
        scene.problems.extend(layout.problems())
        context_entities = ({query.paths[i] for i in query.hits[CONTEXT].entities}
                            if CONTEXT in query.hits else set())
        if context_entities != self._owners_for:
            self._owners, self._owners_for = {}, frozenset(context_entities)
        # entities a grouped visualizer draws (scene/grouped.py); the rest one by one, below
        self._context_rank: dict[Hashable, int] = {}
        handled, groups = self.grouped.prepare(scene, query, layout, hidden_set, origin, context_entities)
        with_data = np.zeros(len(query.paths), bool)
        for h in query.hits.values():
            with_data[h.entities] = True
        rank = self.grouped.ranks(query.paths)
        singles = np.flatnonzero(with_data & ~handled)
        singles = singles[np.argsort(rank[singles], kind="stable")]  # path order: deterministic draw order
        cells_of = query.cells_of(singles)
        owner_cells: dict[str, dict[str, CellRef]] = {}
        entries_2d: list[tuple[tuple[int, int, int], Visual]] = []
        entries_3d: list[tuple[tuple[int, int, int], Visual]] = []
        for e in singles.tolist():
            path = query.paths[e]
            cells = cells_of[e]
            if not cells or path in hidden_set:
                continue
            owner = self._owners.get(path, "")
            if owner == "":
                owner = self._owners[path] = find_context_entity(path, context_entities.__contains__)
            if owner and owner not in owner_cells:
                owner_cells[owner] = query.cells_of(np.array([self.grouped.index_of(owner)]))[self.grouped.index_of(owner)]
            r = int(rank[e])
            key, ctx = self._context(scene, owner, owner_cells[owner] if owner else {}, r)
            archetypes = archetypes_in(cells)
            for ai, arch in enumerate(archetypes):
                if arch not in NOT_DRAWN and arch not in SPATIAL_ARCHETYPES:
                    part = self._part(path, arch, cells, key, ctx, owner, options)
                    placed = place(part, path, layout)
                    entries_2d.extend(((r, ai, j), v) for j, v in enumerate(placed.visuals_2d))
                    entries_3d.extend(((r, ai, j), v) for j, v in enumerate(placed.visuals_3d))
                    scene.merge_data(placed)
            if "Pinhole" in archetypes:
                entries_3d.extend(((r, len(archetypes), j), v)
                                  for j, v in enumerate(layout.camera_visuals(path, cells)))
        self.grouped.finish(scene, query, layout, options, groups, entries_2d, entries_3d)
        # contexts in the order of the first entity using each (the legend lists them so)
        order = sorted(scene.contexts, key=lambda k: self._context_rank.get(k, 0))
        scene.contexts = {k: scene.contexts[k] for k in order}
        scene.context_owner = {k: scene.context_owner[k] for k in order}
        scene.visuals_2d = [v for _, v in sorted(entries_2d, key=_first)]
        scene.visuals_3d = [v for _, v in sorted(entries_3d, key=_first)]
        layout.finish(scene.visuals_3d)
        scene.visuals_2d = batch_visuals(scene.visuals_2d, self._batches)
        scene.visuals_3d = batch_visuals(scene.visuals_3d, self._batches)
        return scene

    def _placement(self, query: FrameQuery, origin: str | None) -> SpatialLayout:
        """Every entity's world-from-entity transform and space at the query's time (see the
        module docstring). A recording without any transform, camera or view coordinates (most
        2D ones) skips the tree walk: everything sits where it was logged."""
        if origin is None and not any(split_component(c)[0] in SPATIAL_ARCHETYPES for c in query.hits):
            return SpatialLayout({}, None, None)
        # the layout reads transforms, cameras and view coordinates only: give it those cells
        # alone, so 10,000 entities of plain points do not each get a dict of every cell
        spatial = FrameQuery(query.paths, {c: h for c, h in query.hits.items()
                                           if split_component(c)[0] in SPATIAL_ARCHETYPES}, query.chunks)
        return SpatialLayout.resolve(self._tree, query.paths, spatial.for_entity, origin)

    def _part(self, path: str, arch: str, cells: dict[str, CellRef], key: Hashable, ctx: ResolvedContext,
              owner: str | None, options: ViewOptions) -> Part:
        """One entity's archetype, reused while the row ids of its cells, its context and its view
        options are unchanged: a live stream that updates a few entities, or a paused view whose
        store grows elsewhere, rebuilds only what changed. One part is kept per entity and
        archetype, so memory stays proportional to the entity count."""
        prefix = arch + ":"
        cache = tuple(sorted((c, r.row_key) for c, r in cells.items() if c.startswith(prefix)))
        view = options.for_entity(path)
        memo_key = (cache, key, view)
        held = self._parts.get((path, arch))
        if held is not None and held[0] == memo_key:
            return held[1]
        visualizer = visualizer_for(arch)
        required = required_field(arch)
        held_required = cells.get(f"{prefix}{required}") if required else None
        if required and (held_required is None or not len(held_required.value)):
            part = Part()  # cleared or not logged: nothing to draw, nothing wrong
        elif visualizer is None:
            part = Part()
            part.problems.append((path, f"{arch}: not rendered by annoview (kept in the store)"))
        else:
            mine = {split_component(c)[1]: r for c, r in cells.items() if c.startswith(prefix)}
            inp = VisualizerInput(path=path, archetype=arch, cells=mine,
                                  context=ctx, palette_key=key, context_owner=owner, options=view, cache_key=cache,
                                  services=self)
            try:
                part = visualizer(inp)
            except Exception as e:  # bad data in one entity must not take the view down
                part = Part()
                part.problems.append((path, f"{arch}: {type(e).__name__}: {e}"))
        self._parts[(path, arch)] = (memo_key, part)
        return part

    # ---- contexts --------------------------------------------------------------------------
    def _context(self, scene: Scene, owner: str | None, cells: dict[str, CellRef],
                 rank: int = 0) -> tuple[Hashable, ResolvedContext]:
        """The context key and resolved context of an owner; `rank` is the path rank of the entity
        asking (contexts are listed in the order of the first entity using them)."""
        ref = cells.get(CONTEXT)
        if owner is None or ref is None:
            key: Hashable = AUTO_PALETTE_KEY
            ctx = scene.contexts.get(key) or context_from_cell([], AUTO_PALETTE_KEY)
        else:
            key = ("ctx", owner, ref.row_key)
            ctx = scene.contexts.get(key) or context_from_cell(ref.value, ref.row_key)
        scene.contexts[key] = ctx
        scene.context_owner[key] = owner if ref is not None else None
        if rank < self._context_rank.get(key, rank + 1):
            self._context_rank[key] = rank
        return key, ctx


def _first(entry: tuple[tuple[int, int, int], Visual]) -> tuple[int, int, int]:
    return entry[0]


__all__ = ["AUTO_PALETTE_KEY", "CONTEXT", "SceneBuilder", "SceneObject"]
