"""Visuals drawn with a model transform: positions stay local (no re-upload when only the
transform changes), 2D layers land on a camera's image plane in 3D, bounds follow the transform."""
from __future__ import annotations

import numpy as np
import pytest

from annoview.render import Camera3D, ImageVisual, LinesVisual, PointsVisual, Renderer, scene_bounds
from annoview.render.testing import assert_pixels
from annoview.spatial import PinholeCamera, compose_trs

BG = (0, 0, 0, 255)
RED, GREEN = (255, 0, 0, 255), (0, 255, 0, 255)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    r.release()


def project(cam: Camera3D, size, p):
    v = cam.view_proj(size) @ np.append(np.asarray(p, np.float64), 1.0)
    return int((v[0] / v[3] * 0.5 + 0.5) * size[0]), int((0.5 - v[1] / v[3] * 0.5) * size[1])


def test_transform_moves_points_without_reuploading(renderer):
    cam = Camera3D.look([0, -10, 0], [0, 0, 0], "z")
    size = (96, 64)
    pts = PointsVisual(positions=np.zeros((1, 3), np.float32), colors=np.array([RED], np.uint8), radii=-4.0,
                       cache_key="tf-pt", object_id=3)
    for i, x in enumerate((-2.0, 0.0, 2.5)):
        pts.transform = compose_trs(translation=[x, 0, 1])
        res = renderer.render_3d([pts], cam, size, grid=False)
        rgba = res.read_rgba()
        px, py = project(cam, size, [x, 0, 1])
        assert_pixels(rgba[py, px], RED, f"tf_point_{i}", rgba)
        assert res.pick(px, py)[:2] == (3, 0)
        if i:
            assert res.stats.uploads == 0          # only the uniform changed
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_image_and_points_on_a_pinhole_image_plane(renderer):
    k = np.array([[10.0, 0, 8], [0, 10, 4], [0, 0, 1]])
    cam_pose = compose_trs(translation=[0, -5, 0], rotation_axis_angle=([1, 0, 0], -np.pi / 2))  # RDF z -> world +y
    pin = PinholeCamera(k, (16, 8), image_plane_distance=2.0)
    to_world = cam_pose @ pin.entity_from_image()
    img = np.zeros((8, 16, 3), np.uint8)
    img[:, :8] = GREEN[:3]
    img[:, 8:] = (0, 0, 255)
    image = ImageVisual(image=img, transform=to_world, cache_key="tf-img", object_id=1)
    kp = PointsVisual(positions=np.array([[12.0, 2.0]], np.float32), colors=np.array([RED], np.uint8), radii=-3.0,
                      transform=to_world, object_id=2)
    view = Camera3D.look([0, -15, 0], [0, 0, 0], "z")
    size = (120, 90)
    res = renderer.render_3d([image, kp], view, size, grid=False)
    rgba = res.read_rgba()
    # the image's left half (green) is on the world's -x side, its top row up (+z); the keypoint
    # at pixel (12, 2) is right of center and above it
    left = to_world @ [4, 4, 0, 1]
    right = to_world @ [12, 6, 0, 1]
    assert_pixels(rgba[project(view, size, left[:3])[::-1]][:3], GREEN[:3], "plane_left", rgba)
    assert_pixels(rgba[project(view, size, right[:3])[::-1]][:3], (0, 0, 255), "plane_right", rgba)
    kpx = project(view, size, (to_world @ [12, 2, 0, 1])[:3])
    assert_pixels(rgba[kpx[::-1]][:3], RED[:3], "plane_keypoint", rgba)
    assert (to_world @ [12, 2, 0, 1])[2] > 0 and (to_world @ [12, 2, 0, 1])[0] > 0
    assert res.pick(*kpx)[:2] == (2, 0)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_bounds_follow_the_transform():
    line = LinesVisual(segments=np.array([[[0, 0, 0], [1, 0, 0]]], np.float32),
                       transform=compose_trs(translation=[0, 0, 5], scale=2))
    lo, hi = scene_bounds([line])
    np.testing.assert_allclose(lo, [0, 0, 5])
    np.testing.assert_allclose(hi, [2, 0, 5])


def test_scene_unit_radii_scale_with_the_model(renderer):
    """A point of radius 2 in a camera's pixels, on a plane where one pixel is 0.1 units, is 0.2
    units in the world: the same size as an untransformed point of radius 0.2."""
    cam = Camera3D.look([0, -3, 0], [0, 0, 0], "z")
    size = (96, 64)
    red = np.array([RED], np.uint8)
    plane = np.diag([0.1, 0.1, 0.0, 1.0])
    plane[:3, :2] = [[0.1, 0], [0, 0], [0, -0.1]]          # image x -> world x, image y -> world -z
    local = PointsVisual(positions=np.zeros((1, 2), np.float32), colors=red, radii=2.0, transform=plane)
    world = PointsVisual(positions=np.zeros((1, 3), np.float32), colors=red, radii=0.2)
    widths = []
    for v in (local, world):
        rgba = renderer.render_3d([v], cam, size, grid=False).read_rgba()
        widths.append(int((rgba[32, :, 0] > 128).sum()))
    assert widths[0] == widths[1] and widths[0] > 3, widths
