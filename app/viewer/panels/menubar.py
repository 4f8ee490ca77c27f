"""Main menu bar: File, View, Recordings, Help; on the right a status area with load progress,
the stream listener and a problems indicator."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import theme
from .common import vec4

if TYPE_CHECKING:
    from ..app import App

HELP = """Mouse
  2D view: drag to pan, wheel to zoom at the cursor, double-click to fit
  3D view: left drag orbits, right/middle drag pans, wheel zooms, double-click resets
  Click an instance to inspect it; hover for a tooltip (over an image or mask: the pixels
  around the cursor magnified, with the class and the image's color there)
Keys
  Space play/pause, Left/Right step through data, Home/End jump
  Ctrl+O open a recording, Ctrl+Q quit
Layout
  Panels can be dragged and docked anywhere; the layout, window size and view options are
  remembered for the next run (View > Reset layout, or start with --reset-layout)"""


class MenuBar:
    def __init__(self, app: "App") -> None:
        self.app = app
        self.show_help = False
        self.height = 0.0

    def draw(self) -> None:
        from imgui_bundle import icons_fontawesome_6 as fa
        from imgui_bundle import imgui

        app = self.app
        if not imgui.begin_main_menu_bar():
            return
        self.height = imgui.get_window_height()
        if imgui.begin_menu("File"):
            if imgui.menu_item_simple(f"{fa.ICON_FA_FOLDER_OPEN}  Open...", "Ctrl+O"):
                app.file_dialog.open()
            rec = app.active
            if imgui.menu_item_simple("Close recording", None, False, rec is not None):
                app.close_recording(rec)
            imgui.separator()
            if imgui.menu_item_simple("Quit", "Ctrl+Q"):
                app.surface.request_close()
            imgui.end_menu()
        if imgui.begin_menu("View"):
            if imgui.menu_item_simple("Reset layout"):
                app.request_layout()
            rec = app.active
            if imgui.menu_item_simple("Fit views", None, False, rec is not None):
                for v in app.views.values():
                    v.reset_camera(rec)
            imgui.end_menu()
        if imgui.begin_menu("Recordings"):
            if not app.recordings:
                imgui.menu_item_simple("(none open)", None, False, False)
            for rec in app.recordings:
                icon = fa.ICON_FA_TOWER_BROADCAST if rec.kind == "stream" else fa.ICON_FA_FILE
                live = "  (live)" if rec.connected else ""
                if imgui.menu_item_simple(f"{icon}  {rec.name}{live}##{rec.id}", None, rec is app.active):
                    app.set_active(rec)
            imgui.end_menu()
        if imgui.begin_menu("Help"):
            if imgui.menu_item_simple("Controls"):
                self.show_help = True
            imgui.end_menu()
        self._recording_tabs(imgui, fa)
        self._status(imgui, fa)
        imgui.end_main_menu_bar()
        if self.show_help:
            imgui.set_next_window_size(imgui.ImVec2(480, 0), imgui.Cond_.appearing)
            imgui.set_next_window_bg_alpha(1.0)
            _, self.show_help = imgui.begin("Controls###help", self.show_help,
                                            imgui.WindowFlags_.no_docking | imgui.WindowFlags_.no_collapse)
            imgui.text(HELP)
            imgui.end()

    def _recording_tabs(self, imgui, fa) -> None:
        """The open recordings as a combo next to the menus (the active one's name)."""
        app = self.app
        if not app.recordings:
            return
        imgui.separator()
        rec = app.active
        imgui.set_next_item_width(200)
        label = rec.name if rec is not None else ""
        if imgui.begin_combo("##recording", f"{fa.ICON_FA_FILE if rec is None or rec.kind == 'file' else fa.ICON_FA_TOWER_BROADCAST}  {label}"):
            for r in app.recordings:
                if imgui.selectable(f"{r.name}##{r.id}", r is rec)[0]:
                    app.set_active(r)
                if imgui.is_item_hovered():
                    imgui.set_tooltip(r.source)
            imgui.end_combo()

    def _status(self, imgui, fa) -> None:
        app = self.app
        parts_w = 0.0
        right = imgui.get_window_width() - 10
        # problems indicator
        n = app.problems_panel.count(app.active)
        text = f"{fa.ICON_FA_TRIANGLE_EXCLAMATION} {n}" if n else f"{fa.ICON_FA_CIRCLE_CHECK}"
        tw = imgui.calc_text_size(text).x + 12
        imgui.same_line(right - tw)
        imgui.push_style_color(imgui.Col_.text, vec4(theme.WARN if n else theme.OK))
        if imgui.selectable(f"{text}##problems", False, 0, imgui.ImVec2(tw - 6, 0))[0]:
            app.focus_window("problems")
        imgui.pop_style_color()
        if imgui.is_item_hovered():
            imgui.set_tooltip(f"{n} problem(s): click to show" if n else "No problems")
        parts_w += tw
        # stream listener
        if app.stream is not None and app.stream.address:
            s = f"{fa.ICON_FA_TOWER_BROADCAST} {app.stream.address}"
            sw = imgui.calc_text_size(s).x + 16
            imgui.same_line(right - parts_w - sw)
            live = any(r.connected for r in app.recordings)
            imgui.text_colored(vec4(theme.OK if live else theme.TEXT_DIM), s)
            if imgui.is_item_hovered():
                imgui.set_tooltip("Listening for live recordings (rr.connect / rr.spawn)")
            parts_w += sw
        # load progress
        loading = [r for r in app.recordings if r.loading]
        if loading:
            r = loading[0]
            p = r.progress
            frac = p.fraction
            bw = 180.0
            imgui.same_line(right - parts_w - bw - 16)
            overlay = f"{r.name} {int(frac * 100)}%" if frac is not None else f"{r.name} ..."
            imgui.progress_bar(frac if frac is not None else -1.0 * imgui.get_time(), imgui.ImVec2(bw, 0), overlay)
