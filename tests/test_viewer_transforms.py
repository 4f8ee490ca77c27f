"""The viewer's 3D view draws transformed entities and a camera's 2D data on its image plane,
and hover reports them (the same camera model as `annoview screenshot`)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import annoview as rr
from annoview.spatial import transform_points

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                reason="viewer tests need an X display: run `xvfb-run -a python3 -m pytest`")


@pytest.fixture(scope="module")
def app():
    from annoview.app.viewer.app import App

    a = App(size=(1000, 640), vsync=False)
    yield a
    a.release()


def frames(app, n: int = 2) -> None:
    for _ in range(n):
        app.frame()


def test_hover_transformed_point_and_keypoint_on_an_image_plane(app, tmp_path):
    path = tmp_path / "tf.avr"
    rr.init("viewer-transforms")
    rr.save(path)
    rr.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
    rr.log("world", rr.AnnotationContext([(1, "joint", (255, 160, 0)), (2, "nose", (0, 200, 255))]), static=True)
    rr.log("world/arm", rr.Transform3D(translation=[2, 0, 1], rotation=rr.RotationAxisAngle(axis=[0, 0, 1],
                                                                                          degrees=90)), static=True)
    rr.log("world/arm/tip", rr.Points3D([[1, 0, 0]], class_ids=1, radii=0.15), static=True)
    rr.log("world/cam", rr.Transform3D(translation=[0, -3, 1], rotation=rr.RotationAxisAngle(axis=[1, 0, 0],
                                                                                           degrees=-90)), static=True)
    rr.log("world/cam", rr.Pinhole(focal_length=50, width=100, height=80, image_plane_distance=1.0), static=True)
    rr.log("world/cam/kp", rr.Points2D([[50, 40]], class_ids=2, radii=-8), static=True)
    rr.disconnect()
    r = app.open(str(path), wait=True)
    try:
        frames(app, 4)
        v = app.views["3d"]
        v.reset_camera(r)
        frames(app, 2)
        np.testing.assert_array_equal(r.scene.view_up, [0, 0, 1])
        tip = [2, 1, 1]                                   # (1, 0, 0) turned 90 degrees, then moved
        app.handle_mouse_move(*v.to_screen(tip))
        frames(app, 2)
        hit = v.hover
        assert hit is not None and (hit.entity, hit.class_label) == ("/world/arm/tip", "joint"), hit
        # the keypoint at the image center lies 1 unit in front of the camera, on its plane
        app.handle_mouse_move(*v.to_screen([0, -2, 1]))
        frames(app, 2)
        hit = v.hover
        assert hit is not None and (hit.entity, hit.class_label) == ("/world/cam/kp", "nose"), hit
        plane = [x for x in r.scene.visuals_3d if x.object_id == hit.object_id][0].transform
        np.testing.assert_allclose(transform_points(plane, [[50, 40]])[0], [0, -2, 1], atol=1e-6)
        # the 2D view shows the camera's pixels: the same keypoint at (50, 40)
        v2 = app.views["2d"]
        app.handle_mouse_move(*v2.to_screen([50, 40]))
        frames(app, 2)
        assert v2.hover is not None and v2.hover.entity == "/world/cam/kp"
    finally:
        app.close_recording(r)
        for view in app.views.values():
            view.hover = None
        frames(app, 2)
    assert app.ctx.error == "GL_NO_ERROR"
