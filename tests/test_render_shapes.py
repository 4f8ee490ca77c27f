"""Boxes3D, Ellipsoids3D, Arrows2D and Arrows3D: logged as a Rerun user would (tests/scenes/*.py,
run with annoview in place of rerun), drawn through the same palette lookup, labels, picking and
hover as points and boxes. The geometry is checked without GL, the pixels through `annoview
screenshot` (2D) and the renderer with Rerun's 3D eye; the expected positions were measured on
the Rerun 0.41 viewer's screenshots of the same scripts (tests/scenes)."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from annoview.annotations import auto_color
from annoview.app.viewer.hover import describe
from annoview.io import load_chunks
from annoview.render import Camera3D, Renderer, SceneRenderer, create_headless_context
from annoview.scene import SceneBuilder
from annoview.scene.visuals import ArrowsVisual, LinesVisual
from annoview.scene.visualizers._poses import axis_angle_matrices, quaternion_matrices
from annoview.store import Store

SCENES = Path(__file__).resolve().parent / "scenes"
OUT = Path(__file__).resolve().parent.parent / "test-output"
WIND, FLOW, CAR, TREE, AXIS = (255, 160, 0), (0, 170, 255), (255, 80, 80), (60, 200, 60), (80, 140, 255)


def record(name: str, tmp_path: Path) -> Path:
    """Run tests/scenes/NAME.py with `import rerun as rr` served by annoview; the .avr it saves."""
    out = tmp_path / f"{name}.avr"
    code = ("import runpy, sys, annoview; sys.modules['rerun'] = annoview; "
            f"sys.argv = ['scene', {str(out)!r}]; runpy.run_path({str(SCENES / (name + '.py'))!r}); annoview.disconnect()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "does not draw" not in proc.stderr, proc.stderr
    return out


def load(path: Path) -> Store:
    store = Store()
    store.add_chunks(load_chunks(path))
    return store


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(create_headless_context())
    yield r
    assert r.ctx.error == "GL_NO_ERROR"
    r.release()


def pixel(img: np.ndarray, xy: tuple[int, int]) -> tuple[int, int, int]:
    return tuple(int(v) for v in img[xy[1], xy[0], :3])  # type: ignore[return-value]


def save(img: np.ndarray, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    PILImage.fromarray(img).save(OUT / f"{name}.png")


# ---- geometry, no GL -------------------------------------------------------------------------

def test_rotations_match_their_definitions():
    q45 = quaternion_matrices([[0, 0, math.sin(math.pi / 8), math.cos(math.pi / 8)]])[0]
    assert np.allclose(q45 @ [1, 0, 0], [math.sqrt(0.5), math.sqrt(0.5), 0])
    aa = axis_angle_matrices([[1, 0, 0]], [math.radians(90)])[0]
    assert np.allclose(aa @ [0, 1, 0], [0, 0, 1])
    assert np.allclose(quaternion_matrices([[0, 0, 0, 0]])[0], np.eye(3))      # degenerate: identity
    # the same matrices as the transform code's, one at a time
    from annoview.spatial.transforms import axis_angle_matrix, quaternion_matrix

    rng = np.random.default_rng(1)
    quats, axes, angles = rng.normal(size=(20, 4)), rng.normal(size=(20, 3)), rng.uniform(-4, 4, 20)
    assert np.allclose(quaternion_matrices(quats), [quaternion_matrix(q) for q in quats])
    assert np.allclose(axis_angle_matrices(axes, angles), [axis_angle_matrix(a, t) for a, t in zip(axes, angles)])


def test_shapes_build_as_instances_with_class_colors(tmp_path):
    scene = SceneBuilder(load(record("shapes3d", tmp_path))).build(None, None)
    assert not scene.problems
    by_entity = {o.entity: o for o in scene.objects.values()}
    boxes = next(v for v in scene.visuals_3d if v.object_id == by_entity["/boxes"].object_id and isinstance(v, LinesVisual))
    seg, inst = boxes.segment_arrays()
    assert seg.shape == (24, 2, 3) and inst.tolist() == [0] * 12 + [1] * 12
    # box 0: half sizes (1, 0.5, 0.5) turned 45 degrees about z, centered at (0, 0, 0.5)
    corner = np.array([math.sqrt(0.5) * (1 - 0.5), math.sqrt(0.5) * (1 + 0.5), 1.0])
    assert np.isclose(seg[:12].reshape(-1, 3), corner, atol=1e-5).all(1).any()
    assert boxes.class_ids.tolist() == [1, 2] and boxes.palette_key == by_entity["/boxes"].palette_key
    tilted = next(v for v in scene.visuals_3d if v.object_id == by_entity["/tilted"].object_id and isinstance(v, LinesVisual))
    assert tuple(tilted.colors[0]) == (255, 255, 255, 255)
    tz = tilted.segment_arrays()[0].reshape(-1, 3)[:, 2]
    assert math.isclose(tz.max() - 0.5, 0.5 * (math.cos(math.radians(30)) + math.sin(math.radians(30))), rel_tol=1e-5)
    arrows = next(v for v in scene.visuals_3d if isinstance(v, ArrowsVisual))
    assert arrows.segments.tolist() == [[[0, -2.5, 0], [1.5, -2.5, 0]], [[0, -2.5, 0], [0, -2.5, 1.5]]]
    # a class id given once for two arrows: one label, at the center of both (as Rerun draws it)
    from annoview.scene.visuals import LabelsVisual

    (label,) = [v for v in scene.visuals_3d if isinstance(v, LabelsVisual) and v.object_id == by_entity["/axes"].object_id]
    assert list(label.texts) == ["axis"] and label.positions.tolist() == [[0.75, -2.5, 0.75]]
    blobs = by_entity["/blobs"]
    assert blobs.kind == "ellipsoids" and tuple(blobs.colors[0]) == auto_color(9)
    # the legend counts instances per class
    assert scene.class_counts[blobs.palette_key] == {1: 1, 2: 1, 3: 2, 9: 1}


def test_mismatched_lengths_are_a_problem_of_that_entity(tmp_path):
    import annoview as rr

    rr.init("bad-boxes")
    mem = rr.memory_recording()
    rr.log("ok", rr.Boxes3D(half_sizes=[[1, 1, 1]]), static=True)
    rr.log("bad", rr.Boxes3D(half_sizes=[[1, 1, 1], [1, 1, 1]], centers=[[0, 0, 0]] * 3), static=True)
    rr.flush()
    try:
        store = mem.to_store()
    except Exception:  # strict mode may refuse it at log time already: nothing to draw then
        return
    scene = SceneBuilder(store).build(None, None)
    assert [o.entity for o in scene.objects.values()] == ["/ok"]
    assert any(e == "/bad" and "Boxes3D" in p for e, p in scene.problems)


# ---- pixels ------------------------------------------------------------------------------------

def test_arrows2d_screenshot_matches_rerun_layout_and_picks(tmp_path, renderer):
    rec = record("arrows2d", tmp_path)
    png = tmp_path / "arrows.png"
    # the framing rerun_shot.py gives for --rect 0,0,160,100: 959x599, 5.99 px per unit
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(png),
                           "--size", "959x599", "--rect", "0,0,160,100"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    img = np.asarray(PILImage.open(png).convert("RGB"))
    save(img, "shapes_arrows2d")
    s = 959 / 160
    at = lambda x, y: (int(round(x * s)), int(round(y * s)))  # noqa: E731
    # shafts in their class colors where Rerun draws them (orange y=120 px, from x=120 to 480)
    assert pixel(img, at(35, 20)) == WIND
    assert pixel(img, at(35, 65)) == FLOW
    assert pixel(img, at(110, 50)) == auto_color(7)[:3]          # class 7 is not in the context
    assert pixel(img, at(130, 80)) == (255, 255, 255)            # explicit color, radius 3 px
    # the white arrow's head (12 px long, 6 px half-width at radius 3 px) ends at its tip, (110, 70)
    tip = np.array(at(110, 70), float)
    back = tip + 10 * np.array([40, 20]) / math.hypot(40, 20)
    normal = np.array([-20, 40]) / math.hypot(40, 20)
    assert pixel(img, tuple(np.round(back + 4.0 * normal).astype(int))) == (255, 255, 255)   # wider than the shaft
    assert pixel(img, tuple((tip - 3 * np.array([40, 20]) / math.hypot(40, 20)).astype(int))) != (255, 255, 255)
    # hover: the same scene in the renderer, picked on the flow arrow's shaft
    scene = SceneBuilder(load(rec)).build(None, None)
    from annoview.render import Camera2D

    frame, _ = SceneRenderer(renderer).render_2d(scene, (959, 599), Camera2D.from_rect(0, 0, 160, 100, 959, 599))
    assert np.array_equal(frame.read_rgba()[..., :3], img)
    pick = frame.pick(*at(35, 65))
    info = describe(scene, pick, {v.object_id: v for v in scene.visuals_2d})
    assert (info.entity, info.kind, info.instance, info.class_id, info.class_label) == ("/field", "arrows", 1, 2, "flow")
    assert info.position == (20.0, 60.0) and info.context_entity == "/"


def eye_camera(eye, target) -> Camera3D:
    """Rerun's 3D view camera (rerun_shot.py and `annoview screenshot` --eye/--target, z up)."""
    return Camera3D.look(eye, target, "z")


def test_shapes3d_pixels_and_picking(tmp_path, renderer):
    rec = record("shapes3d", tmp_path)
    png = tmp_path / "shapes3d.png"
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(png),
                           "--size", "959x626", "--space", "3d", "--eye", "6,-8,6", "--target", "0,0,0.5",
                           "--up", "0,0,1"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    img = np.asarray(PILImage.open(png).convert("RGB"))
    save(img, "shapes_3d")
    scene = SceneBuilder(load(rec)).build(None, None)
    size = (959, 626)
    cam = eye_camera((6, -8, 6), (0, 0, 0.5))
    frame, _ = SceneRenderer(renderer).render_3d(scene, size, cam)   # the same view, in-process, to pick
    assert np.abs(frame.read_rgba()[..., :3].astype(int) - img).max() <= 1
    vp = cam.view_proj(size)

    def project(p):
        q = vp @ np.append(p, 1.0)
        return int((q[0] / q[3] * 0.5 + 0.5) * size[0]), int((0.5 - q[1] / q[3] * 0.5) * size[1])

    # box 1 ("tree", unrotated, half sizes (0.5, 0.5, 0.75) at (2.5, 0, 0.75)): a vertical edge's middle
    edge = project([3.0, -0.5, 0.75])
    assert pixel(img, edge) == TREE
    # the tree box's vertical edges where the Rerun 0.41 viewer draws them (columns measured on its
    # screenshot of tests/scenes/shapes3d.py with this eye, rows 330 and 380; back edges show
    # through the translucent fill there too): within a pixel
    for y, columns in ((330, (560, 586, 619, 642)), (380, (556, 612, 632))):
        row = img[y, :, :3].astype(int)
        green = np.flatnonzero((row[:, 1] > 150) & (row[:, 0] < 120) & (row[:, 2] < 120))
        for x in columns:
            assert np.abs(green - x).min() <= 1, (y, x, green)
    # the rotated car box: the middle of its top front edge, turned 45 degrees about z
    r = quaternion_matrices([[0, 0, 0.3826834, 0.9238795]])[0]
    assert pixel(img, project(r @ [0.0, -0.5, 0.5] + [0, 0, 0.5])) == CAR
    # the arrows' shafts and the ellipsoid's ring in the xy plane
    assert pixel(img, project([0.6, -2.5, 0])) == AXIS
    assert pixel(img, project([0, 2.5 - 0.6, 1.0])) == auto_color(9)[:3]
    # picking: the edge belongs to instance 1 of /boxes, class "tree"
    pick = frame.pick(*edge)
    info = describe(scene, pick, {v.object_id: v for v in scene.visuals_3d})
    assert (info.entity, info.kind, info.instance, info.class_id, info.class_label) == ("/boxes", "boxes", 1, 2, "tree")
    assert info.position == (2.5, 0.0, 0.75)
    # labels from the context are drawn (fewer than 30 instances): the car's label box in its color
    x, y = project([0, 0, 0.5])
    near = img[y - 12:y + 12, x - 30:x + 30, :3].reshape(-1, 3)
    assert (near == CAR).all(1).sum() > 50


def test_fill_modes_and_picking_the_fill(renderer):
    import annoview as rr
    from annoview.scene.visuals import SolidsVisual

    rr.init("fills")
    mem = rr.memory_recording()
    rr.log("/", rr.AnnotationContext([(2, "tree", TREE)]), static=True)
    for i, mode in enumerate((None, "solid", "majorwireframe")):
        kw = {} if mode is None else {"fill_mode": mode}
        rr.log(f"b{i}", rr.Boxes3D(centers=[[3 * i - 3, 0, 0]], half_sizes=[[1, 1, 1]], class_ids=[2], **kw), static=True)
    rr.flush()
    scene = SceneBuilder(mem.to_store()).build(None, None)
    kinds = {o.entity: [type(v).__name__ for v in scene.visuals_3d if v.object_id == o.object_id]
             for o in scene.objects.values()}
    assert kinds == {"/b0": ["LinesVisual", "SolidsVisual", "LabelsVisual"], "/b1": ["SolidsVisual", "LabelsVisual"],
                     "/b2": ["LinesVisual", "LabelsVisual"]}
    assert [v.opacity for v in scene.visuals_3d if isinstance(v, SolidsVisual)] == [0.15, 1.0]
    # an ellipsoid's dense wireframe: latitude rings and meridians instead of its three ellipses
    rr.log("e_major", rr.Ellipsoids3D(half_sizes=[[1, 1, 1]], fill_mode="majorwireframe"), static=True)
    rr.log("e_dense", rr.Ellipsoids3D(half_sizes=[[1, 1, 1]], fill_mode="densewireframe"), static=True)
    rr.flush()
    more = SceneBuilder(mem.to_store()).build(None, None)
    segments = {more.objects[v.object_id].entity: len(v.segments) for v in more.visuals_3d if type(v) is LinesVisual}
    assert segments["/b2"] == 12 and segments["/e_major"] == 3 * 64 and segments["/e_dense"] == 7 * 32 + 12 * 16
    size = (480, 200)
    cam = eye_camera((0, -12, 0.5), (0, 0, 0))
    frame, _ = SceneRenderer(renderer).render_3d(scene, size, cam)
    img = frame.read_rgba()
    save(img, "shapes_fill_modes")
    vp = cam.view_proj(size)

    def project(p):
        q = vp @ np.append(p, 1.0)
        return int((q[0] / q[3] * 0.5 + 0.5) * size[0]), int((0.5 - q[1] / q[3] * 0.5) * size[1])

    face = [project([x, -1, 0.5]) for x in (-3, 0, 3)]   # high on each front face, above the label
    translucent, solid, wire = (pixel(img, p) for p in face)
    # the transparent fill: the class color darkened about as the Rerun 0.41 viewer shows it
    # (a face of this box measured (30, 102, 30) there); the solid fill is lit, opaque and brighter
    assert all(abs(a - b) <= 25 for a, b in zip(translucent, (30, 102, 30))), translucent
    assert solid[1] > 150 and solid[1] > 3 * solid[0]
    assert wire == pixel(img, (2, 2))                       # major wireframe: the background shows
    for p, entity in zip(face[:2], ("/b0", "/b1")):          # a fill is picked as its box
        hit = frame.pick(*p)
        assert scene.objects[hit.object_id].entity == entity and hit.instance == 0 and hit.class_id == 2
