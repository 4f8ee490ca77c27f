"""Transforms composed along the entity tree: where each entity's data goes in the world.

For every entity at a time: `world_from_entity` = the product of the latest-at Transform3D of
the root, then each ancestor, then the entity itself. An entity with a Pinhole, and everything
under it, is in that camera's 2D image space: its 2D parts are drawn with `world_from_image`
(the camera's pose times the pinhole's image-plane mapping). A Transform3D below a pinhole is
not applied (image space is flat), nor is a second pinhole under a first one; both are reported.
An InstancePoses3D applies to its own entity's parts only (`world_from_parts`), never to its
children.

Results are cached per entity by the row ids of the transform cells used along the whole chain,
so scrubbing recomputes only entities whose own or ancestors' transforms changed. A broken
transform is reported once per entity and treated as the identity, so the rest still draws.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..paths import ROOT, parent
from .pinhole import PinholeCamera, pinhole_from_cells
from .transforms import IDENTITY, instance_pose_from_cells, transform_from_cells
from .view_coordinates import parse_view_coordinates, up_vector

SPATIAL_ARCHETYPES = ("Transform3D", "Pinhole", "ViewCoordinates", "InstancePoses3D")
_PREFIXES = tuple(a + ":" for a in SPATIAL_ARCHETYPES)

Cells = Mapping[str, Any]   # component name -> CellRef (value, row_key, time)


@dataclass(frozen=True, eq=False)
class EntitySpace:
    """Where one entity's data is drawn. `key` changes whenever any matrix here changes."""

    path: str
    world_from_entity: np.ndarray               # 4x4: the entity's 3D frame (camera frame for a pinhole)
    world_from_parts: np.ndarray                # world_from_entity @ first instance pose
    pinhole: str | None = None                  # the camera entity whose image space this is in
    camera: PinholeCamera | None = None         # the entity's own Pinhole
    world_from_image: np.ndarray | None = None  # 4x4 image (u, v, 0, 1) -> world, under a pinhole
    key: tuple = ()
    problems: tuple[str, ...] = ()

    @property
    def is_transformed(self) -> bool:
        return not np.array_equal(self.world_from_parts, IDENTITY)

    def transform_for(self, dim: int) -> np.ndarray | None:
        """The model matrix for a part with `dim`-D positions in this space, or None when the
        part does not belong in a 3D view (2D outside any camera)."""
        if dim == 2:
            return self.world_from_image
        return None if self.pinhole is not None else self.world_from_parts


def _own_cells(cells: Cells) -> dict[str, Any]:
    return {k: v for k, v in cells.items() if k.startswith(_PREFIXES)}


def _cells_key(cells: Cells) -> tuple:
    return tuple(sorted((k, getattr(r, "row_key", None), getattr(r, "time", None)) for k, r in cells.items()))


_ROOT_SPACE = EntitySpace(ROOT, IDENTITY, IDENTITY, key=("root",))


class TransformTree:
    """Resolves `EntitySpace`s for entities at one time, caching by the row ids used."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple, EntitySpace]] = {}
        # an entity's own decoded transform, pinhole and pose by the row ids of its cells: when a
        # parent moves, or when scrubbing returns to a frame, only the matrix products are redone
        self._local: dict[tuple, _Local] = {}
        self.recomputed = 0            # how many entity spaces were computed (not cache hits)

    def resolve(self, paths: Iterable[str], cells_of: Callable[[str], Cells]) -> dict[str, EntitySpace]:
        """The space of every path (and of their ancestors) given each entity's latest-at cells."""
        own: dict[str, dict[str, Any]] = {}
        out: dict[str, EntitySpace] = {}

        def spatial(path: str) -> dict[str, Any]:
            c = own.get(path)
            if c is None:
                c = own[path] = _own_cells(cells_of(path))
            return c

        def space(path: str) -> EntitySpace:
            hit = out.get(path)
            if hit is not None:
                return hit
            # walk up iteratively so deep trees do not recurse
            chain = []
            p: str | None = path
            while p is not None and p not in out:
                chain.append(p)
                p = parent(p)
            base = out[p] if p is not None else None
            for q in reversed(chain):
                base = out[q] = self._space(q, base, spatial(q))
            return out[path]

        for p in paths:
            space(p)
        if len(self._cache) > 4 * max(len(out), 1024):
            self._cache = {p: v for p, v in self._cache.items() if p in out}
        return out

    def _space(self, path: str, parent_space: EntitySpace | None, cells: dict[str, Any]) -> EntitySpace:
        key = (parent_space.key if parent_space is not None else (), _cells_key(cells))
        held = self._cache.get(path)
        if held is not None and held[0] == key:
            return held[1]
        self.recomputed += 1
        own = self._local.get(key[1])
        if own is None:
            if len(self._local) > 50_000:          # bounded: about 1 KB an entry
                self._local.clear()
            own = self._local[key[1]] = _decode(cells)
        sp = _compute(path, parent_space, own, key)
        self._cache[path] = (key, sp)
        return sp


_Local = tuple[Any, Any, Any, tuple[str, ...]]     # (transform, pinhole, pose, problems)


def _decode(cells: dict[str, Any]) -> _Local:
    """An entity's own Transform3D, Pinhole and InstancePoses3D (None where absent or broken)."""
    problems: list[str] = []

    def safe(fn: Callable[[Cells], Any], what: str) -> Any:
        try:
            return fn(cells)
        except (ValueError, TypeError, IndexError, np.linalg.LinAlgError) as e:
            problems.append(f"{what}: {e}")
            return None

    return (safe(transform_from_cells, "Transform3D"), safe(pinhole_from_cells, "Pinhole"),
            safe(instance_pose_from_cells, "InstancePoses3D"), tuple(problems))


def _compute(path: str, up: EntitySpace | None, own: _Local, key: tuple) -> EntitySpace:
    local, cam, pose, decoded_problems = own
    problems = list(decoded_problems)
    base = up or (_ROOT_SPACE if path != ROOT else None)
    world_parent = IDENTITY if base is None else base.world_from_entity
    under_pinhole = base is not None and base.pinhole is not None
    if under_pinhole:
        assert base is not None
        if local is not None:
            problems.append(f"Transform3D under the camera {base.pinhole} is not applied (its space is 2D)")
        if cam is not None:
            problems.append(f"Pinhole under the camera {base.pinhole} is not supported; ignored")
        return EntitySpace(path, base.world_from_entity, base.world_from_entity, pinhole=base.pinhole,
                           world_from_image=base.world_from_image, key=key, problems=tuple(problems))
    world = world_parent if local is None else world_parent @ local
    parts = world if pose is None else world @ pose
    if cam is None:
        return EntitySpace(path, world, parts, key=key, problems=tuple(problems))
    return EntitySpace(path, world, parts, pinhole=path, camera=cam, world_from_image=world @ cam.entity_from_image(),
                       key=key, problems=tuple(problems))


def view_up(cells_of: Callable[[str], Cells], origin: str,
            candidates: Iterable[str] = ()) -> tuple[str, np.ndarray] | None:
    """(entity, up vector in that entity's coordinates) for a 3D view: the ViewCoordinates logged
    at the view's origin, else at the shallowest of `candidates` that has one (typically
    `world`); None when none says. Camera entities' ViewCoordinates describe the camera, not
    the world, and are skipped."""
    for path in [origin, *sorted(candidates, key=lambda p: (p.count("/"), p))]:
        ref = cells_of(path).get("ViewCoordinates:xyz")
        if ref is not None and "Pinhole:image_from_camera" not in cells_of(path):
            v = up_vector(parse_view_coordinates(ref.value))
            if v is not None:
                return path, v
    return None
