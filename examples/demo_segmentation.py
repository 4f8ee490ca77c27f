"""Demo recording `segmentation`: a dash-cam drive down a city street with a per-pixel class mask.

Every frame logs the camera image and, under it, a SegmentationImage whose pixels are class ids.
The AnnotationContext (Cityscapes' class colors) turns the ids into colors and hover labels; the
viewer draws the mask over the image at opacity 0.5, as Rerun does. Class 0 is an ordinary class
("unlabeled", black: the ego car's hood, as in Cityscapes) rather than "transparent".

The scene is ray-cast procedurally with numpy, image and mask in the same pass, so they agree
pixel for pixel. Written as a Rerun user would write it (only the import differs). Usage:
    python examples/demo_segmentation.py [OUT.avr]      (default: assets/segmentation.avr)

Size: the .avr format stores pixels uncompressed, so the camera is a small 184x92 (2:1, the
Cityscapes aspect) and the drive is 40 frames, which keeps the file under 3 MB.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import annoview as rr

W, H, SS = 184, 92, 4             # output size; SS x SS samples per pixel for smooth edges
CX, CY, F, CAM_H = W / 2, H * 0.42, W * 0.54, 1.4  # pinhole: principal point, focal (px), camera height (m)
FRAMES, DT, EGO_SPEED = 40, 0.1, 8.0       # 10 fps, 8 m/s
WALL_L, ROAD_L, LANE, ROAD_R, WALL_R = -8.5, -5.25, -1.75, 4.0, 6.6  # street cross-section (m)
PARKING = 1.75                    # the parking lane is between PARKING and ROAD_R

# Cityscapes' class colors, so the mask looks like the datasets users know.
CLASSES: list[tuple[int, str, tuple[int, int, int]]] = [
    (0, "unlabeled", (0, 0, 0)),
    (1, "road", (128, 64, 128)),
    (2, "sidewalk", (244, 35, 232)),
    (3, "building", (70, 70, 70)),
    (4, "pole", (153, 153, 153)),
    (5, "tree", (107, 142, 35)),
    (6, "sky", (70, 130, 180)),
    (7, "person", (220, 20, 60)),
    (8, "car", (0, 0, 142)),
]
UNLABELED, ROAD, SIDEWALK, BUILDING, POLE, TREE, SKY, PERSON, CAR = range(9)

Color = tuple[float, float, float]


class Canvas:
    """An RGB image and its class-id mask painted together, at SS x the output resolution.

    Painting both in one call is what keeps the mask honest: every sample that gets a color also
    gets the class of the thing that colored it, and later paint (nearer things) wins in both.
    """

    def __init__(self) -> None:
        self.rgb = np.zeros((H * SS, W * SS, 3), np.float32)
        self.ids = np.zeros((H * SS, W * SS), np.uint8)
        v, u = np.mgrid[0:H * SS, 0:W * SS].astype(np.float32)
        self.u, self.v = (u + 0.5) / SS, (v + 0.5) / SS  # sample centers in output pixels

    def region(self, u0: float, v0: float, u1: float, v1: float) -> tuple[slice, slice] | None:
        """The samples inside an output-pixel rectangle, clipped; None when nothing is visible."""
        c0, c1 = max(int(np.floor(u0 * SS)), 0), min(int(np.ceil(u1 * SS)), W * SS)
        r0, r1 = max(int(np.floor(v0 * SS)), 0), min(int(np.ceil(v1 * SS)), H * SS)
        return (slice(r0, r1), slice(c0, c1)) if c0 < c1 and r0 < r1 else None

    def paint(self, sl: tuple[slice, slice], inside: np.ndarray, color: Color | np.ndarray, class_id: int) -> None:
        rgb = self.rgb[sl]
        rgb[inside] = color[inside] if isinstance(color, np.ndarray) and color.ndim == 3 else color
        self.ids[sl][inside] = class_id

    def finish(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Box-filter the image down (antialiasing) and add a little sensor noise; the mask takes
        each pixel's center sample, so it stays a hard-edged map of ids."""
        img = self.rgb.reshape(H, SS, W, SS, 3).mean(axis=(1, 3))
        img += rng.normal(0.0, 2.5, img.shape)
        ids = self.ids[SS // 2::SS, SS // 2::SS]
        return np.clip(img, 0, 255).astype(np.uint8), np.ascontiguousarray(ids)


def shade(color: Color, t: np.ndarray, amount: float) -> np.ndarray:
    """`color` lighter at t=0 and darker at t=1 (t per sample), as a top-lit surface looks."""
    k = 1.0 + amount * (0.5 - t)
    return np.asarray(color, np.float32) * k[..., None]


class Billboard:
    """An upright object facing the camera at lateral position x and depth z (meters, camera
    frame); shapes are given in its local meters (lx to the right, ly up from the ground)."""

    def __init__(self, canvas: Canvas, x: float, z: float) -> None:
        self.c, self.x, self.z = canvas, x, z

    def px(self, lx: float, ly: float) -> tuple[float, float]:
        return CX + F * (self.x + lx) / self.z, CY + F * (CAM_H - ly) / self.z

    def rect(self, lx0: float, ly0: float, lx1: float, ly1: float, color: Color, cid: int, grad: float = 0.0) -> None:
        (u0, v1), (u1, v0) = self.px(lx0, ly0), self.px(lx1, ly1)
        sl = self.c.region(u0, v0, u1, v1)
        if sl is None:
            return
        u, v = self.c.u[sl], self.c.v[sl]
        inside = (u >= u0) & (u < u1) & (v >= v0) & (v < v1)
        self.c.paint(sl, inside, shade(color, (v - v0) / max(v1 - v0, 1e-6), grad) if grad else color, cid)

    def ellipse(self, lx: float, ly: float, rx: float, ry: float, color: Color, cid: int, grad: float = 0.0) -> None:
        (u, v), s = self.px(lx, ly), F / self.z
        sl = self.c.region(u - rx * s, v - ry * s, u + rx * s, v + ry * s)
        if sl is None:
            return
        du, dv = (self.c.u[sl] - u) / (rx * s), (self.c.v[sl] - v) / (ry * s)
        inside = du * du + dv * dv <= 1.0
        self.c.paint(sl, inside, shade(color, (dv + 1) / 2, grad) if grad else color, cid)


# ---- the static street, ray-cast per sample ---------------------------------------------------

@dataclass
class Facades:
    """One side's row of buildings: segment starts (world z), heights, colors."""

    starts: np.ndarray
    heights: np.ndarray
    colors: np.ndarray


def make_facades(rng: np.random.Generator, length: float = 260.0) -> Facades:
    palette = np.array([(150, 84, 66), (196, 176, 138), (128, 128, 134), (96, 112, 134), (170, 120, 90),
                        (214, 206, 190)], np.float32)
    widths = rng.uniform(7.0, 16.0, 40)
    starts = np.concatenate([[-20.0], -20.0 + np.cumsum(widths)])
    starts = starts[starts < length]
    return Facades(starts.astype(np.float32), rng.uniform(7.0, 22.0, len(starts)).round().astype(np.float32),
                   palette[rng.integers(0, len(palette), len(starts))])


def paint_street(c: Canvas, ego_z: float, t: float, left: Facades, right: Facades) -> None:
    """Sky, building walls and the ground plane, by intersecting each sample's ray with them.

    Works on flat arrays of just the samples each surface covers (a few hundred thousand
    samples a frame), which keeps the whole 40-frame recording a few seconds to generate.
    """
    u, v = c.u.reshape(-1), c.v.reshape(-1)
    rgb, ids = c.rgb.reshape(-1, 3), c.ids.reshape(-1)
    dx, dy = (u - CX) / F, (CY - v) / F                          # ray direction (dx, dy, 1)
    # sky everywhere first: a gradient with a few soft clouds drifting to the right
    hz = np.clip((CY - v) / CY, 0, 1)[:, None]
    rgb[:] = np.array([205, 225, 242], np.float32) * (1 - hz) + np.array([92, 150, 222], np.float32) * hz
    ids[:] = SKY
    top = np.flatnonzero(v < CY)
    cloud = np.zeros(len(top), np.float32)
    for cu, cv, ru, rv in ((0.22, 0.09, 26, 5), (0.65, 0.16, 32, 6), (0.95, 0.06, 20, 4), (0.43, 0.23, 18, 3)):
        cu = (cu * W + 6.0 * t) % (W + 60) - 30
        cloud = np.maximum(cloud, np.exp(-(((u[top] - cu) / ru) ** 2 + ((v[top] - cv * H) / rv) ** 2)))
    rgb[top] += (np.array([250, 250, 252], np.float32) - rgb[top]) * (0.85 * cloud)[:, None]
    # ground (y = 0) where the ray points down
    g = np.flatnonzero(dy < 0)
    tg = np.full(len(u), np.inf, np.float32)
    tg[g] = CAM_H / -dy[g]
    gx, gz = dx[g] * tg[g], tg[g] + ego_z
    road = (gx > ROAD_L) & (gx < ROAD_R)
    col = np.empty((len(g), 3), np.float32)
    wear = 1 + 0.05 * np.sin(gz[road] * 1.7) * np.sin(gx[road] * 2.3)
    col[road] = np.array([88, 88, 94], np.float32) * wear[:, None]
    col[road & (((np.abs(gx - LANE) < 0.08) & ((gz % 9.0) < 3.0)) | (np.abs(gx - PARKING) < 0.06))] = (232, 232, 226)
    tile = 1 + 0.04 * ((np.floor(gz / 1.2) + np.floor(gx / 1.2)) % 2)
    col[~road] = np.array([176, 168, 156], np.float32) * tile[~road, None]
    col[~road & ((np.abs(gx - ROAD_L) < 0.25) | (np.abs(gx - ROAD_R) < 0.25))] = (206, 204, 198)  # curbs
    rgb[g], ids[g] = col, np.where(road, ROAD, SIDEWALK)
    # walls (planes x = WALL_L / WALL_R): they win where the ray meets them above y = 0
    for side, wall_x, lit in ((left, WALL_L, 1.0), (right, WALL_R, 0.72)):
        cand = np.flatnonzero(dx * wall_x > 0)
        tw = wall_x / dx[cand]
        wy, wz = CAM_H + dy[cand] * tw, tw + ego_z
        k = np.clip(np.searchsorted(side.starts, wz, side="right") - 1, 0, len(side.starts) - 1)
        height = side.heights[k]
        hit = (wy >= 0) & (wy < height) & (tw < tg[cand])
        cand, wy, wz, k, height = cand[hit], wy[hit], wz[hit], k[hit], height[hit]
        local = wz - side.starts[k]
        col = side.colors[k] * lit
        upper = ((wy > 3.4) & (wy < height - 0.8) & ((wy - 3.4) % 3.2 < 1.6)
                 & ((local % 3.0) > 0.9) & ((local % 3.0) < 2.3))
        shop = (wy > 0.5) & (wy < 2.6) & ((local % 4.5) > 0.6) & ((local % 4.5) < 3.9)
        window = upper | shop
        col[window] = np.array([52, 66, 88], np.float32) * lit + 25 * np.sin(wz[window] * 3.1 + wy[window])[:, None]
        col[(local < 0.25) | (wy > height - 0.4)] *= 0.7                                 # edges and cornices
        rgb[cand], ids[cand] = col, BUILDING


# ---- moving and standing things ---------------------------------------------------------------

def draw_tree(b: Billboard, seed: int) -> None:
    rng = np.random.default_rng(seed)
    b.rect(-0.15, 0.0, 0.15, 3.0, (88, 62, 42), TREE)
    for _ in range(5):
        b.ellipse(rng.uniform(-0.8, 0.8), rng.uniform(3.4, 4.8), rng.uniform(1.0, 1.5), rng.uniform(0.9, 1.3),
                  (52 + rng.uniform(-8, 12), 112 + rng.uniform(-15, 20), 44), TREE, grad=0.6)


def draw_lamp(b: Billboard) -> None:
    b.rect(-0.08, 0.0, 0.08, 6.2, (70, 72, 78), POLE)
    b.rect(-0.9, 6.0, 0.08, 6.2, (70, 72, 78), POLE)
    b.rect(-0.9, 5.85, -0.4, 6.05, (232, 228, 190), POLE)


def draw_car(b: Billboard, paint: Color, front: bool) -> None:
    """A car seen from behind (front=False) or head-on; 1.8 m wide, 1.45 m tall."""
    b.rect(-0.95, -0.02, 0.95, 0.12, (48, 48, 52), ROAD)          # shadow on the road
    b.rect(-0.85, 0.0, -0.55, 0.45, (22, 22, 24), CAR)             # wheels
    b.rect(0.55, 0.0, 0.85, 0.45, (22, 22, 24), CAR)
    b.rect(-0.9, 0.25, 0.9, 0.95, paint, CAR, grad=0.5)
    b.rect(-0.72, 0.92, 0.72, 1.45, paint, CAR, grad=0.3)
    b.rect(-0.62, 0.98, 0.62, 1.38, (40, 48, 60), CAR, grad=-0.6)  # rear window / windshield
    light = (250, 244, 215) if front else (210, 30, 30)
    b.rect(-0.85, 0.62, -0.55, 0.78, light, CAR)
    b.rect(0.55, 0.62, 0.85, 0.78, light, CAR)
    b.rect(-0.3, 0.35, 0.3, 0.5, (225, 225, 215), CAR)             # number plate


def draw_person(b: Billboard, shirt: Color, phase: float) -> None:
    swing = 0.12 * np.sin(phase)
    skin, pants = (224, 182, 150), (46, 52, 70)
    b.rect(-0.2, 0.0 + max(swing, 0), -0.04, 0.9, pants, PERSON)
    b.rect(0.04, 0.0 + max(-swing, 0), 0.2, 0.9, pants, PERSON)
    b.rect(-0.26, 0.85, 0.26, 1.5, shirt, PERSON, grad=0.4)
    b.rect(-0.34, 0.9 + swing, -0.24, 1.45, shirt, PERSON)          # arms
    b.rect(0.24, 0.9 - swing, 0.34, 1.45, shirt, PERSON)
    b.ellipse(0.0, 1.63, 0.12, 0.14, skin, PERSON)
    b.ellipse(0.0, 1.7, 0.125, 0.08, (60, 40, 30), PERSON)          # hair


def draw_hood(c: Canvas) -> None:
    """The ego car's hood at the bottom of the frame: class 0, 'unlabeled', like Cityscapes."""
    u0, v0, rx, ry = W / 2, H + 34.0, W * 0.95, 44.0
    sl = c.region(0, v0 - ry, W, H)
    if sl is None:
        return
    du, dv = (c.u[sl] - u0) / rx, (c.v[sl] - v0) / ry
    inside = du * du + dv * dv <= 1.0
    body = shade((36, 52, 86), np.clip(dv + 1.0, 0, 1) * 3, 0.5)
    glint = np.exp(-((du + 0.25) ** 2 * 40 + (dv + 0.93) ** 2 * 900))[..., None] * 120
    c.paint(sl, inside, body + glint, UNLABELED)


@dataclass
class Mover:
    """Something on the street: world-z at t=0 and speed along the street (m/s)."""

    kind: str
    x: float
    z0: float
    speed: float
    color: Color
    phase: float = 0.0


def movers(rng: np.random.Generator) -> list[Mover]:
    car_paints = [(176, 30, 36), (226, 226, 230), (40, 70, 150), (160, 164, 172), (30, 30, 34), (228, 178, 40)]
    shirts = [(214, 86, 40), (40, 120, 200), (230, 200, 60), (120, 60, 150), (60, 150, 90), (235, 235, 235)]
    out = [
        Mover("lead", 0.0, 15.0, EGO_SPEED - 1.6, car_paints[0]),                  # we slowly close in
        Mover("oncoming", -3.5, 24.0, -9.0, car_paints[1]),                   # passes us at ~1 s
        Mover("oncoming", -3.5, 48.0, -9.0, car_paints[2]),                   # ~2.3 s
        Mover("oncoming", -3.5, 80.0, -9.5, car_paints[5]),                   # close by the end
        Mover("parked", 2.9, 18.0, 0.0, car_paints[3]),
        Mover("parked", 2.9, 25.0, 0.0, car_paints[4]),
        Mover("parked", 2.9, 52.0, 0.0, car_paints[2]),
    ]
    for i in range(9):                                             # pedestrians on both sidewalks
        left = i % 2 == 0
        x = rng.uniform(-7.6, -6.0) if left else rng.uniform(4.6, 5.9)
        out.append(Mover("person", x, rng.uniform(6.0, 60.0), rng.choice([-1.4, 1.3, -1.2, 1.5]),
                         shirts[i % len(shirts)], rng.uniform(0, 6.28)))
    return out


def render(t: float, left: Facades, right: Facades, things: list[Mover],
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    ego_z = EGO_SPEED * t
    c = Canvas()
    paint_street(c, ego_z, t, left, right)
    drawables: list[tuple[float, Callable[[], None]]] = []

    def add(x: float, world_z: float, fn: Callable[[Billboard], None]) -> None:
        z = world_z - ego_z
        if 1.5 < z < 110:
            drawables.append((z, lambda: fn(Billboard(c, x, z))))

    for k in range(24):                                            # trees and street lamps
        add(-6.6, 7.0 + 11.0 * k, lambda b, k=k: draw_tree(b, 100 + k))
        add(5.6, 12.5 + 13.0 * k, lambda b, k=k: draw_tree(b, 200 + k))
        add(4.3, 20.0 + 23.0 * k, draw_lamp)
    for m in things:
        wz = m.z0 + m.speed * t
        if m.kind == "person":
            add(m.x, wz, lambda b, m=m: draw_person(b, m.color, m.phase + 7.0 * t))
        else:
            add(m.x, wz, lambda b, m=m: draw_car(b, m.color, front=m.kind == "oncoming"))
    for _, draw in sorted(drawables, key=lambda d: -d[0]):         # far to near: nearer paint wins
        draw()
    draw_hood(c)
    return c.finish(rng)


def main(out: str) -> None:
    rr.init("annoview_demo_segmentation")
    rr.save(out)
    rr.log("/", rr.AnnotationContext([rr.AnnotationInfo(id=i, label=name, color=col) for i, name, col in CLASSES]),
           static=True)
    rng = np.random.default_rng(7)
    left, right = make_facades(rng), make_facades(rng)
    things = movers(rng)
    for frame in range(FRAMES):
        t = frame * DT
        rr.set_time("frame", sequence=frame)
        rr.set_time("time", duration=t)
        image, mask = render(t, left, right, things, rng)
        rr.log("camera/image", rr.Image(image))
        # Under the image entity, so it draws over it (at opacity 0.5 by default).
        rr.log("camera/image/mask", rr.SegmentationImage(mask))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets/segmentation.avr")
