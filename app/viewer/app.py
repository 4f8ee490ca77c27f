"""The desktop viewer: one App owns the window, the UI, the renderer and the open recordings.

Frame = pump state (loaders, streams, playback) -> build the scene if its inputs changed ->
imgui frame (menu, dockspace, panels, views) -> draw the UI through moderngl -> swap.

Input arrives through `handle_*` methods (glfw callbacks call them; tests call them directly
with synthetic events), so the App can be driven and inspected without a real user: e.g.
`app.handle_mouse_move(x, y); app.frame(); app.views["2d"].hover`.

The loop sleeps while nothing happens (no input, no playback, no loading/streaming): on
llvmpipe a frame costs several milliseconds of CPU, so an idle viewer should cost none.
"""
from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from annoview.render import Renderer, SceneRenderer
from annoview.render.cache import drop_evicted_geometry
from annoview.scene.visuals import LabelsVisual

from . import theme
from .hover import InstanceInfo
from .imgui_backend import ImguiRenderer
from .keys import key_map, modifier_keys
from .layout import DOCKSPACE, VIEW_2D, VIEW_3D, build_default_layout
from .loader import FileLoader
from .magnifier import Magnified
from .notifications import Notifications
from .present import Presenter
from .panels import entities, inspector, legend, problems, timeline
from .panels.entities import EntityPanel
from .panels.file_dialog import FileDialog
from .panels.inspector import InspectorPanel
from .panels.legend import LegendPanel
from .panels.menubar import MenuBar
from .panels.overlays import MagnifierTexture, draw_hover_tooltip, draw_loading_card, draw_pixel_tooltip
from .panels.problems import ProblemsPanel, draw_toasts
from .panels.timeline import TimePanel
from .recording import Recording, Selection
from .settings import ViewerSettings, apply_options, merged_view_options, settings_warning
from .streams import StreamHub
from .surface import GlfwSurface, Surface
from .views import ViewPanel

CATCH_UP_INTERVAL = 0.15     # s between adopting new data while a store keeps changing
ACTIVE_AFTER_INPUT = 0.6     # s of continuous frames after input (hover delays, tooltips)
LAYOUT_WAIT = 1.0            # s to wait for the first files before fixing the default layout
WINDOW_IDS = {"entities": entities.WINDOW, "legend": legend.WINDOW, "inspector": inspector.WINDOW,
              "time": timeline.WINDOW, "problems": problems.WINDOW, "2d": VIEW_2D, "3d": VIEW_3D}



def open_failure(name: str, source: str, error: str) -> str:
    """One line for a recording that could not be opened. Readers name the file by its full
    path; the line names it once, by the name shown in the viewer."""
    if source and error.startswith(source):
        return f"Could not open: {name}{error[len(source):]}"
    return f"Could not open {name}: {error}"

class App:
    """The viewer application. `surface=None` opens a glfw window of `size`."""

    def __init__(self, surface: Surface | None = None, *, size: tuple[int, int] = (1280, 800),
                 visible: bool = True, vsync: bool = True, listen: tuple[str, int] | None = None,
                 title: str = "annoview", allow_remote: bool = False, memory_limit: int | None = None,
                 settings_dir: Path | None = None, reset_layout: bool = False,
                 settings: ViewerSettings | None = None) -> None:
        """memory_limit: bytes of recording data each recording keeps in memory (None: all).
        settings_dir: where the layout, window geometry and view options are remembered between
        runs (None: nothing is read or written); reset_layout: start from the defaults there;
        settings: already loaded from settings_dir (the command reads the window size first)."""
        from imgui_bundle import imgui

        self.notifications = Notifications()
        self.settings_dir = settings_dir
        self._settings_failed = False
        self.settings = ViewerSettings()
        if settings is not None and not reset_layout:
            self.settings = settings
        elif settings_dir is not None and not reset_layout:
            self.settings = ViewerSettings.load(settings_dir, self._settings_warning)
        self.stream: StreamHub | None = None
        if listen is not None:   # listen first: rr.spawn() waits for the port while the window opens
            self.stream = StreamHub(listen[0], listen[1], self.notifications, wake=self._wake,
                                    allow_remote=allow_remote, memory_limit=memory_limit)
        self.surface: Any = surface if surface is not None else GlfwSurface(size, title, visible=visible, vsync=vsync)
        self.ctx = self.surface.ctx
        self.imgui_ctx = imgui.create_context()
        imgui.set_current_context(self.imgui_ctx)
        io = imgui.get_io()
        io.config_flags |= imgui.ConfigFlags_.docking_enable
        io.set_ini_filename(None)             # saved by ViewerSettings (never imgui's own file)
        io.config_windows_move_from_title_bar_only = True
        io.config_drag_click_to_input_text = True
        # UI scale: the monitor's content scale, less what the framebuffer scale already gives
        # (macOS: content scale 2 = framebuffer scale 2, coordinates stay logical -> 1;
        # Windows/Linux at 150 %: window in pixels, content scale 1.5 -> 1.5)
        win, fb = self.surface.window_size(), self.surface.framebuffer_size()
        self.content_scale = self.surface.content_scale()
        self.ui_scale = max(1.0, self.content_scale / max(fb[0] / max(win[0], 1), 1e-6))
        self.fonts = theme.load_fonts(imgui)
        theme.apply_style(imgui, self.ui_scale)
        self.gui = ImguiRenderer(self.ctx)
        self.memory_limit = memory_limit
        # GPU geometry follows the same budget (and drops what belongs to evicted chunks, below)
        gpu_budget = 1 << 30 if memory_limit is None else min(1 << 30, memory_limit)
        self.renderer = Renderer(self.ctx, background=theme.VIEW_BG, cache_budget_bytes=gpu_budget)
        self.recordings: list[Recording] = []
        self.active: Recording | None = None
        self.views = {"2d": ViewPanel(self, "2d"), "3d": ViewPanel(self, "3d")}
        self.entity_panel = EntityPanel(self)
        self.legend_panel = LegendPanel(self)
        self.inspector_panel = InspectorPanel(self)
        self.time_panel = TimePanel(self)
        self.problems_panel = ProblemsPanel(self)
        self.menu = MenuBar(self)
        self.file_dialog = FileDialog(self.open_many)
        self.fb_scale = (1.0, 1.0)
        self.frame_count = 0
        self.scene_builds = 0
        self.frame_times: deque[float] = deque(maxlen=240)   # seconds of CPU per frame
        self.last_capture: np.ndarray | None = None
        self._layout_state = "pending"
        self._layout_before_data = True
        self._layout_kinds: tuple[bool, bool] | None = None
        self._layout_deadline = time.monotonic() + LAYOUT_WAIT
        self._focus: str | None = None
        self._active_until = time.monotonic() + ACTIVE_AFTER_INPUT
        self._last = time.perf_counter()
        self._last_sig: tuple | None = None
        self._toast_sig: tuple = ()
        self._visuals: tuple[Any, dict[int, Any]] = (None, {})
        self.presenter = Presenter(self.ctx, self.gui, self.surface)
        self.magnifier = MagnifierTexture(self.ctx, self.gui)
        self._reported: set[int] = set()
        self._docked: dict[str, bool] = {}
        self._panel_errors: set[str] = set()
        self._front_view: tuple[str | None, int] = (None, 0)
        self.start_time: str | None = None       # --time, applied when the first recording loaded
        self._in_frame = False
        self._visible_views: tuple[str, ...] = ()
        self._layout_restored = False
        self._window_sizes: dict[str, tuple[float, float]] = {}
        self._restore_settings(imgui)
        self.surface.attach(self)

    def _wake(self) -> None:
        """From any thread: make the event loop draw soon (new chunks arrived)."""
        surface = getattr(self, "surface", None)
        if surface is not None:
            surface.wake()

    # ---- input (glfw callbacks and tests) ---------------------------------------------------
    def _use(self) -> Any:
        from imgui_bundle import imgui

        imgui.set_current_context(self.imgui_ctx)
        self._active_until = time.monotonic() + ACTIVE_AFTER_INPUT
        return imgui.get_io()

    def handle_mouse_move(self, x: float, y: float) -> None:
        self._use().add_mouse_pos_event(float(x), float(y))

    def handle_mouse_button(self, button: int, down: bool) -> None:
        if 0 <= button < 5:
            self._use().add_mouse_button_event(int(button), bool(down))

    def handle_scroll(self, dx: float, dy: float) -> None:
        self._use().add_mouse_wheel_event(float(dx), float(dy))

    def handle_key(self, key: int, down: bool, mods: int = 0) -> None:
        io = self._use()
        k = key_map().get(key)
        if k is None:
            return
        io.add_key_event(k, bool(down))
        mod = modifier_keys().get(k)
        if mod is not None:
            io.add_key_event(mod, bool(down))

    def handle_char(self, codepoint: int) -> None:
        if 0 < codepoint < 0x110000:
            self._use().add_input_character(int(codepoint))

    def handle_drop(self, paths: list[str]) -> None:
        self._use()
        self.open_many(paths)

    def handle_focus(self, focused: bool) -> None:
        self._use().add_focus_event(bool(focused))

    def handle_refresh(self) -> None:
        """The window needs redrawing (exposed, or resized while the OS holds the loop)."""
        if not self._in_frame:
            self.frame()

    # ---- recordings -------------------------------------------------------------------------
    def open(self, path: str, *, wait: bool = False, activate: bool = True) -> Recording:
        """Open a recording file; it loads in the background unless `wait`."""
        path = os.path.abspath(os.fspath(path))
        for rec in self.recordings:
            if rec.kind == "file" and rec.source == path and not (rec.progress and rec.progress.state == "failed"):
                if activate:
                    self.set_active(rec)
                return rec
        rec = Recording.from_file(path, self.memory_limit)
        rec.loader = FileLoader(path, rec.store, on_warning=self.notifications.warning, wake=self._wake)
        self.add_recording(rec, activate=activate)
        if wait:
            rec.loader.run_here()
            self._poll_loaders()
        else:
            rec.loader.start()
        return rec

    def open_many(self, paths: list[str]) -> None:
        for i, p in enumerate(paths):
            self.open(p, activate=(i == len(paths) - 1))

    def add_recording(self, rec: Recording, activate: bool = True) -> None:
        if self.settings.view_options:
            apply_options(rec.options, self.settings.view_options, self._settings_warning)
            rec.touch_options()
        self.recordings.append(rec)
        if activate or self.active is None:
            self.set_active(rec)

    def set_active(self, rec: Recording | None) -> None:
        self.active = rec
        self.surface.set_title(f"annoview - {rec.name}" if rec is not None else "annoview")
        self._active_until = time.monotonic() + ACTIVE_AFTER_INPUT

    def close_recording(self, rec: Recording | None) -> None:
        if rec is None or rec not in self.recordings:
            return
        self.recordings.remove(rec)
        if self.stream is not None:
            self.stream.forget(rec)
        rec.release()
        if self.active is rec:
            self.set_active(self.recordings[-1] if self.recordings else None)

    def wait_loaded(self, timeout: float = 30.0) -> bool:
        """Block until every file finished loading (tests, screenshots)."""
        deadline = time.monotonic() + timeout
        for rec in list(self.recordings):
            if rec.loader is not None and not rec.loader.join(max(0.0, deadline - time.monotonic())):
                return False
        self._poll_loaders()
        return True

    def _poll_loaders(self) -> None:
        for rec in list(self.recordings):
            p = rec.progress
            if p is None or p.active or rec.id in self._reported:
                continue
            self._reported.add(rec.id)
            if p.state == "failed":
                self.notifications.error(open_failure(rec.name, rec.source, str(p.error)))
                if not rec.store.entity_paths():
                    self.close_recording(rec)

    def _adopt_streams(self) -> None:
        if self.stream is None:
            return
        for rec in self.stream.take_new():
            self.add_recording(rec, activate=self.active is None or not self.active.store.entity_paths())

    # ---- selection --------------------------------------------------------------------------
    def select_entity(self, rec: Recording, path: str, scroll: bool = True) -> None:
        rec.selection = Selection(path)
        if scroll:
            self.entity_panel.scroll_to(path)

    def select_class(self, rec: Recording, key: tuple[str | None, int]) -> None:
        """Select an annotation class (legend click): the inspector shows the class."""
        rec.selection = Selection(key[0] or "/", class_key=key)

    def select_instance(self, rec: Recording, info: InstanceInfo | None) -> None:
        if info is None:
            rec.selection = None
            return
        rec.selection = Selection(info.entity, info.object_id, info.instance)
        self.entity_panel.scroll_to(info.entity)

    def set_time_arg(self, arg: str) -> None:
        """`TIMELINE=VALUE` (the --time option) on the active recording; UsageError if bad."""
        from ..timeparse import UsageError, parse_time_value

        rec = self.active
        if rec is None:
            raise UsageError("--time: no recording is open")
        rec.catch_up(float("inf"), 0.0)
        name, sep, value = arg.partition("=")
        if not sep:
            raise UsageError(f"--time: expected TIMELINE=VALUE, got {arg!r}")
        info = rec.store.timelines().get(name)
        if info is None:
            known = ", ".join(rec.store.timelines()) or "none"
            raise UsageError(f"--time: no timeline {name!r} in this recording (timelines: {known})")
        rec.time.select_timeline(info)
        rec.time.set_time(parse_time_value(info, value))

    def _apply_start_time(self) -> None:
        """--time in a window: applied once the active recording has loaded."""
        from ..timeparse import UsageError

        rec = self.active
        if self.start_time is None or rec is None or rec.loading:
            return
        arg, self.start_time = self.start_time, None
        try:
            self.set_time_arg(arg)
        except UsageError as e:
            self.notifications.error(str(e))

    def focus_window(self, name: str) -> None:
        self._focus = WINDOW_IDS.get(name, name)

    def request_layout(self) -> None:
        self._layout_state = "now"
        self._layout_kinds = None

    # ---- settings remembered between runs -----------------------------------------------------
    def _settings_warning(self, text: str) -> None:
        """A settings problem: one line on the terminal and in the Problems tab."""
        settings_warning(text)
        self.notifications.warning(text)

    def _restore_settings(self, imgui: Any) -> None:
        """Apply what the last run saved: the dock layout (then the default layout is not
        built), the window position, the view tab in front. A layout saved for a window of
        another size (e.g. `--window-size` given this time) is not restored: imgui would keep
        the panels' absolute sizes and squeeze the views; the default layout fits any size."""
        s = self.settings
        win = self.surface.window_size()
        same_size = s.window_size is None or all(
            abs(a - b) <= 0.1 * max(b, 1) for a, b in zip(win, s.window_size))
        if s.ini and same_size:
            imgui.load_ini_settings_from_memory(s.ini)
            if "[Docking][Data]" in s.ini and "DockSpace" in s.ini:
                self._layout_state = "built"
                self._layout_before_data = False
                self._layout_restored = True
        if s.window_pos is not None and hasattr(self.surface, "set_window_pos"):
            self.surface.set_window_pos(s.window_pos)
        if s.view_tab in ("2d", "3d"):
            self._front_view = (VIEW_2D if s.view_tab == "2d" else VIEW_3D, 3)

    def save_settings(self) -> bool:
        """Remember the layout, window geometry, front view tab and view options (the active
        recording's, merged over what was saved) for the next run."""
        from imgui_bundle import imgui

        if self.settings_dir is None or self._settings_failed:
            return False
        imgui.set_current_context(self.imgui_ctx)
        s = self.settings
        s.ini = imgui.save_ini_settings_to_memory()
        s.window_size = tuple(int(v) for v in self.surface.window_size())  # type: ignore[assignment]
        if hasattr(self.surface, "window_pos"):
            s.window_pos = self.surface.window_pos()
        if len(self._visible_views) == 1:
            s.view_tab = self._visible_views[0]
        sizes = self._panel_sizes()
        if sizes:
            s.panel_sizes = sizes
        rec = self.active
        if rec is not None and rec.scene is not None and (rec.scene.visuals_2d or rec.scene.visuals_3d):
            s.arrangement = [bool(rec.scene.visuals_2d), bool(rec.scene.visuals_3d)]
        s.view_options = merged_view_options(s.view_options, self.recordings, self.active)
        if rec is not None and rec.scene_renderer is not None:
            s.color_by = rec.scene_renderer.edits.color_by
        ok = s.save(self.settings_dir, self._settings_warning)
        self._settings_failed = not ok       # said once; not again every few seconds
        return ok

    def _panel_sizes(self) -> dict[str, float]:
        """The docked panels' sizes now, as build_default_layout takes them."""
        ws = self._window_sizes
        out: dict[str, float] = {}
        if entities.WINDOW in ws:
            out["left"] = ws[entities.WINDOW][0]
        if legend.WINDOW in ws:
            out["right"] = ws[legend.WINDOW][0]
            if inspector.WINDOW in ws:
                top, bottom = ws[legend.WINDOW][1], ws[inspector.WINDOW][1]
                out["right_top"] = top / max(top + bottom, 1.0)
        if timeline.WINDOW in ws:
            out["bottom"] = ws[timeline.WINDOW][1]
        return out

    # ---- per-recording helpers --------------------------------------------------------------
    def scene_renderer_for(self, rec: Recording) -> SceneRenderer:
        if rec.scene_renderer is None:
            rec.scene_renderer = SceneRenderer(self.renderer)
            if self.settings.color_by is not None:      # remembered from the last run
                rec.scene_renderer.edits.set_color_by(self.settings.color_by)
        return rec.scene_renderer

    def visuals_by_object(self, rec: Recording) -> dict[int, Any]:
        """Object id -> its visual (images/boxes need the arrays for hover and outlines)."""
        if self._visuals[0] is not rec.scene:
            out: dict[int, Any] = {}
            if rec.scene is not None:
                for v in (*rec.scene.visuals_2d, *rec.scene.visuals_3d):
                    if not isinstance(v, LabelsVisual):
                        out.setdefault(v.object_id, v)
            self._visuals = (rec.scene, out)
        return self._visuals[1]

    def update_scene(self, rec: Recording | None) -> None:
        """Rebuild the active scene when time, data, visibility or view options changed."""
        if rec is None:
            return
        ents = rec.entities
        key = (rec.seen_generation, rec.time.timeline, rec.time.time, ents.generation, ents.shape_generation,
               rec.options_generation)
        if key == rec.scene_key:
            return
        rec.scene = rec.builder.build(rec.time.timeline, rec.time.time, hidden=ents.effective_hidden(),
                                      options=rec.options)
        rec.scene_key = key
        rec.scene_serial += 1
        self.scene_builds += 1

    # ---- the frame --------------------------------------------------------------------------
    def frame(self, capture: bool = False) -> np.ndarray | None:
        """Run one frame. With `capture`, also return the UI as (H, W, 3) uint8 (top row first)."""
        self._in_frame = True
        try:
            return self._frame(capture)
        finally:
            self._in_frame = False

    def _frame(self, capture: bool) -> np.ndarray | None:
        from imgui_bundle import imgui

        t0 = time.perf_counter()
        self.surface.make_current()
        imgui.set_current_context(self.imgui_ctx)
        io = imgui.get_io()
        dt = min(max(t0 - self._last, 1e-4), 0.25)
        self._last = t0
        win = self.surface.window_size()
        fb = self.surface.framebuffer_size()
        self.fb_scale = (fb[0] / max(win[0], 1), fb[1] / max(win[1], 1))
        self.renderer.ui_scale = self.fb_scale[0] * self.ui_scale  # HiDPI: labels and pixel radii follow the UI
        io.display_size = imgui.ImVec2(float(win[0]), float(win[1]))
        io.display_framebuffer_scale = imgui.ImVec2(*self.fb_scale)
        io.delta_time = dt

        self._adopt_streams()
        self._poll_loaders()
        self._apply_start_time()
        rec = self.active
        now = time.monotonic()
        for r in self.recordings:
            if r is rec or r.seen_generation < 0:
                r.catch_up(now, CATCH_UP_INTERVAL)
        if rec is not None:
            rec.time.advance(dt)
            rec.prefetch()
        self.update_scene(rec)
        if rec is not None:
            drop_evicted_geometry(self.renderer.cache, rec.store.chunks)
            for line in rec.store.chunks.take_failures():   # a chunk that could not be read back: once
                self.notifications.warning(line)

        imgui.new_frame()
        self._shortcuts(rec)
        self.menu.draw()
        vp = imgui.get_main_viewport()
        dock_id = imgui.get_id(DOCKSPACE)
        imgui.dock_space_over_viewport(dock_id, vp)
        ready = self._maybe_build_layout(imgui, dock_id, vp, rec)
        if ready:
            self._panels(imgui, rec)
        self.file_dialog.draw()
        draw_toasts(self)
        draw_loading_card(self, vp)
        imgui.render()
        if io.want_save_ini_settings and self.settings_dir is not None:
            io.want_save_ini_settings = False     # imgui asks at most every few seconds
            self.save_settings()
        image = self.presenter.present(imgui.get_draw_data(), fb, capture)
        if image is not None:
            self.last_capture = image
        self.frame_count += 1
        self.frame_times.append(time.perf_counter() - t0)
        return image

    def _begin(self, imgui: Any, name: str) -> bool:
        """imgui.begin for a panel; a panel dragged out of the dock gets its background back
        (docked panels draw none: the cleared window shows through, see theme.PANEL_RGB)."""
        if not self._docked.get(name, True):
            imgui.set_next_window_bg_alpha(1.0)
        shown = imgui.begin(name)[0]
        self._docked[name] = imgui.is_window_docked()
        if shown:
            size = imgui.get_window_size()
            self._window_sizes[name] = (float(size.x), float(size.y))
        return shown

    def _guarded(self, imgui: Any, name: str, draw: Any, rec: Recording | None) -> None:
        """Draw one panel; a bug in it is reported once and the panel is skipped, not the
        whole viewer (imgui's stacks are restored to the window's state)."""
        state = imgui.internal.ErrorRecoveryState()
        imgui.internal.error_recovery_store_state(state)
        try:
            draw(rec)
        except Exception as e:
            # recover quietly: imgui's recovery asserts (raises) by default on what it fixes,
            # e.g. a tooltip left open by the failing code
            io = imgui.get_io()
            was = (io.config_error_recovery_enable_assert, io.config_error_recovery_enable_debug_log)
            io.config_error_recovery_enable_assert = io.config_error_recovery_enable_debug_log = False
            try:
                imgui.internal.error_recovery_try_to_recover_state(state)   # ends windows it opened
            finally:
                io.config_error_recovery_enable_assert, io.config_error_recovery_enable_debug_log = was
            msg = f"{name} panel failed: {type(e).__name__}: {e}"
            if msg not in self._panel_errors:
                self._panel_errors.add(msg)
                self.notifications.error(msg)
                import traceback

                traceback.print_exc()

    def _panels(self, imgui: Any, rec: Recording | None) -> None:
        if self._focus is not None:
            imgui.set_window_focus(self._focus)
            self._focus = None
        if self._begin(imgui, entities.WINDOW):
            self._guarded(imgui, "Entities", self.entity_panel.draw, rec)
        imgui.end()
        if self._begin(imgui, timeline.WINDOW):
            self._guarded(imgui, "Time", self.time_panel.draw, rec)
        imgui.end()
        if self._begin(imgui, problems.WINDOW):
            self._guarded(imgui, "Problems", self.problems_panel.draw, rec)
        imgui.end()
        self.update_scene(rec)     # visibility/time changed by the panels above: same frame
        legend_open = self._begin(imgui, legend.WINDOW)
        if legend_open:
            self._guarded(imgui, "Annotations", self.legend_panel.draw, rec)
        imgui.end()
        if rec is not None:
            edits = self.scene_renderer_for(rec).edits
            edits.set_highlight(self.legend_panel.hovered_class if legend_open else None)
        if self._begin(imgui, inspector.WINDOW):
            self._guarded(imgui, "Inspector", self.inspector_panel.draw, rec)
        imgui.end()
        front, n = self._front_view
        visible = []
        for space, name in (("2d", VIEW_2D), ("3d", VIEW_3D)):
            if name == front and n > 0:
                imgui.set_next_window_focus()
                self._front_view = (front, n - 1)
            # no padding around the picture; popped at once so tooltips drawn by the view keep theirs
            imgui.push_style_var(imgui.StyleVar_.window_padding, imgui.ImVec2(0, 0))
            shown = self._begin(imgui, name)
            imgui.pop_style_var()
            if shown:
                visible.append(space)
                self._guarded(imgui, f"{space.upper()} view", self.views[space].draw, rec)
            else:
                self.views[space].hover = None
            imgui.end()
        self._visible_views = tuple(visible)

    def _maybe_build_layout(self, imgui: Any, dock_id: int, vp: Any, rec: Recording | None) -> bool:
        """Build the default layout on the first frame; while the first files load (up to
        LAYOUT_WAIT s) rebuild it once the content is known, so the views are arranged for
        2D, 3D or both. Afterwards only View > Reset layout rebuilds it."""
        scene = rec.scene if rec is not None else None
        has_content = scene is not None and bool(scene.visuals_2d or scene.visuals_3d)
        if self._layout_state == "built":
            if self._layout_restored and has_content:
                # a saved layout: kept when it was made for the same kind of content (2D, 3D or
                # both); else the views are arranged for this content, with the saved panel sizes
                self._layout_restored = False
                kinds = [bool(scene.visuals_2d), bool(scene.visuals_3d)]
                if kinds != self.settings.arrangement:
                    build_default_layout(imgui, dock_id, (vp.work_size.x, vp.work_size.y), has_2d=kinds[0],
                                         has_3d=kinds[1], sizes=self.settings.panel_sizes)
                    self._layout_kinds = (kinds[0], kinds[1])
                if kinds[0] != kinds[1]:
                    self._front_view = (VIEW_2D if kinds[0] else VIEW_3D, 3)
                return True
            if self._layout_before_data and has_content:
                # built while the viewer was empty (e.g. started by rr.spawn): arrange the views
                # once for the first content that arrives
                self._layout_before_data = False
                self._layout_state = "now"
            else:
                return True
        self._layout_before_data = not has_content
        has_2d = scene is None or bool(scene.visuals_2d) or not scene.visuals_3d
        has_3d = scene is None or bool(scene.visuals_3d)
        kinds = (has_2d, has_3d)
        settled = self._layout_state == "now" or time.monotonic() > self._layout_deadline or (
            scene is not None and not any(r.loading for r in self.recordings)) or (rec is None and not self.recordings)
        if kinds != self._layout_kinds or self._layout_state == "now":
            build_default_layout(imgui, dock_id, (vp.work_size.x, vp.work_size.y), has_2d=has_2d, has_3d=has_3d)
            self._layout_kinds = kinds
            if has_2d != has_3d:      # tabbed views: bring the one with content to the front
                self._front_view = (VIEW_2D if has_2d else VIEW_3D, 3)
        self._layout_state = "built" if settled else "provisional"
        return True

    def _shortcuts(self, rec: Recording | None) -> None:
        from imgui_bundle import imgui

        io = imgui.get_io()
        K = imgui.Key
        if io.key_ctrl and imgui.is_key_pressed(K.o, False):
            self.file_dialog.open()
        if io.key_ctrl and imgui.is_key_pressed(K.q, False):
            self.surface.request_close()
        if rec is None or io.want_text_input or imgui.is_popup_open("", imgui.PopupFlags_.any_popup_id):
            return
        tc = rec.time
        if imgui.is_key_pressed(K.space, False):
            tc.toggle_play()
        if imgui.is_key_pressed(K.left_arrow):
            tc.step(-1, rec.timeline_data_times())
        if imgui.is_key_pressed(K.right_arrow):
            tc.step(1, rec.timeline_data_times())
        if imgui.is_key_pressed(K.home, False):
            tc.home()
        if imgui.is_key_pressed(K.end, False):
            tc.end()

    def draw_hover_tooltip(self, info: InstanceInfo, magnified: Magnified | None = None) -> None:
        if magnified is not None:
            draw_pixel_tooltip(self, info, magnified, self.magnifier)
        else:
            draw_hover_tooltip(self, info)

    def needs_frame(self) -> bool:
        """Whether the next loop iteration must draw (else the loop sleeps until an event)."""
        now = time.monotonic()
        if now < self._active_until:
            return True
        rec = self.active
        if rec is not None and rec.time.playing:
            return True
        if any(r.loading for r in self.recordings):
            return True
        if rec is not None and rec.seen_generation != rec.store.generation:
            return True          # new data for what is on screen (inactive recordings wait)
        toasts = tuple(n.id for n in self.notifications.toasts())
        if toasts != self._toast_sig:
            self._toast_sig = toasts
            return True
        if self.file_dialog._pending is not None:
            return True
        sig = self._state_sig()
        if sig != self._last_sig:
            self._last_sig = sig
            return True
        return False

    def _state_sig(self) -> tuple:
        rec = self.active
        if rec is None:
            return (None, len(self.recordings))
        edits = rec.scene_renderer.edits.generation if rec.scene_renderer is not None else 0
        return (rec.id, rec.scene_key, edits, len(self.recordings), self._layout_state)

    def run(self) -> int:
        """The event loop; returns when the window closes."""
        while not self.surface.should_close():
            busy = self.needs_frame()
            self.surface.wait(0.0 if busy else self._idle_timeout())
            if busy or self.needs_frame():
                self.frame()
        return 0

    def _idle_timeout(self) -> float:
        toasts = self.notifications.toasts()
        if toasts:
            return 0.25
        return 0.5 if self.stream is not None else 2.0

    def wait_for_stream_data(self, timeout_s: float, quiet_s: float = 0.5) -> bool:
        """Run frames until a streamed recording has data and nothing new arrived for `quiet_s`
        (for `--screenshot-to` of a live stream, e.g. the one `rr.spawn` starts)."""
        import time as _time

        deadline = _time.monotonic() + timeout_s
        last_gen, last_change = -1, _time.monotonic()
        while _time.monotonic() < deadline:
            self.frame()
            rec = self.active
            gen = rec.store.generation if rec is not None else -1
            if gen != last_gen:
                last_gen, last_change = gen, _time.monotonic()
            elif rec is not None and rec.store.entity_paths() and _time.monotonic() - last_change >= quiet_s:
                return True
            _time.sleep(0.02)
        return False

    def screenshot(self, path: str, frames: int = 6) -> np.ndarray:
        """Draw a few frames so the layout settles, then save the whole UI as a PNG."""
        from PIL import Image

        image = None
        for i in range(max(2, frames)):
            image = self.frame(capture=(i == max(2, frames) - 1))
        assert image is not None
        Image.fromarray(image, "RGB").save(path)
        return image

    def release(self) -> None:
        from imgui_bundle import imgui

        self.save_settings()
        if self.stream is not None:
            self.stream.close()
        for rec in self.recordings:
            rec.release()
        self.recordings.clear()
        imgui.set_current_context(self.imgui_ctx)
        self.surface.make_current()
        self.renderer.release()
        self.magnifier.release()
        self.presenter.release()
        self.gui.release()
        imgui.destroy_context(self.imgui_ctx)
        self.surface.release()
