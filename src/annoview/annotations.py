"""Annotation resolution: class ids / keypoint ids + an AnnotationContext -> colors and labels.

Pure Python + numpy, no GL, so every rule of docs/semantics.md "Resolution rules" is unit-testable
without a display. The renderer only consumes the results:

* `auto_color` / `AUTO_PALETTE` reproduce Rerun's (egui's) auto colors bit for bit, so a mask or
  point cloud logged without a context looks the same in annoview as in Rerun.
* `ResolvedContext` is one context cell turned into lookups; `palette()` is the (65536, 4) RGBA8
  table that becomes the 256x256 GPU palette texture (row = id // 256, col = id % 256).
* `resolve_instances` applies rule 3 (explicit colors / labels win) per frame, vectorized,
  because it runs for every visible point cloud on every time change.
* `skeleton_segments` applies rule 6 (keypoint connections).

Rerun semantics mirrored here (from re_viewer_context's annotation code): duplicate class ids or
keypoint ids inside one context are "last wins" (Rerun collects them into a hash map); keypoint
ids only take part when class ids are present too.
"""
from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .instances import MAX_ID, NUM_IDS, RGBA, broadcast_last, check_ids, rgba_hex, unpack_one, unpack_rgba
from .paths import ancestors_inclusive, normalize

# ---------------------------------------------------------------------------------------------
# Auto colors (docs/semantics.md rule 5)
#
# egui computes these in f32: h = i as f32 * golden_ratio, ecolor::rgb_from_hsv (which wraps the
# hue with `(h.fract() + 1.0).fract()`, an f32 add that rounds), then gamma_u8_from_linear_f32
# with `fast_round(x) = (x + 0.5) as u8`. Every step below is done in float32 with float32
# constants so the rounding matches Rust exactly (NumPy 1.x would silently promote a float32
# scalar times a Python float to float64, hence the explicit constants).
# ---------------------------------------------------------------------------------------------

_F = np.float32
_GOLDEN = (np.sqrt(_F(5.0)) - _F(1.0)) / _F(2.0)  # 0.618034 in f32, as egui computes it
_SAT = _F(0.85)
_VAL = _F(0.5)
_ONE = _F(1.0)
_SIX = _F(6.0)
_HALF = _F(0.5)
_INV_GAMMA = _F(1.0) / _F(2.4)
_SRGB_LIN_LIMIT = _F(0.0031308)
_SRGB_LIN_SLOPE = _F(3294.6)
_SRGB_SCALE = _F(269.025)
_SRGB_OFFSET = _F(14.025)


def _check_id(i: int) -> int:
    i = int(i)
    if not 0 <= i <= MAX_ID:
        raise ValueError(f"id {i} out of range 0..{MAX_ID}")
    return i


def _gamma_u8_scalar(lin: np.float32) -> int:
    """ecolor::gamma_u8_from_linear_f32 for one f32 value (linear 0-1 -> sRGB byte)."""
    if lin <= 0:
        return 0
    if lin <= _SRGB_LIN_LIMIT:
        return int(_SRGB_LIN_SLOPE * lin + _HALF)
    if lin <= 1:
        return int(_SRGB_SCALE * np.power(lin, _INV_GAMMA) - _SRGB_OFFSET + _HALF)
    return 255


def auto_color(i: int) -> RGBA:
    """Rerun's auto color for class / keypoint id `i` (0..65535), as (r, g, b, 255).

    Written as a literal scalar transcription of egui's code (branch per hue sector) so it can
    serve as the reference the vectorized `auto_colors` is tested against.
    """
    h = _F(_check_id(i)) * _GOLDEN
    h = _F(h - np.trunc(h))                  # h.fract()
    h = _F(h + _ONE)                         # (h.fract() + 1.0).fract(): the f32 add rounds,
    h = _F(h - np.trunc(h))                  # which changes some hues in the last bit
    h6 = _F(h * _SIX)
    f = _F(h6 - np.floor(h6))
    v = _VAL
    p = _F(v * _F(_ONE - _SAT))
    q = _F(v * _F(_ONE - _F(f * _SAT)))
    t = _F(v * _F(_ONE - _F(_F(_ONE - f) * _SAT)))
    sector = int(np.floor(h6)) % 6
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][sector]
    r, g, b = (_gamma_u8_scalar(_F(c)) for c in rgb)
    return (r, g, b, 255)


def _gamma_u8(lin: np.ndarray) -> np.ndarray:
    """Vectorized ecolor::gamma_u8_from_linear_f32 on a float32 array."""
    lin = lin.astype(np.float32, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = _SRGB_LIN_SLOPE * lin + _HALF
        high = _SRGB_SCALE * np.power(np.maximum(lin, _F(0.0)), _INV_GAMMA) - _SRGB_OFFSET + _HALF
    out = np.where(lin <= _SRGB_LIN_LIMIT, low, high)
    out = np.where(lin <= 0, _F(0.0), out)
    out = np.where(lin > 1, _F(255.0), out)
    return np.clip(np.trunc(out), 0, 255).astype(np.uint8)


def auto_colors(ids: np.ndarray | Sequence[int]) -> np.ndarray:
    """Vectorized `auto_color`: (N,) ids -> (N, 4) uint8, identical values."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() > MAX_ID):
        raise ValueError(f"ids out of range 0..{MAX_ID}")
    h = ids.astype(np.float32).reshape(-1) * _GOLDEN
    h = h - np.trunc(h)
    h = h + _ONE
    h = h - np.trunc(h)
    h6 = h * _SIX
    f = h6 - np.floor(h6)
    v = np.full_like(h, _VAL)
    p = np.full_like(h, _VAL * (_ONE - _SAT))
    q = v * (_ONE - f * _SAT)
    t = v * (_ONE - (_ONE - f) * _SAT)
    sector = (np.floor(h6).astype(np.int64) % 6)
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    conds = [sector == k for k in range(6)]
    channels = [np.select(conds, [c[ch] for c in choices]) for ch in range(3)]
    out = np.empty((h.shape[0], 4), np.uint8)
    for ch in range(3):
        out[:, ch] = _gamma_u8(channels[ch])
    out[:, 3] = 255
    return out


_auto_palette: np.ndarray | None = None
_auto_palette_lock = threading.Lock()


def auto_palette() -> np.ndarray:
    """The (65536, 4) uint8 auto color of every id, computed once (read-only)."""
    global _auto_palette
    if _auto_palette is None:
        with _auto_palette_lock:
            if _auto_palette is None:
                pal = auto_colors(np.arange(NUM_IDS))
                pal.flags.writeable = False
                _auto_palette = pal
    return _auto_palette


def __getattr__(name: str) -> Any:
    """Lazy module attribute AUTO_PALETTE: importing this module must stay cheap."""
    if name == "AUTO_PALETTE":
        return auto_palette()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_entity_color(entity_path: str) -> RGBA:
    """Color for instances with neither class id nor color: auto color of a hash of the path.

    Rerun does the same with its own 64-bit path hash (`hash64() % u16::MAX`), so the exact
    color differs from Rerun's; CRC32 is used because it is stable across runs and platforms
    (Python's `hash` is salted per process).
    """
    return auto_color(zlib.crc32(entity_path.encode("utf-8")) % MAX_ID)


# ---------------------------------------------------------------------------------------------
# Resolved context
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassEntry:
    """One class of a context: label and color as logged (None = not given)."""

    label: str | None
    color: RGBA | None
    keypoints: dict[int, tuple[str | None, RGBA | None]] = field(default_factory=dict)
    connections: list[tuple[int, int]] = field(default_factory=list)


def _parse_info(info: dict | None) -> tuple[str | None, RGBA | None]:
    info = info or {}
    label = info.get("label")
    return (None if label is None else str(label)), unpack_one(info.get("color"))


def _parse_class(desc: dict | None) -> ClassEntry:
    desc = desc or {}
    label, color = _parse_info(desc.get("info"))
    keypoints: dict[int, tuple[str | None, RGBA | None]] = {}
    # Null entries and null ids (Rerun's layout has no nulls there; another writer's file may)
    # are skipped: they name nothing to annotate.
    for kp in desc.get("keypoint_annotations") or ():
        if kp is not None and kp.get("id") is not None:
            keypoints[int(kp["id"])] = _parse_info(kp)  # duplicates: last wins, as in Rerun
    connections = [(int(c["keypoint0"]), int(c["keypoint1"])) for c in desc.get("keypoint_connections") or ()
                   if c is not None and c.get("keypoint0") is not None and c.get("keypoint1") is not None]
    return ClassEntry(label, color, keypoints, connections)


class ResolvedContext:
    """One AnnotationContext cell as fast lookups, plus the GPU palette built from it.

    Immutable after construction: the palette and keypoint table are derived lazily and cached,
    and the whole object is cached by the context's row id (`context_from_cell`).
    """

    def __init__(self, classes: dict[int, ClassEntry]) -> None:
        self.classes: dict[int, ClassEntry] = classes
        self._palette: np.ndarray | None = None
        self._kp_entries: list[tuple[int, int, RGBA, str | None]] | None = None
        self._kp_lookup: tuple[np.ndarray, np.ndarray] | None = None
        self._label_table: np.ndarray | None = None
        self.has_labels: bool = any(
            e.label is not None or any(kp[0] is not None for kp in e.keypoints.values()) for e in classes.values())

    @classmethod
    def from_cell(cls, cell: Sequence[dict] | None) -> "ResolvedContext":
        """Build from the stored `components["context"]` list of dicts."""
        classes: dict[int, ClassEntry] = {}
        for entry in cell or ():
            if entry is not None and entry.get("class_id") is not None:  # nulls: see _parse_class
                classes[int(entry["class_id"])] = _parse_class(entry.get("class_description"))
        return cls(classes)

    def __contains__(self, cid: int) -> bool:
        return int(cid) in self.classes

    # -- classes ------------------------------------------------------------------------------

    def class_label(self, cid: int) -> str | None:
        """The class label, None when not given or when the class is not in this context."""
        entry = self.classes.get(int(cid))
        return None if entry is None else entry.label

    def class_color(self, cid: int) -> RGBA:
        """Explicit class color, else the auto color of the class id (rule 4)."""
        entry = self.classes.get(int(cid))
        if entry is not None and entry.color is not None:
            return entry.color
        return auto_color(cid)

    # -- keypoints (rules 2 + 4) --------------------------------------------------------------

    def keypoint_label(self, cid: int, kid: int) -> str | None:
        """Keypoint label if annotated and given, else the class label."""
        entry = self.classes.get(int(cid))
        if entry is None:
            return None
        kp = entry.keypoints.get(int(kid))
        if kp is not None and kp[0] is not None:
            return kp[0]
        return entry.label

    def keypoint_color(self, cid: int, kid: int) -> RGBA:
        """Keypoint color, else class color, else auto color of the id that was annotated.

        Rerun merges a keypoint annotation into an AnnotationInfo whose id is the keypoint id,
        so a keypoint annotated without a color, in a class without a color, gets the auto
        color of the *keypoint* id; a keypoint with no annotation keeps the class's color.
        """
        entry = self.classes.get(int(cid))
        if entry is None:
            return auto_color(cid)
        kp = entry.keypoints.get(int(kid))
        if kp is None:
            return self.class_color(cid)
        if kp[1] is not None:
            return kp[1]
        if entry.color is not None:
            return entry.color
        return auto_color(kid)

    def label_table(self) -> np.ndarray:
        """(65536,) object array of class labels (None where absent), for per-instance lookup."""
        if self._label_table is None:
            table = np.full(NUM_IDS, None, dtype=object)
            for cid, entry in self.classes.items():
                table[cid] = entry.label
            self._label_table = table
        return self._label_table

    def has_keypoint(self, cid: int, kid: int) -> bool:
        entry = self.classes.get(int(cid))
        return entry is not None and int(kid) in entry.keypoints

    def keypoint_entries(self) -> list[tuple[int, int, RGBA, str | None]]:
        """(class_id, keypoint_id, rgba, label) for every keypoint annotation, resolved.

        Only annotated (class, keypoint) pairs are listed: any other pair uses the class palette,
        which keeps the GPU keypoint table small.
        """
        if self._kp_entries is None:
            self._kp_entries = [
                (cid, kid, self.keypoint_color(cid, kid), self.keypoint_label(cid, kid))
                for cid in sorted(self.classes)
                for kid in sorted(self.classes[cid].keypoints)
            ]
        return self._kp_entries

    def _keypoint_lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted packed (cid << 16 | kid) keys and their (K, 4) colors, for vectorized lookup."""
        if self._kp_lookup is None:
            entries = self.keypoint_entries()
            keys = np.array([(c << 16) | k for c, k, _, _ in entries], np.uint32)
            colors = np.array([rgba for _, _, rgba, _ in entries], np.uint8).reshape(-1, 4)
            order = np.argsort(keys, kind="stable")
            self._kp_lookup = (keys[order], colors[order])
        return self._kp_lookup

    def connections(self, cid: int) -> list[tuple[int, int]]:
        entry = self.classes.get(int(cid))
        return [] if entry is None else list(entry.connections)

    # -- GPU palette --------------------------------------------------------------------------

    def palette(self) -> np.ndarray:
        """(65536, 4) uint8 class colors for every id: context colors over auto colors.

        Read-only and cached; alpha is kept as given (alpha 0 = see-through class).
        """
        if self._palette is None:
            pal = auto_palette().copy()
            for cid, entry in self.classes.items():
                if entry.color is not None:
                    pal[cid] = entry.color
            pal.flags.writeable = False
            self._palette = pal
        return self._palette

    def palette_texture(self) -> np.ndarray:
        """The palette as the (256, 256, 4) texture image: row = id // 256, col = id % 256."""
        return self.palette().reshape(256, 256, 4)

    # -- UI -----------------------------------------------------------------------------------

    def describe(self) -> list[dict]:
        """Plain dicts for UI / CLI listings, colors resolved and as "#rrggbbaa"."""
        out = []
        for cid in sorted(self.classes):
            entry = self.classes[cid]

            def kp_name(k: int, entry: ClassEntry = entry) -> str:
                kp = entry.keypoints.get(k)
                return kp[0] if kp is not None and kp[0] is not None else str(k)

            out.append({
                "id": cid,
                "label": entry.label,
                "color": rgba_hex(self.class_color(cid)),
                "auto_color": entry.color is None,
                "keypoints": [
                    {"id": kid, "label": self.keypoint_label(cid, kid),
                     "color": rgba_hex(self.keypoint_color(cid, kid))}
                    for kid in sorted(entry.keypoints)
                ],
                "connections": [(kp_name(a), kp_name(b)) for a, b in entry.connections],
            })
        return out


_CACHE_SIZE = 64
_context_cache: OrderedDict[Hashable, ResolvedContext] = OrderedDict()
_context_cache_lock = threading.Lock()


def context_from_cell(cell: Sequence[dict] | None, cache_key: Hashable | None = None) -> ResolvedContext:
    """Resolve a context cell, cached by `cache_key` (the context row's id; LRU of 64).

    Row ids identify immutable rows, so a hit never needs to compare contents. `cache_key=None`
    skips the cache (ad-hoc contexts, tests).
    """
    if cache_key is None:
        return ResolvedContext.from_cell(cell)
    with _context_cache_lock:
        hit = _context_cache.get(cache_key)
        if hit is not None:
            _context_cache.move_to_end(cache_key)
            return hit
    ctx = ResolvedContext.from_cell(cell)
    with _context_cache_lock:
        _context_cache[cache_key] = ctx
        _context_cache.move_to_end(cache_key)
        while len(_context_cache) > _CACHE_SIZE:
            _context_cache.popitem(last=False)
    return ctx


def clear_context_cache() -> None:
    with _context_cache_lock:
        _context_cache.clear()


def find_context_entity(entity_path: str, has_context: Callable[[str], bool]) -> str | None:
    """Nearest ancestor with a context, the entity itself first (rule 1); None if there is none.

    Only the nearest context is used: classes missing there do not fall through to farther
    contexts (rule 5), so callers resolve against this one entity's context alone.
    """
    for path in ancestors_inclusive(normalize(entity_path)):
        if has_context(path):
            return path
    return None


# ---------------------------------------------------------------------------------------------
# Per-instance resolution (rule 3)
# ---------------------------------------------------------------------------------------------


@dataclass
class ResolvedInstances:
    """Per-instance colors and labels of one entity at one time, everything broadcast to n.

    `shared_label` is set when exactly one explicit label, or (without explicit labels) exactly
    one class id, was given for several instances: docs/semantics.md rule 3 draws it once, at the
    center of their bounding box, instead of per instance.
    """

    colors: np.ndarray
    labels: list[str | None]
    class_ids: np.ndarray | None
    keypoint_ids: np.ndarray | None
    shared_label: str | None = None


def _as_ids(values: Any, n: int, what: str) -> np.ndarray | None:
    """Ids as (n,) uint16, shorter inputs repeating their last value; None when absent/empty."""
    if values is None:
        return None
    arr = np.asarray(values).reshape(-1)
    if arr.size == 0:
        return None
    return broadcast_last(check_ids(arr, what), n)


def _keypoint_overrides(ctx: ResolvedContext, colors: np.ndarray, cids: np.ndarray, kids: np.ndarray) -> None:
    """Overwrite colors in place for instances whose (class, keypoint) has an annotation."""
    keys, kp_colors = ctx._keypoint_lookup()
    if keys.size == 0:
        return
    packed = (cids.astype(np.uint32) << np.uint32(16)) | kids.astype(np.uint32)
    pos = np.searchsorted(keys, packed)
    pos_c = np.minimum(pos, keys.size - 1)
    hit = keys[pos_c] == packed
    colors[hit] = kp_colors[pos_c[hit]]


def _annotation_labels(ctx: ResolvedContext | None, cids: np.ndarray | None,
                       kids: np.ndarray | None, n: int) -> list[str | None]:
    """Label from the context per instance; cheap when the context has no labels at all."""
    if ctx is None or cids is None or n == 0 or not ctx.has_labels:
        return [None] * n
    if kids is None:
        return ctx.label_table()[cids].tolist()
    packed = (cids.astype(np.uint32) << np.uint32(16)) | kids.astype(np.uint32)
    uniq, inv = np.unique(packed, return_inverse=True)
    table = np.empty(len(uniq), dtype=object)
    table[:] = [ctx.keypoint_label(k >> 16, k & 0xFFFF) for k in uniq.tolist()]
    return table[inv.reshape(-1)].tolist()


def resolve_instances(ctx: ResolvedContext | None, n: int, *, class_ids: Any = None, keypoint_ids: Any = None,
                      colors: Any = None, labels: Sequence[str | None] | None = None,
                      entity_path: str = "/") -> ResolvedInstances:
    """Colors and labels for n instances of one entity (rules 2-4), vectorized over instances.

    `colors` are packed 0xRRGGBBAA (as stored), or an (N, 4) uint8 RGBA array. Keypoint ids only matter together with class ids,
    as in Rerun; with neither class ids nor colors every instance gets `default_entity_color`.
    """
    cids = _as_ids(class_ids, n, "class_ids")
    kids = _as_ids(keypoint_ids, n, "keypoint_ids")
    out_colors = _resolve_colors(ctx, n, cids, kids, colors, entity_path)
    out_labels = _annotation_labels(ctx, cids, kids if cids is not None else None, n)
    shared = None
    n_cids = 0 if cids is None else int(np.size(class_ids))
    if kids is not None and cids is not None:
        n_cids = max(n_cids, int(np.size(keypoint_ids)))  # keypoints labeled one by one (Rerun 0.41)
    if n_cids < n:
        # Past the end of the class-id list the color repeats, the label does not (rule 3).
        out_labels[n_cids:] = [None] * (n - n_cids)
    if labels is not None:
        explicit = list(labels)
        for i, lab in enumerate(explicit[:n]):
            if lab is not None:
                out_labels[i] = str(lab)
        # Past the end of the label list: no label, no fallback to the class label (rule 3).
        out_labels[len(explicit):] = [None] * max(0, n - len(explicit))
        if len(explicit) == 1 and n > 1 and explicit[0] is not None:
            shared = str(explicit[0])
    elif n_cids == 1 and n > 1 and out_labels[0] is not None:
        shared = out_labels[0]  # a class id given once for many instances: its label once
    return ResolvedInstances(out_colors, out_labels, cids, kids, shared)


def _resolve_colors(ctx: ResolvedContext | None, n: int, cids: np.ndarray | None, kids: np.ndarray | None,
                    colors: Any, entity_path: str) -> np.ndarray:
    if colors is not None:
        arr = np.asarray(colors)
        if arr.ndim == 2 and arr.shape[1] == 4 and arr.dtype == np.uint8:  # already unpacked RGBA
            if len(arr):
                return broadcast_last(arr, n).copy()
        else:
            packed = arr.astype(np.uint32, copy=False).reshape(-1)
            if packed.size:
                return unpack_rgba(broadcast_last(packed, n))
    if cids is None:
        return np.tile(np.array(default_entity_color(entity_path), np.uint8), (n, 1))
    palette = ctx.palette() if ctx is not None else auto_palette()
    out = palette[cids]  # fancy indexing copies: safe to modify below
    if ctx is not None and kids is not None:
        _keypoint_overrides(ctx, out, cids, kids)
    return out


# ---------------------------------------------------------------------------------------------
# Skeletons (rule 6)
# ---------------------------------------------------------------------------------------------


def skeleton_segments(ctx: ResolvedContext | None, class_ids: Any, keypoint_ids: Any,
                      n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Instance index pairs to draw as skeleton lines, and the class id of each pair.

    Within one entity the instances of one class form one skeleton, matched by keypoint id (the
    last instance wins when a keypoint id repeats, like Rerun's map insert). A connection naming
    a keypoint that is not present is skipped silently. Classes come out in ascending id order,
    connections in context order. `n` defaults to the longer of the two id arrays.
    """
    empty = (np.zeros((0, 2), np.int64), np.zeros((0,), np.uint16))
    if ctx is None or class_ids is None or keypoint_ids is None:
        return empty
    if n is None:
        n = max(np.size(class_ids), np.size(keypoint_ids))
    cids = _as_ids(class_ids, n, "class_ids")
    kids = _as_ids(keypoint_ids, n, "keypoint_ids")
    if cids is None or kids is None:
        return empty
    pairs: list[tuple[int, int]] = []
    pair_classes: list[int] = []
    for cid in np.unique(cids).tolist():
        conns = ctx.connections(cid)
        if not conns:
            continue
        idx = np.flatnonzero(cids == cid)
        where = dict(zip(kids[idx].tolist(), idx.tolist()))  # last occurrence wins
        for a, b in conns:
            if a in where and b in where:
                pairs.append((where[a], where[b]))
                pair_classes.append(cid)
    if not pairs:
        return empty
    return np.array(pairs, np.int64), np.array(pair_classes, np.uint16)


def connection_color(ctx: ResolvedContext | None, cid: int) -> RGBA:
    """Skeleton lines use the class color, never the keypoint colors (auto color if none)."""
    return ctx.class_color(cid) if ctx is not None else auto_color(cid)
