"""Viewer logic without a window: time control, the entity tree model, hover descriptions,
notifications, file loading, command-line parsing. Fast; no display, no GL."""
from __future__ import annotations

import numpy as np
import pytest

import annoview as rr
from annoview.app.viewer.entity_model import EntityModel
from annoview.app.viewer.hover import describe, instance_components
from annoview.app.viewer.loader import FileLoader
from annoview.app.viewer.notifications import Notifications
from annoview.app.viewer.timecontrol import TimeControl, format_time
from annoview.errors import AnnoviewError
from annoview.render import PickResult
from annoview.scene import SceneBuilder
from annoview.store import Store, TimelineInfo


def seq(lo: int = 0, hi: int = 9) -> dict[str, TimelineInfo]:
    return {"frame": TimelineInfo("frame", "sequence", lo, hi)}


# ---- time control ---------------------------------------------------------------------------

def test_time_control_starts_at_end_and_follows_new_data():
    tc = TimeControl()
    tc.sync(seq(0, 9), seq(0, 9)["frame"])
    assert (tc.timeline, tc.time) == ("frame", 9)
    tc.sync(seq(0, 12), None)                       # live data arrives: stay at the end
    assert tc.time == 12
    tc.set_time(5)
    tc.sync(seq(0, 20), None)                       # moved away from the end: stay put
    assert tc.time == 5


def test_time_control_play_loop_and_step_through_data():
    tc = TimeControl(fps=10.0)
    tc.sync(seq(0, 9), seq(0, 9)["frame"])
    tc.toggle_play()                                 # parked at the end: playing restarts at 0
    assert tc.playing and tc.time == 0
    assert tc.advance(0.35) and tc.time == 3         # 10 steps/s
    tc.speed = 2.0
    tc.advance(0.5)
    assert tc.time == 3 + 10 - 10                    # 13 wraps to 3 on a 0..9 loop
    tc.loop = False
    tc.advance(5.0)
    assert tc.time == 9 and not tc.playing
    times = np.array([0, 4, 7], np.int64)            # sparse data: steps jump between data times
    tc.set_time(0)
    tc.step(1, times)
    assert tc.time == 4
    tc.step(1, times)
    assert tc.time == 7
    tc.step(-1, times)
    assert tc.time == 4
    tc.home()
    assert tc.time == 0
    tc.end()
    assert tc.time == 9


def test_time_control_duration_plays_in_real_time_and_formats():
    tc = TimeControl()
    info = TimelineInfo("t", "duration", 0, 2_000_000_000)
    tc.sync({"t": info}, info)
    tc.home()
    tc.toggle_play()
    tc.advance(0.5)
    assert tc.time == 500_000_000
    assert format_time("duration", tc.time) == "0.500 s"
    assert format_time("sequence", 42) == "#42"
    assert format_time("timestamp", 0) == "1970-01-01 00:00:00.000Z"
    assert tc.time_at_fraction(0.25) == 500_000_000


# ---- entity tree ----------------------------------------------------------------------------

def store_with(paths: list[str], context_at: str | None = None) -> Store:
    rr.init("tree")
    mem = rr.memory_recording()
    if context_at is not None:
        rr.log(context_at, rr.AnnotationContext([(1, "a")]), static=True)
    for p in paths:
        rr.log(p, rr.Points2D([[0, 0]]), static=True)
    rr.flush()
    store = Store()
    store.add_chunks(mem.chunks())
    return store


def test_entity_rows_follow_expansion_and_visibility_hides_subtrees():
    store = store_with(["a/x", "a/y", "b/z/w"], context_at="a")
    m = EntityModel()
    assert m.sync(store)
    names = [r.node.path for r in m.rows()]
    assert names == ["/a", "/a/x", "/a/y", "/b", "/b/z", "/b/z/w"]
    assert "/a" in m.contexts
    m.set_expanded("/b", False)
    assert [r.node.path for r in m.rows()] == ["/a", "/a/x", "/a/y", "/b"]
    m.set_visible("/a", False)
    assert m.effective_hidden() == {"/a", "/a/x", "/a/y"}
    assert m.hidden_by_ancestor("/a/x") and not m.is_visible("/a/y")
    gen = m.generation
    m.set_visible("/a", True)
    assert m.generation == gen + 1 and not m.effective_hidden()
    assert m.reveal("/b/z/w") == 5                  # expands /b again
    assert not m.sync(store)                          # no new data: nothing to do


def test_entity_rows_sort_numbers_naturally_and_many_children_start_collapsed():
    store = store_with([f"crowd/{i}" for i in range(100)] + ["p/2", "p/10"])
    m = EntityModel()
    m.sync(store)
    rows = [r.node.path for r in m.rows()]
    assert rows == ["/crowd", "/p", "/p/2", "/p/10"]     # 100 children: collapsed by default
    m.set_expanded("/crowd", True)
    assert len(m.rows()) == 104


# ---- hover descriptions ---------------------------------------------------------------------

def pose_scene():
    rr.init("hover")
    mem = rr.memory_recording()
    rr.log("/", rr.AnnotationContext([rr.ClassDescription(
        info=(1, "person", (255, 0, 0)), keypoint_annotations=[(0, "nose", (255, 255, 0)), (1, "eye")],
        keypoint_connections=[(0, 1)])]), static=True)
    rr.log("p", rr.Points2D([[1, 2], [3, 4]], class_ids=1, keypoint_ids=[0, 1], radii=[1.0, 2.0]), static=True)
    seg = np.zeros((4, 6), np.uint8)
    seg[:, 3:] = 1
    rr.log("seg", rr.SegmentationImage(seg), static=True)
    rr.flush()
    store = Store()
    store.add_chunks(mem.chunks())
    return SceneBuilder(store).build(None, None)


def test_describe_keypoint_pick_gives_class_keypoint_labels_and_context():
    scene = pose_scene()
    oid = next(o.object_id for o in scene.objects.values() if o.kind == "points")
    info = describe(scene, PickResult(oid, 1, 1, 1), {})
    assert (info.entity, info.instance, info.class_id, info.class_label) == ("/p", 1, 1, "person")
    assert (info.keypoint_id, info.keypoint_label) == (1, "eye")
    assert info.keypoint_color == (255, 0, 0, 255)    # no keypoint color: the class color
    assert info.position == (3.0, 4.0) and info.context_entity == "/"
    assert info.components["radii"] == 2.0
    edited = describe(scene, PickResult(oid, 0, 1, 0), {}, {("/", 1): (1, 2, 3, 255)})
    assert edited.class_color == (1, 2, 3, 255) and edited.keypoint_label == "nose"


def test_describe_segmentation_pixel_and_skeleton_line():
    scene = pose_scene()
    visuals = {v.object_id: v for v in scene.visuals_2d}
    seg = next(o.object_id for o in scene.objects.values() if o.kind == "segmentation")
    info = describe(scene, PickResult(seg, 2 * 6 + 4, 1, None), visuals)
    assert info.pixel == (4, 2) and info.class_id == 1 and info.class_label == "person"
    conn = next(o.object_id for o in scene.objects.values() if o.kind == "connections")
    line = describe(scene, PickResult(conn, 0, 1, None), visuals)
    assert line.connection == (0, 1) and line.label == "nose - eye" and line.position == (2.0, 3.0)


def test_instance_components_broadcast_single_values():
    scene = pose_scene()
    obj = next(o for o in scene.objects.values() if o.kind == "points")
    comps = instance_components(obj, 1)
    assert comps["class_ids"] == 1 and comps["keypoint_ids"] == 1


# ---- notifications, loading -----------------------------------------------------------------

def test_notifications_toasts_expire_and_log_keeps_them():
    n = Notifications()
    a = n.error("boom")
    n.info("hello")
    assert [t.text for t in n.toasts()] == ["boom", "hello"]
    assert [t.text for t in n.toasts(a.created + 60)] == []
    n.dismiss(a.id)
    assert [t.text for t in n.toasts()] == ["hello"]
    assert n.count("error") == 1 and len(n.log()) == 2


def test_file_loader_reports_progress_and_failures(tmp_path):
    path = tmp_path / "ok.avr"
    rr.init("load")
    rr.save(path)
    for i in range(5):
        rr.set_time("frame", sequence=i)
        rr.log("pts", rr.Points2D([[i, i]]))
    rr.disconnect()
    store = Store()
    loader = FileLoader(str(path), store)
    loader.run_here()
    p = loader.progress
    assert p.state == "done" and p.done == p.total and p.total >= 1 and p.fraction == 1.0
    assert store.timelines()["frame"].max == 4
    bad = tmp_path / "bad.avr"
    bad.write_bytes(b"this is not a recording at all")
    loader = FileLoader(str(bad), Store())
    loader.run_here()
    assert loader.progress.state == "failed" and "not an annoview recording" in loader.progress.error
    missing = FileLoader(str(tmp_path / "nope.avr"), Store())
    missing.run_here()
    assert missing.progress.state == "failed" and "no such file" in missing.progress.error


def test_store_timeline_times_lists_distinct_data_times():
    rr.init("times")
    mem = rr.memory_recording()
    for t in (3, 1, 3, 8):
        rr.set_time("frame", sequence=t)
        rr.log("a", rr.Points2D([[0, 0]]))
    rr.set_time("frame", sequence=5)
    rr.log("b", rr.Points2D([[0, 0]]))
    rr.flush()
    store = Store()
    store.add_chunks(mem.chunks())
    assert store.timeline_times("frame").tolist() == [1, 3, 5, 8]
    assert store.timeline_times("nope").tolist() == []


# ---- command line ---------------------------------------------------------------------------

def test_viewer_command_rejects_bad_arguments():
    from annoview.app.viewer_command import run_viewer

    with pytest.raises(AnnoviewError, match="--window-size"):
        run_viewer(["--window-size", "big", "--screenshot-to", "x.png"])
    with pytest.raises(AnnoviewError, match="expected a .png"):
        run_viewer(["--screenshot-to", "x.jpg"])


def test_info_command_does_not_load_the_gui_stack():
    import subprocess
    import sys

    code = ("import sys, annoview.app.cli as c; c.build_parser(); "
            "bad = [m for m in ('glfw', 'imgui_bundle', 'OpenGL') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
