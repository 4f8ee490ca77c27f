"""GPU geometry cache keyed by caller-supplied keys (the chunk row id).

Scrubbing through time revisits the same chunks; a visual whose key was uploaded before draws
from its cached buffers and uploads nothing. Counters (`uploads`, `bytes_uploaded`) make that
provable in tests and benchmarks. Memory is bounded by an LRU byte budget; entries used in the
current frame are never evicted. Visuals without a key are uploaded for one frame and released
at the end of it, except large textures, which reuse a per-slot scratch texture (streaming
segmentation masks with new ids every frame should not reallocate 16 MB per frame).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Hashable

import numpy as np
import moderngl

GpuObject = moderngl.Buffer | moderngl.Texture


@dataclass
class CacheEntry:
    """GPU objects of one cached visual plus whatever its renderer needs to draw it."""

    objects: dict[str, GpuObject] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    vaos: dict[Any, moderngl.VertexArray] = field(default_factory=dict)
    nbytes: int = 0
    last_frame: int = -1

    def release(self) -> None:
        for vao in self.vaos.values():
            vao.release()
        for obj in self.objects.values():
            obj.release()
        self.vaos.clear()
        self.objects.clear()


class GeometryCache:
    """Key -> CacheEntry with upload counters and an LRU byte budget."""

    def __init__(self, ctx: moderngl.Context, budget_bytes: int = 1 << 30) -> None:
        self.ctx = ctx
        self.budget_bytes = int(budget_bytes)
        self.uploads = 0            # buffer/texture data writes
        self.bytes_uploaded = 0
        self.hits = 0
        self.misses = 0
        self.frame = 0
        self._entries: OrderedDict[Hashable, CacheEntry] = OrderedDict()
        self._transient: list[CacheEntry] = []
        self._scratch: dict[Hashable, moderngl.Texture] = {}
        self._scratch_fmt: dict[Hashable, tuple] = {}
        self._bytes = 0

    # ---- frame lifetime ---------------------------------------------------------------------
    def begin_frame(self) -> None:
        self.frame += 1

    def end_frame(self) -> None:
        """Release the one-frame entries of key-less visuals and trim to the budget."""
        for entry in self._transient:
            entry.release()
        self._transient.clear()
        self._evict()

    # ---- entries ----------------------------------------------------------------------------
    def get(self, key: Hashable | None) -> CacheEntry | None:
        """The cached entry for `key` (None never hits), marked as used this frame."""
        if key is None:
            return None
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        entry.last_frame = self.frame
        return entry

    def put(self, key: Hashable | None, entry: CacheEntry) -> CacheEntry:
        """Keep `entry` under `key`; with key None it lives until the end of this frame."""
        entry.last_frame = self.frame
        entry.nbytes = sum(_nbytes(o) for o in entry.objects.values())
        if key is None:
            self._transient.append(entry)
            return entry
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
            old.release()
        self._entries[key] = entry
        self._bytes += entry.nbytes
        return entry

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def _evict(self) -> None:
        while self._bytes > self.budget_bytes and self._entries:
            key, entry = next(iter(self._entries.items()))
            if entry.last_frame == self.frame:
                break  # everything older is gone; what is left is in use now
            del self._entries[key]
            self._bytes -= entry.nbytes
            entry.release()

    def drop_rows(self, row_keys: set[tuple[int, int]]) -> int:
        """Release the entries whose key names any of these row ids (the chunks holding them
        were evicted from memory, so their geometry leaves the GPU too); returns how many."""
        if not row_keys:
            return 0
        doomed = [k for k in self._entries if _mentions(k, row_keys)]
        for key in doomed:
            entry = self._entries.pop(key)
            self._bytes -= entry.nbytes
            entry.release()
        return len(doomed)

    def clear(self) -> None:
        for entry in self._entries.values():
            entry.release()
        self._entries.clear()
        self._bytes = 0
        for tex in self._scratch.values():
            tex.release()
        self._scratch.clear()
        self._scratch_fmt.clear()

    # ---- uploads (counted) ------------------------------------------------------------------
    def buffer(self, data: np.ndarray) -> moderngl.Buffer:
        """A new buffer holding `data` (one counted upload)."""
        data = np.ascontiguousarray(data)
        buf = self.ctx.buffer(data if data.nbytes else b"\0\0\0\0")
        self._count(data.nbytes)
        return buf

    def texture(self, data: np.ndarray, components: int, dtype: str,
                internal_format: int | None = None) -> moderngl.Texture:
        """A new NEAREST texture from an (H, W[, C]) array, row 0 = texel row 0 (one upload)."""
        h, w = data.shape[:2]
        tex = self.ctx.texture((w, h), components, np.ascontiguousarray(data), dtype=dtype,
                               internal_format=internal_format)
        tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        tex.repeat_x = tex.repeat_y = False
        self._count(data.nbytes)
        return tex

    def scratch_texture(self, slot: Hashable, data: np.ndarray, components: int, dtype: str,
                        internal_format: int | None = None) -> moderngl.Texture:
        """Write `data` into a reusable texture for `slot`, reallocating only on a format change."""
        h, w = data.shape[:2]
        fmt = (w, h, components, dtype, internal_format)
        tex = self._scratch.get(slot)
        if tex is None or self._scratch_fmt.get(slot) != fmt:
            if tex is not None:
                tex.release()
            tex = self.texture(data, components, dtype, internal_format)
            self._scratch[slot] = tex
            self._scratch_fmt[slot] = fmt
            return tex
        tex.write(np.ascontiguousarray(data))
        self._count(data.nbytes)
        return tex

    def _count(self, nbytes: int) -> None:
        self.uploads += 1
        self.bytes_uploaded += int(nbytes)


def drop_evicted_geometry(cache: GeometryCache, table: Any) -> int:
    """Follow a store's chunk table (annoview.store.ChunkTable): drop the cached geometry of
    chunks it evicted since the last call. Does nothing for a store without a memory limit."""
    if getattr(table, "limit", None) is None:
        return 0
    if not table.track_evicted_rows:
        table.track_evicted_rows = True
        return 0
    rows = table.take_evicted_rows()
    if not len(rows):
        return 0
    return cache.drop_rows({(int(h), int(lo)) for h, lo in rows.tolist()})


def _mentions(key: Any, row_keys: set[tuple[int, int]]) -> bool:
    """Whether a (nested tuple) cache key holds one of the (hi, lo) row keys."""
    if not isinstance(key, tuple):
        return False
    if len(key) == 2 and type(key[0]) is int and type(key[1]) is int:
        return key in row_keys
    return any(_mentions(k, row_keys) for k in key)


def _nbytes(obj: GpuObject) -> int:
    if isinstance(obj, moderngl.Buffer):
        return obj.size
    w, h = obj.size
    return w * h * obj.components * int(obj.dtype[1])
