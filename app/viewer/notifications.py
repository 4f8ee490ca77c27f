"""Non-blocking messages: toasts that fade, plus a log the Problems panel lists.

Loader and stream threads report errors here (thread-safe), the UI thread draws them. A failed
file never raises into the render loop: it becomes an error toast and a log line.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

TOAST_SECONDS = {"info": 4.0, "warning": 8.0, "error": 12.0}
MAX_LOG = 500


@dataclass
class Notice:
    id: int
    level: str        # info | warning | error
    text: str
    created: float = field(default_factory=time.monotonic)
    dismissed: bool = False

    def expired(self, now: float) -> bool:
        return self.dismissed or now - self.created > TOAST_SECONDS.get(self.level, 6.0)


class Notifications:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[Notice] = []
        self._next = 1
        self.generation = 0

    def add(self, level: str, text: str) -> Notice:
        with self._lock:
            n = Notice(self._next, level, text)
            self._next += 1
            self._log.append(n)
            del self._log[:-MAX_LOG]
            self.generation += 1
            return n

    def info(self, text: str) -> Notice:
        return self.add("info", text)

    def warning(self, text: str) -> Notice:
        return self.add("warning", text)

    def error(self, text: str) -> Notice:
        return self.add("error", text)

    def toasts(self, now: float | None = None) -> list[Notice]:
        """Messages still on screen, oldest first."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [n for n in self._log if not n.expired(now)][-5:]

    def log(self) -> list[Notice]:
        with self._lock:
            return list(self._log)

    def dismiss(self, notice_id: int) -> None:
        with self._lock:
            for n in self._log:
                if n.id == notice_id:
                    n.dismissed = True
            self.generation += 1

    def clear(self) -> None:
        with self._lock:
            self._log.clear()
            self.generation += 1

    def count(self, level: str) -> int:
        with self._lock:
            return sum(1 for n in self._log if n.level == level)
