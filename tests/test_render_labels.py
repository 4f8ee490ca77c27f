"""Labels: drawn into the framebuffer next to points and below boxes, in the instance color."""
import numpy as np
import pytest

from annoview.render import (BoxesVisual, Camera2D, PaletteTexture, PointsVisual, Renderer, box_labels,
                             point_labels)
from annoview.render.testing import make_palette, save_png

BG = (0, 0, 0, 255)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    r.release()


def _non_bg(rgba):
    return (rgba[..., :3] != BG[:3]).any(-1)


def test_point_label_right_of_point(renderer):
    pal = make_palette(21)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pts = PointsVisual(positions=np.array([[20.5, 20.5]]), class_ids=np.array([6]), palette_key="c", radii=-2.0,
                       object_id=4, cache_key="p")
    labels = point_labels(pts, ["person"])
    res = renderer.render_2d([pts, labels], Camera2D.pixel_exact(100, 40), (100, 40), palettes)
    rgba = res.read_rgba()
    save_png(rgba, "label_point", 4)
    drawn = _non_bg(rgba)
    right = drawn[:, 24:]
    assert right.sum() > 150, "label box + text should cover the area right of the point"
    assert not drawn[:, :17].any(), "nothing left of the point"
    cols = np.flatnonzero(right.any(0)) + 24
    rows = np.flatnonzero(right.any(1))
    assert rows.min() <= 20 <= rows.max(), "label vertically centered on the point"
    box = rgba[rows.min():rows.max() + 1, cols.min():cols.max() + 1, :3].reshape(-1, 3)
    # Rerun 0.41's look: a dark translucent box, the text in the instance's color.
    dark = box.astype(int).sum(-1) < 120
    assert dark.mean() > 0.4, "label box is dark"
    assert (np.abs(box.astype(int) - pal[6, :3]).max(-1) <= 8).sum() > 10, "text in the class color"
    hit = res.pick(int(cols.min()) + 2, 20)
    assert hit is not None and hit.object_id == 4 and hit.instance == 0
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_box_label_below_box_in_box_color(renderer):
    pal = make_palette(22)
    pal[3] = (240, 200, 40, 255)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    boxes = BoxesVisual(mins=np.array([[20, 5]]), sizes=np.array([[60, 20]]), class_ids=np.array([3]),
                        palette_key="c", radii=-1.0, object_id=2)
    labels = box_labels(boxes, ["car"])
    rgba = renderer.render_2d([boxes, labels], Camera2D.pixel_exact(100, 50), (100, 50), palettes).read_rgba()
    save_png(rgba, "label_box", 4)
    below = rgba[27:, :, :3]
    drawn = (below != BG[:3]).any(-1)
    assert drawn.sum() > 100
    cols = np.flatnonzero(drawn.any(0))
    assert abs((cols.min() + cols.max()) / 2 - 50) <= 1.5, "centered under the box"
    label = below[drawn]
    assert (label.astype(int).sum(-1) < 120).mean() > 0.4, "dark translucent label box"
    assert (np.abs(label.astype(int) - pal[3, :3]).max(-1) <= 8).sum() > 10, "text in the box color"
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_labels_follow_hidden_class_and_explicit_colors(renderer):
    pal = make_palette(23)
    tex = PaletteTexture(renderer.ctx, pal)
    pts = PointsVisual(positions=np.array([[10.5, 10.5], [10.5, 30.5]]), class_ids=np.array([1, 2]),
                       palette_key="c", cache_key="lp")
    labels = point_labels(pts, ["a", "bb"])
    tex.hide_class(2)
    rgba = renderer.render_2d([pts, labels], Camera2D.pixel_exact(60, 40), (60, 40), {"c": tex}).read_rgba()
    drawn = _non_bg(rgba)
    assert drawn[5:16].any() and not drawn[24:].any(), "hidden class hides its point and its label"
    explicit = point_labels(PointsVisual(positions=np.array([[10.5, 10.5]]), colors=np.array([[0, 0, 255, 255]])),
                            ["x"])
    rgba = renderer.render_2d([explicit], Camera2D.pixel_exact(60, 40), (60, 40)).read_rgba()
    # only the label is drawn: its text (not its box, which is dark now) is in the explicit color
    px = rgba[..., :3].astype(int)
    assert ((px[..., 2] > 80) & (px[..., 0] < 40) & (px[..., 1] < 40)).sum() > 3
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_point_label_clears_a_scene_unit_radius(renderer):
    """A point with a radius in scene units (zoomed 4x here) gets its label past its right edge."""
    pal = make_palette(21)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pts = PointsVisual(positions=np.array([[10.0, 10.0]]), class_ids=np.array([6]), palette_key="c", radii=3.0,
                       object_id=4, cache_key="big")
    labels = point_labels(pts, ["big"])
    cam = Camera2D.from_rect(0, 0, 40, 20, 160, 80)      # 4 px per scene unit: the point spans x 28..52
    rgba = renderer.render_2d([pts, labels], cam, (160, 80), palettes).read_rgba()
    save_png(rgba, "label_big_point", 2)
    row = rgba[40, :, :3]
    text_cols = np.flatnonzero((row != pal[6, :3]).any(-1) & (row != BG[:3]).any(-1))
    text_cols = text_cols[(text_cols < 28) | (text_cols > 51)]     # 28 and 51: the point's antialiased edge
    assert len(text_cols) and text_cols.min() > 52, f"label text starts at x={text_cols.min()}, inside the point"
    assert (row[29:51] == pal[6, :3]).all(), "the point itself is intact"
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_ui_scale_grows_screen_pixel_sizes_and_labels(renderer):
    """HiDPI: with 2 framebuffer pixels per UI point, a -3 (UI points) radius covers 6 pixels and
    label text is drawn twice as tall; scene-unit sizes do not change."""
    pal = make_palette(21)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}

    def render(scale: float):
        renderer.ui_scale = scale
        try:
            pts = PointsVisual(positions=np.array([[20.5, 30.5]]), class_ids=np.array([6]), palette_key="c",
                               radii=-3.0, object_id=4, cache_key="hidpi")
            res = renderer.render_2d([pts, point_labels(pts, ["Hg"])], Camera2D.pixel_exact(120, 60), (120, 60),
                                     palettes)
            return res.read_rgba()
        finally:
            renderer.ui_scale = 1.0

    one, two = render(1.0), render(2.0)
    save_png(two, "label_hidpi_2x", 3)

    def point_width(rgba):
        return int((rgba[30, :20, :3] == pal[6, :3]).all(-1).sum()) * 2 + 1  # left half, symmetric

    assert point_width(one) in (5, 7) and point_width(two) in (11, 13)
    rows1 = np.flatnonzero(_non_bg(one)[:, 26:].any(1))
    rows2 = np.flatnonzero(_non_bg(two)[:, 30:].any(1))
    assert (rows2.max() - rows2.min()) >= 1.7 * (rows1.max() - rows1.min())
    assert renderer.ctx.error == "GL_NO_ERROR"
