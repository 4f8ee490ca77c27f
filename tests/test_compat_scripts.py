"""Scripts written as Rerun users write them run unchanged under `import annoview as rr`.

Each script in tests/compat/ is run in a subprocess and its recording is loaded back. When
rerun-sdk is installed, the same script with `annoview` replaced by `rerun` is also run with the
real Rerun SDK, proving the script is a genuine Rerun script (unless it is marked as using API
that rerun-sdk 0.41 no longer has).
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from annoview.io.avr import read_avr
from annoview.store import Store

COMPAT = Path(__file__).parent / "compat"
SCRIPTS = sorted(COMPAT.glob("*.py"))
EXPECTED_ENTITIES = {
    "pose_coco.py": {"/", "/video/pose/0/points", "/video/pose/1/points"},
    "segmentation_boxes.py": {"/camera", "/camera/image", "/camera/image/mask", "/camera/image/dets",
                              "/camera/image/centers"},
    "landmarks_enum.py": {"/", "/hand/landmarks", "/hand/outline", "/hand/2d"},
    "extras_ignored.py": {"/", "/camera", "/camera/detections", "/log", "/speed"},
    "images_formats.py": {"/camera/logo", "/camera/bgr", "/camera/depth_as_image", "/camera/nv12", "/camera/raw16",
                          "/camera/jpeg", "/camera/png_bytes"},
    "columns_clears.py": {"/world", "/world/swarm", "/camera/tracks", "/camera/boxes", "/outline", "/legend", "/robot",
                          "/robot/arm", "/robot/arm/box", "/robot/mask", "/robot/lines", "/robot/context"},
    "any_values.py": {"/sensor", "/robot", "/sensor/extra", "/points", "/loose", "/colored", "/pose", "/temps",
                      "/joints", "/raw", "/plot", "/plot2", "/dots"},
}


def run_script(script: Path, out: Path, env_module: str = "annoview") -> subprocess.CompletedProcess:
    source = script.read_text()
    if env_module != "annoview":
        source = source.replace("annoview", env_module)
    return subprocess.run([sys.executable, "-c", source, str(out)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_runs_under_annoview(script, tmp_path):
    out = tmp_path / "rec.avr"
    proc = run_script(script, out)
    assert proc.returncode == 0, proc.stderr
    store = Store()
    store.add_chunks(read_avr(out))
    assert set(store.entity_paths()) == EXPECTED_ENTITIES[script.name]
    assert all(sum(store.component_counts(p).values()) > 0 for p in store.entity_paths())


@pytest.mark.skipif(importlib.util.find_spec("rerun") is None, reason="rerun-sdk not installed (extra 'rerun')")
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_is_a_real_rerun_script(script, tmp_path):
    if "# rerun-0.41: skip" in script.read_text():
        pytest.skip("uses API removed from rerun-sdk 0.41 (see the script's header)")
    out = tmp_path / "rec.rrd"
    proc = run_script(script, out, "rerun")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.stat().st_size > 0
