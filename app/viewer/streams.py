"""Live recordings over TCP: a StreamServer whose recordings become viewer recordings.

The server's callbacks run on its thread. Each streamed recording gets its Store right there
(ingest is thread-safe), so chunks never wait for the UI thread; the UI adopts new recordings
from a queue on its next frame. A port already in use (another viewer) is a notification, not a
crash: the viewer still opens files.
"""
from __future__ import annotations

import errno
import sys
import threading
from collections.abc import Callable
from typing import Any

from .notifications import Notifications
from annoview.store import Store

from .recording import Recording


class StreamHub:
    def __init__(self, bind: str, port: int, notifications: Notifications,
                 wake: Callable[[], None] = lambda: None, allow_remote: bool = False,
                 memory_limit: int | None = None) -> None:
        self.notifications = notifications
        self.memory_limit = memory_limit   # each live recording's store keeps this much; the rest spills to disk
        self.wake = wake
        self._lock = threading.Lock()
        self._by_key: dict[str, Recording] = {}
        self._new: list[Recording] = []
        self.server: Any = None
        self.address: str | None = None
        try:
            from annoview.io.tcp_server import StreamServer
        except ImportError:
            return
        try:
            self.server = StreamServer(bind, port, on_chunk=self._on_chunk, on_recording=self._on_recording,
                                       on_error=self._on_error, on_disconnect=self._on_disconnect,
                                       allow_remote=allow_remote)
            self.address = self.server.address
        except (OSError, ValueError) as e:
            message = f"Not listening for live recordings on {bind}:{port}: {getattr(e, 'strerror', None) or e}"
            if isinstance(e, OSError) and e.errno == errno.EADDRINUSE:
                message += " (another viewer or `annoview serve` has it; --port picks another, --no-listen none)"
            notifications.warning(message)
            # the terminal too: a logger that cannot connect is debugged from there, not the Problems tab
            print(f"annoview: warning: {message}", file=sys.stderr, flush=True)

    # ---- server thread ----------------------------------------------------------------------
    def _recording(self, info: Any) -> Recording:
        with self._lock:
            rec = self._by_key.get(info.key)
            if rec is None:
                short = info.recording_id[:8]
                rec = Recording(name=f"{info.application_id} ({short})", source=f"tcp:{info.recording_id}",
                                kind="stream", application_id=info.application_id,
                                store=Store(self.memory_limit))
                self._by_key[info.key] = rec
                self._new.append(rec)
            return rec

    def _on_recording(self, info: Any) -> None:
        rec = self._recording(info)
        rec.connected = True
        self.notifications.info(f"Live recording connected: {info.application_id} from {info.peer[0]}")
        self.wake()

    def _on_chunk(self, key: str, chunk: Any) -> None:
        with self._lock:
            rec = self._by_key.get(key)
        if rec is not None:
            rec.store.add_chunk(chunk)
            self.wake()

    def _on_error(self, message: str) -> None:
        self.notifications.warning(message)
        self.wake()

    def _on_disconnect(self, info: Any, reason: str | None) -> None:
        with self._lock:
            rec = self._by_key.get(info.key)
        if rec is not None:
            rec.connected = False
        self.wake()

    # ---- UI thread --------------------------------------------------------------------------
    def take_new(self) -> list[Recording]:
        with self._lock:
            new, self._new = self._new, []
        return new

    def forget(self, rec: Recording) -> None:
        """A closed stream recording: a reconnecting logger starts a fresh one."""
        with self._lock:
            for k, r in list(self._by_key.items()):
                if r is rec:
                    del self._by_key[k]

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
