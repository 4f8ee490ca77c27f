"""Per-class sizes and the "color by class / entity / instance" view option, on rendered pixels
(docs/styling.md): both are GPU lookups (a per-class scale table, a color table by object id or
instance index), so switching them uploads no geometry."""
import math

import numpy as np
import pytest

import annoview as rr
from annoview.annotations import auto_color, default_entity_color
from annoview.app.cli import main as cli
from annoview.render import BoxesVisual, Camera2D, LinesVisual, PaletteTexture, PointsVisual, Renderer
from annoview.render.testing import assert_pixels, composite, disc_coverage, make_palette, save_png, srgb_to_linear
from annoview.scene.legend import ClassEdits, view_color

BG = (0, 0, 0, 255)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(background=BG)
    yield r
    with r.ctx:      # the in-process CLI tests make their own contexts current
        r.release()


@pytest.fixture(scope="module")
def pal():
    return make_palette(77)


def cover(rgba, rgb):
    """Coverage of a shape of color `rgb` on black, per pixel (linear light, mean over channels)."""
    lin = srgb_to_linear(rgba[..., :3])
    ref = srgb_to_linear(np.asarray(rgb, np.float64)[:3])
    return (lin * ref).sum(-1) / max(float((ref * ref).sum()), 1e-9)


def test_class_style_scales_radius_and_thickness_without_uploads(renderer, pal):
    tex = PaletteTexture(renderer.ctx, pal)
    palettes = {"c": tex}
    pts = PointsVisual(positions=np.array([[10.5, 10.5], [30.5, 10.5]]), class_ids=np.array([1, 2]),
                       palette_key="c", radii=-2.0, cache_key="style_pts")
    lines = LinesVisual.from_strips([np.array([[5, 30], [35, 30]], np.float32), np.array([[5, 45], [35, 45]], np.float32)],
                                    class_ids=np.array([1, 2]), palette_key="c", radii=-1.0, cache_key="style_lines")
    cam = Camera2D.pixel_exact(40, 60)

    def render():
        return renderer.render_2d([lines, pts], cam, (40, 60), palettes).read_rgba()

    render()
    uploads = renderer.cache.uploads
    tex.set_class_styles({1: (3.0, 2.5)})          # class 1: radius x3, thickness x2.5; class 2 as is
    rgba = render()
    assert renderer.cache.uploads == uploads, "a size edit must not re-upload geometry"
    expected = composite(BG, [(disc_coverage(40, 60, (10.5, 10.5), 6.0), pal[1]),
                              (disc_coverage(40, 60, (30.5, 10.5), 2.0), pal[2])])
    assert_pixels(rgba[:20, :, :3], expected[:20], "class_style_points", rgba, tol=1)
    w1 = cover(rgba, pal[1])[20:40, 20].sum()
    w2 = cover(rgba, pal[2])[38:55, 20].sum()
    if abs(w1 - 5.0) > 0.1 or abs(w2 - 2.0) > 0.1:
        raise AssertionError(f"line widths {w1:.2f}, {w2:.2f} (expected 5, 2); frame {save_png(rgba, 'class_style_lines', 4)}")
    tex.set_class_styles({})
    rgba = render()
    assert abs(cover(rgba, pal[1])[20:40, 20].sum() - 2.0) < 0.1
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_class_style_with_explicit_colors_and_no_palette(renderer):
    """Class ids with explicit colors and no context: sizes as logged (the neutral style table)."""
    pts = PointsVisual(positions=np.array([[8.0, 8.0]]), class_ids=np.array([3]), colors=np.array([[255, 255, 255]]),
                       radii=-3.0)
    rgba = renderer.render_2d([pts], Camera2D.pixel_exact(16, 16), (16, 16)).read_rgba()
    assert abs(cover(rgba, (255, 255, 255)).sum() - math.pi * 9) < 1.0
    assert renderer.ctx.error == "GL_NO_ERROR"


def _three_entities(pal_key="c"):
    """Two point entities (object ids 1, 2) and a batched boxes visual holding objects 3 and 4."""
    a = PointsVisual(positions=np.array([[4.5, 4.5], [12.5, 4.5]]), class_ids=np.array([1]), palette_key=pal_key,
                     radii=-3.0, object_id=1, cache_key="three_a")
    b = PointsVisual(positions=np.array([[20.5, 4.5], [28.5, 4.5]]), colors=np.array([[1, 2, 3]]), radii=-3.0,
                     object_id=2, cache_key="three_b")
    boxes = BoxesVisual(mins=np.array([[2, 12], [18, 12]]), sizes=np.array([[10, 10], [10, 10]]),
                        class_ids=np.array([1]), palette_key=pal_key, radii=-1.0, cache_key="three_boxes",
                        pick_ids=np.array([[3, 0], [4, 0]], np.uint32))
    return [a, b, boxes]


def test_color_by_entity_uses_each_objects_entity_color(renderer, pal):
    tex = PaletteTexture(renderer.ctx, pal)
    entities = {1: "/people/a", 2: "/people/b", 3: "/tracks/1", 4: "/tracks/2"}
    table = np.zeros((5, 4), np.uint8)
    for oid, path in entities.items():
        table[oid] = default_entity_color(path)
    renderer.set_object_colors(table)
    visuals = _three_entities()
    cam = Camera2D.pixel_exact(32, 24)
    renderer.color_by = "entity"
    try:
        res = renderer.render_2d(visuals, cam, (32, 24), {"c": tex})
        rgba = res.read_rgba()
        got = rgba[[4, 4, 4, 4, 12, 12], [4, 12, 20, 28, 6, 22], :3]
        want = [table[i, :3] for i in (1, 1, 2, 2, 3, 4)]
        assert_pixels(got, want, "color_by_entity", rgba)
        assert res.pick(4, 4)[:3] == (1, 0, 1), "picking is unchanged"
        tex.set_hidden([1])                               # a hidden class stays hidden
        rgba = renderer.render_2d(visuals, cam, (32, 24), {"c": tex}).read_rgba()
        assert_pixels(rgba[[4, 12], [4, 6], :3], [BG[:3], BG[:3]], "color_by_entity_hidden", rgba)
        assert_pixels(rgba[4, 20, :3], table[2, :3], "color_by_entity_unhidden", rgba)
    finally:
        renderer.color_by = "class"
        tex.set_hidden([])
    rgba = renderer.render_2d(visuals, cam, (32, 24), {"c": tex}).read_rgba()
    assert_pixels(rgba[[4, 4], [4, 20], :3], [pal[1, :3], [1, 2, 3]], "color_by_class_again", rgba)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_color_by_instance_uses_auto_colors_of_the_index(renderer, pal):
    tex = PaletteTexture(renderer.ctx, pal)
    visuals = _three_entities()
    renderer.render_2d(visuals, Camera2D.pixel_exact(32, 24), (32, 24), {"c": tex})
    renderer.color_by = "instance"
    uploads = renderer.cache.uploads
    try:
        rgba = renderer.render_2d(visuals, Camera2D.pixel_exact(32, 24), (32, 24), {"c": tex}).read_rgba()
    finally:
        renderer.color_by = "class"
    got = rgba[[4, 4, 4, 4, 12, 12], [4, 12, 20, 28, 6, 22], :3]
    # points: instance 0 and 1 of each entity; boxes: each batched box is instance 0 of its entity
    want = [auto_color(i)[:3] for i in (0, 1, 0, 1, 0, 0)]
    assert_pixels(got, want, "color_by_instance", rgba)
    assert renderer.cache.uploads == uploads, "switching the color mode must not re-upload geometry"
    assert view_color("instance", "/x", 1) == auto_color(1) and view_color("class", "/x", 1) is None
    with pytest.raises(ValueError, match="color_by"):
        renderer.color_by = "rainbow"
        try:
            renderer.render_2d(visuals, Camera2D.pixel_exact(32, 24), (32, 24), {"c": tex})
        finally:
            renderer.color_by = "class"


def test_class_edits_styles_and_color_by():
    e = ClassEdits()
    g = e.generation
    e.set_style(("/", 1), radius=2.0)
    assert e.styles == {("/", 1): (2.0, 1.0)} and e.generation == g + 1 and e.any
    e.set_style(("/", 1), thickness=100.0)            # clamped to the offered range
    assert e.styles[("/", 1)] == (2.0, 8.0)
    e.set_style(("/", 1), 1.0, 1.0)
    assert e.styles == {} and not e.any
    e.set_color_by("entity")
    e.reset()
    assert e.color_by == "entity", "reset forgets class edits, not the view's color mode"
    with pytest.raises(ValueError):
        e.set_color_by("rainbow")
    with pytest.raises(ValueError):
        e.set_style(("/", 1), radius=float("nan"))


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """Two tracked people of one class as two entities, and a box entity with two instances."""
    path = tmp_path_factory.mktemp("styling") / "tracked.avr"
    rec = rr.RecordingStream("styling")
    rec.save(str(path))
    rec.log("/", rr.AnnotationContext([(1, "person", (255, 0, 0))]), static=True)
    rec.log("people/a", rr.Points2D([[10, 10], [20, 10]], class_ids=1, show_labels=False), static=True)
    rec.log("people/b", rr.Points2D([[40, 10], [50, 10]], class_ids=1, show_labels=False), static=True)
    rec.log("boxes", rr.Boxes2D(mins=[[5, 20], [35, 20]], sizes=[[20, 10], [20, 10]], class_ids=1, show_labels=False),
            static=True)
    rec.flush()
    rec.disconnect()
    return path


def _shot(tracked, tmp_path, *args):
    out = tmp_path / "shot.png"
    assert cli(["screenshot", str(tracked), "--out", str(out), "--size", "120x80", "--space", "2d",
                "--rect", "0,0,60,40", *args]) == 0
    from PIL import Image

    return np.asarray(Image.open(out).convert("RGB"))


def test_screenshot_color_by_and_class_style(tracked, tmp_path):
    """`annoview screenshot --color-by entity|instance` and `--class-style` (2 px per scene unit)."""
    red = np.array([255, 0, 0], np.uint8)
    by_class = _shot(tracked, tmp_path)
    assert (by_class[20, 20] == red).all() and (by_class[20, 80] == red).all()
    by_entity = _shot(tracked, tmp_path, "--color-by", "entity")
    assert_pixels(by_entity[[20, 20], [20, 80]], [default_entity_color("/people/a")[:3],
                                                  default_entity_color("/people/b")[:3]], "cli_color_by_entity", by_entity)
    assert_pixels(by_entity[40, 30], default_entity_color("/boxes")[:3], "cli_color_by_entity_box", by_entity)
    by_instance = _shot(tracked, tmp_path, "--color-by", "instance")
    assert_pixels(by_instance[[20, 20, 40, 40], [20, 40, 30, 90]],
                  [auto_color(i)[:3] for i in (0, 1, 0, 1)], "cli_color_by_instance", by_instance)
    big = _shot(tracked, tmp_path, "--class-style", "1:radius=4,thickness=2")
    reds = [int((img == red).all(-1).sum()) for img in (by_class, big)]
    # points: 4 at radius 1.5 -> 6 px; boxes: outlines twice as thick
    assert reds[1] > 2.2 * reds[0], reds
    assert (big[20, 24] == red).all() and not (by_class[20, 24] == red).all()   # 4 px right of a point center


@pytest.mark.parametrize("arg, message", [
    ("x:radius=2", "class id"), ("1:size=2", "radius=R and/or thickness=T"), ("1:radius=99", "scale from"),
    ("70000:radius=2", "class id"), ("1:radius=abc", "scale from")])
def test_screenshot_bad_class_style_is_one_line(tracked, tmp_path, capsys, arg, message):
    code = cli(["screenshot", str(tracked), "--out", str(tmp_path / "x.png"), "--class-style", arg])
    err = capsys.readouterr().err
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1, err


def test_hover_reports_the_color_drawn_in_each_mode(tracked, renderer):
    """Hover stays truthful: under "color by entity / instance" the color it reports is the one
    the pixels show, and it says which mode drew it."""
    from annoview.app.viewer.hover import describe
    from annoview.render import SceneRenderer
    from annoview.scene import SceneBuilder
    from annoview.store import Store
    from annoview.store.ingest import add_file

    store = Store()
    add_file(store, str(tracked))
    scene = SceneBuilder(store).build(None, None)
    with renderer.ctx:       # the in-process CLI tests above made their own contexts current
        scenes = SceneRenderer(renderer)
        visuals = {v.object_id: v for v in scene.visuals_2d}
        try:
            for mode in ("entity", "instance"):
                scenes.edits.set_color_by(mode)
                frame, _ = scenes.render_2d(scene, (120, 80), Camera2D.from_rect(0, 0, 60, 40, 120, 80))
                rgba = frame.read_rgba()
                for x, y in ((40, 20), (80, 20), (100, 40)):      # people/a #1, people/b #0, boxes #1
                    pick = frame.pick(x, y)
                    assert pick is not None, (mode, x, y, rgba[y, x])
                    info = describe(scene, pick, visuals, scenes.edits.colors, scenes.edits.color_by)
                    assert info.colored_by == mode and info.class_id == 1
                    assert tuple(rgba[y, x, :3]) == info.color[:3], (mode, info.entity, info.instance)
                    assert info.color == view_color(mode, info.entity, info.instance)
            scenes.edits.set_color_by("class")
            frame, _ = scenes.render_2d(scene, (120, 80), Camera2D.from_rect(0, 0, 60, 40, 120, 80))
            info = describe(scene, frame.pick(40, 20), visuals, scenes.edits.colors, scenes.edits.color_by)
            assert info.colored_by == "class" and info.class_color[:3] == (255, 0, 0)
        finally:
            renderer.color_by = "class"
