"""One open recording and everything the viewer remembers about it.

Each recording (a file, or a live stream keyed by its recording id) keeps its own store, time
cursor, entity visibility, legend edits, view options, cameras and selection, so switching
between recordings returns to where the user left each one.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from typing import Any

from annoview.scene import Scene, SceneBuilder, ViewOptions
from annoview.store import Store

from ..timeparse import default_timeline
from .entity_model import EntityModel
from .loader import FileLoader, LoadProgress
from .timecontrol import TimeControl

_ids = itertools.count(1)


@dataclass
class Selection:
    """What the inspector shows: an entity, one instance of one object of it, or an annotation
    class (`class_key` = (context owner entity or None, class id); `entity` is then the owner)."""

    entity: str
    object_id: int | None = None
    instance: int | None = None
    class_key: tuple[str | None, int] | None = None


@dataclass
class Recording:
    name: str
    source: str                           # file path or "tcp:<recording id>"
    kind: str = "file"                    # file | stream
    store: Store = field(default_factory=Store)
    id: int = field(default_factory=lambda: next(_ids))
    time: TimeControl = field(default_factory=TimeControl)
    entities: EntityModel = field(default_factory=EntityModel)
    options: ViewOptions = field(default_factory=ViewOptions)
    options_generation: int = 0
    selection: Selection | None = None
    loader: FileLoader | None = None
    connected: bool = False               # streams: a logger is connected now
    application_id: str | None = None
    scene_renderer: Any = None            # SceneRenderer, made by the App (needs GL)
    cameras: dict[str, Any] = field(default_factory=dict)   # view name -> camera (None = auto-fit)
    builder: SceneBuilder = field(init=False)
    scene: Scene | None = None
    scene_key: tuple | None = None
    scene_serial: int = 0                 # bumped per scene build (render caches key on it, not id())
    data_times: Any = None
    seen_generation: int = -1             # store generation the UI has caught up with (throttled)
    seen_at: float = 0.0
    prefetcher: Any = None                # store.prefetch.Prefetcher, made on first use (memory limit only)
    _last_time: int | None = None
    _data_times_key: tuple | None = None

    def __post_init__(self) -> None:
        self.builder = SceneBuilder(self.store)

    @classmethod
    def from_file(cls, path: str, memory_limit: int | None = None) -> "Recording":
        return cls(name=os.path.basename(path), source=os.path.abspath(path), kind="file",
                   store=Store(memory_limit))

    def prefetch(self) -> None:
        """With a memory limit: read ahead, off the UI thread, what the next frames in the
        direction of playback need (see annoview.store.prefetch)."""
        if self.store.chunks.limit is None or self.time.timeline is None:
            return
        if self.prefetcher is None:
            from annoview.store.prefetch import Prefetcher

            self.prefetcher = Prefetcher(self.store)
        t = self.time.time
        direction = 1 if self.time.playing or self._last_time is None or t is None or t >= self._last_time else -1
        self._last_time = t
        self.prefetcher.hint(self.time.timeline, t, direction, self.timeline_data_times())

    @property
    def progress(self) -> LoadProgress | None:
        return None if self.loader is None else self.loader.progress

    @property
    def loading(self) -> bool:
        return self.loader is not None and self.loader.progress.active

    def catch_up(self, now: float, min_interval: float) -> bool:
        """Adopt new store data, at most every `min_interval` s (a streaming or loading store
        changes on every chunk; rebuilding the tree and scene per chunk would starve the UI)."""
        gen = self.store.generation
        if gen == self.seen_generation or (now - self.seen_at < min_interval and self.seen_generation >= 0):
            return False
        self.seen_generation, self.seen_at = gen, now
        self.entities.sync(self.store)
        self.sync_time()
        return True

    def sync_time(self) -> bool:
        """Follow the store's timelines (new data may add or extend them)."""
        return self.time.sync(self.store.timelines(), default_timeline(self.store))

    def timeline_data_times(self):
        """Sorted times holding data on the current timeline (cached per store generation)."""
        key = (self.time.timeline, self.seen_generation)
        if key != self._data_times_key:
            self._data_times_key = key
            self.data_times = self.store.timeline_times(self.time.timeline) if self.time.timeline else None
        return self.data_times

    def touch_options(self) -> None:
        self.options_generation += 1

    def release(self) -> None:
        if self.loader is not None:
            self.loader.cancel()
        if self.prefetcher is not None:
            self.prefetcher.stop()
            self.prefetcher = None
        self.store.chunks.close()
        if self.scene_renderer is not None:
            self.scene_renderer.release()
            self.scene_renderer = None
