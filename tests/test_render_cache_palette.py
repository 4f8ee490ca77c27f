"""Geometry caching by key, palette texture layout and updates, shader include mechanism."""
import numpy as np
import pytest

from annoview.render import (BoxesVisual, Camera2D, LinesVisual, PaletteTexture, PointsVisual, Renderer,
                             SegmentationVisual, load_shader_source, point_labels)
from annoview.render.testing import make_palette


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.release()


def _skeleton_frame(frame, n_people=3):
    rng = np.random.default_rng(frame)
    out = []
    for person in range(n_people):
        pos = rng.uniform(5, 60, size=(17, 2)).astype(np.float32)
        key = ("row", frame, person)
        pts = PointsVisual(positions=pos, class_ids=np.array([person]), keypoint_ids=np.arange(17),
                           palette_key="c", cache_key=key, object_id=person + 1)
        pairs = np.array([[i, i + 1] for i in range(16)])
        lines = LinesVisual.keypoint_connections(pos, pairs, np.full(16, person), palette_key="c",
                                                 cache_key=key + ("skeleton",), object_id=person + 1)
        out += [pts, lines, point_labels(pts, [f"kp{i}" for i in range(17)])]
    return out


def test_scrubbing_over_cached_keys_uploads_nothing(renderer):
    palettes = {"c": PaletteTexture(renderer.ctx, make_palette(41))}
    cam = Camera2D.pixel_exact(64, 64)
    frames = [_skeleton_frame(f) for f in range(5)]
    first = [renderer.render_2d(v, cam, (64, 64), palettes).stats for v in frames]
    assert all(s.uploads > 0 for s in first)
    before = renderer.cache.uploads
    for v in reversed(frames):                      # scrub back over the same rows
        stats = renderer.render_2d(v, cam, (64, 64), palettes).stats
        assert stats.uploads == 0 and stats.bytes_uploaded == 0
        assert stats.draw_calls == len(v)           # one draw call per visual
    assert renderer.cache.uploads == before
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_palette_changes_write_no_geometry(renderer):
    tex = PaletteTexture(renderer.ctx, make_palette(42), [(0, 1, (1, 2, 3, 255), None)])
    palettes = {"c": tex}
    cam = Camera2D.pixel_exact(64, 64)
    ids = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)
    visuals = _skeleton_frame(0) + [SegmentationVisual(ids=ids, palette_key="c", cache_key="mask"),
                                    BoxesVisual(mins=np.array([[1, 1]]), sizes=np.array([[9, 9]]),
                                                class_ids=np.array([2]), palette_key="c", cache_key="box")]
    renderer.render_2d(visuals, cam, (64, 64), palettes)
    before = renderer.cache.uploads
    edits = [lambda: tex.set_class_color(1, (9, 9, 9)), lambda: tex.hide_class(2), lambda: tex.set_highlight(0),
             lambda: tex.set_keypoints([(0, 1, (4, 5, 6, 255), None)]), lambda: tex.set_highlight(None)]
    for edit in edits:
        edit()
        stats = renderer.render_2d(visuals, cam, (64, 64), palettes).stats
        assert stats.uploads == 0 and stats.palette_writes >= 1
    assert renderer.cache.uploads == before
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_uncached_visuals_upload_every_frame_and_are_released(renderer):
    cam = Camera2D.pixel_exact(16, 16)
    v = [PointsVisual(positions=np.array([[3.0, 3.0]]), colors=np.array([[255, 0, 0, 255]]))]
    n = len(renderer.cache)
    s1 = renderer.render_2d(v, cam, (16, 16)).stats
    s2 = renderer.render_2d(v, cam, (16, 16)).stats
    assert s1.uploads > 0 and s2.uploads == s1.uploads
    assert len(renderer.cache) == n
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_lru_budget_evicts_old_entries(renderer):
    r = Renderer(renderer.ctx, cache_budget_bytes=20_000)   # a second renderer sharing the context
    try:
        cam = Camera2D.pixel_exact(8, 8)
        for i in range(20):
            pos = np.zeros((500, 2), np.float32)
            r.render_2d([PointsVisual(positions=pos, cache_key=i)], cam, (8, 8))
        assert r.cache.nbytes <= 20_000
        assert ("points", 19) in r.cache and ("points", 0) not in r.cache
        assert r.ctx.error == "GL_NO_ERROR"
    finally:
        r.release()


def test_streaming_mask_reuses_one_texture(renderer):
    cam = Camera2D.pixel_exact(32, 32)
    palettes = {"c": PaletteTexture(renderer.ctx, make_palette(43))}
    rng = np.random.default_rng(0)
    for _ in range(3):
        ids = rng.integers(0, 65536, (32, 32)).astype(np.uint16)
        st = renderer.render_2d([SegmentationVisual(ids=ids, palette_key="c", object_id=99)], cam, (32, 32),
                                palettes).stats
        assert st.uploads == 1 and st.bytes_uploaded == ids.nbytes
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_palette_texture_layout_and_partial_updates(renderer):
    pal = make_palette(44)
    tex = PaletteTexture(renderer.ctx, pal, [(300, 2, (1, 2, 3, 255), "a"), (300, 0, None, "b"),
                                             (7, 1, (4, 5, 6, 7), "c")])
    data = np.frombuffer(tex.palette.read(), np.uint8).reshape(256, 256, 4)
    for cid in (0, 255, 256, 257, 65535):
        assert (data[cid // 256, cid % 256] == pal[cid]).all()
    index = np.frombuffer(tex.kp_index.read(), np.uint32).reshape(256, 256, 2)
    base7, count7 = index[0, 7]
    base300, count300 = index[1, 300 - 256]
    assert count7 == 2 and count300 == 3
    kp = np.frombuffer(tex.kp_colors.read(), np.uint8).reshape(-1, 4)
    assert (kp[base7 + 1] == (4, 5, 6, 7)).all() and (kp[base7] == pal[7]).all()
    assert (kp[base300 + 2] == (1, 2, 3, 255)).all()
    assert (kp[base300] == pal[300]).all() and (kp[base300 + 1] == pal[300]).all()
    # a class color change also refreshes its keypoint fallback slots; one write per texture
    writes = tex.writes
    tex.set_class_color(300, (50, 60, 70, 255))
    assert tex.sync() == 2 and tex.writes == writes + 2
    kp = np.frombuffer(tex.kp_colors.read(), np.uint8).reshape(-1, 4)
    assert (kp[base300] == (50, 60, 70, 255)).all() and (kp[base300 + 2] == (1, 2, 3, 255)).all()
    assert tex.sync() == 0                          # nothing changed, nothing written
    tex.hide_class(7)
    tex.sync()
    assert tex.effective_colors()[7, 3] == 0 and tex.effective_keypoint_colors()[base7 + 1, 3] == 0
    assert renderer.ctx.error == "GL_NO_ERROR"


def test_shader_include_and_defines():
    src = load_shader_source("points.vert.glsl", ["POS2D", "COLOR_PALETTE"])
    lines = src.split("\n")
    assert lines[0] == "#version 330 core"
    assert "#define POS2D" in lines[1:3] and "#define COLOR_PALETTE" in lines[1:3]
    assert "#include" not in "\n".join(line for line in lines if not line.strip().startswith("//"))
    assert src.count("vec4 class_color(uint cid)") == 1
    assert src.count("vec3 srgb_to_linear(vec3 c)") == 1      # color.glsl included once
