"""Demo recording `tracking`: a multi-object tracker's output over a drone view of an intersection.

Every frame logs the camera image, the tracked boxes (Boxes2D with one class id per box and a
per-track label such as "car #3") and each track's recent trail (LineStrips2D). The
AnnotationContext gives each class its name and color, so boxes and trails are colored by class
while the labels tell the tracks apart. Vehicles and pedestrians enter and leave the view; a
track gets its number when it is first seen and keeps it, as a tracker's ids do.

The scene is drawn procedurally with numpy. Written as a Rerun user would write it (only the
import differs). Usage:
    python examples/demo_tracking.py [OUT.avr]      (default: assets/tracking.avr)

Size: the .avr format stores pixels uncompressed, so the camera is a small 200x112 (0.2 m per
pixel) and the clip is 40 frames at 10 fps, which keeps the file under 3 MB.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

import annoview as rr

W, H, SS = 200, 112, 4            # image size; SS x SS samples per pixel for smooth edges
PX_PER_M = 5.0                    # 0.2 m per pixel, seen from straight above
FRAMES, DT = 40, 0.1
TRAIL_FRAMES = 12                 # how much history each trail shows

CLASSES: list[tuple[int, str, tuple[int, int, int]]] = [
    (1, "car", (40, 170, 255)),
    (2, "truck", (255, 140, 20)),
    (3, "bus", (255, 214, 0)),
    (4, "bicycle", (150, 255, 60)),
    (5, "person", (255, 70, 170)),
]
CAR, TRUCK, BUS, BICYCLE, PERSON = 1, 2, 3, 4, 5
NAMES = {i: name for i, name, _ in CLASSES}

# The street layout, in meters from the image's top-left corner (x right, y down).
ROAD_H = (8.2, 15.2)              # east-west road: westbound lane above y=11.7, eastbound below
ROAD_V = (26.0, 33.0)             # north-south road: southbound lane west of x=29.5
WALK = 2.5                        # sidewalk width
Color = tuple[float, float, float]


class Canvas:
    """An RGB image painted at SS x resolution with soft (antialiased) edges after downsampling."""

    def __init__(self) -> None:
        self.rgb = np.zeros((H * SS, W * SS, 3), np.float32)
        v, u = np.mgrid[0:H * SS, 0:W * SS].astype(np.float32)
        self.x, self.y = (u + 0.5) / SS / PX_PER_M, (v + 0.5) / SS / PX_PER_M  # sample centers in meters

    def copy(self) -> "Canvas":
        c = Canvas.__new__(Canvas)
        c.rgb, c.x, c.y = self.rgb.copy(), self.x, self.y
        return c

    def region(self, x0: float, y0: float, x1: float, y1: float) -> tuple[slice, slice] | None:
        k = SS * PX_PER_M
        c0, c1 = max(int(np.floor(x0 * k)), 0), min(int(np.ceil(x1 * k)), W * SS)
        r0, r1 = max(int(np.floor(y0 * k)), 0), min(int(np.ceil(y1 * k)), H * SS)
        return (slice(r0, r1), slice(c0, c1)) if c0 < c1 and r0 < r1 else None

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Color) -> None:
        sl = self.region(x0, y0, x1, y1)
        if sl is not None:
            self.rgb[sl] = color

    def shape(self, cx: float, cy: float, heading: float, length: float, width: float, color: Color, *,
              round_m: float = 0.0, alpha: float = 1.0, ellipse: bool = False, shade: float = 0.0,
              offset: float = 0.0) -> None:
        """A rounded rectangle (or ellipse) `length` along `heading` (radians), centered `offset`
        meters ahead of (cx, cy). `shade` lightens the middle across the width: a curved roof."""
        c, s = np.cos(heading), np.sin(heading)
        cx, cy = cx + offset * c, cy + offset * s
        r = 0.5 * np.hypot(length, width)
        sl = self.region(cx - r, cy - r, cx + r, cy + r)
        if sl is None:
            return
        dx, dy = self.x[sl] - cx, self.y[sl] - cy
        lx, ly = dx * c + dy * s, -dx * s + dy * c                   # into the shape's frame
        if ellipse:
            d = (2 * lx / length) ** 2 + (2 * ly / width) ** 2 - 1.0
        else:
            qx, qy = np.abs(lx) - (length / 2 - round_m), np.abs(ly) - (width / 2 - round_m)
            d = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0) - round_m
        inside = d <= 0
        col = np.broadcast_to(np.asarray(color, np.float32), (*inside.shape, 3))
        if shade:
            col = col * (1 + shade * (1 - (2 * ly / width) ** 2))[..., None]
        rgb = self.rgb[sl]
        rgb[inside] = rgb[inside] * (1 - alpha) + col[inside] * alpha

    def finish(self, rng: np.random.Generator) -> np.ndarray:
        img = self.rgb.reshape(H, SS, W, SS, 3).mean(axis=(1, 3)) + rng.normal(0, 2.0, (H, W, 3))
        return np.clip(img, 0, 255).astype(np.uint8)


def background(rng: np.random.Generator) -> Canvas:
    """The static street: grass, sidewalks, asphalt and markings, two roofs, a park with trees."""
    c = Canvas()
    x, y = c.x, c.y
    grain = rng.normal(0, 1, (H * SS // 8 + 1, W * SS // 8 + 1))
    grain = np.kron(grain, np.ones((8, 8)))[:H * SS, :W * SS, None]
    c.rgb[:] = np.array([92, 138, 70], np.float32) + 7 * grain
    (h0, h1), (v0, v1) = ROAD_H, ROAD_V
    c.rect(-1, h0 - WALK, 99, h1 + WALK, (186, 184, 178))
    c.rect(v0 - WALK, -1, v1 + WALK, 99, (186, 184, 178))
    asphalt = np.array([74, 76, 82], np.float32) + 4 * grain
    on_road = ((y >= h0) & (y < h1)) | ((x >= v0) & (x < v1))
    c.rgb[on_road] = np.broadcast_to(asphalt, c.rgb.shape)[on_road]
    white, yellow = (232, 232, 228), (236, 196, 60)
    mid_h, mid_v = sum(ROAD_H) / 2, sum(ROAD_V) / 2
    in_junction = (x >= v0 - 3.5) & (x < v1 + 3.5) & (y >= h0 - 3.5) & (y < h1 + 3.5)
    centre = (np.abs(y - mid_h) < 0.2) & (np.abs(y - mid_h) > 0.06) & ~in_junction
    c.rgb[centre] = yellow                                          # double yellow line
    dash = (np.abs(x - mid_v) < 0.08) & ((y % 4.0) < 2.0) & ~in_junction
    c.rgb[dash] = white
    # zebra crossings west of and north of the junction, with stop lines before them
    zebra_w = (x >= v0 - 5.5) & (x < v0 - 3.0) & (y >= h0) & (y < h1) & ((y % 1.0) < 0.5)
    zebra_n = (y >= h0 - 5.5) & (y < h0 - 3.0) & (x >= v0) & (x < v1) & ((x % 1.0) < 0.5)
    c.rgb[zebra_w | zebra_n] = white
    c.rect(v0 - 6.2, mid_h, v0 - 5.9, h1, white)
    c.rect(v0, h0 - 6.2, mid_v, h0 - 5.9, white)
    # a flat roof (top left) with units and a skylight row; a tiled roof (bottom right)
    c.rect(-1, -1, v0 - WALK - 1.0, h0 - WALK - 1.0, (120, 120, 126))
    c.rect(-1, -1, v0 - WALK - 1.3, h0 - WALK - 1.3, (160, 160, 166))
    for ux in (2.0, 6.5, 11.0):
        c.rect(ux, 0.8, ux + 2.6, 2.8, (128, 130, 136))
        c.rect(ux + 0.3, 1.1, ux + 2.3, 2.5, (108, 110, 118))
    for sx in np.arange(1.5, 20.0, 1.6):
        c.rect(sx, 3.3, sx + 1.0, 4.3, (90, 120, 150))
    rx0, ry0 = v1 + WALK + 1.0, h1 + WALK + 1.0
    c.rect(rx0, ry0, 99, 99, (150, 86, 62))
    rows = (y >= ry0 + 0.3) & (x >= rx0 + 0.3) & ((y - ry0) % 0.8 < 0.12)
    c.rgb[rows] *= 0.82
    # trees in the park (top right) and on the plaza (bottom left): dark canopies with a highlight
    for tx, ty, tr in ((38.0, 2.5, 2.2), (41.5, 5.2, 1.8), (44.5, 1.8, 2.4), (37.2, 6.0, 1.2),
                       (4.0, 20.5, 2.0), (9.5, 21.8, 1.7), (15.0, 20.4, 2.1), (20.5, 22.0, 1.5)):
        c.shape(tx + 0.6, ty + 0.6, 0.0, 2 * tr, 2 * tr, (20, 30, 20), ellipse=True, alpha=0.35)
        c.shape(tx, ty, 0.0, 2 * tr, 2 * tr, (48, 96, 44), ellipse=True)
        c.shape(tx - 0.3 * tr, ty - 0.3 * tr, 0.0, tr, tr, (74, 130, 60), ellipse=True, alpha=0.7)
    return c


# ---- what moves --------------------------------------------------------------------------------

class Route:
    """A path as a dense polyline, walked by arc length."""

    def __init__(self, points: np.ndarray) -> None:
        self.p = np.asarray(points, np.float64)
        seg = np.diff(self.p, axis=0)
        self.s = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])

    @staticmethod
    def line(a: tuple[float, float], b: tuple[float, float]) -> "Route":
        return Route(np.array([a, b]))

    def at(self, s: float) -> tuple[float, float, float]:
        x, y = np.interp(s, self.s, self.p[:, 0]), np.interp(s, self.s, self.p[:, 1])
        i = int(np.clip(np.searchsorted(self.s, s) - 1, 0, len(self.p) - 2))
        d = self.p[i + 1] - self.p[i]
        return float(x), float(y), float(np.arctan2(d[1], d[0]))


def right_turn_east_to_south(x_lane: float, y_lane: float, radius: float, start_x: float, end_y: float) -> Route:
    """Eastbound along y_lane, a quarter circle, then southbound along x_lane."""
    cx, cy = x_lane - radius, y_lane + radius
    a = np.linspace(-np.pi / 2, 0.0, 24)
    arc = np.stack([cx + radius * np.cos(a), cy + radius * np.sin(a)], axis=1)
    return Route(np.concatenate([[[start_x, y_lane]], arc, [[x_lane, end_y]]]))


@dataclass
class Mover:
    """One tracked object: its class, route, when it starts and how fast it goes."""

    class_id: int
    route: Route
    speed: float
    t0: float = 0.0
    color: Color = (200, 200, 200)
    size: tuple[float, float] = (4.4, 1.8)   # length, width in meters
    track_id: int = 0
    history: list[tuple[float, float]] = field(default_factory=list)

    def pose(self, t: float) -> tuple[float, float, float] | None:
        s = (t - self.t0) * self.speed
        if s < 0 or s > self.route.s[-1]:
            return None
        return self.route.at(s)


def movers() -> list[Mover]:
    (h0, h1), (v0, v1) = ROAD_H, ROAD_V
    east, west = (h0 + h1) / 2 + 1.75, (h0 + h1) / 2 - 1.75     # lane centers
    south = (v0 + v1) / 2 - 1.75                                 # the southbound lane's center
    return [
        Mover(CAR, right_turn_east_to_south(south, east, 3.0, 4.0, 40.0), 7.0, color=(200, 40, 40)),
        Mover(CAR, Route.line((30.0, west), (-10.0, west)), 10.0, color=(235, 235, 238)),
        Mover(CAR, Route.line((south, -3.0), (south, 40.0)), 9.0, color=(40, 60, 130)),
        Mover(TRUCK, Route.line((50.0, west), (-20.0, west)), 6.0, color=(60, 110, 60), size=(8.0, 2.5)),
        Mover(CAR, Route.line((-6.0, east), (60.0, east)), 9.5, t0=1.0, color=(30, 30, 34)),
        Mover(BUS, Route.line((52.0, west), (-20.0, west)), 6.0, t0=2.0, color=(230, 180, 30), size=(11.0, 2.6)),
        Mover(BICYCLE, Route.line((46.0, h1 + 1.3), (-5.0, h1 + 1.3)), 4.0, color=(30, 140, 200), size=(1.8, 0.7)),
        Mover(PERSON, Route.line((v0 - 2.2, h0 - 4.25), (v1 + 4.0, h0 - 4.25)), 1.4,         # on the zebra
              color=(230, 90, 40), size=(0.55, 0.55)),
        Mover(PERSON, Route.line((v0 - WALK / 2, -1.0), (v0 - WALK / 2, 40.0)), 1.3, color=(60, 160, 220),
              size=(0.55, 0.55)),
        Mover(PERSON, Route.line((14.0, h0 - 1.2), (-2.0, h0 - 1.2)), 1.2, color=(240, 220, 80), size=(0.55, 0.55)),
        Mover(PERSON, Route.line((-0.8, h1 + 0.9), (30.0, h1 + 0.9)), 1.5, t0=0.5, color=(150, 70, 170),
              size=(0.55, 0.55)),
        Mover(PERSON, Route.line((v1 + 1.2, 26.0), (v1 + 1.2, -2.0)), 1.3, color=(240, 240, 240), size=(0.55, 0.55)),
    ]


def draw(c: Canvas, m: Mover, x: float, y: float, hd: float) -> None:
    """Top-down sprites: a shadow, then the body, windows and roof details per class."""
    L, Wd = m.size
    if m.class_id == PERSON:
        c.shape(x + 0.25, y + 0.25, hd, 0.35, 0.6, (20, 20, 24), ellipse=True, alpha=0.35)
        c.shape(x, y, hd, 0.32, 0.58, m.color, ellipse=True, shade=0.3)      # shoulders
        c.shape(x, y, hd, 0.24, 0.24, (70, 50, 40), ellipse=True, offset=0.02)  # head (hair)
        return
    if m.class_id == BICYCLE:
        c.shape(x + 0.2, y + 0.2, hd, L, 0.5, (20, 20, 24), alpha=0.3, round_m=0.2)
        c.shape(x, y, hd, L, 0.12, (30, 30, 34))                               # frame and wheels
        c.shape(x, y, hd, 0.1, 0.6, (50, 50, 55), offset=0.6)                 # handlebar
        c.shape(x, y, hd, 0.34, 0.55, m.color, ellipse=True, shade=0.3, offset=-0.1)
        c.shape(x, y, hd, 0.25, 0.25, (60, 60, 64), ellipse=True, offset=0.05)  # helmet
        return
    c.shape(x + 0.45, y + 0.45, hd, L, Wd, (15, 15, 20), round_m=0.4, alpha=0.4)
    if m.class_id == TRUCK:
        c.shape(x, y, hd, 2.0, Wd, m.color, round_m=0.3, shade=0.25, offset=L / 2 - 1.0)
        c.shape(x, y, hd, 0.5, Wd * 0.8, (40, 50, 62), offset=L / 2 - 0.55)
        c.shape(x, y, hd, L - 2.3, Wd, (222, 222, 218), round_m=0.1, shade=0.1, offset=-1.15)
        for k in range(5):
            c.shape(x, y, hd, 0.08, Wd * 0.96, (190, 190, 186), offset=-1.15 + (k - 2) * 1.1)
        return
    c.shape(x, y, hd, L, Wd, m.color, round_m=0.35 if m.class_id == CAR else 0.2, shade=0.3)
    glass = (38, 46, 58)
    if m.class_id == BUS:
        c.shape(x, y, hd, 0.5, Wd * 0.85, glass, offset=L / 2 - 0.4)           # windshield
        for k in (-3.0, 1.5):
            c.shape(x, y, hd, 1.6, 1.0, (200, 200, 204), offset=k)             # roof AC units
        return
    c.shape(x, y, hd, 0.9, Wd * 0.82, glass, round_m=0.1, offset=0.55)          # windshield
    c.shape(x, y, hd, 0.55, Wd * 0.78, glass, round_m=0.1, offset=-1.1)         # rear window


def main(out: str) -> None:
    rr.init("annoview_demo_tracking")
    rr.save(out)
    rr.log("/", rr.AnnotationContext([rr.AnnotationInfo(id=i, label=name, color=col) for i, name, col in CLASSES]),
           static=True)
    rng = np.random.default_rng(11)
    base = background(rng)
    things = movers()
    next_id = 1
    for frame in range(FRAMES):
        t = frame * DT
        rr.set_time("frame", sequence=frame)
        rr.set_time("time", duration=t)
        c = base.copy()
        poses = [(m, m.pose(t)) for m in things]
        for m, p in sorted(poses, key=lambda mp: mp[0].class_id == PERSON):  # people last: no shadow covers them
            if p is not None:
                draw(c, m, *p)
        rr.log("camera/image", rr.Image(c.finish(rng)))

        mins, sizes, class_ids, labels, trails, trail_ids = [], [], [], [], [], []
        for m, p in poses:
            box = None if p is None else detect(m, *p, rng)
            if box is None:
                m.history.clear()  # a track that is lost and found again would get a new id
                m.track_id = 0
                continue
            if m.track_id == 0:
                m.track_id, next_id = next_id, next_id + 1
            lo, hi = box
            mins.append(lo)
            sizes.append(hi - lo)
            class_ids.append(m.class_id)
            labels.append(f"{NAMES[m.class_id]} #{m.track_id}")
            # the trail follows the track's (smoothed) state, not the jittery detections, kept inside
            # the image so a half-visible object does not draw (and widen the view) past the edge
            m.history.append((float(np.clip(p[0] * PX_PER_M, 0, W)), float(np.clip(p[1] * PX_PER_M, 0, H))))
            del m.history[:-TRAIL_FRAMES]
            if len(m.history) > 1:
                trails.append(np.array(m.history, np.float32))
                trail_ids.append(m.class_id)
        rr.log("camera/image/tracks", rr.Boxes2D(mins=np.array(mins, np.float32).reshape(-1, 2),
                                                 sizes=np.array(sizes, np.float32).reshape(-1, 2),
                                                 class_ids=class_ids, labels=labels))
        # trails are colored by class too; the box already carries the track's label
        rr.log("camera/image/trails", rr.LineStrips2D(trails, class_ids=trail_ids, radii=-1.5, show_labels=False))


def detect(m: Mover, x: float, y: float, hd: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """The detector's box in pixels: the object's extent, a little noise, clipped to the image;
    None when too little of it is in view to be detected."""
    L, Wd = m.size
    c, s = abs(np.cos(hd)), abs(np.sin(hd))
    half = np.array([L * c + Wd * s, L * s + Wd * c]) / 2 * PX_PER_M + 0.6
    center = np.array([x, y]) * PX_PER_M + rng.normal(0, 0.15, 2)
    lo, hi = center - half, center + half
    clo, chi = np.maximum(lo, 0), np.minimum(hi, (W, H))
    if np.any(chi <= clo) or np.prod(chi - clo) < 0.35 * np.prod(hi - lo):
        return None
    return clo.astype(np.float32), chi.astype(np.float32)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets/tracking.avr")
