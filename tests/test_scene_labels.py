"""Which labels a scene holds and what the renderer needs to color and place them (no GL):
keypoint ids for the keypoint's own color, priority (explicit over context labels), clearance
and extent, and the view's labels option (auto / on / off)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import annoview as rr
from annoview.scene import SceneBuilder, ViewOptions
from annoview.scene.visuals import (LABEL_PRIORITY_CONTEXT, LABEL_PRIORITY_EXPLICIT, BoxesVisual, LabelsVisual,
                                    PointsVisual, box_labels, label_idents, point_labels)


def labels_of(scene, space: str = "2d") -> dict[str, LabelsVisual]:
    out = {}
    for v in scene.visuals_2d if space == "2d" else scene.visuals_3d:
        if isinstance(v, LabelsVisual):
            out[scene.objects[v.object_id].entity] = v
    return out


def build(log, options: ViewOptions | None = None):
    rr.init("scene-labels")
    mem = rr.memory_recording()
    log()
    rr.flush()
    return SceneBuilder(mem.to_store()).build(None, None, options=options)


def _people():
    rr.log("/", rr.AnnotationContext([rr.ClassDescription(
        info=(1, "person", (200, 60, 60)),
        keypoint_annotations=[(0, "nose", (40, 220, 60)), (1, "left_eye")])]), static=True)
    rr.log("kp", rr.Points2D([[10, 10], [20, 10]], class_ids=1, keypoint_ids=[0, 1], radii=-4), static=True)
    rr.log("named", rr.Points2D([[10, 30], [20, 30]], labels=["a", "b"], radii=2.0), static=True)
    rr.log("boxes", rr.Boxes2D(mins=[[0, 40]], sizes=[[30, 10]], class_ids=[1]), static=True)


def test_keypoint_labels_carry_keypoint_ids_for_their_color():
    labels = labels_of(build(_people))
    kp = labels["/kp"]
    assert list(kp.texts) == ["nose", "left_eye"]
    assert kp.class_ids.tolist() == [1, 1] and kp.keypoint_ids.tolist() == [0, 1], \
        "the label shader looks the color up exactly as the points shader does"
    assert labels["/boxes"].keypoint_ids is None


def test_explicit_labels_outrank_context_labels_and_know_their_size():
    labels = labels_of(build(_people))
    assert labels["/named"].per_label("priority").tolist() == [LABEL_PRIORITY_EXPLICIT] * 2
    assert labels["/kp"].per_label("priority").tolist() == [LABEL_PRIORITY_CONTEXT] * 2
    # clearance in the radii convention: -4 = 4 UI points; 2.0 = two scene units
    assert labels["/kp"].per_label("clearance").tolist() == [-4.0, -4.0]
    assert labels["/named"].per_label("clearance").tolist() == [2.0, 2.0]
    assert labels["/named"].per_label("extent").tolist() == [4.0, 4.0]
    assert labels["/boxes"].per_label("extent") == pytest.approx([np.sqrt(300.0)])
    assert labels["/boxes"].anchor == "below" and labels["/boxes"].positions.tolist() == [[15.0, 50.0]]
    # identities from the entity path, not the builder's object ids: the same in every build
    assert labels["/kp"].idents.tolist() == label_idents("/kp", np.arange(2)).tolist()
    assert len(set(labels["/kp"].idents.tolist()) | set(labels["/named"].idents.tolist())) == 4


def test_a_shared_label_is_drawn_once_in_the_first_instance_color():
    def log():
        _people()
        rr.log("group", rr.Points2D([[0, 0], [10, 0], [10, 20]], labels=["group"], class_ids=1,
                                    keypoint_ids=[0, 1, 1]), static=True)
        rr.log("crowd", rr.Points2D([[30, 0], [40, 20]], class_ids=1), static=True)

    labels = labels_of(build(log))
    group, crowd = labels["/group"], labels["/crowd"]
    assert list(group.texts) == ["group"] and group.positions.tolist() == [[5.0, 10.0]]
    assert group.keypoint_ids.tolist() == [0] and group.class_ids.tolist() == [1], "the first keypoint's color"
    assert group.per_label("priority").tolist() == [LABEL_PRIORITY_EXPLICIT]
    assert list(crowd.texts) == ["person"] and crowd.positions.tolist() == [[35.0, 10.0]]
    assert crowd.per_label("priority").tolist() == [LABEL_PRIORITY_CONTEXT]


def _crowd():
    rr.log("/", rr.AnnotationContext([(1, "person", (200, 60, 60))]), static=True)
    rr.log("many", rr.Points2D(np.arange(80).reshape(40, 2), class_ids=[1] * 40), static=True)
    rr.log("forced_off", rr.Points2D([[0, 0]], labels=["x"], show_labels=True), static=True)


def test_the_views_labels_option_overrides_rule_7():
    auto = labels_of(build(_crowd))
    assert "/many" not in auto and "/forced_off" in auto, "auto: 40 instances get none, as in Rerun"
    on = labels_of(build(_crowd, ViewOptions(labels="on")))
    assert len(on["/many"].texts) == 40, "on: every instance (placement thins them out on screen)"
    off = labels_of(build(_crowd, ViewOptions(labels="off")))
    assert off == {}, "off: none at all, show_labels included"
    with pytest.raises(ValueError, match="labels"):
        build(_crowd, ViewOptions(labels="sometimes"))


def test_label_helpers_follow_their_visuals_per_instance_fields():
    pts = PointsVisual(positions=np.zeros((3, 2)), class_ids=np.array([4]), keypoint_ids=np.array([0, 1, 2]),
                       radii=np.array([-2.0, 3.0, -1.0]), palette_key="k", object_id=9)
    lab = point_labels(pts, ["a", None, "c"])
    assert list(lab.texts) == ["a", "c"] and lab.instances.tolist() == [0, 2]
    assert lab.class_ids.tolist() == [4, 4] and lab.keypoint_ids.tolist() == [0, 2]
    assert lab.per_label("clearance").tolist() == [-2.0, -1.0] and lab.per_label("extent").tolist() == [0.0, 0.0]
    boxes = BoxesVisual(mins=np.array([[0, 0], [10, 10]]), sizes=np.array([[4, 2], [2, 8]]), radii=-1.5)
    bl = box_labels(boxes, [None, "b"])
    assert bl.positions.tolist() == [[11.0, 18.0]] and bl.per_label("clearance").tolist() == [-1.5]


def test_screenshot_labels_options(tmp_path):
    rr.init("screenshot-labels")
    rec = tmp_path / "labels.avr"
    rr.save(rec)
    rr.log("/", rr.AnnotationContext([(1, "person", (255, 0, 0)), (2, "car", (0, 0, 255))]), static=True)
    rr.log("a", rr.Points2D([[20, 20]], class_ids=1), static=True)
    rr.log("b", rr.Points2D([[60, 20]], class_ids=2), static=True)
    rr.disconnect()

    def shot(*extra: str) -> np.ndarray:
        png = tmp_path / "x.png"
        proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(png),
                               "--size", "160x80", "--rect", "0,0,80,40", *extra],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        from PIL import Image

        return np.asarray(Image.open(png).convert("RGB")).astype(int)

    def text_pixels(img, color, x0, x1):
        return int((np.abs(img[45:80, x0:x1] - color).max(-1) <= 2).sum())   # under the points

    plain = shot()
    assert text_pixels(plain, (255, 0, 0), 0, 80) > 5 and text_pixels(plain, (0, 0, 255), 80, 160) > 5
    no_cars = shot("--hide-labels-class", "2")
    assert text_pixels(no_cars, (255, 0, 0), 0, 80) > 5 and text_pixels(no_cars, (0, 0, 255), 80, 160) == 0
    assert (no_cars[40, 120] == (0, 0, 255)).all(), "the car's point stays"
    none = shot("--labels", "off")
    assert text_pixels(none, (255, 0, 0), 0, 80) == 0 and text_pixels(none, (0, 0, 255), 80, 160) == 0
    bad = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out",
                          str(tmp_path / "y.png"), "--hide-labels-class", "1,car"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode != 0 and "--hide-labels-class" in bad.stderr and "Traceback" not in bad.stderr


def test_end_to_end_every_label_in_the_color_its_instance_is_drawn_with():
    """SDK -> scene -> pixels: keypoint color over class color, class color for a keypoint
    without one, explicit colors over both, the entity default without any; each label's
    brightest text pixels are exactly the color of the point it names."""
    from annoview.render import Camera2D, Renderer, SceneRenderer

    def log():
        rr.log("/", rr.AnnotationContext([rr.ClassDescription(
            info=(1, "person", (200, 60, 60)),
            keypoint_annotations=[(0, "nose", (40, 220, 60)), (1, "left_eye")])]), static=True)
        rr.log("kp", rr.Points2D([[20, 10], [80, 10]], class_ids=1, keypoint_ids=[0, 1], radii=-3), static=True)
        rr.log("painted", rr.Points2D([[20, 50]], class_ids=1, keypoint_ids=[0], colors=[(250, 240, 20)],
                                      labels=["painted"], radii=-3), static=True)
        rr.log("plain", rr.Points2D([[80, 50]], labels=["plain"], radii=-3), static=True)

    scene = build(log)
    renderer = Renderer(background=(0, 0, 0, 255))
    try:
        frame, _ = SceneRenderer(renderer).render_2d(scene, (240, 160), Camera2D.from_rect(0, 0, 120, 80, 240, 160))
        rgba = frame.read_rgba()
        for v, boxes in frame.label_boxes():
            for text, (x0, y0, x1, y1) in zip(v.texts, boxes.astype(int)):
                px = rgba[y0:y1, x0:x1, :3].reshape(-1, 3).astype(int)
                text_rgb = px[np.argmax(px.max(1))]
                anchor = np.asarray(v.positions[list(v.texts).index(text)]) * 2
                point_rgb = rgba[int(anchor[1]), int(anchor[0]), :3].astype(int)
                assert np.abs(text_rgb - point_rgb).max() <= 3, (text, text_rgb, point_rgb)
        texts = sorted(t for v, _ in frame.label_boxes() for t in v.texts)
        assert texts == ["left_eye", "nose", "painted", "plain"]
    finally:
        renderer.release()
