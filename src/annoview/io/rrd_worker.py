"""Read a Rerun `.rrd` file in a separate process, so that rerun-sdk failing on a corrupt file
cannot take annoview down with it.

Why a process: rerun-sdk decodes `.rrd` files in native code. On some corrupt files it does not
raise but aborts the whole process (`memory allocation of 4503599627371712 bytes failed`, exit
134): no `try` can catch that, and the viewer, `info` and `convert` would die with it. Here the
decoding runs in a child (`python -m annoview.io.rrd_worker`), which sends back annoview chunks
as `.avr` frames on its stdout. The parent treats those bytes like any other untrusted input:
every chunk goes through Chunk.from_ipc (checked and fully validated). Nothing is pickled.

Requests come on the child's stdin, one JSON line each (`{"mode": "info" | "read", "path": ...}`),
so one worker serves several files (rrd_pool.py). Answers on its stdout (the `.avr` frame layout):
- type 2 frames carry one JSON object: `{"info": {...}}` first, then `{"warning": "..."}`,
  `{"tick": nbytes}` after each Rerun chunk, and finally `{"done": true}` or `{"error": "..."}`;
- type 1 frames carry one annoview chunk (Arrow IPC), exactly as in a file.

The child limits its own address space (RLIMIT_AS) before it imports rerun-sdk: a hostile file
cannot make it use unbounded memory; running out ends the child, and the parent reports it.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import warnings
from typing import Any, BinaryIO

from .frames import FRAME_CHUNK, FRAME_FOOTER, encode_frame

MEMORY_ENV = "ANNOVIEW_RRD_WORKER_MEMORY_MB"  # the child's address-space limit, overriding the default


def memory_limit_bytes(file_size: int) -> int:
    """The child's RLIMIT_AS: rerun-sdk and Python reserve about 1.7 GB of address space up
    front; on top of that the file's decoded chunks, with room for Rerun's LZ4 ratio."""
    override = os.environ.get(MEMORY_ENV)
    if override:
        return int(override) << 20
    return (3 << 30) + 64 * file_size


def _send(out: BinaryIO, frame_type: int, payload: bytes) -> None:
    out.write(encode_frame(frame_type, payload))
    out.flush()


def _message(out: BinaryIO, **msg: Any) -> None:
    _send(out, FRAME_FOOTER, json.dumps(msg, ensure_ascii=True).encode())


def _forward_warnings(out: BinaryIO, caught: list[warnings.WarningMessage]) -> None:
    from ..errors import AnnoviewWarning

    for w in caught:
        if issubclass(w.category, AnnoviewWarning):
            _message(out, warning=str(w.message))
    caught.clear()


def run(mode: str, path: str, out: BinaryIO) -> int:
    from ..errors import RecordingFormatError
    from . import rrd

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            reader, entry = rrd._open_reader(path, rrd._rerun_chunk_api(rrd.READ_EXTRA_MESSAGE))
            count = rrd._store_chunk_count(reader, entry)
            _message(out, info={"application_id": entry.application_id, "recording_id": entry.recording_id,
                                "chunks": count})
            _forward_warnings(out, caught)
            if mode == "read":
                def tick(nbytes: int) -> None:
                    _forward_warnings(out, caught)
                    _message(out, tick=nbytes)

                for chunk in rrd._iter_rrd(reader, entry, path, tick):
                    _send(out, FRAME_CHUNK, chunk.to_ipc())
            _forward_warnings(out, caught)
        except RecordingFormatError as e:
            _forward_warnings(out, caught)
            _message(out, error=str(e))
            return 1
    _message(out, done=True)
    return 0


def main(argv: list[str]) -> int:
    """`python -m annoview.io.rrd_worker LIMIT`: one JSON request a line on stdin
    (`{"mode": "info" | "read", "path": ...}`), answered on stdout; ends at end of input."""
    limit = int(argv[0])
    if limit > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:  # a limit set on annoview itself still holds
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    # Frames go to a private copy of stdout; fd 1 itself now points at stderr, so anything else
    # printing (Python or native code) cannot corrupt the frame stream.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        path = str(request["path"])
        try:
            run(str(request["mode"]), path, out)
        except MemoryError:
            _message(out, error=f"{path}: rerun-sdk ran out of memory reading the file "
                                f"(limit {limit >> 20} MB; set {MEMORY_ENV} to change it)")
            return 1  # memory may be fragmented or state half built: do not serve another file
        except BrokenPipeError:  # the parent stopped reading (the user closed the viewer)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

