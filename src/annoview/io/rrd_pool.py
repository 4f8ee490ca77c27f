"""The parent side of the `.rrd` worker (rrd_worker.py): a small pool of worker processes, and
the checked message stream of one read.

Why a pool: a worker pays for importing rerun-sdk (about a second) once, not once per file. A
worker that finished a read cleanly (its "done" or "error" message) takes the next request; one
that died, or whose read was abandoned half way, is not reused.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..chunk import Chunk
from ..errors import RecordingFormatError
from . import rrd_worker
from .frames import FRAME_CHUNK, MAX_FILE_FRAME_LEN, FrameDecoder, json_object

MAX_IDLE = 2  # idle workers kept (a viewer may load two .rrd files at once)


class _Proc:
    """One worker process, with the last lines of its stderr (for the one-line failure)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])  # the annoview this process runs
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.popen = subprocess.Popen([sys.executable, "-m", "annoview.io.rrd_worker", str(limit)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.stderr: deque[bytes] = deque(maxlen=20)
        self._drain = threading.Thread(target=self._drain_stderr, daemon=True, name="annoview-rrd-stderr")
        self._drain.start()

    def _drain_stderr(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr.append(line[-1000:])

    def request(self, mode: str, path: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps({"mode": mode, "path": path}).encode() + b"\n")
        self.popen.stdin.flush()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()
        self._drain.join(timeout=1)
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()


_lock = threading.Lock()
_idle: list[_Proc] = []


def _acquire(limit: int) -> _Proc:
    with _lock:
        while _idle:
            proc = _idle.pop()
            if proc.popen.poll() is None and proc.limit >= limit:
                return proc
            proc.kill()
    return _Proc(limit)


@atexit.register
def _close_idle() -> None:
    """End idle workers at exit (end of input), and wait for them: no zombie is left behind."""
    with _lock:
        idle = list(_idle)
        _idle.clear()
    for proc in idle:
        try:
            assert proc.popen.stdin is not None
            proc.popen.stdin.close()
            proc.popen.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        proc.kill()


def _release(proc: _Proc) -> None:
    with _lock:
        if proc.popen.poll() is None and len(_idle) < MAX_IDLE:
            _idle.append(proc)
            return
    proc.kill()


class WorkerRead:
    """One read of one `.rrd` file by a worker: ("info" | "warning" | "tick", value) and
    ("chunk", Chunk) messages; a failure of the worker is one RecordingFormatError."""

    def __init__(self, path: str, mode: str) -> None:
        self.source = path
        self.chunks = 0
        env_limit = rrd_worker.memory_limit_bytes(os.path.getsize(path))
        self._proc = _acquire(env_limit)
        try:
            self._proc.request(mode, path)
        except OSError:  # an idle worker that died meanwhile: start a fresh one
            self._proc.kill()
            self._proc = _Proc(env_limit)
            self._proc.request(mode, path)

    def messages(self) -> Iterator[tuple[str, Any]]:
        proc = self._proc
        assert proc.popen.stdout is not None
        decoder = FrameDecoder(MAX_FILE_FRAME_LEN)
        finished = False
        try:
            while data := proc.popen.stdout.read1(1 << 16):
                for ftype, payload in decoder.feed(data):
                    if ftype == FRAME_CHUNK:
                        try:
                            chunk = Chunk.from_ipc(payload)  # checked like any untrusted chunk
                        except RecordingFormatError as e:
                            yield "warning", f"{self.source}: skipped a chunk the reader sent back: {e}"
                            continue
                        self.chunks += 1
                        yield "chunk", chunk
                        continue
                    msg = json_object(payload, "rrd reader message")
                    if "error" in msg:
                        finished = True
                        raise RecordingFormatError(str(msg["error"]))
                    if msg.get("done"):
                        finished = True
                        return
                    for key in ("info", "warning", "tick"):
                        if key in msg:
                            yield key, msg[key]
        finally:
            if finished and not decoder.buffered:
                _release(proc)
            else:
                proc.kill()
        raise RecordingFormatError(self._failure())

    def _failure(self) -> str:
        rc = self._proc.popen.returncode
        how = f"signal {signal.Signals(-rc).name}" if rc is not None and rc < 0 and -rc in signal.valid_signals() \
            else f"exit code {rc}"
        lines = [ln.decode("utf-8", "replace").strip() for ln in self._proc.stderr]
        lines = [ln for ln in lines if ln and not ln.startswith(("Traceback", "File ", "warnings.warn", "skipping"))]
        telling = [ln for ln in lines if any(w in ln.lower() for w in ("memory", "panicked", "error"))]
        last = (telling or lines or ["no message"])[-1]
        return f"{self.source}: rerun-sdk stopped while reading the file ({how}): {' '.join(last.split())[:300]}"
