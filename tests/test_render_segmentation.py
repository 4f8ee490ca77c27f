"""Segmentation images: ids colored by the palette on the GPU, exactly, plus Rerun's blending."""
import numpy as np
import pytest

from annoview.render import Camera2D, ImageVisual, PaletteTexture, Renderer, SegmentationVisual
from annoview.render.testing import assert_pixels, blend_linear, make_palette, save_png


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.release()


def _ids(dtype):
    special = [0, 1, 2, 127, 128, 199, 200, 255]
    if dtype == np.uint16:
        special += [256, 257, 1000, 4095, 4096, 32767, 32768, 65534, 65535]
    rng = np.random.default_rng(1)
    hi = 256 if dtype == np.uint8 else 65536
    ids = rng.integers(0, hi, size=(24, 32)).astype(dtype)
    ids.flat[: len(special)] = special
    return ids


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_segmentation_pixels_equal_palette(renderer, dtype):
    ids = _ids(dtype)
    h, w = ids.shape
    pal = make_palette(3)
    palettes = {"ctx": PaletteTexture(renderer.ctx, pal)}
    res = renderer.render_2d([SegmentationVisual(ids=ids, palette_key="ctx", object_id=7)],
                             Camera2D.pixel_exact(w, h), (w, h), palettes)
    rgba = res.read_rgba()
    assert_pixels(rgba[..., :3], pal[ids][..., :3], f"seg_exact_{np.dtype(dtype).name}", rgba)
    # picking: pixel index and class id
    hit = res.pick(5, 3)
    assert hit is not None and hit.object_id == 7
    assert hit.instance == 3 * w + 5 and hit.class_id == int(ids[3, 5])
    assert res.stats.draw_calls == 1
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_segmentation_scaled_camera_nearest(renderer):
    """2 framebuffer px per scene px: each id covers a 2x2 block, no filtering between ids."""
    ids = _ids(np.uint16)[:8, :8]
    pal = make_palette(4)
    palettes = {0: PaletteTexture(renderer.ctx, pal)}
    res = renderer.render_2d([SegmentationVisual(ids=ids, palette_key=0)],
                             Camera2D.from_rect(0, 0, 8, 8, 16, 16), (16, 16), palettes)
    rgba = res.read_rgba()
    expected = np.repeat(np.repeat(pal[ids][..., :3], 2, 0), 2, 1)
    assert_pixels(rgba[..., :3], expected, "seg_scaled", rgba)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_rerun_linear_blending_numbers(renderer):
    """docs/semantics.md: sky (70,130,180) at 0.5 over (3,200,0) shows (50,170,131); black -> (2,146,0).

    Rerun's final composite (egui) dithers and llvmpipe's sRGB encoder is approximate, so allow
    +-1 per channel; a plain 8-bit average would give (36,165,90) / (1,100,0), far outside.
    """
    w, h = 8, 4
    img = np.zeros((h, w, 3), np.uint8)
    img[...] = (3, 200, 0)
    ids = np.zeros((h, w), np.uint8)
    ids[:, 4:] = 1
    pal = make_palette()
    pal[0] = (0, 0, 0, 255)
    pal[1] = (70, 130, 180, 255)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    visuals = [ImageVisual(image=img), SegmentationVisual(ids=ids, palette_key="c")]  # opacity None -> 0.5
    rgba = renderer.render_2d(visuals, Camera2D.pixel_exact(w, h), (w, h), palettes).read_rgba()
    assert_pixels(rgba[1, 6, :3], [50, 170, 131], "blend_sky", rgba, tol=1)
    assert_pixels(rgba[1, 1, :3], [2, 146, 0], "blend_black", rgba, tol=1)
    assert_pixels(rgba[1, 6, :3], blend_linear([70, 130, 180], 0.5, [3, 200, 0]), "blend_sky_exact", rgba, tol=1)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_opacity_rules(renderer):
    """Alone: opacity 1 (pure palette). Explicit opacity wins. Alpha-0 class is see-through."""
    w, h = 8, 4
    ids = np.zeros((h, w), np.uint8)
    ids[:, 4:] = 5
    pal = make_palette()
    pal[5, 3] = 0            # see-through class
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    bg = (10, 20, 30, 255)
    rgba = renderer.render_2d([SegmentationVisual(ids=ids, palette_key="c", object_id=1)],
                              Camera2D.pixel_exact(w, h), (w, h), palettes, background=bg).read_rgba()
    assert_pixels(rgba[:, :4, :3], np.broadcast_to(pal[0, :3], (h, 4, 3)), "alone_opaque", rgba)
    assert_pixels(rgba[:, 4:, :3], np.broadcast_to(bg[:3], (h, 4, 3)), "see_through", rgba)

    img = np.full((h, w, 3), 255, np.uint8)
    res = renderer.render_2d([ImageVisual(image=img, object_id=3),
                              SegmentationVisual(ids=ids, palette_key="c", opacity=0.25, object_id=4)],
                             Camera2D.pixel_exact(w, h), (w, h), palettes)
    rgba = res.read_rgba()
    assert_pixels(rgba[0, 0, :3], blend_linear(pal[0, :3], 0.25, [255, 255, 255]), "opacity_override", rgba, tol=1)
    assert res.pick(6, 0).object_id == 3      # see-through class: the image underneath is hit
    assert res.pick(1, 0) == (4, 1, 0, None)  # class 0 pixel (x=1, y=0) of the mask
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_zero_transparent_and_outline(renderer):
    w, h = 12, 10
    ids = np.zeros((h, w), np.uint16)
    ids[2:8, 3:9] = 300
    pal = make_palette(5)
    palettes = {"c": PaletteTexture(renderer.ctx, pal)}
    bg = (0, 0, 0, 255)
    cam = Camera2D.pixel_exact(w, h)
    rgba = renderer.render_2d([SegmentationVisual(ids=ids, palette_key="c", zero_transparent=True)],
                              cam, (w, h), palettes, background=bg).read_rgba()
    expected = np.where((ids == 0)[..., None], np.array(bg[:3]), pal[ids][..., :3])
    assert_pixels(rgba[..., :3], expected, "zero_transparent", rgba)

    rgba = renderer.render_2d([SegmentationVisual(ids=ids, palette_key="c", zero_transparent=True, outline=True)],
                              cam, (w, h), palettes, background=bg).read_rgba()
    inside = np.zeros((h, w), bool)
    inside[2:8, 3:9] = True
    interior = np.zeros((h, w), bool)
    interior[3:7, 4:8] = True
    border = inside & ~interior
    expected = np.where(border[..., None], pal[300, :3], np.array(bg[:3]))
    assert_pixels(rgba[..., :3], expected, "outline", rgba)
    save_png(rgba, "seg_outline", 8)
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_palette_update_recolors_without_geometry_upload(renderer):
    w, h = 16, 16
    ids = _ids(np.uint16)[:h, :w]
    pal = make_palette(6)
    tex = PaletteTexture(renderer.ctx, pal)
    seg = SegmentationVisual(ids=ids, palette_key="c", cache_key="row-1")
    cam = Camera2D.pixel_exact(w, h)
    renderer.render_2d([seg], cam, (w, h), {"c": tex})
    uploads = renderer.cache.uploads
    cid = int(ids[4, 4])
    tex.set_class_color(cid, (1, 2, 3))
    res = renderer.render_2d([seg], cam, (w, h), {"c": tex})
    rgba = res.read_rgba()
    assert (rgba[ids == cid][:, :3] == (1, 2, 3)).all()
    assert res.stats.palette_writes >= 1 and res.stats.uploads == 0
    tex.hide_class(cid)
    rgba = renderer.render_2d([seg], cam, (w, h), {"c": tex}, background=(9, 9, 9, 255)).read_rgba()
    assert (rgba[ids == cid][:, :3] == 9).all()
    assert renderer.cache.uploads == uploads
    assert renderer.ctx.error == "GL_NO_ERROR"
