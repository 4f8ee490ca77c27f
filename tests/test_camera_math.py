"""The 3D camera model without GL: eye/target/up cameras with Rerun's 55 degree field of view,
pyrr look-at/perspective against hand-computed matrices, and the shared fit."""
from __future__ import annotations

import math

import numpy as np
import pytest

from annoview.render.camera import RERUN_FOV_Y, Camera3D, ground_basis, look_at, perspective


def ndc(cam: Camera3D, size, p):
    v = cam.view_proj(size) @ np.append(np.asarray(p, np.float64), 1.0)
    return v[:3] / v[3]


@pytest.mark.parametrize("up", ["z", "y", (0.0, -1.0, 0.0), (1.0, 1.0, 0.0)])
def test_look_reproduces_the_eye_and_centers_the_target(up):
    eye, target = np.array([3.0, -4.0, 2.5]), np.array([0.5, 0.25, -1.0])
    cam = Camera3D.look(eye, target, up)
    np.testing.assert_allclose(cam.eye(), eye, atol=1e-9)
    np.testing.assert_allclose(ndc(cam, (959, 626), target)[:2], [0, 0], atol=1e-9)
    assert cam.fov_y == pytest.approx(math.radians(55.0))


def test_vertical_field_of_view_is_55_degrees_and_up_is_up():
    cam = Camera3D.look([0, -10, 0], [0, 0, 0], "z")
    top = [0, 0, 10 * math.tan(RERUN_FOV_Y / 2)]           # on the upper edge of the view
    np.testing.assert_allclose(ndc(cam, (800, 600), top)[:2], [0, 1], atol=1e-9)
    right = [10 * math.tan(RERUN_FOV_Y / 2) * 800 / 600, 0, 0]
    np.testing.assert_allclose(ndc(cam, (800, 600), right)[:2], [1, 0], atol=1e-9)


def test_look_at_and_perspective_match_hand_computed_matrices():
    v = look_at(np.array([0.0, -5.0, 0.0]), np.zeros(3), np.array([0.0, 0.0, 1.0]))
    by_hand = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, -5], [0, 0, 0, 1]], np.float64)
    np.testing.assert_allclose(v, by_hand, atol=1e-12)
    f = 1 / math.tan(math.radians(27.5))
    p = perspective(math.radians(55.0), 2.0, 1.0, 10.0)
    by_hand = np.array([[f / 2, 0, 0, 0], [0, f, 0, 0], [0, 0, -11 / 9, -20 / 9], [0, 0, -1, 0]])
    np.testing.assert_allclose(p, by_hand, atol=1e-12)


def test_looking_straight_down_the_up_axis_still_works():
    cam = Camera3D.look([0, 0, 10], [0, 0, 0], "z")
    assert np.isfinite(cam.view_proj((100, 100))).all()
    np.testing.assert_allclose(ndc(cam, (100, 100), [0, 0, 0])[:2], [0, 0], atol=1e-9)


def test_ground_basis_is_right_handed():
    for up in ("z", "y", "-y", (0.3, 0.2, 0.9)):
        e1, e2, u = ground_basis(up)
        np.testing.assert_allclose(np.cross(e1, e2), u, atol=1e-12)
    np.testing.assert_allclose(ground_basis("z")[0], [1, 0, 0])


def test_fit_keeps_the_box_inside_a_tall_or_wide_view():
    bmin, bmax = np.array([-1.0, -2.0, 0.0]), np.array([3.0, 1.0, 2.0])
    corners = np.array([[x, y, z] for x in (bmin[0], bmax[0]) for y in (bmin[1], bmax[1]) for z in (bmin[2], bmax[2])])
    for size in ((400, 200), (200, 400)):
        cam = Camera3D.fit(bmin, bmax, size)
        pts = np.array([ndc(cam, size, c)[:2] for c in corners])
        assert (np.abs(pts) < 1).all(), (size, pts)
        np.testing.assert_allclose(ndc(cam, size, (bmin + bmax) / 2)[:2], [0, 0], atol=1e-9)
