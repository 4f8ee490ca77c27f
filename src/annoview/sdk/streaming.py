"""Live streaming to a viewer (rr.spawn / rr.connect).

Not built yet (see the streaming issue): these calls warn once and keep the data buffered in the
recording, so a Rerun script that calls them still runs, and `rr.save` still writes everything.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from ..errors import AnnoviewWarning

if TYPE_CHECKING:
    from .recording import RecordingStream


def url_to_addr(url: str | None) -> str | None:
    return url


def _unavailable(what: str) -> None:
    warnings.warn(f"annoview: {what} is not available yet; data stays buffered in this process "
                  "(use rr.save(path) and `annoview FILE`)", AnnoviewWarning, stacklevel=4)


def spawn_viewer(stream: "RecordingStream", *, port: int, connect: bool) -> None:
    _unavailable("rr.spawn (live streaming)")


def connect_tcp(stream: "RecordingStream", addr: str | None) -> None:
    _unavailable("rr.connect (live streaming)")
