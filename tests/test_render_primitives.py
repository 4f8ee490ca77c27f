"""Points, keypoints, lines, boxes, images and draw order against what palette + camera predict."""
import numpy as np
import pytest

from annoview.render import (BoxesVisual, Camera2D, ImageVisual, LinesVisual, PaletteTexture, PointsVisual,
                             Renderer, SegmentationVisual)
from annoview.render.testing import (assert_pixels, composite, disc_coverage, make_palette,
                                     segment_coverage)

BG = (0, 0, 0, 255)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    r.release()


@pytest.fixture(scope="module")
def pal():
    p = make_palette(11)
    return p


def _disc_mask(w, h, cx, cy, r):
    """Pixels whose centers lie within r of (cx, cy) (scene = framebuffer pixels)."""
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r


def test_point_centers_class_and_keypoint_colors(renderer, pal):
    kps = [(4, 0, (255, 255, 0, 255), "nose"), (4, 2, (0, 255, 255, 255), "eye"), (4, 3, None, "ear")]
    palettes = {"c": PaletteTexture(renderer.ctx, pal, kps)}
    pos = np.array([[4.5, 4.5], [12.5, 4.5], [20.5, 4.5], [28.5, 4.5], [4.5, 12.5], [12.5, 12.5]], np.float32)
    v = PointsVisual(positions=pos, class_ids=np.array([4, 4, 4, 4, 9, 65535]),
                     keypoint_ids=np.array([0, 1, 2, 3, 0, 0]), palette_key="c", radii=-2.0, object_id=3)
    res = renderer.render_2d([v], Camera2D.pixel_exact(32, 16), (32, 16), palettes)
    rgba = res.read_rgba()
    got = rgba[[4, 4, 4, 4, 12, 12], [4, 12, 20, 28, 4, 12], :3]
    expected = np.array([
        (255, 255, 0),       # keypoint 0 has its own color
        pal[4, :3],          # keypoint 1 not annotated -> class color
        (0, 255, 255),       # keypoint 2 has its own color
        pal[4, :3],          # keypoint 3 annotated without color -> class color
        pal[9, :3],          # class without keypoint table -> class color
        pal[65535, :3],      # highest id
    ])
    assert_pixels(got, expected, "point_centers", rgba)
    assert res.pick(20, 4) == (3, 2, 4, 2)
    assert res.stats.draw_calls == 1
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_point_radius_scene_units_and_pixels(renderer, pal):
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    cam = Camera2D.from_rect(0, 0, 16, 16, 32, 32)         # 2 framebuffer px per scene unit
    world = PointsVisual(positions=np.array([[8.0, 8.0]]), class_ids=np.array([1]), palette_key="c", radii=1.5)
    rgba = renderer.render_2d([world], cam, (32, 32), palettes).read_rgba()
    # 1.5 scene units = 3 px radius, with a one-pixel antialiased edge
    expected = composite(BG, [(disc_coverage(32, 32, (16, 16), 3.0), pal[1])])
    assert_pixels(rgba[..., :3], expected, "radius_scene_units", rgba, tol=1)

    screen = PointsVisual(positions=np.array([[8.0, 8.0]]), class_ids=np.array([1]), palette_key="c", radii=-3.0)
    rgba = renderer.render_2d([screen], cam, (32, 32), palettes).read_rgba()
    assert_pixels(rgba[..., :3], expected, "radius_screen_px", rgba, tol=1)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_explicit_colors_win_and_repeat_last(renderer, pal):
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pos = np.array([[2.5, 2.5], [8.5, 2.5], [14.5, 2.5]], np.float32)
    v = PointsVisual(positions=pos, class_ids=np.array([1, 2, 3]), palette_key="c",
                     colors=np.array([[10, 20, 30, 255], [40, 50, 60, 255]], np.uint8))
    rgba = renderer.render_2d([v], Camera2D.pixel_exact(16, 5), (16, 5), palettes).read_rgba()
    assert_pixels(rgba[2, [2, 8, 14], :3], [[10, 20, 30], [40, 50, 60], [40, 50, 60]], "explicit_colors", rgba)
    # no class ids and no colors: the default color
    v = PointsVisual(positions=pos, default_color=(1, 2, 3, 255))
    rgba = renderer.render_2d([v], Camera2D.pixel_exact(16, 5), (16, 5), palettes).read_rgba()
    assert_pixels(rgba[2, [2, 8, 14], :3], [[1, 2, 3]] * 3, "default_color", rgba)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_hidden_and_highlighted_class(renderer, pal):
    tex = PaletteTexture(renderer.ctx, pal)
    palettes = {"c": tex}
    pos = np.array([[2.5, 2.5], [8.5, 2.5]], np.float32)
    v = PointsVisual(positions=pos, class_ids=np.array([1, 2]), palette_key="c", cache_key="pts")
    cam = Camera2D.pixel_exact(12, 5)
    renderer.render_2d([v], cam, (12, 5), palettes)
    uploads = renderer.cache.uploads
    tex.hide_class(2)
    res = renderer.render_2d([v], cam, (12, 5), palettes)
    rgba = res.read_rgba()
    assert_pixels(rgba[2, [2, 8], :3], [pal[1, :3], BG[:3]], "hidden_class", rgba)
    assert res.pick(8, 2) is None           # hidden things cannot be picked either
    tex.hide_class(2, False)
    tex.set_highlight(1)
    rgba = renderer.render_2d([v], cam, (12, 5), palettes).read_rgba()
    assert_pixels(rgba[2, 2, :3], pal[1, :3], "highlight_keeps", rgba)
    assert (rgba[2, 8, :3].astype(int) <= pal[2, :3].astype(int)).all()   # dimmed toward black bg
    assert not np.array_equal(rgba[2, 8, :3], pal[2, :3])
    assert renderer.cache.uploads == uploads  # palette edits upload no geometry
    tex.set_highlight(None)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_keypoint_connections_in_class_color(renderer, pal):
    kps = [(7, 0, (255, 0, 0, 255), None), (7, 1, (0, 255, 0, 255), None)]
    palettes = {"c": PaletteTexture(renderer.ctx, pal, kps)}
    pos = np.array([[4.0, 10.0], [28.0, 10.0]], np.float32)
    points = PointsVisual(positions=pos, class_ids=np.array([7]), keypoint_ids=np.array([0, 1]), palette_key="c")
    lines = LinesVisual.keypoint_connections(pos, np.array([[0, 1]]), np.array([7]), palette_key="c", radii=-1.0,
                                             object_id=5)
    res = renderer.render_2d([points, lines], Camera2D.pixel_exact(32, 20), (32, 20), palettes)
    rgba = res.read_rgba()
    # the connection (radius 1 px, round caps) in the class color, the keypoints (default radius
    # 1.5) drawn over it in their own colors
    expected = composite(BG, [(segment_coverage(32, 20, (4, 10), (28, 10), 1.0), pal[7]),
                              (disc_coverage(32, 20, (4, 10), 1.5), (255, 0, 0)),
                              (disc_coverage(32, 20, (28, 10), 1.5), (0, 255, 0))])
    assert_pixels(rgba[..., :3], expected, "keypoint_connection", rgba, tol=1)
    assert_pixels(rgba[9:11, 10:22, :3], np.broadcast_to(pal[7, :3], (2, 12, 3)), "connection_color", rgba)
    assert_pixels(rgba[10, 4, :3], [255, 0, 0], "keypoint0_on_top", rgba)
    assert res.pick(16, 9)[:3] == (5, 0, 7)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_line_strip_pixels_exact(renderer, pal):
    strips = [np.array([[4, 4], [20, 4], [20, 14]], np.float32)]
    v = LinesVisual.from_strips(strips, colors=np.array([[200, 100, 50, 255]], np.uint8), radii=1.0)
    rgba = renderer.render_2d([v], Camera2D.pixel_exact(24, 18), (24, 18)).read_rgba()
    # two segments of half width 1 with round caps, one after the other (the join blends twice)
    color = (200, 100, 50)
    expected = composite(BG, [(segment_coverage(24, 18, (4, 4), (20, 4), 1.0), color),
                              (segment_coverage(24, 18, (20, 4), (20, 14), 1.0), color)])
    assert_pixels(rgba[..., :3], expected, "line_strip", rgba, tol=1)
    assert (rgba[3:5, 4:20, :3] == color).all() and (rgba[4:14, 19:21, :3] == color).all()
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_box_outline_pixels(renderer, pal):
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    v = BoxesVisual(mins=np.array([[5, 5]]), sizes=np.array([[20, 10]]), class_ids=np.array([300]),
                    palette_key="c", radii=1.0, object_id=9)
    res = renderer.render_2d([v], Camera2D.pixel_exact(30, 20), (30, 20), palettes)
    rgba = res.read_rgba()
    corners = [(5, 5), (25, 5), (25, 15), (5, 15)]
    expected = composite(BG, [(segment_coverage(30, 20, corners[i], corners[(i + 1) % 4], 1.0), pal[300])
                              for i in range(4)])
    assert_pixels(rgba[..., :3], expected, "box_outline", rgba, tol=1)
    assert res.pick(4, 10)[:3] == (9, 0, 300)
    assert renderer.ctx.error == "GL_NO_ERROR"


@pytest.mark.parametrize("kind", ["gray8", "rgb8", "rgba8", "gray16", "rgb16", "float32"])
def test_image_pixels(renderer, kind):
    rng = np.random.default_rng(2)
    h, w = 6, 9
    if kind == "gray8":
        img = rng.integers(0, 256, (h, w), dtype=np.uint8)
        expected = np.repeat(img[..., None], 3, -1)
    elif kind == "rgb8":
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        expected = img
    elif kind == "rgba8":
        img = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
        img[..., 3] = 255
        expected = img[..., :3]
    elif kind == "gray16":
        img = (rng.integers(0, 256, (h, w)).astype(np.uint16) * 257)
        expected = np.repeat((img // 257)[..., None], 3, -1)
    elif kind == "rgb16":
        img = (rng.integers(0, 256, (h, w, 3)).astype(np.uint16) * 257)
        expected = img // 257
    else:
        img = rng.integers(0, 256, (h, w, 3)).astype(np.float32) / 255.0
        expected = np.round(img * 255)
    res = renderer.render_2d([ImageVisual(image=img, object_id=2)], Camera2D.pixel_exact(w, h), (w, h))
    rgba = res.read_rgba()
    assert_pixels(rgba[..., :3], expected, f"image_{kind}", rgba)
    assert res.pick(4, 5) == (2, 5 * w + 4, None, None)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_draw_order_defaults_and_override(renderer, pal):
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    w = h = 8
    img = ImageVisual(image=np.full((h, w, 3), 77, np.uint8), object_id=1)
    seg = SegmentationVisual(ids=np.full((h, w), 1, np.uint8), palette_key="c", opacity=1.0, object_id=2)
    box = BoxesVisual(mins=np.array([[2, 2]]), sizes=np.array([[4, 4]]), class_ids=np.array([2]), palette_key="c",
                      radii=-1.0, object_id=3)          # ring [1,7]^2 minus [3,5]^2
    line = LinesVisual.from_strips([np.array([[0, 4], [8, 4]], np.float32)], class_ids=np.array([3]),
                                   palette_key="c", radii=-1.0, object_id=4)   # rows 3 and 4
    pt = PointsVisual(positions=np.array([[4.0, 4.0]]), class_ids=np.array([4]), palette_key="c", radii=-2.0,
                      object_id=5)
    cam = Camera2D.pixel_exact(w, h)
    layers = [pt, line, box, seg, img]          # deliberately reversed
    res = renderer.render_2d(layers, cam, (w, h), palettes)
    rgba = res.read_rgba()
    assert_pixels(rgba[4, 4, :3], pal[4, :3], "order_point_on_top", rgba)
    assert_pixels(rgba[3, 1, :3], pal[3, :3], "order_line_over_box", rgba)
    assert_pixels(rgba[1, 3, :3], pal[2, :3], "order_box_over_seg", rgba)
    assert_pixels(rgba[0, 0, :3], pal[1, :3], "order_seg_over_image", rgba)
    assert res.pick(4, 4).object_id == 5
    pt.draw_order = -20.0                         # now under the image
    seg.draw_order = 25.0                         # above box and line
    rgba = renderer.render_2d(layers, cam, (w, h), palettes).read_rgba()
    assert_pixels(rgba[4, 4, :3], pal[1, :3], "order_override", rgba)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_rect_mapping(renderer, pal):
    """Camera2D.from_rect: scene (x, y) -> pixel ((x-x0)/(x1-x0)*W, (y-y0)/(y1-y0)*H)."""
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    x0, y0, x1, y1, W, H = 100.0, 50.0, 140.0, 70.0, 80, 40   # 2 px per scene unit
    cam = Camera2D.from_rect(x0, y0, x1, y1, W, H)
    scene = np.array([[100.25, 50.25], [120.25, 60.25], [139.75, 69.75], [110.75, 55.25]])
    pts = PointsVisual(positions=scene, class_ids=np.array([1, 2, 3, 4]), palette_key="c", radii=-0.5)
    rgba = renderer.render_2d([pts], cam, None, palettes).read_rgba()
    px = cam.scene_to_pixel(scene, (W, H))
    assert np.allclose(px, [[0.5, 0.5], [40.5, 20.5], [79.5, 39.5], [21.5, 10.5]])
    cols = px.astype(int)
    got = rgba[cols[:, 1], cols[:, 0], :3]
    assert_pixels(got, pal[[1, 2, 3, 4], :3], "rect_mapping", rgba)
    assert (rgba[..., :3] != BG[:3]).any(-1).sum() == 4    # exactly one pixel per 1-px point
    # an image under the same rect: pixel (0, 0) of the framebuffer shows image pixel (100, 50)
    img = np.zeros((80, 160, 3), np.uint8)
    img[50, 100] = (9, 8, 7)
    rgba = renderer.render_2d([ImageVisual(image=img)], cam, None, palettes).read_rgba()
    assert_pixels(rgba[0:2, 0:2, :3], np.broadcast_to([9, 8, 7], (2, 2, 3)), "rect_image", rgba)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_camera2d_fit_pan_zoom():
    cam = Camera2D.fit(np.array([0, 0]), np.array([100, 50]), (200, 200), margin=0.0, pad_px=0.0)
    assert np.allclose(cam.scene_to_pixel(np.array([[0, 25], [100, 25]]), (200, 200)), [[0, 100], [200, 100]])
    padded = Camera2D.fit(np.array([0, 0]), np.array([100, 50]), (200, 200), margin=0.0, pad_px=10.0)
    assert np.allclose(padded.scene_to_pixel(np.array([[0, 25], [100, 25]]), (200, 200)), [[10, 100], [190, 100]])
    anchor = cam.pixel_to_scene(np.array([50.0, 60.0]), (200, 200))
    cam.zoom(2.0, (50.0, 60.0), (200, 200))
    assert np.allclose(cam.scene_to_pixel(anchor, (200, 200)), [50.0, 60.0])
    before = cam.scene_to_pixel(np.array([10.0, 10.0]), (200, 200))
    cam.pan(7.0, -3.0, (200, 200))
    assert np.allclose(cam.scene_to_pixel(np.array([10.0, 10.0]), (200, 200)), before + [7.0, -3.0])
