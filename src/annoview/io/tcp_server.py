"""Live streaming over TCP: the handshake layout and the receiving server.

Wire protocol (docs/format.md, "Live streaming protocol"): the client opens a TCP connection and
sends a handshake (magic `AVRSTRM1`, u32 format version, u32 JSON length, UTF-8 JSON with
`application_id`, `recording_id`, `pid`); the server answers one byte, OK or REJECT (+ reason),
and then the client sends the same CRC'd frames as an `.avr` file body (type 1 chunk frames).

Why a handshake rather than the file header: the header's `created_ns` describes a file, while a
connection needs the logger's identity (pid) and a reply channel, so that a version mismatch is
refused up front instead of surfacing as a confusing frame error. Framing itself is shared with
the file format (`frames.py`), so the two cannot drift apart.

The server is one selector thread (the target machines have 2 cores): it accepts, reads every
connection without blocking, and hands complete chunks to callbacks. Bad input from one
connection (wrong magic, newer version, oversized lengths, CRC mismatch, undecodable chunk)
closes that connection only, with a reason passed to `on_error`; the others carry on. Any
other exception raised while serving one connection (a bug, RecursionError on hostile JSON,
MemoryError) is contained the same way: the listener never stops for one peer.

Hostile peers cannot hold the server (conn_limits.py has the rules): a frame or handshake in
progress must keep a minimum byte rate, the bytes buffered across all connections are bounded,
and a full server makes room for a newcomer by closing a connection that is still in its
handshake or has been idle the longest.
"""
from __future__ import annotations

import ipaddress
import itertools
import json
import logging
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..chunk import Chunk
from ..errors import RecordingFormatError
from .conn_limits import (DEFAULT_IDLE_EVICT_S, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MIN_RATE_BPS,
                          DEFAULT_PROGRESS_GRACE_S, REJECT_BUSY_PREFIX, ConnLimits)
from .frames import DEFAULT_MAX_FRAME_LEN, FORMAT_VERSION, FRAME_CHUNK, MAX_PLAUSIBLE_VERSION, FrameDecoder, json_object

__all__ = [
    "STREAM_MAGIC", "DEFAULT_PORT", "MAX_HANDSHAKE_JSON", "REPLY_OK", "REPLY_REJECT", "REJECT_BUSY_PREFIX", "HandshakeInfo",
    "StreamInfo", "StreamServer", "encode_handshake", "parse_handshake", "encode_reject", "is_loopback",
]

log = logging.getLogger("annoview.stream")

STREAM_MAGIC = b"AVRSTRM1"
DEFAULT_PORT = 9877
MAX_HANDSHAKE_JSON = 64 * 1024        # three short fields; anything bigger is not a logger
MAX_REJECT_REASON = 1024
REPLY_OK = b"\x01"
REPLY_REJECT = b"\x00"

_HANDSHAKE = struct.Struct("<8sII")   # magic, format version, JSON length
HANDSHAKE_PREAMBLE_SIZE = _HANDSHAKE.size  # 16
_RECV_SIZE = 1 << 20
_MAX_LOOP_FAILURES = 100   # consecutive failed loop rounds (outside any connection) before the server stops


# ---------------------------------------------------------------------------------------------
# Handshake bytes


@dataclass(frozen=True)
class HandshakeInfo:
    """What a logger says about itself when it connects."""

    application_id: str
    recording_id: str
    pid: int | None


def encode_handshake(application_id: str, recording_id: str, pid: int | None,
                     version: int = FORMAT_VERSION) -> bytes:
    """Client -> server opening bytes; JSON so the server needs no pickle/eval to read them."""
    body = json.dumps({"application_id": application_id, "recording_id": recording_id, "pid": pid},
                      ensure_ascii=False).encode("utf-8")
    if len(body) > MAX_HANDSHAKE_JSON:
        raise ValueError(f"handshake JSON of {len(body)} bytes exceeds the {MAX_HANDSHAKE_JSON}-byte limit")
    return _HANDSHAKE.pack(STREAM_MAGIC, version, len(body)) + body


def encode_reject(reason: str) -> bytes:
    """REJECT byte + u16 length + UTF-8 reason (truncated to 1 KiB): the refused peer learns why."""
    data = reason.encode("utf-8", "replace")[:MAX_REJECT_REASON]
    return REPLY_REJECT + struct.pack("<H", len(data)) + data


def parse_handshake(buf: bytes | bytearray) -> tuple[HandshakeInfo, int] | None:
    """(info, bytes consumed) once buf holds a whole handshake, None while more bytes are needed.

    Checks what is already visible, in order, so that a wrong peer (an HTTP client, a port
    scanner) is refused from its first bytes and an oversized JSON length is refused before
    anything is buffered. Raises RecordingFormatError with the reason.
    """
    n = min(len(buf), len(STREAM_MAGIC))
    if bytes(buf[:n]) != STREAM_MAGIC[:n]:
        got = bytes(buf[:n]).decode("ascii", "backslashreplace")  # readable, without a b'' literal
        raise RecordingFormatError(f"not an annoview stream (expected the magic {STREAM_MAGIC.decode()}, "
                                   f"got {got!r})")
    if len(buf) < HANDSHAKE_PREAMBLE_SIZE:
        return None
    _, version, json_len = _HANDSHAKE.unpack_from(buf)
    if version > MAX_PLAUSIBLE_VERSION:
        raise RecordingFormatError(f"damaged handshake (format version field reads {version})")
    if version > FORMAT_VERSION:
        raise RecordingFormatError(f"the logger streams format version {version}; this annoview reads version "
                                   f"{FORMAT_VERSION}: upgrade annoview on the receiving side")
    if version < 1:
        raise RecordingFormatError(f"invalid stream format version {version}")
    if json_len > MAX_HANDSHAKE_JSON:
        raise RecordingFormatError(f"handshake JSON length {json_len} exceeds the {MAX_HANDSHAKE_JSON}-byte limit")
    end = HANDSHAKE_PREAMBLE_SIZE + json_len
    if len(buf) < end:
        return None
    info = json_object(buf[HANDSHAKE_PREAMBLE_SIZE:end], "handshake")
    app, rec, pid = info.get("application_id"), info.get("recording_id"), info.get("pid")
    if not isinstance(app, str) or not isinstance(rec, str) or not rec:
        raise RecordingFormatError("handshake needs string application_id and a non-empty string recording_id")
    if pid is not None and (not isinstance(pid, int) or isinstance(pid, bool)):
        raise RecordingFormatError(f"handshake pid must be an integer or null, got {pid!r}")
    return HandshakeInfo(app, rec, pid), end


def is_loopback(host: str) -> bool:
    """True when every address `host` resolves to is a loopback address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


# ---------------------------------------------------------------------------------------------
# Server


@dataclass(frozen=True)
class StreamInfo:
    """One accepted connection. `key` names the recording its chunks belong to (the recording id:
    a logger that reconnects, or several processes sharing a recording id, feed one recording)."""

    key: str
    application_id: str
    recording_id: str
    pid: int | None
    peer: tuple[str, int]
    connection_id: int
    connected_at: float = field(compare=False)


@dataclass
class _Conn:
    sock: socket.socket
    peer: tuple[str, int]
    conn_id: int
    opened: float
    buf: bytearray = field(default_factory=bytearray)
    info: StreamInfo | None = None
    decoder: FrameDecoder | None = None
    chunks: int = 0
    received: int = 0
    last_rx: float = 0.0             # monotonic time of the last byte received
    partial_since: float | None = None   # when the handshake / frame now in progress began
    partial_rx: int = 0              # bytes received since then
    buffered: int = 0                # bytes held for this connection (handshake + partial frame)

    def describe(self) -> str:
        who = f"{self.peer[0]}:{self.peer[1]}"
        if self.info is not None:
            pid = f", pid {self.info.pid}" if self.info.pid is not None else ""
            who += f" (recording {self.info.recording_id!r}{pid})"
        return who


class StreamServer:
    """Receives live recordings over TCP; one thread serves every connection.

    Callbacks run on the server thread, in arrival order per connection:
      on_recording(info: StreamInfo)       a logger finished its handshake (before its chunks);
      on_chunk(key: str, chunk: Chunk)     one decoded chunk of recording `key` (= info.key);
      on_error(message: str)               a connection was closed for a reason (bad data, a
                                           failing callback); default: logged as a warning;
      on_disconnect(info, reason | None)   a handshaken connection ended; None = clean close.
    Callbacks must not block for long: while one runs, no connection is read (TCP then pushes
    back on the loggers, whose bounded queues drop their oldest data).

    Limits against peers that hold resources (conn_limits.py): max_buffered_bytes bounds the bytes
    held across all connections; a handshake or frame in progress closes when it falls below
    min_rate_bps after progress_grace_s; a full server closes a connection still in its handshake,
    or one idle for idle_evict_s, to admit a newcomer, and otherwise refuses it with a
    REJECT_BUSY_PREFIX reason (the SDK retries those).

    Binding to a non-loopback address needs allow_remote=True: the stream has no
    authentication, so anyone who can reach the port can inject data.
    `port=0` picks a free port; read it back from `.port`.
    """

    def __init__(self, bind: str = "127.0.0.1", port: int = DEFAULT_PORT, *,
                 on_chunk: Callable[[str, Chunk], None] | None = None,
                 on_recording: Callable[[StreamInfo], None] | None = None,
                 on_error: Callable[[str], None] | None = None,
                 on_disconnect: Callable[[StreamInfo, str | None], None] | None = None,
                 allow_remote: bool = False, max_frame_len: int = DEFAULT_MAX_FRAME_LEN,
                 max_connections: int = 64, handshake_timeout_s: float = 30.0, drain_s: float = 2.0,
                 max_buffered_bytes: int = DEFAULT_MAX_BUFFERED_BYTES,
                 progress_grace_s: float = DEFAULT_PROGRESS_GRACE_S, min_rate_bps: float = DEFAULT_MIN_RATE_BPS,
                 idle_evict_s: float = DEFAULT_IDLE_EVICT_S, autostart: bool = True) -> None:
        if not is_loopback(bind):
            if not allow_remote:
                raise ValueError(f"refusing to listen on {bind!r}: it is not a loopback address and the stream "
                                 "has no authentication; pass allow_remote=True (--allow-remote) to accept "
                                 "recordings from the network")
            log.warning("annoview stream server listening on %s: anyone who can reach this port can send data "
                        "(no authentication)", bind)
        self.on_chunk = on_chunk
        self.on_recording = on_recording
        self.on_error = on_error
        self.on_disconnect = on_disconnect
        self.max_frame_len = int(max_frame_len)
        self.max_connections = int(max_connections)
        self.handshake_timeout_s = float(handshake_timeout_s)
        self.drain_s = float(drain_s)
        self.limits = ConnLimits(max_buffered_bytes=int(max(max_buffered_bytes, 1)),
                                 progress_grace_s=float(progress_grace_s), min_rate_bps=float(min_rate_bps),
                                 idle_evict_s=float(idle_evict_s))
        self._buffered_total = 0
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            # REUSEADDR only lets a restarted server bind past TIME_WAIT; it does not share a live port
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind((bind, port))
            self._listener.listen(64)
            self._listener.setblocking(False)
        except BaseException:
            self._listener.close()
            raise
        self.bind = bind
        self.port: int = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._listener, selectors.EVENT_READ, None)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._conns: dict[int, _Conn] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._shut = False
        self.chunks_received = 0
        if autostart:
            self.start()

    # -- public ------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        return f"{self.bind}:{self.port}"

    def start(self) -> "StreamServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"annoview-stream-server:{self.port}",
                                            daemon=True)
            self._thread.start()
        return self

    def connections(self) -> list[StreamInfo]:
        """The recordings currently connected (handshake done)."""
        with self._lock:
            return [c.info for c in self._conns.values() if c.info is not None]

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, take in the bytes that already arrived (up to drain_s), close every
        connection, join the thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            self._shutdown()

    def __enter__(self) -> "StreamServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loop --------------------------------------------------------------------------------
    def _loop(self) -> None:
        failures = 0
        try:
            while not self._stop.is_set():
                try:
                    self._serve_once()
                    failures = 0
                except Exception as e:  # a bug outside any one connection: report, keep serving
                    failures += 1
                    if failures >= _MAX_LOOP_FAILURES:
                        raise
                    self._report(f"annoview stream server on {self.address}: {type(e).__name__}: {e} (still serving)")
                    time.sleep(0.01)
            self._drain()
        except Exception as e:  # the server must never die silently
            self._report(f"annoview stream server on {self.address} stopped: {type(e).__name__}: {e}")
        finally:
            self._shutdown()

    def _serve_once(self) -> None:
        for key, _ in self._sel.select(timeout=1.0):
            sock = key.fileobj
            if sock is self._listener:
                self._accept()
            elif sock is self._wake_r:
                self._drain_wake()
            else:
                self._read_contained(key.data)
            if self._stop.is_set():
                return
        self._expire_slow()

    def _drain(self) -> None:
        """On close, take in what already arrived: a logger that flushed and disconnected just
        before the server was stopped (Ctrl-C on `annoview serve`) must not lose its tail.
        Only bytes already in the kernel are read (no waiting for more), for at most drain_s."""
        deadline = time.monotonic() + self.drain_s
        while time.monotonic() < deadline:
            ready = [key.data for key, _ in self._sel.select(timeout=0) if isinstance(key.data, _Conn)]
            if not ready:
                return
            for conn in ready:
                if conn.conn_id in self._conns:
                    self._read_contained(conn)

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(64):
                pass
        except OSError:
            pass

    def _accept(self) -> None:
        while True:
            try:
                sock, peer = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:  # e.g. EMFILE: report, keep serving the others
                self._report(f"accepting a stream connection failed: {e}")
                return
            try:
                sock.setblocking(False)
                now = time.monotonic()
                conn = _Conn(sock, (str(peer[0]), int(peer[1])), next(self._ids), now, last_rx=now)
                if len(self._conns) >= self.max_connections:
                    victim = self.limits.eviction_victim(list(self._conns.values()), now)
                    if victim is None:
                        self._reject(conn, f"{REJECT_BUSY_PREFIX}too many connections (limit {self.max_connections}), "
                                           "all of them active; try again later")
                        continue
                    self._evict(victim, now)
                with self._lock:
                    self._conns[conn.conn_id] = conn
                self._sel.register(sock, selectors.EVENT_READ, conn)
            except Exception as e:  # never let one peer stop the listener
                self._report(f"accepting a stream connection from {peer} failed: {type(e).__name__}: {e}")
                try:
                    sock.close()
                except OSError:
                    pass

    def _evict(self, victim: _Conn, now: float) -> None:
        if victim.info is None:
            self._fail(victim, "closed to make room for a new connection (the server is full and this one "
                               "had not finished its handshake)")
        elif victim.buffered:
            self._fail(victim, "closed to make room for a new connection (the server is full and this one "
                               f"sent {victim.partial_rx} bytes in {now - (victim.partial_since or now):.0f} s)",
                       notify_peer=False)
        else:
            self._fail(victim, f"closed to make room for a new connection (the server is full and this one "
                               f"was idle for {now - victim.last_rx:.0f} s)", notify_peer=False)

    def _read_contained(self, conn: _Conn) -> None:
        """_read, with any exception confined to this connection (RecursionError from hostile JSON,
        MemoryError, a bug): it is closed with the reason, every other connection carries on."""
        try:
            self._read(conn)
        except Exception as e:
            if conn.conn_id in self._conns:
                self._fail(conn, f"{type(e).__name__} while reading this connection: {str(e)[:200]}",
                           notify_peer=conn.info is None)
            else:
                self._report(f"stream from {conn.describe()}: {type(e).__name__}: {str(e)[:200]}")
            return
        if conn.conn_id in self._conns:
            self._account(conn)

    def _read(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(_RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self._end(conn, f"connection error: {e}")
            return
        if not data:
            self._eof(conn)
            return
        conn.received += len(data)
        now = time.monotonic()
        conn.last_rx = now
        if conn.partial_since is None:
            conn.partial_since = now
        conn.partial_rx += len(data)
        try:
            if conn.info is None:
                conn.buf += data
                if not self._handshake(conn):
                    return
                data, conn.buf = bytes(conn.buf), bytearray()
                if not data:
                    return
            assert conn.decoder is not None
            frames = conn.decoder.feed(data)
        except RecordingFormatError as e:
            self._fail(conn, str(e))
            return
        for ftype, payload in frames:
            if not self._frame(conn, ftype, payload):
                return
        try:
            conn.decoder.feed(b"")  # raises now if a bad frame followed the good ones in this read
        except RecordingFormatError as e:
            self._fail(conn, str(e))

    def _handshake(self, conn: _Conn) -> bool:
        """True once the handshake is complete and accepted (leftover bytes stay in conn.buf)."""
        parsed = parse_handshake(conn.buf)
        if parsed is None:
            return False
        hs, used = parsed
        del conn.buf[:used]
        conn.info = StreamInfo(hs.recording_id, hs.application_id, hs.recording_id, hs.pid, conn.peer,
                               conn.conn_id, time.time())
        conn.decoder = FrameDecoder(self.max_frame_len)
        try:
            conn.sock.sendall(REPLY_OK)  # one byte into an empty send buffer: never blocks
        except OSError as e:
            self._end(conn, f"connection error: {e}")
            return False
        log.info("stream connected: %s, application %r", conn.describe(), hs.application_id)
        if self.on_recording is not None:
            try:
                self.on_recording(conn.info)
            except Exception as e:
                self._fail(conn, f"on_recording callback failed: {type(e).__name__}: {e}", notify_peer=False)
                return False
        return True

    def _frame(self, conn: _Conn, ftype: int, payload: bytes) -> bool:
        if ftype != FRAME_CHUNK:
            self._fail(conn, f"unexpected frame type {ftype} on a live stream (only chunk frames are sent)")
            return False
        try:
            chunk = Chunk.from_ipc(payload)
        except RecordingFormatError as e:
            self._fail(conn, f"chunk frame does not decode: {e}")
            return False
        except Exception as e:  # Arrow can raise many types for hostile bytes
            self._fail(conn, f"chunk frame does not decode: {type(e).__name__}: {e}")
            return False
        conn.chunks += 1
        self.chunks_received += 1
        if self.on_chunk is not None:
            assert conn.info is not None
            try:
                self.on_chunk(conn.info.key, chunk)
            except Exception as e:
                self._fail(conn, f"on_chunk callback failed: {type(e).__name__}: {e}", notify_peer=False)
                return False
        return True

    def _eof(self, conn: _Conn) -> None:
        if conn.info is None:
            # a port probe (rr.spawn checks whether a viewer listens) or a peer that gave up early
            if conn.buf:
                self._fail(conn, f"connection closed during the handshake ({len(conn.buf)} bytes received)",
                           notify_peer=False)
            else:
                log.debug("connection from %s closed before its handshake", conn.describe())
                self._end(conn, None)
            return
        assert conn.decoder is not None
        try:
            conn.decoder.finish()
        except RecordingFormatError as e:
            # a killed logger: every complete chunk was already delivered
            self._fail(conn, f"stream ended early: {e}; the {conn.chunks} complete chunks before it were kept",
                       notify_peer=False)
            return
        log.info("stream closed: %s after %d chunks", conn.describe(), conn.chunks)
        self._end(conn, None)

    def _account(self, conn: _Conn) -> None:
        """Update the bytes held for `conn` and across connections; over the budget, close the
        connection holding the most (a hostile peer declaring huge frames), until under it."""
        held = len(conn.buf) if conn.info is None else (conn.decoder.buffered if conn.decoder is not None else 0)
        self._buffered_total += held - conn.buffered
        conn.buffered = held
        if held == 0:
            conn.partial_since, conn.partial_rx = None, 0
        while self._buffered_total > self.limits.max_buffered_bytes:
            biggest = max(self._conns.values(), key=lambda c: c.buffered, default=None)
            if biggest is None or biggest.buffered == 0:
                break
            self._fail(biggest, f"the server holds {self._buffered_total / 2**20:.1f} MiB of unfinished frames, over "
                                f"its {self.limits.max_buffered_bytes / 2**20:.0f} MiB budget across connections; "
                                f"this connection held the most ({biggest.buffered / 2**20:.1f} MiB)",
                       notify_peer=biggest.info is None)

    def _expire_slow(self) -> None:
        now = time.monotonic()
        with self._lock:
            conns = list(self._conns.values())
        for conn in conns:
            if conn.info is None and now - conn.opened > self.handshake_timeout_s:
                self._fail(conn, f"no handshake within {self.handshake_timeout_s:g} s")
                continue
            reason = self.limits.too_slow(conn.partial_since, conn.partial_rx, now)
            if reason is not None:
                what = "handshake" if conn.info is None else "frame"
                self._fail(conn, f"{what} in progress {reason}", notify_peer=conn.info is None)

    # -- closing -----------------------------------------------------------------------------
    def _report(self, message: str) -> None:
        if self.on_error is not None:
            try:
                self.on_error(message)
                return
            except Exception as e:
                log.warning("on_error callback failed: %s", e)
        log.warning("%s", message)

    def _fail(self, conn: _Conn, reason: str, notify_peer: bool = True) -> None:
        """Close one connection for a reason, report it, and tell the peer if it is still listening."""
        self._report(f"stream from {conn.describe()} closed: {reason}")
        if notify_peer and conn.info is None:
            self._reject(conn, reason, report=False)
        else:
            self._end(conn, reason)

    def _reject(self, conn: _Conn, reason: str, report: bool = True) -> None:
        if report:
            self._report(f"stream from {conn.describe()} refused: {reason}")
        try:
            conn.sock.send(encode_reject(reason))
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self._end(conn, reason)

    def _end(self, conn: _Conn, reason: str | None) -> None:
        with self._lock:
            known = self._conns.pop(conn.conn_id, None) is not None
        if known:
            self._buffered_total -= conn.buffered
            conn.buffered = 0
        try:
            self._sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        try:
            conn.sock.close()
        except OSError:
            pass
        if known and conn.info is not None and self.on_disconnect is not None:
            try:
                self.on_disconnect(conn.info, reason)
            except Exception as e:
                log.warning("on_disconnect callback failed: %s", e)

    def _shutdown(self) -> None:
        with self._lock:
            if self._shut:
                return
            self._shut = True
            conns = list(self._conns.values())
        for conn in conns:
            self._end(conn, "server closed")
        for s in (self._listener, self._wake_r, self._wake_w):
            try:
                self._sel.unregister(s)
            except (KeyError, ValueError):
                pass
            try:
                s.close()
            except OSError:
                pass
        try:
            self._sel.close()
        except (OSError, RuntimeError):
            pass
