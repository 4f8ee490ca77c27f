"""Loading recording files in a background thread, with progress, into a Store.

The store's ingest is thread-safe, so the loader adds chunks directly and the UI picks them up
through `store.generation`. For `.avr` files the footer index says how many chunks there are,
so progress is exact, and a footer with row indexes fills the store's index without reading
chunk data (store/ingest.py); a file without a footer (a crashed logger) is indexed by a scan
first, during which progress is indeterminate. A damaged chunk is skipped with a warning; a file
that cannot be read at all ends in `error`, and the UI shows it without stopping.
"""
from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from annoview.errors import AnnoviewError
from annoview.store import Store


@dataclass
class LoadProgress:
    path: str
    # queued | indexing | loading | warming (indexed: shown; reading ahead) | done | failed | cancelled
    state: str = "queued"
    done: int = 0
    total: int | None = None     # None: unknown (indeterminate progress)
    error: str | None = None
    warnings: int = 0
    indexed: bool = False        # every chunk is in the store's index (its data may still be on disk)

    @property
    def fraction(self) -> float | None:
        if self.state in ("done", "warming"):
            return 1.0
        if not self.total:
            return None
        return self.done / self.total

    @property
    def active(self) -> bool:
        return self.state in ("queued", "indexing", "loading")


class FileLoader:
    """Loads one file into `store` on a daemon thread."""

    def __init__(self, path: str, store: Store, *, on_warning: Callable[[str], None] | None = None,
                 wake: Callable[[], None] | None = None) -> None:
        self.path = os.fspath(path)
        self.store = store
        self.progress = LoadProgress(self.path)
        self._on_warning = on_warning or (lambda msg: None)
        self._wake = wake or (lambda: None)
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"annoview-load:{os.path.basename(self.path)}",
                                        daemon=True)

    def start(self) -> "FileLoader":
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """True once loading has ended (also for a loader that ran on the caller's thread)."""
        if self._thread.ident is None:
            return not self.progress.active
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def run_here(self) -> None:
        """Load on the calling thread (screenshots, tests)."""
        self._run()

    # ---- worker ---------------------------------------------------------------------------
    def _run(self) -> None:
        p = self.progress
        try:
            if not os.path.exists(self.path):
                raise AnnoviewError(f"{self.path}: no such file")
            if os.path.isdir(self.path):
                raise AnnoviewError(f"{self.path}: is a directory, not a recording")
            if self.path.lower().endswith(".rrd"):
                self._load_stream()
            else:
                self._load_avr()
            if p.state != "cancelled":
                p.state = "done"
        except AnnoviewError as e:
            p.error, p.state = str(e), "failed"
        except Exception as e:  # a bad file must never take the viewer down
            p.error, p.state = f"{os.path.basename(self.path)}: {type(e).__name__}: {e}", "failed"
        finally:
            self._wake()

    def _load_avr(self) -> None:
        from annoview.io.avr import open_index
        from annoview.store import ChunkFile
        from annoview.store.ingest import add_entries, warm

        p = self.progress
        p.state = "indexing"
        # catch_warnings is process-global; the loader is the only code warning while it runs
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            index = open_index(self.path)
        for w in caught:
            self._warn(str(w.message))
        # A file that ends inside its header is an empty recording with the warning above, as
        # in `annoview info` and read_avr (docs/format.md): nothing to load, nothing failed.
        p.total, p.done, p.state = len(index.entries), 0, "loading"
        # one open file shared by every chunk, for reading evicted ones back (memory limit)
        chunk_file = ChunkFile(self.path)
        damaged: list[str] = []
        unread = add_entries(self.store, index, chunk_file, damaged, self._cancel.is_set, self._step)
        for problem in damaged:
            self._warn(f"{os.path.basename(self.path)}: skipped a damaged chunk: {problem}")
        if unread is None:
            p.state = "cancelled"
            return
        # Indexed: every time can be shown now. A recording that fits in the memory limit is then
        # read whole in the background (store/ingest.py warm), the UI no longer waiting on it.
        p.indexed, p.state = True, "warming"
        self._wake()
        warm(self.store, unread, self._cancel.is_set)
        if self._cancel.is_set():
            p.state = "cancelled"

    def _step(self, n: int) -> None:
        p = self.progress
        p.done += n
        if n > 1 or p.done % 16 == 0:
            self._wake()

    def _load_stream(self) -> None:
        from annoview.io import load_chunks

        p = self.progress
        p.state, p.total = "loading", None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for chunk in load_chunks(self.path):
                if self._cancel.is_set():
                    p.state = "cancelled"
                    return
                self.store.add_chunk(chunk)
                p.done += 1
        for w in caught:
            self._warn(str(w.message))

    def _warn(self, message: str) -> None:
        self.progress.warnings += 1
        self._on_warning(message)
