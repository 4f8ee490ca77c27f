"""3D orbit camera, depth, grid, and picking (object, instance, class) in 2D and 3D."""
import math

import numpy as np
import pytest

from annoview.render import (Camera2D, Camera3D, LinesVisual, PaletteTexture, PointsVisual, Renderer,
                             SegmentationVisual)
from annoview.render.testing import assert_pixels, make_palette, save_png

BG = (0, 0, 0, 255)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    r.release()


def test_point_at_target_is_at_center_and_depth_orders(renderer):
    pal = make_palette(31)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    cam = Camera3D(target=np.zeros(3), distance=10.0, yaw=0.0, pitch=0.0)   # eye on +x, looking at origin
    near = PointsVisual(positions=np.array([[2.0, 0.0, 0.0]]), class_ids=np.array([1]), palette_key="c",
                        radii=-3.0, object_id=1)
    far = PointsVisual(positions=np.array([[-2.0, 0.0, 0.0]]), class_ids=np.array([2]), palette_key="c",
                       radii=-6.0, object_id=2)
    size = (64, 48)
    res = renderer.render_3d([near, far], cam, size, palettes, grid=False)     # near first in list
    rgba = res.read_rgba()
    assert_pixels(rgba[24, 32, :3], pal[1, :3], "3d_depth_near_wins", rgba)
    assert_pixels(rgba[24, 36, :3], pal[2, :3], "3d_far_ring_visible", rgba)
    assert res.pick(32, 24)[:3] == (1, 0, 1)
    assert res.pick(36, 24)[:3] == (2, 0, 2)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_scene_radius_shrinks_with_distance(renderer):
    pal = make_palette(32)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pts = PointsVisual(positions=np.zeros((1, 3)), class_ids=np.array([1]), palette_key="c", radii=0.5)
    widths = []
    for d in (5.0, 10.0):
        cam = Camera3D(distance=d, yaw=0.3, pitch=0.2)
        rgba = renderer.render_3d([pts], cam, (64, 64), palettes, grid=False).read_rgba()
        widths.append(int((rgba[32, :, :3] == pal[1, :3]).all(-1).sum()))
    # expected diameter in px: 2 * r * f * H/2 / distance, f = 1 / tan(fov/2)
    f = 1.0 / math.tan(cam.fov_y / 2)
    for d, w in zip((5.0, 10.0), widths):
        assert abs(w - 2 * 0.5 * f * 32 / d) <= 2, (d, w)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_grid_and_lines_3d(renderer):
    cam = Camera3D(distance=8.0, yaw=0.7, pitch=0.5)
    axis = LinesVisual(segments=np.array([[[0, 0, 0], [2, 0, 0]], [[0, 0, 0], [0, 2, 0]], [[0, 0, 0], [0, 0, 2]]],
                                         np.float32),
                       colors=np.array([[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]], np.uint8),
                       radii=-2.0, object_id=8)
    res = renderer.render_3d([axis], cam, (96, 72))
    rgba = res.read_rgba()
    save_png(rgba, "3d_axes_grid", 4)
    for c in ([255, 0, 0], [0, 255, 0], [0, 0, 255]):
        assert ((rgba[..., :3] == c).all(-1)).sum() > 10, c
    grid = ((rgba[..., :3] != BG[:3]).any(-1) & (np.ptp(rgba[..., :3].astype(int), axis=-1) < 8))
    assert grid.sum() > 100, "gray grid lines visible"
    hit_px = np.argwhere((rgba[..., :3] == [0, 0, 255]).all(-1))[0]
    assert res.pick(int(hit_px[1]), int(hit_px[0]))[:2] == (8, 2)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_camera3d_orbit_pan_zoom_fit():
    cam = Camera3D.fit(np.array([-1.0, -1.0, -1.0]), np.array([1.0, 1.0, 1.0]))
    assert np.allclose(cam.target, 0)
    size = (100, 100)
    vp = cam.view_proj(size)
    corner = vp @ np.array([1.0, 1.0, 1.0, 1.0])
    assert np.all(np.abs(corner[:2] / corner[3]) <= 1.0), "fit keeps the bounds in view"
    d = cam.distance
    cam.zoom(2.0)
    assert math.isclose(cam.distance, d / 2)
    cam.orbit(0.1, 10.0)
    assert cam.pitch <= math.radians(89.0) + 1e-9
    # pan: the target moves with the drag, so a point at the old target moves by the drag in pixels
    cam = Camera3D(distance=10.0, yaw=0.4, pitch=0.3)
    p = np.array([0.0, 0.0, 0.0, 1.0])

    def to_px(c):
        q = c.view_proj(size) @ p
        return np.array([(q[0] / q[3] * 0.5 + 0.5) * size[0], (0.5 - q[1] / q[3] * 0.5) * size[1]])

    before = to_px(cam)
    cam.pan(10.0, 5.0, size)
    assert np.allclose(to_px(cam) - before, [10.0, 5.0], atol=1e-6)


def test_pick_read_pick_buffer_and_background(renderer):
    pal = make_palette(33)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    ids = np.zeros((10, 10), np.uint16)
    ids[5:, :] = 4242
    seg = SegmentationVisual(ids=ids, palette_key="c", object_id=11, zero_transparent=True)
    pts = PointsVisual(positions=np.array([[2.5, 7.5]]), class_ids=np.array([9]), keypoint_ids=np.array([3]),
                       palette_key="c", radii=-1.0, object_id=12)
    res = renderer.render_2d([seg, pts], Camera2D.pixel_exact(10, 10), (10, 10), palettes)
    assert res.pick(1, 1) is None                                 # class 0 transparent: nothing there
    assert res.pick(8, 8) == (11, 8 * 10 + 8, 4242, None)
    assert res.pick(2, 7) == (12, 0, 9, 3)
    assert res.pick(-1, 0) is None and res.pick(10, 0) is None
    pick = res.read_pick()
    assert pick.shape == (10, 10, 4) and pick[8, 8, 0] == 11 and pick[8, 8, 2] == 4243
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_display_texture_has_same_bytes(renderer):
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    img[0, :, :] = np.arange(16)[:, None] * 16
    from annoview.render import ImageVisual, read_texture_rgba

    res = renderer.render_2d([ImageVisual(image=img)], Camera2D.pixel_exact(16, 16), (16, 16))
    tex = res.display_texture()
    assert_pixels(read_texture_rgba(tex), res.read_rgba(), "display_texture")
    # all 256 byte values survive the sRGB-decode / encode round trip
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16)
    res = renderer.render_2d([ImageVisual(image=ramp)], Camera2D.pixel_exact(16, 16), (16, 16))
    assert_pixels(read_texture_rgba(res.display_texture())[..., 0], ramp, "display_ramp")
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_batched_visual_picks_per_instance_object(renderer):
    """Several entities in one visual (one draw call): pick_ids say which entity and instance."""
    pal = make_palette(34)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pos = np.array([[2.5, 2.5], [6.5, 2.5], [10.5, 2.5]], np.float32)
    pick_ids = np.array([[101, 0], [101, 1], [202, 0]], np.uint32)
    pts = PointsVisual(positions=pos, class_ids=np.array([1, 1, 2]), palette_key="c", radii=-1.0, pick_ids=pick_ids)
    seg = np.array([[[2.5, 6.5], [10.5, 6.5]]], np.float32)
    lines = LinesVisual(segments=seg, class_ids=np.array([3]), palette_key="c", radii=-1.0,
                        pick_ids=np.array([[303, 7]], np.uint32))
    res = renderer.render_2d([pts, lines], Camera2D.pixel_exact(13, 9), (13, 9), palettes)
    assert res.stats.draw_calls == 2
    assert res.pick(6, 2) == (101, 1, 1, None)
    assert res.pick(10, 2) == (202, 0, 2, None)
    assert res.pick(6, 6)[:3] == (303, 7, 3)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_many_picks_and_rerender_stay_consistent(renderer):
    """Scissored picks, then a full pick pass for a moving hover; a new frame is picked afresh."""
    pal = make_palette(35)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    ids = np.arange(64, dtype=np.uint16).reshape(8, 8)
    cam = Camera2D.pixel_exact(8, 8)
    res = renderer.render_2d([SegmentationVisual(ids=ids, palette_key="c", object_id=1)], cam, (8, 8), palettes)
    for k in range(10):                               # > SCISSORED_PICKS_PER_FRAME
        x, y = k % 8, (3 * k) % 8
        assert res.pick(x, y) == (1, y * 8 + x, int(ids[y, x]), None)
    res2 = renderer.render_2d([SegmentationVisual(ids=ids[::-1].copy(), palette_key="c", object_id=2)], cam, (8, 8),
                              palettes)
    assert res2.pick(0, 0) == (2, 0, int(ids[7, 0]), None)
    assert res.pick(0, 0) == (1, 0, 0, None)          # the older frame still answers for itself
    assert renderer.ctx.error == "GL_NO_ERROR"
