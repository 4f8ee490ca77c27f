"""Problems panel: what the scene builder could not draw at this time (the rest still renders),
and the log of load/stream errors and warnings. Toasts are drawn here too."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .. import theme
from .common import vec4

if TYPE_CHECKING:
    from ..app import App
    from ..recording import Recording

WINDOW = "Problems###problems"
LEVEL_COLOR = {"info": theme.TEXT_DIM, "warning": theme.WARN, "error": theme.ERROR}


class ProblemsPanel:
    def __init__(self, app: "App") -> None:
        self.app = app

    def count(self, rec: "Recording | None") -> int:
        scene_problems = len(rec.scene.problems) if rec is not None and rec.scene is not None else 0
        notes = self.app.notifications
        return scene_problems + notes.count("error") + notes.count("warning")

    def draw(self, rec: "Recording | None") -> None:
        from imgui_bundle import icons_fontawesome_6 as fa
        from imgui_bundle import imgui

        problems = rec.scene.problems if rec is not None and rec.scene is not None else []
        if problems:
            imgui.text_colored(vec4(theme.WARN), f"{fa.ICON_FA_TRIANGLE_EXCLAMATION}  At this time, {len(problems)} "
                               f"entit{'y' if len(problems) == 1 else 'ies'} could not be drawn:")
            for entity, msg in problems:
                imgui.bullet()
                if imgui.text_link(f"{entity}##p{entity}{msg[:20]}") and rec is not None:
                    self.app.select_entity(rec, entity)
                imgui.same_line()
                imgui.text_wrapped(msg)
            imgui.separator()
        log = self.app.notifications.log()
        if not log and not problems:
            imgui.text_disabled("No problems")
            return
        if log:
            if imgui.small_button("Clear log"):
                self.app.notifications.clear()
            for n in reversed(log):
                icon = {"error": fa.ICON_FA_CIRCLE_XMARK, "warning": fa.ICON_FA_TRIANGLE_EXCLAMATION}.get(n.level, fa.ICON_FA_CIRCLE_INFO)
                imgui.text_colored(vec4(LEVEL_COLOR.get(n.level, theme.TEXT_DIM)), icon)
                imgui.same_line()
                imgui.text_wrapped(n.text)


def draw_toasts(app: "App") -> None:
    """Messages stacked at the bottom right, fading out; a click dismisses one."""
    from imgui_bundle import icons_fontawesome_6 as fa
    from imgui_bundle import imgui

    now = time.monotonic()
    toasts = app.notifications.toasts(now)
    if not toasts:
        return
    vp = imgui.get_main_viewport()
    y = vp.work_pos.y + vp.work_size.y - 12
    width = min(440.0, vp.work_size.x * 0.45)
    flags = (imgui.WindowFlags_.no_decoration | imgui.WindowFlags_.no_docking | imgui.WindowFlags_.always_auto_resize |
             imgui.WindowFlags_.no_saved_settings | imgui.WindowFlags_.no_focus_on_appearing | imgui.WindowFlags_.no_nav |
             imgui.WindowFlags_.no_move)
    for n in reversed(toasts):
        imgui.set_next_window_pos(imgui.ImVec2(vp.work_pos.x + vp.work_size.x - 12, y), 0, imgui.ImVec2(1.0, 1.0))
        imgui.set_next_window_size_constraints(imgui.ImVec2(width, 0), imgui.ImVec2(width, 400))
        imgui.set_next_window_bg_alpha(0.95)
        imgui.push_style_var(imgui.StyleVar_.window_rounding, 6.0)
        imgui.push_style_var(imgui.StyleVar_.window_border_size, 1.0)
        imgui.push_style_color(imgui.Col_.border, vec4(LEVEL_COLOR.get(n.level, theme.TEXT_DIM)))
        imgui.begin(f"##toast{n.id}", None, flags)
        icon = {"error": fa.ICON_FA_CIRCLE_XMARK, "warning": fa.ICON_FA_TRIANGLE_EXCLAMATION}.get(n.level, fa.ICON_FA_CIRCLE_INFO)
        imgui.text_colored(vec4(LEVEL_COLOR.get(n.level, theme.TEXT_DIM)), icon)
        imgui.same_line()
        imgui.push_text_wrap_pos(width - 16)
        imgui.text(n.text)
        imgui.pop_text_wrap_pos()
        if imgui.is_window_hovered() and imgui.is_mouse_clicked(0):
            app.notifications.dismiss(n.id)
        y -= imgui.get_window_height() + 8
        imgui.end()
        imgui.pop_style_color()
        imgui.pop_style_var(2)
