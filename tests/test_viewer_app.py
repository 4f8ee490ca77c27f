"""The desktop viewer driven through its own input handling, under Xvfb.

One window serves the whole module (opening a window and loading fonts costs ~0.5 s on
llvmpipe); each test opens its recording and closes it. Input is synthetic: the App's
`handle_*` methods are what the glfw callbacks call. Pixels are read from the view's
framebuffer (exact palette colors) or from a capture of the whole UI.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import annoview as rr

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                reason="viewer tests need an X display: run `xvfb-run -a python3 -m pytest`")

PERSON = (255, 0, 0)
NOSE = (255, 255, 0)
EYE = (0, 255, 255)
SKY = (40, 80, 200)
GRASS = (30, 160, 40)
OUT = Path(__file__).resolve().parent.parent / "test-output"


def write_recording(path: Path, frames: int = 10) -> None:
    """A segmentation mask (sky/grass) under a two-keypoint skeleton walking right, plus 3D points."""
    rr.init("viewer-test")
    rr.save(path)
    rr.log("/", rr.AnnotationContext([
        rr.ClassDescription(info=(1, "person", PERSON), keypoint_annotations=[(0, "nose", NOSE), (1, "left_eye", EYE)],
                            keypoint_connections=[(0, 1)]),
        (5, "sky", SKY), (6, "grass", GRASS),
    ]), static=True)
    seg = np.full((48, 64), 5, np.uint8)
    seg[24:] = 6
    rr.log("scene/seg", rr.SegmentationImage(seg), static=True)
    for i in range(frames):
        rr.set_time("frame", sequence=i)
        rr.log("scene/person", rr.Points2D([[10 + 4 * i, 12], [10 + 4 * i, 32]], class_ids=1, keypoint_ids=[0, 1],
                                           radii=2.0))
        rr.log("world/pts", rr.Points3D([[0, 0, 0], [1, 0, 0], [0, 1, i * 0.1]], class_ids=[5, 6, 1], radii=0.05))
    rr.disconnect()


@pytest.fixture(scope="module")
def app():
    from annoview.app.viewer.app import App

    a = App(size=(1000, 640), vsync=False)
    yield a
    a.release()


@pytest.fixture(scope="module")
def rec_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("viewer") / "walk.avr"
    write_recording(path)
    return path


@pytest.fixture
def rec(app, rec_path):
    r = app.open(str(rec_path), wait=True)
    frames(app, 4)
    yield r
    app.close_recording(r)
    for v in app.views.values():
        v.hover = None
    frames(app, 2)
    assert app.ctx.error == "GL_NO_ERROR"


# ---- driving helpers --------------------------------------------------------------------------

def frames(app, n: int = 2) -> None:
    for _ in range(n):
        app.frame()


def move(app, x: float, y: float, n: int = 2) -> None:
    app.handle_mouse_move(x, y)
    frames(app, n)


def click(app, x: float, y: float, button: int = 0) -> None:
    move(app, x, y, 1)
    app.handle_mouse_button(button, True)
    frames(app, 1)
    app.handle_mouse_button(button, False)
    frames(app, 2)


def drag(app, a: tuple[float, float], b: tuple[float, float], button: int = 0, steps: int = 4) -> None:
    move(app, *a, n=1)
    app.handle_mouse_button(button, True)
    frames(app, 1)
    for k in range(1, steps + 1):
        move(app, a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps, n=1)
    app.handle_mouse_button(button, False)
    frames(app, 2)


def key(app, code: int) -> None:
    app.handle_key(code, True)
    frames(app, 1)
    app.handle_key(code, False)
    frames(app, 1)


def center_of(rect: tuple[float, float, float, float]) -> tuple[float, float]:
    x, y, w, h = rect
    return x + w / 2, y + h / 2


def view_pixels(app, space: str = "2d") -> np.ndarray:
    return app.views[space].frame.read_rgba()[..., :3]


def count(img: np.ndarray, rgb: tuple[int, int, int]) -> int:
    return int(np.all(img == np.array(rgb, np.uint8), axis=-1).sum())


def save(img: np.ndarray, name: str) -> Path:
    from PIL import Image

    OUT.mkdir(exist_ok=True)
    p = OUT / f"{name}.png"
    Image.fromarray(np.ascontiguousarray(img)).save(p)
    return p


def object_of(rec, entity: str, kind: str):
    return next(o for o in rec.scene.objects.values() if o.entity == entity and o.kind == kind)


# ---- tests ------------------------------------------------------------------------------------

def test_layout_and_views_show_the_recording(app, rec):
    v2, v3 = app.views["2d"], app.views["3d"]
    assert v2.frame is not None and v3.frame is not None
    x, y, w, h = v2.screen_rect
    assert w > 200 and h > 200
    img = view_pixels(app)
    assert count(img, SKY) > 500 and count(img, GRASS) > 500 and count(img, NOSE) > 0
    # entity tree left, views center, legend right, time bottom
    assert app.entity_panel.row_rects["/scene/person"][0] < x
    assert min(r[0] for r in app.legend_panel.row_rects.values()) > x + w
    assert app.time_panel.bar_rect[1] > y + h
    assert app.ctx.error == "GL_NO_ERROR"


def test_hover_keypoint_reports_class_and_keypoint_labels(app, rec):
    v = app.views["2d"]
    person = object_of(rec, "/scene/person", "points")
    x, y = v.to_screen(person.positions[0])
    move(app, x, y)
    info = v.hover
    assert info is not None, "nothing under the nose keypoint"
    assert (info.entity, info.instance) == ("/scene/person", 0)
    assert (info.class_id, info.class_label) == (1, "person")
    assert (info.keypoint_id, info.keypoint_label) == (0, "nose")
    assert info.context_entity == "/"
    x, y = v.to_screen(person.positions[1])
    move(app, x, y)
    assert v.hover.keypoint_label == "left_eye" and v.hover.keypoint_color == (*EYE, 255)
    # a segmentation pixel: position, class id and label
    x0, y0, w, h = v.screen_rect
    sx, sy = v.to_screen((32.5, 40.5))
    move(app, sx, sy)
    seg = v.hover
    assert seg.kind == "segmentation" and seg.pixel == (32, 40) and (seg.class_id, seg.class_label) == (6, "grass")
    move(app, 5, 5)
    assert v.hover is None
    assert app.ctx.error == "GL_NO_ERROR"


def test_click_selects_instance_and_inspector_links_context(app, rec):
    v = app.views["2d"]
    person = object_of(rec, "/scene/person", "points")
    click(app, *v.to_screen(person.positions[1]))
    sel = rec.selection
    assert (sel.entity, sel.instance) == ("/scene/person", 1)
    from annoview.app.viewer.panels.inspector import selected_info

    info = selected_info(app, rec)
    assert info.keypoint_label == "left_eye" and info.components["keypoint_ids"] == 1
    link = app.inspector_panel.context_link_rect
    assert link is not None, "the inspector shows which entity's context resolved the instance"
    click(app, *center_of(link))
    assert rec.selection.entity == "/" and rec.selection.instance is None


def test_hiding_a_class_in_the_legend_removes_its_pixels(app, rec):
    before = view_pixels(app)
    assert count(before, NOSE) > 0 and count(before, PERSON) > 0
    eye_button = app.legend_panel.row_rects[("/", 1)]
    click(app, eye_button[0] + 8, eye_button[1] + eye_button[3] / 2)
    edits = app.scene_renderer_for(rec).edits
    assert ("/", 1) in edits.hidden
    move(app, 5, 5)     # leave the legend row (its hover highlights the class)
    after = view_pixels(app)
    assert count(after, NOSE) == 0 and count(after, EYE) == 0 and count(after, PERSON) == 0
    assert count(after, SKY) > 500
    click(app, eye_button[0] + 8, eye_button[1] + eye_button[3] / 2)
    move(app, 5, 5)
    assert count(view_pixels(app), NOSE) > 0


def test_labels_per_class_and_for_the_view_from_the_legend(app, rec):
    """The legend's tag button switches one class's labels off (its points stay); the view's
    labels option (auto / on / off) rebuilds the scene with or without labels."""
    def drawn_labels():
        frames(app, 2)
        return sorted(v.texts[i] for v, b in app.views["2d"].frame.label_boxes() for i in range(len(v.texts))
                      if np.isfinite(b[i, 0]))

    assert drawn_labels() == ["left_eye", "nose"]
    x, y, w, h = app.legend_panel.option_rects[("class:/:1", "labels")]
    click(app, x + w / 2, y + h / 2)
    edits = app.scene_renderer_for(rec).edits
    assert ("/", 1) in edits.labels_off
    move(app, 5, 5)
    assert drawn_labels() == [] and count(view_pixels(app), NOSE) > 0, "labels gone, keypoints stay"
    x, y, w, h = app.legend_panel.option_rects[("class:/:1", "labels")]     # (the table may have re-fit)
    click(app, x + w / 2, y + h / 2)
    move(app, 5, 5)
    assert drawn_labels() == ["left_eye", "nose"]
    def choose(mode_row: int) -> None:     # open the combo, click the row of a mode
        x, y, w, h = app.legend_panel.option_rects[("view", "labels")]
        click(app, x + w / 2, y + h / 2)
        click(app, x + w / 2, y + h + h * (mode_row + 0.5))

    choose(2)
    assert rec.options.labels == "off"
    move(app, 5, 5)
    assert drawn_labels() == []
    choose(0)
    move(app, 5, 5)
    assert rec.options.labels == "auto" and drawn_labels() == ["left_eye", "nose"]


def test_editing_a_class_color_recolors_pixels_without_uploads(app, rec):
    sr = app.scene_renderer_for(rec)
    renders = app.views["2d"].renders
    uploads = app.renderer.cache.uploads
    writes = sum(p.writes for p in sr.palettes_for(rec.scene).values())
    sr.edits.colors[("/", 5)] = (250, 0, 250, 255)      # what the legend's color picker writes
    sr.edits.touch()
    frames(app, 2)
    img = view_pixels(app)
    assert count(img, SKY) == 0 and count(img, (250, 0, 250)) > 500
    assert app.views["2d"].renders == renders + 1
    assert app.renderer.cache.uploads == uploads, "a palette edit must not re-upload geometry"
    assert sum(p.writes for p in sr.palettes_for(rec.scene).values()) > writes
    sr.edits.colors.clear()
    sr.edits.touch()
    frames(app, 2)


def test_segmentation_outline_option_from_the_legend(app, rec):
    before = count(view_pixels(app), SKY)
    rect = app.legend_panel.option_rects[("/scene/seg", "outline")]
    click(app, rect[0] + 8, rect[1] + rect[3] / 2)
    assert rec.options.seg_outline == {"/scene/seg": True}
    seg = next(v for v in rec.scene.visuals_2d if type(v).__name__ == "SegmentationVisual")
    assert seg.outline
    move(app, 5, 5)
    outlined = count(view_pixels(app), SKY)
    assert 0 < outlined < before / 4, (before, outlined)
    click(app, rect[0] + 8, rect[1] + rect[3] / 2)
    move(app, 5, 5)
    assert count(view_pixels(app), SKY) == before


def test_legend_hover_highlights_the_class(app, rec):
    rect = app.legend_panel.row_rects[("/", 6)]
    move(app, rect[0] + rect[2] * 0.5, rect[1] + rect[3] / 2, n=3)
    edits = app.scene_renderer_for(rec).edits
    assert edits.highlight == ("/", 6)
    img = view_pixels(app)
    assert count(img, GRASS) > 500 and count(img, SKY) == 0     # others dimmed
    move(app, 5, 5)
    assert edits.highlight is None


def test_clicking_a_class_in_the_legend_selects_it(app, rec):
    from annoview.app.viewer.panels.inspector import class_info

    rect = app.legend_panel.row_rects[("/", 1)]
    click(app, rect[0] + rect[2] * 0.5, rect[1] + rect[3] / 2)
    assert rec.selection is not None and rec.selection.class_key == ("/", 1)
    frames(app, 2)                                      # the inspector draws the class
    info = class_info(rec.scene, ("/", 1))
    assert info["label"] == "person" and info["keypoints"] == [(0, "nose"), (1, "left_eye")]
    assert info["connections"] == ["nose - left_eye"] and info["entities"] == ["/scene/person", "/world/pts"]
    assert class_info(rec.scene, ("/", 6))["entities"] == ["/scene/seg", "/world/pts"]
    rec.selection = None
    frames(app, 2)
    assert app.ctx.error == "GL_NO_ERROR"


def test_time_bar_and_keys_move_the_frame(app, rec):
    import glfw

    tc = rec.time
    assert tc.time == 9
    person = object_of(rec, "/scene/person", "points")
    x_at_9 = float(person.positions[0][0])
    before = view_pixels(app).copy()
    bx, by, bw, bh = app.time_panel.bar_rect
    click(app, bx + 1, by + bh / 2)
    assert tc.time == 0
    person = object_of(rec, "/scene/person", "points")
    assert float(person.positions[0][0]) == x_at_9 - 36
    assert not np.array_equal(before, view_pixels(app))
    key(app, glfw.KEY_RIGHT)
    assert tc.time == 1
    key(app, glfw.KEY_END)
    assert tc.time == 9
    key(app, glfw.KEY_HOME)
    assert tc.time == 0
    key(app, glfw.KEY_SPACE)
    assert tc.playing
    time.sleep(0.15)
    frames(app, 2)
    assert tc.time > 0
    key(app, glfw.KEY_SPACE)
    assert not tc.playing


def test_nothing_rerenders_while_nothing_changes(app, rec):
    x, y, w, h = app.entity_panel.row_rects["/scene/person"]
    move(app, x + w / 2, y + h / 2)          # hovering UI that does not affect the views
    renders = {s: v.renders for s, v in app.views.items()}
    uploads = app.renderer.cache.uploads
    frames(app, 5)
    assert {s: v.renders for s, v in app.views.items()} == renders
    assert app.renderer.cache.uploads == uploads
    app._active_until = 0.0                      # as if the last input was a while ago
    app.needs_frame()
    assert not app.needs_frame(), "an idle viewer must let the event loop sleep"


def test_entity_eye_button_hides_the_subtree(app, rec):
    rows = app.entity_panel.rows_drawn
    click(app, *center_of(app.entity_panel.eye_rects["/scene"]))
    model = rec.entities
    assert model.hidden == {"/scene"}
    assert "/scene/person" in model.effective_hidden() and "/scene/seg" in model.effective_hidden()
    move(app, 5, 5)
    assert not app.views["2d"].has_content(rec)          # all 2D content was under /scene
    x, y, w, h = (int(v) for v in app.views["2d"].screen_rect)
    ui = app.frame(capture=True)[y:y + h, x:x + w]
    assert count(ui, NOSE) == 0 and count(ui, SKY) == 0
    assert app.entity_panel.rows_drawn == rows           # hidden rows stay listed, greyed out
    click(app, *center_of(app.entity_panel.eye_rects["/scene"]))
    assert not model.hidden
    move(app, 5, 5)
    assert count(view_pixels(app), NOSE) > 0


def test_2d_pan_zoom_and_fit(app, rec):
    v = app.views["2d"]
    x, y, w, h = v.screen_rect
    c = (float(int(x + w / 2)), float(int(y + h / 2)))      # imgui floors mouse positions
    anchor = v.camera_used.pixel_to_scene(np.array([(c[0] - x) * app.fb_scale[0], (c[1] - y) * app.fb_scale[1]]), v.px_size)
    app.handle_mouse_move(*c)
    app.handle_scroll(0, 2)
    frames(app, 2)
    cam = rec.cameras["2d"]
    assert cam is not None and (cam.x1 - cam.x0) < 64
    again = cam.pixel_to_scene(np.array([(c[0] - x) * app.fb_scale[0], (c[1] - y) * app.fb_scale[1]]), v.px_size)
    assert np.allclose(anchor, again, atol=1e-6), "zoom must keep the point under the cursor"
    x0 = cam.x0
    drag(app, c, (c[0] + 40, c[1]))
    assert cam.x0 < x0
    click(app, *c)
    app.handle_mouse_button(0, True)
    frames(app, 1)
    app.handle_mouse_button(0, False)
    frames(app, 2)
    assert rec.cameras.get("2d") is None, "double-click fits again"


def test_3d_orbit_pan_zoom(app, rec):
    v = app.views["3d"]
    x, y, w, h = v.screen_rect
    c = (x + w / 2, y + h / 2)
    drag(app, c, (c[0] + 50, c[1] + 10))
    cam = rec.cameras["3d"]
    yaw, target = cam.yaw, cam.target.copy()
    assert yaw != pytest.approx(np.radians(45.0))
    drag(app, c, (c[0] + 30, c[1]), button=1)
    assert not np.allclose(cam.target, target)
    d = cam.distance
    app.handle_mouse_move(*c)
    app.handle_scroll(0, 1)
    frames(app, 2)
    assert cam.distance < d
    hit = None
    pts = object_of(rec, "/world/pts", "points")
    v.reset_camera(rec)
    frames(app, 2)
    move(app, *v.to_screen(pts.positions[0]))
    hit = v.hover
    assert hit is not None and hit.entity == "/world/pts" and hit.class_label == "sky"


def test_problems_are_listed_while_the_rest_renders(app, rec):
    from annoview.chunk import build_chunk
    from annoview.types.kinds import Kind

    fmt = [{"width": 4, "height": 4, "pixel_format": None, "color_model": 1, "channel_datatype": 6}]
    rec.store.add_chunk(build_chunk("/broken", True, np.array([7], np.uint64), np.array([1], np.uint64), {},
                                    {"Image:buffer": (Kind.BLOB, [np.zeros(5, np.uint8)]),
                                     "Image:format": (Kind.IMAGE_FORMAT, [fmt])}))
    time.sleep(0.2)
    frames(app, 3)
    assert any(e == "/broken" for e, _ in rec.scene.problems)
    assert app.problems_panel.count(rec) >= 1
    assert count(view_pixels(app), SKY) > 500


def test_corrupt_file_is_an_error_notice_and_the_viewer_keeps_running(app, tmp_path, rec_path):
    bad = tmp_path / "corrupt.avr"
    bad.write_bytes(b"ANNOVIEW" + b"\xff" * 4 + os.urandom(196))   # an absurd version field, then noise
    errors = app.notifications.count("error")
    app.open(str(bad))
    app.wait_loaded()
    frames(app, 3)
    assert app.notifications.count("error") == errors + 1
    assert all(r.source != str(bad) for r in app.recordings)
    (notice,) = [n.text for n in app.notifications.toasts() if "corrupt.avr" in n.text]
    assert str(tmp_path) not in notice and notice.count("corrupt.avr") == 1, notice   # named once, by its name
    assert "damaged header" in notice and "upgrade" not in notice, notice
    # a truncated recording loads what it can, with a warning
    data = rec_path.read_bytes()
    cut = tmp_path / "cut.avr"
    cut.write_bytes(data[: len(data) * 2 // 3])
    r = app.open(str(cut), wait=True)
    frames(app, 3)
    assert r.store.entity_paths() and r.scene is not None
    app.close_recording(r)
    frames(app, 2)
    assert app.ctx.error == "GL_NO_ERROR"


def test_drop_opens_files_and_recordings_switch(app, rec, tmp_path):
    other = tmp_path / "other.avr"
    write_recording(other, frames=3)
    app.handle_drop([str(other)])
    assert app.wait_loaded()
    frames(app, 3)
    assert app.active is not rec and app.active.name == "other.avr"
    assert app.active.time.time == 2
    dropped = app.active
    app.set_active(rec)
    frames(app, 2)
    assert app.views["2d"].frame is not None and rec.time.time == 9
    app.close_recording(dropped)


def test_file_dialog_fallback_opens_typed_path(app, rec_path):
    import glfw

    app.file_dialog.native = False                 # no zenity/kdialog under Xvfb
    app.file_dialog.directory = str(rec_path.parent)
    app.handle_key(glfw.KEY_LEFT_CONTROL, True)
    key(app, glfw.KEY_O)                           # Ctrl+O
    app.handle_key(glfw.KEY_LEFT_CONTROL, False)
    frames(app, 2)
    assert app.file_dialog.visible
    assert app.file_dialog._entries() == [(rec_path.name, False)]
    before = len(app.recordings)
    click(app, *center_of(app.file_dialog.path_rect))
    for ch in rec_path.name:
        app.handle_char(ord(ch))
        frames(app, 1)
    assert app.file_dialog.path_text == rec_path.name
    key(app, glfw.KEY_ENTER)
    frames(app, 2)
    assert not app.file_dialog.visible
    assert len(app.recordings) == before + 1 and app.active.source == str(rec_path)
    assert app.wait_loaded()
    app.close_recording(app.active)
    frames(app, 2)
    app.file_dialog.open()                         # Escape closes it, as Cancel does
    frames(app, 2)
    assert app.file_dialog.visible
    key(app, glfw.KEY_ESCAPE)
    frames(app, 2)
    assert not app.file_dialog.visible


def test_ui_capture_shows_views_and_no_gl_errors(app, rec):
    img = app.frame(capture=True)
    assert img.shape == (640, 1000, 3)
    x, y, w, h = (int(v) for v in app.views["2d"].screen_rect)
    area = img[y:y + h, x:x + w]
    assert count(area, SKY) > 300 and count(area, GRASS) > 300
    assert app.ctx.error == "GL_NO_ERROR"


def test_big_file_loads_in_the_background_with_progress(app, tmp_path, monkeypatch):
    from annoview.io import avr
    from annoview.store import ChunkFile

    path = tmp_path / "big.avr"
    rr.init("big")
    # a footer without a row index (as older writers wrote): every chunk is read to index it
    monkeypatch.setattr(avr, "MAX_ROW_INDEX_BYTES", 0)
    rr.save(path)
    for i in range(40):
        rr.set_time("frame", sequence=i)
        rr.log(f"pts/{i % 4}", rr.Points2D([[i, i]], class_ids=1))
        rr.flush()
    rr.disconnect()
    slow = ChunkFile.load

    def load_chunk(self, entry):          # a slow disk: 10 ms per chunk
        time.sleep(0.01)
        return slow(self, entry)

    monkeypatch.setattr(ChunkFile, "load", load_chunk)
    r = app.open(str(path))
    seen, frames_while_loading = set(), 0
    t0 = time.monotonic()
    while r.loading and time.monotonic() - t0 < 20:
        img = app.frame(capture=frames_while_loading == 3)
        frames_while_loading += 1
        if r.progress.fraction is not None:
            seen.add(round(r.progress.fraction, 2))
        if img is not None:
            save(img, "viewer_loading")
        time.sleep(0.005)
    assert frames_while_loading >= 10, "the UI must keep drawing while a file loads"
    assert any(0 < f < 1 for f in seen), seen
    while r.seen_generation != r.store.generation and time.monotonic() - t0 < 20:
        time.sleep(0.05)             # the UI adopts new data at most every 0.15 s while it streams in
        app.frame()
    frames(app, 2)
    assert r.progress.state == "done" and r.progress.done == r.progress.total >= 40
    assert len(r.store.entity_paths()) == 4 and r.time.info.max == 39
    app.close_recording(r)
    frames(app, 2)


def test_color_picker_in_the_legend_recolors_the_class(app, rec):
    edits = app.scene_renderer_for(rec).edits
    x, y, w, h = app.legend_panel.row_rects[("/", 5)]
    swatch_at = (x + 36, y + h / 2)                  # [eye] [swatch] ...: the swatch opens the picker
    click(app, *swatch_at)
    frames(app, 2)
    click(app, swatch_at[0] + 40, swatch_at[1] + 120)   # inside the picker's saturation/value square
    frames(app, 2)
    assert ("/", 5) in edits.colors, "the picker did not change the class color"
    new = edits.colors[("/", 5)][:3]
    assert new != SKY
    import glfw

    key(app, glfw.KEY_ESCAPE)
    move(app, 5, 5)
    img = view_pixels(app)
    assert count(img, SKY) == 0 and count(img, new) > 500
    edits.colors.clear()
    edits.touch()
    frames(app, 2)


@pytest.mark.skipif(not __import__("shutil").which("xdotool"), reason="xdotool is not installed")
def test_real_x_events_reach_the_app_through_glfw(app, rec):
    """xdotool moves the X pointer, clicks and types: the glfw callbacks must route it all."""
    import glfw

    win = app.surface.window
    wx, wy = glfw.get_window_pos(win)
    v = app.views["2d"]
    person = object_of(rec, "/scene/person", "points")
    x, y = v.to_screen(person.positions[0])

    def pump(n: int = 4) -> None:
        for _ in range(n):
            app.surface.wait(0.02)
            app.frame()

    subprocess.run(["xdotool", "mousemove", "--sync", str(int(wx + x)), str(int(wy + y))], check=True)
    pump()
    assert v.hover is not None and v.hover.keypoint_label == "nose"
    subprocess.run(["xdotool", "click", "1"], check=True)
    pump()
    assert rec.selection is not None and rec.selection.instance == 0
    rec.time.set_time(5)
    subprocess.run(["xdotool", "windowfocus", "--sync", str(glfw.get_x11_window(win))], check=False)
    subprocess.run(["xdotool", "key", "Home"], check=True)
    pump()
    assert rec.time.time == 0
    subprocess.run(["xdotool", "mousemove", "--sync", "1", "1"], check=True)
    pump(2)


def test_stream_recording_appears_live(tmp_path):
    from annoview.app.viewer.app import App

    a = App(size=(640, 480), vsync=False, listen=("127.0.0.1", 0))
    try:
        assert a.stream is not None and a.stream.server is not None
        port = a.stream.server.port
        rec = rr.RecordingStream("live-test")
        rec.connect(f"127.0.0.1:{port}")
        rec.log("pts", rr.Points2D([[1, 1], [5, 5]], class_ids=1), static=True)
        rec.flush()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (a.recordings and a.recordings[0].store.entity_paths()):
            a.frame()
            time.sleep(0.02)
        assert a.recordings and a.recordings[0].kind == "stream"
        live = a.recordings[0]
        assert live.store.entity_paths() == ["/pts"]
        time.sleep(0.2)
        for _ in range(3):
            a.frame()
        assert live.scene is not None and len(live.scene.visuals_2d) >= 1
        rec.disconnect()
        assert a.ctx.error == "GL_NO_ERROR"
    finally:
        a.release()


def test_screenshot_command_writes_the_whole_ui(rec_path, tmp_path):
    out = tmp_path / "ui.png"
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", str(rec_path), "--screenshot-to", str(out),
                           "--window-size", "900x600", "--time", "frame=3"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from PIL import Image

    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (600, 900, 3)
    if count(img, SKY) < 300 or count(img, GRASS) < 300 or count(img, NOSE) < 1:
        raise AssertionError(f"view colors missing; PNG saved to {save(img, 'viewer_screenshot')}")
    # the view sits in the middle: sky pixels right of the entity tree, left of the legend
    ys, xs = np.nonzero(np.all(img == np.array(SKY, np.uint8), axis=-1))
    assert 150 < xs.mean() < 750 and ys.mean() < 400


def test_screenshot_headless_needs_no_display(rec_path, tmp_path):
    out = tmp_path / "headless.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", str(rec_path), "--screenshot-to", str(out),
                           "--window-size", "640x400"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    from PIL import Image

    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (400, 640, 3) and count(img, SKY) > 100


def test_hover_on_arrows_and_3d_boxes(app, tmp_path):
    """Arrows2D in the 2D view and a Boxes3D fill in the 3D view are hovered like points: entity,
    instance, class id and label from the context."""
    path = tmp_path / "shapes.avr"
    rr.init("viewer-shapes")
    rr.save(path)
    rr.log("/", rr.AnnotationContext([(1, "wind", (255, 160, 0)), (2, "tree", (60, 200, 60))]), static=True)
    rr.log("field", rr.Arrows2D(origins=[[10, 10], [10, 40]], vectors=[[40, 0], [40, 0]], class_ids=[2, 1],
                                radii=-3.0), static=True)
    rr.log("boxes", rr.Boxes3D(centers=[[0, 0, 0], [3, 0, 0]], half_sizes=[[1, 1, 1]], class_ids=[1, 2]), static=True)
    rr.disconnect()
    shapes = app.open(str(path), wait=True)
    try:
        frames(app, 4)
        move(app, *app.views["2d"].to_screen([30, 40]))
        hit = app.views["2d"].hover
        assert hit is not None and (hit.entity, hit.kind, hit.instance) == ("/field", "arrows", 1)
        assert (hit.class_id, hit.class_label) == (1, "wind")
        v = app.views["3d"]
        v.reset_camera(shapes)
        frames(app, 2)
        move(app, *v.to_screen([3, 0, -0.6]))       # inside box 1, below its label: its fill is hovered
        hit = v.hover
        assert hit is not None and (hit.entity, hit.kind, hit.instance) == ("/boxes", "boxes", 1)
        assert (hit.class_id, hit.class_label, hit.position) == (2, "tree", (3.0, 0.0, 0.0))
    finally:
        app.close_recording(shapes)
        for view in app.views.values():
            view.hover = None
        frames(app, 2)
    assert app.ctx.error == "GL_NO_ERROR"


def test_color_by_entity_and_instance_from_the_legend(app, rec):
    """The legend's "color by" switch recolors on the GPU (no geometry upload); hover says so."""
    from annoview.annotations import auto_color, default_entity_color

    edits = app.scene_renderer_for(rec).edits
    uploads = app.renderer.cache.uploads
    person = default_entity_color("/scene/person")[:3]
    assert count(view_pixels(app), NOSE) > 0 and count(view_pixels(app), person) == 0
    try:
        click(app, *center_of(app.legend_panel.control_rects[("color_by",)]))    # open the combo
        click(app, *center_of(app.legend_panel.control_rects[("color_by", "entity")]))
        assert edits.color_by == "entity"
        move(app, 5, 5)
        img = view_pixels(app)
        assert count(img, NOSE) == 0 and count(img, EYE) == 0 and count(img, person) > 20
        assert count(img, SKY) > 500, "masks keep their class colors"
        click(app, *center_of(app.legend_panel.control_rects[("color_by",)]))
        click(app, *center_of(app.legend_panel.control_rects[("color_by", "instance")]))
        assert edits.color_by == "instance"
        move(app, 5, 5)
        img = view_pixels(app)
        assert count(img, auto_color(0)[:3]) > 10 and count(img, auto_color(1)[:3]) > 10   # nose, eye
        assert app.renderer.cache.uploads == uploads, "color by must not re-upload geometry"
    finally:
        edits.set_color_by("class")
        frames(app, 2)
    assert count(view_pixels(app), NOSE) > 0


def test_class_size_from_the_legend_grows_points_without_uploads(app, rec):
    edits = app.scene_renderer_for(rec).edits
    k = ("/", 1)
    before = count(view_pixels(app), NOSE)
    uploads = app.renderer.cache.uploads
    click(app, *center_of(app.legend_panel.control_rects[("size", k)]))
    frames(app, 2)
    x, y, w, h = app.legend_panel.control_rects[("radius", k)]
    click(app, x + min(w, 160) * 0.8, y + h / 2)     # the slider (160 wide, then its label) is logarithmic, x0.25 to x8
    try:
        assert edits.styles.get(k, (1.0, 1.0))[0] > 2.0, edits.styles
        import glfw

        key(app, glfw.KEY_ESCAPE)
        move(app, 5, 5)
        after = count(view_pixels(app), NOSE)
        scale = edits.styles[k][0]
        assert after > 0.6 * before * scale ** 2, (before, after, scale)   # the area grows with the radius squared
        assert app.renderer.cache.uploads == uploads, "a size edit must not re-upload geometry"
    finally:
        edits.set_style(k, 1.0, 1.0)
        frames(app, 2)
    assert count(view_pixels(app), NOSE) == before
