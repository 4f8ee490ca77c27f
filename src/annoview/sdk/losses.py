"""Rows that cannot be saved are reported, never dropped silently.

Two cases: rows logged after the recording was closed (threads still logging while the
interpreter exits) and rows logged after the last `rr.disconnect()`, which stay buffered in
the process and end with it. Rerun drops both without a word; annoview warns once for each.
"""
from __future__ import annotations

import threading

from ..chunk import Chunk
from ..errors import AnnoviewWarning, warn_user


class LateRows:
    """Counts rows logged after close(); the first one warns."""

    def __init__(self, recording_id: str) -> None:
        self.recording_id = recording_id
        self.count = 0
        self._lock = threading.Lock()

    def dropped(self) -> None:
        with self._lock:
            self.count += 1
            first = self.count == 1
        if first:
            warn_user(f"annoview: recording {self.recording_id} is closed (at exit, or by close()); rows logged "
                      "after that are not saved (warned once)", AnnoviewWarning)


def warn_unsaved_after_disconnect(recording_id: str, chunks: list[Chunk]) -> None:
    """At close: rows buffered since the last rr.disconnect() are about to be lost."""
    rows = sum(c.num_rows for c in chunks)
    if rows:
        warn_user(f"annoview: {rows} rows of recording {recording_id} were logged after the last rr.disconnect() "
                  "and are not saved: call rr.save(path) or rr.connect() after logging them to keep them",
                  AnnoviewWarning)
