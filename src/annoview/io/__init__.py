"""Recording files: the native `.avr` format (and Rerun `.rrd` import when available)."""
from __future__ import annotations

import os
from collections.abc import Iterator

from ..chunk import Chunk
from ..errors import RecordingFormatError


def is_rrd(path: str | os.PathLike[str]) -> bool:
    return str(path).lower().endswith(".rrd")


def load_chunks(path: str | os.PathLike[str]) -> Iterator[Chunk]:
    """Every chunk of a recording file, whatever its format."""
    if not os.path.exists(path):
        raise RecordingFormatError(f"{path}: no such file")
    if os.path.isdir(path):
        raise RecordingFormatError(f"{path}: is a directory, not a recording")
    if is_rrd(path):
        raise RecordingFormatError(f"{path}: Rerun .rrd files are not supported yet")
    from .avr import read_avr

    return read_avr(path)
