"""The grouped scene build: many entities of one archetype drawn with array code, not a loop.

`SceneBuilder.build` used to run, per entity and frame: the cells lookup, the context, the
visualizer, labels, placement, and then `batch.py` concatenated the 1,000 small visuals again.
For entities a grouped visualizer covers (`grouped_api.py`; Points2D and Points3D today), this
module does the same work once per group:

1. `prepare` picks the entities it can take: every component of the entity belongs to one
   grouped archetype, the entity is visible and sits where it was logged (no transform, no
   camera, no view origin: anything else goes through `placement.place` one by one). It
   resolves one context per distinct owner.
2. The group's cells are read as arrays (`store/gather.py`: one array index per entity, none
   for columns that hold one value in every row), and the grouped visualizer builds the batched
   visuals `batch.py` would have made from the per-entity ones.
3. `finish` keeps exactly `batch.py`'s result: a batch of one entity, or a batch whose key a
   visual of another entity also has (they would have merged), is dissolved and its entities
   take the per-entity path; what a grouped visualizer does not draw itself (labels, explicit
   colors) comes from the per-entity visualizer of that entity (`SceneBuilder._part`, cached as
   before). Each visual keeps the place in the draw list the per-entity build gave it.
4. Scene objects of the group's entities are made only when asked for (`model.LazyObjects`):
   hover needs one, not 20,000; the legend's class counts are one bincount per palette.

Unchanged data costs nothing: the group's result is cached under a digest of its entities'
row ids, palettes and the keys of the other entities' batches, so a frame whose cells did not
change (a paused view while a stream grows elsewhere, scrubbing back) reuses every visual, and
the renderer uploads nothing (same cache keys).
"""
from __future__ import annotations

import hashlib
import weakref
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..annotations import ResolvedContext, find_context_entity
from ..instances import archetype_of
from ..store.gather import ColumnGather, Gathered
from ..store.store import FrameQuery
from .batch import _batch_key
from .grouped_api import GroupInput, GroupResult, grouped_visualizers
from .model import LazyObjects, Scene, SceneObject, ViewOptions, add_class_counts
from .placement import SpatialLayout, place
from .visuals import Visual

if TYPE_CHECKING:
    from .builder import SceneBuilder

Entry = tuple[tuple[int, int, int], Visual]   # (entity rank, archetype index, index in its part)


@dataclass
class _Group:
    archetype: str
    ents: np.ndarray                    # query entity indices, in path order
    owners: list[str | None]            # per palette gid
    keys: list[Hashable]
    contexts: list[ResolvedContext]
    gid: np.ndarray
    fields: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # found, chunk, row, (hi,lo)
    digest: bytes = b""
    gathered: dict[str, Gathered] = field(default_factory=dict)


@dataclass
class _Cached:
    key: tuple
    entries_2d: list[Entry]
    entries_3d: list[Entry]
    eager: dict[int, SceneObject]
    lazy: list[LazyObjects]
    counts: dict[Hashable, dict[int, int]]
    problems: list[tuple[str, str]]


class GroupedBuild:
    """One per `SceneBuilder`: what the grouped build keeps across frames (see module doc)."""

    def __init__(self, builder: "SceneBuilder") -> None:
        self.builder = builder
        self.gather = ColumnGather(builder.store.chunks)
        self._n_paths = -1
        self._rank = np.zeros(0, np.int64)
        self._index: dict[str, int] = {}
        self._owner_of = np.zeros(0, np.int64)        # per entity: owner entity index, -1 none, -2 unknown
        self._owners_for: frozenset[str] | None = None
        self._oids: dict[str, np.ndarray] = {}
        self._cache: dict[str, _Cached] = {}
        self._moved: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
        self.enabled = True
        self.rebuilt = 0                               # groups built (not reused) so far: tests, benchmarks

    # ---- per frame --------------------------------------------------------------------------
    def ranks(self, paths: list[str]) -> np.ndarray:
        """Each entity's position in path order (the per-entity build's order)."""
        if len(paths) != self._n_paths:
            order = sorted(range(len(paths)), key=paths.__getitem__)
            self._rank = np.empty(len(paths), np.int64)
            self._rank[np.asarray(order, np.int64)] = np.arange(len(paths))
            self._index = {p: i for i, p in enumerate(paths)}
            self._n_paths = len(paths)
            self._owner_of = np.concatenate([self._owner_of, np.full(len(paths) - len(self._owner_of), -2, np.int64)])
        return self._rank

    def index_of(self, path: str) -> int:
        return self._index[path]

    def prepare(self, scene: Scene, query: FrameQuery, layout: SpatialLayout, hidden: set[str],
                origin: str | None, context_entities: set[str]) -> tuple[np.ndarray, list[_Group]]:
        """(bool per query entity: drawn by a group, the groups)."""
        paths = query.paths
        handled = np.zeros(len(paths), bool)
        registry = grouped_visualizers()
        if not self.enabled or origin is not None or not registry:
            return handled, []
        rank = self.ranks(paths)
        archs: dict[str, np.ndarray] = {}
        for comp, h in query.hits.items():
            a = archetype_of(comp)
            for g in registry:
                if g != a:
                    foreign = archs.setdefault(g, np.zeros(len(paths), bool))
                    foreign[h.entities] = True
        groups = []
        hidden_idx = [self._index[p] for p in hidden if p in self._index]
        for arch, (_, fields, required) in registry.items():
            h = query.hits.get(f"{arch}:{required}")
            if h is None:
                continue
            ok = np.zeros(len(paths), bool)
            ok[h.entities] = True
            if arch in archs:
                ok &= ~archs[arch]
            ok[hidden_idx] = False
            ents = np.flatnonzero(ok)
            if layout.spaces and len(ents):
                spaces, moved = layout.spaces, self._moved
                keep = [not _moved(spaces.get(paths[e]), moved) for e in ents.tolist()]
                ents = ents[np.asarray(keep, bool)]
            if not len(ents):
                continue
            ents = ents[np.argsort(rank[ents], kind="stable")]
            handled[ents] = True
            groups.append(self._group(scene, query, arch, ents, fields, context_entities))
        return handled, groups

    def _group(self, scene: Scene, query: FrameQuery, arch: str, ents: np.ndarray, fields: tuple[str, ...],
               context_entities: set[str]) -> _Group:
        owner = self._owners(query.paths, ents, context_entities)
        if (owner == owner[0]).all():
            distinct, gid = owner[:1], np.zeros(len(owner), np.int64)
        else:
            distinct, gid = np.unique(owner, return_inverse=True)
        owner_cells = query.cells_of(distinct[distinct >= 0])
        # the first entity (in path order) of each owner's entities
        first = np.zeros(1, np.int64) if len(distinct) == 1 else np.unique(gid, return_index=True)[1]
        owners, keys, contexts = [], [], []
        for i, o in enumerate(distinct.tolist()):
            path = query.paths[o] if o >= 0 else None
            key, ctx = self.builder._context(scene, path, owner_cells.get(o, {}) if path else {},
                                             int(self._rank[ents[first[i]]]))
            owners.append(path)
            keys.append(key)
            contexts.append(ctx)
        hashed = hashlib.blake2b(digest_size=16)
        hashed.update(ents.tobytes())
        hashed.update(gid.astype(np.int64).tobytes())
        hashed.update(repr(keys).encode())
        found_fields = {}
        for f in fields:
            h = query.hits.get(f"{arch}:{f}")
            if h is None:
                continue
            pos = np.searchsorted(h.entities, ents)
            pos_c = np.minimum(pos, len(h.entities) - 1)
            found = h.entities[pos_c] == ents
            if not found.any():
                continue
            found_fields[f] = (found, h.chunk[pos_c][found], h.row[pos_c][found],
                               np.stack([h.hi[pos_c][found], h.lo[pos_c][found]], 1))
            hashed.update(f.encode())
            hashed.update(found.tobytes())
            hashed.update(found_fields[f][3].tobytes())
        return _Group(arch, ents, owners, keys, contexts, np.asarray(gid, np.int64).reshape(-1), found_fields,
                      hashed.digest())

    def _owners(self, paths: list[str], ents: np.ndarray, context_entities: set[str]) -> np.ndarray:
        """Each entity's context owner (entity index, -1: none), cached while the set of context
        entities is the same."""
        if self._owners_for != frozenset(context_entities):
            self._owners_for = frozenset(context_entities)
            self._owner_of[:] = -2
        unknown = ents[self._owner_of[ents] == -2]
        for e in unknown.tolist():
            o = find_context_entity(paths[e], context_entities.__contains__)
            self._owner_of[e] = -1 if o is None else self._index.get(o, -1)
        return self._owner_of[ents]

    # ---- building ---------------------------------------------------------------------------
    def finish(self, scene: Scene, query: FrameQuery, layout: SpatialLayout, options: ViewOptions,
               groups: list[_Group], entries_2d: list[Entry], entries_3d: list[Entry]) -> None:
        """Adds the groups' visuals (with their draw-list places), objects and counts to the scene."""
        others = {k for _, v in entries_2d + entries_3d if (k := _batch_key(v)) is not None}
        for g in groups:
            key = (g.digest, frozenset(others), _options_key(options))
            held = self._cache.get(g.archetype)
            if held is None or held.key != key:
                held = self._build(g, key, others, query, layout, options)
                self._cache[g.archetype] = held
            entries_2d.extend(held.entries_2d)
            entries_3d.extend(held.entries_3d)
            scene.objects.update_eager(held.eager)  # type: ignore[union-attr]
            for src in held.lazy:
                scene.objects.add_lazy(src)  # type: ignore[union-attr]
            scene.problems.extend(held.problems)
            for pk, counts in held.counts.items():
                into = scene.class_counts.setdefault(pk, {})
                for cid, n in counts.items():
                    into[cid] = into.get(cid, 0) + n
        for arch in list(self._cache):
            if arch not in {g.archetype for g in groups}:
                del self._cache[arch]

    def _build(self, g: _Group, key: tuple, others: set[Hashable], query: FrameQuery, layout: SpatialLayout,
               options: ViewOptions) -> _Cached:
        self.rebuilt += 1
        visualizer = grouped_visualizers()[g.archetype][0]
        rank = self._rank[g.ents]
        paths = query.paths
        inp = GroupInput(archetype=g.archetype, field=lambda f: self._field(g, f), palette_gid=g.gid,
                         palette_keys=g.keys, contexts=g.contexts, services=self.builder,
                         object_ids=lambda kind, members: self._object_ids(kind, g.ents[members], paths),
                         value_ids=_value_ids, cache_key=lambda members: _members_key(g, members),
                         labels=None if options.labels == "auto" else options.labels == "on",
                         path=lambda i: paths[int(g.ents[i])])
        try:
            result: GroupResult = visualizer(inp)
        except Exception:  # odd data: every entity one by one, where a problem names the entity
            n = len(g.ents)
            result = GroupResult(space="2d", drawn=np.ones(n, bool), needs_part=np.ones(n, bool))
        needs = result.needs_part.copy()
        kept = []
        for b in result.batches:
            members = np.flatnonzero(b.members)
            if len(members) < 2 or b.key in others:   # batch.py keeps a single visual as it is
                needs[members] = True
            else:
                kept.append((b, members))
        self._assign_ids(result, g, paths, rank)
        out = _Cached(key, [], [], {}, [], {}, [])
        target = out.entries_2d if result.space == "2d" else out.entries_3d
        for b, members in kept:
            target.append(((int(rank[members[0]]), 0, b.local_index), b.build(members)))
        if result.singles is not None:
            for i, j, v in result.singles(np.flatnonzero(result.drawn & ~needs)):
                target.append(((int(rank[i]), 0, j), v))
        part_ents = np.flatnonzero(needs & result.drawn)
        if len(part_ents):
            cells = query.cells_of(g.ents[part_ents])
            supplied = {b.key: b.members for b, _ in kept}
            for i in part_ents.tolist():
                e = int(g.ents[i])
                part = self._part(g, i, paths[e], cells[e], options)
                placed = place(part, paths[e], layout)
                for lst, into in ((placed.visuals_2d, out.entries_2d), (placed.visuals_3d, out.entries_3d)):
                    for j, v in enumerate(lst):
                        bk = _batch_key(v)
                        if bk is not None and bk in supplied and supplied[bk][i]:
                            continue                  # drawn by the group's batch
                        into.append(((int(rank[i]), 0, j), v))
                out.eager.update(part.objects)
                out.problems.extend(part.problems)
                add_class_counts(out.counts, part.class_counts)
        light = np.flatnonzero(result.drawn & ~needs)
        if len(light):
            self._light_objects(out, g, result, light, query, options)
            if result.count_classes is not None:
                members, ids = result.count_classes(light)
                per_inst_gid = np.repeat(g.gid[members], self._field(g, "positions").lengths[members])
                for gi in np.unique(g.gid[members]).tolist():
                    num = np.bincount(ids if len(g.keys) == 1 else ids[per_inst_gid == gi])
                    into_c = out.counts.setdefault(g.keys[gi], {})
                    for c in np.flatnonzero(num).tolist():
                        into_c[c] = into_c.get(c, 0) + int(num[c])
        return out

    def _light_objects(self, out: _Cached, g: _Group, result: GroupResult, light: np.ndarray, query: FrameQuery,
                       options: ViewOptions) -> None:
        """Objects of entities drawn only by batches: made by the per-entity visualizer when
        hover or the inspector asks (exactly the objects the per-entity build makes)."""
        oids, idx = [], []
        for kind, mask in result.kinds:
            sel = light[mask[light]]
            oids.append(self._oids[kind][g.ents[sel]])
            idx.append(sel)
        paths = query.paths

        def materialize(i: int) -> dict[int, SceneObject]:
            e = int(g.ents[i])
            return self._part(g, i, paths[e], query.cells_of(g.ents[i:i + 1])[e], options).objects

        out.lazy.append(LazyObjects(np.concatenate(oids), np.concatenate(idx), materialize))

    def _part(self, g: _Group, i: int, path: str, cells: dict[str, Any], options: ViewOptions) -> Any:
        gi = int(g.gid[i])
        return self.builder._part(path, g.archetype, cells, g.keys[gi], g.contexts[gi], g.owners[gi], options)

    def _field(self, g: _Group, name: str) -> Gathered:
        got = g.gathered.get(name)
        if got is not None:
            return got
        e_count = len(g.ents)
        lengths = np.zeros(e_count, np.int64)
        starts = np.zeros(e_count, np.int64)
        uids = np.full(e_count, -1, np.int64)
        values = None
        held = g.fields.get(name)
        if held is not None:
            found, chunk, row, _ = held
            part = self.gather.gather(f"{g.archetype}:{name}", chunk, row)
            lengths[found], starts[found], uids[found] = part.lengths, part.starts, part.uniform_ids
            values = part.values
        got = g.gathered[name] = Gathered(values, lengths, starts, uids)
        return got

    # ---- object ids -------------------------------------------------------------------------
    def _object_ids(self, kind: str, ents: np.ndarray, paths: list[str]) -> np.ndarray:
        arr = self._ids_array(kind, len(paths))
        missing = ents[arr[ents] == 0]
        for e in missing.tolist():
            arr[e] = self.builder.object_id(paths[e], kind)
        return arr[ents]

    def _ids_array(self, kind: str, n: int) -> np.ndarray:
        arr = self._oids.get(kind)
        if arr is None or len(arr) < n:
            old = arr if arr is not None else np.zeros(0, np.int64)
            arr = self._oids[kind] = np.concatenate([old, np.zeros(n - len(old), np.int64)])
        return arr

    def _assign_ids(self, result: GroupResult, g: _Group, paths: list[str], rank: np.ndarray) -> None:
        """New entities get their object ids in the per-entity build's order (entity by entity,
        kind by kind), so both builds number a scene the same way."""
        arrays = [(kind, mask, self._ids_array(kind, len(paths))) for kind, mask in result.kinds]
        new = np.zeros(len(g.ents), bool)
        for _, mask, arr in arrays:
            new |= mask & (arr[g.ents] == 0)
        for i in np.flatnonzero(new).tolist():
            e = int(g.ents[i])
            for kind, mask, arr in arrays:
                if mask[i] and arr[e] == 0:
                    arr[e] = self.builder.object_id(paths[e], kind)


def _options_key(options: ViewOptions) -> tuple:
    """The view options as a cache key: a visualizer's input includes them."""
    return (options.labels, *(tuple(sorted(d.items())) for d in (options.seg_opacity, options.seg_zero_transparent,
                                                                 options.seg_outline)))


def _moved(sp: Any, memo: "weakref.WeakKeyDictionary[Any, bool]") -> bool:
    """Whether placement changes an entity's visuals (a transform or a camera above it); spaces
    are cached by the transform tree, so each is checked once."""
    if sp is None:
        return False
    got = memo.get(sp)
    if got is None:
        got = memo[sp] = sp.pinhole is not None or sp.is_transformed
    return got


def _members_key(g: _Group, members: np.ndarray) -> Hashable:
    """Names the data of some of the group's entities: their row ids and palettes."""
    hashed = hashlib.blake2b(digest_size=16)
    hashed.update(g.digest)
    hashed.update(np.asarray(members, np.int64).tobytes())
    return (g.archetype, hashed.digest())


_BIG = 1 << 40


def _value_ids(g: Gathered, which: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per entity of `which`: an id equal for equal values (cut to `counts`): the gatherer's
    uniform value id where it has one, else one per distinct byte string."""
    uid = g.uniform_ids[which]
    out = uid.copy()
    todo = np.flatnonzero(uid < 0)
    if len(todo) and g.values is not None:
        seen: dict[bytes, int] = {}
        for i in todo.tolist():
            e = int(which[i])
            b = g.values[g.starts[e]:g.starts[e] + counts[e]].tobytes()
            out[i] = _BIG + seen.setdefault(b, len(seen))
    return out
