"""TcpSink: streams chunks to a viewer (or `annoview serve`) without ever blocking a log call.

Why a queue and a thread: a log call must cost the same whether the viewer is fast, slow, not
started yet or gone. `send()` only appends to a queue; a background thread connects, performs
the handshake, encodes frames (Arrow IPC + CRC, the `.avr` frame layout) and writes them.

Policy (documented in docs/format.md, "Live streaming protocol"):
- Bounded: at most `max_pending_bytes` (256 MiB by default) of chunks wait in the queue. When a
  new chunk would exceed it, the oldest queued chunks are dropped, temporal ones before static
  ones (static data such as annotation contexts is small and needed to show anything), and one
  warning says so.
- Connecting: the thread retries a refused connection for `connect_retry_s` (5 s), so a viewer
  that is still starting is found; data logged meanwhile is queued and sent once connected.
- Peer gone (refused, full, connection reset, viewer closed): one warning, then the sink keeps
  queueing within the bound and never blocks, while its thread retries in the background with
  backoff (up to 5 s apart, for `retry_for_s` = 120 s per outage, at most 20 reconnects per sink);
  a receiver that refuses for a reason other than being full is not retried. The next
  `rr.connect()` / `rr.connect_grpc()` / `rr.spawn()` call creates a new sink, which takes over
  everything this one did not deliver. `flush()` does not wait for a reconnect, so it stays cheap.
- flush() waits until everything queued so far is written to the socket, while progress is
  being made; it gives up after `flush_timeout_s` (2 s, as Rerun's default) without progress.
- Delivery is at-least-once across a reconnect: frames of a batch whose write failed are queued
  again, so a recording may receive a chunk twice (same row ids) after a reconnect.
"""
from __future__ import annotations

import collections
import os
import select
import socket
import struct
import threading
import time
import warnings
from collections.abc import Iterable

from ..chunk import Chunk
from ..errors import AnnoviewWarning
from ..io.frames import DEFAULT_MAX_FRAME_LEN, FRAME_CHUNK, frame_header
from ..io.tcp_server import REJECT_BUSY_PREFIX, REPLY_OK, REPLY_REJECT, encode_handshake

DEFAULT_MAX_PENDING_BYTES = 256 * 1024 * 1024
DEFAULT_FLUSH_TIMEOUT_S = 2.0
DEFAULT_CONNECT_RETRY_S = 5.0
DEFAULT_RETRY_FOR_S = 120.0          # background retries after a failed connect / a lost connection
RETRY_MAX_DELAY_S = 5.0
MAX_RECONNECTS = 20                  # lost connections re-established per sink (a receiver that keeps
                                     # closing us is not retried forever)
HANDSHAKE_TIMEOUT_S = 5.0
_BATCH_BYTES = 4 * 1024 * 1024       # encode up to this much per write, so one syscall carries many small chunks
_SMALL_PART = 256 * 1024             # parts below this are joined before sending; larger ones go as they are
_POLL_S = 0.25                       # how often an idle sender checks that the peer is still there


class StreamClosed(Exception):
    """Internal: the sink is being closed while a write is in progress."""


class TcpSink:
    """A Sink (send/flush/close) that streams to `host:port`; see the module doc for the policy."""

    def __init__(self, host: str, port: int, application_id: str, recording_id: str, *,
                 max_pending_bytes: int = DEFAULT_MAX_PENDING_BYTES,
                 flush_timeout_s: float | None = DEFAULT_FLUSH_TIMEOUT_S,
                 connect_retry_s: float = DEFAULT_CONNECT_RETRY_S, retry_for_s: float = DEFAULT_RETRY_FOR_S) -> None:
        self.host, self.port = host, int(port)
        self.application_id, self.recording_id = application_id, recording_id
        self.max_pending_bytes = int(max_pending_bytes)
        self.flush_timeout_s = flush_timeout_s
        self.connect_retry_s = float(connect_retry_s)
        self.retry_for_s = float(retry_for_s)
        self._cond = threading.Condition()
        self._queue: collections.deque[tuple[Chunk, int]] = collections.deque()
        self._inflight: list[tuple[Chunk, int]] = []
        self._pending_bytes = 0          # queued + in flight
        self._enqueued = 0               # chunks ever accepted by send()
        self._done = 0                   # chunks written to the socket or dropped
        self._sent_bytes = 0
        self._dropped = 0
        self._state = "connecting"       # connecting | connected | dead | closed
        self._reason: str | None = None
        self._stop = False
        self._warned_drop = False
        self._warned_dead = False
        self._warned_flush = False
        self._sock: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name=f"annoview-tcp-sink:{host}:{port}", daemon=True)
        self._thread.start()

    # -- Sink protocol ------------------------------------------------------------------------
    def send(self, chunk: Chunk) -> None:
        """Queue one chunk; O(1) unless the bound forces dropping. Never touches the network."""
        size = max(1, int(chunk.nbytes()))
        with self._cond:
            if self._state == "closed":
                return
            self._queue.append((chunk, size))
            self._enqueued += 1
            self._pending_bytes += size
            if self._pending_bytes > self.max_pending_bytes:
                self._drop_oldest()
            self._cond.notify_all()

    def flush(self, timeout_s: float | None = None, wait_connecting: bool = True) -> bool:
        """Wait until every chunk queued before this call is written to the socket (or dropped).

        Returns True when it was; False when the peer is gone, or when nothing moved for
        `timeout_s` (default: flush_timeout_s; None waits as long as progress is made).
        Time spent connecting does not count (it has its own deadline); with
        wait_connecting=False a sink that is not connected yet returns at once (used when the
        recording switches sinks: the undelivered data moves to the next sink anyway).
        """
        timeout_s = self.flush_timeout_s if timeout_s is None else timeout_s
        with self._cond:
            target = self._enqueued
            last_progress, last_done = time.monotonic(), self._done
            while self._done < target:
                if self._state in ("dead", "closed") or (self._state == "connecting" and not wait_connecting):
                    return False
                if self._done != last_done or self._state == "connecting":
                    # connecting has its own deadline (connect_retry_s): wait it out
                    last_progress, last_done = time.monotonic(), self._done
                wait = None if timeout_s is None else last_progress + timeout_s - time.monotonic()
                if wait is not None and wait <= 0:
                    if not self._warned_flush:
                        self._warned_flush = True
                        _warn(f"annoview: flush of the live stream to {self.address} made no progress for "
                              f"{timeout_s:g} s; {len(self._queue)} chunks stay queued (warned once)")
                    return False
                self._cond.wait(min(wait, 0.5) if wait is not None else 0.5)
            return True

    def close(self) -> None:
        """Flush (bounded), end the stream cleanly, stop the thread. Undelivered data is lost (with
        a warning); RecordingStream uses handoff() instead so that a later sink can take it over."""
        left = self.handoff()
        if left and not (self._warned_dead or self._warned_flush):  # one warning per sink
            _warn(f"annoview: live stream to {self.address} closed with {len(left)} chunks "
                  f"({chunks_total_bytes(left) / 2**20:.1f} MiB) not delivered"
                  + (f" ({self._reason})" if self._reason else ""))

    # -- takeover ----------------------------------------------------------------------------
    def handoff(self, flush: bool = True) -> list[Chunk]:
        """Flush (bounded), stop, and return the chunks not delivered, oldest first.

        Called when the recording switches sinks (rr.connect again, rr.save, rr.disconnect), so
        that data queued for a viewer that went away is not lost but moves to the next sink.
        """
        if flush and self._state != "closed":
            self.flush(wait_connecting=False)
        with self._cond:
            if self._state == "closed" and not self._thread.is_alive():
                return []
            self._stop = True
            self._cond.notify_all()
        self._thread.join(5.0)
        with self._cond:
            self._state = "closed"
            left = [c for c, _ in self._inflight] + [c for c, _ in self._queue]
            self._inflight.clear()
            self._queue.clear()
            self._pending_bytes = 0
            self._cond.notify_all()
        return left

    # -- introspection ---------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stats(self) -> dict[str, int | str | None]:
        with self._cond:
            return {"state": self._state, "reason": self._reason, "queued_chunks": len(self._queue),
                    "pending_bytes": self._pending_bytes, "sent_bytes": self._sent_bytes,
                    "dropped_chunks": self._dropped, "enqueued_chunks": self._enqueued}

    # -- internals (lock held) --------------------------------------------------------------------
    def _drop_oldest(self) -> None:
        """Over the bound: drop the oldest temporal chunks, then (only if still over) the oldest
        static ones; the newest chunk is always kept. Cost is proportional to what is dropped
        plus the static chunks skipped at the front."""
        dropped_before = self._dropped
        newest = self._queue.pop()
        skipped_static: list[tuple[Chunk, int]] = []
        while self._queue and self._pending_bytes > self.max_pending_bytes:
            item = self._queue.popleft()
            if item[0].is_static:
                skipped_static.append(item)
            else:
                self._forget(item)
        self._queue.extendleft(reversed(skipped_static))
        while self._queue and self._pending_bytes > self.max_pending_bytes:
            self._forget(self._queue.popleft())
        self._queue.append(newest)
        if self._dropped > dropped_before and not self._warned_drop:
            self._warned_drop = True
            state = "cannot keep up" if self._state == "connected" else f"is {self._state}"
            _warn(f"annoview: the live stream to {self.address} {state}; more than "
                  f"{self.max_pending_bytes / 2**20:.0f} MiB are waiting, so the oldest chunks are being dropped "
                  "(warned once)")

    def _forget(self, item: tuple[Chunk, int]) -> None:
        self._pending_bytes -= item[1]
        self._dropped += 1
        self._done += 1

    # -- sender thread -------------------------------------------------------------------------
    def _run(self) -> None:
        """Connect, stream, and after a lost connection or a failed connect retry in the
        background with backoff (bounded: retry_for_s per outage, MAX_RECONNECTS per sink)."""
        deadline: float | None = time.monotonic() + self.connect_retry_s  # foreground: state "connecting"
        reconnects = 0
        while True:
            sock = self._connect(deadline)
            if sock is None:
                return
            try:
                if not self._stream(sock):
                    return
            finally:
                sock.close()
            reconnects += 1
            if reconnects > MAX_RECONNECTS:
                return
            deadline = None

    def _stream(self, sock: socket.socket) -> bool:
        """Send batches until stopped (False) or the connection is lost (True: reconnect)."""
        while True:
            batch = self._next_batch(sock)
            if batch is None:
                break
            if _peer_closed(sock):  # closed while we were idle (e.g. to make room): a write would vanish
                self._requeue()
                self._die("the receiver closed the connection")
                return True
            try:
                self._write(sock, batch)
            except StreamClosed:
                self._requeue()
                break
            except OSError as e:
                self._requeue()
                self._die(f"connection lost ({e.strerror or e})")
                return True
            except Exception as e:  # a bug or an unencodable chunk: report, never a silent thread death
                self._requeue()
                self._die(f"sending failed ({type(e).__name__}: {e})", retrying=False)
                return False
            with self._cond:
                self._done += len(self._inflight)
                self._pending_bytes -= sum(size for _, size in self._inflight)
                self._inflight.clear()
                self._cond.notify_all()
        with self._cond:
            lost = not self._stop  # _next_batch saw the receiver close the connection
        if not lost:
            try:  # a clean end: the receiver sees EOF at a frame boundary
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        return lost

    def _connect(self, deadline: float | None) -> socket.socket | None:
        """A handshaken socket, or None when stopping or giving up.

        Until `deadline` the sink is "connecting" (flush waits for it); after it, or with
        deadline=None (reconnecting after a lost connection), the sink is "dead" for flush and
        log calls, and keeps trying in the background, backing off to RETRY_MAX_DELAY_S, for
        retry_for_s. Refused connections, failed handshakes and a server that is full
        (REJECT_BUSY_PREFIX) are retried; any other refusal (a newer format) is final.
        """
        background_until = None if deadline is not None else time.monotonic() + self.retry_for_s
        delay = 0.05
        while True:
            with self._cond:
                if self._stop:
                    self._die("closed before a connection was made", warn=False)
                    return None
            problem, retry = None, True
            sock: socket.socket | None = None
            try:
                sock = socket.create_connection((self.host, self.port), timeout=HANDSHAKE_TIMEOUT_S)
                rejected = self._handshake(sock)
                if rejected is not None:
                    problem = f"the receiver refused the stream: {rejected}"
                    retry = rejected.startswith(REJECT_BUSY_PREFIX)
            except OSError as e:
                problem = (f"could not connect ({e.strerror or e})" if sock is None
                           else f"handshake failed ({e.strerror or e})")
                retry = _retryable(e) or sock is not None
            if problem is None:
                assert sock is not None
                sock.settimeout(_POLL_S)
                with self._cond:
                    if self._state in ("connecting", "dead"):
                        self._state = "connected"
                    self._sock = sock
                    self._cond.notify_all()
                return sock
            if sock is not None:
                sock.close()
            now = time.monotonic()
            if background_until is None and (not retry or now + delay > deadline):  # type: ignore[operator]
                self._die(problem + ("" if retry else "; not retried"), retrying=retry)
                if not retry or self.retry_for_s <= 0:
                    return None
                background_until = now + self.retry_for_s
            elif background_until is not None and (not retry or now + delay > background_until):
                self._die(problem)
                return None
            with self._cond:
                self._cond.wait_for(lambda: self._stop, delay)
            delay = min(delay * 2, 0.5 if background_until is None else RETRY_MAX_DELAY_S)

    def _handshake(self, sock: socket.socket) -> str | None:
        """Send our identity; None when accepted, else the receiver's reason."""
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(encode_handshake(self.application_id, self.recording_id, os.getpid()))
        reply = _recv_exact(sock, 1)
        if reply == REPLY_OK:
            return None
        if reply == REPLY_REJECT:
            try:
                (n,) = struct.unpack("<H", _recv_exact(sock, 2))
                return _recv_exact(sock, n).decode("utf-8", "replace")
            except OSError:
                return "no reason given"
        return f"unexpected reply {reply!r} (is this an annoview viewer?)"

    def _next_batch(self, sock: socket.socket) -> list[tuple[Chunk, int]] | None:
        """Take queued chunks (up to ~4 MiB) into self._inflight; None when stopping or the peer left."""
        while True:
            with self._cond:
                if self._stop:
                    return None
                if self._queue:
                    total = 0
                    while self._queue and (not self._inflight or total < _BATCH_BYTES):
                        item = self._queue.popleft()
                        self._inflight.append(item)
                        total += item[1]
                    return self._inflight
                self._cond.wait(_POLL_S)
                if self._queue or self._stop:
                    continue
            if _peer_closed(sock):
                self._die("the receiver closed the connection")
                return None

    def _write(self, sock: socket.socket, batch: list[tuple[Chunk, int]]) -> None:
        """Encode and write one batch of frames; small parts are joined to save syscalls."""
        small: list[bytes] = []
        small_len = 0
        for chunk, _ in batch:
            payload = chunk.to_ipc()
            if len(payload) > DEFAULT_MAX_FRAME_LEN:
                # the receiver would close the stream for it (and again after every reconnect)
                _warn(f"annoview: a chunk of {chunk.entity_path} is {len(payload) / 2**30:.2f} GiB, over the "
                      f"{DEFAULT_MAX_FRAME_LEN >> 30} GiB live-stream frame limit; it was skipped (a .avr file via rr.save can hold it)")
                continue
            head = frame_header(FRAME_CHUNK, payload)
            if len(payload) >= _SMALL_PART:
                self._send_all(sock, b"".join(small) + head)
                small, small_len = [], 0
                self._send_all(sock, payload)
            else:
                small += (head, payload)
                small_len += len(head) + len(payload)
                if small_len >= _SMALL_PART:
                    self._send_all(sock, b"".join(small))
                    small, small_len = [], 0
        if small:
            self._send_all(sock, b"".join(small))

    def _send_all(self, sock: socket.socket, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = sock.send(view)
            except socket.timeout:
                if self._stop:
                    raise StreamClosed() from None
                continue
            view = view[n:]
            with self._cond:
                self._sent_bytes += n

    def _requeue(self) -> None:
        """Put a batch whose write did not complete back at the front (at-least-once delivery)."""
        with self._cond:
            self._queue.extendleft(reversed(self._inflight))
            self._inflight.clear()
            self._cond.notify_all()

    def _die(self, reason: str, warn: bool = True, retrying: bool = True) -> None:
        """The peer is gone: stop sending, keep queueing within the bound, warn once."""
        with self._cond:
            if self._state != "closed":
                self._state = "dead"
            self._reason = reason
            pending = len(self._queue)
            mib = self._pending_bytes / 2**20
            self._cond.notify_all()
            if not warn or self._warned_dead:
                return
            self._warned_dead = True
        _warn(f"annoview: live stream to {self.address}: {reason}. Logging continues; up to "
              f"{self.max_pending_bytes / 2**20:.0f} MiB of data are kept in this process (now {pending} chunks, "
              f"{mib:.1f} MiB); "
              + (f"the sink retries in the background for up to {self.retry_for_s:g} s, or " if retrying and self.retry_for_s > 0 else "")
              + "call rr.connect() again to send them (warned once)")


def _retryable(e: OSError) -> bool:
    """Refused/unreachable-for-now errors that a viewer still starting up explains."""
    return isinstance(e, (ConnectionRefusedError, ConnectionResetError, ConnectionAbortedError, socket.timeout))


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        part = sock.recv(n - len(out))
        if not part:
            raise ConnectionError("the receiver closed the connection during the handshake")
        out += part
    return bytes(out)


def _peer_closed(sock: socket.socket) -> bool:
    """True when the receiver has closed its end (after the handshake it never sends anything)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(4096) == b""  # any stray bytes are ignored
    except (socket.timeout, BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def _warn(message: str) -> None:
    warnings.warn(message, AnnoviewWarning, stacklevel=2)


def chunks_total_bytes(chunks: Iterable[Chunk]) -> int:
    return sum(int(c.nbytes()) for c in chunks)
