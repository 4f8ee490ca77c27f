"""Look: fonts (Roboto + Font Awesome icons, Inconsolata for values) and a dark theme.

Fonts come from imgui-bundle's own assets so nothing extra ships with annoview; if they are
missing imgui's built-in font is used. Sizes scale with the monitor's content scale (HiDPI).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

BASE_FONT_SIZE = 15.0

# Accent and semantic colors (RGBA 0-1), shared by panels that draw custom widgets
ACCENT = (0.26, 0.56, 0.98, 1.0)
ACCENT_DIM = (0.20, 0.40, 0.70, 1.0)
TEXT_DIM = (0.58, 0.60, 0.64, 1.0)
WARN = (0.98, 0.74, 0.25, 1.0)
ERROR = (0.95, 0.35, 0.35, 1.0)
OK = (0.40, 0.80, 0.45, 1.0)
VIEW_BG = (18, 18, 20, 255)
# The window is cleared with the panel color and docked windows draw no background of their own
# (imgui skips fully transparent fills): on llvmpipe every full-window blended fill costs ~7 ms,
# so not drawing two of them per frame halves the frame time. Floating windows get their
# background back through `set_next_window_bg_alpha`.
PANEL_RGB = (0.105, 0.110, 0.122)


@dataclass
class Fonts:
    regular: Any = None
    bold: Any = None
    mono: Any = None


def _assets() -> str:
    import imgui_bundle

    return os.path.join(os.path.dirname(imgui_bundle.__file__), "assets", "fonts")


def load_fonts(imgui: Any) -> Fonts:
    """Regular text with icons merged in, a bold face for headers, a monospace face for values."""
    io = imgui.get_io()
    root = _assets()
    fonts = Fonts()
    regular = os.path.join(root, "Roboto", "Roboto-Regular.ttf")
    bold = os.path.join(root, "Roboto", "Roboto-Bold.ttf")
    mono = os.path.join(root, "Inconsolata-Medium.ttf")
    icons = os.path.join(root, "Font_Awesome_6_Free-Solid-900.otf")
    try:
        fonts.regular = io.fonts.add_font_from_file_ttf(regular, BASE_FONT_SIZE)
        _merge_icons(imgui, io, icons)
        fonts.bold = io.fonts.add_font_from_file_ttf(bold, BASE_FONT_SIZE)
        _merge_icons(imgui, io, icons)
        fonts.mono = io.fonts.add_font_from_file_ttf(mono, BASE_FONT_SIZE)
    except (RuntimeError, OSError):
        fonts = Fonts(io.fonts.add_font_default())
    fonts.bold = fonts.bold or fonts.regular
    fonts.mono = fonts.mono or fonts.regular
    return fonts


def _merge_icons(imgui: Any, io: Any, path: str) -> None:
    if not os.path.exists(path):
        return
    cfg = imgui.ImFontConfig()
    cfg.merge_mode = True
    cfg.glyph_min_advance_x = BASE_FONT_SIZE          # icons line up in columns
    cfg.glyph_offset = imgui.ImVec2(0, 1)
    io.fonts.add_font_from_file_ttf(path, BASE_FONT_SIZE * 0.85, cfg)


def apply_style(imgui: Any, scale: float = 1.0) -> None:
    """A dark, low-contrast theme with one blue accent (close to Rerun's look)."""
    imgui.style_colors_dark()
    style = imgui.get_style()
    style.window_rounding = 0.0
    style.child_rounding = 3.0
    style.frame_rounding = 3.0
    style.popup_rounding = 4.0
    style.grab_rounding = 3.0
    style.tab_rounding = 3.0
    style.scrollbar_rounding = 6.0
    style.window_border_size = 0.0
    style.frame_border_size = 0.0
    style.popup_border_size = 1.0
    style.window_padding = imgui.ImVec2(8, 8)
    style.frame_padding = imgui.ImVec2(6, 3)
    style.item_spacing = imgui.ImVec2(6, 4)
    style.item_inner_spacing = imgui.ImVec2(5, 4)
    style.indent_spacing = 14.0
    style.scrollbar_size = 12.0
    style.grab_min_size = 10.0
    style.window_menu_button_position = imgui.Dir.none
    style.docking_separator_size = 2.0
    C = imgui.Col_
    bg = (0.075, 0.078, 0.086, 1.0)
    panel = (*PANEL_RGB, 1.0)
    raised = (0.155, 0.162, 0.180, 1.0)
    hover = (0.205, 0.215, 0.240, 1.0)
    active = (0.250, 0.265, 0.300, 1.0)
    colors = {
        C.text: (0.88, 0.89, 0.91, 1.0),
        C.text_disabled: (0.45, 0.47, 0.50, 1.0),
        C.window_bg: (*PANEL_RGB, 0.0),
        C.child_bg: (0, 0, 0, 0),
        C.popup_bg: (0.125, 0.130, 0.145, 0.98),
        C.border: (0.20, 0.21, 0.24, 1.0),
        C.frame_bg: raised,
        C.frame_bg_hovered: hover,
        C.frame_bg_active: active,
        C.title_bg: bg,
        C.title_bg_active: bg,
        C.title_bg_collapsed: bg,
        C.menu_bar_bg: bg,
        C.scrollbar_bg: (0, 0, 0, 0),
        C.scrollbar_grab: (0.25, 0.26, 0.29, 1.0),
        C.scrollbar_grab_hovered: (0.32, 0.33, 0.37, 1.0),
        C.scrollbar_grab_active: (0.38, 0.40, 0.45, 1.0),
        C.check_mark: ACCENT,
        C.slider_grab: ACCENT_DIM,
        C.slider_grab_active: ACCENT,
        C.button: raised,
        C.button_hovered: hover,
        C.button_active: active,
        C.header: (0.20, 0.32, 0.50, 0.55),
        C.header_hovered: (0.24, 0.38, 0.60, 0.50),
        C.header_active: (0.26, 0.45, 0.75, 0.60),
        C.separator: (0.18, 0.19, 0.21, 1.0),
        C.separator_hovered: ACCENT_DIM,
        C.separator_active: ACCENT,
        C.resize_grip: (0, 0, 0, 0),
        C.tab: bg,
        C.tab_hovered: hover,
        C.tab_selected: panel,
        C.tab_selected_overline: ACCENT,
        C.tab_dimmed: bg,
        C.tab_dimmed_selected: panel,
        C.tab_dimmed_selected_overline: (0, 0, 0, 0),
        C.docking_preview: (0.26, 0.56, 0.98, 0.45),
        C.docking_empty_bg: (*PANEL_RGB, 0.0),
        C.plot_histogram: ACCENT,
        C.table_header_bg: (0.13, 0.135, 0.15, 1.0),
        C.table_border_strong: (0.20, 0.21, 0.24, 1.0),
        C.table_border_light: (0.16, 0.17, 0.19, 1.0),
        C.table_row_bg_alt: (1, 1, 1, 0.025),
        C.text_selected_bg: (0.26, 0.56, 0.98, 0.35),
        C.nav_cursor: ACCENT,
        # imgui dims behind a modal inside the dock host's draw list, under our docked panels:
        # only part of the screen would darken, so no dimming (the modal has a border instead)
        C.modal_window_dim_bg: (0, 0, 0, 0.0),
    }
    for col, rgba in colors.items():
        style.set_color_(col, imgui.ImVec4(*rgba))
    if scale != 1.0:
        style.scale_all_sizes(scale)
        style.font_scale_dpi = scale
