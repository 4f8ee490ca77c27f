"""`annoview serve --save`: never clobbers, never follows a symlink, never empties an existing
recording, and reports a bad --port in one line."""
from __future__ import annotations

import os
import subprocess
import sys

from annoview.io.avr import read_avr, read_avr_header

from test_streaming import LOGGER, TIMEOUT, Serve, children, start_logger  # noqa: F401 (fixture)


def serve_once(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annoview.app.cli", "serve", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def log_into(serve: Serve, children, rec_id: str, n: int = 20) -> None:
    p = start_logger(children, LOGGER, serve.addr, rec_id, str(n))
    _, err = p.communicate(timeout=TIMEOUT)
    assert p.returncode == 0, err
    serve.wait_for(rf"'{rec_id}' disconnected")


def test_bad_port_is_one_line(tmp_path):
    r = serve_once("--save", str(tmp_path / "s.avr"), "--port", "99999")
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "99999" in r.stderr


def test_existing_file_or_symlink_is_refused_without_force(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "link.avr"
    link.symlink_to(target)
    for path in (target, link):
        r = serve_once("--save", str(path), "--port", "0")
        assert r.returncode == 1 and "--force" in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert target.read_text() == "keep me"


def test_force_with_no_logger_leaves_the_recording_as_it_was(tmp_path, children):
    path = tmp_path / "rec.avr"
    first = Serve(path)
    try:
        log_into(first, children, "one")
    finally:
        assert first.stop() == 0
    before = path.read_bytes()
    idle = Serve(path, "--force")
    assert idle.stop() == 0
    assert path.read_bytes() == before  # not shrunk to an empty recording
    assert "left as it was" in idle.stderr


def test_force_replaces_a_symlink_not_its_target(tmp_path, children):
    target = tmp_path / "elsewhere.txt"
    target.write_text("not a recording")
    link = tmp_path / "live.avr"
    link.symlink_to(target)
    serve = Serve(link, "--force")
    try:
        log_into(serve, children, "forced")
    finally:
        assert serve.stop() == 0
    assert target.read_text() == "not a recording"
    assert not link.is_symlink()
    assert read_avr_header(link).recording_id == "forced"
    assert sum(c.num_rows for c in read_avr(link) if c.entity_path == "/points") == 20
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]


def test_new_file_is_written_directly_and_an_idle_serve_leaves_a_valid_empty_one(tmp_path, children):
    path = tmp_path / "new.avr"
    serve = Serve(path)
    try:
        log_into(serve, children, "direct")
        assert path.exists()  # written as chunks arrive: a crash of serve keeps them
    finally:
        assert serve.stop() == 0
    assert sum(c.num_rows for c in read_avr(path) if c.entity_path == "/points") == 20
    empty = tmp_path / "empty.avr"
    assert Serve(empty).stop() == 0
    assert list(read_avr(empty)) == []
