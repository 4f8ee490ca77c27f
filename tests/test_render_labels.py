"""Labels: drawn into the framebuffer under what they name, in the instance's own color, never
overlapping each other (moved aside or dropped by priority), switchable per class."""
import numpy as np
import pytest

from annoview.render import (BoxesVisual, Camera2D, Camera3D, PaletteTexture, PointsVisual, Renderer, box_labels,
                             point_labels)
from annoview.render.testing import make_palette, save_png
from annoview.scene.visuals import LABEL_PRIORITY_EXPLICIT, LabelsVisual

BG = (0, 0, 0, 255)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    r.release()


def _non_bg(rgba):
    return (rgba[..., :3] != BG[:3]).any(-1)


def drawn_boxes(res) -> np.ndarray:
    """(K, 4) int x0, y0, x1, y1 of every label drawn in a frame."""
    rows = [b[np.isfinite(b[:, 0])] for _, b in res.label_boxes()]
    return np.concatenate(rows).astype(int) if rows else np.zeros((0, 4), int)


def overlapping_pairs(boxes: np.ndarray) -> int:
    b = np.asarray(boxes)
    x0, y0, x1, y1 = (b[:, i][:, None] for i in range(4))
    hit = (x0 < x1.T) & (x0.T < x1) & (y0 < y1.T) & (y0.T < y1)
    np.fill_diagonal(hit, False)
    return int(hit.sum() // 2)


def text_color(rgba: np.ndarray, box) -> np.ndarray:
    """The color of a label's fully covered text pixels: the brightest pixels inside its box
    (glyph edges blend with the dark box, their cores are the text color itself)."""
    x0, y0, x1, y1 = (int(v) for v in box)
    px = rgba[y0:y1, x0:x1, :3].reshape(-1, 3).astype(int)
    brightest = px[px.max(1) >= px.max() - 2]
    colors, counts = np.unique(brightest, axis=0, return_counts=True)
    return colors[np.argmax(counts)]


def test_point_label_centered_below_point(renderer):
    pal = make_palette(21)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pts = PointsVisual(positions=np.array([[50.5, 12.5]]), class_ids=np.array([6]), palette_key="c", radii=-2.0,
                       object_id=4, cache_key="p")
    labels = point_labels(pts, ["person"])
    res = renderer.render_2d([pts, labels], Camera2D.pixel_exact(100, 40), (100, 40), palettes)
    rgba = res.read_rgba()
    save_png(rgba, "label_point", 4)
    (box,) = drawn_boxes(res)
    x0, y0, x1, y1 = box
    assert abs((x0 + x1) / 2 - 50.5) <= 0.5, "horizontally centered on the point"
    assert y0 >= 12 + 2 + 1, "the box starts below the point's bottom edge: it never covers its point"
    assert (rgba[10:15, 48:53, :3] == pal[6, :3]).all(-1).sum() >= 9, "the point itself is intact"
    inside = rgba[y0:y1, x0:x1, :3].reshape(-1, 3).astype(int)
    assert (inside.sum(-1) < 120).mean() > 0.4, "label box is dark"
    assert np.abs(text_color(rgba, box) - pal[6, :3]).max() <= 2, "text in the class color"
    drawn = _non_bg(rgba)
    assert not drawn[y1:].any() and not drawn[:, :x0].any() and not drawn[:, x1:].any(), "only point and label"
    hit = res.pick(int(x0) + 2, int(y0) + 2)
    assert hit is not None and hit.object_id == 4 and hit.instance == 0
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_box_label_below_box_in_box_color(renderer):
    pal = make_palette(22)
    pal[3] = (240, 200, 40, 255)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    boxes = BoxesVisual(mins=np.array([[20, 5]]), sizes=np.array([[60, 20]]), class_ids=np.array([3]),
                        palette_key="c", radii=-1.0, object_id=2)
    labels = box_labels(boxes, ["car"])
    res = renderer.render_2d([boxes, labels], Camera2D.pixel_exact(100, 50), (100, 50), palettes)
    rgba = res.read_rgba()
    save_png(rgba, "label_box", 4)
    (box,) = drawn_boxes(res)
    assert box[1] >= 26, "under the box's bottom edge (y 25, 1 px line half-width)"
    assert abs((box[0] + box[2]) / 2 - 50) <= 1, "centered under the box"
    assert np.abs(text_color(rgba, box) - pal[3, :3]).max() <= 2, "text in the box color"
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_labels_follow_hidden_class_and_explicit_colors(renderer):
    pal = make_palette(23)
    tex = PaletteTexture(renderer.ctx, pal)
    pts = PointsVisual(positions=np.array([[20.5, 5.5], [20.5, 40.5]]), class_ids=np.array([1, 2]),
                       palette_key="c", cache_key="lp")
    labels = point_labels(pts, ["a", "bb"])
    tex.hide_class(2)
    rgba = renderer.render_2d([pts, labels], Camera2D.pixel_exact(60, 60), (60, 60), {"c": tex}).read_rgba()
    drawn = _non_bg(rgba)
    assert drawn[:30].any() and not drawn[36:].any(), "hidden class hides its point and its label"
    explicit = point_labels(PointsVisual(positions=np.array([[20.5, 10.5]]), colors=np.array([[0, 0, 255, 255]])),
                            ["HI"])
    res = renderer.render_2d([explicit], Camera2D.pixel_exact(60, 40), (60, 40))
    (box,) = drawn_boxes(res)
    assert tuple(text_color(res.read_rgba(), box)) == (0, 0, 255), "only the label is drawn, in the explicit color"
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_label_text_in_each_instance_resolved_color(renderer):
    """Every label in the color its instance is drawn with: a keypoint's own color over its
    class color, the class color for a keypoint without one, explicit colors over both, the
    entity default without any."""
    pal = make_palette(24)
    pal[1] = (200, 60, 60, 255)
    tex = PaletteTexture(renderer.ctx, pal, [(1, 0, (40, 220, 60, 255), "nose"), (1, 1, None, "eye")])
    kp = PointsVisual(positions=np.array([[20.5, 10.5], [80.5, 10.5]]), class_ids=np.array([1]),
                      keypoint_ids=np.array([0, 1]), palette_key="c", cache_key="kp", object_id=1)
    plain = PointsVisual(positions=np.array([[20.5, 50.5]]), default_color=(90, 150, 250, 255), object_id=2)
    painted = PointsVisual(positions=np.array([[80.5, 50.5]]), class_ids=np.array([1]), keypoint_ids=np.array([0]),
                           colors=np.array([[250, 240, 20, 255]]), palette_key="c", object_id=3)
    visuals = [kp, plain, painted, point_labels(kp, ["nose", "left eye"]), point_labels(plain, ["plain"]),
               point_labels(painted, ["painted"])]
    res = renderer.render_2d(visuals, Camera2D.pixel_exact(120, 80), (120, 80), {"c": tex})
    rgba = res.read_rgba()
    save_png(rgba, "label_colors", 4)
    boxes = {v.texts[i]: b[i] for v, b in res.label_boxes() for i in range(len(v.texts))}
    anchors = {v.texts[i]: v.positions[i] for v, _ in res.label_boxes() for i in range(len(v.texts))}
    expect = {"nose": (40, 220, 60), "left eye": (200, 60, 60), "plain": (90, 150, 250), "painted": (250, 240, 20)}
    for text, color in expect.items():
        got = text_color(rgba, boxes[text])
        assert np.abs(got - color).max() <= 2, f"{text}: text {got}, its instance is drawn in {color}"
        # and its point, drawn above the label, has that very color at its center
        x, y = (int(c) for c in anchors[text])
        point = rgba[y, x, :3]
        assert np.abs(point.astype(int) - color).max() <= 2, f"{text}: point {point}"
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_point_label_clears_a_scene_unit_radius(renderer):
    """A point with a radius in scene units (zoomed 4x here) gets its label under its bottom edge."""
    pal = make_palette(21)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pts = PointsVisual(positions=np.array([[20.0, 6.0]]), class_ids=np.array([6]), palette_key="c", radii=3.0,
                       object_id=4, cache_key="big")
    labels = point_labels(pts, ["big"])
    cam = Camera2D.from_rect(0, 0, 40, 20, 160, 80)      # 4 px per scene unit: the point spans y 12..36
    res = renderer.render_2d([pts, labels], cam, (160, 80), palettes)
    rgba = res.read_rgba()
    save_png(rgba, "label_big_point", 2)
    (box,) = drawn_boxes(res)
    assert box[1] >= 36, f"label box starts at y={box[1]}, inside the point"
    assert (rgba[14:34, 80, :3] == pal[6, :3]).all(), "the point itself is intact"
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_ui_scale_grows_screen_pixel_sizes_and_labels(renderer):
    """HiDPI: with 2 framebuffer pixels per UI point, a -3 (UI points) radius covers 6 pixels and
    label text is drawn twice as tall; scene-unit sizes do not change."""
    pal = make_palette(21)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}

    def render(scale: float):
        renderer.ui_scale = scale
        try:
            pts = PointsVisual(positions=np.array([[60.5, 10.5]]), class_ids=np.array([6]), palette_key="c",
                               radii=-3.0, object_id=4, cache_key="hidpi")
            res = renderer.render_2d([pts, point_labels(pts, ["Hg"])], Camera2D.pixel_exact(120, 80), (120, 80),
                                     palettes)
            return res.read_rgba(), drawn_boxes(res)
        finally:
            renderer.ui_scale = 1.0

    (one, box1), (two, box2) = render(1.0), render(2.0)
    save_png(two, "label_hidpi_2x", 3)

    def point_width(rgba):
        return int((rgba[10, :60, :3] == pal[6, :3]).all(-1).sum()) * 2 + 1  # left half, symmetric

    assert point_width(one) in (5, 7) and point_width(two) in (11, 13)
    h1, h2 = box1[0, 3] - box1[0, 1], box2[0, 3] - box2[0, 1]
    assert h2 >= 1.7 * h1
    assert box2[0, 1] - 10 >= 6, "the 2x label clears the 2x point"
    assert renderer.ctx.error == "GL_NO_ERROR"


def _dense_points(n_side: int = 12, step: float = 7.0, origin: float = 70.5):
    xs, ys = np.meshgrid(np.arange(n_side) * step + origin, np.arange(n_side) * step + origin)
    return np.stack([xs.ravel(), ys.ravel()], 1)


def test_dense_labels_never_overlap_and_drop_the_low_priority_ones(renderer):
    pal = make_palette(25)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pos = _dense_points()                                 # 144 labeled points 7 px apart
    n = len(pos)
    pts = PointsVisual(positions=pos, class_ids=np.arange(n) % 5, palette_key="c", object_id=7, cache_key="dense")
    labels = point_labels(pts, [f"class {i % 5}" for i in range(n)])
    important = np.array([0, 11, 132, 143])               # explicit labels: the grid's corners
    labels.priority = np.where(np.isin(np.arange(n), important), LABEL_PRIORITY_EXPLICIT, 1.0)
    res = renderer.render_2d([pts, labels], Camera2D.pixel_exact(220, 220), (220, 220), palettes)
    rgba = res.read_rgba()
    save_png(rgba, "label_dense", 3)
    ((_, boxes),) = res.label_boxes()
    shown = np.isfinite(boxes[:, 0])
    assert 8 <= shown.sum() < n / 2, "some labels are placed, most of the crowd is left out"
    assert overlapping_pairs(boxes[shown]) == 0, "no two drawn label boxes intersect"
    assert shown[important].all(), "the high-priority labels all get a place"
    # no context label covers a labeled point (its own or another's); the explicit ones may
    # cover points that only have context labels
    for x0, y0, x1, y1 in boxes[shown & ~np.isin(np.arange(n), important)]:
        assert not ((pos[:, 0] >= x0) & (pos[:, 0] < x1) & (pos[:, 1] >= y0) & (pos[:, 1] < y1)).any()
    # the pixels agree: label pixels (dark boxes, text) only inside the reported boxes
    label_only = renderer.render_2d([labels], Camera2D.pixel_exact(220, 220), (220, 220), palettes, view="labels")
    drawn = _non_bg(label_only.read_rgba())
    inside = np.zeros_like(drawn)
    for x0, y0, x1, y1 in boxes[shown].astype(int):
        inside[max(y0, 0):y1, max(x0, 0):x1] = True
    assert drawn.any() and not (drawn & ~inside).any()
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_sparse_labels_stay_where_rerun_puts_them(renderer):
    """Labels that do not collide are not moved: every one centered under its point."""
    pal = make_palette(26)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pos = np.array([[20.5, 10.5], [90.5, 10.5], [20.5, 60.5], [90.5, 60.5]])
    pts = PointsVisual(positions=pos, class_ids=np.array([1, 2, 3, 4]), palette_key="c", radii=-2.0, cache_key="sp")
    res = renderer.render_2d([pts, point_labels(pts, ["one", "two", "three", "four"])],
                             Camera2D.pixel_exact(140, 100), (140, 100), palettes)
    ((_, boxes),) = res.label_boxes()
    assert np.isfinite(boxes).all()
    centers = (boxes[:, 0] + boxes[:, 2]) / 2
    assert (np.abs(centers - pos[:, 0]) <= 1).all(), "centered under its point"
    assert (boxes[:, 1] == np.floor(pos[:, 1] + 3 + 0.5)).all(), "2 px radius + 1 px gap below its center"


def test_labels_switched_off_per_class_free_their_space(renderer):
    pal = make_palette(27)
    tex = PaletteTexture(renderer.ctx, pal)
    pos = np.array([[50.5, 30.5], [51.5, 31.5]])          # two labels that would collide
    pts = PointsVisual(positions=pos, class_ids=np.array([1, 2]), palette_key="c", radii=-2.5, cache_key="off")
    labels = point_labels(pts, ["first", "second"])
    labels.priority = np.array([1.0, 2.0])
    res = renderer.render_2d([pts, labels], Camera2D.pixel_exact(100, 80), (100, 80), {"c": tex})
    ((_, both),) = res.label_boxes()
    assert np.isfinite(both).all() and overlapping_pairs(both) == 0, "moved apart"
    below_second = both[1].copy()
    tex.set_labels_off({2})
    res = renderer.render_2d([pts, labels], Camera2D.pixel_exact(100, 80), (100, 80), {"c": tex}, view="off")
    ((_, boxes),) = res.label_boxes()
    assert np.isnan(boxes[1]).all(), "class 2's label is off"
    rgba = res.read_rgba()
    assert (rgba[31, 51, :3] == pal[2, :3]).all(), "its point is still drawn"
    assert np.isfinite(boxes[0]).all() and boxes[0, 1] == np.floor(30.5 + 4 + 0.5), "the other label goes under its point"
    assert overlapping_pairs(np.stack([boxes[0], below_second])) == 1, "where class 2's label was"
    tex.set_labels_off(())
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_a_label_keeps_its_side_across_frames(renderer):
    """Scrubbing: a label pushed aside stays on its side when the one that pushed it goes, so
    labels do not jump around from frame to frame."""
    pal = make_palette(28)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    a = PointsVisual(positions=np.array([[70.5, 50.5]]), class_ids=np.array([1]), palette_key="c",
                     object_id=1, cache_key="a")
    b = PointsVisual(positions=np.array([[71.5, 51.5]]), class_ids=np.array([2]), palette_key="c",
                     object_id=2, cache_key="b")
    la, lb = point_labels(a, ["aaaa"]), point_labels(b, ["bbbb"])
    lb.priority = 5.0
    cam = Camera2D.pixel_exact(140, 100)
    first = dict((v.texts[0], bx[0]) for v, bx in
                 renderer.render_2d([a, b, la, lb], cam, (140, 100), palettes, view="scrub").label_boxes())
    assert np.isfinite(first["aaaa"]).all() and first["aaaa"][1] < 50, "pushed above its point"
    second = dict((v.texts[0], bx[0]) for v, bx in
                  renderer.render_2d([a, la], cam, (140, 100), palettes, view="scrub").label_boxes())
    assert (second["aaaa"] == first["aaaa"]).all(), "same side as in the previous frame"
    fresh = dict((v.texts[0], bx[0]) for v, bx in
                 renderer.render_2d([a, la], cam, (140, 100), palettes, view="fresh").label_boxes())
    assert fresh["aaaa"][1] > 50, "without history it sits under its point"


def test_dense_labels_in_3d_never_overlap_and_nearer_ones_win(renderer):
    pal = make_palette(29)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    rng = np.random.default_rng(3)
    pos = rng.uniform(-1, 1, size=(120, 3)).astype(np.float32)
    pts = PointsVisual(positions=pos, class_ids=np.arange(120) % 7, palette_key="c", object_id=3, cache_key="d3")
    labels = point_labels(pts, [f"p{i}" for i in range(120)], cache_key="d3l")
    near_far = PointsVisual(positions=np.array([[0.0, -2.0, 0.0], [0.0, 2.0, 0.0]], np.float32),
                            class_ids=np.array([1, 2]), palette_key="c", object_id=4, cache_key="nf")
    nf_labels = point_labels(near_far, ["near", "far"])
    nf_labels.priority = 3.0
    cam = Camera3D.look((0.0, -6.0, 0.0), (0.0, 0.0, 0.0), "z")
    res = renderer.render_3d([pts, labels, near_far, nf_labels], cam, (200, 150), palettes, grid=False)
    save_png(res.read_rgba(), "label_dense_3d", 3)
    boxes = drawn_boxes(res)
    assert 6 <= len(boxes) < 122 and overlapping_pairs(boxes) == 0
    placed = {v.texts[i]: b[i] for v, b in res.label_boxes() for i in range(len(v.texts))}
    near = placed["near"]
    assert abs((near[0] + near[2]) / 2 - 100) <= 1 and near[1] > 75, "the nearer label keeps its place under its anchor"
    assert not (np.isfinite(placed["far"][0]) and placed["far"][1] == near[1] and placed["far"][0] == near[0])
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_labels_visual_broadcasts_per_label_fields():
    v = LabelsVisual(positions=np.zeros((3, 2)), texts=["a", "b", "c"], priority=np.array([2.0]),
                     clearance=np.array([-1.0, -4.0]))
    assert v.per_label("priority").tolist() == [2.0, 2.0, 2.0]
    assert v.per_label("clearance").tolist() == [-1.0, -4.0, -4.0]
    assert v.per_label("extent").tolist() == [0.0, 0.0, 0.0]


def test_a_box_label_pushed_above_clears_the_box(renderer):
    """A box label that cannot stay under its box goes above the box's top edge, not inside it."""
    pal = make_palette(30)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    boxes = BoxesVisual(mins=np.array([[40, 40], [44, 42]]), sizes=np.array([[30, 20], [30, 20]]),
                        class_ids=np.array([1, 2]), palette_key="c", radii=-1.0, object_id=5)
    labels = box_labels(boxes, ["first", "second"])
    labels.priority = np.array([2.0, 1.0])
    res = renderer.render_2d([boxes, labels], Camera2D.pixel_exact(140, 120), (140, 120), palettes)
    ((_, placed),) = res.label_boxes()
    assert placed[0, 1] >= 61, "the first stays under its box"
    assert placed[1, 3] <= 42 - 1, "the second sits above its box's top edge"
    assert overlapping_pairs(placed) == 0


def test_labels_behind_the_camera_or_at_nan_are_not_drawn(renderer):
    pal = make_palette(31)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    pos = np.array([[0.0, 0.0, 0.0], [0.0, -9.0, 0.0], [np.nan, 0.0, 0.0], [0.0, 0.0, 1e30]], np.float32)
    labels = LabelsVisual(positions=pos, texts=["front", "behind", "nan", "far"], class_ids=np.array([1]),
                          palette_key="c", clearance=np.array([]), cache_key="wild")
    cam = Camera3D.look((0.0, -6.0, 0.0), (0.0, 0.0, 0.0), "z")
    res = renderer.render_3d([labels], cam, (120, 90), palettes, grid=False)
    ((_, boxes),) = res.label_boxes()
    assert np.isfinite(boxes[0]).all() and np.isnan(boxes[1:]).all()
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_a_class_drawn_bigger_pushes_its_label_out_as_far(renderer):
    """The legend's per-class point radius scale grows the point on the GPU; its label moves
    down with it, so it still never covers its point."""
    pal = make_palette(21)
    tex = PaletteTexture(renderer.ctx, pal)
    palettes = {"c": tex}
    pts = PointsVisual(positions=np.array([[50.5, 12.5]]), class_ids=np.array([6]), palette_key="c", radii=-2.0,
                       object_id=4, cache_key="p-scaled")
    labels = point_labels(pts, ["person"])
    cam = Camera2D.pixel_exact(100, 60)
    (plain,) = drawn_boxes(renderer.render_2d([pts, labels], cam, (100, 60), palettes))
    tex.set_class_styles({6: (4.0, 1.0)})          # radius x4: 8 px
    try:
        res = renderer.render_2d([pts, labels], cam, (100, 60), palettes)
        rgba = res.read_rgba()
        save_png(rgba, "label_scaled_point", 4)
        (box,) = drawn_boxes(res)
        assert box[1] >= 12 + 8 + 1 and box[1] - plain[1] >= 5, f"label at y={box[1]} (unscaled {plain[1]})"
        assert (rgba[5:20, 50, :3] == pal[6, :3]).all(), "the bigger point is intact above its label"
    finally:
        tex.set_class_styles({})
    assert renderer.ctx.error == "GL_NO_ERROR"
