"""File > Open: the platform's native dialog when one exists, else a built-in browser.

imgui-bundle's portable_file_dialogs runs the native dialog (on Linux through zenity or kdialog)
asynchronously, so the UI keeps drawing while it is open. Under Xvfb or on a minimal Linux
without those tools there is no native dialog: an imgui modal lists directories and recordings
and takes a typed path, so opening files never depends on the desktop.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

RECORDING_EXTS = (".avr", ".rrd")
POPUP = "Open recording###openfile"


def native_dialog_available() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return has_display and any(shutil.which(t) for t in ("zenity", "kdialog", "qarma", "matedialog"))


class FileDialog:
    def __init__(self, on_open: Callable[[list[str]], None], *, native: bool | None = None) -> None:
        self.on_open = on_open
        self.native = native_dialog_available() if native is None else native
        self.visible = False
        self.directory = os.getcwd()
        self.path_text = ""
        self.show_all = False
        self._pending: Any = None        # a portable_file_dialogs.open_file in flight
        self._want_open = False
        self._listing: list[tuple[str, bool]] | None = None
        self._listing_dir: str | None = None
        self.error: str | None = None
        self._close = False
        self.path_rect = (0.0, 0.0, 0.0, 0.0)    # the path field on screen (tests type into it)

    def open(self) -> None:
        if self.native and self._pending is None:
            try:
                from imgui_bundle import portable_file_dialogs as pfd

                self._pending = pfd.open_file("Open recording", self.directory,
                                              ["Recordings", "*.avr *.rrd", "All files", "*"],
                                              pfd.opt.multiselect)
                return
            except Exception:  # no usable native dialog after all: use the built-in one
                self.native = False
        self._want_open = True

    def draw(self) -> None:
        from imgui_bundle import imgui

        if self._pending is not None:
            if self._pending.ready(0):
                paths = list(self._pending.result())
                self._pending = None
                if paths:
                    self.directory = os.path.dirname(paths[0]) or self.directory
                    self.on_open(paths)
        if self._want_open:
            self._want_open = False
            self.visible = True
            self.path_text = ""
            self._listing = None
            imgui.open_popup(POPUP)
        vp = imgui.get_main_viewport()
        imgui.set_next_window_size(imgui.ImVec2(min(640, vp.work_size.x * 0.8), min(460, vp.work_size.y * 0.8)),
                                   imgui.Cond_.appearing)
        imgui.set_next_window_pos(imgui.ImVec2(vp.work_pos.x + vp.work_size.x / 2, vp.work_pos.y + vp.work_size.y / 2),
                                  imgui.Cond_.appearing, imgui.ImVec2(0.5, 0.5))
        imgui.set_next_window_bg_alpha(1.0)     # modals use WindowBg, transparent for docked panels
        imgui.push_style_var(imgui.StyleVar_.window_border_size, 1.0)
        opened, _ = imgui.begin_popup_modal(POPUP, True)
        imgui.pop_style_var()
        if not opened:
            self.visible = False
            return
        self._browser(imgui)
        if self._close:
            self._close = False
            imgui.close_current_popup()
        imgui.end_popup()

    def _browser(self, imgui: Any) -> None:
        from imgui_bundle import icons_fontawesome_6 as fa

        if imgui.button(f"{fa.ICON_FA_ARROW_UP}##up"):
            self._cd(os.path.dirname(self.directory.rstrip(os.sep)) or os.sep)
        imgui.same_line()
        imgui.text(self.directory)
        listing = self._entries()
        avail = imgui.get_content_region_avail()
        imgui.begin_child("##files", imgui.ImVec2(0, avail.y - imgui.get_frame_height_with_spacing() * 2 - 4),
                          imgui.ChildFlags_.borders)
        clipper = imgui.ListClipper()
        clipper.begin(len(listing))
        while clipper.step():
            for i in range(clipper.display_start, clipper.display_end):
                name, is_dir = listing[i]
                icon = fa.ICON_FA_FOLDER if is_dir else fa.ICON_FA_FILE
                full = os.path.join(self.directory, name)
                clicked, _ = imgui.selectable(f"{icon}  {name}##{i}", self.path_text == full,
                                              imgui.SelectableFlags_.allow_double_click)
                if clicked:
                    if is_dir:
                        if imgui.is_mouse_double_clicked(0):
                            self._cd(full)
                    else:
                        self.path_text = full
                        if imgui.is_mouse_double_clicked(0):
                            self.submit()
        clipper.end()
        imgui.end_child()
        imgui.set_next_item_width(-170)
        entered, self.path_text = imgui.input_text_with_hint("##path", "path to a .avr or .rrd file", self.path_text,
                                                             imgui.InputTextFlags_.enter_returns_true)
        lo, hi = imgui.get_item_rect_min(), imgui.get_item_rect_max()
        self.path_rect = (lo.x, lo.y, hi.x - lo.x, hi.y - lo.y)
        imgui.same_line()
        if imgui.button("Open") or entered:
            self.submit()
        imgui.same_line()
        if imgui.button("Cancel") or imgui.is_key_pressed(imgui.Key.escape, False):
            self._close = True
        changed, self.show_all = imgui.checkbox("show all files", self.show_all)
        if changed:
            self._listing = None
        if self.error:
            imgui.same_line()
            imgui.text_colored(imgui.ImVec4(0.95, 0.35, 0.35, 1), self.error)

    def submit(self) -> None:
        """Open the typed/selected path (a directory is entered instead) and close."""
        path = os.path.expanduser(self.path_text.strip())
        if not path:
            return
        if not os.path.isabs(path):
            path = os.path.join(self.directory, path)
        if os.path.isdir(path):
            self._cd(path)
            return
        self.error = None
        self.on_open([path])
        self._close = True

    def _cd(self, path: str) -> None:
        self.directory = os.path.abspath(path)
        self._listing = None
        self.error = None

    def _entries(self) -> list[tuple[str, bool]]:
        if self._listing is None or self._listing_dir != self.directory:
            self._listing_dir = self.directory
            try:
                names = os.listdir(self.directory)
            except OSError as e:
                self.error = e.strerror or str(e)
                names = []
            dirs = sorted((n for n in names if not n.startswith(".") and os.path.isdir(os.path.join(self.directory, n))),
                          key=str.lower)
            files = sorted((n for n in names if not os.path.isdir(os.path.join(self.directory, n))
                            and (self.show_all or n.lower().endswith(RECORDING_EXTS))), key=str.lower)
            self._listing = [(d, True) for d in dirs] + [(f, False) for f in files]
        return self._listing
