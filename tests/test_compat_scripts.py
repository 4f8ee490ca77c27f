"""Scripts written as Rerun users write them run unchanged under `import annoview as rr`.

Each script in tests/compat/ is run in a subprocess and its recording is loaded back. When
rerun-sdk is installed, the same script with `annoview` replaced by `rerun` is also run with the
real Rerun SDK, proving the script is a genuine Rerun script (unless it is marked as using API
that rerun-sdk 0.41 no longer has), and both recordings, read back through annoview's readers,
must hold the same values.

Scripts that use `rr.script_add_args` get `--save OUT`; the others get OUT as their argument.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings
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
    "dna_script_helpers.py": {"/helix/structure/left", "/helix/structure/right", "/helix/structure/scaffolding",
                              "/helix/structure/scaffolding/beads"},
    "context_and_sinks.py": {"/", "/__properties", "/__properties/rig", "/cams/left\\ cam/boxes",
                             "/cams/left\\ cam/track", "/cams/right\\:cam/boxes", "/cams/right\\:cam/track"},
    "blueprint_views.py": {"/image", "/image/centers", "/image/mask", "/world/path"},
    "log_files_and_threads.py": {"/camera/frame.png", "/camera/frame.png/marks", "/snapshots/first.png"},
    "images_formats.py": {"/camera/logo", "/camera/bgr", "/camera/depth_as_image", "/camera/nv12", "/camera/raw16",
                          "/camera/jpeg", "/camera/png_bytes"},
    "columns_clears.py": {"/world", "/world/swarm", "/camera/tracks", "/camera/boxes", "/outline", "/legend", "/robot",
                          "/robot/arm", "/robot/arm/box", "/robot/mask", "/robot/lines", "/robot/context"},
    "any_values.py": {"/sensor", "/robot", "/sensor/extra", "/points", "/loose", "/colored", "/pose", "/temps",
                      "/joints", "/raw", "/plot", "/plot2", "/dots"},
}
# Recorded by rerun-sdk only: the start time it sends at init (annoview sends it on request).
RERUN_ONLY = {"RecordingInfo:start_time"}
# Entities where the two differ on purpose, per script: log_file_from_* images are decoded into
# an Image until annoview's SDK records EncodedImage blobs.
DIFFERENT = {"log_files_and_threads.py": {"/camera/frame.png", "/snapshots/first.png"}}


def run_script(script: Path, out: Path, env_module: str = "annoview") -> subprocess.CompletedProcess:
    source = script.read_text()
    if env_module != "annoview":
        source = source.replace("annoview", env_module)
    args = ["--save", str(out)] if "script_add_args" in source else [str(out)]
    return subprocess.run([sys.executable, "-c", source, *args], capture_output=True, text=True, timeout=120)


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


def recorded_values(chunks) -> dict[tuple, list]:
    """(entity, component, static, non-log_time times) -> cell values (as Python objects)."""
    out: dict[tuple, list] = {}
    for c in chunks:
        tls = sorted(t for t in c.timelines if t != "log_time")
        for comp in c.component_names:
            if comp in RERUN_ONLY:
                continue
            column = c.batch.column(comp)
            for i in range(c.num_rows):
                key = (c.entity_path, comp, c.is_static, tuple((t, int(c.times(t)[i])) for t in tls))
                out.setdefault(key, []).append(column[i].as_py())
    return out


def same_value(a, b) -> bool:
    """Equal, floats to within float32 rounding."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.skipif(importlib.util.find_spec("rerun") is None, reason="rerun-sdk not installed (extra 'rerun')")
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_records_what_rerun_records(script, tmp_path):
    if "# rerun-0.41: skip" in script.read_text():
        pytest.skip("uses API removed from rerun-sdk 0.41 (see the script's header)")
    from annoview.io.rrd import read_rrd

    (tmp_path / "a").mkdir(), (tmp_path / "r").mkdir()
    ours_path, theirs_path = tmp_path / "a" / "rec.avr", tmp_path / "r" / "rec.rrd"
    assert run_script(script, ours_path).returncode == 0
    assert run_script(script, theirs_path, "rerun").returncode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = recorded_values(read_avr(ours_path)), recorded_values(read_rrd(theirs_path))
    allowed = DIFFERENT.get(script.name, set())
    assert sorted(k for k in set(ours) - set(theirs) if k[0] not in allowed) == []
    assert sorted(k for k in set(theirs) - set(ours) if k[0] not in allowed) == []
    assert theirs, "nothing to compare"
    differing = [k for k in set(theirs) & set(ours) if not (len(ours[k]) == len(theirs[k])
                                           and all(same_value(a, b) for a, b in zip(ours[k], theirs[k])))]
    assert differing == []
