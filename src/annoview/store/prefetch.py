"""Background prefetch: read back, ahead of the time cursor, the chunks the next frames need.

Why: with a memory limit, playing a recording larger than memory would read every frame's
chunks from disk on the render thread. The prefetcher runs the same latest-at query the scene
will run for the next few data times in the direction of playback, and reads back the evicted
chunks it names on its own thread, so the frame finds them resident.

Bounded: at most `steps` times ahead and at most a quarter of the memory limit per request, so
prefetching never evicts what is on screen now. Cancellable: a new hint (the user scrubbed
elsewhere) supersedes the one in progress between two chunk reads; stop() ends the thread.
"""
from __future__ import annotations

import threading

import numpy as np

from .store import Store


class Prefetcher:
    def __init__(self, store: Store, steps: int = 8, max_fraction: float = 0.25) -> None:
        self.store = store
        self.steps = steps
        self.max_fraction = max_fraction
        self.loaded = 0                  # chunks read ahead (tests and benchmarks read these)
        self.cancelled = 0
        self._cond = threading.Condition()
        self._request: tuple[str, int, int, np.ndarray] | None = None
        self._serial = 0
        self._last: tuple[str, int, int] | None = None
        self._stop = False
        self._idle = True
        self._thread = threading.Thread(target=self._run, name="annoview-prefetch", daemon=True)
        self._thread.start()

    def hint(self, timeline: str | None, t: int | None, direction: int, times: np.ndarray | None) -> None:
        """The cursor is at t moving in `direction` (+1/-1) over the sorted data `times`. Cheap
        to call every frame: an unchanged hint does nothing."""
        if timeline is None or t is None or times is None or not len(times) or self.store.chunks.limit is None:
            return
        key = (timeline, int(t), 1 if direction >= 0 else -1)
        if key == self._last:
            return
        self._last = key
        i = int(np.searchsorted(times, t, side="right"))
        ahead = times[i:i + self.steps] if direction >= 0 else times[max(0, i - 1 - self.steps):max(0, i - 1)][::-1]
        with self._cond:
            if not self._idle:
                self.cancelled += 1
            self._serial += 1
            self._request = (timeline, int(t), key[2], np.asarray(ahead, np.int64))
            self._cond.notify()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until the current request is done (tests, benchmarks)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._idle and self._request is None, timeout)

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(5.0)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._idle = True
                self._cond.notify_all()
                self._cond.wait_for(lambda: self._stop or self._request is not None)
                if self._stop:
                    return
                timeline, _, _, ahead = self._request  # type: ignore[misc]
                self._request, serial, self._idle = None, self._serial, False
            try:
                self._fetch(timeline, ahead, serial)
            except Exception:  # noqa: BLE001 - prefetch is an optimization: the frame reports real errors
                pass

    def _fetch(self, timeline: str, ahead: np.ndarray, serial: int) -> None:
        table = self.store.chunks
        limit = table.limit
        if limit is None:
            return
        budget = int(limit * self.max_fraction)
        spent = 0
        for t in ahead.tolist():
            q = self.store.query(None, timeline, int(t), read=False)
            cids = np.unique(np.concatenate([h.chunk for h in q.hits.values()])) if q.hits else ()
            for cid in np.asarray(cids).tolist():
                if self._serial != serial or self._stop:
                    return
                if table.is_resident(cid):
                    continue
                nbytes = table.nbytes(cid)
                if spent and spent + nbytes > budget:   # the first always loads: a frame needs it
                    return
                if table.prefetch(cid):
                    self.loaded += 1
                    spent += nbytes
