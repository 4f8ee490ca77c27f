"""Recording files: the native `.avr` format, and Rerun `.rrd` files through the optional
rerun-sdk extra (io/rrd.py)."""
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
        from .rrd import read_rrd  # needs the optional rerun-sdk extra; says so when missing

        return read_rrd(path)
    from .avr import read_avr

    return read_avr(path)
