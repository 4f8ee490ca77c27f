"""The 2D and 3D view panels: show the renderer's framebuffer, drive the camera, pick.

A view re-renders only when its inputs change: the scene (time, data, visibility, options),
the camera, the legend edits or the panel's pixel size; otherwise last frame's texture is shown
again (on llvmpipe a re-render costs milliseconds, showing a texture almost nothing).

Sizes: the panel is measured in window coordinates; the framebuffer is rendered at
window size x framebuffer scale, so a HiDPI screen gets sharp pixels. Mouse positions are
converted the same way before picking.

Cameras: None in `recording.cameras[space]` means "fit the content" (it refits as the panel
resizes or content grows); the first pan/zoom/orbit turns it into a user camera. Double-click
(or the toolbar button) goes back to fitting.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from annoview.render import Camera2D, scene_bounds
from annoview.render.scene_renderer import fit_3d_camera, view_up

from . import theme
from .hover import InstanceInfo, describe
from .magnifier import Magnified, magnify

if TYPE_CHECKING:
    from .app import App
    from .recording import Recording

CLICK_SLOP_PX = 3.0
ZOOM_STEP = 1.15
ORBIT_RAD_PER_PX = 0.008


class ViewPanel:
    """One view (space "2d" or "3d") drawn inside the current imgui window."""

    def __init__(self, app: "App", space: str) -> None:
        self.app = app
        self.space = space
        self.renders = 0                    # how often the framebuffer was re-rendered
        self.frame: Any = None              # FrameResult of the last render
        self.tex_glo: int | None = None
        self.camera_used: Any = None        # the camera of the last render (fitted or user)
        self.screen_rect = (0.0, 0.0, 0.0, 0.0)  # x, y, w, h in window coordinates
        self.px_size = (1, 1)
        self.hover: InstanceInfo | None = None
        self.hover_pixel: tuple[int, int] | None = None
        self.magnified: Magnified | None = None   # image/mask hover: the patch and the values
        self._key: tuple | None = None
        self._pick_key: tuple | None = None
        self._bounds: dict[int, tuple[np.ndarray, np.ndarray]] = {}   # per recording: content seen so far
        self._bounds_key: dict[int, Any] = {}

    # ---- content ----------------------------------------------------------------------------
    def visuals(self, rec: "Recording") -> list:
        scene = rec.scene
        if scene is None:
            return []
        return scene.visuals_2d if self.space == "2d" else scene.visuals_3d

    def has_content(self, rec: "Recording | None") -> bool:
        return rec is not None and bool(self.visuals(rec))

    def _content_bounds(self, rec: "Recording") -> tuple[np.ndarray, np.ndarray] | None:
        """Union of the bounds of the scenes shown since the last reset (a fitted view does not
        jump around as objects move; Rerun fits the same way), restarted from the current
        scene when the union has grown past twice the current content's size: one stray frame
        seen while scrubbing must not leave the view (and its grid) zoomed out for good."""
        if self._bounds_key.get(rec.id) is not rec.scene:
            self._bounds_key[rec.id] = rec.scene
            b = scene_bounds(self.visuals(rec))
            if b is not None:
                prev = self._bounds.get(rec.id)
                if prev is not None and len(prev[0]) == len(b[0]):
                    union = (np.minimum(prev[0], b[0]), np.maximum(prev[1], b[1]))
                    if _diagonal(union) <= 2.0 * max(_diagonal(b), 1e-9):
                        b = union
                self._bounds[rec.id] = b
        return self._bounds.get(rec.id)

    def reset_camera(self, rec: "Recording") -> None:
        rec.cameras[self.space] = None
        self._bounds.pop(rec.id, None)
        self._bounds_key.pop(rec.id, None)

    def _fitted(self, rec: "Recording", px: tuple[int, int]) -> Any:
        bounds = self._content_bounds(rec)
        if self.space == "2d":
            if bounds is None:
                return Camera2D.pixel_exact(*px)
            return Camera2D.fit(bounds[0], bounds[1], size=px)
        return fit_3d_camera(bounds, px, view_up(rec.scene))

    def current_camera(self, rec: "Recording", px: tuple[int, int]) -> Any:
        cam = rec.cameras.get(self.space)
        if cam is None:
            return self._fitted(rec, px)
        if self.space == "2d" and cam.size != px:
            _resize_2d(cam, px)
        return cam

    # ---- drawing ----------------------------------------------------------------------------
    def draw(self, rec: "Recording | None") -> None:
        from imgui_bundle import imgui

        app = self.app
        avail = imgui.get_content_region_avail()
        w, h = max(1.0, float(avail.x)), max(1.0, float(avail.y))
        sx, sy = app.fb_scale
        px = (max(1, int(round(w * sx))), max(1, int(round(h * sy))))
        pos = imgui.get_cursor_screen_pos()
        self.screen_rect = (pos.x, pos.y, w, h)
        self.px_size = px
        dl = imgui.get_window_draw_list()
        imgui.set_next_item_allow_overlap()
        buttons = imgui.ButtonFlags_.mouse_button_left | imgui.ButtonFlags_.mouse_button_right | \
            imgui.ButtonFlags_.mouse_button_middle
        imgui.invisible_button(f"##view{self.space}", imgui.ImVec2(w, h), buttons)
        hovered = imgui.is_item_hovered()
        active = imgui.is_item_active()
        deactivated = imgui.is_item_deactivated()
        if rec is None or not self.has_content(rec):
            self.hover = None
            dl.add_rect_filled(pos, imgui.ImVec2(pos.x + w, pos.y + h), imgui.get_color_u32(_col(theme.VIEW_BG)))
            self._empty_hint(rec, pos, w, h)
            return
        io = imgui.get_io()
        if hovered or active:
            self._camera_input(rec, px, pos, io, hovered, active)
        cam = self.current_camera(rec, px)
        self._render(rec, cam, px)
        dl.add_image(imgui.ImTextureRef(self.tex_glo), pos, imgui.ImVec2(pos.x + w, pos.y + h),
                     imgui.ImVec2(0, 1), imgui.ImVec2(1, 0))
        self._update_hover(rec, pos, io, hovered)
        if deactivated and io.mouse_drag_max_distance_sqr[0] <= CLICK_SLOP_PX ** 2 and \
                imgui.is_mouse_released(imgui.MouseButton_.left):
            app.select_instance(rec, self.hover)
        self._overlays(rec, dl, pos, w, h)
        self._toolbar(rec, pos, w, hovered)
        if self.hover is not None and hovered and not imgui.is_any_mouse_down():
            app.draw_hover_tooltip(self.hover, self.magnified)

    def _render(self, rec: "Recording", cam: Any, px: tuple[int, int]) -> None:
        scenes = self.app.scene_renderer_for(rec)
        key = (rec.id, rec.scene_serial, _cam_key(cam), scenes.edits.generation, px)
        if key == self._key and self.tex_glo is not None:
            return
        if self.space == "2d":
            frame, _ = scenes.render_2d(rec.scene, px, cam)
        else:
            frame, _ = scenes.render_3d(rec.scene, px, cam)
        self.frame = frame
        self.tex_glo = frame.display_texture().glo
        self.camera_used = cam
        self._key = key
        self._pick_key = None
        self.renders += 1

    # ---- input ------------------------------------------------------------------------------
    def _camera_input(self, rec: "Recording", px: tuple[int, int], pos: Any, io: Any, hovered: bool,
                      active: bool) -> None:
        from imgui_bundle import imgui

        sx, sy = self.app.fb_scale
        if hovered and imgui.is_mouse_double_clicked(imgui.MouseButton_.left):
            self.reset_camera(rec)
            return
        delta = io.mouse_delta
        wheel = io.mouse_wheel if hovered else 0.0
        dragging = active and (delta.x != 0 or delta.y != 0) and any(
            imgui.is_mouse_dragging(b, CLICK_SLOP_PX) for b in (0, 1, 2))
        if not dragging and wheel == 0:
            return
        cam = rec.cameras.get(self.space)
        if cam is None:   # the first interaction turns the fitted camera into a user camera
            cam = rec.cameras[self.space] = copy.deepcopy(self.current_camera(rec, px))
        if self.space == "2d":
            if cam.size != px:
                _resize_2d(cam, px)
            if dragging:
                cam.pan(delta.x * sx, delta.y * sy, px)
            if wheel:
                anchor = ((io.mouse_pos.x - pos.x) * sx, (io.mouse_pos.y - pos.y) * sy)
                cam.zoom(ZOOM_STEP ** wheel, anchor, px)
        else:
            if dragging and imgui.is_mouse_down(imgui.MouseButton_.left):
                cam.orbit(-delta.x * ORBIT_RAD_PER_PX, delta.y * ORBIT_RAD_PER_PX)
            elif dragging:
                cam.pan(delta.x * sx, delta.y * sy, px)
            if wheel:
                cam.zoom(ZOOM_STEP ** wheel)

    def _update_hover(self, rec: "Recording", pos: Any, io: Any, hovered: bool) -> None:
        if not hovered or self.frame is None or rec.scene is None:
            self.hover = None
            self.hover_pixel = None
            self.magnified = None
            self._pick_key = None
            return
        sx, sy = self.app.fb_scale
        fx = int((io.mouse_pos.x - pos.x) * sx)
        fy = int((io.mouse_pos.y - pos.y) * sy)
        key = (self.renders, fx, fy)
        if key == self._pick_key:
            return
        self._pick_key = key
        self.hover_pixel = (fx, fy)
        pick = self.frame.pick(fx, fy)
        edits = self.app.scene_renderer_for(rec).edits
        self.hover = None if pick is None else describe(rec.scene, pick, self.app.visuals_by_object(rec), edits.colors,
                                                        edits.color_by)
        self.magnified = self._magnify(rec, self.hover)

    def _magnify(self, rec: "Recording", info: InstanceInfo | None) -> Magnified | None:
        """The magnifier patch for a hovered image or mask pixel of the 2D view."""
        if info is None or info.pixel is None or self.space != "2d" or rec.scene is None:
            return None
        scene = rec.scene
        palettes = self.app.scene_renderer_for(rec).palettes_for(scene)

        def colors_for(key: Any) -> np.ndarray | None:
            tex = palettes.get(key)
            return None if tex is None else tex.effective_colors()

        names = {oid: obj.entity for oid, obj in scene.objects.items()}
        return magnify(scene.visuals_2d, info.object_id, info.pixel, colors_for, names,
                       background=theme.VIEW_BG[:3])

    # ---- overlays ---------------------------------------------------------------------------
    def to_screen(self, point: Any, cam: Any | None = None) -> tuple[float, float] | None:
        """Scene coordinates -> window coordinates of this view (None: behind the camera)."""
        cam = cam or self.camera_used
        if cam is None:
            return None
        x0, y0, w, h = self.screen_rect
        sx, sy = self.app.fb_scale
        p = np.asarray(point, np.float64)
        if self.space == "2d":
            q = cam.scene_to_pixel(p[:2], self.px_size)
            return (x0 + float(q[0]) / sx, y0 + float(q[1]) / sy)
        v = cam.view_proj(self.px_size) @ np.append(p[:3] if len(p) >= 3 else np.pad(p, (0, 3 - len(p))), 1.0)
        if v[3] <= 1e-9:
            return None
        ndc = v[:3] / v[3]
        return (x0 + (ndc[0] + 1) / 2 * w, y0 + (1 - ndc[1]) / 2 * h)

    def _overlays(self, rec: "Recording", dl: Any, pos: Any, w: float, h: float) -> None:
        from imgui_bundle import imgui

        dl.push_clip_rect(pos, imgui.ImVec2(pos.x + w, pos.y + h), True)
        sel = rec.selection
        if sel is not None and sel.object_id is not None and sel.instance is not None:
            self._mark(rec, dl, sel.object_id, sel.instance, theme.ACCENT)
        if self.hover is not None:
            self._mark(rec, dl, self.hover.object_id, self.hover.instance, (1.0, 1.0, 1.0, 0.95))
        dl.pop_clip_rect()

    def _mark(self, rec: "Recording", dl: Any, object_id: int, instance: int, color: tuple) -> None:
        """Outline one instance: a ring around a point, the box, the strip, or the pixel."""
        from imgui_bundle import imgui

        scene = rec.scene
        obj = scene.objects.get(object_id) if scene is not None else None
        if obj is None:
            return
        model = self._model_of(rec, object_id)
        to_screen = self.to_screen if model is None else (lambda p: self.to_screen(_apply(model, p)))
        col = imgui.get_color_u32(_col(color))
        shadow = imgui.get_color_u32(_col((0, 0, 0, 0.6)))
        vis = self.app.visuals_by_object(rec).get(object_id)
        if obj.kind in ("image", "segmentation"):
            if self.space != "2d" or vis is None:
                return
            arr = vis.ids if obj.kind == "segmentation" else vis.image
            wpx = arr.shape[1]
            x, y = instance % wpx, instance // wpx
            a, b = to_screen((x, y)), to_screen((x + 1, y + 1))
            if a and b and (b[0] - a[0]) >= 3:
                dl.add_rect(imgui.ImVec2(*a), imgui.ImVec2(*b), shadow, 0.0, 3.0)
                dl.add_rect(imgui.ImVec2(*a), imgui.ImVec2(*b), col, 0.0, 1.5)
            return
        if obj.kind == "boxes" and getattr(vis, "mins", None) is not None and instance < len(vis.mins):   # 2D boxes
            mn = vis.mins[instance]
            mx = mn + vis.sizes[instance]
            a, b = to_screen(mn), to_screen(mx)
            if a and b:
                dl.add_rect(imgui.ImVec2(a[0] - 2, a[1] - 2), imgui.ImVec2(b[0] + 2, b[1] + 2), shadow, 0.0, 4.0)
                dl.add_rect(imgui.ImVec2(a[0] - 2, a[1] - 2), imgui.ImVec2(b[0] + 2, b[1] + 2), col, 0.0, 2.0)
            return
        if obj.kind == "lines":
            strips = obj.components.get("strips")
            if strips is not None and instance < len(strips):
                pts = [to_screen(p) for p in np.asarray(strips[instance], np.float64)]
                pts = [imgui.ImVec2(*p) for p in pts if p is not None]
                if len(pts) >= 2:
                    dl.add_polyline(pts, shadow, 6.0, 0)
                    dl.add_polyline(pts, col, 3.0, 0)
            return
        if obj.positions is None:
            return
        pos = np.asarray(obj.positions)
        if obj.kind == "connections" and obj.pairs is not None and instance < len(obj.pairs):
            a, b = (to_screen(pos[i]) for i in obj.pairs[instance])
            if a and b:
                dl.add_line(imgui.ImVec2(*a), imgui.ImVec2(*b), shadow, 6.0)
                dl.add_line(imgui.ImVec2(*a), imgui.ImVec2(*b), col, 3.0)
            return
        if instance < len(pos):
            p = to_screen(pos[instance])
            if p:
                dl.add_circle(imgui.ImVec2(*p), 8.0, shadow, 0, 4.0)
                dl.add_circle(imgui.ImVec2(*p), 8.0, col, 0, 2.0)

    def _model_of(self, rec: "Recording", object_id: int) -> np.ndarray | None:
        """The model transform this view draws the object with (None: untransformed)."""
        for v in self.visuals(rec):
            if v.object_id == object_id and v.transform is not None:
                return v.transform
        return None

    def _toolbar(self, rec: "Recording", pos: Any, w: float, hovered: bool = False) -> None:
        from imgui_bundle import icons_fontawesome_6 as fa
        from imgui_bundle import imgui

        fitted = rec.cameras.get(self.space) is None
        label = f"{fa.ICON_FA_EXPAND}##fit{self.space}" if self.space == "2d" else f"{fa.ICON_FA_ROTATE_LEFT}##reset{self.space}"
        imgui.set_cursor_screen_pos(imgui.ImVec2(pos.x + w - 30, pos.y + 6))
        imgui.push_style_color(imgui.Col_.button, imgui.ImVec4(0.1, 0.1, 0.11, 0.75))
        imgui.begin_disabled(fitted and self.space == "2d")   # 3D: also refits to the content shown now
        if imgui.small_button(label):
            self.reset_camera(rec)
        imgui.end_disabled()
        imgui.pop_style_color()
        if imgui.is_item_hovered(imgui.HoveredFlags_.allow_when_disabled):
            imgui.set_tooltip("Fit to content (double-click)" if self.space == "2d" else "Reset camera (double-click)")
        hint = ("drag: pan   wheel: zoom   double-click: fit" if self.space == "2d"
                else "left drag: orbit   right drag: pan   wheel: zoom")
        dl = imgui.get_window_draw_list()
        size = imgui.calc_text_size(hint)
        # only while the pointer is over the view, on its own dark plate: never over content otherwise
        if hovered and self.hover is None and size.x < w - 50:   # no room: no hint
            lo = imgui.ImVec2(pos.x + 4, pos.y + 3)
            dl.add_rect_filled(lo, imgui.ImVec2(lo.x + size.x + 8, lo.y + size.y + 6),
                               imgui.get_color_u32(_col((0.06, 0.06, 0.07, 0.8))), 3.0)
            dl.add_text(imgui.ImVec2(pos.x + 8, pos.y + 6), imgui.get_color_u32(_col((1, 1, 1, 0.6))), hint)

    def _empty_hint(self, rec: "Recording | None", pos: Any, w: float, h: float) -> None:
        from imgui_bundle import imgui

        if rec is None:
            text = "Open a recording: File > Open, drop a file here, or stream to this viewer"
        elif rec.loading:
            return            # the loading card says it
        else:
            text = f"No {self.space.upper()} content at this time"
        lines = wrap_words(text, max(w - 24.0, 40.0), lambda t: imgui.calc_text_size(t).x)
        line_h = imgui.get_text_line_height_with_spacing()
        y = pos.y + (h - line_h * len(lines)) / 2
        color = imgui.get_color_u32(_col(theme.TEXT_DIM))
        for i, line in enumerate(lines):   # centered, wrapped at words: never clipped at the sides
            lw = imgui.calc_text_size(line).x
            imgui.get_window_draw_list().add_text(imgui.ImVec2(pos.x + max((w - lw) / 2, 4.0), y + i * line_h),
                                                  color, line)


def wrap_words(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap: lines no wider than `width` by `measure`, except a single word that is
    wider on its own."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _cam_key(cam: Any) -> tuple:
    if isinstance(cam, Camera2D):
        return ("2d", cam.x0, cam.y0, cam.x1, cam.y1)
    return cam.key()


def _apply(m: np.ndarray, p: Any) -> np.ndarray:
    """A model matrix applied to one 2D or 3D point (2D: z = 0)."""
    q = np.asarray(p, np.float64).reshape(-1)
    q3 = np.pad(q[:3], (0, 3 - min(len(q), 3)))
    return m[:3, :3] @ q3 + m[:3, 3]


def _resize_2d(cam: Camera2D, px: tuple[int, int]) -> None:
    """Keep the scale and center of a user camera when its panel changes size."""
    if cam.size is None:
        cam.size = px
        return
    ow, oh = cam.size
    cx, cy = (cam.x0 + cam.x1) / 2, (cam.y0 + cam.y1) / 2
    ux = (cam.x1 - cam.x0) / max(ow, 1)
    uy = (cam.y1 - cam.y0) / max(oh, 1)
    cam.x0, cam.x1 = cx - px[0] * ux / 2, cx + px[0] * ux / 2
    cam.y0, cam.y1 = cy - px[1] * uy / 2, cy + px[1] * uy / 2
    cam.size = px


def _col(rgba: tuple) -> Any:
    from imgui_bundle import imgui

    if len(rgba) == 4 and any(isinstance(c, int) and c > 1 for c in rgba):
        return imgui.ImVec4(*(c / 255.0 for c in rgba))
    return imgui.ImVec4(*rgba)


def _diagonal(bounds: tuple[np.ndarray, np.ndarray]) -> float:
    return float(np.linalg.norm(np.asarray(bounds[1], np.float64) - np.asarray(bounds[0], np.float64)))
