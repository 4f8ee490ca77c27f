"""Hostile input that is well formed: valid CRCs around crafted Arrow buffers, compressed bodies,
deep JSON, odd metadata and values, forged footers, corrupt .rrd files.

Each reader (read_avr, open_index, `annoview info`, `convert`, `screenshot`, the viewer's loader, store
and entity model) runs in a subprocess under a 1.5 GB address-space limit: no signal, no
traceback, bounded memory, and every intact chunk kept. The cases are built by
tests/hostile/cases.py (also used by tests/hostile/measure.py for before/after figures).
"""
from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from annoview.annotations import ResolvedContext
from annoview.chunk import Chunk
from annoview.errors import RecordingFormatError, RecordingRecoveryWarning
from annoview.io.avr import open_index
from annoview.io.frames import FRAME_CHUNK, FrameDecoder, decode_header, encode_frame, json_object
from annoview.io.tcp_server import parse_handshake
from annoview.store.tree import EntityTree

from hostile import cases as hc

HERE = Path(__file__).resolve().parent
LIMIT = 1536 << 20
READERS = ("read_avr", "open_index", "info", "convert", "screenshot", "viewer_model", "viewer_loader")
API_READERS = ("read_avr", "open_index", "viewer_model")  # raise RecordingFormatError for a bad header


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


@pytest.fixture(scope="module")
def case_files(tmp_path_factory) -> dict[str, tuple[hc.Case, Path]]:
    d = tmp_path_factory.mktemp("hostile")
    return {c.name: (c, c.build(d / f"{c.name}.avr")) for c in hc.cases()}


def _run(reader: str, files: list[Path], outdir: Path) -> dict[str, dict]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(HERE / "hostile" / "run_reader.py"), reader, str(outdir),
                           *map(str, files)], capture_output=True, timeout=300, preexec_fn=_limit_memory, env=env)
    assert proc.returncode == 0, f"{reader} ended with {proc.returncode}: {proc.stderr.decode()[-2000:]}"
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()[-2000:]
    results = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.startswith("{")]
    return {Path(r["file"]).stem: r for r in results}


@pytest.mark.parametrize("reader", READERS)
def test_reader_survives_every_case_and_keeps_intact_rows(reader, case_files, tmp_path):
    results = _run(reader, [p for _, p in case_files.values()], tmp_path)
    assert set(results) == set(case_files)
    for name, (case, _) in case_files.items():
        r = results[name]
        where = f"{reader} on {name}: {r}"
        if case.expect_error:
            if reader in API_READERS:
                assert r["traceback"] and r["traceback"].startswith("annoview.errors.RecordingFormatError"), where
            else:
                lines = r["stderr"].strip().splitlines()
                assert r["rc"] == 1 and len(lines) == 1 and lines[0].startswith("annoview: error: "), where
            continue
        assert r["traceback"] is None and "Traceback" not in r["stderr"], where
        assert r["rc"] == 0, where
        assert r["leftovers"] == [], where
        if reader == "info":  # a small file is read whole: info lists what the readers load
            assert "\x1b" not in r["stdout"] and "\x07" not in r["stdout"], where
        if reader != "screenshot":
            assert r["rows"] == case.intact_rows, where
        if reader == "read_avr":
            # a dropped part is one warning that names it; nothing else warns
            dropped = case.intact_rows < hc.GOOD_ROWS + 1 and name not in ("good", "forged_footer_partial") \
                and not name.startswith(("footer_", "header_"))
            assert r["stderr"].count("warning:") == (1 if dropped else 0), where
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < LIMIT


def test_forged_or_hostile_footer_is_noticed(case_files):
    for name in ("forged_footer_partial", "footer_compressed", "footer_string_offsets", "footer_row_count"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            index = open_index(case_files[name][1])
        assert not index.from_footer and sum(e.num_rows for e in index.entries) == hc.GOOD_ROWS
        assert len(caught) == 1 and issubclass(caught[0].category, RecordingRecoveryWarning)
        assert "footer index was not used" in str(caught[0].message)
    assert "the index is partial" in _footer_warning(case_files["forged_footer_partial"][1])


def _footer_warning(path: Path) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        open_index(path)
    return str(caught[0].message)


def test_info_recovers_a_damaged_frame_and_escapes_control_characters(case_files, tmp_path):
    results = _run("info", [case_files["damaged_context_frame"][1], case_files["header_control_chars"][1]], tmp_path)
    damaged = results["damaged_context_frame"]
    assert damaged["rc"] == 0 and "skipped 1 chunk frame" in damaged["stderr"] and "CRC mismatch" in damaged["stderr"]
    shown = results["header_control_chars"]["stdout"]
    assert "application_id: app\\x1b[2J\\x1b]0;pwned\\x07\\r" in shown and "\x1b" not in shown


# --- stream frames and JSON, in process -------------------------------------------------------

CRAFTED_PAYLOADS = {
    "list_offsets": hc.chunk_bad_list_offset, "negative_offset": hc.chunk_negative_offset,
    "string_offsets": hc.chunk_string_offsets, "invalid_utf8": hc.chunk_invalid_utf8,
    "row_id_length": hc.chunk_row_id_short, "timeline_length": hc.chunk_timeline_huge,
    "compressed": lambda: hc.chunk_compressed(2_000_000), "positions_null": hc.chunk_positions_null,
    "positions_dictionary": hc.chunk_positions_dictionary, "dictionary_index": hc.chunk_dictionary_index,
    "timeline_kind": lambda: hc.chunk_timeline_kind(b"lunar"),
    "path_not_utf8": lambda: hc.chunk_entity_path(b"/\xff"), "path_not_canonical": lambda: hc.chunk_entity_path(b"a//"),
}


@pytest.mark.parametrize("name", sorted(CRAFTED_PAYLOADS))
def test_stream_frame_with_crafted_chunk_is_refused(name):
    payload, _ = CRAFTED_PAYLOADS[name]()
    frames = FrameDecoder().feed(encode_frame(FRAME_CHUNK, payload))  # the CRC is valid: framing accepts it
    assert len(frames) == 1
    with pytest.raises(RecordingFormatError):
        Chunk.from_ipc(frames[0][1])


def test_compressed_body_is_refused_before_it_is_decompressed():
    import tracemalloc

    payload, _ = hc.chunk_compressed(2_000_000)  # 16 MB once decompressed
    assert len(payload) < 100_000
    tracemalloc.start()
    with pytest.raises(RecordingFormatError, match="compressed Arrow record batch"):
        Chunk.from_ipc(payload)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000


def test_deep_json_is_one_clear_error_in_headers_and_handshakes():
    deep = hc.deep_json_header(30_000)
    with pytest.raises(RecordingFormatError, match="nested 30001 levels deep"):
        json_object(deep, "header")
    with pytest.raises(RecordingFormatError, match="nested"):
        decode_header(hc.header_bytes(deep))
    handshake = struct.pack("<8sII", b"AVRSTRM1", 1, len(deep[:60_000])) + deep[:60_000]
    with pytest.raises(RecordingFormatError, match="nested"):
        parse_handshake(handshake)
    # nesting a legitimate writer might use, and brackets inside strings, are fine
    assert json_object(b'{"a": [[{"b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\""}]]}', "header")["a"][0][0]["b"].startswith("[[")


def test_lone_surrogate_in_header_json_is_replaced():
    header = decode_header(hc.header_bytes(hc.SURROGATE_HEADER))
    assert header.application_id == "app\ufffd" and header.recording_id == "r\ufffd"
    header.application_id.encode("utf-8")


def test_context_with_nulls_resolves_what_it_names():
    ctx = ResolvedContext.from_cell([
        None, {"class_id": None, "class_description": None},
        {"class_id": 2, "class_description": {"info": None, "keypoint_annotations": [None, {"id": None}],
                                              "keypoint_connections": [None, {"keypoint0": None, "keypoint1": 1}]}},
        {"class_id": 3, "class_description": {"info": {"id": None, "label": None, "color": None},
                                              "keypoint_annotations": None, "keypoint_connections": None}}])
    assert sorted(ctx.classes) == [2, 3] and ctx.classes[2].connections == [] and ctx.describe()


def test_entity_tree_of_a_path_thousands_of_levels_deep():
    path = "/" + "/".join(f"d{i}" for i in range(5000))
    tree = EntityTree()
    tree.add(path).has_data = True
    tree.add("/d0/other")
    assert len(tree) == 5002 and len(tree.root.walk()) == 5002
    assert tree.node(path).name == "d4999" and sorted(tree.node("/d0").children) == ["d1", "other"]


# --- .rrd through the worker process ----------------------------------------------------------

def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # no limit on annoview here: its rerun-sdk worker sets its own (rrd_worker.memory_limit_bytes)
    return subprocess.run([sys.executable, "-m", "annoview.app.cli", *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **(env or {})))


@pytest.fixture(scope="module")
def rrd_file(tmp_path_factory) -> Path:
    pytest.importorskip("rerun", reason="rerun-sdk is not installed: the optional extra annoview[rerun] is missing")
    from annoview.io.rrd import write_rrd

    path = tmp_path_factory.mktemp("rrd") / "scene.rrd"
    big = [hc.points_chunk(f"/big/{i}", 10 * i, points=400_000, rows=1) for i in range(3)]
    write_rrd(hc.good_chunks() + big, path, "hostile", "rec")
    return path


def test_rrd_reader_failure_is_one_line_and_annoview_survives(rrd_file, tmp_path):
    ok = _cli("info", str(rrd_file))
    assert ok.returncode == 0 and f"rows: {hc.GOOD_ROWS + 3}" in ok.stdout, ok.stderr
    junk = tmp_path / "junk.rrd"
    junk.write_bytes(rrd_file.read_bytes()[:3000] + os.urandom(64))
    cut = tmp_path / "cut.rrd"
    cut.write_bytes(b"RRF2" + os.urandom(200))
    for args in (("info", str(junk)), ("convert", str(cut), str(tmp_path / "out.avr"), "--no-progress")):
        r = _cli(*args)
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.startswith("annoview: ") and len(r.stderr.strip().splitlines()) <= 2, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) in (["cut.rrd", "junk.rrd"], ["cut.rrd", "junk.rrd", "out.avr"])
    # rerun-sdk out of memory in its worker (it aborts the process when an allocation fails):
    # annoview keeps what arrived and reports one line
    r = _cli("info", str(rrd_file), env={"ANNOVIEW_RRD_WORKER_MEMORY_MB": "600"})
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    assert all(line.startswith("annoview: ") for line in r.stderr.strip().splitlines()), r.stderr


def test_rrd_chunks_come_back_validated(rrd_file):
    from annoview.io.rrd import read_rrd

    chunks = list(read_rrd(rrd_file))
    assert sum(c.num_rows for c in chunks) == hc.GOOD_ROWS + 3
    assert {c.entity_path for c in chunks} >= {"/world", "/world/p0", "/big/2"}
    positions = next(c for c in chunks if c.entity_path == "/big/2").column("Points2D:positions").cell(0)
    assert positions.shape == (400_000, 2) and np.all(positions == 10.0)


# --- stream server: a crafted frame closes that connection only -------------------------------

def test_stream_server_refuses_crafted_frames_and_keeps_other_loggers():
    import socket
    import threading
    import time

    from annoview.io.tcp_server import StreamServer, encode_handshake

    received: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def on_chunk(key: str, chunk: Chunk) -> None:
        with lock:
            received[key] = received.get(key, 0) + chunk.num_rows

    with StreamServer(port=0, on_chunk=on_chunk, on_error=errors.append) as server:
        def send(rec: str, payloads: list[bytes]) -> None:
            with socket.create_connection(("127.0.0.1", server.port)) as s:
                s.sendall(encode_handshake("hostile", rec, None))
                assert s.recv(1) == b"\x01"
                try:  # the server closes a hostile connection, possibly while frames still come
                    for p in payloads:
                        s.sendall(encode_frame(FRAME_CHUNK, p))
                    s.shutdown(socket.SHUT_WR)
                    s.settimeout(10)
                    while s.recv(1 << 16):
                        pass
                except (BrokenPipeError, ConnectionResetError):
                    assert rec.startswith("bad-")

        good = [c.to_ipc() for c in hc.good_chunks()]
        for name in ("list_offsets", "compressed", "positions_dictionary", "timeline_length"):
            send(f"bad-{name}", good[:1] + [CRAFTED_PAYLOADS[name]()[0]] + good[1:])
        send("good", good)
        deadline = time.monotonic() + 10
        while received.get("good") != hc.GOOD_ROWS and time.monotonic() < deadline:
            time.sleep(0.02)
    assert received["good"] == hc.GOOD_ROWS
    # each hostile connection kept the chunk before its crafted frame, then was closed with a reason
    assert all(received.get(f"bad-{n}") == 1 for n in ("list_offsets", "compressed")), received
    assert len([e for e in errors if "does not decode" in e or "chunk frame" in e]) == 4, errors


def test_mutated_chunk_payloads_are_refused_or_safe_to_use():
    """Random edge values in valid payloads: each is refused, or decodes to a chunk that every
    reader can use (a crash, a non-RecordingFormatError exception or a MemoryError fails)."""
    proc = subprocess.run([sys.executable, str(HERE / "hostile" / "fuzz_chunks.py"), "11", "800"],
                          capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads(proc.stdout)
    assert stats["refused"] + stats["accepted"] == 800 and stats["accepted"] > 0
