"""The contract between the scene and the renderer: plain numpy data per visual, no GL.

This module belongs to the GL-free scene package; the renderer (`annoview.render`) imports it,
never the other way round. The scene builder turns latest-at query results into these dataclasses each frame; the renderer
turns them into draw calls, one per visual whatever its instance count. Many small entities
(1000 skeletons) should be batched by the scene builder into one visual per kind and palette,
with `pick_ids` telling picking which entity and instance each instance came from and a cache
key naming the batch (e.g. a tuple of the row ids): a draw call and a few buffers per entity
and frame would not scale to scrubbing thousands of frames. Everything needed to draw is here, so the renderer can be tested
with hand-made arrays, and the store and annotation code never import GL.

Common fields (`Visual`):
- `object_id`: written to the pick target (0 = not pickable); the scene builder maps it back to
  an entity path.
- `cache_key`: identifies the data (the chunk row id, plus whatever derived it); the same key
  must always mean the same arrays. Cached keys upload nothing. None = upload for this frame.
- `draw_order`: higher draws on top (Rerun's defaults below); ties keep list order.
- `transform`: 4x4 world_from_local (row-major, column vectors) applied on the GPU, or None.
  Positions stay in the entity's own coordinates, so an animated transform re-uploads nothing;
  2D positions (x, y) are taken as (x, y, 0), which is how a camera's image lands on its image
  plane in 3D.

Colors are sRGB RGBA uint8. A visual colors its instances from explicit `colors` when given
(docs/semantics.md rule 3: explicit colors win for every instance; a shorter list repeats its last
color), else from the palette named by `palette_key` using `class_ids` (and `keypoint_ids`) on the
GPU, else `default_color`. Radii: negative = UI points (screen pixels at 1x), positive = scene
units (as in Rerun).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Hashable, Literal, Sequence

import numpy as np

from ..instances import broadcast_last

Color = tuple[int, int, int, int]

DRAW_ORDER_IMAGE = -10.0
DRAW_ORDER_SEGMENTATION = 0.0
DRAW_ORDER_BOXES = 10.0
DRAW_ORDER_LINES = 20.0
DRAW_ORDER_POINTS = 30.0
DRAW_ORDER_LABELS = 1e9          # labels sit on top of everything
DRAW_ORDER_FILLS = 1e6           # translucent 3D fills: after everything opaque, under labels

# Default sizes, as the Rerun 0.41 viewer shows them at 1x (docs/semantics.md "Sizes"); negative =
# UI points (framebuffer pixels at 1x, more on a HiDPI screen), constant on screen at any zoom.
DEFAULT_POINT_RADIUS = -1.5       # 3 px across
DEFAULT_LINE_RADIUS = -1.625      # strips, box outlines, wireframes: 3.25 px wide (Rerun's measured coverage)
DEFAULT_CONNECTION_RADIUS = -1.25 # keypoint connections: 2.5 px, a little thinner than strips
DEFAULT_COLOR: Color = (200, 200, 200, 255)
DEFAULT_FONT_SIZE = 13           # px
SEGMENTATION_OVER_IMAGE_OPACITY = 0.5

NO_KEYPOINT = 0xFFFFFFFF         # keypoint id attribute value for "no keypoint id"
NO_CLASS = 0xFFFFFFFF            # class id attribute value for "no class id"


def as_rgba(colors: np.ndarray | Sequence[int] | None) -> np.ndarray | None:
    """Colors as (K, 4) uint8 (RGB gets alpha 255)."""
    if colors is None:
        return None
    arr = np.asarray(colors)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.dtype.kind == "f":
        arr = np.round(np.clip(arr, 0.0, 1.0) * 255.0)
    arr = arr.astype(np.uint8)
    if arr.shape[1] == 3:
        arr = np.concatenate([arr, np.full((len(arr), 1), 255, np.uint8)], axis=1)
    return arr


@dataclass(eq=False, kw_only=True)
class Visual:
    """Fields every visual has (see module docstring)."""

    object_id: int = 0
    cache_key: Hashable | None = None
    draw_order: float = 0.0
    transform: np.ndarray | None = None

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(min, max) corners in the visual's own units, for fitting cameras; None when empty."""
        return None

    def world_bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        """`bounds` after `transform` (the box around the 8 transformed corners)."""
        b = self.bounds()
        if b is None or self.transform is None:
            return b
        lo, hi = np.pad(b[0], (0, 3 - len(b[0]))), np.pad(b[1], (0, 3 - len(b[1])))
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
        m = np.asarray(self.transform, np.float64)
        pts = corners @ m[:3, :3].T + m[:3, 3]
        return pts.min(0), pts.max(0)

    def transform_key(self) -> bytes | None:
        """Equal for visuals drawn with the same transform (batching, uniform changes)."""
        return None if self.transform is None else np.asarray(self.transform, np.float64).tobytes()


@dataclass(eq=False, kw_only=True)
class _Colored(Visual):
    colors: np.ndarray | None = None          # (K, 4) uint8 explicit, K <= N (last repeats)
    class_ids: np.ndarray | None = None       # (K,) class ids 0..65535 (last repeats)
    palette_key: Hashable | None = None       # which PaletteTexture colors the class ids
    default_color: Color = DEFAULT_COLOR      # no colors and no class ids
    # (K, 2) uint32 (object id, instance index) per instance, for a visual that batches several
    # entities sharing one palette into one draw call; None = (object_id, own index).
    pick_ids: np.ndarray | None = None

    def color_mode(self) -> str:
        """'attrib' (explicit per instance), 'uniform' (one color) or 'palette'."""
        if self.colors is not None:
            return "uniform" if len(as_rgba(self.colors)) == 1 else "attrib"
        if self.class_ids is not None:
            return "palette"
        return "uniform"

    def uniform_color(self) -> Color:
        if self.colors is not None:
            return tuple(int(c) for c in as_rgba(self.colors)[0])  # type: ignore[return-value]
        return self.default_color


def _bounds_of(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    p = np.asarray(positions, np.float64).reshape(-1, positions.shape[-1])
    p = p[np.isfinite(p).all(axis=1)]
    if len(p) == 0:
        return None
    return p.min(axis=0), p.max(axis=0)


@dataclass(eq=False, kw_only=True)
class PointsVisual(_Colored):
    """Points2D / Points3D: round points, colored by class + keypoint id through the palette."""

    positions: np.ndarray                      # (N, 2) or (N, 3)
    radii: np.ndarray | float | None = None    # (K,) or one value; None = DEFAULT_POINT_RADIUS
    keypoint_ids: np.ndarray | None = None     # (K,) keypoint ids (last repeats)
    draw_order: float = DRAW_ORDER_POINTS

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        return _bounds_of(np.asarray(self.positions))


@dataclass(eq=False, kw_only=True)
class LinesVisual(_Colored):
    """Line segments grouped into instances (a strip, a box, a skeleton connection).

    `segments[i]` is (start, end) of segment i; `instances[i]` is its instance index (None =
    each segment is its own instance). `colors`, `class_ids`, `radii` are per instance.
    Instead of `segments`, `points` + `pairs` (M, 2) indices give segments points[pairs], built
    only when the renderer uploads them (so a cached skeleton costs nothing to describe).
    """

    segments: np.ndarray | None = None         # (M, 2, D), D = 2 or 3
    points: np.ndarray | None = None           # (P, D) with `pairs`
    pairs: np.ndarray | None = None            # (M, 2) indices into `points`
    instances: np.ndarray | None = None        # (M,) instance index per segment
    radii: np.ndarray | float | None = None    # per instance; None = DEFAULT_LINE_RADIUS
    draw_order: float = DRAW_ORDER_LINES

    @classmethod
    def from_strips(cls, strips: Sequence[np.ndarray], **kw: object) -> "LinesVisual":
        """LineStrips2D/3D: instance i is strip i (a strip of n points gives n-1 segments)."""
        segs: list[np.ndarray] = []
        inst: list[np.ndarray] = []
        dim = 2
        for i, strip in enumerate(strips):
            s = np.asarray(strip, np.float32)
            dim = s.shape[1] if s.ndim == 2 else dim
            if len(s) >= 2:
                segs.append(np.stack([s[:-1], s[1:]], axis=1))
                inst.append(np.full(len(s) - 1, i, np.uint32))
        segments = np.concatenate(segs) if segs else np.zeros((0, 2, dim), np.float32)
        instances = np.concatenate(inst) if inst else np.zeros(0, np.uint32)
        return cls(segments=segments, instances=instances, **kw)  # type: ignore[arg-type]

    @classmethod
    def keypoint_connections(
        cls, positions: np.ndarray, pairs: np.ndarray, class_ids: np.ndarray, **kw: object
    ) -> "LinesVisual":
        """Skeleton lines (docs/semantics.md rule 6): `pairs` (M, 2) index into `positions`, drawn in
        the class color of `class_ids` (M,) through the palette; instance = connection index."""
        kw.setdefault("radii", DEFAULT_CONNECTION_RADIUS)
        return cls(points=positions, pairs=pairs, class_ids=class_ids, **kw)  # type: ignore[arg-type]

    def segment_count(self) -> int:
        return len(self.segments) if self.segments is not None else len(np.asarray(self.pairs).reshape(-1, 2))

    def instance_count(self) -> int:
        inst = self.instances
        if inst is None:
            return self.segment_count()
        return int(np.max(inst)) + 1 if len(inst) else 0

    def segment_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(segments (M,2,D) float32, instance index (M,) uint32)."""
        if self.segments is not None:
            seg = np.asarray(self.segments, np.float32)
        else:
            if self.points is None or self.pairs is None:
                raise ValueError("LinesVisual needs `segments` or `points` + `pairs`")
            seg = np.asarray(self.points, np.float32)[np.asarray(self.pairs, np.int64).reshape(-1, 2)]
        inst = np.arange(len(seg), dtype=np.uint32) if self.instances is None else np.asarray(self.instances, np.uint32)
        return seg, inst

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        seg = self.segment_arrays()[0]
        return _bounds_of(seg.reshape(-1, seg.shape[-1])) if seg.size else None


@dataclass(eq=False, kw_only=True)
class ArrowsVisual(LinesVisual):
    """Arrows2D / Arrows3D: `segments[i]` is (origin, tip) of arrow i; drawn as a shaft ending in
    a filled triangular head whose tip is exactly at the segment's end. The head's length and
    half-width are `HEAD_LENGTH` and `HEAD_WIDTH` times the line radius, in pixels."""

    HEAD_LENGTH = 4.0
    HEAD_WIDTH = 2.0


@dataclass(eq=False, kw_only=True)
class SolidsVisual(_Colored):
    """Closed 3D shapes, one per instance: the unit `shape` ("box": the cube [-1, 1]^3, "sphere":
    the unit sphere) scaled by `half_sizes`, rotated by `rotations` and moved to `centers`. Shaded
    by a light at the eye; `opacity` scales the colors' alpha (a translucent fill draws after
    everything opaque and hides nothing behind it)."""

    shape: Literal["box", "sphere"]
    centers: np.ndarray                        # (N, 3)
    half_sizes: np.ndarray                     # (N, 3)
    rotations: np.ndarray | None = None        # (N, 3, 3); None = axis-aligned
    opacity: float = 1.0
    draw_order: float = DRAW_ORDER_FILLS

    def instance_count(self) -> int:
        return len(np.asarray(self.centers).reshape(-1, 3))

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        c = np.asarray(self.centers, np.float64).reshape(-1, 3)
        if not len(c):
            return None
        h = np.abs(np.asarray(self.half_sizes, np.float64).reshape(-1, 3))
        if self.rotations is not None:   # the rotated box's extent along each world axis
            h = np.einsum("nij,nj->ni", np.abs(np.asarray(self.rotations, np.float64)), h)
        return (c - h).min(0), (c + h).max(0)


@dataclass(eq=False, kw_only=True)
class BoxesVisual(_Colored):
    """Boxes2D outlines; instance i is box i. Labels go below the box (see `box_labels`)."""

    mins: np.ndarray                           # (N, 2) top-left corners
    sizes: np.ndarray                          # (N, 2) width, height
    radii: np.ndarray | float | None = None    # line radius per box; None = DEFAULT_LINE_RADIUS
    draw_order: float = DRAW_ORDER_BOXES

    def segment_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        mins = np.asarray(self.mins, np.float32).reshape(-1, 2)
        maxs = mins + np.asarray(self.sizes, np.float32).reshape(-1, 2)
        x0, y0, x1, y1 = mins[:, 0], mins[:, 1], maxs[:, 0], maxs[:, 1]
        corners = np.stack([
            np.stack([x0, y0], 1), np.stack([x1, y0], 1), np.stack([x1, y1], 1), np.stack([x0, y1], 1)
        ], axis=1)  # (N, 4, 2)
        seg = np.stack([corners, np.roll(corners, -1, axis=1)], axis=2).reshape(-1, 2, 2)
        inst = np.repeat(np.arange(len(mins), dtype=np.uint32), 4)
        return seg.astype(np.float32), inst

    def instance_count(self) -> int:
        return len(np.asarray(self.mins).reshape(-1, 2))

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        mins = np.asarray(self.mins, np.float64).reshape(-1, 2)
        if not len(mins):
            return None
        maxs = mins + np.asarray(self.sizes, np.float64).reshape(-1, 2)
        return np.minimum(mins, maxs).min(0), np.maximum(mins, maxs).max(0)


@dataclass(eq=False, kw_only=True)
class ImageVisual(Visual):
    """Image: (H, W) gray, (H, W, 2) gray + alpha, (H, W, 3) RGB or (H, W, 4) RGBA; uint8, uint16
    or float32.

    Covers the pixel rectangle [0, W] x [0, H] in scene units. `value_range` (lo, hi) maps pixel
    values to black..white (None: uint8 0..255, uint16 0..65535, float 0..1); `linear` says the
    normalized RGB values are linear light rather than sRGB-encoded; `bgr` swaps R and B;
    `smooth` interpolates between pixels when magnified (Rerun's Linear/Bicubic filter; uint16
    images stay nearest).
    """

    image: np.ndarray
    value_range: tuple[float, float] | None = None
    linear: bool = False
    bgr: bool = False
    smooth: bool = False
    opacity: float = 1.0
    opaque: bool = False          # caller knows an RGBA image's alpha is 255 everywhere: no blending
    draw_order: float = DRAW_ORDER_IMAGE

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        h, w = np.asarray(self.image).shape[:2]
        return np.zeros(2), np.array([w, h], np.float64)


@dataclass(eq=False, kw_only=True)
class SegmentationVisual(Visual):
    """SegmentationImage: (H, W) uint8/uint16 class ids colored by the palette on the GPU.

    `opacity` None = Rerun's default: 0.5 when an image is drawn under it in the same view, 1.0
    otherwise (the renderer decides); a number is used as given.
    """

    ids: np.ndarray
    palette_key: Hashable | None = None
    opacity: float | None = None
    zero_transparent: bool = False             # view option: class 0 draws nothing
    outline: bool = False                      # view option: only borders between ids
    draw_order: float = DRAW_ORDER_SEGMENTATION

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        h, w = np.asarray(self.ids).shape[:2]
        return np.zeros(2), np.array([w, h], np.float64)


LabelAnchor = Literal["below", "right", "center"]

LABEL_PRIORITY_CONTEXT = 1       # a label from the annotation context (class or keypoint label)
LABEL_PRIORITY_EXPLICIT = 2      # a label logged with the data: placed first when labels collide
LABEL_GAP = 1.0                  # UI points between the labeled thing and its label box


@dataclass(eq=False, kw_only=True)
class LabelsVisual(_Colored):
    """Text labels at scene anchors, laid out in screen pixels each frame.

    Each label is a dark translucent box with the text in its instance's own resolved color:
    explicit colors, else the keypoint's color (`keypoint_ids`, as points are colored), else the
    class color, else `default_color`, exactly the lookup the labeled points/lines use.

    Placement (docs/semantics.md, "Labels"): the box sits `anchor` of its projected anchor
    ("below": horizontally centered under it, as Rerun draws every label; "right"; "center": on
    it), `clearance + offset_px` away so it never covers the thing it labels. `clearance` is
    the labeled thing's radius (negative: UI points, positive: scene units, as radii are), so a
    big point keeps its label clear at any zoom. Labels that would overlap other labels are moved
    to another side of their anchor or dropped, in order of `priority` (higher first; explicit
    labels outrank context labels), then `extent` (the labeled thing's size in scene units:
    larger first), then nearness (3D). `instances` are the pick instances of the labeled
    things (None = label index).

    `idents` name each label across frames and scene builds (the placement's tie-break and its
    memory of the side a label took): `label_idents(entity path, instances)`; None = object id
    and instance. A label moved above its anchor clears `span` too (a box's height: above the box, not inside
    it). Per-label fields (`priority`, `extent`, `clearance`, `span`, `keypoint_ids` and the
    `_Colored` ones) are one value or one per label (a shorter array repeats its last value).
    """

    positions: np.ndarray                      # (N, 2) or (N, 3) anchors
    texts: Sequence[str] = ()
    instances: np.ndarray | None = None
    keypoint_ids: np.ndarray | None = None     # (K,) keypoint id per label (color lookup)
    anchor: LabelAnchor = "below"
    offset_px: float = LABEL_GAP               # UI points beyond the clearance
    clearance: np.ndarray | float = 0.0        # radius of the labeled thing (radii convention)
    priority: np.ndarray | float = LABEL_PRIORITY_CONTEXT
    extent: np.ndarray | float = 0.0           # size of the labeled thing in scene units
    idents: np.ndarray | None = None           # (N,) uint64 stable identity per label, see below
    span: np.ndarray | float = 0.0             # scene units from the anchor up to the labeled thing's top
    font_size: int = DEFAULT_FONT_SIZE
    draw_order: float = DRAW_ORDER_LABELS

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        return _bounds_of(np.asarray(self.positions))

    def per_label(self, field: str, n: int | None = None) -> np.ndarray:
        """A per-label numeric field as (n,) float64 (one value or a shorter array broadcast)."""
        n = len(self.texts) if n is None else n
        value = getattr(self, field)
        a = np.zeros(0) if value is None else np.asarray(value, np.float64).reshape(-1)
        if a.size == 0:
            return np.zeros(n)
        return np.asarray(broadcast_last(a, n), np.float64)[:n]


def label_idents(entity: str, instances: np.ndarray) -> np.ndarray:
    """Stable label identities: a CRC32 of the entity path in the high 32 bits, the instance in
    the low ones (object ids depend on the order a builder met the entities; paths do not)."""
    return label_ident_base(entity) | np.asarray(instances, np.uint64).reshape(-1)


def label_ident_base(entity: str) -> np.uint64:
    """The high 32 bits of an entity's label idents (`label_idents`), for building many at once."""
    return np.uint64(zlib.crc32(entity.encode("utf-8"))) << np.uint64(32)


def _labels_for(v: "_Colored", n: int, texts: Sequence[str | None], anchors: np.ndarray, kw: dict[str, object],
                keypoint_ids: np.ndarray | None = None, extent: np.ndarray | float = 0.0,
                clearance: np.ndarray | float = 0.0, span: np.ndarray | float = 0.0) -> LabelsVisual:
    """Labels of a visual's instances at `anchors`, in the instances' own colors (explicit, or
    the palette via class and keypoint ids, as the visual itself is drawn); None/empty texts are
    skipped; pick ids and every per-instance field follow their instances."""
    keep = np.array([i for i, t in enumerate(texts) if t], np.int64)

    def pick(values: object) -> np.ndarray | None:
        if values is None:
            return None
        arr = np.asarray(broadcast_last(np.asarray(values).reshape(-1), n))
        return None if not arr.size else arr[keep]

    colors = broadcast_last(as_rgba(v.colors), n)
    args: dict[str, object] = dict(
        positions=anchors[keep] if len(keep) else anchors[:0],
        texts=[texts[i] for i in keep],
        instances=keep.astype(np.uint32),
        colors=None if colors is None else colors[keep],
        class_ids=pick(v.class_ids),
        keypoint_ids=pick(keypoint_ids),
        pick_ids=None if v.pick_ids is None else np.asarray(v.pick_ids)[keep],
        palette_key=v.palette_key,
        default_color=v.default_color,
        object_id=v.object_id,
        cache_key=None if v.cache_key is None else ("labels", v.cache_key),
        extent=pick(extent) if np.ndim(extent) else float(extent),
        clearance=pick(clearance) if np.ndim(clearance) else float(clearance),
        span=pick(span) if np.ndim(span) else float(span),
    )
    args.update(kw)
    return LabelsVisual(**args)  # type: ignore[arg-type]


def point_labels(points: PointsVisual, texts: Sequence[str | None], **kw: object) -> LabelsVisual:
    """Labels centered under points (as Rerun places them) but clear of the point's radius, in
    the points' colors, keypoint colors included."""
    pos = np.asarray(points.positions)
    radii = DEFAULT_POINT_RADIUS if points.radii is None else points.radii
    r = np.asarray(radii, np.float32).reshape(-1)
    if not r.size:
        r = np.array([DEFAULT_POINT_RADIUS], np.float32)
    return _labels_for(points, len(pos), texts, pos, kw, keypoint_ids=points.keypoint_ids,
                       extent=np.maximum(r, 0.0) * 2.0, clearance=r)


def box_labels(boxes: BoxesVisual, texts: Sequence[str | None], **kw: object) -> LabelsVisual:
    """Labels centered below boxes' bottom edges, in the box colors (docs/semantics.md rule 7)."""
    mins = np.asarray(boxes.mins, np.float32).reshape(-1, 2)
    sizes = np.asarray(boxes.sizes, np.float32).reshape(-1, 2)
    anchors = np.stack([mins[:, 0] + sizes[:, 0] / 2, np.maximum(mins[:, 1], mins[:, 1] + sizes[:, 1])], 1)
    line = DEFAULT_LINE_RADIUS if boxes.radii is None else boxes.radii
    return _labels_for(boxes, len(mins), texts, anchors, kw, extent=np.sqrt(np.abs(sizes.prod(1))),
                       clearance=np.asarray(line, np.float32).reshape(-1), span=np.abs(sizes[:, 1]))


def strip_labels(lines: LinesVisual, texts: Sequence[str | None], anchors: np.ndarray,
                 **kw: object) -> LabelsVisual:
    """Labels centered under the mean of each strip's points (as Rerun places them), in the
    strip colors; a strip's extent is its bounding box's diagonal."""
    anchors = np.asarray(anchors, np.float32)
    n = len(anchors)
    return _labels_for(lines, n, texts, anchors, kw, extent=_instance_extents(lines, n))


def _instance_extents(lines: LinesVisual, n: int) -> np.ndarray:
    """Diagonal of each instance's bounding box (segments grouped by instance), 0 when empty."""
    seg, inst = lines.segment_arrays()
    if not len(seg) or not n:
        return np.zeros(n, np.float32)
    pts = seg.reshape(-1, seg.shape[-1]).astype(np.float64)
    owner = np.repeat(inst.astype(np.int64), 2)
    ok = owner < n
    lo = np.full((n, pts.shape[1]), np.inf)
    hi = np.full((n, pts.shape[1]), -np.inf)
    np.minimum.at(lo, owner[ok], pts[ok])
    np.maximum.at(hi, owner[ok], pts[ok])
    diag = np.sqrt(((hi - lo) ** 2).sum(1))
    return np.where(np.isfinite(diag), diag, 0.0).astype(np.float32)


def scene_bounds(visuals: Sequence[Visual]) -> tuple[np.ndarray, np.ndarray] | None:
    """Union of the visuals' bounds after their transforms (2D or 3D; 2D bounds get z = 0 when mixed)."""
    boxes = [b for b in (v.world_bounds() for v in visuals) if b is not None]
    if not boxes:
        return None
    dim = max(len(b[0]) for b in boxes)
    lo = np.full(dim, np.inf)
    hi = np.full(dim, -np.inf)
    for bmin, bmax in boxes:
        bmin = np.pad(bmin, (0, dim - len(bmin)))
        bmax = np.pad(bmax, (0, dim - len(bmax)))
        lo, hi = np.minimum(lo, bmin), np.maximum(hi, bmax)
    return lo, hi


Visual2D = PointsVisual | LinesVisual | ArrowsVisual | BoxesVisual | ImageVisual | SegmentationVisual | LabelsVisual
Visual3D = PointsVisual | LinesVisual | ArrowsVisual | SolidsVisual | LabelsVisual
