"""Layout and view options remembered between runs (app/viewer/settings.py): written to the
per-user config folder (a temporary one in tests, see conftest.py), read back as untrusted
input: a corrupt or hostile file is one warning line and the defaults, never a crash."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import annoview as rr
from annoview.app.viewer.settings import (INI_NAME, JSON_NAME, ViewerSettings, apply_options, config_dir,
                                          ini_problem, options_to_json)
from annoview.scene import ViewOptions

GOOD_INI = """[Window][view2d]
Pos=271,21
Size=436,531
Collapsed=0
DockId=0x00000005,0
LastUsed=20261130

[Docking][Data]
DockSpace         ID=0x885AE9C1 Window=0x1BBC0F80 Pos=0,21 Size=1000,629 Split=Y
  DockNode        ID=0x00000001 Parent=0x885AE9C1 SizeRef=1000,552 Split=X
"""


def test_config_dir_is_the_test_folder_not_the_home(_config_dir):
    assert config_dir() == _config_dir
    assert not str(config_dir()).startswith(os.path.expanduser("~/.config"))


def test_xdg_config_home_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("ANNOVIEW_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_dir() == tmp_path / "annoview"


def test_round_trip(tmp_path):
    s = ViewerSettings(window_size=(900, 600), window_pos=(10, -20), view_tab="3d",
                       view_options={"seg_opacity": {"/mask": 0.3}}, ini=GOOD_INI, color_by="entity")
    warnings: list[str] = []
    assert s.save(tmp_path, warnings.append)
    back = ViewerSettings.load(tmp_path, warnings.append)
    assert (back.window_size, back.window_pos, back.view_tab, back.ini) == ((900, 600), (10, -20), "3d", GOOD_INI)
    assert back.view_options == {"seg_opacity": {"/mask": 0.3}} and back.color_by == "entity" and warnings == []
    mode = (tmp_path / JSON_NAME).stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()


def _umask() -> int:
    m = os.umask(0o022)
    os.umask(m)
    return m


@pytest.mark.parametrize("content", [
    b"\x00\xff\xfe garbage",
    b"{not json",
    b"[1, 2, 3]",
    json.dumps({"version": 1, "window_size": [1e9, 5]}).encode(),
    json.dumps({"version": 1, "window_size": "__import__('os').system('false')"}).encode(),
    json.dumps({"version": 1, "view_tab": "4d"}).encode(),
    json.dumps({"version": 1, "color_by": "rainbow"}).encode(),
    json.dumps({"version": 99}).encode(),
    b'{"version": 1, "window_size": [NaN, 3]}',
    b"[" * 100000 + b"]" * 100000,
    b" " * (2 << 20),
])
def test_hostile_json_is_one_warning_and_defaults(tmp_path, content):
    (tmp_path / JSON_NAME).write_bytes(content)
    warnings: list[str] = []
    s = ViewerSettings.load(tmp_path, warnings.append)
    assert (s.window_size, s.window_pos, s.view_tab, s.view_options) == (None, None, None, {})
    assert len(warnings) == 1 and JSON_NAME in warnings[0] and "\n" not in warnings[0]


@pytest.mark.parametrize("ini, why", [
    (GOOD_INI.replace("Size=436,531", "Size=436,99999999"), "out-of-range"),
    (GOOD_INI + "Pos=1,2\x1b[31m\n", "not an imgui settings line"),
    (GOOD_INI + "ID=123456789012345678901234567890\n", "out-of-range"),
])
def test_hostile_ini_is_ignored(tmp_path, ini, why):
    assert ini_problem(GOOD_INI) is None
    (tmp_path / INI_NAME).write_text(ini)
    warnings: list[str] = []
    s = ViewerSettings.load(tmp_path, warnings.append)
    assert s.ini is None and len(warnings) == 1 and why in warnings[0]


def test_view_options_apply_only_matching_shapes():
    opts = ViewOptions()
    opts.seg_opacity["/a"] = 0.25
    opts.seg_outline["/b"] = True
    saved = options_to_json(opts)
    assert saved["seg_opacity"] == {"/a": 0.25} and saved["seg_outline"] == {"/b": True}
    fresh = ViewOptions()
    apply_options(fresh, saved)
    assert fresh.seg_opacity == {"/a": 0.25} and fresh.seg_outline == {"/b": True}
    warnings: list[str] = []
    hostile = ViewOptions()
    apply_options(hostile, {"seg_opacity": {"/a": "0.5", "/b": 1, "/c": float("nan"), "/d": [1]},
                            "seg_outline": 7, "no_such_field": {"x": 1}}, warnings.append)
    assert hostile.seg_opacity == {"/b": 1.0} and hostile.seg_outline == {}
    assert warnings == ["ignoring saved view options of the wrong shape: seg_outline"]


def test_saved_labels_mode_must_be_one_of_the_modes():
    """The views' labels option is remembered; a value outside auto / on / off (a hand-edited or
    hostile file) is ignored with the one warning, so building a scene never meets it."""
    opts = ViewOptions(labels="off")
    fresh = ViewOptions()
    apply_options(fresh, options_to_json(opts))
    assert fresh.labels == "off"
    warnings: list[str] = []
    hostile = ViewOptions()
    apply_options(hostile, {"labels": "everything"}, warnings.append)
    assert hostile.labels == "auto" and hostile.for_entity("/a").labels is None
    assert warnings == ["ignoring saved view options of the wrong shape: labels"]


def test_an_option_turned_back_to_default_is_forgotten_others_kept():
    from types import SimpleNamespace

    from annoview.app.viewer.settings import merged_view_options

    def rec(paths, **opacity):
        opts = ViewOptions()
        opts.seg_opacity.update({f"/{k}": v for k, v in opacity.items()})
        return SimpleNamespace(store=SimpleNamespace(entity_paths=lambda: paths), options=opts)

    saved = {"seg_opacity": {"/a": 0.3, "/other": 0.7}}
    open_rec = rec(["/", "/a"])                          # "/a" back to auto in this run
    out = merged_view_options(saved, [open_rec], open_rec)
    assert out["seg_opacity"] == {"/other": 0.7}
    first, second = rec(["/b"], b=0.2), rec(["/b"], b=0.9)
    assert merged_view_options({}, [first, second], first)["seg_opacity"] == {"/b": 0.2}   # the active one wins


# ---- the running viewer -----------------------------------------------------------------------

needs_display = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                   reason="viewer tests need an X display: run `xvfb-run -a python3 -m pytest`")


def _recording(path) -> None:
    rr.init("settings")
    rr.save(path)
    ids = np.zeros((40, 60), np.uint8)
    ids[10:30, 10:40] = 1
    rr.log("cam/mask", rr.SegmentationImage(ids), static=True)
    rr.log("world/pts", rr.Points3D([[0, 0, 0], [1, 1, 1]]), static=True)
    rr.disconnect()


def _frames(app, n=3):
    for _ in range(n):
        app.frame()


def _drag(app, a, b):
    app.handle_mouse_move(*a)
    _frames(app, 1)
    app.handle_mouse_button(0, True)
    _frames(app, 1)
    for k in range(1, 5):
        app.handle_mouse_move(a[0] + (b[0] - a[0]) * k / 4, a[1] + (b[1] - a[1]) * k / 4)
        _frames(app, 1)
    app.handle_mouse_button(0, False)
    _frames(app, 2)


@needs_display
def test_layout_and_view_options_persist_between_runs(tmp_path, capsys):
    from annoview.app.viewer.app import App

    _recording(tmp_path / "r.avr")
    cfg = tmp_path / "cfg"
    app = App(size=(1000, 650), vsync=False, settings_dir=cfg)
    try:
        rec = app.open(str(tmp_path / "r.avr"), wait=True)
        _frames(app, 5)
        x0 = app.views["2d"].screen_rect[0]
        _drag(app, (x0 - 2, 300), (x0 + 98, 300))        # widen the entity panel by 100
        moved = app.views["2d"].screen_rect[0]
        assert moved > x0 + 60
        rec.options.seg_opacity["/cam/mask"] = 0.35
        rec.options.labels = "off"
        app.scene_renderer_for(rec).edits.set_color_by("instance")
    finally:
        app.release()                                     # saves
    assert (cfg / INI_NAME).exists() and (cfg / JSON_NAME).exists()
    app = App(size=(1000, 650), vsync=False, settings_dir=cfg)
    try:
        rec = app.open(str(tmp_path / "r.avr"), wait=True)
        _frames(app, 5)
        assert abs(app.views["2d"].screen_rect[0] - moved) <= 2, "the panel sizes came back"
        assert rec.options.seg_opacity == {"/cam/mask": 0.35} and rec.options.labels == "off"
        assert app.scene_renderer_for(rec).edits.color_by == "instance", "color by is remembered"
    finally:
        app.release()
    app = App(size=(1000, 650), vsync=False, settings_dir=cfg, reset_layout=True)
    try:
        rec = app.open(str(tmp_path / "r.avr"), wait=True)
        _frames(app, 5)
        assert abs(app.views["2d"].screen_rect[0] - x0) <= 2, "--reset-layout: the default layout"
        assert rec.options.seg_opacity == {} and app.scene_renderer_for(rec).edits.color_by == "class"
    finally:
        app.release()
    assert capsys.readouterr().err == ""


@needs_display
def test_a_corrupt_layout_file_is_one_line_and_the_default_layout(tmp_path, capsys):
    from annoview.app.viewer.app import App

    _recording(tmp_path / "r.avr")
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / INI_NAME).write_bytes(b"[Window][view2d]\nPos=\xff\xfe\n")
    (cfg / JSON_NAME).write_text('{"version": 1, "window_size": [-5, 10]}')
    app = App(size=(1000, 650), vsync=False, settings_dir=cfg)
    try:
        app.open(str(tmp_path / "r.avr"), wait=True)
        _frames(app, 5)
        v2, v3 = app.views["2d"], app.views["3d"]
        assert v2.frame is not None and v3.frame is not None and v2.screen_rect[2] > 200
    finally:
        app.release()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("annoview: warning: ") for line in err)
    assert "not UTF-8" in err[1] and "window_size" in err[0]
    assert ViewerSettings.load(cfg, print).ini is not None      # rewritten on exit: valid again


def test_reset_layout_flag_is_documented():
    from annoview.app.viewer_command import build_parser

    help_text = build_parser().format_help()
    assert "--reset-layout" in help_text and "remembered" in help_text


@needs_display
def test_a_layout_saved_for_2d_and_3d_content_rearranges_for_2d_only_keeping_panel_sizes(tmp_path):
    """The pose demo (2D and 3D side by side) then the segmentation demo (2D only): the second
    run tabs the views with 2D in front instead of showing an empty 3D view, and keeps the panel
    width the user chose."""
    from annoview.app.viewer.app import App

    _recording(tmp_path / "both.avr")
    rr.init("settings-2d")
    rr.save(tmp_path / "flat.avr")
    rr.log("cam/mask", rr.SegmentationImage(np.ones((40, 60), np.uint8)), static=True)
    rr.disconnect()
    cfg = tmp_path / "cfg"
    app = App(size=(1000, 650), vsync=False, settings_dir=cfg)
    try:
        app.open(str(tmp_path / "both.avr"), wait=True)
        _frames(app, 5)
        assert app._visible_views == ("2d", "3d")
        x0 = app.views["2d"].screen_rect[0]
        _drag(app, (x0 - 2, 300), (x0 + 78, 300))
        moved = app.views["2d"].screen_rect[0]
        assert moved > x0 + 50
    finally:
        app.release()
    app = App(size=(1000, 650), vsync=False, settings_dir=cfg)
    try:
        app.open(str(tmp_path / "flat.avr"), wait=True)
        _frames(app, 6)
        assert app._visible_views == ("2d",), "2D only: the views are tabs, 2D in front"
        assert abs(app.views["2d"].screen_rect[0] - moved) <= 3, "the entity panel kept its width"
    finally:
        app.release()


@needs_display
def test_an_unwritable_config_folder_is_one_warning(tmp_path, capsys):
    from annoview.app.viewer.app import App

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    app = App(size=(600, 400), vsync=False, settings_dir=blocked / "annoview")
    try:
        _frames(app, 3)
        assert not app.save_settings() and not app.save_settings()
    finally:
        app.release()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("annoview: warning: could not save the viewer settings")


@needs_display
def test_a_layout_saved_for_another_window_size_is_not_squeezed_into_this_one(tmp_path):
    from annoview.app.viewer.app import App

    _recording(tmp_path / "r.avr")
    cfg = tmp_path / "cfg"
    app = App(size=(1200, 700), vsync=False, settings_dir=cfg)
    try:
        app.open(str(tmp_path / "r.avr"), wait=True)
        _frames(app, 5)
    finally:
        app.release()
    app = App(size=(700, 450), vsync=False, settings_dir=cfg)      # e.g. --window-size 700x450
    try:
        app.open(str(tmp_path / "r.avr"), wait=True)
        _frames(app, 5)
        x, _, w, _ = app.views["2d"].screen_rect
        assert app._visible_views == ("2d", "3d")
        assert x < 700 * 0.35 and w > 100, "default proportions for this window, not the saved pixel sizes"
    finally:
        app.release()


@needs_display
@pytest.mark.skipif(not __import__("shutil").which("xdotool"), reason="xdotool is not installed")
def test_sigterm_closes_the_viewer_cleanly_and_saves_the_layout(tmp_path):
    """`kill PID` (or a session logout) closes the window as its close button does: exit code 0
    and the layout saved, not a process killed mid-frame."""
    import signal
    import subprocess
    import sys
    import time

    _recording(tmp_path / "r.avr")
    env = dict(os.environ, ANNOVIEW_CONFIG_DIR=str(tmp_path / "cfg"))
    proc = subprocess.Popen([sys.executable, "-m", "annoview.app.cli", str(tmp_path / "r.avr"), "--no-listen",
                             "--window-size", "640x400"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:     # the window is up: it runs
            found = subprocess.run(["xdotool", "search", "--name", "annoview - r.avr"], capture_output=True)
            if found.returncode == 0:
                break
            time.sleep(0.2)
        time.sleep(0.5)
        assert not (tmp_path / "cfg" / INI_NAME).exists()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert (tmp_path / "cfg" / INI_NAME).exists(), "saved again on the way out"
    assert ViewerSettings.load(tmp_path / "cfg", print).window_size == (640, 400)
