"""End to end: SDK -> .avr -> `annoview screenshot` -> PNG pixels checked against the palette."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import annoview as rr
from annoview.annotations import auto_color
from annoview.chunk import build_chunk
from annoview.scene import SceneBuilder
from annoview.store import Store
from annoview.types.kinds import Kind

OUT = Path(__file__).resolve().parent.parent / "test-output"


def write_scene(path: Path) -> None:
    rr.init("screenshot-test")
    rr.save(path)
    rr.log("/", rr.AnnotationContext([
        rr.ClassDescription(info=(1, "person", (255, 0, 0)), keypoint_connections=[]),
        rr.ClassDescription(info=(2, "skeleton", (0, 255, 0)), keypoint_connections=[(0, 1)]),
    ]), static=True)
    rr.log("nested", rr.AnnotationContext([(1, "robot", (0, 0, 255))]), static=True)
    seg = np.full((10, 20), 1, np.uint16)
    seg[:, 10:] = 300
    seg[8:, :] = 0
    rr.set_time("frame", sequence=0)
    rr.log("seg", rr.SegmentationImage(seg))
    rr.log("pts", rr.Points2D([[5, 5]], class_ids=1, radii=1.0))
    rr.log("nested/pts", rr.Points2D([[15, 5]], class_ids=1, radii=1.0))
    rr.log("skel", rr.Points2D([[3, 7], [17, 7]], class_ids=2, keypoint_ids=[0, 1], radii=0.3, show_labels=False))
    rr.set_time("frame", sequence=1)
    rr.log("pts", rr.Points2D([[5, 5]], class_ids=2, radii=1.0))
    rr.disconnect()


def screenshot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", *args],
                          capture_output=True, text=True, timeout=120)


def check(img: np.ndarray, xy: tuple[int, int], rgb: tuple[int, ...], name: str) -> None:
    got = tuple(int(v) for v in img[xy[1], xy[0], :3])
    if got != tuple(rgb[:3]):
        OUT.mkdir(exist_ok=True)
        PILImage.fromarray(img).save(OUT / f"screenshot_{name}.png")
        raise AssertionError(f"{name}: pixel {xy} is {got}, expected {tuple(rgb[:3])} (PNG in test-output/)")


def test_screenshot_pixels_follow_palette_and_nested_contexts(tmp_path):
    rec = tmp_path / "scene.avr"
    write_scene(rec)
    png = tmp_path / "frame0.png"
    proc = screenshot(str(rec), "--out", str(png), "--time", "frame=0", "--size", "200x100", "--rect", "0,0,20,10")
    assert proc.returncode == 0, proc.stderr
    img = np.asarray(PILImage.open(png).convert("RGBA"))
    assert img.shape == (100, 200, 4)
    check(img, (25, 25), (255, 0, 0), "seg_class1_root_context")
    check(img, (125, 25), auto_color(300), "seg_unknown_id_auto_color")
    check(img, (25, 95), auto_color(0), "seg_id0_auto_color")
    check(img, (50, 50), (255, 0, 0), "point_root_context")
    check(img, (150, 50), (0, 0, 255), "point_nested_context")
    check(img, (100, 70), (0, 255, 0), "keypoint_connection_class_color")
    # later frame: the point changed class; the default time is the end of the timeline
    png1 = tmp_path / "frame1.png"
    proc = screenshot(str(rec), "--out", str(png1), "--size", "200x100", "--rect", "0,0,20,10")
    assert proc.returncode == 0, proc.stderr
    check(np.asarray(PILImage.open(png1).convert("RGBA")), (50, 50), (0, 255, 0), "point_class2_at_frame1")


@pytest.mark.parametrize("args,message", [
    (["--time", "nope=3"], "no timeline 'nope'"),
    (["--time", "frame=abc"], "not a valid sequence value"),
    (["--size", "big"], "expected WxH"),
    (["--rect", "1,2,3"], "expected X0,Y0,X1,Y1"),
    (["--space", "3d", "--rect", "0,0,1,1"], "2D view only"),
])
def test_screenshot_bad_arguments_are_one_line_errors(tmp_path, args, message):
    rec = tmp_path / "scene.avr"
    write_scene(rec)
    proc = screenshot(str(rec), "--out", str(tmp_path / "x.png"), *args)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_screenshot_bad_file(tmp_path):
    bad = tmp_path / "bad.avr"
    bad.write_bytes(b"\x00" * 100)
    proc = screenshot(str(bad), "--out", str(tmp_path / "x.png"))
    assert proc.returncode != 0 and "not an annoview recording" in proc.stderr and "Traceback" not in proc.stderr


def test_broken_entity_is_a_problem_and_the_rest_renders():
    store = Store()
    rr.init("broken")
    mem = rr.memory_recording()
    rr.log("good", rr.Points2D([[1, 1]], class_ids=1), static=True)
    rr.flush()
    store.add_chunks(mem.chunks())
    fmt = [{"width": 4, "height": 4, "pixel_format": None, "color_model": 1, "channel_datatype": 6}]
    store.add_chunk(build_chunk("/bad_image", True, np.array([1], np.uint64), np.array([10**9], np.uint64), {},
                                {"Image:buffer": (Kind.BLOB, [np.zeros(5, np.uint8)]),
                                 "Image:format": (Kind.IMAGE_FORMAT, [fmt])}))
    store.add_chunk(build_chunk("/mystery", True, np.array([1], np.uint64), np.array([10**9 + 1], np.uint64), {},
                                {"Tensor:data": (Kind.F32, [np.zeros(3, np.float32)])}))
    scene = SceneBuilder(store).build(None, None)
    problems = dict(scene.problems)
    assert "image buffer has 5 bytes" in problems["/bad_image"]
    assert "Tensor: not rendered" in problems["/mystery"]
    assert len(scene.visuals_2d) == 1 and scene.objects[1].entity == "/good"


def test_line_strips_show_their_class_label_at_the_center():
    rr.init("strip-labels")
    mem = rr.memory_recording()
    rr.log("/", rr.AnnotationContext([(3, "lane", (255, 255, 0))]), static=True)
    rr.log("road/lanes", rr.LineStrips2D([[[0, 0], [10, 0]], [[0, 10], [4, 10], [8, 10]]], class_ids=[3, 3]), static=True)
    rr.log("road/hidden", rr.LineStrips2D([[[0, 20], [5, 20]]], class_ids=3, show_labels=False), static=True)
    rr.log("road/once", rr.LineStrips2D([[[20, 0], [30, 0]], [[20, 10], [30, 10]]], class_ids=3), static=True)
    rr.flush()
    scene = SceneBuilder(mem.to_store()).build(None, None)
    labels = sorted((v for v in scene.visuals_2d if type(v).__name__ == "LabelsVisual"), key=lambda v: len(v.texts))
    assert len(labels) == 2
    # Corrected rule 3: a class id given once for two strips labels them once, at their bounds' center.
    assert list(labels[0].texts) == ["lane"] and np.allclose(labels[0].positions, [[25, 5]])
    # One class id per strip: each strip's label centered under the mean of its vertices (as the
    # Rerun 0.41 viewer draws it: the box's top edge just below that point).
    assert list(labels[1].texts) == ["lane", "lane"] and labels[1].anchor == "below"
    assert np.allclose(labels[1].positions, [[5, 0], [4, 10]])
