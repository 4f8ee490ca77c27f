"""Entity tree panel: hierarchy, a visibility toggle per entity (children follow), a mark on
entities holding an AnnotationContext, click to select.

Rows come from `EntityModel.rows()` (only rows under expanded nodes) and are drawn through
imgui's ListClipper, so a frame costs the same with 100 or 100,000 entities: only the rows on
screen are submitted, and collapsed or hidden subtrees are never visited.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import theme
from .common import icon_button, vec4

if TYPE_CHECKING:
    from ..app import App
    from ..recording import Recording

WINDOW = "Entities###entities"


class EntityPanel:
    def __init__(self, app: "App") -> None:
        self.app = app
        self.filter = ""
        self.rows_drawn = 0                        # rows submitted last frame (tests, benchmark)
        self.row_rects: dict[str, tuple[float, float, float, float]] = {}    # rows on screen
        self.eye_rects: dict[str, tuple[float, float, float, float]] = {}    # their visibility toggles
        self._scroll_to: str | None = None
        self._summary: dict[str, str] = {}
        self._summary_gen = -1
        self._filtered: list | None = None
        self._filtered_key: tuple | None = None

    def scroll_to(self, path: str) -> None:
        """Reveal `path` (expand its ancestors) and scroll it into view next frame."""
        self._scroll_to = path

    def draw(self, rec: "Recording | None") -> None:
        from imgui_bundle import icons_fontawesome_6 as fa
        from imgui_bundle import imgui

        self.row_rects = {}
        self.eye_rects = {}
        self.rows_drawn = 0
        if rec is None:
            imgui.text_disabled("No recording open")
            return
        model = rec.entities
        imgui.set_next_item_width(-1)
        _, self.filter = imgui.input_text_with_hint("##filter", f"{fa.ICON_FA_MAGNIFYING_GLASS}  Filter entities", self.filter)
        if self._summary_gen != rec.seen_generation:
            self._summary.clear()
            self._summary_gen = rec.seen_generation
        rows = self._rows(rec)
        flat = bool(self.filter.strip())
        imgui.begin_child("##tree", imgui.ImVec2(0, 0), 0, 0)
        row_h = imgui.get_frame_height()
        if self._scroll_to is not None:
            target = self._scroll_to
            self._scroll_to = None
            idx = model.reveal(target) if not flat else next(
                (i for i, r in enumerate(rows) if r.node.path == target), None)
            rows = self._rows(rec)
            if idx is not None:       # scroll only when the row is off screen
                y = idx * (row_h + imgui.get_style().item_spacing.y)
                top, height = imgui.get_scroll_y(), imgui.get_window_height()
                if not top <= y <= top + height - row_h:
                    imgui.set_scroll_y(max(0.0, y - height / 3))
        imgui.push_style_var(imgui.StyleVar_.item_spacing, imgui.ImVec2(4, imgui.get_style().item_spacing.y))
        clipper = imgui.ListClipper()
        clipper.begin(len(rows), row_h + imgui.get_style().item_spacing.y)
        while clipper.step():
            for i in range(clipper.display_start, clipper.display_end):
                self._row(rec, rows[i], i, flat, fa, imgui)
        clipper.end()
        imgui.pop_style_var()
        if not rows:
            imgui.text_disabled("No entities match" if flat else "No entities yet")
        imgui.end_child()

    def _rows(self, rec: "Recording") -> list:
        text = self.filter.strip().lower()
        if not text:
            return rec.entities.rows()
        key = (text, rec.entities.shape_generation, rec.id)
        if key != self._filtered_key:
            from ..entity_model import Row

            self._filtered_key = key
            nodes = [n for n in rec.entities.tree.root.walk() if n.has_data and text in n.path.lower()]
            self._filtered = [Row(n, 0) for n in nodes]
        return self._filtered or []

    def _row(self, rec: "Recording", row: Any, index: int, flat: bool, fa: Any, imgui: Any) -> None:
        node = row.node
        path = node.path
        model = rec.entities
        self.rows_drawn += 1
        imgui.push_id(path)
        x0 = imgui.get_cursor_pos_x()
        indent = 0.0 if flat else row.depth * imgui.get_style().indent_spacing
        imgui.set_cursor_pos_x(x0 + indent)
        start = imgui.get_cursor_screen_pos()
        arrow_w = imgui.get_font_size() + 4
        if node.children and not flat:
            expanded = path in model.expanded
            if icon_button(fa.ICON_FA_CARET_DOWN if expanded else fa.ICON_FA_CARET_RIGHT, "exp", "", dim=True):
                model.set_expanded(path, not expanded)
        else:
            imgui.dummy(imgui.ImVec2(arrow_w, imgui.get_frame_height()))
        imgui.same_line()
        own_hidden = path in model.hidden
        by_parent = model.hidden_by_ancestor(path)
        eye = fa.ICON_FA_EYE_SLASH if own_hidden else fa.ICON_FA_EYE
        if icon_button(eye, "vis", "Show" if own_hidden else "Hide (with everything below)", dim=own_hidden or by_parent):
            model.set_visible(path, own_hidden)
        lo, hi = imgui.get_item_rect_min(), imgui.get_item_rect_max()
        self.eye_rects[path] = (lo.x, lo.y, hi.x - lo.x, hi.y - lo.y)
        imgui.same_line()
        sel = rec.selection is not None and rec.selection.entity == path
        name = path if flat else ("/" if path == "/" else node.name)
        faded = own_hidden or by_parent or not node.has_data
        if faded:
            imgui.push_style_color(imgui.Col_.text, vec4(theme.TEXT_DIM))
        clicked, _ = imgui.selectable(f"{name}##sel", sel, imgui.SelectableFlags_.allow_overlap,
                                      imgui.ImVec2(0, imgui.get_frame_height()))
        if faded:
            imgui.pop_style_color()
        if clicked:
            self.app.select_entity(rec, path, scroll=False)
        if imgui.is_item_hovered() and imgui.is_mouse_double_clicked(0) and node.children:
            model.set_expanded(path, path not in model.expanded)
        # the context mark and a dim summary, right after the name
        summary = self._summary_of(rec, path)
        imgui.same_line()
        if path in model.contexts:
            imgui.text_colored(vec4(theme.ACCENT), fa.ICON_FA_PALETTE)
            if imgui.is_item_hovered():
                imgui.set_tooltip("Holds an AnnotationContext (used by this entity and everything below)")
            imgui.same_line()
        if summary:
            imgui.text_colored(vec4((0.45, 0.47, 0.50, 1.0)), summary)
        else:
            imgui.new_line()
        end = imgui.get_item_rect_max()
        self.row_rects[path] = (start.x, start.y, end.x - start.x, imgui.get_frame_height())
        imgui.pop_id()

    def _summary_of(self, rec: "Recording", path: str) -> str:
        s = self._summary.get(path)
        if s is None:
            archs = rec.store.archetypes(path)
            archs.pop("AnnotationContext", None)
            s = self._summary[path] = ", ".join(sorted(archs))
        return s
