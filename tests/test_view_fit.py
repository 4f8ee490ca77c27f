"""The fitted 3D view: the union of bounds seen while scrubbing stays near the content shown, so
the camera (and the grid spacing picked from its distance) does not stay zoomed out."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from annoview.app.viewer import views
from annoview.render.grid import grid_visual
from annoview.render.scene_renderer import fit_3d_camera


def _rec_with(bounds):
    scene = SimpleNamespace(visuals_3d=[bounds], visuals_2d=[])
    return SimpleNamespace(id=1, scene=scene, cameras={})


def test_a_stray_frame_does_not_zoom_the_fitted_view_out_for_good(monkeypatch):
    monkeypatch.setattr(views, "scene_bounds", lambda visuals: visuals[0] if visuals else None)
    panel = views.ViewPanel(app=None, space="3d")
    person = (np.array([-3.0, 5.0, 0.0]), np.array([3.0, 8.0, 1.7]))
    moved = (np.array([-2.5, 4.6, 0.0]), np.array([2.8, 8.3, 1.7]))
    far = (np.array([-60.0, -60.0, 0.0]), np.array([60.0, 60.0, 1.7]))
    rec = _rec_with(person)
    first = panel._content_bounds(rec)
    rec.scene = _rec_with(moved).scene                # small motion: still the union (no jumping)
    b = panel._content_bounds(rec)
    assert np.allclose(b[0], [-3.0, 4.6, 0.0]) and np.allclose(b[1], [3.0, 8.3, 1.7])
    rec.scene = _rec_with(far).scene
    panel._content_bounds(rec)
    rec.scene = _rec_with(person).scene               # back on the person after one stray frame
    b = panel._content_bounds(rec)
    assert np.allclose(b[0], first[0]) and np.allclose(b[1], first[1])
    spacing = lambda bb: grid_visual(fit_3d_camera(bb, (640, 400), None)).cache_key[1]
    assert spacing(b) == spacing(person) == 1.0


def test_reset_refits_to_the_content_shown_now(monkeypatch):
    monkeypatch.setattr(views, "scene_bounds", lambda visuals: visuals[0] if visuals else None)
    panel = views.ViewPanel(app=None, space="3d")
    rec = _rec_with((np.zeros(3), np.full(3, 4.0)))
    panel._content_bounds(rec)
    rec.scene = _rec_with((np.zeros(3), np.full(3, 6.0))).scene
    assert np.allclose(panel._content_bounds(rec)[1], 6.0)
    rec.cameras["3d"] = object()
    rec.scene = _rec_with((np.zeros(3), np.full(3, 1.0))).scene
    panel.reset_camera(rec)
    assert rec.cameras["3d"] is None and np.allclose(panel._content_bounds(rec)[1], 1.0)


def test_the_empty_viewer_hint_wraps_at_words_instead_of_being_clipped():
    text = "Open a recording: File > Open, drop a file here, or stream to this viewer"
    lines = views.wrap_words(text, 30.0, len)
    assert " ".join(lines) == text and all(len(line) <= 30 for line in lines) and len(lines) == 3
    assert views.wrap_words(text, 1000.0, len) == [text]
    assert views.wrap_words("a verylongword b", 4.0, len) == ["a", "verylongword", "b"]
