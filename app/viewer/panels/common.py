"""Small widgets shared by panels: color swatches, dim text, icon buttons."""
from __future__ import annotations

from typing import Any, Sequence

from annoview.instances import rgba_hex

from .. import theme


def vec4(rgba: Sequence[float]) -> Any:
    """0-255 ints or 0-1 floats -> ImVec4."""
    from imgui_bundle import imgui

    vals = list(rgba) + [255] * (4 - len(rgba))
    if any(isinstance(c, int) and not isinstance(c, bool) for c in vals) and max(vals) > 1:
        return imgui.ImVec4(*(float(c) / 255.0 for c in vals))
    return imgui.ImVec4(*(float(c) for c in vals))


def swatch(id_: str, rgba: Sequence[int], size: float | None = None, tooltip: bool = True) -> bool:
    """A small color square (no picker)."""
    from imgui_bundle import imgui

    s = size or imgui.get_text_line_height()
    flags = imgui.ColorEditFlags_.alpha_preview_half | imgui.ColorEditFlags_.no_drag_drop
    if not tooltip:
        flags |= imgui.ColorEditFlags_.no_tooltip
    return imgui.color_button(id_, vec4(rgba), flags, imgui.ImVec2(s, s))


def dim_text(text: str) -> None:
    from imgui_bundle import imgui

    imgui.text_colored(imgui.ImVec4(*theme.TEXT_DIM), text)


def icon_button(icon: str, id_: str, tooltip: str, active: bool = False, dim: bool = False) -> bool:
    """A frameless icon button; `active` tints it with the accent color."""
    from imgui_bundle import imgui

    imgui.push_style_color(imgui.Col_.button, imgui.ImVec4(0, 0, 0, 0))
    imgui.push_style_var(imgui.StyleVar_.frame_padding, imgui.ImVec2(2, 0))
    pushed = 0
    if active:
        imgui.push_style_color(imgui.Col_.text, imgui.ImVec4(*theme.ACCENT))
        pushed = 1
    elif dim:
        imgui.push_style_color(imgui.Col_.text, imgui.ImVec4(*theme.TEXT_DIM))
        pushed = 1
    clicked = imgui.small_button(f"{icon}##{id_}")
    imgui.pop_style_color(1 + pushed)
    imgui.pop_style_var()
    if tooltip and imgui.is_item_hovered():
        imgui.set_tooltip(tooltip)
    return clicked


hex_rgba = rgba_hex  # the one "#rrggbbaa" formatter (annoview.instances)


def section_title(fonts: Any, text: str) -> None:
    from imgui_bundle import imgui

    imgui.push_font(fonts.bold, 0.0)
    imgui.text(text)
    imgui.pop_font()
