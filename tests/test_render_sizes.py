"""Default sizes as the Rerun 0.41 viewer shows them at 1x, round caps and joins, and what
explicit radii mean (docs/semantics.md "Sizes"), measured on rendered pixels.

Widths are measured as the summed coverage across a line (in linear light, where the sRGB
framebuffer blends), which is what the antialiased edge preserves whatever the line's subpixel
position; Rerun's frames measured the same way give 3.25 px for a default horizontal strip.
"""
import math

import numpy as np
import pytest

import annoview as rr
from annoview.render import Camera2D, Camera3D, LinesVisual, PointsVisual, Renderer, SceneRenderer
from annoview.render.testing import save_png, segment_coverage, srgb_to_linear
from annoview.scene import SceneBuilder
from annoview.scene.visuals import DEFAULT_CONNECTION_RADIUS, DEFAULT_LINE_RADIUS, DEFAULT_POINT_RADIUS, BoxesVisual
from annoview.store import Store
from annoview.store.ingest import add_file

BG = (0, 0, 0, 255)
WHITE = np.array([[255, 255, 255, 255]], np.uint8)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    r.release()


def coverage(rgba: np.ndarray) -> np.ndarray:
    """Per-pixel coverage of a white shape on black (linear light)."""
    return srgb_to_linear(rgba[..., :3]).mean(-1)


def check(cond: bool, rgba: np.ndarray, name: str, msg: str) -> None:
    if not cond:
        path = save_png(rgba, name, 4)
        raise AssertionError(f"{msg}; frame saved to {path}")


def render_lines(renderer, strips, size, radii=None, cam=None):
    v = LinesVisual.from_strips([np.asarray(s, np.float32) for s in strips], colors=WHITE, radii=radii)
    return renderer.render_2d([v], cam or Camera2D.pixel_exact(*size), size).read_rgba()


def test_default_sizes_are_rerun_sizes_at_1x():
    # negative = UI points: points 3 px across, strips/boxes 3.25 px, connections 2.5 px
    assert DEFAULT_POINT_RADIUS == -1.5
    assert DEFAULT_LINE_RADIUS == -1.625
    assert DEFAULT_CONNECTION_RADIUS == -1.25


@pytest.mark.parametrize("offset", [0.0, 0.25, 0.5, 0.75])
def test_default_line_width_horizontal_vertical_diagonal(renderer, offset):
    """Whatever the subpixel position, a default line covers 3.25 px across (rows with more than
    half coverage: 3 or 4) and its diagonal twin the same width perpendicular to it."""
    y = 20.0 + offset
    rgba = render_lines(renderer, [[[10, y], [90, y]], [[y + 40, 10], [y + 40, 90]], [[10, 50], [40, 80]]], (100, 100))
    cov = coverage(rgba)
    width = 2 * -DEFAULT_LINE_RADIUS
    h_cut = cov[10:30, 50]           # across the horizontal line
    v_cut = cov[30, int(y) + 30:int(y) + 50]
    check(abs(h_cut.sum() - width) < 0.05, rgba, "width_h", f"horizontal line covers {h_cut.sum():.3f} px, not {width}")
    check(abs(v_cut.sum() - width) < 0.05, rgba, "width_v", f"vertical line covers {v_cut.sum():.3f} px, not {width}")
    check(int((h_cut > 0.5).sum()) in (3, 4), rgba, "width_h_rows", f"{int((h_cut > 0.5).sum())} rows over half covered")
    d_cut = cov[65, 10:50]           # a horizontal cut through the 45 degree line: width * sqrt(2)
    check(abs(d_cut.sum() / math.sqrt(2) - width) < 0.25, rgba, "width_d",
          f"diagonal line covers {d_cut.sum() / math.sqrt(2):.3f} px perpendicular, not {width}")


def test_default_point_is_3_px_across(renderer):
    pts = PointsVisual(positions=np.array([[10.5, 10.5], [30.0, 10.0], [50.25, 10.75]]), colors=WHITE)
    rgba = renderer.render_2d([pts], Camera2D.pixel_exact(60, 20), (60, 20)).read_rgba()
    cov = coverage(rgba)
    r = -DEFAULT_POINT_RADIUS
    for x0 in (0, 20, 40):
        area = cov[:, x0:x0 + 20].sum()
        check(abs(area - math.pi * r * r) < 0.6, rgba, "point_area", f"point area {area:.2f}, not pi * {r}^2")
        across = cov[:, x0:x0 + 20].max(0)       # 3 px on a pixel center, 2 + two halves on a pixel edge
        check(int((across > 0.5).sum()) in (2, 3) and int((across > 0.02).sum()) <= 4, rgba, "point_diameter",
              f"point at x={x0 + 10} spans {int((across > 0.5).sum())} px")


def test_default_connection_width(renderer):
    pos = np.array([[10.0, 20.0], [90.0, 20.0]], np.float32)
    v = LinesVisual.keypoint_connections(pos, np.array([[0, 1]]), np.array([0]), colors=WHITE)
    rgba = renderer.render_2d([v], Camera2D.pixel_exact(100, 40), (100, 40)).read_rgba()
    cut = coverage(rgba)[:, 50]
    check(abs(cut.sum() - 2 * -DEFAULT_CONNECTION_RADIUS) < 0.05, rgba, "connection_width",
          f"connection covers {cut.sum():.3f} px")


def test_round_caps_extend_past_endpoints(renderer):
    """A cap is a half disc of the line's radius past each end, not a square."""
    rgba = render_lines(renderer, [[[20, 20], [60, 20]]], (80, 40), radii=-6.0)
    cov = coverage(rgba)
    # along the axis the line reaches 6 px past both ends (pixel centers 19.5 - 5 = 14.5 ...)
    check(cov[19, 15] == 1.0 and cov[19, 64] == 1.0, rgba, "cap_axis", "no cap on the axis past the ends")
    check(cov[19, 12] == 0.0 and cov[19, 67] == 0.0, rgba, "cap_axis_end", "the cap reaches too far")
    # the square corner of a square cap would be covered: (15.5, 15.5) is 6.4 px from the end
    check(cov[15, 15] < 0.15 and cov[15, 64] < 0.15, rgba, "cap_round", "cap corners are covered: square caps")
    # the cap is half a disc: coverage past the end falls off with the distance to the endpoint
    yy, xx = np.mgrid[0:40, 0:80] + 0.5
    d = np.hypot(xx - 20, yy - 20)
    left = xx < 20
    expected = np.clip(6.5 - d, 0, 1)
    check(np.abs(cov[left] - expected[left]).max() < 0.02, rgba, "cap_disc", "the left cap is not a half disc")


@pytest.mark.parametrize("angle_deg", [90, 30, 8])
def test_joins_have_no_gaps_at_sharp_angles(renderer, angle_deg):
    """The segments of a strip meet in a round join: every pixel within the radius of the corner
    is fully covered, however sharp the angle (square-capped segments leave a notch outside)."""
    r = 5.0
    apex = np.array([50.0, 20.0])
    half = math.radians(angle_deg) / 2
    a = apex + 60 * np.array([-math.sin(half), math.cos(half)])
    b = apex + 60 * np.array([math.sin(half), math.cos(half)])
    rgba = render_lines(renderer, [[a, apex, b]], (100, 90), radii=-r)
    cov = coverage(rgba)
    yy, xx = np.mgrid[0:90, 0:100] + 0.5
    near_apex = np.hypot(xx - apex[0], yy - apex[1]) <= r - 0.5
    check(bool((cov[near_apex] > 0.99).all()), rgba, f"join_{angle_deg}",
          f"gap in the join at {angle_deg} degrees: min coverage {cov[near_apex].min():.2f}")
    # and the whole strip is exactly the union of two round-capped segments: a round join, no
    # miter poking out, no notch
    c1, c2 = segment_coverage(100, 90, a, apex, r), segment_coverage(100, 90, apex, b, r)
    union = 1 - (1 - c1) * (1 - c2)
    err = np.abs(cov - union).max()
    check(err < 0.02, rgba, f"join_round_{angle_deg}", f"the strip differs from two round-capped segments by {err:.3f}")


def test_screen_sizes_constant_in_3d_and_scene_sizes_shrink(renderer):
    """UI-point widths do not change with distance in 3D; scene-unit widths do."""
    def width(radius, distance):
        v = LinesVisual.from_strips([np.array([[0.0, -1, 0], [0.0, 1, 0]], np.float32)], colors=WHITE, radii=radius)
        cam = Camera3D(target=np.zeros(3), distance=distance, yaw=0.0, pitch=0.0)
        rgba = renderer.render_3d([v], cam, (64, 64), grid=False).read_rgba()
        return float(coverage(rgba)[:, 32].sum())       # the line runs across the view

    assert abs(width(DEFAULT_LINE_RADIUS, 5.0) - 3.25) < 0.1
    assert abs(width(DEFAULT_LINE_RADIUS, 20.0) - 3.25) < 0.1
    near, far = width(0.1, 5.0), width(0.1, 10.0)
    assert abs(near / far - 2.0) < 0.2, (near, far)


def test_explicit_radii_keep_rerun_meaning_through_the_sdk(tmp_path, renderer):
    """Logged with the SDK and built into a scene: no radius = the defaults above,
    rr.Radius.ui_points(2) = 4 px wide at any zoom, a positive radius = scene units."""
    path = tmp_path / "sizes.avr"
    rec = rr.RecordingStream("sizes")
    rec.save(str(path))
    rec.log("default", rr.LineStrips2D([[[0, 10], [100, 10]]], colors=[(255, 255, 255)]), static=True)
    rec.log("ui", rr.LineStrips2D([[[0, 30], [100, 30]]], colors=[(255, 255, 255)],
                                  radii=rr.Radius.ui_points(2.0)), static=True)
    rec.log("scene", rr.LineStrips2D([[[0, 50], [100, 50]]], colors=[(255, 255, 255)], radii=2.0), static=True)
    rec.log("box", rr.Boxes2D(mins=[[10, 65]], sizes=[[80, 20]], colors=[(255, 255, 255)]), static=True)
    rec.log("pts", rr.Points2D([[50, 95]], colors=[(255, 255, 255)]), static=True)
    rec.flush()
    rec.disconnect()
    store = Store()
    add_file(store, str(path))
    scene = SceneBuilder(store).build(None, None)
    scenes = SceneRenderer(renderer)
    for scale in (1.0, 3.0):         # 1 and 3 px per scene unit
        size = (int(100 * scale), int(100 * scale))
        frame, _ = scenes.render_2d(scene, size, Camera2D.from_rect(0, 0, 100, 100, *size))
        rgba = frame.read_rgba()
        cov = coverage(rgba)
        col = cov[:, size[0] // 3]
        def across(y0, y1):
            return float(col[int(y0 * scale):int(y1 * scale)].sum())
        name = f"sdk_sizes_{scale:g}x"
        check(abs(across(5, 15) - 3.25) < 0.05, rgba, name, f"default strip {across(5, 15):.2f} px")
        check(abs(across(25, 35) - 4.0) < 0.05, rgba, name, f"ui_points(2) strip {across(25, 35):.2f} px")
        check(abs(across(45, 55) - 4.0 * scale) < 0.05, rgba, name, f"radius 2 strip {across(45, 55):.2f} px")
        check(abs(across(60, 70) - 3.25) < 0.05, rgba, name, f"box outline {across(60, 70):.2f} px")
        pt = float(cov[int(90 * scale):, :].sum())
        check(abs(pt - math.pi * 1.5 ** 2) < 0.6, rgba, name, f"default point area {pt:.2f}")


def test_ui_points_grow_with_the_content_scale(renderer):
    """On a HiDPI screen (2 framebuffer pixels per UI point) default sizes double; scene-unit
    sizes do not."""
    def widths(scale):
        renderer.ui_scale = scale
        try:
            rgba = render_lines(renderer, [[[10, 10], [90, 10]], [[10, 30], [90, 30]]], (100, 40), radii=None)
            scene = render_lines(renderer, [[[10, 10], [90, 10]]], (100, 20), radii=1.5)
        finally:
            renderer.ui_scale = 1.0
        return coverage(rgba)[:20, 50].sum(), coverage(scene)[:, 50].sum()

    (d1, s1), (d2, s2) = widths(1.0), widths(2.0)
    assert abs(d1 - 3.25) < 0.05 and abs(d2 - 6.5) < 0.05, (d1, d2)
    assert abs(s1 - 3.0) < 0.05 and abs(s2 - 3.0) < 0.05, (s1, s2)
