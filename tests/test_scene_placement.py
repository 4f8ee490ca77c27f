"""Where the scene builder puts each entity's visuals (GL-free): transforms, pinhole spaces, view
origins, frustums, InstancePoses3D; and the screenshot command's view options."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import annoview as rr
from annoview.scene import SceneBuilder
from annoview.spatial import transform_points

from conftest import store_of


def build(mem, origin=None, t=0):
    return SceneBuilder(store_of(mem)).build("frame", t, origin=origin)


def by_object(scene, space):
    return {v.object_id: v for v in (scene.visuals_2d if space == "2d" else scene.visuals_3d)}


def log_camera_world(mem):
    rr.set_time("frame", sequence=0)
    rr.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
    rr.log("world/arm", rr.Transform3D(translation=[1, 0, 0]))
    rr.log("world/arm/pts", rr.Points3D([[0, 0, 1]]))
    rr.log("world/cam", rr.Transform3D(translation=[0, -4, 1]), static=True)
    rr.log("world/cam", rr.Pinhole(focal_length=10, width=20, height=10, image_plane_distance=2.0,
                                   color=(255, 0, 0), line_width=0.02), static=True)
    rr.log("world/cam/kp", rr.Points2D([[10, 5]]))
    rr.log("flat", rr.Transform3D(translation=[5, 6, 7]))
    rr.log("flat/box", rr.Boxes2D(mins=[0, 0], sizes=[2, 2]))


def test_default_views(mem):
    log_camera_world(mem)
    scene = build(mem)
    assert not scene.problems, scene.problems
    np.testing.assert_array_equal(scene.view_up, [0, 0, 1])
    v3 = scene.visuals_3d
    pts = [v for v in v3 if v.object_id and np.asarray(getattr(v, "positions", np.zeros((0, 1)))).shape[-1] == 3]
    np.testing.assert_allclose(transform_points(pts[0].transform, [[0, 0, 1]])[0], [1, 0, 1])
    # the 2D keypoint: in pixels in the 2D view, on the image plane (2 units ahead, RDF) in 3D
    kp2 = [v for v in scene.visuals_2d if np.asarray(getattr(v, "positions", np.zeros((0, 1)))).shape[-1] == 2]
    assert any(v.transform is None for v in kp2)
    kp3 = [v for v in v3 if np.asarray(getattr(v, "positions", np.zeros((0, 1)))).shape[-1] == 2]
    assert len(kp3) == 1
    np.testing.assert_allclose(transform_points(kp3[0].transform, [[10, 5]])[0], [0, -4, 3], atol=1e-6)
    # the frustum, styled by the Pinhole's color and line width (a width: radius is half)
    frustum = [v for v in v3 if isinstance(v.cache_key, tuple) and v.cache_key[0] == "frustum"]
    assert len(frustum) == 1 and frustum[0].colors.tolist() == [[255, 0, 0, 255]]
    assert frustum[0].radii == pytest.approx(0.01)
    # 2D content outside any camera: its transform flattened into the 2D view
    box = [v for v in scene.visuals_2d if type(v).__name__ == "BoxesVisual"][0]
    np.testing.assert_allclose(transform_points(box.transform, [[0, 0]])[0], [5, 6, 0])


def test_origin_at_a_camera_shows_its_pixels(mem):
    log_camera_world(mem)
    scene = build(mem, origin="/world/cam")
    assert len(scene.visuals_2d) >= 1 and all(v.transform is None for v in scene.visuals_2d)
    assert not any(type(v).__name__ == "BoxesVisual" for v in scene.visuals_2d)
    # 3D view of the camera entity: its plane and frustum in the camera's own frame
    frustum = [v for v in scene.visuals_3d if isinstance(v.cache_key, tuple) and v.cache_key[0] == "frustum"][0]
    np.testing.assert_allclose(frustum.transform[:3, 3], [0, 0, 0], atol=1e-9)


def test_origin_in_3d_rebases_the_view(mem):
    log_camera_world(mem)
    scene = build(mem, origin="/world/arm")
    pts = [v for v in scene.visuals_3d if v.object_id]
    assert len(pts) >= 1
    np.testing.assert_allclose(transform_points(pts[0].transform if pts[0].transform is not None else np.eye(4),
                                                [[0, 0, 1]])[0], [0, 0, 1])
    assert not any(isinstance(v.cache_key, tuple) and v.cache_key[0] == "frustum" for v in scene.visuals_3d)


def test_instance_pose_moves_only_its_own_entity(mem):
    rr.set_time("frame", sequence=0)
    rr.log("a", rr.InstancePoses3D(translations=[[0, 0, 3]]))
    rr.log("a", rr.Points3D([[1, 0, 0]]))
    rr.log("a/child", rr.Points3D([[1, 0, 0]]))
    scene = build(mem)
    placed = {scene.objects[v.object_id].entity: v for v in scene.visuals_3d if v.object_id in scene.objects}
    np.testing.assert_allclose(transform_points(placed["/a"].transform, [[1, 0, 0]])[0], [1, 0, 3])
    assert placed["/a/child"].transform is None


def test_a_moving_parent_reuses_cached_parts(mem):
    for t in range(3):
        rr.set_time("frame", sequence=t)
        rr.log("arm", rr.Transform3D(translation=[t, 0, 0]))
    rr.log("arm/tip", rr.Points3D([[0, 0, 0]], class_ids=1), static=True)
    builder = SceneBuilder(store_of(mem))
    scenes = [builder.build("frame", t) for t in range(3)]
    keys = {v.cache_key for s in scenes for v in s.visuals_3d if v.object_id}
    assert len(keys) == 1                                   # the same geometry every frame
    xs = [transform_points(np.eye(4) if m is None else m, [[0, 0, 0]])[0][0]
          for m in (s.visuals_3d[0].transform for s in scenes)]
    assert xs == [0, 1, 2]                                  # (at t = 0 the identity: no matrix at all)


def test_bad_transform_is_one_problem_and_the_rest_draws(mem):
    rr.set_strict_mode(False)
    rr.set_time("frame", sequence=0)
    rr.log("cam", rr.Pinhole(focal_length=10, width=20, height=10), static=True)
    rr.log("cam/inner", rr.Transform3D(translation=[1, 2, 3]))
    rr.log("cam/inner", rr.Points2D([[1, 1]]))
    scene = build(mem)
    assert any("not applied" in msg for _, msg in scene.problems)
    assert scene.visuals_2d and scene.visuals_3d


@pytest.mark.parametrize("args, message", [
    (["--eye", "1,2,3"], "--eye needs --target"),
    (["--target", "1,2,3"], "need --eye"),
    (["--eye", "1,2", "--target", "0,0,0"], "--eye: expected X,Y,Z"),
    (["--eye", "0,0,0", "--target", "0,0,0"], "same point"),
    (["--space", "2d", "--eye", "1,1,1", "--target", "0,0,0"], "3D view only"),
    (["--origin", "/nope"], "no entity /nope"),
])
def test_view_option_errors_are_one_line(mem, tmp_path, args, message):
    rr.set_time("frame", sequence=0)
    rr.log("world/pts", rr.Points3D([[0, 0, 0]]))
    rec = tmp_path / "rec.avr"
    rr.save(str(rec))
    rr.log("world/pts", rr.Points3D([[1, 0, 0]]))
    rr.flush()
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out",
                           str(tmp_path / "x.png"), *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_transform_axes_follow_the_entity(mem):
    rr.set_time("frame", sequence=0)
    rr.log("link", rr.Transform3D(translation=[0, 0, 2], rotation=rr.RotationAxisAngle(axis=[0, 0, 1], degrees=90)))
    rr.log("link", rr.TransformAxes3D(0.5))
    scene = build(mem)
    axes = [v for v in scene.visuals_3d if isinstance(v.cache_key, tuple) and v.cache_key[0] == "axes"]
    assert len(axes) == 1 and not scene.problems
    seg = axes[0].segments
    ends = transform_points(axes[0].transform, seg[:, 1])
    np.testing.assert_allclose(ends, [[0, 0.5, 2], [-0.5, 0, 2], [0, 0, 2.5]], atol=1e-6)   # x turned onto +y
