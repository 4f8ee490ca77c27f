"""`annoview serve --save FILE.avr`: a headless receiver that records live streams to a file.

For servers, CI and tests: loggers `rr.connect()` to it exactly as to the viewer. Chunks are
appended to one `.avr` file as they arrive (AvrWriter writes every frame straight to the OS, so
a crash of either side leaves every complete chunk loadable). Ctrl-C or SIGTERM stops it and
closes the file cleanly: the footer index is written.

Several loggers at once go into the same file. The file header names the first recording that
connected (its application and recording id); chunks from other recordings are appended too,
and a line on stderr says so. A `.avr` file does not say which recording a chunk came from, so
save one logger per file when that matters.

The file is never clobbered by accident and no symlink is followed: a FILE that does not exist
is created exclusively (O_CREAT | O_EXCL) when the first logger connects; an existing FILE needs
`--force`, and then the recording is written beside it (`.FILE.PID.partial`) and renamed over
it at stop, only if a logger connected. When nobody connected, an existing FILE is left as it
was (a new FILE becomes a valid, empty recording).
"""
from __future__ import annotations

import argparse
import os
import secrets
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
    p.add_argument("--save", required=True, metavar="FILE",
                   help="the .avr file to write (an existing one needs --force; symlinks are never followed)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing FILE at stop, if a logger connected (written beside it, then renamed)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0 = any free)")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDR", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --bind address (the stream has no authentication)")
    p.set_defaults(func=run_serve)


class _Recorder:
    """Owns the file: opened when the first recording connects, so its header names that recording.

    Writes FILE directly when it did not exist (exclusive create), else a `.partial` file beside
    it that close() renames over FILE (replace_existing) or links to it only if FILE is still
    absent (a file that appeared meanwhile is never clobbered).
    """

    def __init__(self, path: Path, replace_existing: bool = False) -> None:
        self.path = path
        self.replace_existing = replace_existing
        self._writer: AvrWriter | None = None
        self._target: Path = path          # where the writer writes
        self._lock = threading.Lock()
        self.recordings: set[str] = set()
        self.chunks = 0
        self.saved_to: Path | None = None  # set by close()

    def _open(self, application_id: str, recording_id: str | None) -> AvrWriter:
        if not os.path.lexists(self.path):
            try:
                return AvrWriter(self.path, application_id=application_id, recording_id=recording_id, exclusive=True)
            except FileExistsError:  # appeared since the start: write beside it
                pass
        while True:
            self._target = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(3)}.partial")
            try:
                return AvrWriter(self._target, application_id=application_id, recording_id=recording_id,
                                 exclusive=True)
            except FileExistsError:
                continue

    def on_recording(self, info: StreamInfo) -> None:
        with self._lock:
            if self._writer is None:
                self._writer = self._open(info.application_id, info.recording_id)
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
            if self._writer is None:  # nobody connected
                if os.path.lexists(self.path):
                    _say(f"no logger connected; {self.path} is left as it was")
                    return
                try:  # still leave a valid, empty recording
                    AvrWriter(self.path, application_id="annoview-serve", exclusive=True).close()
                    self.saved_to = self.path
                except FileExistsError:
                    _say(f"no logger connected; {self.path} is left as it was")
                return
            self._writer.close()
            self.saved_to = self._target
            if self._target == self.path:
                return
            if self.replace_existing:
                os.replace(self._target, self.path)  # replaces a symlink itself, never its target
                self.saved_to = self.path
                return
            try:
                os.link(self._target, self.path)     # fails if FILE exists: never clobbers
                os.unlink(self._target)
                self.saved_to = self.path
            except OSError as e:
                _say(f"{self.path} appeared while serving ({e.strerror or e}); the recording is kept in "
                     f"{self._target} (rerun with --force to replace {self.path})")


def run_serve(args: argparse.Namespace) -> int:
    path = Path(args.save)
    if not 0 <= args.port <= 65535:
        raise AnnoviewError(f"--port {args.port}: expected a TCP port number 0..65535 (0 = any free port)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AnnoviewError(f"{path}: directory {parent} does not exist")
    if path.is_dir():
        raise AnnoviewError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK):
        raise AnnoviewError(f"{path}: not writable")
    if os.path.lexists(path) and not args.force:
        kind = "a symlink" if path.is_symlink() else "an existing file"
        raise AnnoviewError(f"{path} is {kind}; pass --force to replace it when a logger has connected "
                            "(it is written beside and renamed, symlinks are never followed)")
    recorder = _Recorder(path, replace_existing=bool(args.force))
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server = StreamServer(args.bind, args.port, on_chunk=recorder.on_chunk,
                                  on_recording=recorder.on_recording, on_error=lambda m: _say(m),
                                  on_disconnect=_on_disconnect, allow_remote=args.allow_remote)
        except ValueError as e:
            raise AnnoviewError(str(e)) from None
        except (OSError, OverflowError) as e:  # port taken, address not local, ...
            raise AnnoviewError(f"cannot listen on {args.bind}:{args.port}: {getattr(e, 'strerror', None) or e}") from None
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
    if recorder.saved_to is not None:
        _say(f"saved {recorder.chunks} chunks from {len(recorder.recordings)} recording(s) to {recorder.saved_to}")
    return 0


def _on_disconnect(info: StreamInfo, reason: str | None) -> None:
    if reason is None:
        _say(f"recording {info.recording_id!r} disconnected")


def _say(message: str) -> None:
    print(f"annoview serve: {message}", file=sys.stderr, flush=True)
