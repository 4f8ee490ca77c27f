"""Scene -> pixels: keeps one PaletteTexture per resolved context and applies the legend's
edits (hidden classes, color changes, one highlighted class) to palettes only.

Edits are keyed by the context's owner entity (None = entities without a context), so they
survive a context that changes over time.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

from annoview.render import Camera2D, Camera3D, FrameResult, PaletteTexture, Renderer, scene_bounds
from annoview.scene import Scene


@dataclass
class ClassEdits:
    """What the user changed in the legend, per context owner entity."""

    hidden: set[tuple[str | None, int]] = field(default_factory=set)
    colors: dict[tuple[str | None, int], tuple[int, int, int, int]] = field(default_factory=dict)
    highlight: tuple[str | None, int] | None = None
    solo: tuple[str | None, int] | None = None
    generation: int = 0

    def touch(self) -> None:
        self.generation += 1


class SceneRenderer:
    """Renders Scenes with a Renderer, managing palette textures across frames."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.edits = ClassEdits()
        self._palettes: dict[Hashable, PaletteTexture] = {}
        self._applied: dict[Hashable, int] = {}

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
        base = ctx.palette().copy()
        for (o, cid), rgba in self.edits.colors.items():
            if o == owner:
                base[cid] = rgba
        tex.set_colors(base)
        hidden = {cid for (o, cid) in self.edits.hidden if o == owner}
        if self.edits.solo is not None:
            o, cid = self.edits.solo
            if o == owner:
                hidden = set(range(65536)) - {cid}
        tex.set_hidden(hidden)
        h = self.edits.highlight
        tex.set_highlight(h[1] if h is not None and h[0] == owner else None)

    def render_2d(self, scene: Scene, size: tuple[int, int], camera: Camera2D | None = None) -> tuple[FrameResult, Camera2D]:
        if camera is None:
            camera = fit_2d(scene, size)
        return self.renderer.render_2d(scene.visuals_2d, camera, size, self.palettes_for(scene), view="2d"), camera

    def render_3d(self, scene: Scene, size: tuple[int, int], camera: Camera3D | None = None) -> tuple[FrameResult, Camera3D]:
        if camera is None:
            camera = fit_3d(scene, size)
        return self.renderer.render_3d(scene.visuals_3d, camera, size, self.palettes_for(scene), view="3d"), camera

    def release(self) -> None:
        for tex in self._palettes.values():
            tex.release()
        self._palettes.clear()


def keypoint_entries(ctx) -> list[tuple]:
    """Keypoint table entries; a keypoint without its own color gets rgba None when its class has
    one, so it follows the class color when the user recolors the class in the legend."""
    out = []
    for cid in sorted(ctx.classes):
        entry = ctx.classes[cid]
        for kid in sorted(entry.keypoints):
            label, color = entry.keypoints[kid]
            rgba = None if color is None and entry.color is not None else ctx.keypoint_color(cid, kid)
            out.append((cid, kid, rgba, ctx.keypoint_label(cid, kid)))
    return out


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
