"""`annoview serve --save FILE.avr`: a headless receiver that records live streams to a file.

For servers, CI and tests: loggers `rr.connect()` to it exactly as to the viewer. Chunks are
appended to one `.avr` file as they arrive (AvrWriter writes every frame straight to the OS, so
a crash of either side leaves every complete chunk loadable). Ctrl-C or SIGTERM stops it and
closes the file cleanly: the footer index is written.

Several loggers at once go into the same file. The file header names the first recording that
connected (its application and recording id); chunks from other recordings are appended too,
and a line on stderr says so. A `.avr` file does not say which recording a chunk came from, so
save one logger per file when that matters.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from annoview.chunk import Chunk
from annoview.errors import AnnoviewError
from annoview.io.avr import AvrWriter
from annoview.io.tcp_server import DEFAULT_PORT, StreamInfo, StreamServer


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="receive live streams (rr.connect) and save them to a .avr file",
                              description="Headless receiver: loggers connect with rr.connect('HOST:PORT'); "
                                          "their chunks are appended to FILE. Ctrl-C or SIGTERM closes the file "
                                          "cleanly.")
    p.add_argument("--save", required=True, metavar="FILE", help="the .avr file to write (truncated at start)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0 = any free)")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDR", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --bind address (the stream has no authentication)")
    p.set_defaults(func=run_serve)


class _Recorder:
    """Owns the file: opened when the first recording connects, so its header names that recording."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: AvrWriter | None = None
        self._lock = threading.Lock()
        self.recordings: set[str] = set()
        self.chunks = 0

    def on_recording(self, info: StreamInfo) -> None:
        with self._lock:
            if self._writer is None:
                self._writer = AvrWriter(self.path, application_id=info.application_id,
                                         recording_id=info.recording_id)
            elif info.recording_id != self._writer.header.recording_id and info.recording_id not in self.recordings:
                _say(f"recording {info.recording_id!r} (application {info.application_id!r}) is appended to "
                     f"{self.path}, whose header names recording {self._writer.header.recording_id!r}")
            new = info.recording_id not in self.recordings
            self.recordings.add(info.recording_id)
        pid = f", pid {info.pid}" if info.pid is not None else ""
        _say(f"{'' if new else 're'}connected: recording {info.recording_id!r} (application "
             f"{info.application_id!r}{pid}) from {info.peer[0]}:{info.peer[1]}")

    def on_chunk(self, key: str, chunk: Chunk) -> None:
        writer = self._writer
        assert writer is not None  # on_recording always runs first
        writer.write_chunk(chunk)
        self.chunks += 1

    def close(self) -> None:
        with self._lock:
            if self._writer is None:  # nobody connected: still leave a valid, empty recording
                self._writer = AvrWriter(self.path, application_id="annoview-serve")
            self._writer.close()


def run_serve(args: argparse.Namespace) -> int:
    path = Path(args.save)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AnnoviewError(f"{path}: directory {parent} does not exist")
    if path.is_dir():
        raise AnnoviewError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise AnnoviewError(f"{path}: not writable")
    recorder = _Recorder(path)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server = StreamServer(args.bind, args.port, on_chunk=recorder.on_chunk,
                                  on_recording=recorder.on_recording, on_error=lambda m: _say(m),
                                  on_disconnect=_on_disconnect, allow_remote=args.allow_remote)
        except ValueError as e:
            raise AnnoviewError(str(e)) from None
        except OSError as e:  # port taken, address not local, ...
            raise AnnoviewError(f"cannot listen on {args.bind}:{args.port}: {e.strerror or e}") from None
        host = f"[{args.bind}]" if ":" in args.bind else args.bind
        _say(f"listening on {host}:{server.port}, saving to {path}")
        try:
            while not stop.wait(0.5):
                pass
        finally:
            server.close()
            recorder.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _say(f"saved {recorder.chunks} chunks from {len(recorder.recordings)} recording(s) to {path}")
    return 0


def _on_disconnect(info: StreamInfo, reason: str | None) -> None:
    if reason is None:
        _say(f"recording {info.recording_id!r} disconnected")


def _say(message: str) -> None:
    print(f"annoview serve: {message}", file=sys.stderr, flush=True)
