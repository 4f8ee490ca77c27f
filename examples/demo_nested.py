"""Demo recording `nested`: one overhead camera, two robot cells, three annotation contexts.

Two robots share a lab and an overhead camera, but their detectors were trained separately, so
the same class ids mean different things in each cell:

    id   lab (root context "/")   lab/robot_a (fruit picker)   lab/robot_b (parts sorter)
    1    tote                     apple                        nut      -> "hex nut M6" at frame 20
    2    cart                     banana                       bolt     -> "bolt M6"
    3    person                   pear                         washer   -> "washer M6"
    4    -                        -                            (none)   -> "spacer" (new in v2)

Each robot logs its own AnnotationContext at its subtree root, and everything under it (mask,
boxes, arm skeleton) resolves against the nearest one, so class 1 is a red "apple" on the left
table, a cyan "nut" on the right one and a gray "tote" in the aisle, side by side. Robot B's
context changes over time: at frame 20 its "v2" label map replaces v1 (contexts are queried
latest-at like any data), so the right half recolors and relabels while nothing else is
re-logged. Before frame 20 its class 4 is not in the context at all: auto color, no label.

The masks use class 0 with alpha 0 so only the objects tint the camera image. Written as a
Rerun user would write it (only the import differs). Usage:
    python examples/demo_nested.py [OUT.avr]      (default: assets/nested.avr)
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import annoview as rr

W, H, SS = 320, 180, 4            # camera image (1 px = 1 cm of lab floor); SS x SS samples per pixel
FRAMES, DT, SWITCH_FRAME = 40, 0.1, 20
TABLE_A, TABLE_B = (14, 14, 134, 150), (186, 14, 306, 150)  # x0, y0, x1, y1
BASE_A, BASE_B = (74.0, 166.0), (246.0, 166.0)              # robot bases, just below their tables
TOTES, CART, AISLE_X = ((140, 22), (140, 58)), (139, 116), 173.0  # the aisle between the cells
LINKS = (72.0, 62.0, 12.0)       # shoulder-elbow, elbow-wrist, wrist-fingertips (px)

ARM_KEYPOINTS = ["base", "elbow", "wrist", "finger_l", "finger_r"]
ARM_CONNECTIONS = [(0, 1), (1, 2), (2, 3), (2, 4)]
ARM = 10
TRANSPARENT = (0, 0, 0, 0)
JOINT = (54, 56, 62)              # joints are dark; links and fingers take the arm's class color


def arm_class(color: tuple[int, int, int]) -> rr.ClassDescription:
    return rr.ClassDescription(info=rr.AnnotationInfo(id=ARM, label="arm", color=color),
                               keypoint_annotations=[rr.AnnotationInfo(id=i, label=n, color=JOINT if i < 3 else None)
                                                     for i, n in enumerate(ARM_KEYPOINTS)],
                               keypoint_connections=ARM_CONNECTIONS)


ROOT_CONTEXT = rr.AnnotationContext([(1, "tote", (170, 170, 178)), (2, "cart", (120, 130, 220)),
                                     (3, "person", (255, 255, 255))])
ROBOT_A_CONTEXT = rr.AnnotationContext([
    (0, "background", TRANSPARENT), (1, "apple", (235, 40, 50)), (2, "banana", (255, 215, 0)),
    (3, "pear", (120, 220, 60)), arm_class((255, 150, 40)),
])
ROBOT_B_V1 = rr.AnnotationContext([
    (0, "background", TRANSPARENT), (1, "nut", (0, 190, 255)), (2, "bolt", (170, 90, 255)),
    (3, "washer", (255, 110, 200)), arm_class((80, 150, 255)),
])
ROBOT_B_V2 = rr.AnnotationContext([   # a retrained detector: finer names, nuts recolored, spacers known
    (0, "background", TRANSPARENT), (1, "hex nut M6", (255, 160, 0)), (2, "bolt M6", (170, 90, 255)),
    (3, "washer M6", (255, 110, 200)), (4, "spacer", (255, 255, 255)), arm_class((80, 150, 255)),
])

Color = tuple[float, float, float]


class Canvas:
    """The camera image and one class-id mask per robot, painted together at SS x resolution."""

    def __init__(self) -> None:
        self.rgb = np.zeros((H * SS, W * SS, 3), np.float32)
        self.ids = np.zeros((H * SS, W * SS), np.uint8)
        v, u = np.mgrid[0:H * SS, 0:W * SS].astype(np.float32)
        self.u, self.v = (u + 0.5) / SS, (v + 0.5) / SS

    def region(self, x0: float, y0: float, x1: float, y1: float) -> tuple[slice, slice] | None:
        c0, c1 = max(int(np.floor(x0 * SS)), 0), min(int(np.ceil(x1 * SS)), W * SS)
        r0, r1 = max(int(np.floor(y0 * SS)), 0), min(int(np.ceil(y1 * SS)), H * SS)
        return (slice(r0, r1), slice(c0, c1)) if c0 < c1 and r0 < r1 else None

    def paint(self, box: tuple[float, float, float, float], inside_fn, color: Color, class_id: int | None = None,
              alpha: float = 1.0, shade: float = 0.0) -> None:
        """Paint samples in `box` where inside_fn(u, v) holds; `shade` lights them from the top left."""
        sl = self.region(*box)
        if sl is None:
            return
        u, v = self.u[sl], self.v[sl]
        inside = inside_fn(u, v)
        col = np.broadcast_to(np.asarray(color, np.float32), (*u.shape, 3))
        if shade:
            cx, cy, r = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, max(box[2] - box[0], box[3] - box[1]) / 2
            light = 1 + shade * (0.35 - np.hypot(u - cx + 0.4 * r, v - cy + 0.4 * r) / (1.6 * r))
            col = col * light[..., None]
        rgb = self.rgb[sl]
        rgb[inside] = rgb[inside] * (1 - alpha) + col[inside] * alpha
        if class_id is not None:
            self.ids[sl][inside] = class_id

    def finish(self, rng: np.random.Generator) -> np.ndarray:
        img = self.rgb.reshape(H, SS, W, SS, 3).mean(axis=(1, 3)) + rng.normal(0, 1.5, (H, W, 3))
        return np.clip(img, 0, 255).astype(np.uint8)

    def mask(self) -> np.ndarray:
        return np.ascontiguousarray(self.ids[SS // 2::SS, SS // 2::SS])


# ---- shapes (inside tests in pixel coordinates) ------------------------------------------------

def circle(cx: float, cy: float, r: float):
    return (cx - r, cy - r, cx + r, cy + r), lambda u, v: (u - cx) ** 2 + (v - cy) ** 2 <= r * r


def ring(cx: float, cy: float, r: float, r_in: float):
    return (cx - r, cy - r, cx + r, cy + r), lambda u, v: (r_in * r_in < (u - cx) ** 2 + (v - cy) ** 2) & (
        (u - cx) ** 2 + (v - cy) ** 2 <= r * r)


def hexagon(cx: float, cy: float, r: float, angle: float, hole: float = 0.0):
    def inside(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        du, dv = u - cx, v - cy
        normals = [angle + k * np.pi / 3 for k in range(3)]
        d = np.max([np.abs(du * np.cos(a) + dv * np.sin(a)) for a in normals], 0)
        return (d <= r * np.cos(np.pi / 6)) & (du * du + dv * dv >= hole * hole)
    return (cx - r, cy - r, cx + r, cy + r), inside


def bar(x0: float, y0: float, x1: float, y1: float, half_width: float):
    """A rounded bar (capsule) from (x0, y0) to (x1, y1)."""
    d = np.array([x1 - x0, y1 - y0])
    n2 = float(d @ d)

    def inside(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        t = np.clip(((u - x0) * d[0] + (v - y0) * d[1]) / n2, 0, 1)
        return (u - x0 - t * d[0]) ** 2 + (v - y0 - t * d[1]) ** 2 <= half_width ** 2
    pad = half_width
    return (min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad, max(y0, y1) + pad), inside


def arc(cx: float, cy: float, radius: float, a0: float, a1: float, half_width: float):
    """A banana: a band along a circular arc, thickest in the middle."""
    def inside(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        a = np.arctan2(v - cy, u - cx)
        t = (a - a0) / (a1 - a0)
        w = half_width * np.sqrt(np.clip(1 - (2 * t - 1) ** 2, 0, 1)) + 0.6
        return (t >= 0) & (t <= 1) & (np.abs(np.hypot(u - cx, v - cy) - radius) <= w)
    r = radius + half_width
    return (cx - r, cy - r, cx + r, cy + r), inside


def rect(x0: float, y0: float, x1: float, y1: float):
    return (x0, y0, x1, y1), lambda u, v: (u >= x0) & (u < x1) & (v >= y0) & (v < y1)


# ---- the lab -----------------------------------------------------------------------------------

@dataclass
class Thing:
    """An object on a table: class id, center, and its axis-aligned extent for the box."""

    class_id: int
    x: float
    y: float
    box: tuple[float, float, float, float]


def draw_floor(c: Canvas, rng: np.random.Generator) -> None:
    tile = ((np.floor(c.u / 40) + np.floor(c.v / 40)) % 2)[..., None]
    c.rgb[:] = np.array([196, 199, 203], np.float32) - 6 * tile
    c.rgb[(c.u % 40 < 0.4) | (c.v % 40 < 0.4)] *= 0.9
    for x0, y0, x1, y1 in (TABLE_A, TABLE_B):                      # safety tape around each cell
        outer, inner = rect(x0 - 9, y0 - 9, x1 + 9, y1 + 29), rect(x0 - 6, y0 - 6, x1 + 6, y1 + 26)
        c.paint(outer[0], lambda u, v, o=outer[1], i=inner[1]: o(u, v) & ~i(u, v) & (((u + v) // 5) % 2 == 0),
                (236, 190, 30))
        c.paint(outer[0], lambda u, v, o=outer[1], i=inner[1]: o(u, v) & ~i(u, v) & (((u + v) // 5) % 2 == 1),
                (40, 40, 40))
        c.paint(*rect(x0 + 3, y0 + 3, x1 + 3, y1 + 3), (60, 60, 66), alpha=0.35)  # table shadow
    x0, y0, x1, y1 = TABLE_A                                         # a wooden table for fruit
    c.paint(*rect(*TABLE_A), (198, 160, 112))
    grain = rect(x0, y0, x1, y1)
    c.paint(grain[0], lambda u, v: grain[1](u, v) & (np.sin(v * 0.9 + 2 * np.sin(u * 0.05)) > 0.6), (182, 144, 98))
    x0, y0, x1, y1 = TABLE_B                                         # a steel plate with a hole grid
    c.paint(*rect(*TABLE_B), (156, 162, 170))
    holes = rect(x0, y0, x1, y1)
    c.paint(holes[0],
            lambda u, v: holes[1](u, v) & (((u - x0 - 10) % 20 - 10) ** 2 + ((v - y0 - 10) % 20 - 10) ** 2 < 2.2),
            (96, 100, 108))
    for bx, by in (BASE_A, BASE_B):                                  # robot bases (the arms are only logged)
        c.paint(*circle(bx, by, 13), (70, 72, 78), shade=0.5)
        c.paint(*circle(bx, by, 6), (40, 42, 46))
    for tx, ty in TOTES:                                             # totes in the aisle
        c.paint(*rect(tx, ty, tx + 24, ty + 26), (40, 90, 170), shade=0.3)
        c.paint(*rect(tx + 3, ty + 3, tx + 21, ty + 23), (30, 70, 140))
    x0, y0 = CART
    c.paint(*rect(x0, y0, x0 + 26, y0 + 30), (90, 90, 96))           # a cart
    c.paint(*rect(x0 + 3, y0 + 3, x0 + 23, y0 + 27), (150, 150, 158))


def fruit(c: Canvas, rng: np.random.Generator) -> list[Thing]:
    things = []
    for x, y in ((36, 40), (58, 104), (112, 128), (96, 34)):
        c.paint(*circle(x, y, 8), (200, 30, 40), 1, shade=0.8)
        c.paint(*circle(x + 1, y - 1, 1.2), (90, 60, 30), 1)
        things.append(Thing(1, x, y, (x - 8, y - 8, x + 8, y + 8)))
    for x, y, a in ((40, 80, 0.3), (100, 80, 2.0)):
        cx, cy = x - 16 * np.cos(a), y - 16 * np.sin(a)
        box, inside = arc(cx, cy, 16, a - 0.9, a + 0.9, 4.5)
        c.paint(box, inside, (246, 210, 60), 2, shade=0.5)
        c.paint(*circle(cx + 16 * np.cos(a - 0.9), cy + 16 * np.sin(a - 0.9), 1.4), (80, 60, 30), 2)
        pts = np.array([(cx + 16 * np.cos(t), cy + 16 * np.sin(t)) for t in np.linspace(a - 0.9, a + 0.9, 9)])
        things.append(Thing(2, x, y, (*(pts.min(0) - 4), *(pts.max(0) + 4))))
    for x, y in ((34, 128), (70, 58), (118, 58)):
        c.paint(*circle(x, y + 3, 7.5), (160, 190, 60), 3, shade=0.7)
        c.paint(*circle(x, y - 5, 5), (170, 198, 70), 3, shade=0.7)
        things.append(Thing(3, x, y, (x - 7.5, y - 10, x + 7.5, y + 10.5)))
    return things


def parts(c: Canvas, rng: np.random.Generator) -> list[Thing]:
    steel = (190, 192, 198)
    things = []
    for x, y, a in ((208, 36, 0.2), (270, 104, 0.5), (236, 132, 0.9)):
        c.paint(*hexagon(x, y, 8, a, hole=3.5), steel, 1, shade=0.6)
        things.append(Thing(1, x, y, (x - 8, y - 8, x + 8, y + 8)))
    for x0, y0, x1, y1 in ((214, 64, 246, 78), (262, 40, 292, 30), (284, 130, 292, 100)):
        c.paint(*bar(x0, y0, x1, y1, 3.0), (176, 178, 186), 2, shade=0.4)
        c.paint(*hexagon(x0, y0, 6.5, 0.3), steel, 2, shade=0.6)
        things.append(Thing(2, (x0 + x1) / 2, (y0 + y1) / 2,
                            (min(x0, x1) - 6.5, min(y0, y1) - 6.5, max(x0, x1) + 6.5, max(y0, y1) + 6.5)))
    for x, y in ((206, 108), (256, 72), (298, 64)):
        c.paint(*ring(x, y, 7.5, 3.8), (204, 206, 212), 3, shade=0.6)
        things.append(Thing(3, x, y, (x - 7.5, y - 7.5, x + 7.5, y + 7.5)))
    for x, y in ((214, 136), (276, 136)):
        c.paint(*ring(x, y, 5.5, 2.2), (200, 164, 80), 4, shade=0.6)   # brass spacers
        things.append(Thing(4, x, y, (x - 5.5, y - 5.5, x + 5.5, y + 5.5)))
    return things


# ---- the arms ----------------------------------------------------------------------------------

def arm_pose(base: Sequence[float], target: np.ndarray) -> np.ndarray:
    """Keypoints (base, elbow, wrist, two fingertips) of a planar arm whose fingertips reach
    `target`: two-link inverse kinematics for the wrist, elbow bent to the outside."""
    b = np.asarray(base, np.float64)
    l1, l2, l3 = LINKS
    to = target - b
    u = to / np.linalg.norm(to)
    wrist = target - u * l3
    d = min(np.linalg.norm(wrist - b), l1 + l2 - 1e-3)
    a = np.arccos(np.clip((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d), -1, 1))
    # of the two elbow solutions, take the one nearer the middle of the robot's own table
    heading = np.arctan2(*(wrist - b)[::-1])
    elbows = [b + l1 * np.array([np.cos(ang), np.sin(ang)]) for ang in (heading + a, heading - a)]
    elbow = min(elbows, key=lambda e: abs(e[0] - b[0]))
    wrist = elbow + l2 * (wrist - elbow) / np.linalg.norm(wrist - elbow)
    n = np.array([-u[1], u[0]]) * 4.5
    return np.array([b, elbow, wrist, target + n, target - n], np.float32)


def arm_target(things: list[Thing], order: Sequence[int], frame: int) -> np.ndarray:
    """Where the fingertips are: hovering over one object for a while, then moving to the next."""
    seg, k = divmod(frame, 10)
    p0 = np.array([things[order[seg % len(order)]].x, things[order[seg % len(order)]].y])
    p1 = np.array([things[order[(seg + 1) % len(order)]].x, things[order[(seg + 1) % len(order)]].y])
    s = np.clip((k - 5) / 5, 0, 1)
    return p0 + (p1 - p0) * (s * s * (3 - 2 * s))


def log_things(path: str, things: list[Thing]) -> None:
    boxes = np.array([t.box for t in things], np.float32)
    # no labels given: each box is labeled by its class in the nearest context
    rr.log(path, rr.Boxes2D(mins=boxes[:, :2], sizes=boxes[:, 2:] - boxes[:, :2],
                            class_ids=[t.class_id for t in things]), static=True)


def main(out: str) -> None:
    rr.init("annoview_demo_nested")
    rr.save(out)
    rng = np.random.default_rng(5)
    rr.log("/", ROOT_CONTEXT, static=True)
    rr.log("lab/robot_a", ROBOT_A_CONTEXT, static=True)

    c = Canvas()
    draw_floor(c, rng)
    c.ids[:] = 0
    fruit_things = fruit(c, rng)
    mask_a = c.mask()
    c.ids[:] = 0
    part_things = parts(c, rng)
    mask_b = c.mask()
    rr.log("lab/camera", rr.Image(c.finish(rng)), static=True)
    rr.log("lab/robot_a/mask", rr.SegmentationImage(mask_a), static=True)
    rr.log("lab/robot_b/mask", rr.SegmentationImage(mask_b), static=True)
    log_things("lab/robot_a/objects", fruit_things)
    log_things("lab/robot_b/objects", part_things)
    # Lab-wide things resolve against the root context: ids 1 and 2 are a tote and a cart here.
    rr.log("lab/aisle/equipment", rr.Boxes2D(mins=[(x - 1, y - 1) for x, y in (*TOTES, CART)],
                                             sizes=[(26, 28), (26, 28), (28, 32)], class_ids=[1, 1, 2]), static=True)

    for frame in range(FRAMES):
        rr.set_time("frame", sequence=frame)
        rr.set_time("time", duration=frame * DT)
        if frame == 0:
            rr.log("lab/robot_b", ROBOT_B_V1)
        elif frame == SWITCH_FRAME:
            rr.log("lab/robot_b", ROBOT_B_V2)   # from here on robot B's ids mean something else
        for name, base, things, order in (("robot_a", BASE_A, fruit_things, (0, 4, 6, 8, 3)),
                                          ("robot_b", BASE_B, part_things, (0, 3, 9, 7, 5))):
            kp = arm_pose(base, arm_target(things, order, frame))
            rr.log(f"lab/{name}/arm", rr.Points2D(kp, class_ids=ARM, keypoint_ids=range(5), radii=3.0,
                                                  show_labels=False))
            rr.log(f"lab/{name}/arm/links", rr.LineStrips2D([kp[:3]], class_ids=ARM, radii=3.5, show_labels=False))
        y = 190.0 - frame * 4.2                                          # someone walks up the aisle
        rr.log("lab/aisle/person", rr.Points2D([(AISLE_X, y)], class_ids=3, radii=5.0))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets/nested.avr")
