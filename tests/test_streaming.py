"""Live streaming: SDK TcpSink -> StreamServer / `annoview serve`, over real loopback sockets.

Every test uses ephemeral ports, bounded timeouts, and stops what it started (servers, child
processes), so a failure cannot hang the suite.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

import annoview as rr
from annoview.chunk import Chunk
from annoview.errors import AnnoviewWarning, ValidationError
from annoview.io.avr import open_index, read_avr, read_avr_header
from annoview.io.frames import FORMAT_VERSION, FRAME_CHUNK, encode_frame
from annoview.io.tcp_server import (MAX_HANDSHAKE_JSON, REPLY_OK, REPLY_REJECT, STREAM_MAGIC, StreamServer,
                                    encode_handshake, parse_handshake)
from annoview.sdk import streaming
from annoview.sdk.recording import RecordingStream
from annoview.sdk.tcp_sink import TcpSink
from annoview.store import Store

TIMEOUT = 10.0


# ---------------------------------------------------------------------------------------------
# helpers


def wait_until(cond, timeout: float = TIMEOUT, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """StreamServer callbacks that keep everything, with a Store per recording."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.infos: list = []
        self.errors: list[str] = []
        self.disconnects: list = []
        self.stores: dict[str, Store] = defaultdict(Store)
        self.chunks: dict[str, list[Chunk]] = defaultdict(list)

    def server(self, **kw) -> StreamServer:
        return StreamServer("127.0.0.1", 0, on_chunk=self.on_chunk, on_recording=self.on_recording,
                            on_error=self.on_error, on_disconnect=self.on_disconnect, **kw)

    def on_chunk(self, key, chunk) -> None:
        with self.lock:
            self.chunks[key].append(chunk)
        self.stores[key].add_chunk(chunk)

    def on_recording(self, info) -> None:
        with self.lock:
            self.infos.append(info)

    def on_error(self, msg) -> None:
        with self.lock:
            self.errors.append(msg)

    def on_disconnect(self, info, reason) -> None:
        with self.lock:
            self.disconnects.append((info, reason))

    def rows(self, key: str, entity: str | None = None) -> int:
        with self.lock:
            return sum(c.num_rows for c in self.chunks[key] if entity is None or c.entity_path == entity)

    def frames(self, key: str) -> set[int]:
        with self.lock:
            return {int(t) for c in self.chunks[key] if "frame" in c.timelines for t in c.times("frame")}


class Serve:
    """`annoview serve --save FILE --port 0` in a child process; stderr is read by a thread."""

    def __init__(self, path: Path, *extra: str) -> None:
        self.path = path
        self.proc = subprocess.Popen([sys.executable, "-m", "annoview.app.cli", "serve", "--save", str(path),
                                      "--port", "0", *extra], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._new = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        m = self.wait_for(r"listening on 127\.0\.0\.1:(\d+)")
        self.port = int(m.group(1))
        self.addr = f"127.0.0.1:{self.port}"

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        with self._new:
            while True:
                for line in self.lines:
                    if (m := re.search(pattern, line)) is not None:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._new.wait(0.2)):
                    raise AssertionError(f"serve never printed {pattern!r}; stderr: {self.lines}")
                self._new.wait(min(left, 0.2))

    def stop(self) -> int:
        """SIGTERM, like a service manager; the file must get its footer."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(TIMEOUT)
            self._reader.join(TIMEOUT)
            return code
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._reader.join(TIMEOUT)
            self.proc.stderr.close()

    @property
    def stderr(self) -> str:
        with self._new:
            return "\n".join(self.lines)


@pytest.fixture
def serve_factory(tmp_path):
    started: list[Serve] = []

    def make(name: str = "live.avr", *extra: str) -> Serve:
        s = Serve(tmp_path / name, *extra)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture
def children():
    """Child processes started by a test; killed if the test left them running."""
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.communicate()  # reap and close the pipes


def start_logger(children, code: str, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], stdin=stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children.append(p)
    return p


def points_chunk(entity: str = "pts", n: int = 3, static: bool = False) -> Chunk:
    """One real chunk made by the SDK (memory sink), for raw-socket tests."""
    rec = RecordingStream("raw", recording_id="raw")
    sink = rec.memory_recording()
    if not static:
        rec.set_time("frame", sequence=1)
    rec.log(entity, rr.Points2D(np.arange(2 * n, dtype=np.float32).reshape(n, 2)), static=static)
    rec.flush()
    rec.close()
    (chunk,) = sink.chunks()
    return chunk


def raw_client(port: int, data: bytes = b"", handshake: bool = False, rec_id: str = "raw") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    if handshake:
        s.sendall(encode_handshake("raw-app", rec_id, os.getpid()))
        assert s.recv(1) == REPLY_OK
    if data:
        s.sendall(data)
    return s


def closed_by_server(s: socket.socket) -> bytes:
    """Read until the server closes; returns what it sent (a reject reason, or nothing)."""
    out = b""
    s.settimeout(TIMEOUT)
    try:
        while part := s.recv(4096):
            out += part
    except ConnectionResetError:
        pass
    s.close()
    return out


LOGGER = """
    import sys, numpy as np, annoview as rr
    addr, rec_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rr.init("streamer", recording_id=rec_id)
    rr.log("/", rr.AnnotationContext([(1, "person", (255, 0, 0))]), static=True)
    rr.connect(addr)
    for i in range(n):
        rr.set_time("frame", sequence=i)
        rr.log("points", rr.Points2D(np.full((4, 2), i, np.float32), class_ids=1))
    print("done", flush=True)
"""


# ---------------------------------------------------------------------------------------------
# addresses and handshake bytes


@pytest.mark.parametrize("addr, expected", [
    (None, ("127.0.0.1", 9877)),
    ("127.0.0.1:1234", ("127.0.0.1", 1234)),
    ("localhost", ("localhost", 9877)),
    (":4321", ("127.0.0.1", 4321)),
    ("[::1]:5555", ("::1", 5555)),
    ("rerun+http://127.0.0.1:9876/proxy", ("127.0.0.1", 9876)),
    ("rerun+http://10.0.0.7/proxy", ("10.0.0.7", 9877)),
    ("tcp://example.org:80", ("example.org", 80)),
])
def test_parse_addr(addr, expected):
    assert streaming.parse_addr(addr) == expected


@pytest.mark.parametrize("bad", ["127.0.0.1:notaport", "host:99999", "a b/c"])
def test_parse_addr_rejects(bad):
    with pytest.raises(ValidationError):
        streaming.parse_addr(bad)


def test_handshake_roundtrip_and_limits():
    hs = encode_handshake("app", "rec", 42)
    info, used = parse_handshake(hs + b"rest")
    assert (info.application_id, info.recording_id, info.pid, used) == ("app", "rec", 42, len(hs))
    assert all(parse_handshake(hs[:i]) is None for i in range(len(hs)))  # partial: wait for more
    with pytest.raises(Exception, match="not an annoview stream"):
        parse_handshake(b"GET / HTTP/1.1\r\n")
    with pytest.raises(Exception, match="version 2"):
        parse_handshake(encode_handshake("a", "r", 1, version=FORMAT_VERSION + 1))
    with pytest.raises(Exception, match="exceeds"):  # refused from the 16-byte preamble alone
        parse_handshake(struct.pack("<8sII", STREAM_MAGIC, 1, MAX_HANDSHAKE_JSON + 1))


def test_remote_bind_needs_explicit_flag(caplog):
    with pytest.raises(ValueError, match="allow_remote"):
        StreamServer("0.0.0.0", 0)
    with caplog.at_level("WARNING", logger="annoview.stream"):
        server = StreamServer("0.0.0.0", 0, allow_remote=True)
    server.close()
    assert "no authentication" in caplog.text


# ---------------------------------------------------------------------------------------------
# in-process SDK -> StreamServer


def test_data_logged_before_connect_arrives():
    col = Collector()
    port = free_port()
    rec = RecordingStream("early", recording_id="early-rec")
    try:
        rec.log("/", rr.AnnotationContext([(1, "a")]), static=True)
        for i in range(5):  # before rr.connect
            rec.set_time("frame", sequence=i)
            rec.log("pts", rr.Points2D([[i, i]]))
        rec.connect(f"127.0.0.1:{port}")  # nothing listens yet: the sink retries
        for i in range(5, 10):  # while connecting
            rec.set_time("frame", sequence=i)
            rec.log("pts", rr.Points2D([[i, i]]))
        time.sleep(0.3)
        server = StreamServer("127.0.0.1", port, on_chunk=col.on_chunk, on_recording=col.on_recording)
        try:
            rec.flush()
            wait_until(lambda: col.frames("early-rec") == set(range(10)), what="all frames")
            assert col.rows("early-rec", "/") == 1
            assert [i.key for i in col.infos] == ["early-rec"]
            assert col.infos[0].application_id == "early" and col.infos[0].pid == os.getpid()
            store = col.stores["early-rec"]
            assert set(store.entity_paths()) >= {"/", "/pts"}
        finally:
            rec.disconnect()
            server.close()
    finally:
        rec.close()


def test_hostile_connections_close_only_themselves():
    col = Collector()
    server = col.server(max_frame_len=1 << 20)
    rec = RecordingStream("good", recording_id="good-rec")
    try:
        rec.connect(f"127.0.0.1:{server.port}")
        rec.set_time("frame", sequence=0)
        rec.log("pts", rr.Points2D([[0, 0]]))
        rec.flush()
        wait_until(lambda: col.frames("good-rec") == {0}, what="first good frame")
        good_conn = [i.connection_id for i in server.connections() if i.key == "good-rec"]

        payload = points_chunk().to_ipc()
        bad_crc = bytearray(encode_frame(FRAME_CHUNK, payload))
        bad_crc[-1] ^= 0xFF
        oversized = struct.pack("<BII", FRAME_CHUNK, (1 << 20) + 1, 0)
        junk_chunk = encode_frame(FRAME_CHUNK, b"not arrow at all")
        cases = {
            "garbage": (dict(data=os.urandom(64) + b"\x00"), "not an annoview stream"),
            "bad magic": (dict(data=b"AVRSTRM9" + b"\x00" * 8), "not an annoview stream"),
            "newer version": (dict(data=encode_handshake("x", "y", 1, version=FORMAT_VERSION + 1)), "version"),
            "huge handshake": (dict(data=struct.pack("<8sII", STREAM_MAGIC, 1, 1 << 30)), "exceeds"),
            "json list": (dict(data=struct.pack("<8sII", STREAM_MAGIC, 1, 2) + b"[]"), "expected an object"),
            "oversized frame": (dict(data=oversized, handshake=True, rec_id="big"), "exceeds"),
            "bad crc": (dict(data=bytes(bad_crc), handshake=True, rec_id="crc"), "CRC"),
            "junk chunk": (dict(data=junk_chunk, handshake=True, rec_id="junk"), "does not decode"),
            "footer frame": (dict(data=encode_frame(2, b"x"), handshake=True, rec_id="ftr"), "frame type 2"),
        }
        # a slow client in the middle of a frame is waited for, not dropped
        slow = raw_client(server.port, encode_frame(FRAME_CHUNK, payload)[:20], handshake=True, rec_id="slow")
        for name, (kw, reason) in cases.items():
            n_err = len(col.errors)
            sock = raw_client(server.port, **kw)
            reply = closed_by_server(sock)
            if not kw.get("handshake"):  # refused during the handshake: the peer is told why
                assert reply == b"" or reply[:1] == REPLY_REJECT, name
                if reply:
                    assert reason.lower() in reply[3:].decode().lower(), (name, reply)
            wait_until(lambda: len(col.errors) > n_err, what=f"error report for {name}")
            assert reason.lower() in col.errors[-1].lower(), (name, col.errors[-1])
        # the good logger is still on its first connection and keeps streaming
        for i in range(1, 20):
            rec.set_time("frame", sequence=i)
            rec.log("pts", rr.Points2D([[i, i]]))
        rec.flush()
        wait_until(lambda: col.frames("good-rec") == set(range(20)), what="later good frames")
        assert [i.connection_id for i in server.connections() if i.key == "good-rec"] == good_conn
        assert "slow" in {i.key for i in server.connections()}
        slow.sendall(encode_frame(FRAME_CHUNK, payload)[20:])
        wait_until(lambda: col.rows("slow") == 1, what="the slow client's frame")
        slow.close()
        assert not {"big", "crc", "junk", "ftr"} & {i.key for i in server.connections()}
        assert col.rows("junk") == 0 and col.rows("crc") == 0
    finally:
        rec.disconnect()
        rec.close()
        server.close()


def test_frames_split_into_single_bytes_and_handshake_with_frames():
    col = Collector()
    server = col.server()
    try:
        chunk = points_chunk()
        data = encode_handshake("bytes", "one-by-one", None) + encode_frame(FRAME_CHUNK, chunk.to_ipc()) * 2
        s = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(0, 40):
            s.send(data[i:i + 1])
            time.sleep(0.001)
        s.sendall(data[40:])
        wait_until(lambda: col.rows("one-by-one") == 2, what="two frames")
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == REPLY_OK
        s.close()
        wait_until(lambda: col.disconnects, what="clean disconnect")
        assert col.disconnects[0][1] is None and not col.errors
        assert col.infos[0].pid is None
    finally:
        server.close()


def test_sink_bound_drops_oldest_temporal_first_and_warns_once():
    port = free_port()  # nothing listens: the sink dies at once (no retry window)
    static = points_chunk("ctx", static=True)
    temporal = points_chunk("pts")
    size = int(temporal.nbytes())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sink = TcpSink("127.0.0.1", port, "app", "rec", max_pending_bytes=10 * size, connect_retry_s=0)
        wait_until(lambda: sink.state == "dead", what="dead sink")
        sink.send(static)
        t0 = time.perf_counter()
        for _ in range(1000):
            sink.send(temporal)
        assert time.perf_counter() - t0 < 1.0
        assert sink.flush() is False  # nothing can be delivered: returns at once
        stats = sink.stats()
        assert stats["pending_bytes"] <= 10 * size + int(static.nbytes())
        assert stats["dropped_chunks"] > 900
        left = sink.handoff()
    assert left[0] is static and all(c is temporal for c in left[1:])  # static kept, newest kept
    msgs = [str(w.message) for w in caught if issubclass(w.category, AnnoviewWarning)]
    assert sum("could not connect" in m for m in msgs) == 1, msgs
    assert sum("dropped" in m for m in msgs) == 1, msgs


def test_reconnect_resends_what_a_dead_sink_kept():
    col = Collector()
    rec = RecordingStream("re", recording_id="re-rec")
    port = free_port()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rec.set_sink(TcpSink("127.0.0.1", port, rec.application_id, rec.recording_id, connect_retry_s=0))
            for i in range(5):
                rec.set_time("frame", sequence=i)
                rec.log("pts", rr.Points2D([[i, i]]))
            rec.flush()
            wait_until(lambda: rec._sink.state == "dead", what="dead sink")  # noqa: SLF001
        assert any("could not connect" in str(w.message) for w in caught)
        server = StreamServer("127.0.0.1", port, on_chunk=col.on_chunk, on_recording=col.on_recording)
        try:
            rec.connect(f"127.0.0.1:{port}")  # explicit reconnect: the new sink takes the old one's data
            rec.flush()
            wait_until(lambda: col.frames("re-rec") == set(range(5)), what="resent frames")
        finally:
            rec.disconnect()
            server.close()
    finally:
        rec.close()


# ---------------------------------------------------------------------------------------------
# real processes: loggers and `annoview serve`


def test_subprocess_logger_into_serve(serve_factory, children):
    serve = serve_factory()
    logger = start_logger(children, LOGGER, serve.addr, "sub-rec", "200")
    out, err = logger.communicate(timeout=TIMEOUT)
    assert logger.returncode == 0, err
    assert "done" in out and "warning" not in err.lower(), err
    serve.wait_for(r"recording 'sub-rec' disconnected")
    assert serve.stop() == 0
    header = read_avr_header(serve.path)
    assert (header.application_id, header.recording_id) == ("streamer", "sub-rec")
    index = open_index(serve.path)
    assert index.from_footer  # closed cleanly on SIGTERM
    store = Store()
    store.add_chunks(read_avr(serve.path))
    assert set(store.entity_paths()) >= {"/", "/points"}
    frames = np.concatenate([c.times("frame") for c in read_avr(serve.path) if c.entity_path == "/points"])
    assert sorted(frames.tolist()) == list(range(200))
    hit = store.latest_at("/points", "frame", 123, ["Points2D:positions"])
    assert np.allclose(np.asarray(hit["Points2D:positions"].value, np.float32), 123)


def test_logger_killed_mid_stream_leaves_every_complete_chunk(serve_factory, children):
    serve = serve_factory("killed.avr")
    code = """
        import sys, numpy as np, annoview as rr
        rr.init("killed", recording_id="killed-rec")
        rr.connect(sys.argv[1])
        i = 0
        while True:
            rr.set_time("frame", sequence=i)
            rr.log("points", rr.Points2D(np.random.rand(500, 2).astype(np.float32)))
            if i % 10 == 9:
                rr.flush()
                print("flushed", i, flush=True)
            i += 1
    """
    logger = start_logger(children, code, serve.addr)
    flushed = -1
    for line in logger.stdout:
        flushed = int(line.split()[1])
        if flushed >= 59:
            break
    logger.send_signal(signal.SIGKILL)
    logger.wait(TIMEOUT)
    serve.wait_for(r"killed-rec")
    time.sleep(0.3)
    assert serve.stop() == 0
    chunks = list(read_avr(serve.path))  # would warn on a damaged frame
    frames = sorted(int(t) for c in chunks for t in c.times("frame"))
    assert set(range(flushed + 1)) <= set(frames), (flushed, frames[-5:])
    assert frames == sorted(set(frames))  # no duplicates, no gaps
    assert frames == list(range(len(frames)))
    assert open_index(serve.path).from_footer


def test_two_loggers_at_once(children):
    col = Collector()
    server = col.server()
    try:
        addr = f"127.0.0.1:{server.port}"
        loggers = [start_logger(children, LOGGER, addr, rec_id, "300") for rec_id in ("rec-a", "rec-b")]
        for p in loggers:
            _, err = p.communicate(timeout=TIMEOUT)
            assert p.returncode == 0, err
        wait_until(lambda: all(col.frames(k) == set(range(300)) for k in ("rec-a", "rec-b")), what="both")
        assert sorted(i.key for i in col.infos) == ["rec-a", "rec-b"]
        assert len({i.pid for i in col.infos}) == 2
        for key in ("rec-a", "rec-b"):
            assert set(col.stores[key].entity_paths()) >= {"/", "/points"}
        wait_until(lambda: len(col.disconnects) == 2, what="two disconnects")
        assert [r for _, r in col.disconnects] == [None, None] and not col.errors
    finally:
        server.close()


def test_two_loggers_into_one_serve_file(serve_factory, children):
    serve = serve_factory("two.avr")
    loggers = [start_logger(children, LOGGER, serve.addr, rec_id, "100") for rec_id in ("one", "two")]
    for p in loggers:
        _, err = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, err
    serve.wait_for(r"'one' disconnected")
    serve.wait_for(r"'two' disconnected")
    assert serve.stop() == 0
    rows = sum(c.num_rows for c in read_avr(serve.path) if c.entity_path == "/points")
    assert rows == 200
    assert "is appended to" in serve.stderr


def test_server_goes_away_logger_warns_once_and_stays_fast(serve_factory, children):
    serve = serve_factory("gone.avr")
    code = """
        import sys, time, numpy as np, annoview as rr
        rr.init("orphan", recording_id="orphan-rec")
        rr.connect(sys.argv[1])
        rr.log("points", rr.Points2D([[0, 0]]))
        rr.flush()
        print("ready", flush=True)
        sys.stdin.readline()             # the test stops the server here
        pts = np.random.rand(100, 2).astype(np.float32)
        worst = 0.0
        for round in range(3):
            t0 = time.perf_counter()
            for i in range(1000):
                rr.set_time("frame", sequence=round * 1000 + i)
                rr.log("points", rr.Points2D(pts))
            worst = max(worst, time.perf_counter() - t0)
            t0 = time.perf_counter()
            rr.flush()
            print("flush", time.perf_counter() - t0, flush=True)
            time.sleep(0.4)               # the sender notices the closed peer meanwhile
        print("worst", worst, flush=True)
    """
    logger = start_logger(children, code, serve.addr, stdin=subprocess.PIPE)
    assert logger.stdout.readline().strip() == "ready"
    assert serve.stop() == 0
    t0 = time.monotonic()
    out, err = logger.communicate("go\n", timeout=TIMEOUT)
    assert logger.returncode == 0, err
    assert time.monotonic() - t0 < 8.0
    values = dict(line.split() for line in out.splitlines())
    assert float(values["worst"]) < 1.0, out
    assert err.count("AnnoviewWarning:") == 1, err
    assert "live stream to" in err
    assert "rr.connect()" in err


def test_spawn_starts_a_serve_via_env_and_connects(tmp_path, monkeypatch):
    path = tmp_path / "spawned.avr"
    port = free_port()
    monkeypatch.setenv(streaming.SPAWN_ENV, f"{{python}} -m annoview.app.cli serve --save '{path}'")
    before = len(streaming.spawned_processes())
    rec = RecordingStream("spawner", recording_id="spawn-rec")
    proc = None
    try:
        rec.set_time("frame", sequence=0)
        rec.log("pts", rr.Points2D([[0, 0]]))  # before spawn
        rec.spawn(port=port)
        assert len(streaming.spawned_processes()) == before + 1
        proc = streaming.spawned_processes()[-1]
        assert proc.args[-2:] == ["--port", str(port)]
        rec.set_time("frame", sequence=1)
        rec.log("pts", rr.Points2D([[1, 1]]))
        rec.spawn(port=port)  # already listening: connects, starts nothing new
        assert len(streaming.spawned_processes()) == before + 1
        rec.set_time("frame", sequence=2)
        rec.log("pts", rr.Points2D([[2, 2]]))
        rec.disconnect()
        time.sleep(0.3)
    finally:
        rec.close()
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                assert proc.wait(TIMEOUT) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    assert read_avr_header(path).recording_id == "spawn-rec"
    frames = sorted(int(t) for c in read_avr(path) for t in c.times("frame"))
    assert set(frames) == {0, 1, 2}


def test_spawn_failure_warns_once_and_keeps_buffering(monkeypatch):
    monkeypatch.setenv(streaming.SPAWN_ENV, "{python} -c 'raise SystemExit(3)'")
    rec = RecordingStream("nospawn", recording_id="nospawn")
    try:
        rec.log("pts", rr.Points2D([[0, 0]]))
        with pytest.warns(AnnoviewWarning, match="exited with code 3") as caught:
            t0 = time.monotonic()
            rec.spawn(port=free_port())
        assert time.monotonic() - t0 < 5.0
        assert len([w for w in caught if "viewer" in str(w.message)]) == 1
        rec.log("pts", rr.Points2D([[1, 1]]))
        sink = rec.memory_recording()  # everything was kept
        rec.flush()
        assert sum(c.num_rows for c in sink.chunks()) == 2
    finally:
        rec.close()


def test_stalled_receiver_bounded_queue_and_flush_timeout():
    """A receiver that accepts and then never reads: log calls stay fast, memory stays bounded,
    flush gives up after its no-progress timeout, and closing does not hang."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept_then_stall() -> None:
        conn, _ = listener.accept()
        accepted.append(conn)
        need = len(encode_handshake("app", "stall", os.getpid()))
        got = b""
        while len(got) < need:
            got += conn.recv(need - len(got))
        conn.sendall(REPLY_OK)  # ... and never read again

    t = threading.Thread(target=accept_then_stall, daemon=True)
    t.start()
    big = points_chunk(n=100_000)  # ~0.8 MB
    bound = 8 * int(big.nbytes())
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sink = TcpSink("127.0.0.1", listener.getsockname()[1], "app", "stall", max_pending_bytes=bound,
                           flush_timeout_s=0.3)
            wait_until(lambda: sink.state == "connected", what="connection")
            t0 = time.perf_counter()
            for _ in range(200):  # ~160 MB offered
                sink.send(big)
            assert time.perf_counter() - t0 < 1.0
            t0 = time.perf_counter()
            assert sink.flush() is False
            assert time.perf_counter() - t0 < 3.0
            stats = sink.stats()
            assert stats["pending_bytes"] <= bound + int(big.nbytes())
            assert stats["dropped_chunks"] > 0
            t0 = time.perf_counter()
            sink.close()
            assert time.perf_counter() - t0 < 3.0
        msgs = [str(w.message) for w in caught if issubclass(w.category, AnnoviewWarning)]
        assert sum("dropped" in m for m in msgs) == 1, msgs
        assert sum("no progress" in m for m in msgs) == 1, msgs
    finally:
        t.join(TIMEOUT)
        for c in accepted:
            c.close()
        listener.close()


def test_connect_elsewhere_while_still_connecting_does_not_wait():
    col = Collector()
    server = col.server()
    rec = RecordingStream("switch", recording_id="switch-rec")
    try:
        rec.log("pts", rr.Points2D([[0, 0]]))
        rec.connect(f"127.0.0.1:{free_port()}")  # nothing there: that sink keeps retrying for 5 s
        rec.log("pts", rr.Points2D([[1, 1]]))
        t0 = time.monotonic()
        rec.connect(f"127.0.0.1:{server.port}")  # takes over at once, with the queued data
        assert time.monotonic() - t0 < 1.5
        rec.flush()
        wait_until(lambda: col.rows("switch-rec") == 2, what="both rows")
    finally:
        rec.disconnect()
        rec.close()
        server.close()
