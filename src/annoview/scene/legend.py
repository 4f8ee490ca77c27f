"""The legend's edit model: what the user changed about classes, and the palettes that follow.

The viewer's legend and `annoview screenshot` share it (the renderer only receives the
resulting tables). Edits are keyed by (context owner entity, class id), the owner being the
entity whose AnnotationContext colors the class (None = entities without a context), so they
survive a context that changes over time. Every setter bumps `generation`, which is how
renderers and view caches learn that palettes must be rewritten; geometry never changes.

Besides colors and visibility, a class can be drawn bigger or smaller (`styles`: a point radius
and a line thickness scale, applied on the GPU through a per-class table), and the whole view can
be colored by class (annotation colors), by entity or by instance (`color_by`), e.g. to tell
tracked people of one class apart. docs/styling.md describes both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..annotations import ResolvedContext, auto_color, default_entity_color
from ..instances import NUM_IDS, RGBA

ClassKey = tuple[str | None, int]   # (context owner entity, class id)
ClassStyle = tuple[float, float]    # (point radius scale, line thickness scale)
COLOR_BY = ("class", "entity", "instance")
STYLE_RANGE = (0.25, 8.0)           # the scales the legend offers


@dataclass
class ClassEdits:
    """What the user changed in the legend, per context owner entity."""

    hidden: set[ClassKey] = field(default_factory=set)
    labels_off: set[ClassKey] = field(default_factory=set)    # classes whose labels are not drawn
    colors: dict[ClassKey, RGBA] = field(default_factory=dict)
    highlight: ClassKey | None = None
    solo: ClassKey | None = None
    styles: dict[ClassKey, ClassStyle] = field(default_factory=dict)
    color_by: str = "class"
    generation: int = 0

    def touch(self) -> None:
        """Announce a change made by writing the fields directly."""
        self.generation += 1

    def set_color(self, key: ClassKey, rgba: RGBA) -> None:
        self.colors[key] = tuple(int(c) for c in rgba)  # type: ignore[assignment]
        self.touch()

    def reset_color(self, key: ClassKey) -> None:
        if self.colors.pop(key, None) is not None:
            self.touch()

    def set_style(self, key: ClassKey, radius: float | None = None, thickness: float | None = None) -> None:
        """Scale the class's point radius and/or line thickness (1.0 = as logged or default)."""
        r0, t0 = self.styles.get(key, (1.0, 1.0))
        style = (r0 if radius is None else _scale(radius), t0 if thickness is None else _scale(thickness))
        if style != (r0, t0):
            if style == (1.0, 1.0):
                self.styles.pop(key, None)
            else:
                self.styles[key] = style
            self.touch()

    def set_color_by(self, mode: str) -> None:
        if mode not in COLOR_BY:
            raise ValueError(f"color by must be one of {', '.join(COLOR_BY)}, got {mode!r}")
        if mode != self.color_by:
            self.color_by = mode
            self.touch()

    def set_hidden(self, key: ClassKey, hidden: bool) -> None:
        if hidden != (key in self.hidden):
            (self.hidden.add if hidden else self.hidden.discard)(key)
            self.touch()

    def set_labels_off(self, key: ClassKey, off: bool) -> None:
        """Switch one class's labels off (its points, lines and masks stay)."""
        if off != (key in self.labels_off):
            (self.labels_off.add if off else self.labels_off.discard)(key)
            self.touch()

    def set_solo(self, key: ClassKey | None) -> None:
        if key != self.solo:
            self.solo = key
            self.touch()

    def set_highlight(self, key: ClassKey | None) -> None:
        if key != self.highlight:
            self.highlight = key
            self.touch()

    def reset(self) -> None:
        """Forget colors, sizes, hidden classes, label switches and solo (the highlight follows the
        cursor and the color-by mode is a view setting: they stay)."""
        if self.any:
            self.colors.clear()
            self.hidden.clear()
            self.styles.clear()
            self.labels_off.clear()
            self.solo = None
            self.touch()

    @property
    def any(self) -> bool:
        return bool(self.colors or self.hidden or self.styles or self.labels_off or self.solo is not None)


@dataclass(frozen=True)
class EditedPalette:
    """One context's palette after the edits of its owner: what a palette texture shows."""

    colors: np.ndarray          # (NUM_IDS, 4) uint8
    hidden: frozenset[int]
    highlight: int | None
    styles: dict[int, ClassStyle] = field(default_factory=dict)
    labels_off: frozenset[int] = frozenset()


def edited_palette(ctx: ResolvedContext, owner: str | None, edits: ClassEdits) -> EditedPalette:
    base = ctx.palette().copy()
    for (o, cid), rgba in edits.colors.items():
        if o == owner:
            base[cid] = rgba
    hidden = {cid for (o, cid) in edits.hidden if o == owner}
    if edits.solo is not None:
        o, cid = edits.solo
        if o == owner:
            hidden = set(range(NUM_IDS)) - {cid}
    h = edits.highlight
    styles = {cid: st for (o, cid), st in edits.styles.items() if o == owner}
    labels_off = frozenset(cid for (o, cid) in edits.labels_off if o == owner)
    return EditedPalette(base, frozenset(hidden), h[1] if h is not None and h[0] == owner else None, styles,
                         labels_off)


def _scale(value: float) -> float:
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"a size scale must be a finite number, got {value!r}")
    return float(min(max(v, STYLE_RANGE[0]), STYLE_RANGE[1]))


def view_color(color_by: str, entity: str, instance: int) -> RGBA | None:
    """The color an instance is drawn with under a color-by mode other than "class" (None for
    "class": the annotation colors apply): the entity's default color, or the auto color of the
    instance index (as the renderer's color tables hold them)."""
    if color_by == "entity":
        return default_entity_color(entity)
    if color_by == "instance":
        return auto_color(int(instance) & 0xFFFF)
    return None


def keypoint_entries(ctx: ResolvedContext) -> list[tuple]:
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
