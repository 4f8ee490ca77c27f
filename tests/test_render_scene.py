"""A whole annotated scene (image + mask + boxes + skeleton + labels), saved for inspection."""
import numpy as np
import pytest

from annoview.render import (BoxesVisual, Camera2D, ImageVisual, LinesVisual, PaletteTexture, PointsVisual,
                             Renderer, SegmentationVisual, box_labels, point_labels, render_to_png)
from annoview.render.testing import make_palette, save_png

COCO_CONNECTIONS = [(0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (6, 12),
                    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16)]
COCO_POSE = np.array([[0, -60], [-5, -65], [5, -65], [-12, -62], [12, -62], [-22, -45], [22, -45], [-32, -20],
                      [32, -20], [-36, 5], [36, 5], [-14, 5], [14, 5], [-16, 40], [16, 40], [-18, 75],
                      [18, 75]], np.float32)


def build_scene(w=320, h=200):
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([(xx * 255 // w), (yy * 255 // h), np.full_like(xx, 90)], -1).astype(np.uint8)
    pal = make_palette(50)
    pal[0] = (0, 0, 0, 0)                 # background class: see-through
    pal[1] = (255, 64, 64, 255)           # person
    pal[2] = (70, 130, 180, 255)          # sky-ish
    kps = [(1, 0, (255, 255, 0, 255), "nose"), (1, 9, (0, 255, 255, 255), "left_wrist"),
           (1, 10, (255, 0, 255, 255), "right_wrist")]
    ids = np.zeros((h, w), np.uint16)
    ids[:60, :] = 2
    ids[(xx - 100) ** 2 / 34 ** 2 + (yy - 100) ** 2 / 68 ** 2 <= 1] = 1
    people = []
    for i, cx in enumerate((100.0, 230.0)):
        pos = COCO_POSE * (0.85 if i == 0 else 0.7) + np.array([cx, 100.0], np.float32)
        people.append(pos)
    visuals = [ImageVisual(image=img, object_id=1, cache_key="img"),
               SegmentationVisual(ids=ids, palette_key="ctx", object_id=2, cache_key="mask")]
    for i, pos in enumerate(people):
        pts = PointsVisual(positions=pos, class_ids=np.array([1]), keypoint_ids=np.arange(17), palette_key="ctx",
                           object_id=10 + i, cache_key=("pts", i), radii=-3.0)
        pairs = np.array(COCO_CONNECTIONS)
        lines = LinesVisual.keypoint_connections(pos, pairs, np.full(len(pairs), 1), palette_key="ctx",
                                                 object_id=10 + i, cache_key=("skel", i))
        lo, hi = pos.min(0) - 8, pos.max(0) + 8
        box = BoxesVisual(mins=lo[None], sizes=(hi - lo)[None], class_ids=np.array([1 + 2 * i]),
                          palette_key="ctx", object_id=20 + i, cache_key=("box", i))
        visuals += [pts, lines, box, box_labels(box, [f"person {i}"])]
        if i == 0:
            visuals.append(point_labels(pts, ["nose"] + [None] * 8 + ["left_wrist", "right_wrist"]))
    return visuals, {"ctx": (pal, kps)}, (w, h)


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.release()


def test_scene_renders_and_is_saved(renderer):
    visuals, pals, (w, h) = build_scene()
    palettes = {k: PaletteTexture(renderer.ctx, p, kp) for k, (p, kp) in pals.items()}
    res = renderer.render_2d(visuals, Camera2D.pixel_exact(w, h), (w, h), palettes)
    rgba = res.read_rgba()
    path = save_png(rgba, "scene_skeleton_mask_boxes_labels", 3)
    assert path.exists()
    pal = pals["ctx"][0]
    # nose keypoint center in its keypoint color, a bone midpoint in the class color
    nose = visuals[2].positions[0]
    assert (rgba[int(nose[1]), int(nose[0]), :3] == (255, 255, 0)).all()
    mid = ((visuals[2].positions[5] + visuals[2].positions[7]) / 2).astype(int)
    assert (rgba[mid[1], mid[0], :3] == pal[1, :3]).all()
    # every visual is one draw call
    assert res.stats.draw_calls == len(visuals)
    # hover over the torso of person 0 below the wrists' labels -> the mask's person class (no line there)
    hit = res.pick(100, 140)
    assert hit is not None and hit.object_id == 2 and hit.class_id == 1
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_render_to_png_fits_content(renderer, tmp_path):
    visuals, pals, (w, h) = build_scene()
    palettes = {k: PaletteTexture(renderer.ctx, p, kp) for k, (p, kp) in pals.items()}
    rgba = render_to_png(tmp_path / "scene.png", visuals, (160, 100), palettes, renderer=renderer)
    assert (tmp_path / "scene.png").exists() and rgba.shape == (100, 160, 4)
    save_png(rgba, "scene_fit_160x100", 3)
    # fit keeps the content's aspect (the same as the view's here) with a 2% margin plus 12 px
    # of padding per side, so points at the edge are not cut in half
    img_px = (rgba[..., :3] != (18, 18, 20)).any(-1)
    assert img_px[50, 24:136].all() and not img_px[50, :18].any() and not img_px[50, 146:].any()
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_scene_3d_skeleton_saved(renderer):
    from annoview.render import Camera3D

    pal = make_palette(51)
    pal[1] = (255, 64, 64, 255)
    kps = [(1, 0, (255, 255, 0, 255), "nose")]
    palettes = {"ctx": PaletteTexture(renderer.ctx, pal, kps)}
    pose = np.zeros((17, 3), np.float32)
    pose[:, 0] = COCO_POSE[:, 0] / 60.0
    pose[:, 2] = -COCO_POSE[:, 1] / 60.0 + 1.3             # z up, feet near z = 0
    pts = PointsVisual(positions=pose, class_ids=np.array([1]), keypoint_ids=np.arange(17), palette_key="ctx",
                       radii=0.04, object_id=1, cache_key="p3")
    bones = LinesVisual.keypoint_connections(pose, np.array(COCO_CONNECTIONS), np.full(16, 1), palette_key="ctx",
                                             object_id=1, cache_key="b3")
    labels = point_labels(pts, ["nose"])
    cam = Camera3D.fit(pose.min(0), pose.max(0), yaw=0.6, pitch=0.25)
    res = renderer.render_3d([pts, bones, labels], cam, (240, 180), palettes)
    rgba = res.read_rgba()
    save_png(rgba, "scene_3d_skeleton", 3)
    assert ((rgba[..., :3] == pal[1, :3]).all(-1)).sum() > 100      # bones and joints in the class color
    assert ((rgba[..., :3] == (255, 255, 0)).all(-1)).sum() > 5     # the nose keypoint
    q = cam.view_proj((240, 180)) @ np.append(pose[0], 1.0)           # its center is not covered by
    x, y = int((q[0] / q[3] * 0.5 + 0.5) * 240), int((0.5 - q[1] / q[3] * 0.5) * 180)   # the bones
    assert (rgba[y, x, :3] == (255, 255, 0)).all()
    assert res.stats.draw_calls == 4                                 # grid + 3 visuals
    assert renderer.ctx.error == "GL_NO_ERROR"
