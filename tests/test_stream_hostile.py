"""Hostile stream peers beside a real logger: slow, idle, oversized and malformed connections
close themselves (one line each), never the server, and every row of the real logger arrives.

Loopback only, small limits so that each rule fires within a second.
"""
from __future__ import annotations

import socket
import struct
import threading
import time

import numpy as np

import annoview as rr
from annoview.io.frames import FRAME_CHUNK, encode_frame
from annoview.io.tcp_server import REPLY_REJECT, STREAM_MAGIC, StreamServer, encode_handshake
from annoview.sdk.recording import RecordingStream
from annoview.sdk.tcp_sink import TcpSink

from test_streaming import Collector, closed_by_server, points_chunk, raw_client, wait_until


def deep_json_handshake(depth: int = 30_000) -> bytes:
    body = b"[" * depth + b"]" * depth
    assert len(body) <= 64 * 1024
    return struct.pack("<8sII", STREAM_MAGIC, 1, len(body)) + body


def log_rows(rec: RecordingStream, n: int, entity: str = "pts") -> None:
    for i in range(n):
        rec.set_time("frame", sequence=i)
        rec.log(entity, rr.Points2D(np.full((2, 2), i, np.float32)))


def server_alive(server: StreamServer) -> bool:
    return server._thread is not None and server._thread.is_alive()  # noqa: SLF001


def test_deep_json_handshake_does_not_stop_the_listener():
    col = Collector()
    server = col.server()
    try:
        for _ in range(3):
            reply = closed_by_server(raw_client(server.port, deep_json_handshake()))
            assert reply == b"" or reply[:1] == REPLY_REJECT
        wait_until(lambda: len(col.errors) >= 3, what="three error reports")
        assert all("\n" not in e for e in col.errors), col.errors
        assert server_alive(server)
        rec = RecordingStream("after", recording_id="after-json")
        try:
            rec.connect(f"127.0.0.1:{server.port}")
            log_rows(rec, 50)
            rec.flush()
            wait_until(lambda: col.rows("after-json") == 50, what="rows after the deep JSON")
        finally:
            rec.close()
    finally:
        server.close()


def test_any_exception_while_reading_one_connection_is_contained(monkeypatch):
    """MemoryError / a bug in the handshake parser closes that connection only."""
    from annoview.io import tcp_server

    real = tcp_server.parse_handshake
    calls = {"n": 0}

    def flaky(buf):
        calls["n"] += 1
        if calls["n"] == 1:
            raise MemoryError("simulated")
        return real(buf)

    monkeypatch.setattr(tcp_server, "parse_handshake", flaky)
    col = Collector()
    server = col.server()
    try:
        reply = closed_by_server(raw_client(server.port, encode_handshake("a", "victim", 1)))
        assert reply[:1] == REPLY_REJECT and b"MemoryError" in reply
        wait_until(lambda: any("MemoryError" in e for e in col.errors), what="the contained error")
        s = raw_client(server.port, encode_frame(FRAME_CHUNK, points_chunk().to_ipc()), handshake=True, rec_id="ok")
        wait_until(lambda: col.rows("ok") == 1, what="the next connection's chunk")
        s.close()
        assert server_alive(server)
    finally:
        server.close()


def test_slow_idle_and_oversized_peers_beside_a_real_logger():
    col = Collector()
    server = col.server(max_connections=12, max_frame_len=8 << 20, max_buffered_bytes=6 << 20,
                        progress_grace_s=0.5, min_rate_bps=64 * 1024, idle_evict_s=0.3, handshake_timeout_s=2.0)
    attackers: list[socket.socket] = []
    stop = threading.Event()

    def trickle(sock: socket.socket) -> None:  # one byte every 50 ms inside a declared 4 MiB frame
        try:
            sock.sendall(struct.pack("<BII", FRAME_CHUNK, 4 << 20, 0))
            while not stop.wait(0.05):
                sock.send(b"x")
        except OSError:
            pass

    try:
        # idle: handshaken, then silent; and never-handshaken
        attackers += [raw_client(server.port, handshake=True, rec_id=f"idle{i}") for i in range(6)]
        attackers += [raw_client(server.port, b"AVR") for _ in range(2)]
        # slow: trickling bytes into a frame
        slow = [raw_client(server.port, handshake=True, rec_id=f"slow{i}") for i in range(2)]
        threads = [threading.Thread(target=trickle, args=(s,), daemon=True) for s in slow]
        for t in threads:
            t.start()
        # oversized: a declared frame over max_frame_len closes at once with one line
        big = raw_client(server.port, struct.pack("<BII", FRAME_CHUNK, 1 << 30, 0), handshake=True, rec_id="huge")
        closed_by_server(big)
        wait_until(lambda: any("exceeds" in e for e in col.errors), what="the oversized frame report")
        # two peers each holding 4 MiB of an 8 MiB frame: over the 6 MiB budget, the biggest goes
        hoarders = [raw_client(server.port, handshake=True, rec_id=f"hoard{i}") for i in range(2)]
        for h in hoarders:
            h.sendall(struct.pack("<BII", FRAME_CHUNK, 8 << 20, 0) + b"\0" * (4 << 20))
        wait_until(lambda: any("budget" in e for e in col.errors), what="the budget report")
        assert server._buffered_total <= 6 << 20  # noqa: SLF001
        assert len(server.connections()) + 2 >= 10  # the server is (nearly) full of attackers

        # the real logger: connects (making room), logs, and every row arrives
        rec = RecordingStream("real", recording_id="real-rec")
        try:
            rec.connect(f"127.0.0.1:{server.port}")
            log_rows(rec, 500)
            rec.flush()
            wait_until(lambda: col.rows("real-rec") == 500, what="all 500 rows of the real logger")
            assert col.frames("real-rec") == set(range(500))
        finally:
            rec.close()
        # the tricklers are closed for being too slow
        wait_until(lambda: not {"slow0", "slow1"} & {i.key for i in server.connections()}, what="slow peers closed")
        assert any("too slow" in e or "make room" in e for e in col.errors)
        assert all("\n" not in e and "Traceback" not in e for e in col.errors), col.errors
        assert server_alive(server)
    finally:
        stop.set()
        for s in attackers + slow + hoarders:
            s.close()
        server.close()


def test_full_server_busy_reject_is_retried_by_the_sdk():
    """All slots active (not idle): the newcomer is refused as busy, retries with backoff, and
    gets in once a slot frees; its rows were kept meanwhile."""
    col = Collector()
    server = col.server(max_connections=1, idle_evict_s=60.0)
    holder = RecordingStream("holder", recording_id="holder")
    late = RecordingStream("late", recording_id="late")
    try:
        holder.connect(f"127.0.0.1:{server.port}")
        log_rows(holder, 5, "h")
        holder.flush()
        wait_until(lambda: col.rows("holder") == 5, what="holder rows")
        late.set_sink(TcpSink("127.0.0.1", server.port, "late", "late", connect_retry_s=0.3, retry_for_s=20.0))
        log_rows(late, 100)
        late._batcher.flush()  # noqa: SLF001
        wait_until(lambda: any("busy" in e for e in col.errors), what="a busy refusal")
        assert col.rows("late") == 0
        holder.disconnect()  # frees the slot
        wait_until(lambda: col.rows("late") == 100, timeout=15.0, what="the late logger's rows after its retry")
    finally:
        holder.close()
        late.close()
        server.close()


def test_evicted_idle_logger_reconnects_by_itself():
    col = Collector()
    server = col.server(max_connections=1, idle_evict_s=0.2)
    first = RecordingStream("first", recording_id="first")
    try:
        first.set_sink(TcpSink("127.0.0.1", server.port, "first", "first", retry_for_s=20.0))
        log_rows(first, 3, "a")
        first.flush()
        wait_until(lambda: col.rows("first") == 3, what="first rows")
        time.sleep(0.3)
        intruder = raw_client(server.port, handshake=True, rec_id="intruder")  # evicts the idle logger
        wait_until(lambda: any("make room" in e for e in col.errors), what="the eviction")
        intruder.close()
        log_rows(first, 3, "b")
        first._batcher.flush()  # noqa: SLF001
        wait_until(lambda: col.rows("first", "/b") >= 3, timeout=15.0, what="rows after the reconnect")
    finally:
        first.close()
        server.close()


def test_a_failure_outside_any_connection_is_reported_and_serving_continues():
    col = Collector()
    server = col.server(autostart=False)
    real = server._expire_slow  # noqa: SLF001
    calls = {"n": 0}

    def flaky() -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise RuntimeError("simulated bug")
        real()

    server._expire_slow = flaky  # noqa: SLF001
    server.start()
    try:
        s = raw_client(server.port, encode_frame(FRAME_CHUNK, points_chunk().to_ipc()), handshake=True, rec_id="ok")
        wait_until(lambda: col.rows("ok") == 1, what="a chunk after the loop failures")
        wait_until(lambda: calls["n"] > 2, what="the loop to go on")
        s.close()
        assert sum("still serving" in e for e in col.errors) == 2
        assert server_alive(server)
    finally:
        server.close()
