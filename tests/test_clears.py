"""rr.Clear and Archetype.cleared(): the store's latest-at, the scene, `screenshot` and `info` agree
that a cleared entity shows nothing from the clear's time until it is logged again."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image as PILImage

import annoview as rr
from annoview.scene import SceneBuilder
from conftest import store_of


def visible(store, t, timeline="frame"):
    q = store.query(None, timeline, t)
    return {p: sorted(c for c in q.for_entity(p) if not c.startswith("Clear:")) for p in q.paths
            if any(not c.startswith("Clear:") for c in q.for_entity(p))}


def test_flat_and_recursive_clears_hide_until_logged_again(mem):
    for f in range(6):
        rr.set_time("frame", sequence=f)
        if f == 0:
            rr.log("world/a", rr.Points2D([[1, 2]]))
            rr.log("world/a/b", rr.Points2D([[3, 4]]))
            rr.log("other", rr.Points2D([[5, 6]]))
            rr.log("other/child", rr.Points2D([[5, 6]]))
            rr.log("world/static", rr.Points2D([[7, 7]]), static=True)
        if f == 2:
            rr.log("world", rr.Clear(recursive=True))
        if f == 3:
            rr.log("world/a", rr.Points2D([[9, 9]]))
        if f == 4:
            rr.log("other", rr.Clear.flat())
    store = store_of(mem)
    everything = {"/world/a", "/world/a/b", "/other", "/other/child", "/world/static"}
    assert set(visible(store, 1)) == everything
    # recursive: the entity and everything below it; static data is timeless and stays
    assert set(visible(store, 2)) == {"/other", "/other/child", "/world/static"}
    # logged again: shows again (its child stays cleared)
    assert set(visible(store, 3)) == {"/world/a", "/other", "/other/child", "/world/static"}
    a = store.latest_at("/world/a", "frame", 3)["Points2D:positions"].value
    assert a.tolist() == [[9.0, 9.0]]
    # flat: only the entity itself
    assert set(visible(store, 5)) == {"/world/a", "/other/child", "/world/static"}
    # before the clear nothing changes, also on log_time (the clear is stamped there too)
    assert set(visible(store, 0)) == everything


def test_same_time_order_other_timeline_and_static_clear(mem):
    rr.set_time("frame", sequence=1)
    rr.log("e", rr.Points2D([[1, 1]]))
    rr.log("e", rr.Clear.flat())
    rr.log("f", rr.Clear.flat())
    rr.log("f", rr.Points2D([[1, 1]]))  # logged after the clear at the same time: shown
    rr.set_time("other", sequence=7)
    rr.log("g", rr.Points2D([[1, 1]]), static=True)
    rr.log("h", rr.Points2D([[1, 1]]))
    # static: newer than any temporal data (as in the Rerun viewer), older than static data logged after it
    rr.log("/", rr.Clear.recursive(), static=True)
    rr.log("i", rr.Points2D([[1, 1]]), static=True)
    rr.log("j", rr.Points2D([[1, 1]]))
    store = store_of(mem)
    assert set(visible(store, 1)) == {"/i"}
    assert set(visible(store, 7, "other")) == {"/i"}
    assert store.latest_at("/i", "frame", 1)


def test_clear_on_one_timeline_does_not_apply_on_another(mem):
    rr.set_time("frame", sequence=0)
    rr.log("e", rr.Points2D([[1, 1]]))
    rr.reset_time()
    rr.set_time("step", sequence=5)
    rr.log("e", rr.Clear.flat())
    store = store_of(mem)
    assert "/e" in visible(store, 0)
    assert "/e" not in visible(store, 5, "step")


def test_cleared_fields_draw_nothing_and_report_no_problem(mem):
    rr.set_time("frame", sequence=0)
    for name, arch in [("p2", rr.Points2D([[1, 1]])), ("p3", rr.Points3D([[1, 1, 1]])),
                       ("b", rr.Boxes2D(half_sizes=[[1, 1]])), ("l", rr.LineStrips2D([[[0, 0], [1, 1]]])),
                       ("img", rr.Image(np.zeros((2, 2), np.uint8))),
                       ("seg", rr.SegmentationImage(np.zeros((2, 2), np.uint8)))]:
        rr.log(name, arch)
    rr.set_time("frame", sequence=1)
    for name, cls in [("p2", rr.Points2D), ("p3", rr.Points3D), ("b", rr.Boxes2D), ("l", rr.LineStrips2D),
                      ("img", rr.Image), ("seg", rr.SegmentationImage)]:
        rr.log(name, cls.cleared())
    rr.set_time("frame", sequence=2)
    rr.log("b", rr.Boxes2D.from_fields(half_sizes=[[2, 2]]))  # a partial update: center defaults to 0
    store = store_of(mem)
    builder = SceneBuilder(store)
    before = builder.build("frame", 0)
    assert len(before.visuals_2d) + len(before.visuals_3d) > 0 and not before.problems
    after = builder.build("frame", 1)
    assert after.visuals_2d == [] and after.visuals_3d == [] and after.problems == []
    again = builder.build("frame", 2)
    assert not again.problems
    (boxes,) = again.visuals_2d
    assert boxes.mins.tolist() == [[-2.0, -2.0]]


def test_clear_fields_clears_only_logged_empty_fields(mem):
    rr.set_time("frame", sequence=0)
    rr.log("p", rr.Points2D([[1, 1], [2, 2]], radii=[3, 4], colors=[255, 0, 0]))
    rr.set_time("frame", sequence=1)
    rr.log("p", rr.Points2D.from_fields(radii=[5]))
    rr.set_time("frame", sequence=2)
    rr.log("p", rr.Points2D.from_fields(clear_unset=True, positions=[[7, 7]]))
    store = store_of(mem)
    at1 = store.latest_at("/p", "frame", 1)
    assert at1["Points2D:radii"].value.tolist() == [5.0] and len(at1["Points2D:positions"].value) == 2
    at2 = store.latest_at("/p", "frame", 2)
    assert at2["Points2D:positions"].value.tolist() == [[7.0, 7.0]]
    assert len(at2["Points2D:radii"].value) == 0 and len(at2["Points2D:colors"].value) == 0


def _shot(rec, png, frame):
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(png),
                           "--time", f"frame={frame}", "--size", "200x100", "--rect", "0,0,20,10"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return np.asarray(PILImage.open(png).convert("RGB"))


RED, GREEN = (255, 0, 0), (0, 255, 0)


def test_screenshot_cleared_entity_disappears_and_reappears(tmp_path):
    rec = tmp_path / "clears.avr"
    rr.init("clears-test")
    rr.save(rec)
    rr.set_time("frame", sequence=0)
    rr.log("scene/box", rr.Boxes2D(mins=[[2, 2]], sizes=[[4, 4]], colors=RED, radii=0.3))
    rr.log("scene/box/dot", rr.Points2D([[15, 5]], colors=GREEN, radii=2.0))
    rr.set_time("frame", sequence=2)
    rr.log("scene", rr.Clear(recursive=True))
    rr.set_time("frame", sequence=4)
    rr.log("scene/box", rr.Boxes2D(mins=[[2, 2]], sizes=[[4, 4]], colors=RED, radii=0.3))
    rr.disconnect()
    dot_px = (150, 50)  # 10 px per unit

    def px(img, xy):
        return tuple(int(v) for v in img[xy[1], xy[0]])

    img0 = _shot(rec, tmp_path / "f0.png", 0)
    background = px(img0, (190, 90))
    assert px(img0, dot_px) == GREEN
    box_line = (20, 40)  # on the box's left edge (x = 2 units)
    assert px(img0, box_line) == RED
    img2 = _shot(rec, tmp_path / "f2.png", 2)
    assert px(img2, box_line) == background and px(img2, dot_px) == background
    img4 = _shot(rec, tmp_path / "f4.png", 4)
    assert px(img4, box_line) == RED  # logged again
    assert px(img4, dot_px) == background  # its child was not


def test_info_lists_clears(tmp_path):
    rec = tmp_path / "clears.avr"
    rr.init("clears-info")
    rr.save(rec)
    rr.set_time("frame", sequence=3)
    rr.log("a", rr.Points2D([[1, 1]]))
    rr.log("a", rr.Clear.recursive())
    rr.log("b", rr.Clear.flat(), static=True)
    rr.disconnect()
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "info", str(rec)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "Clear x1" in text
    clears = text.split("clears:\n", 1)[1].splitlines()
    assert clears == ["  /a (frame=3): recursive (the entity and everything below it)",
                      "  /b (static): flat (the entity only)"]

