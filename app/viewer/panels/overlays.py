"""Floating overlays: the hover tooltip and the loading card."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import theme
from ..hover import InstanceInfo
from .common import swatch, vec4

if TYPE_CHECKING:
    from ..app import App


def draw_hover_tooltip(app: "App", info: InstanceInfo) -> None:
    """Entity, instance (or pixel), class and keypoint with labels and swatches, position."""
    from imgui_bundle import imgui

    imgui.begin_tooltip()
    imgui.push_font(app.fonts.bold, 0.0)
    imgui.text(info.entity)
    imgui.pop_font()
    if info.pixel is not None:
        imgui.text_disabled(f"{info.archetype}  pixel ({info.pixel[0]}, {info.pixel[1]})")
    else:
        imgui.text_disabled(f"{info.archetype}  instance {info.instance}")
    if info.class_id is not None:
        swatch("##tc", info.class_color or (0, 0, 0, 0), tooltip=False)
        imgui.same_line()
        imgui.text(f"class {info.class_id}  {info.class_label or ''}")
    if info.keypoint_id is not None:
        if info.keypoint_color is not None:
            swatch("##tk", info.keypoint_color, tooltip=False)
            imgui.same_line()
        imgui.text(f"keypoint {info.keypoint_id}  {info.keypoint_label or ''}")
    if info.connection is not None and info.label:
        imgui.text(f"connection  {info.label}")
    elif info.label and info.label not in (info.class_label, info.keypoint_label):
        imgui.text(f"label  {info.label}")
    if info.colored_by != "class" and info.color is not None:   # the view is colored by entity / instance
        swatch("##tv", info.color, tooltip=False)
        imgui.same_line()
        imgui.text(f"drawn by {info.colored_by}")
    if info.position is not None:
        imgui.text_colored(vec4(theme.TEXT_DIM), "position  (" + ", ".join(f"{v:.2f}" for v in info.position) + ")")
    if info.kind == "image" and info.pixel_value is not None:
        imgui.text_colored(vec4(theme.TEXT_DIM), "value  " + ", ".join(f"{v}" for v in info.pixel_value))
    imgui.end_tooltip()


def draw_loading_card(app: "App", vp: Any) -> None:
    """A centered progress card while the active recording loads and shows little yet (the
    menu bar keeps a small progress bar for the rest of the load)."""
    from imgui_bundle import imgui

    rec = app.active
    if rec is None or not rec.loading:
        return
    p = rec.progress
    scene = rec.scene
    if p is None or (scene is not None and (scene.visuals_2d or scene.visuals_3d) and p.fraction is not None
                     and p.fraction > 0.5):
        return
    imgui.set_next_window_pos(imgui.ImVec2(vp.work_pos.x + vp.work_size.x / 2, vp.work_pos.y + vp.work_size.y / 2),
                              0, imgui.ImVec2(0.5, 0.5))
    imgui.set_next_window_size(imgui.ImVec2(360, 0))
    flags = (imgui.WindowFlags_.no_decoration | imgui.WindowFlags_.no_docking | imgui.WindowFlags_.no_saved_settings |
             imgui.WindowFlags_.no_focus_on_appearing | imgui.WindowFlags_.no_nav | imgui.WindowFlags_.no_inputs)
    imgui.set_next_window_bg_alpha(0.95)
    imgui.begin("##loading", None, flags)
    imgui.text(f"Loading {rec.name}")
    frac = p.fraction
    label = (f"{p.done} / {p.total} chunks" if p.total else ("indexing..." if p.state == "indexing" else f"{p.done} chunks"))
    imgui.progress_bar(frac if frac is not None else -1.0 * imgui.get_time(), imgui.ImVec2(-1, 0), label)
    imgui.end()
