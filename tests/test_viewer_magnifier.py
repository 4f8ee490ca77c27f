"""Hovering a mask in the running viewer: the tooltip's magnifier patch matches the pixels the
2D view drew (texel by texel, where the view is zoomed in so one texel covers many screen
pixels), and the values list the class and the RGB of the image underneath."""
from __future__ import annotations

import os

import numpy as np
import pytest

import annoview as rr

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                reason="viewer tests need an X display: run `xvfb-run -a python3 -m pytest`")


def _recording(path) -> np.ndarray:
    rr.init("magnifier")
    rr.save(path)
    rr.log("/", rr.AnnotationContext([(1, "person", (255, 0, 0)), (2, "car", (0, 0, 255))]), static=True)
    img = np.zeros((60, 80, 3), np.uint8)
    img[..., 0] = np.arange(80)[None, :] * 3
    img[..., 1] = np.arange(60)[:, None] * 4
    img[..., 2] = 77
    rr.log("cam/image", rr.Image(img), static=True)
    ids = np.zeros((60, 80), np.uint8)
    ids[10:30, 20:50] = 1
    ids[35:55, 5:25] = 2
    rr.log("cam/mask", rr.SegmentationImage(ids, opacity=0.8), static=True)
    rr.disconnect()
    return img


def test_mask_hover_magnifier_matches_the_view(tmp_path):
    from annoview.app.viewer.app import App

    img = _recording(tmp_path / "m.avr")
    app = App(size=(1100, 700), vsync=False)
    try:
        rec = app.open(str(tmp_path / "m.avr"), wait=True)
        for _ in range(4):
            app.frame()
        v = app.views["2d"]
        app.handle_mouse_move(*v.to_screen((20.5, 10.5)))      # the mask's top-left corner pixel
        for _ in range(3):
            app.frame()
        assert v.hover is not None and v.hover.kind == "segmentation" and v.hover.pixel == (20, 10)
        mag = v.magnified
        assert mag is not None and mag.center == (20, 10)
        (mask, image) = mag.layers
        assert (mask.entity, mask.value, mask.opacity) == ("/cam/mask", (1,), pytest.approx(0.8))
        assert (image.entity, image.pixel, image.value) == ("/cam/image", (20, 10), tuple(int(c) for c in img[10, 20]))
        # the patch against the view's own pixels at each texel's center
        drawn = v.frame.read_rgba()[..., :3].astype(int)
        x0, y0, _, _ = v.screen_rect
        sx, sy = app.fb_scale
        r = mag.radius
        compared = 0
        for j in range(-r, r + 1, 3):
            for i in range(-r, r + 1, 3):
                tx, ty = 20 + i, 10 + j
                if not (0 <= tx < 80 and 0 <= ty < 60):
                    continue
                q = v.to_screen((tx + 0.5, ty + 0.5))
                fx, fy = int((q[0] - x0) * sx), int((q[1] - y0) * sy)
                got = mag.patch[j + r, i + r, :3].astype(int)
                assert np.abs(got - drawn[fy, fx]).max() <= 2, (tx, ty, got, drawn[fy, fx])
                compared += 1
        assert compared > 50
        # outside the image: the checkerboard, not invented data
        from annoview.app.viewer.magnifier import CHECKER
        assert any((mag.patch[0, r, :3] == c).all() for c in CHECKER)   # row 10 - 16 < 0
        # the tooltip drew it (a capture shows the enlarged patch) without GL errors
        ui = app.frame(capture=True)
        assert ui is not None and app.magnifier.tex is not None
        from imgui_bundle import imgui

        tip = imgui.internal.find_window_by_name("##Tooltip_00")
        assert tip is not None and tip.active and tip.window_padding.x >= 4, \
            "the tooltip keeps its padding (the view's zero padding must not leak into it)"
        assert app.ctx.error == "GL_NO_ERROR"
        app.handle_mouse_move(-1e9, -1e9)
        app.frame()
        assert v.magnified is None
        app.close_recording(rec)
    finally:
        app.release()


def test_a_failing_tooltip_is_reported_once_and_the_viewer_keeps_drawing(tmp_path, monkeypatch, capsys):
    """A bug raised inside an open tooltip (a window inside the view's window) must not take the
    viewer down: the panel guard ends the windows the failing code opened."""
    import annoview.app.viewer.app as app_module
    from annoview.app.viewer.app import App

    _recording(tmp_path / "m.avr")

    def broken(*_args, **_kw):
        from imgui_bundle import imgui

        imgui.begin_tooltip()
        imgui.text("half drawn")
        raise ValueError("tooltip bug")

    monkeypatch.setattr(app_module, "draw_pixel_tooltip", broken)
    app = App(size=(900, 600), vsync=False)
    try:
        app.open(str(tmp_path / "m.avr"), wait=True)
        for _ in range(4):
            app.frame()
        v = app.views["2d"]
        app.handle_mouse_move(*v.to_screen((20.5, 10.5)))
        for _ in range(4):
            app.frame()
        errors = [n.text for n in app.notifications.log() if n.level == "error"]
        assert errors == ["2D view panel failed: ValueError: tooltip bug"]
        assert app.frame(capture=True) is not None and app.ctx.error == "GL_NO_ERROR"
    finally:
        app.release()
    assert capsys.readouterr().err.count("ValueError: tooltip bug") == 1
