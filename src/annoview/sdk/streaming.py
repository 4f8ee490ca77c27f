"""Live streaming to a viewer: rr.connect / rr.connect_grpc / rr.spawn.

`connect` installs a TcpSink (tcp_sink.py): it returns at once, the sink connects in the
background and sends everything logged so far. `spawn` starts a viewer when nothing listens on
the port yet, then connects.

The viewer command line is built by one function, `spawn_command(port)`, so that it is easy to
change and to test: the environment variable ANNOVIEW_SPAWN_COMMAND replaces it (see there).
"""
from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import AnnoviewWarning, ValidationError
from ..io.tcp_server import DEFAULT_PORT
from ..strict import report

if TYPE_CHECKING:
    from .recording import RecordingStream

DEFAULT_HOST = "127.0.0.1"
SPAWN_ENV = "ANNOVIEW_SPAWN_COMMAND"
SPAWN_WAIT_S = 10.0

_spawned: list[subprocess.Popen] = []   # viewers started by this process (tests stop them)


# ---------------------------------------------------------------------------------------------
# Addresses


def parse_addr(addr: str | None) -> tuple[str, int]:
    """"host:port", "host", ":port", "[::1]:port" or a URL (any scheme) -> (host, port).

    Rerun-style URLs such as "rerun+http://127.0.0.1:9876/proxy" are accepted so that Rerun
    scripts run unchanged: the host and port are used, the scheme and path are ignored.
    Missing parts default to 127.0.0.1 and 9877. Raises ValidationError for anything else.
    """
    if addr is None:
        return DEFAULT_HOST, DEFAULT_PORT
    if not isinstance(addr, str):
        raise ValidationError("connect", "addr", f"expected a string such as '127.0.0.1:{DEFAULT_PORT}', "
                              f"got {type(addr).__name__}")
    text = addr.strip()
    if not text:
        return DEFAULT_HOST, DEFAULT_PORT
    try:
        parts = urlsplit(text if "://" in text else f"tcp://{text}")
        host, port = parts.hostname, parts.port
    except ValueError as e:
        raise ValidationError("connect", "addr", f"{addr!r} is not an address: {e}") from None
    if "://" not in text and parts.path not in ("", "/"):
        raise ValidationError("connect", "addr", f"{addr!r} is not an address such as '127.0.0.1:{DEFAULT_PORT}'")
    if port == 0:
        raise ValidationError("connect", "addr", f"{addr!r}: port 0 cannot be connected to")
    return host or DEFAULT_HOST, port or DEFAULT_PORT


def url_to_addr(url: str | None) -> str | None:
    """A connect_grpc URL -> "host:port" (None stays None: the default address)."""
    if url is None:
        return None
    host, port = parse_addr(url)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# ---------------------------------------------------------------------------------------------
# connect


def connect_tcp(stream: "RecordingStream", addr: str | None, **options: Any) -> None:
    """Stream the recording to `addr`; everything logged so far (and not yet delivered to a
    previous sink) is sent first. Returns immediately; failures are warned about once.

    options: flush_timeout_sec (Rerun's name) / flush_timeout_s, max_pending_bytes.
    """
    from .tcp_sink import DEFAULT_FLUSH_TIMEOUT_S, DEFAULT_MAX_PENDING_BYTES, TcpSink

    try:
        host, port = parse_addr(addr)
    except ValidationError as e:
        report(e, "not connected; data stays buffered")
        return
    flush_timeout = options.get("flush_timeout_sec", options.get("flush_timeout_s", DEFAULT_FLUSH_TIMEOUT_S))
    max_pending = options.get("max_pending_bytes") or DEFAULT_MAX_PENDING_BYTES
    stream._set_sink(TcpSink(host, port, stream.application_id, stream.recording_id,
                             max_pending_bytes=int(max_pending), flush_timeout_s=flush_timeout))


# ---------------------------------------------------------------------------------------------
# spawn


def spawn_command(port: int) -> list[str]:
    """The viewer command line for `rr.spawn(port=...)`.

    Default: `python -m annoview.app.cli --port PORT` (the desktop viewer listening on PORT).
    ANNOVIEW_SPAWN_COMMAND replaces it: a shell-quoted command line in which `{port}` becomes
    the port and `{python}` this interpreter; without `{port}`, `--port PORT` is appended. For
    example, a headless receiver for tests or servers:
        ANNOVIEW_SPAWN_COMMAND='{python} -m annoview.app.cli serve --save out.avr'
    """
    custom = os.environ.get(SPAWN_ENV, "").strip()
    if not custom:
        return [sys.executable, "-m", "annoview.app.cli", "--port", str(port)]
    args = [a.replace("{python}", sys.executable).replace("{port}", str(port)) for a in shlex.split(custom)]
    if not any("{port}" in a for a in shlex.split(custom)):
        args += ["--port", str(port)]
    return args


def is_listening(host: str, port: int, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections at host:port (the probe closes at once; an
    annoview server treats a connection closed before its handshake as harmless)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawned_processes() -> list[subprocess.Popen]:
    """Viewer processes started by rr.spawn in this process, oldest first."""
    return list(_spawned)


def spawn_viewer(stream: "RecordingStream", *, port: int = DEFAULT_PORT, connect: bool = True,
                 wait_s: float = SPAWN_WAIT_S, **options: Any) -> bool:
    """Start a viewer on `port` unless one already listens there, then connect to it.

    The viewer is detached (own session, no inherited stdio), so it outlives the logging script
    and a Ctrl-C in the script's terminal does not close it. Returns whether a viewer is
    listening. If it cannot start (no display, bad command), one warning is given and the data
    stays buffered in this process: a later rr.connect / rr.save still gets all of it.
    """
    try:
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError
    except (TypeError, ValueError):
        report(ValidationError("spawn", "port", f"expected a TCP port number, got {port!r}"), "no viewer spawned")
        return False
    if not is_listening(DEFAULT_HOST, port):
        problem = _start_and_wait(port, wait_s)
        if problem is not None:
            warnings.warn(f"annoview: could not start a viewer on port {port}: {problem}. Logged data stays "
                          "buffered in this process (rr.connect() or rr.save(path) later gets all of it)",
                          AnnoviewWarning, stacklevel=4)
            return False
    if connect:
        connect_tcp(stream, f"{DEFAULT_HOST}:{port}", **options)
    return True


def _start_and_wait(port: int, wait_s: float) -> str | None:
    """Start the viewer process and wait for its port; None on success, else what went wrong."""
    cmd = spawn_command(port)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError as e:
        return f"{shlex.join(cmd)} failed to start: {e.strerror or e}"
    _spawned.append(proc)
    deadline = time.monotonic() + wait_s
    delay = 0.02
    while time.monotonic() < deadline:
        if is_listening(DEFAULT_HOST, port):
            return None
        code = proc.poll()
        if code is not None:
            return f"{shlex.join(cmd)} exited with code {code}"
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)
    return f"{shlex.join(cmd)} did not listen on port {port} within {wait_s:g} s"
