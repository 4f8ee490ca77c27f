"""Time panel: timeline selector, play/pause, step, speed, loop, the current value, and a
scrubbing bar with a tick wherever data was logged, and (with a memory limit) a green strip over
the time ranges whose data is in memory. Keys: space, left/right, Home/End (the App
handles those so they work whatever panel has focus)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import theme
from ..timecontrol import SPEEDS, format_time
from .common import icon_button, vec4

if TYPE_CHECKING:
    from ..app import App
    from ..recording import Recording

WINDOW = "Time###time"
BAR_HEIGHT = 26.0
RESIDENT_COLOR = (0.30, 0.62, 0.42, 0.9)   # strip along the bar's top: time ranges held in memory


class TimePanel:
    def __init__(self, app: "App") -> None:
        self.app = app
        self.bar_rect = (0.0, 0.0, 0.0, 0.0)     # x, y, w, h of the scrubbing bar (tests use it)
        self._ticks_key: tuple | None = None
        self._ticks: np.ndarray = np.zeros(0)
        self._times_key: tuple | None = None
        self._resident_key: tuple | None = None
        self._resident: list[tuple[float, float]] = []

    def draw(self, rec: "Recording | None") -> None:
        from imgui_bundle import icons_fontawesome_6 as fa
        from imgui_bundle import imgui

        if rec is None:
            imgui.text_disabled("No recording open")
            return
        tc = rec.time
        info = tc.info
        timelines = rec.store.timelines()
        if info is None:
            imgui.text_disabled("Loading..." if rec.loading else "Static data only: no timelines")
            return
        times = rec.timeline_data_times()
        self._times_key = (rec.id, rec._data_times_key)
        # transport
        if icon_button(fa.ICON_FA_BACKWARD_FAST, "home", "Start (Home)"):
            tc.home()
        imgui.same_line()
        if icon_button(fa.ICON_FA_BACKWARD_STEP, "prev", "Previous data (Left)"):
            tc.step(-1, times)
        imgui.same_line()
        if icon_button(fa.ICON_FA_PAUSE if tc.playing else fa.ICON_FA_PLAY, "play", "Pause (Space)" if tc.playing else "Play (Space)",
                       active=tc.playing):
            tc.toggle_play()
        imgui.same_line()
        if icon_button(fa.ICON_FA_FORWARD_STEP, "next", "Next data (Right)"):
            tc.step(1, times)
        imgui.same_line()
        if icon_button(fa.ICON_FA_FORWARD_FAST, "end", "End (End)"):
            tc.end()
        imgui.same_line()
        if icon_button(fa.ICON_FA_REPEAT, "loop", "Loop: on" if tc.loop else "Loop: off", active=tc.loop, dim=not tc.loop):
            tc.loop = not tc.loop
        imgui.same_line()
        imgui.set_next_item_width(70)
        if imgui.begin_combo("##speed", f"{tc.speed:g}x"):
            for s in SPEEDS:
                if imgui.selectable(f"{s:g}x", s == tc.speed)[0]:
                    tc.speed = s
            imgui.end_combo()
        if imgui.is_item_hovered():
            imgui.set_tooltip("Playback speed" + (f" ({tc.fps:g} steps/s at 1x)" if info.kind == "sequence" else ""))
        imgui.same_line()
        imgui.set_next_item_width(140)
        if imgui.begin_combo("##timeline", f"{fa.ICON_FA_CLOCK} {info.name}"):
            for name, ti in timelines.items():
                if imgui.selectable(f"{name}  ({ti.kind})", name == info.name)[0]:
                    tc.select_timeline(ti)
            imgui.end_combo()
        imgui.same_line()
        imgui.push_font(self.app.fonts.mono, 0.0)
        imgui.text(format_time(info.kind, tc.time))
        imgui.pop_font()
        imgui.same_line()
        imgui.text_disabled(f"{format_time(info.kind, info.min)} .. {format_time(info.kind, info.max)}")
        self._bar(rec, times, imgui)

    def _bar(self, rec: "Recording", times: np.ndarray | None, imgui: Any) -> None:
        tc = rec.time
        info = tc.info
        avail = imgui.get_content_region_avail()
        w = max(20.0, avail.x)
        pos = imgui.get_cursor_screen_pos()
        self.bar_rect = (pos.x, pos.y, w, BAR_HEIGHT)
        imgui.invisible_button("##scrub", imgui.ImVec2(w, BAR_HEIGHT))
        if imgui.is_item_active():
            f = (imgui.get_io().mouse_pos.x - pos.x) / w
            t = tc.time_at_fraction(f)
            if t != tc.time:
                tc.playing = False
                tc.set_time(t)
        hovered = imgui.is_item_hovered()
        dl = imgui.get_window_draw_list()
        x1, y1 = pos.x + w, pos.y + BAR_HEIGHT
        dl.add_rect_filled(pos, imgui.ImVec2(x1, y1), imgui.get_color_u32(vec4((0.07, 0.075, 0.085, 1.0))), 3.0)
        if info.max > info.min:
            res_col = imgui.get_color_u32(vec4(RESIDENT_COLOR))
            for x0, x1 in self.resident_xs(rec, info, w):
                dl.add_rect_filled(imgui.ImVec2(pos.x + x0, pos.y + 1), imgui.ImVec2(pos.x + x1 + 1, pos.y + 4), res_col)
        tick_col = imgui.get_color_u32(vec4((0.45, 0.50, 0.60, 0.9)))
        for x in self._tick_xs(times, info, w):
            dl.add_line(imgui.ImVec2(pos.x + x, pos.y + 7), imgui.ImVec2(pos.x + x, y1 - 7), tick_col, 1.0)
        cx = pos.x + tc.fraction() * (w - 1)
        dl.add_rect_filled(imgui.ImVec2(pos.x, y1 - 3), imgui.ImVec2(cx, y1 - 1), imgui.get_color_u32(vec4(theme.ACCENT_DIM)))
        dl.add_line(imgui.ImVec2(cx, pos.y), imgui.ImVec2(cx, y1), imgui.get_color_u32(vec4(theme.ACCENT)), 2.0)
        dl.add_triangle_filled(imgui.ImVec2(cx - 5, pos.y), imgui.ImVec2(cx + 5, pos.y), imgui.ImVec2(cx, pos.y + 6),
                               imgui.get_color_u32(vec4(theme.ACCENT)))
        if hovered and not imgui.is_item_active():
            f = (imgui.get_io().mouse_pos.x - pos.x) / w
            imgui.set_tooltip(format_time(info.kind, tc.time_at_fraction(f)))

    def resident_xs(self, rec: "Recording", info: Any, w: float) -> list[tuple[float, float]]:
        """Pixel spans of the time ranges whose data is in memory (only drawn with a memory
        limit: without one everything is resident). Cached until chunks load or leave."""
        table = rec.store.chunks
        if table.limit is None:
            return []
        st = table.stats
        key = (rec.id, info.name, info.min, info.max, int(w), len(table), st.evictions, st.reloads)
        if key != self._resident_key:
            self._resident_key = key
            scale = (w - 1) / (info.max - info.min)
            self._resident = [((lo - info.min) * scale, (hi - info.min) * scale)
                              for lo, hi in table.resident_ranges(info.name)]
        return self._resident

    def _tick_xs(self, times: np.ndarray | None, info: Any, w: float) -> np.ndarray:
        """One tick per pixel column holding data (cached: recomputed when data or width change)."""
        key = (self._times_key, info.min, info.max, int(w))
        if key != self._ticks_key:
            self._ticks_key = key
            if times is None or not len(times) or info.max == info.min:
                self._ticks = np.zeros(0)
            else:
                xs = np.round((times - info.min) / (info.max - info.min) * (w - 1)).astype(np.int64)
                self._ticks = np.unique(xs).astype(np.float64)
        return self._ticks
