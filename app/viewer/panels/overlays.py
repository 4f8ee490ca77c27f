"""Floating overlays: the hover tooltips (with the image/mask magnifier) and the loading card."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import theme
from ..hover import InstanceInfo
from ..magnifier import LayerValue, Magnified
from .common import swatch, vec4

MAGNIFY_PX = 6.0          # screen points per texel in the magnifier (x UI scale)

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


class MagnifierTexture:
    """The small RGBA texture the magnifier patch is uploaded to (nearest filtering: one
    texel is one crisp square)."""

    def __init__(self, ctx: Any, gui: Any) -> None:
        self.ctx = ctx
        self.gui = gui
        self.tex: Any = None
        self._last: bytes | None = None

    def upload(self, patch: np.ndarray) -> int:
        import moderngl

        h, w = patch.shape[:2]
        if self.tex is None or self.tex.size != (w, h):
            self.release()
            self.tex = self.ctx.texture((w, h), 4, dtype="f1")
            self.tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self.tex.repeat_x = self.tex.repeat_y = False
        data = np.ascontiguousarray(patch, np.uint8).tobytes()
        if data != self._last:
            self.tex.write(data)
            self._last = data
        return int(self.tex.glo)

    def release(self) -> None:
        if self.tex is not None:
            self.gui.forget(self.tex.glo)
            self.tex.release()
            self.tex = None
            self._last = None


def draw_pixel_tooltip(app: "App", info: InstanceInfo, mag: Magnified, texture: MagnifierTexture) -> None:
    """Hovering an image or mask: the texels around the cursor enlarged (nearest, a crosshair on
    the hovered one), next to the class under the cursor and the values of every image-like
    layer there (a mask's class, the RGB of the image underneath, a depth value)."""
    from imgui_bundle import imgui

    imgui.begin_tooltip()
    imgui.push_font(app.fonts.bold, 0.0)
    imgui.text(info.entity)
    imgui.pop_font()
    imgui.text_disabled(f"{info.archetype}  pixel ({mag.center[0]}, {mag.center[1]})")
    n = mag.patch.shape[0]
    cell = MAGNIFY_PX * app.ui_scale
    glo = texture.upload(mag.patch)
    imgui.image(imgui.ImTextureRef(glo), imgui.ImVec2(n * cell, n * cell))
    lo = imgui.get_item_rect_min()
    _crosshair(imgui, imgui.get_window_draw_list(), lo.x + mag.radius * cell, lo.y + mag.radius * cell, cell)
    imgui.same_line()
    imgui.begin_group()
    scene = app.active.scene if app.active is not None else None
    for i, layer in enumerate(mag.layers):
        if layer.object_id != info.object_id:     # another layer at this point: name it
            imgui.spacing()
            imgui.text_disabled(layer.entity)
        _layer_line(imgui, layer, info, scene, i)
    imgui.end_group()
    imgui.end_tooltip()


def _layer_line(imgui: Any, layer: LayerValue, info: InstanceInfo, scene: Any, i: int) -> None:
    """A swatch of what the layer paints there and its value (with the class label for a mask)."""
    swatch(f"##mag{i}", layer.color, tooltip=False)
    imgui.same_line()
    if layer.kind == "segmentation":
        cid = int(layer.value[0])
        if layer.object_id == info.object_id and info.class_id == cid:
            label = info.class_label
        else:
            ctx = scene.contexts.get(layer.palette_key) if scene is not None else None
            label = ctx.class_label(cid) if ctx is not None else None
        imgui.text(f"class {cid}  {label or ''}".rstrip())
        if layer.color[3] == 0:
            imgui.text_colored(vec4(theme.TEXT_DIM), "not drawn (transparent or hidden class)")
        elif layer.opacity < 1.0:
            imgui.text_colored(vec4(theme.TEXT_DIM), f"opacity {layer.opacity:g}")
    else:
        imgui.text(layer.describe())


def _crosshair(imgui: Any, dl: Any, x: float, y: float, cell: float) -> None:
    """A box around the hovered texel and four short ticks out of it (dark under light, so it
    reads on any color)."""
    arm = 2.0 * cell
    cx, cy = x + cell / 2, y + cell / 2
    for color, width in (((0, 0, 0, 0.85), 3.0), ((1, 1, 1, 1), 1.2)):
        col = imgui.get_color_u32(imgui.ImVec4(*color))
        dl.add_rect(imgui.ImVec2(x - 1, y - 1), imgui.ImVec2(x + cell + 1, y + cell + 1), col, 0.0, width)
        for (ax, ay), (bx, by) in (((x - 1 - arm, cy), (x - 1, cy)), ((x + cell + 1, cy), (x + cell + 1 + arm, cy)),
                                   ((cx, y - 1 - arm), (cx, y - 1)), ((cx, y + cell + 1), (cx, y + cell + 1 + arm))):
            dl.add_line(imgui.ImVec2(ax, ay), imgui.ImVec2(bx, by), col, width)


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
