"""Scenes written as Rerun users write them (tests/scenes/), logged with annoview and with
rerun-sdk, drawn by `annoview screenshot` and checked at places measured in the Rerun 0.41
viewer with the same eye, target, up and time (3D) or origin and rectangle (2D).

- robot_arm.py: a transform hierarchy that changes over time, with a 3D keypoint skeleton.
- camera_mask.py: a posed pinhole with an image, a segmentation mask and 2D keypoints, seen in
  3D (image plane + frustum) and as the camera's own 2D view (`--origin /world/cam`).
"""
from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from annoview.io import load_chunks
from annoview.spatial import TransformTree, transform_points
from annoview.store import Store

SCENES = Path(__file__).parent / "scenes"
HAS_RERUN = importlib.util.find_spec("rerun") is not None
ROBOT_VIEW = ["--size", "959x626", "--space", "3d", "--eye", "1.8,-2.2,1.9", "--target", "0.7,0.3,0.9", "--up", "0,0,1"]
CAMERA_VIEW = ["--size", "959x626", "--space", "3d", "--eye", "4,-8,4", "--target", "0,-2,1", "--up", "0,0,1"]


def log_scene(name: str, out: Path, sdk: str) -> Path:
    source = (SCENES / name).read_text()
    if sdk == "annoview":
        source = source.replace("import rerun as rr", "import annoview as rr")
    proc = subprocess.run([sys.executable, "-c", source, str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    d = tmp_path_factory.mktemp("scenes")
    out = {}
    for name in ("robot_arm.py", "camera_mask.py"):
        out[(name, "annoview")] = log_scene(name, d / (name[:-3] + ".avr"), "annoview")
        if HAS_RERUN:
            out[(name, "rerun")] = log_scene(name, d / (name[:-3] + ".rrd"), "rerun")
    return out


def sdks():
    return ["annoview", pytest.param("rerun", marks=pytest.mark.skipif(not HAS_RERUN, reason="rerun-sdk not installed"))]


def screenshot(rec: Path, out: Path, *args: str) -> np.ndarray:
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(out), *args],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Transform3D" not in proc.stderr and "Pinhole" not in proc.stderr, proc.stderr
    return np.asarray(Image.open(out).convert("RGB")).astype(int)


def centroid(img: np.ndarray, rgb, tol: int) -> tuple[float, float]:
    m = np.abs(img - np.array(rgb)).max(-1) < tol
    assert m.sum() > 5, f"no {rgb} pixels"
    ys, xs = np.nonzero(m)
    return float(xs.mean()), float(ys.mean())


def store_of(path: Path) -> Store:
    s = Store()
    s.add_chunks(load_chunks(path))
    return s


# ---- the math, both SDKs --------------------------------------------------------------------

def robot_tip_by_hand(t: int) -> np.ndarray:
    """World position of the gripper's tip keypoint, composing the script's transforms by hand."""
    yaw, bend = t * math.pi / 12, -0.3 - 0.05 * t
    c, s = math.cos(yaw), math.sin(yaw)
    rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    cb, sb = math.cos(bend), math.sin(bend)
    ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    a = math.radians(30 * t)
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    tip = np.array([0.3, 0, 0])
    p = rx @ (1.5 * tip) + [0.8, 0, 0]          # gripper frame -> forearm
    p = ry @ p + [1.0, 0, 0]                    # forearm -> upper arm
    p = rz @ p + [0, 0, 0.5]                    # upper arm -> base
    return p + [0, 0, 0.2]                      # base -> world


@pytest.mark.parametrize("sdk", sdks())
def test_robot_world_transforms_match_the_hand_computed_chain(recordings, sdk):
    store = store_of(recordings[("robot_arm.py", sdk)])
    tree = TransformTree()
    for t in range(12):
        q = store.query(None, "frame", t)
        spaces = tree.resolve(q.paths, q.for_entity)
        w = spaces["/world/base/upper/fore/gripper"].world_from_parts
        np.testing.assert_allclose(transform_points(w, [[0.3, 0, 0]])[0], robot_tip_by_hand(t), atol=1e-5)


@pytest.mark.skipif(not HAS_RERUN, reason="rerun-sdk not installed")
def test_both_sdks_give_the_same_spaces(recordings):
    for name in ("robot_arm.py", "camera_mask.py"):
        a, b = store_of(recordings[(name, "annoview")]), store_of(recordings[(name, "rerun")])
        for t in (0, 3):
            qa, qb = a.query(None, "frame", t), b.query(None, "frame", t)
            sa, sb = TransformTree().resolve(qa.paths, qa.for_entity), TransformTree().resolve(qb.paths, qb.for_entity)
            for path in (p for p in sb if not p.startswith("/__")):
                np.testing.assert_allclose(sa[path].world_from_parts, sb[path].world_from_parts, atol=1e-6)
                assert (sa[path].world_from_image is None) == (sb[path].world_from_image is None)
                if sa[path].world_from_image is not None:
                    np.testing.assert_allclose(sa[path].world_from_image, sb[path].world_from_image, atol=1e-6)


# ---- pixels, compared with Rerun 0.41's viewer -------------------------------------------------
# (the camera scene is drawn from both SDKs' files; the spaces test above shows the files agree)

def test_robot_arm_moves_over_time_like_rerun(recordings, tmp_path):
    rec = recordings[("robot_arm.py", "annoview")]
    # labels off: their placement differs from Rerun's on purpose (annoview moves crowded labels
    # apart) and the tip's label is written in the tip's own cyan
    img5 = screenshot(rec, tmp_path / "t5.png", *ROBOT_VIEW, "--time", "frame=5", "--labels", "off")
    # measured in Rerun 0.41 at frame 5 with this eye: the cyan tip keypoint (its sphere's left
    # and top edges), the blue upper arm and the gray base
    ys, xs = np.nonzero(np.abs(img5 - (0, 255, 255)).max(-1) < 60)
    assert abs(xs.min() - 547) <= 2 and abs(ys.min() - 168) <= 2, (xs.min(), ys.min())
    tip = centroid(img5, (0, 255, 255), 60)
    upper = centroid(img5, (80, 160, 255), 40)
    assert abs(upper[0] - 391.7) <= 4 and abs(upper[1] - 325.1) <= 4, upper
    base = centroid(img5, (200, 200, 200), 20)
    assert abs(base[0] - 333.2) <= 4 and abs(base[1] - 409.5) <= 4, base
    # at frame 0 the arm points elsewhere: the tip is where the camera projects the hand-computed point
    from annoview.render import Camera3D
    cam = Camera3D.look([1.8, -2.2, 1.9], [0.7, 0.3, 0.9], (0, 0, 1))
    img0 = screenshot(rec, tmp_path / "t0.png", *ROBOT_VIEW, "--time", "frame=0")
    v = cam.view_proj((959, 626)) @ np.append(robot_tip_by_hand(0), 1.0)
    expected = ((v[0] / v[3] + 1) / 2 * 959, (1 - v[1] / v[3]) / 2 * 626)
    tip0 = centroid(img0, (0, 255, 255), 60)
    # (the label box right of the point hides part of its sphere: a few pixels of slack)
    assert abs(tip0[0] - expected[0]) <= 5 and abs(tip0[1] - expected[1]) <= 3, (tip0, expected)
    assert abs(tip0[0] - tip[0]) > 50


@pytest.mark.parametrize("sdk", sdks())
def test_camera_image_plane_and_frustum_in_3d_like_rerun(recordings, sdk, tmp_path):
    # labels off: the head keypoint's label is written in the keypoint's own green, which would
    # pull the head's centroid (and annoview places labels apart where Rerun stacks them)
    img = screenshot(recordings[("camera_mask.py", sdk)], tmp_path / "cam3d.png", *CAMERA_VIEW, "--time", "frame=2",
                     "--labels", "off")
    # pixel values read from Rerun 0.41's screenshot: the mask (0.5 over the image, linear
    # light) on the image plane, colored by the camera's annotation context
    for (x, y), rgb in {(400, 250): (137, 65, 55), (560, 260): (137, 115, 55), (560, 400): (42, 113, 146),
                        (480, 300): (161, 77, 26)}.items():
        assert np.abs(img[y, x] - rgb).max() <= 2, ((x, y), img[y, x], rgb)
    marker = centroid(img, (255, 255, 255), 30)                 # the 3D point in front of the camera
    assert abs(marker[0] - 644.4) <= 2 and abs(marker[1] - 290.6) <= 2, marker
    head = centroid(img, (0, 255, 0), 80)                       # the head keypoint on the image plane
    assert abs(head[0] - 504.8) <= 2 and abs(head[1] - 283.4) <= 3, head
    # the frustum: its up triangle's apex above the image (Rerun: about (479, 198))
    gray = np.abs(img - np.array([160, 160, 160])).max(-1) < 25
    ys, xs = np.nonzero(gray[150:215, 440:520])
    assert len(ys) and abs(ys.min() + 150 - 198) <= 6


def test_camera_space_in_2d_is_the_image_in_pixels(recordings, tmp_path):
    img = screenshot(recordings[("camera_mask.py", "annoview")], tmp_path / "cam2d.png", "--size", "835x626", "--space", "2d",
                     "--rect", "0,0,160,120", "--origin", "/world/cam", "--time", "frame=2")
    sx, sy = 835 / 160, 626 / 120
    # read from Rerun 0.41's screenshot of the same view
    for (u, v), rgb in {(20, 20): (137, 67, 55), (140, 20): (137, 117, 55), (70, 50): (161, 72, 26),
                        (20, 110): (42, 58, 146), (140, 110): (42, 113, 146)}.items():
        px = img[int((v + 0.5) * sy), int((u + 0.5) * sx)]
        assert np.abs(px - rgb).max() <= 2, ((u, v), px, rgb)
    # the head keypoint of frame 2 is at image pixel (100, 35)
    x, y = int(100 * sx), int(35 * sy)
    assert (np.abs(img[y - 2:y + 3, x - 2:x + 3] - (0, 255, 0)).max(-1) < 60).any()


def test_camera_without_a_plane_distance_sizes_its_plane_by_the_scene(tmp_path):
    """Without `image_plane_distance` the plane's distance follows the 3D content's size (here
    4% of the 27-unit diagonal of two markers: about 1.1), as measured in Rerun 0.41."""
    source = (SCENES / "camera_mask.py").read_text().replace(", image_plane_distance=2.0", "")
    source = source.replace("rr.Points3D([[1.5, 0, 1]]", "rr.Points3D([[1.5, 0, 1], [20, 20, 1]]")
    script = tmp_path / "camera_far.py"
    script.write_text(source.replace("import rerun as rr", "import annoview as rr"))
    rec = tmp_path / "far.avr"
    proc = subprocess.run([sys.executable, str(script), str(rec)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    img = screenshot(rec, tmp_path / "far.png", *CAMERA_VIEW, "--time", "frame=2", "--labels", "off")
    # pixel values read from Rerun 0.41's screenshot of the same scene and eye (the plane's
    # pixels; labels off, as they are placed differently on purpose)
    for (x, y), rgb in {(390, 300): (137, 65, 55), (470, 310): (137, 109, 55), (395, 370): (42, 56, 146),
                        (480, 385): (42, 111, 146), (430, 330): (161, 72, 26),
                        # near the plane's right edge: inside at distance 1.1, outside at 1.0
                        (496, 340): (137, 125, 55), (497, 390): (42, 122, 146)}.items():
        assert np.abs(img[y, x] - rgb).max() <= 2, ((x, y), img[y, x], rgb)


def test_robot_arm_seen_from_a_link_with_origin(recordings, tmp_path):
    """`--origin /world/base/upper`: the view shows that link's subtree in the link's own frame
    (its ground grid included); measured in Rerun 0.41 with the same origin and eye."""
    img = screenshot(recordings[("robot_arm.py", "annoview")], tmp_path / "origin.png", "--size", "959x626",
                     "--space", "3d", "--origin", "/world/base/upper", "--eye", "1,-2.5,1.5", "--target", "1,0,0",
                     "--up", "0,0,1", "--time", "frame=5", "--labels", "off")   # geometry only (see above)
    ys, xs = np.nonzero(np.abs(img - (0, 255, 255)).max(-1) < 60)
    assert abs(xs.min() - 715) <= 2 and abs(ys.min() - 170) <= 3, (xs.min(), ys.min())
    upper = centroid(img, (80, 160, 255), 40)            # the upper arm lies along the origin's x axis
    assert abs(upper[0] - 374.1) <= 5 and abs(upper[1] - 313.0) <= 2, upper
    gray = np.abs(img - (200, 200, 200)).max(-1) < 20    # the base is above the origin: not shown
    gray = gray[150:350, 560:700]
    # (the white palm's antialiased rim passes through this gray: only a solid gray area counts)
    solid = gray[1:-1, 1:-1] & gray[:-2, 1:-1] & gray[2:, 1:-1] & gray[1:-1, :-2] & gray[1:-1, 2:]
    assert solid.sum() == 0
