"""Annotations legend: the classes of every context in effect for visible entities.

Per class: visibility, labels on/off, solo, a color picker, id, label, how many instances the
current frame holds, and a size popup (point radius and line thickness scales). On top, the views'
labels option (auto / on / off) and "color by" mode (class / entity / instance). All of it edits `SceneRenderer.edits` (`annoview.scene.legend.ClassEdits`, keyed by
the context's owner entity, each setter announcing its change), which rewrites palette textures only, so a change shows in the next frame without touching geometry.
Hovering a class row highlights that class in the views. Keypoints and skeleton connections
of a class expand under it. Segmentation entities get their display options here too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import theme
from .common import dim_text, icon_button, swatch, vec4

if TYPE_CHECKING:
    from ..app import App
    from ..recording import Recording

WINDOW = "Annotations###legend"
CLIP_ABOVE = 256    # contexts with more classes than this (and no keypoints) draw through a clipper


class LegendPanel:
    def __init__(self, app: "App") -> None:
        self.app = app
        self.hovered_class: tuple[str | None, int] | None = None   # set while drawing
        self.row_rects: dict[tuple[str | None, int], tuple[float, float, float, float]] = {}
        # (entity, option); also ("class:OWNER:ID", "labels") and ("view", "labels")
        self.option_rects: dict[tuple[str, str], tuple[float, float, float, float]] = {}
        self.control_rects: dict[tuple, tuple[float, float, float, float]] = {}  # ("color_by", mode), ("size", key)...

    def draw(self, rec: "Recording | None") -> None:
        from imgui_bundle import imgui

        self.hovered_class = None
        self.row_rects = {}
        self.option_rects = {}
        self.control_rects = {}
        if rec is None or rec.scene is None:
            imgui.text_disabled("No recording open")
            return
        scene = rec.scene
        edits = self.app.scene_renderer_for(rec).edits
        row = imgui.get_content_region_avail().x
        self._labels_mode(rec, imgui)     # the two view options share a row when it is wide enough
        style = imgui.get_style()
        need = sum(imgui.calc_text_size(t).x for t in ("Labels", "Color by")) + 62 + 76 + 5 * style.item_spacing.x
        if row >= need:
            imgui.same_line()
        self._color_by(edits, imgui)
        keys = sorted(scene.contexts, key=lambda k: (scene.context_owner.get(k) is None, str(scene.context_owner.get(k))))
        shown = 0
        for key in keys:
            ctx = scene.contexts[key]
            owner = scene.context_owner.get(key)
            counts = scene.class_counts.get(key, {})
            if owner is None and not counts:
                continue          # entities without class ids: nothing to list
            shown += 1
            self._context(rec, key, ctx, owner, counts, edits, imgui)
        if scene.segmentation_entities:
            self._segmentation(rec, imgui)
        if not shown and not scene.segmentation_entities:
            imgui.text_disabled("No annotated classes in view")
        if edits.any:
            imgui.spacing()
            if imgui.button("Reset all class edits"):
                edits.reset()

    def _color_by(self, edits: Any, imgui: Any) -> None:
        """The view's coloring: annotation classes, each entity's default color, or each instance."""
        from annoview.scene.legend import COLOR_BY

        tips = {"class": "Annotation colors: explicit colors, else the class (and keypoint) colors",
                "entity": "Each entity in its own color (e.g. tracked people of one class)",
                "instance": "Each instance index in its own auto color"}
        imgui.align_text_to_frame_padding()
        imgui.text("Color by")
        imgui.same_line()
        pos = imgui.get_cursor_screen_pos()
        imgui.set_next_item_width(76)
        self.control_rects[("color_by",)] = (pos.x, pos.y, 76.0, imgui.get_frame_height())
        if imgui.begin_combo("##colorby", edits.color_by):
            for mode in COLOR_BY:
                if imgui.selectable(mode, edits.color_by == mode)[0]:
                    edits.set_color_by(mode)
                self._remember_control(("color_by", mode), imgui)
                if imgui.is_item_hovered():
                    imgui.set_tooltip(tips[mode])
            imgui.end_combo()
        elif imgui.is_item_hovered():
            imgui.set_tooltip(tips[edits.color_by])
        if edits.color_by != "class":     # keep the legend truthful: its swatches are not what is drawn
            imgui.push_style_color(imgui.Col_.text, vec4(theme.TEXT_DIM))
            imgui.text_wrapped(f"Points, lines and boxes are colored by {edits.color_by}; "
                               "the swatches below are the class colors.")
            imgui.pop_style_color()
        imgui.spacing()

    def _labels_mode(self, rec: "Recording", imgui: Any) -> None:
        """The views' labels option (ViewOptions.labels): auto (as Rerun), on, off."""
        from annoview.scene.model import LABEL_MODES

        imgui.align_text_to_frame_padding()
        imgui.text("Labels")
        imgui.same_line()
        imgui.set_next_item_width(62)
        changed, idx = imgui.combo("##labelsmode", LABEL_MODES.index(rec.options.labels), list(LABEL_MODES))
        self._remember("view", "labels", imgui)
        if imgui.is_item_hovered():
            imgui.set_tooltip("Labels in the views. auto: as Rerun (entities with fewer than 30 instances, or "
                              "show_labels); on: every instance (labels that would overlap are left out); off: none")
        if changed and LABEL_MODES[idx] != rec.options.labels:
            rec.options.labels = LABEL_MODES[idx]
            rec.touch_options()

    # ---- one context ------------------------------------------------------------------------
    def _context(self, rec: "Recording", key: Any, ctx: Any, owner: str | None, counts: dict[int, int],
                 edits: Any, imgui: Any) -> None:
        from imgui_bundle import icons_fontawesome_6 as fa

        title = f"{fa.ICON_FA_PALETTE}  {owner}" if owner is not None else f"{fa.ICON_FA_PALETTE}  Auto colors (no context)"
        open_ = imgui.collapsing_header(f"{title}###ctx{owner}", imgui.TreeNodeFlags_.default_open)
        if imgui.is_item_hovered():
            imgui.set_tooltip(f"Classes of the AnnotationContext logged at {owner}" if owner is not None else
                              "Class ids of entities without an AnnotationContext, in Rerun's auto colors")
        if not open_:
            return
        class_ids = sorted(set(ctx.classes) | set(counts))
        in_view = sum(1 for c in class_ids if counts.get(c))
        dim_text(f"{len(class_ids)} class{'es' if len(class_ids) != 1 else ''}, {in_view} in view")
        if owner is not None:
            imgui.same_line()
            if imgui.text_link(f"select {fa.ICON_FA_ARROW_RIGHT}##ctxlink{owner}"):
                self.app.select_entity(rec, owner)
            if imgui.is_item_hovered():
                imgui.set_tooltip(f"Select {owner} in the entity tree")
        has_kp = any(ctx.classes[c].keypoints or ctx.classes[c].connections for c in ctx.classes)
        flags = (imgui.TableFlags_.row_bg | imgui.TableFlags_.borders_inner_h | imgui.TableFlags_.sizing_fixed_fit |
                 imgui.TableFlags_.pad_outer_x)
        if not imgui.begin_table(f"##classes{owner}", 7, flags):
            return
        imgui.table_setup_column("##vis", imgui.TableColumnFlags_.width_fixed)
        imgui.table_setup_column("##color", imgui.TableColumnFlags_.width_fixed)
        imgui.table_setup_column("id", imgui.TableColumnFlags_.width_fixed)
        imgui.table_setup_column("label", imgui.TableColumnFlags_.width_stretch)
        imgui.table_setup_column("n", imgui.TableColumnFlags_.width_fixed)
        imgui.table_setup_column("##solo", imgui.TableColumnFlags_.width_fixed)
        imgui.table_setup_column("##size", imgui.TableColumnFlags_.width_fixed)
        if not has_kp and len(class_ids) > CLIP_ABOVE:
            clipper = imgui.ListClipper()
            clipper.begin(len(class_ids))
            while clipper.step():
                for i in range(clipper.display_start, clipper.display_end):
                    self._class_row(rec, ctx, owner, class_ids[i], counts, edits, imgui, fa)
            clipper.end()
        else:
            for cid in class_ids:
                self._class_row(rec, ctx, owner, cid, counts, edits, imgui, fa)
        imgui.end_table()

    def _class_row(self, rec: "Recording", ctx: Any, owner: str | None, cid: int, counts: dict[int, int],
                   edits: Any, imgui: Any, fa: Any) -> None:
        k = (owner, cid)
        entry = ctx.classes.get(cid)
        imgui.table_next_row()
        imgui.push_id(f"c{cid}")
        # visibility
        imgui.table_next_column()
        hidden = k in edits.hidden
        by_solo = edits.solo is not None and edits.solo != k     # another class is soloed: this one is not drawn
        tip = ("Hidden: another class is soloed (click its target icon to show all)" if by_solo and not hidden
               else "Show class" if hidden else "Hide class")
        if icon_button(fa.ICON_FA_EYE_SLASH if hidden or by_solo else fa.ICON_FA_EYE, "vis", tip,
                       dim=hidden or by_solo):
            edits.set_hidden(k, not hidden)
        row_min = imgui.get_item_rect_min()
        # color
        imgui.table_next_column()
        base = ctx.class_color(cid)
        rgba = edits.colors.get(k, base)
        self._color_picker(k, rgba, base, edits, imgui)
        # id
        imgui.table_next_column()
        imgui.push_font(self.app.fonts.mono, 0.0)
        imgui.text(str(cid))
        imgui.pop_font()
        # label (tree node when the class has keypoints)
        imgui.table_next_column()
        label = (entry.label if entry is not None else None)
        text = label if label else ("(not in context)" if entry is None and owner is not None else "")
        kp_open = False
        if entry is not None and (entry.keypoints or entry.connections):
            selected = imgui.TreeNodeFlags_.selected if self._is_selected(rec, k) else 0
            kp_open = imgui.tree_node_ex(f"{text}##tn", imgui.TreeNodeFlags_.span_all_columns |
                                         imgui.TreeNodeFlags_.allow_overlap | selected)
            if imgui.is_item_clicked() and not imgui.is_item_toggled_open():
                self.app.select_class(rec, k)
        else:
            if not label:
                imgui.push_style_color(imgui.Col_.text, vec4(theme.TEXT_DIM))
            if imgui.selectable(f"{text}##lbl", self._is_selected(rec, k),
                                imgui.SelectableFlags_.span_all_columns | imgui.SelectableFlags_.allow_overlap)[0]:
                self.app.select_class(rec, k)
            if not label:
                imgui.pop_style_color()
        if imgui.is_item_hovered(imgui.HoveredFlags_.allow_when_overlapped_by_item):
            self.hovered_class = k
        # instances in this frame
        imgui.table_next_column()
        n = counts.get(cid, 0)
        if n:
            imgui.text(str(n))
        else:
            imgui.text_disabled("0")
        if imgui.is_item_hovered():
            imgui.set_tooltip(f"{n} instance{'s' if n != 1 else ''} of this class at the current time "
                              "(a mask counts once per class present)")
        # labels on/off, solo
        imgui.table_next_column()
        labels_off = k in edits.labels_off
        if icon_button(fa.ICON_FA_TAG, "lbl", "Show this class's labels" if labels_off else
                       "Hide this class's labels (its points and lines stay)", dim=labels_off):
            edits.set_labels_off(k, not labels_off)
        self._remember(f"class:{k[0]}:{k[1]}", "labels", imgui)
        imgui.same_line(0.0, 2.0)
        solo = edits.solo == k
        if icon_button(fa.ICON_FA_BULLSEYE, "solo", "Show only this class" if not solo else "Show all classes",
                       active=solo, dim=not solo):
            edits.set_solo(None if solo else k)
        imgui.table_next_column()
        self._size_popup(k, edits, imgui, fa)
        row_max = imgui.get_item_rect_max()
        self.row_rects[k] = (row_min.x, row_min.y, row_max.x - row_min.x, row_max.y - row_min.y)
        if kp_open:
            self._keypoints(ctx, cid, entry, imgui)
            imgui.tree_pop()
        imgui.pop_id()

    def _color_picker(self, k: tuple[str | None, int], rgba: tuple, base: tuple, edits: Any, imgui: Any) -> None:
        flags = (imgui.ColorEditFlags_.no_inputs | imgui.ColorEditFlags_.no_label | imgui.ColorEditFlags_.alpha_preview_half |
                 imgui.ColorEditFlags_.alpha_bar)
        changed, col = imgui.color_edit4("##color", [c / 255.0 for c in rgba], flags)
        if changed:
            edits.set_color(k, tuple(int(round(max(0.0, min(1.0, c)) * 255)) for c in col))
        if k in edits.colors and imgui.begin_popup_context_item("##reset"):
            if imgui.menu_item_simple("Reset color"):
                edits.reset_color(k)
            imgui.end_popup()

    def _size_popup(self, k: tuple[str | None, int], edits: Any, imgui: Any, fa: Any) -> None:
        """Per-class sizes: scales of the point radius and the line thickness (logged or default),
        applied on the GPU (a per-class table), so dragging them rebuilds no geometry."""
        from annoview.scene.legend import STYLE_RANGE

        radius, thickness = edits.styles.get(k, (1.0, 1.0))
        changed = k in edits.styles
        tip = (f"Sizes: points x{radius:g}, lines x{thickness:g} (click to change)" if changed
               else "Point radius and line thickness of this class")
        if icon_button(fa.ICON_FA_UP_RIGHT_AND_DOWN_LEFT_FROM_CENTER, "size", tip, active=changed, dim=not changed):
            imgui.open_popup("##sizes")
        self._remember_control(("size", k), imgui)
        if imgui.begin_popup("##sizes"):
            imgui.set_next_item_width(160)
            ch_r, r = imgui.slider_float("point radius", radius, STYLE_RANGE[0], STYLE_RANGE[1], "x%.2f",
                                         imgui.SliderFlags_.logarithmic)
            self._remember_control(("radius", k), imgui)
            imgui.set_next_item_width(160)
            ch_t, t = imgui.slider_float("line thickness", thickness, STYLE_RANGE[0], STYLE_RANGE[1], "x%.2f",
                                         imgui.SliderFlags_.logarithmic)
            self._remember_control(("thickness", k), imgui)
            if ch_r or ch_t:
                edits.set_style(k, r, t)
            if imgui.button("reset sizes"):
                edits.set_style(k, 1.0, 1.0)
            imgui.end_popup()

    def _keypoints(self, ctx: Any, cid: int, entry: Any, imgui: Any) -> None:
        for kid in sorted(entry.keypoints):
            imgui.table_next_row()
            imgui.push_id(f"k{kid}")
            imgui.table_next_column()
            imgui.table_next_column()
            swatch("##kc", ctx.keypoint_color(cid, kid))
            imgui.table_next_column()
            imgui.push_font(self.app.fonts.mono, 0.0)
            imgui.text_disabled(str(kid))
            imgui.pop_font()
            imgui.table_next_column()
            imgui.indent()
            imgui.text(ctx.keypoint_label(cid, kid) or "")
            imgui.unindent()
            imgui.pop_id()
        if entry.connections:
            imgui.table_next_row()
            imgui.table_next_column()
            imgui.table_next_column()
            imgui.table_next_column()
            imgui.table_next_column()
            imgui.indent()

            def name(k: int) -> str:
                kp = entry.keypoints.get(k)
                return kp[0] if kp is not None and kp[0] else str(k)

            dim_text(f"{len(entry.connections)} connections")
            flow_items([f"{name(a)} - {name(b)}" for a, b in entry.connections], imgui)
            imgui.unindent()

    def _is_selected(self, rec: "Recording", k: tuple[str | None, int]) -> bool:
        return rec.selection is not None and rec.selection.class_key == k

    def _option_checkbox(self, imgui: Any, rec: Any, path: str, label: str, flags: dict[str, bool], name: str) -> None:
        """One per-mask view option (ViewOptions flag); a change rebuilds the scene's options."""
        changed, value = imgui.checkbox(label, flags.get(path, False))
        self._remember(path, name, imgui)
        if changed:
            flags[path] = value
            rec.touch_options()

    def _remember_control(self, key: tuple, imgui: Any) -> None:
        lo, hi = imgui.get_item_rect_min(), imgui.get_item_rect_max()
        self.control_rects[key] = (lo.x, lo.y, hi.x - lo.x, hi.y - lo.y)

    def _remember(self, path: str, option: str, imgui: Any) -> None:
        lo, hi = imgui.get_item_rect_min(), imgui.get_item_rect_max()
        self.option_rects[(path, option)] = (lo.x, lo.y, hi.x - lo.x, hi.y - lo.y)

    # ---- segmentation options ---------------------------------------------------------------
    def _segmentation(self, rec: "Recording", imgui: Any) -> None:
        from imgui_bundle import icons_fontawesome_6 as fa

        if not imgui.collapsing_header(f"{fa.ICON_FA_LAYER_GROUP}  Segmentation###segopts", imgui.TreeNodeFlags_.default_open):
            return
        opts = rec.options
        for path in rec.scene.segmentation_entities:
            imgui.push_id(path)
            imgui.text(path)
            value = opts.seg_opacity.get(path)
            logged = logged_opacity(rec.scene, path) if value is None else None
            imgui.set_next_item_width(-60)
            shown = value if value is not None else logged if logged is not None else 0.5
            fmt = ("opacity: %.2f" if value is not None else "opacity: %.2f (logged)" if logged is not None
                   else "opacity: auto")
            changed, v = imgui.slider_float("##opacity", shown, 0.0, 1.0, fmt)
            self._remember(path, "opacity", imgui)
            if changed:
                opts.seg_opacity[path] = float(v)
                rec.touch_options()
            imgui.same_line()
            imgui.begin_disabled(value is None)
            if imgui.small_button("auto"):
                opts.seg_opacity.pop(path, None)
                rec.touch_options()
            imgui.end_disabled()
            self._option_checkbox(imgui, rec, path, "class 0 transparent", opts.seg_zero_transparent, "zero")
            imgui.same_line()
            self._option_checkbox(imgui, rec, path, "outline only", opts.seg_outline, "outline")
            imgui.spacing()
            imgui.pop_id()


def logged_opacity(scene: Any, path: str) -> float | None:
    """The opacity a segmentation entity was logged with, as the scene uses it when the view does
    not override it (None: Rerun's automatic default)."""
    from annoview.scene.visuals import SegmentationVisual

    for v in scene.visuals_2d:
        obj = scene.objects.get(v.object_id) if isinstance(v, SegmentationVisual) else None
        if obj is not None and obj.entity == path:
            return v.opacity
    return None


def flow_items(items: list[str], imgui: Any, sep: str = ",") -> None:
    """Lay out short texts left to right, wrapping only between items (a keypoint pair such as
    `left shoulder - left elbow` is never split over two lines)."""
    avail = imgui.get_content_region_avail().x
    gap = imgui.get_style().item_spacing.x
    x = 0.0
    for i, item in enumerate(items):
        text = item + (sep if i < len(items) - 1 else "")
        w = imgui.calc_text_size(text).x
        if i and x + gap + w <= avail:
            imgui.same_line(0.0, gap)
            x += gap + w
        else:
            x = w
        imgui.text(text)
