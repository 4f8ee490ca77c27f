"""`rr.init(..., spawn=True)` under Xvfb: a real viewer process starts, the data streams into it
and shows in its 2D view. The spawned viewer runs with --screenshot-to, so it captures what
arrived and exits by itself (ANNOVIEW_SPAWN_COMMAND adds those flags to the real viewer)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from PIL import Image as PILImage

DEFAULT_PORT = 9877

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X display (run under xvfb-run -a)")


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_init_spawn_true_opens_the_viewer_and_the_data_arrives(tmp_path):
    if not port_is_free(DEFAULT_PORT):
        pytest.skip(f"port {DEFAULT_PORT} is in use (a viewer is running); rr.init(spawn=True) uses it")
    shot = tmp_path / "spawned.png"
    env = dict(os.environ, ANNOVIEW_SPAWN_COMMAND=(
        f"{{python}} -m annoview.app.cli --port {{port}} --screenshot-to {shot} --window-size 640x400 "
        "--wait-for-data 60"))
    script = textwrap.dedent("""
        import annoview as rr
        rr.init("spawn-test", spawn=True)
        rr.log("/", rr.AnnotationContext([(1, "target", (255, 0, 0))]), static=True)
        rr.set_time("frame", sequence=0)
        rr.log("points", rr.Points2D([[0, 0], [100, 60]], class_ids=1, radii=8.0))
        rr.flush()
        rr.disconnect()
    """)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "not available" not in proc.stderr and "could not" not in proc.stderr.lower(), proc.stderr
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not shot.exists():
        time.sleep(0.2)
    assert shot.exists(), "the spawned viewer wrote no screenshot"
    time.sleep(0.5)  # let the viewer finish writing and exit
    img = np.asarray(PILImage.open(shot).convert("RGB")).astype(int)
    red = (img[..., 0] > 200) & (img[..., 1] < 60) & (img[..., 2] < 60)
    assert red.sum() > 50, "the streamed class-1 points (red) are not in the spawned viewer's view"
    assert port_is_free(DEFAULT_PORT) or _wait_free(DEFAULT_PORT), "the spawned viewer did not exit"


def _wait_free(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_is_free(port):
            return True
        time.sleep(0.2)
    return False
