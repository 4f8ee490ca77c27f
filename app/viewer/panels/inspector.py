"""Inspector: the selected entity or instance, every component value, and how its class and
keypoint were resolved (label, color, and which entity's AnnotationContext was used)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from annoview.annotations import find_context_entity
from annoview.render import PickResult
from annoview.scene.visuals import SegmentationVisual
from annoview.types.display import short_value

from ..hover import InstanceInfo, describe, format_value, packed_color_hex
from .common import dim_text, hex_rgba, section_title, swatch
from .legend import flow_items

if TYPE_CHECKING:
    from ..app import App
    from ..recording import Recording

WINDOW = "Inspector###inspector"


def selected_info(app: "App", rec: "Recording") -> InstanceInfo | None:
    """The selected instance resolved against the current scene (None: not present now)."""
    sel = rec.selection
    if sel is None or sel.object_id is None or sel.instance is None or rec.scene is None:
        return None
    obj = rec.scene.objects.get(sel.object_id)
    if obj is None or obj.entity != sel.entity:
        return None
    edits = app.scene_renderer_for(rec).edits
    return describe(rec.scene, PickResult(sel.object_id, sel.instance, None, None), app.visuals_by_object(rec),
                    edits.colors, edits.color_by)


def recorded_component_rows(store: Any, path: str, timeline: str | None, t: int | None) -> list[tuple[str, str]]:
    """(component, short raw value) of the entity's generic Rerun components at the cursor: the
    archetypes annoview records but does not draw with its own kinds (Transform3D, TextLog, ...)."""
    rows = []
    for name, ref in sorted(store.latest_at(path, timeline, t).items()):
        if not ref.chunk.is_generic(name):
            continue
        md = ref.chunk.batch.schema.field(name).metadata or {}
        ctype = md.get(b"rerun:component_type", b"").decode("utf-8", "replace")
        rows.append((name, short_value(ref.value, 160, ctype)))
    return rows


def class_info(scene: Any, key: tuple[str | None, int]) -> dict[str, Any] | None:
    """What the inspector shows for an annotation class, None when no context of the scene has
    it: label, color, keypoints [(id, label)], connections ["a - b"], and the entities whose
    objects draw the class at this time (sorted)."""
    owner, cid = key
    ctx_key = next((k for k, o in scene.context_owner.items() if o == owner), None)
    if ctx_key is None and owner is None:
        ctx_key = next((k for k in scene.contexts if k not in scene.context_owner), None)
    ctx = scene.contexts.get(ctx_key) if ctx_key is not None else None
    if ctx is None:
        return None
    entry = ctx.classes.get(cid)
    if entry is None and not scene.class_counts.get(ctx_key, {}).get(cid):
        return None
    kps = sorted(entry.keypoints) if entry is not None else []
    name = lambda k: ctx.keypoint_label(cid, k) or str(k)  # noqa: E731
    masks = {v.object_id: v.ids for v in scene.visuals_2d if isinstance(v, SegmentationVisual)}
    entities = set()
    for obj in scene.objects.values():
        if obj.palette_key != ctx_key or obj.entity in entities:
            continue
        ids = masks.get(obj.object_id) if obj.kind == "segmentation" else obj.class_ids
        if ids is not None and (np.asarray(ids) == cid).any():
            entities.add(obj.entity)
    return {"label": entry.label if entry is not None else None, "color": ctx.class_color(cid),
            "keypoints": [(k, ctx.keypoint_label(cid, k)) for k in kps],
            "connections": [f"{name(a)} - {name(b)}" for a, b in (entry.connections if entry is not None else [])],
            "entities": sorted(entities)}


class InspectorPanel:
    def __init__(self, app: "App") -> None:
        self.app = app
        self.context_link_rect: tuple[float, float, float, float] | None = None   # tests click it
        self._recorded_key: tuple | None = None
        self._recorded: list[tuple[str, str]] = []
        self._class_key: tuple | None = None
        self._class_info: dict[str, Any] | None = None

    def draw(self, rec: "Recording | None") -> None:
        from imgui_bundle import imgui

        self.context_link_rect = None
        if rec is None or rec.selection is None:
            imgui.push_text_wrap_pos(0.0)   # narrow panels wrap it instead of clipping it
            imgui.text_disabled("Click an entity, an instance or a class to inspect it")
            imgui.pop_text_wrap_pos()
            return
        sel = rec.selection
        if sel.class_key is not None:
            self._class(rec, sel.class_key, imgui)
            return
        section_title(self.app.fonts, sel.entity)
        info = selected_info(self.app, rec)
        if sel.instance is not None:
            if info is None:
                dim_text(f"instance {sel.instance}: not present at this time")
            else:
                self._instance(rec, info, imgui)
        self._entity(rec, sel.entity, imgui)

    def _kv_table(self, imgui: Any, id_: str) -> bool:
        flags = imgui.TableFlags_.sizing_stretch_prop | imgui.TableFlags_.row_bg | imgui.TableFlags_.borders_inner_h
        if imgui.begin_table(id_, 2, flags):
            imgui.table_setup_column("k", imgui.TableColumnFlags_.width_fixed, 90)
            imgui.table_setup_column("v", imgui.TableColumnFlags_.width_stretch)
            return True
        return False

    def _row(self, imgui: Any, key: str) -> None:
        imgui.table_next_row()
        imgui.table_next_column()
        dim_text(key)
        imgui.table_next_column()

    def _instance(self, rec: "Recording", info: InstanceInfo, imgui: Any) -> None:
        mono = self.app.fonts.mono
        if not self._kv_table(imgui, "##inst"):
            return
        self._row(imgui, "archetype")
        imgui.text(info.archetype + ("  (skeleton line)" if info.kind == "connections" else ""))
        if info.pixel is not None:
            self._row(imgui, "pixel")
            imgui.text(f"x {info.pixel[0]}, y {info.pixel[1]}")
            if info.pixel_value is not None and info.kind == "image":
                self._row(imgui, "value")
                imgui.text(", ".join(str(v) for v in info.pixel_value))
        else:
            self._row(imgui, "instance")
            imgui.text(str(info.instance))
        if info.class_id is not None:
            self._row(imgui, "class")
            swatch("##cc", info.class_color or (0, 0, 0, 0))
            imgui.same_line()
            imgui.text(f"{info.class_id}  {info.class_label or '(no label)'}")
        if info.keypoint_id is not None:
            self._row(imgui, "keypoint")
            if info.keypoint_color is not None:
                swatch("##kc", info.keypoint_color)
                imgui.same_line()
            imgui.text(f"{info.keypoint_id}  {info.keypoint_label or '(no label)'}")
        if info.label and info.kind != "segmentation":
            self._row(imgui, "label")
            imgui.text(info.label)
        if info.color is not None:
            self._row(imgui, "color" if info.colored_by == "class" else f"color (by {info.colored_by})")
            swatch("##dc", info.color)
            imgui.same_line()
            imgui.push_font(mono, 0.0)
            imgui.text(hex_rgba(info.color))
            imgui.pop_font()
        if info.position is not None:
            self._row(imgui, "position")
            imgui.push_font(mono, 0.0)
            imgui.text(format_value(list(info.position)))
            imgui.pop_font()
        self._row(imgui, "context")
        if info.context_entity is not None:
            clicked = imgui.text_link(f"{info.context_entity}##ctx")
            lo, hi = imgui.get_item_rect_min(), imgui.get_item_rect_max()
            self.context_link_rect = (lo.x, lo.y, hi.x - lo.x, hi.y - lo.y)
            if clicked:
                self.app.select_entity(rec, info.context_entity)
            if imgui.is_item_hovered():
                imgui.set_tooltip("The AnnotationContext that resolved this instance; click to select")
        else:
            dim_text("none (auto colors)")
        imgui.end_table()
        if info.components:
            imgui.spacing()
            section_title(self.app.fonts, "Components")
            if self._kv_table(imgui, "##comps"):
                for name in sorted(info.components):
                    value = info.components[name]
                    self._row(imgui, name)
                    hexc = packed_color_hex(value) if name == "colors" else None
                    imgui.push_font(mono, 0.0)
                    imgui.text_wrapped(hexc or format_value(value, 200))
                    imgui.pop_font()
                imgui.end_table()

    def _class(self, rec: "Recording", key: tuple[str | None, int], imgui: Any) -> None:
        """An annotation class: label, color, keypoints, connections, and the entities drawing it now."""
        owner, cid = key
        cache_key = (id(rec.scene), rec.scene_serial, key)
        if cache_key != self._class_key:   # resolved once per scene, not once per frame
            self._class_key = cache_key
            self._class_info = class_info(rec.scene, key) if rec.scene is not None else None
        info = self._class_info
        section_title(self.app.fonts, f"Class {cid}" + (f"  {info['label']}" if info and info["label"] else ""))
        if info is None:
            dim_text("this class is not in any context at this time")
            return
        if not self._kv_table(imgui, "##cls"):
            return
        self._row(imgui, "label")
        imgui.text(info["label"] or "(no label)")
        self._row(imgui, "color")
        swatch("##clc", info["color"])
        imgui.same_line()
        imgui.push_font(self.app.fonts.mono, 0.0)
        imgui.text(hex_rgba(info["color"]))
        imgui.pop_font()
        self._row(imgui, "context")
        if owner is None:
            dim_text("none (auto colors)")
        elif imgui.text_link(f"{owner}##clctx"):
            self.app.select_entity(rec, owner)
        self._row(imgui, "keypoints")
        # wrapped between items only: "3 left_ear" or "left_knee - left_hip" never splits
        flow_items([f"{k} {lbl}" if lbl else str(k) for k, lbl in info["keypoints"]] or ["none"], imgui)
        self._row(imgui, "connections")
        flow_items(info["connections"] or ["none"], imgui, sep=";")
        self._row(imgui, "used by")
        if not info["entities"]:
            dim_text("no entity at this time")
        for path in info["entities"]:
            if imgui.text_link(f"{path}##clent"):
                self.app.select_entity(rec, path)
        imgui.end_table()

    def _entity(self, rec: "Recording", path: str, imgui: Any) -> None:
        imgui.spacing()
        section_title(self.app.fonts, "Entity")
        store = rec.store
        if not self._kv_table(imgui, "##ent"):
            return
        archs = store.archetypes(path)
        self._row(imgui, "path")
        imgui.text(path)
        self._row(imgui, "archetypes")
        imgui.text_wrapped(", ".join(f"{a} ({n} rows)" for a, n in sorted(archs.items())) or "none (a path only)")
        owner = find_context_entity(path, rec.entities.contexts.__contains__)
        self._row(imgui, "context")
        if owner is None:
            dim_text("none (auto colors)")
        elif imgui.text_link(f"{owner}##ectx"):
            self.app.select_entity(rec, owner)
        self._row(imgui, "visible")
        imgui.text("yes" if rec.entities.is_visible(path) else "no (hidden in the entity tree)")
        imgui.end_table()
        key = (id(store), store.generation, path, rec.time.timeline, rec.time.time)
        if key != self._recorded_key:  # formatted once per change, not once per frame
            self._recorded_key = key
            self._recorded = recorded_component_rows(store, path, rec.time.timeline, rec.time.time)
        recorded = self._recorded
        if recorded:
            imgui.spacing()
            section_title(self.app.fonts, "Recorded components (raw)")
            if self._kv_table(imgui, "##raw"):
                for name, text in recorded:
                    self._row(imgui, name.split(":", 1)[1])
                    if imgui.is_item_hovered():
                        imgui.set_tooltip(name)
                    imgui.push_font(self.app.fonts.mono, 0.0)
                    imgui.text_wrapped(text)
                    imgui.pop_font()
                imgui.end_table()
