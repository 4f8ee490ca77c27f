"""The Rerun-compatible API surface: forms and shorthands rerun-sdk 0.41 accepts."""
from __future__ import annotations

import datetime as dt
import enum
import time

import numpy as np
import pytest

import annoview as rr
from annoview.sdk import batcher
from conftest import store_of


def cell(store, path, comp, timeline="frame", t=10**9):
    return store.latest_at(path, timeline, t)[comp].value


def test_entity_path_forms(mem):
    rr.log("world/robot", rr.Points2D([[1, 2]]))
    rr.log("/world/arm", rr.Points2D([[1, 2]]))
    rr.log(["world", "a/b"], rr.Points2D([[1, 2]]))
    rr.log("/", rr.Points2D([[1, 2]]))
    s = store_of(mem)
    assert s.entity_paths() == ["/", "/world/a\\/b", "/world/arm", "/world/robot"]


def test_set_time_kinds(mem):
    rr.set_time("frame", sequence=7)
    rr.set_time("sim", duration=1.5)
    rr.set_time("wall", timestamp=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    rr.set_time("dur2", duration=dt.timedelta(milliseconds=250))
    rr.log("p", rr.Points2D([[0, 0]]))
    s = store_of(mem)
    tl = s.timelines()
    assert (tl["frame"].kind, tl["frame"].min) == ("sequence", 7)
    assert (tl["sim"].kind, tl["sim"].min) == ("duration", 1_500_000_000)
    assert (tl["wall"].kind, tl["wall"].min) == ("timestamp", 1_704_067_200 * 10**9)
    assert tl["dur2"].min == 250_000_000
    assert tl["log_time"].kind == "timestamp" and abs(tl["log_time"].min - time.time_ns()) < 60 * 10**9


def test_old_time_api(mem):
    rr.set_time_sequence("frame", 3)
    rr.set_time_seconds("t", 2.5)
    rr.log("p", rr.Points2D([[0, 0]]))
    tl = store_of(mem).timelines()
    assert tl["frame"].min == 3 and tl["t"].kind == "duration" and tl["t"].min == 2_500_000_000


def test_set_time_needs_exactly_one(mem):
    with pytest.raises(rr.ValidationError, match="exactly one"):
        rr.set_time("frame", sequence=1, duration=2.0)
    with pytest.raises(rr.ValidationError, match="exactly one"):
        rr.set_time("frame")


def test_static_wins_and_holds_at_all_times(mem):
    rr.set_time("frame", sequence=5)
    rr.log("p", rr.Points2D([[1, 1]], colors=[(255, 0, 0)]))
    rr.log("p", rr.Points2D([[2, 2]]), static=True)
    s = store_of(mem)
    assert np.array_equal(cell(s, "/p", "Points2D:positions", t=0), [[2, 2]])
    assert np.array_equal(cell(s, "/p", "Points2D:positions", t=10), [[2, 2]])
    assert s.latest_at("/p", "frame", 4).get("Points2D:colors") is None
    assert s.latest_at("/p", "frame", 5)["Points2D:colors"].value.tolist() == [0xFF0000FF]


def test_splat_and_keypoints_default_class(mem):
    rr.log("person", rr.Points2D(np.zeros((17, 2)), class_ids=1, keypoint_ids=range(17)), static=True)
    rr.log("kp_only", rr.Points2D(np.zeros((3, 2)), keypoint_ids=[0, 1, 2]), static=True)
    s = store_of(mem)
    assert cell(s, "/person", "Points2D:class_ids").tolist() == [1]  # stays length 1, as in Rerun's files
    assert cell(s, "/person", "Points2D:keypoint_ids").tolist() == list(range(17))
    assert cell(s, "/kp_only", "Points2D:class_ids").tolist() == [0]


def test_intenum_keypoints():
    class Landmark(enum.IntEnum):
        NOSE = 0
        LEFT_EYE = 1
        RIGHT_EYE = 2

    p = rr.Points2D(np.zeros((3, 2)), keypoint_ids=Landmark)
    assert p.components["keypoint_ids"].tolist() == [0, 1, 2]
    cd = rr.ClassDescription(info=(0, "face"), keypoint_annotations=[(Landmark.NOSE, "nose")],
                             keypoint_connections=frozenset({(Landmark.NOSE, Landmark.LEFT_EYE), (1, 2)}))
    assert cd.keypoint_connections == ((0, 1), (1, 2))


def test_context_shorthands(mem):
    ctx = rr.AnnotationContext([
        (0, "background", (0, 0, 0)),
        rr.AnnotationInfo(1, "car", 0x00FF00FF),
        rr.ClassDescription(info=2, keypoint_annotations=[(0, "a", "#ff0000")], keypoint_connections=[(0, 1)]),
        rr.AnnotationInfo(id=3, label="bike", color=(0.0, 0.0, 1.0)),
    ])
    entries = {e["class_id"]: e["class_description"] for e in ctx.components["context"]}
    assert entries[0]["info"] == {"id": 0, "label": "background", "color": 0x000000FF}
    assert entries[1]["info"]["color"] == 0x00FF00FF
    assert entries[2]["info"] == {"id": 2, "label": None, "color": None}
    assert entries[2]["keypoint_annotations"][0]["color"] == 0xFF0000FF
    assert entries[2]["keypoint_connections"] == [{"keypoint0": 0, "keypoint1": 1}]
    assert entries[3]["info"]["color"] == 0x0000FFFF
    rr.log("/", rr.ClassDescription(info=(5, "only"), keypoint_connections=[(0, 1)]), static=True)
    s = store_of(mem)
    ctx_cell = cell(s, "/", "AnnotationContext:context")
    assert [e["class_id"] for e in ctx_cell] == [5]


def test_datatypes_and_encodings_aliases():
    from annoview.datatypes import ClassDescription as A
    from annoview.encodings import AnnotationInfo, ClassDescription as B

    assert A is B is rr.ClassDescription and AnnotationInfo is rr.AnnotationInfo


@pytest.mark.parametrize("fmt,array", [
    (rr.Box2DFormat.XYWH, [10, 20, 30, 40]),
    (rr.Box2DFormat.YXHW, [20, 10, 40, 30]),
    (rr.Box2DFormat.XYXY, [10, 20, 40, 60]),
    (rr.Box2DFormat.YXYX, [20, 10, 60, 40]),
    (rr.Box2DFormat.XCYCWH, [25, 40, 30, 40]),
    (rr.Box2DFormat.XCYCW2H2, [25, 40, 15, 20]),
])
def test_box_formats_agree(fmt, array):
    ref = rr.Boxes2D(mins=[10, 20], sizes=[30, 40])
    b = rr.Boxes2D(array=array, array_format=fmt)
    assert np.allclose(b.components["centers"], [[25, 40]]) and np.allclose(b.components["half_sizes"], [[15, 20]])
    assert np.allclose(ref.components["centers"], b.components["centers"])
    c = rr.Boxes2D(centers=[25, 40], half_sizes=[15, 20])
    assert np.allclose(c.components["half_sizes"], ref.components["half_sizes"])


@pytest.mark.parametrize("color,packed", [
    ((255, 0, 0), 0xFF0000FF), ((0, 255, 0, 128), 0x00FF0080), ((1.0, 0.0, 0.0), 0xFF0000FF),
    (0x11223344, 0x11223344), ("#102030", 0x102030FF), ("#10203040", 0x10203040),
    (np.array([10, 20, 30], np.uint8), 0x0A141EFF),
])
def test_color_forms(color, packed):
    assert rr.Points2D([[0, 0]], colors=color).components["colors"].tolist() == [packed]


def test_color_arrays():
    p = rr.Points2D(np.zeros((2, 2)), colors=np.array([[255, 0, 0], [0, 0, 255]], np.uint8))
    assert p.components["colors"].tolist() == [0xFF0000FF, 0x0000FFFF]
    p = rr.Points2D(np.zeros((2, 2)), colors=np.array([0xFF0000FF, 0x00FF00FF], np.uint32))
    assert p.components["colors"].tolist() == [0xFF0000FF, 0x00FF00FF]


def test_several_recordings_in_one_process():
    a, b = rr.RecordingStream("a"), rr.RecordingStream("b")
    ma, mb = a.memory_recording(), b.memory_recording()
    a.set_time("frame", sequence=1)
    a.log("x", rr.Points2D([[1, 1]]))
    b.log("y", rr.Points2D([[2, 2]]), static=True)
    a.flush(), b.flush()
    assert ma.to_store().entity_paths() == ["/x"] and mb.to_store().entity_paths() == ["/y"]
    assert a.recording_id != b.recording_id
    a.close(), b.close()


def test_data_before_sink_is_kept():
    rec = rr.RecordingStream("early")
    rec.log("x", rr.Points2D([[1, 1]]), static=True)
    rec.flush()
    mem = rec.memory_recording()
    assert mem.to_store().entity_paths() == ["/x"]
    rec.close()


def test_micro_batching_makes_few_chunks(mem):
    for i in range(1000):
        rr.set_time("frame", sequence=i)
        rr.log("p", rr.Points2D(np.zeros((17, 2)), class_ids=1))
    rr.flush()
    chunks = mem.chunks()
    assert sum(c.num_rows for c in chunks) == 1000
    assert len(chunks) <= 3


def test_micro_batching_flushes_on_row_limit(mem, monkeypatch):
    monkeypatch.setattr(batcher, "MAX_ROWS", 10)
    for i in range(25):
        rr.set_time("frame", sequence=i)
        rr.log("p", rr.Points2D([[0, 0]]))
    assert [c.num_rows for c in mem.chunks()] == [10, 10]
    rr.flush()
    assert [c.num_rows for c in mem.chunks()] == [10, 10, 5]


def test_micro_batching_flushes_on_age(mem):
    rr.log("p", rr.Points2D([[0, 0]]), static=True)
    deadline = time.monotonic() + 5
    while not mem.chunks() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [c.num_rows for c in mem.chunks()] == [1]


def test_log_without_init_warns_once_and_drops(monkeypatch):
    monkeypatch.setattr(rr, "_global", None)
    monkeypatch.setattr(rr, "_warned_no_init", False)
    with pytest.warns(rr.AnnoviewWarning, match="rr.init"):
        rr.log("x", rr.Points2D([[0, 0]]))


def test_sdk_imports_without_gui_or_gl():
    import subprocess
    import sys

    code = "import sys, annoview as rr; rr.init('x'); rr.log('a', rr.Points2D([[0,0]])); " \
           "bad = [m for m in ('glfw', 'imgui_bundle', 'moderngl', 'OpenGL') if m in sys.modules]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_undrawn_rerun_archetypes_are_recorded_with_one_warning(mem):
    from annoview import unsupported

    unsupported._warned.clear()
    assert not hasattr(rr, "NotARerunThing") and hasattr(rr, "Transform3D")
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(3):
            rr.set_time("frame", sequence=i)
            rr.log("cam", rr.Transform3D(translation=[i, 0, 0]))
            rr.log("cam/points", rr.Points2D([[i, i]]))
        rr.log("/", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
    messages = [str(w.message) for w in caught if issubclass(w.category, rr.AnnoviewWarning)]
    # transforms and view coordinates are drawn (docs/transforms.md): no "not drawn" warning
    assert not any("Transform3D" in m or "ViewCoordinates" in m for m in messages)
    store = store_of(mem)
    assert store.entity_paths() == ["/", "/cam", "/cam/points"]
    assert store.latest_at("/cam", "frame", 1)["Transform3D:translation"].value.tolist() == [[1, 0, 0]]
    assert store.latest_at("/", None, None)["ViewCoordinates:xyz"].value.tolist() == [[3, 5, 1]]
