"""Where each label goes on screen, so that labels never overlap (pure numpy, no GL).

Rerun draws every label centered under its anchor, so in a dense scene labels pile up and hide
each other. Here every frame, after projection, the labels of a view are placed greedily in
priority order: each label tries a few candidate boxes around its anchor (its preferred side
first, then below, above, right, left and the four diagonals, all `gap` pixels clear of the
anchor, so a label never covers the point it names) and takes the first one that overlaps no
label placed before it and no point named by a label of its priority or higher (an explicit
label may cover a point that only has a context label, never the reverse); a label is only moved to a box wholly inside the view (its preferred
box may stick out, as in Rerun), and one with no free candidate is dropped. Occupancy is exact
to the pixel: one Python int per pixel row used as a bit set, so testing or claiming a box
costs one AND / OR per row of the box whatever the number of labels already placed.

Stability: the order depends only on priority, on-screen size and depth buckets (coarse, so a
moving object does not reshuffle labels every frame) and then on a stable identity (object id,
instance); a label that was placed on some side in the previous frame, and has not moved far
since, tries that side first, so scrubbing does not make labels jump between sides.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Candidate boxes around an anchor, in the order tried after the label's preferred one; "center"
# (on the anchor itself) is only ever a label's own preference, never a fallback, since it
# covers what the label names.
SIDES = ("below", "above", "right", "left", "below-right", "below-left", "above-right", "above-left", "center")
CENTER = SIDES.index("center")
_TRIES = [tuple([f] + [k for k in range(CENTER) if k != f]) for f in range(len(SIDES))]


@dataclass
class LabelBoxes:
    """The labels of one view in framebuffer pixels (top-left origin), one row per label."""

    anchor: np.ndarray      # (N, 2) float: projected anchor
    size: np.ndarray        # (N, 2) int: box width, height
    gap: np.ndarray         # (N,) int: distance from the anchor to the nearest box edge
    primary: np.ndarray     # (N,) int: index into SIDES tried first
    visible: np.ndarray     # (N,) bool: in front of the camera, not switched off
    priority: np.ndarray    # (N,) float: higher placed first
    size_px: np.ndarray     # (N,) float: on-screen size of the labeled thing (larger first)
    depth: np.ndarray       # (N,) float: distance from the eye (nearer first; 0 in 2D)
    ident: np.ndarray       # (N,) uint64: stable identity (object id << 32 | instance)
    span: np.ndarray | None = None   # (N,) float: height of what it labels above the anchor (a box
                                     # label's "above" clears the box's top edge); None: 0
    reserve: np.ndarray | None = None  # (N,) float: half-size of the square kept free around each
                                       # visible anchor (what the label names); None: nothing


def primary_side(anchor: str) -> int:
    """Index into SIDES of a LabelsVisual.anchor ("below", "right", "center")."""
    return SIDES.index(anchor) if anchor in SIDES else 0


def candidates(boxes: LabelBoxes) -> np.ndarray:
    """(N, len(SIDES), 4) int boxes x0, y0, x1, y1 (exclusive), one per side in SIDES order,
    snapped to whole pixels (glyphs map 1:1 onto framebuffer pixels)."""
    # to 1/64 px first: a projection that lands a hair below a half pixel must not flip rounding
    # (and far off-screen anchors clamped, so the boxes stay in integer range)
    ax, ay = (np.round(np.clip(boxes.anchor[:, k].astype(np.float64), -1e7, 1e7) * 64.0) / 64.0 for k in (0, 1))
    w, h = boxes.size[:, 0].astype(np.float64), boxes.size[:, 1].astype(np.float64)
    g = boxes.gap.astype(np.float64)
    span = np.zeros(len(ay)) if boxes.span is None else np.maximum(boxes.span.astype(np.float64), 0.0)
    top = ay - span
    cx, cy = ax - w / 2, ay - h / 2
    x0 = np.stack([cx, cx, ax + g, ax - g - w, ax + g, ax - g - w, ax + g, ax - g - w, cx], 1)
    y0 = np.stack([ay + g, top - g - h, cy, cy, ay + g, ay + g, top - g - h, top - g - h, cy], 1)
    x0, y0 = np.floor(x0 + 0.5), np.floor(y0 + 0.5)
    return np.stack([x0, y0, x0 + w[:, None], y0 + h[:, None]], -1).astype(np.int64)


def placement_order(boxes: LabelBoxes) -> np.ndarray:
    """Label indices in the order they claim space: priority, then larger on screen (in half
    octaves), then nearer (in quarter octaves), then identity; only visible labels."""
    size_bucket = np.floor(np.log2(np.maximum(boxes.size_px, 0.0) + 1.0) * 2.0)
    depth_bucket = np.floor(np.log2(np.maximum(boxes.depth, 0.0) + 1.0) * 4.0)
    order = np.lexsort((boxes.ident, depth_bucket, -size_bucket, -boxes.priority))
    return order[boxes.visible[order]]


def place_labels(boxes: LabelBoxes, viewport: tuple[int, int],
                 previous: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The chosen side per label (index into SIDES, see `candidates`), -1 = not drawn.

    `previous` is (sorted idents, their sides, their anchors) from the last frame of the same
    view: a label that had a place there, and whose anchor moved less than its box's height
    since (scrubbing, not a new scene or a jump of the camera), tries that side first."""
    n = len(boxes.anchor)
    chosen = np.full(n, -1, np.int64)
    if not n:
        return chosen
    cand = candidates(boxes)
    width, height = int(viewport[0]), int(viewport[1])
    inside = ((cand[..., 0] >= 0) & (cand[..., 1] >= 0) & (cand[..., 2] <= width) &
              (cand[..., 3] <= height)).ravel().tolist()
    clipped = np.clip(cand, 0, np.array([width, height, width, height]))   # to the view
    x0s, y0s, x1s, y1s = (clipped[..., c].ravel().tolist() for c in range(4))
    first = boxes.primary.astype(np.int64)
    if previous is not None and len(previous[0]):
        idents, sides, anchors = previous
        at = np.clip(np.searchsorted(idents, boxes.ident), 0, len(idents) - 1)
        moved = np.abs(anchors[at] - boxes.anchor).max(1)
        kept = (idents[at] == boxes.ident) & (sides[at] >= 0) & (moved <= boxes.size[:, 1])
        first = np.where(kept, sides[at], first)
    first_l = first.tolist()
    sides_n = len(SIDES)
    rows = [0] * height     # occupancy: one int per pixel row, bit x set = pixel (x, row) taken
    order = placement_order(boxes)
    level_of = boxes.priority[order].tolist()
    level = None
    for i, p in zip(order.tolist(), level_of):
        if p != level:        # a new priority level: its anchors are kept free from here on
            level = p
            _reserve_anchors(rows, boxes, boxes.priority == p, width, height)
        base = i * sides_n
        f = first_l[i]
        # the preferred (or last frame's) side, even partly outside the view as Rerun draws it;
        # then the other sides, only where they fit wholly inside the view
        for k in _TRIES[f]:
            o = base + k
            if k != f and not inside[o]:
                continue
            x0, y0, x1, y1 = x0s[o], y0s[o], x1s[o], y1s[o]
            if x1 <= x0 or y1 <= y0:
                continue          # entirely off screen: no use
            if (rows[(y0 + y1) >> 1] >> ((x0 + x1) >> 1)) & 1:
                continue          # its center pixel is taken: most rejections end here
            mask = ((1 << (x1 - x0)) - 1) << x0
            for y in range(y0, y1):
                if rows[y] & mask:
                    break
            else:
                for y in range(y0, y1):
                    rows[y] |= mask
                chosen[i] = k
                break
    return chosen


def _reserve_anchors(rows: list[int], boxes: LabelBoxes, which: np.ndarray, width: int, height: int) -> None:
    """Claim a square around the visible anchors `which`, so that no label placed from now on
    covers a point they name (a label's own point is clear anyway: every side starts `gap`
    away). Anchors of labels drawn on the anchor itself ("center") claim nothing."""
    if boxes.reserve is None:
        return
    keep = which & boxes.visible & (boxes.primary != CENTER) & (boxes.reserve >= 0)
    if not keep.any():
        return
    r = np.floor(boxes.reserve[keep]).astype(np.int64)
    a = np.clip(np.floor(boxes.anchor[keep]), -1e7, 1e7).astype(np.int64)
    sq = np.stack([a[:, 0] - r, a[:, 1] - r, a[:, 0] + r + 1, a[:, 1] + r + 1], 1)
    sq = np.clip(sq, 0, np.array([width, height, width, height]))
    for x0, y0, x1, y1 in sq[(sq[:, 2] > sq[:, 0]) & (sq[:, 3] > sq[:, 1])].tolist():
        mask = ((1 << (x1 - x0)) - 1) << x0
        for y in range(y0, y1):
            rows[y] |= mask


def chosen_boxes(boxes: LabelBoxes, chosen: np.ndarray) -> np.ndarray:
    """(N, 4) int x0, y0, x1, y1 of each label's chosen box (rows of dropped labels: the
    preferred box, unused)."""
    cand = candidates(boxes)
    return cand[np.arange(len(chosen)), np.where(chosen >= 0, chosen, boxes.primary)]


def project_px(points: np.ndarray, view_proj: np.ndarray, viewport: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Scene points (N, 2|3) -> (framebuffer pixels (N, 2), top-left origin; clip w (N,), <= 0
    behind the camera)."""
    p = np.asarray(points, np.float64).reshape(len(points), -1)
    if p.shape[1] == 2:
        p = np.concatenate([p, np.zeros((len(p), 1))], 1)
    clip = np.concatenate([p, np.ones((len(p), 1))], 1) @ np.asarray(view_proj, np.float64).T
    w = clip[:, 3]
    safe = np.where(np.abs(w) > 1e-12, w, 1.0)
    ndc = clip[:, :2] / safe[:, None]
    px = np.stack([(ndc[:, 0] * 0.5 + 0.5) * viewport[0], (0.5 - ndc[:, 1] * 0.5) * viewport[1]], 1)
    return np.where(np.isfinite(px), px, -1e9), w
