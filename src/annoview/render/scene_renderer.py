"""Scene -> pixels: keeps one PaletteTexture per resolved context and applies the legend's
edits (`annoview.scene.legend`: hidden classes, color changes, one highlighted class, per-class
sizes, classes whose labels are off) to palettes only, and the color-by mode to the renderer (with
each object's entity color for "by entity"). The viewer and `annoview screenshot` both draw scenes
through this.
"""
from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from ..annotations import default_entity_color
from ..scene.legend import ClassEdits, edited_palette, keypoint_entries
from ..scene.model import Scene
from .camera import Camera2D, Camera3D
from .offscreen import scene_bounds
from .palette import PaletteTexture
from .renderer import FrameResult, Renderer


class SceneRenderer:
    """Renders Scenes with a Renderer, managing palette textures across frames."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.edits = ClassEdits()
        self._palettes: dict[Hashable, PaletteTexture] = {}
        self._applied: dict[Hashable, int] = {}
        self._object_colors = np.zeros((1, 4), np.uint8)    # row = object id: its entity's color

    def palettes_for(self, scene: Scene) -> dict[Hashable, PaletteTexture]:
        for key, ctx in scene.contexts.items():
            tex = self._palettes.get(key)
            if tex is None:
                tex = self._palettes[key] = PaletteTexture(self.renderer.ctx, ctx.palette(), keypoint_entries(ctx))
                self._applied.pop(key, None)
            if self._applied.get(key) != self.edits.generation:
                self._apply_edits(tex, ctx, scene.context_owner.get(key))
                self._applied[key] = self.edits.generation
            tex.sync()
        for key in [k for k in self._palettes if k not in scene.contexts]:
            if len(self._palettes) > 64:  # keep a few around for scrubbing back and forth
                self._palettes.pop(key).release()
                self._applied.pop(key, None)
        return {k: self._palettes[k] for k in scene.contexts}

    def _apply_edits(self, tex: PaletteTexture, ctx, owner: str | None) -> None:
        edited = edited_palette(ctx, owner, self.edits)
        tex.set_colors(edited.colors)
        tex.set_hidden(set(edited.hidden))
        tex.set_highlight(edited.highlight)
        tex.set_class_styles(edited.styles)
        tex.set_labels_off(edited.labels_off)

    def _apply_view(self, scene: Scene) -> None:
        """The color-by mode, and for "by entity" the entity color of every object id (new
        object ids only: they are stable across frames)."""
        self.renderer.color_by = self.edits.color_by
        if self.edits.color_by != "entity":
            return
        objects = scene.objects        # objects are built only for ids not seen before
        ids = objects.ids() if hasattr(objects, "ids") else np.fromiter(objects, np.int64)
        if not len(ids):
            return
        table = self._object_colors
        top = int(ids.max())
        if top >= len(table):
            table = np.concatenate([table, np.zeros((top + 1 - len(table), 4), np.uint8)])
        new = ids[table[ids, 3] == 0].tolist()
        for oid in new:
            table[oid] = default_entity_color(scene.objects[oid].entity)
        if new or table is not self._object_colors:
            self._object_colors = table
            self.renderer.set_object_colors(table)

    def render_2d(self, scene: Scene, size: tuple[int, int], camera: Camera2D | None = None) -> tuple[FrameResult, Camera2D]:
        if camera is None:
            camera = fit_2d(scene, size)
        self._apply_view(scene)
        return self.renderer.render_2d(scene.visuals_2d, camera, size, self.palettes_for(scene), view="2d"), camera

    def render_3d(self, scene: Scene, size: tuple[int, int], camera: Camera3D | None = None) -> tuple[FrameResult, Camera3D]:
        if camera is None:
            camera = fit_3d(scene, size)
        self._apply_view(scene)
        return self.renderer.render_3d(scene.visuals_3d, camera, size, self.palettes_for(scene), view="3d"), camera

    def release(self) -> None:
        for tex in self._palettes.values():
            tex.release()
        self._palettes.clear()


def fit_2d(scene: Scene, size: tuple[int, int]) -> Camera2D:
    bounds = scene_bounds(scene.visuals_2d) or (np.zeros(2), np.array(size, np.float64))
    return Camera2D.fit(bounds[0], bounds[1], size=size)


def fit_3d(scene: Scene, size: tuple[int, int] | None = None) -> Camera3D:
    return fit_3d_camera(scene_bounds(scene.visuals_3d), size, view_up(scene))


def fit_3d_camera(bounds: tuple[np.ndarray, np.ndarray] | None, size: tuple[int, int] | None,
                  up: np.ndarray | None = None) -> Camera3D:
    """The one framing of 3D content, shared by `annoview screenshot` and the viewer: the
    content's bounds (a unit cube around the origin when empty), up from the scene's
    ViewCoordinates (z when it has none)."""
    bmin, bmax = bounds if bounds is not None else (np.full(3, -1.0), np.full(3, 1.0))
    return Camera3D.fit(bmin, bmax, size, up="z" if up is None else up)


def view_up(scene: Scene | None) -> np.ndarray | None:
    """The world up direction a scene's ViewCoordinates name (None: not said)."""
    return getattr(scene, "view_up", None)
