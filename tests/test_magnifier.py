"""The hover magnifier patch (app/viewer/magnifier.py): built from the data, composited as the
renderer draws (linear-light blending, mask opacity, Rerun's 0.5 over an image), honest at mask
borders and image edges (a checkerboard where no layer has data)."""
from __future__ import annotations

import numpy as np
import pytest

from annoview.app.viewer.magnifier import CHECKER, magnify
from annoview.render.testing import blend_linear
from annoview.scene.visuals import ImageVisual, SegmentationVisual

PALETTE = np.zeros((65536, 4), np.uint8)
PALETTE[1] = (255, 0, 0, 255)
PALETTE[2] = (0, 0, 255, 255)
PALETTE[3] = (0, 255, 0, 0)           # a hidden class: alpha 0


def colors_for(key):
    return PALETTE


def _image(h=20, w=30) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = np.arange(w)[None, :] * 8
    img[..., 1] = np.arange(h)[:, None] * 12
    img[..., 2] = 77
    return img


def _layers(opacity=None, transform=None):
    img = ImageVisual(object_id=1, image=_image())
    ids = np.zeros((20, 30), np.uint8)
    ids[5:15, 10:20] = 1
    ids[0, 0] = 3
    seg = SegmentationVisual(object_id=2, ids=ids, opacity=opacity, transform=transform)
    return img, seg


def test_patch_is_the_composite_at_each_texel_and_checkered_past_the_edges():
    img, seg = _layers(opacity=0.8)
    mag = magnify([seg, img], 2, (10, 5), colors_for, {1: "/img", 2: "/mask"}, radius=7)
    assert mag is not None and mag.patch.shape == (15, 15, 4) and mag.center == (10, 5)
    p = mag.patch[..., :3].astype(int)
    # the hovered texel: class 1 at 0.8 over the image pixel (10, 5), blended in linear light
    want = blend_linear(np.array([255, 0, 0]), 0.8, _image()[5, 10])
    assert np.abs(p[7, 7] - want).max() <= 1
    # one texel left of the mask border: class 0 (alpha 0 in this palette): the image alone
    assert np.abs(p[7, 6] - _image()[5, 9]).max() <= 1
    # texel rows above the image (y = -2, -1): no data, the checkerboard; row y = 0 is data
    for row in (0, 1):
        assert all(any((t == c).all() for c in CHECKER) for t in mag.patch[row, :, :3])
    assert np.abs(p[2, 7] - _image()[0, 10]).max() <= 1
    # values at the hovered point, top layer first: the class, then the image's RGB underneath
    (m, i) = mag.layers
    assert (m.entity, m.kind, m.value, m.color[:3], m.opacity) == ("/mask", "segmentation", (1,), (255, 0, 0), 0.8)
    assert (i.entity, i.kind, i.pixel, i.value) == ("/img", "image", (10, 5), tuple(int(c) for c in _image()[5, 10]))
    assert i.describe() == "RGB (80, 60, 77)"


def test_default_mask_opacity_is_half_over_an_image_and_full_alone():
    img, seg = _layers(opacity=None)
    over = magnify([img, seg], 2, (12, 7), colors_for, radius=1)
    assert over.layers[0].opacity == 0.5
    want = blend_linear(np.array([255, 0, 0]), 0.5, _image()[7, 12])
    assert np.abs(over.patch[1, 1, :3].astype(int) - want).max() <= 1
    alone = magnify([seg], 2, (12, 7), colors_for, radius=1)
    assert alone.layers[0].opacity == 1.0 and tuple(alone.patch[1, 1, :3]) == (255, 0, 0)


def test_hidden_classes_show_what_is_under_them():
    img, seg = _layers(opacity=1.0)
    mag = magnify([img, seg], 2, (0, 0), colors_for, radius=1)
    assert np.abs(mag.patch[1, 1, :3].astype(int) - _image()[0, 0]).max() <= 1   # class 3: alpha 0
    alone = magnify([seg], 2, (0, 0), colors_for, radius=1)
    assert any((alone.patch[1, 1, :3] == c).all() for c in CHECKER)


def test_layers_of_other_resolutions_are_sampled_through_their_transforms():
    """A half-resolution mask scaled 2x over the image: each mask texel covers 2x2 image pixels,
    and the patch follows the hovered layer's (the mask's) texel grid."""
    img, _ = _layers()
    ids = np.zeros((10, 15), np.uint8)
    ids[3:, 5:] = 2
    m = np.eye(4)
    m[0, 0] = m[1, 1] = 2.0
    seg = SegmentationVisual(object_id=2, ids=ids, opacity=1.0, transform=m)
    mag = magnify([img, seg], 1, (11, 7), colors_for, radius=2)      # hovering the image
    assert mag.layers[0].kind == "segmentation" and mag.layers[0].pixel == (5, 3)
    assert mag.layers[1].pixel == (11, 7)
    mag2 = magnify([img, seg], 2, (5, 3), colors_for, radius=2)      # hovering the mask
    assert mag2.layers[1].pixel == (11, 7)                           # center of mask texel (5, 3)
    assert tuple(mag2.patch[2, 2, :3]) == (0, 0, 255) and np.abs(mag2.patch[2, 1, :3].astype(int) - _image()[7, 9]).max() <= 1


@pytest.mark.parametrize("image, range_, want", [
    (np.full((4, 4), 1.5, np.float32), (0.0, 3.0), "value 1.5"),
    (np.full((4, 4), 1000, np.uint16), None, "value 1000"),
    (np.full((4, 4, 4), 200, np.uint8), None, "RGBA (200, 200, 200, 200)"),
])
def test_float_depth_and_rgba_values(image, range_, want):
    v = ImageVisual(object_id=1, image=image, value_range=range_)
    mag = magnify([v], 1, (1, 1), colors_for, radius=1)
    assert mag.layers[0].describe() == want
    if image.dtype == np.float32:      # 1.5 in 0..3: mid gray (sRGB-encoded values, as drawn)
        assert mag.layers[0].color[:3] == (128, 128, 128)


def test_not_in_the_view_is_none():
    img, seg = _layers()
    assert magnify([img], 2, (0, 0), colors_for) is None


def test_nan_and_inf_pixels_are_shown_not_a_warning():
    import warnings

    img = np.full((4, 4), np.nan, np.float32)
    img[0, 0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mag = magnify([ImageVisual(object_id=1, image=img)], 1, (1, 1), colors_for, radius=2)
    assert mag.layers[0].describe() == "value nan" and mag.layers[0].color[:3] == (0, 0, 0)
    assert tuple(mag.patch[1, 1, :3]) == (255, 255, 255)      # +inf: past the top of the range


def test_a_degenerate_or_non_finite_layer_transform_is_skipped():
    img, seg = _layers(opacity=1.0)
    flat = np.eye(4)
    flat[0, 0] = 0.0                         # scaled to nothing: no pixel to sample
    broken = np.eye(4)
    broken[0, 3] = np.nan
    for m in (flat, broken):
        seg.transform = m
        mag = magnify([img, seg], 1, (3, 3), colors_for, radius=2)
        assert [lv.kind for lv in mag.layers] == ["image"]
        assert np.abs(mag.patch[2, 2, :3].astype(int) - _image()[3, 3]).max() <= 1
