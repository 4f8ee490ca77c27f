"""What is under the cursor (or selected), in words: pick record + scene -> InstanceInfo.

Pure data, no imgui: the tooltip, the inspector and the tests all read the same InstanceInfo.
Picking gives (object id, instance, class id, keypoint id); the scene knows which entity and
archetype an object id stands for and holds the per-instance arrays; the resolved context of
that entity gives labels and colors. Legend edits (recolored classes) are applied so the colors
shown match the pixels.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annoview.instances import broadcast_last, last_value_index, packed_hex
from annoview.render import PickResult
from annoview.scene import Scene, SceneObject
from annoview.scene.legend import view_color

RGBA = tuple[int, int, int, int]


@dataclass
class InstanceInfo:
    entity: str
    archetype: str
    kind: str
    object_id: int
    instance: int
    class_id: int | None = None
    class_label: str | None = None
    class_color: RGBA | None = None
    keypoint_id: int | None = None
    keypoint_label: str | None = None
    keypoint_color: RGBA | None = None
    label: str | None = None                 # the instance's own label (explicit or annotation)
    color: RGBA | None = None                # the color it is drawn with
    position: tuple[float, ...] | None = None
    pixel: tuple[int, int] | None = None     # images: pixel column, row
    pixel_value: tuple[int, ...] | None = None
    context_entity: str | None = None        # whose AnnotationContext resolved it
    palette_key: Hashable = None
    components: dict[str, Any] = field(default_factory=dict)   # this instance's values
    connection: tuple[int, int] | None = None  # skeleton line: the two keypoint ids
    colored_by: str = "class"                # the view's color-by mode when not by class

    def title(self) -> str:
        return f"{self.entity}  [{self.instance}]" if self.pixel is None else f"{self.entity}  ({self.pixel[0]}, {self.pixel[1]})"


def describe(scene: Scene, pick: PickResult, visuals: dict[int, Any],
             edited_colors: dict[tuple[str | None, int], RGBA] | None = None,
             color_by: str = "class") -> InstanceInfo | None:
    """The InstanceInfo for a pick record, None when the object is not in this scene. With the
    view colored by entity or instance, `color` is that color (what the pixels show)."""
    obj = scene.objects.get(pick.object_id)
    if obj is None:
        return None
    ctx = scene.contexts.get(obj.palette_key)
    owner = scene.context_owner.get(obj.palette_key)
    edited = edited_colors or {}
    i = int(pick.instance)
    info = InstanceInfo(entity=obj.entity, archetype=obj.archetype, kind=obj.kind, object_id=obj.object_id,
                        instance=i, context_entity=obj.context_entity, palette_key=obj.palette_key)
    cid = pick.class_id
    kid = pick.keypoint_id
    if obj.kind in ("image", "segmentation"):
        vis = visuals.get(obj.object_id)
        arr = None if vis is None else (getattr(vis, "ids", None) if obj.kind == "segmentation" else getattr(vis, "image", None))
        if arr is not None:
            w = arr.shape[1]
            x, y = i % w, i // w
            info.pixel = (int(x), int(y))
            if 0 <= y < arr.shape[0]:
                v = np.atleast_1d(arr[y, x])
                info.pixel_value = tuple(int(c) if arr.dtype.kind in "iu" else float(c) for c in v)
                if obj.kind == "segmentation" and cid is None:
                    cid = int(v[0])
        info.instance = i
    else:
        info.position = _position(obj, i)
        info.components = instance_components(obj, i)
        if obj.labels and i < len(obj.labels):
            info.label = obj.labels[i]
        if obj.colors is not None and i < len(obj.colors):
            info.color = tuple(int(c) for c in obj.colors[i])  # type: ignore[assignment]
        if cid is None and obj.class_ids is not None and i < len(obj.class_ids):
            cid = int(obj.class_ids[i])
        if kid is None and obj.keypoint_ids is not None and i < len(obj.keypoint_ids):
            kid = int(obj.keypoint_ids[i])
        if obj.kind == "connections" and obj.pairs is not None and i < len(obj.pairs):
            kps = broadcast_last(obj.components.get("keypoint_ids"), len(obj.positions) if obj.positions is not None else 0)
            if kps is not None and len(kps):
                a, b = (int(v) for v in obj.pairs[i])
                info.connection = (int(kps[a]), int(kps[b]))
            kid = None
    if cid is not None and ctx is not None:
        info.class_id = int(cid)
        info.class_label = ctx.class_label(cid)
        info.class_color = edited.get((owner, int(cid)), ctx.class_color(cid))
        if kid is not None:
            info.keypoint_id = int(kid)
            info.keypoint_label = ctx.keypoint_label(cid, kid) if ctx.has_keypoint(cid, kid) else None
            info.keypoint_color = ctx.keypoint_color(cid, kid)
        if obj.kind == "segmentation":
            info.color = info.class_color
    elif kid is not None:
        info.keypoint_id = int(kid)
    if info.connection is not None and ctx is not None and cid is not None:
        a, b = info.connection
        info.label = f"{_kp_name(ctx, cid, a)} - {_kp_name(ctx, cid, b)}"
    if obj.kind not in ("image", "segmentation"):
        shown = view_color(color_by, obj.entity, i)
        if shown is not None:
            info.color, info.colored_by = shown, color_by
    return info


def _kp_name(ctx: Any, cid: int, kid: int) -> str:
    return (ctx.keypoint_label(cid, kid) if ctx.has_keypoint(cid, kid) else None) or str(kid)


def _position(obj: SceneObject, i: int) -> tuple[float, ...] | None:
    if obj.positions is None:
        return None
    pos = np.asarray(obj.positions)
    if obj.kind == "connections" and obj.pairs is not None and i < len(obj.pairs):
        a, b = obj.pairs[i]
        return tuple(float(v) for v in (pos[a] + pos[b]) / 2)
    if i < len(pos):
        return tuple(float(v) for v in pos[i])
    return None


def instance_components(obj: SceneObject, i: int) -> dict[str, Any]:
    """Each component's value for instance i: per-instance arrays are indexed (shorter ones
    repeat their last value, as rule 3 broadcasts), single values shown as they are."""
    out: dict[str, Any] = {}
    n = len(obj.positions) if obj.positions is not None else None
    for name, value in obj.components.items():
        try:
            seq = list(value) if value is not None and not isinstance(value, (str, bytes, dict)) else None
        except TypeError:
            seq = None
        if seq is not None and n is not None and len(seq) > 1 and obj.kind != "connections":
            out[name] = seq[last_value_index(i, len(seq))]
        elif seq is not None and len(seq) == 1:
            out[name] = seq[0]
        else:
            out[name] = value
    return out


def format_value(value: Any, limit: int = 80) -> str:
    """A component value as one short line for the inspector."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, (list, tuple)) and value and all(isinstance(v, float) for v in value):
        text = "(" + ", ".join(f"{v:.4g}" for v in value) + ")"
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def packed_color_hex(value: Any) -> str | None:
    """A packed 0xRRGGBBAA component value as #rrggbbaa, else None."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return packed_hex(value)
    return None
