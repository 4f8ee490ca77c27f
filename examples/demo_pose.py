"""Demo recording `pose`: people walking as COCO-17 skeletons, in 2D over an image and in 3D.

Written as a Rerun user would write it (only the import differs). Usage:
    python examples/demo_pose.py [OUT.avr]      (default: assets/pose.avr)
"""
from __future__ import annotations

import sys

import numpy as np

import annoview as rr

COCO_KEYPOINTS = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
]
COCO_SKELETON = [
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9),
    (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
]
LEFT, RIGHT, CENTER = (255, 140, 0), (30, 144, 255), (220, 220, 220)


def keypoint_color(name: str) -> tuple[int, int, int]:
    return LEFT if name.startswith("left") else RIGHT if name.startswith("right") else CENTER


# A standing skeleton in body coordinates: x to the right, y up, meters; hips at the origin.
BODY = np.array([
    [0.0, 0.72], [-0.03, 0.75], [0.03, 0.75], [-0.07, 0.73], [0.07, 0.73], [-0.18, 0.52], [0.18, 0.52],
    [-0.22, 0.26], [0.22, 0.26], [-0.24, 0.02], [0.24, 0.02], [-0.10, 0.0], [0.10, 0.0], [-0.11, -0.42],
    [0.11, -0.42], [-0.12, -0.84], [0.12, -0.84],
], np.float32)


def pose_at(phase: float) -> np.ndarray:
    """Body-frame 3D keypoints (x right, y forward, z up) with swinging legs and arms."""
    pts = np.zeros((17, 3), np.float32)
    pts[:, 0], pts[:, 2] = BODY[:, 0], BODY[:, 1] + 0.95
    swing = 0.35 * np.sin(phase)
    for knee, ankle, s in ((13, 15, 1), (14, 16, -1)):
        pts[knee, 1] = s * swing * 0.5
        pts[ankle, 1] = s * swing
    for elbow, wrist, s in ((7, 9, -1), (8, 10, 1)):
        pts[elbow, 1] = s * swing * 0.4
        pts[wrist, 1] = s * swing * 0.8
    return pts


def background(w: int, h: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.uint8)
    horizon = int(h * 0.45)
    img[..., 0] = np.where(y < horizon, 110 + 60 * y / horizon, 70 + 20 * np.sin(x / 23.0))
    img[..., 1] = np.where(y < horizon, 150 + 60 * y / horizon, 95 + 15 * np.sin(x / 17.0 + y / 9.0))
    img[..., 2] = np.where(y < horizon, 200 + 40 * y / horizon, 60)
    return img


def main(out: str) -> None:
    rr.init("annoview_demo_pose")
    rr.save(out)
    rr.log("/", rr.AnnotationContext([
        rr.ClassDescription(
            info=rr.AnnotationInfo(id=1, label="person", color=(0, 200, 120)),
            keypoint_annotations=[rr.AnnotationInfo(id=i, label=n, color=keypoint_color(n))
                                  for i, n in enumerate(COCO_KEYPOINTS)],
            keypoint_connections=COCO_SKELETON,
        ),
    ]), static=True)
    w, h, focal = 640, 360, 420.0
    rr.log("world/camera/image", rr.Image(background(w, h)), static=True)
    people = [(-3.0, 5.0, 0.5, 0.0), (0.0, 6.5, 0.5, 1.3), (3.2, 8.0, -0.3, 2.1)]  # x0, depth, speed, phase
    for frame in range(60):
        rr.set_time("frame", sequence=frame)
        rr.set_time("time", duration=frame / 30.0)
        for i, (x0, depth, speed, ph) in enumerate(people):
            phase = ph + frame * 0.35
            body = pose_at(phase if speed > 0 else -phase)
            x = x0 + speed * frame / 30.0
            world = body + np.array([x, depth, 0.0], np.float32)
            rr.log(f"world/3d/person/{i}", rr.Points3D(world, class_ids=1, keypoint_ids=range(17), radii=0.03,
                                                     show_labels=False))
            # pinhole projection: camera at z = 1.2 m looking along +y
            u = w / 2 + focal * world[:, 0] / world[:, 1]
            v = h * 0.45 - focal * (world[:, 2] - 1.2) / world[:, 1]
            uv = np.stack([u, v], axis=1)
            # keypoint names show on hover; 17 labels per person would hide the skeleton
            rr.log(f"world/camera/person/{i}", rr.Points2D(uv, class_ids=1, keypoint_ids=range(17), radii=3.0,
                                                         show_labels=False))
            lo, hi = uv.min(axis=0) - 6, uv.max(axis=0) + 6
            rr.log(f"world/camera/person/{i}/bbox", rr.Boxes2D(mins=lo, sizes=hi - lo, class_ids=1,
                                                               labels=f"person {i}"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets/pose.avr")
