"""Scene batching: many skeleton entities draw as one points + one connections visual, stay
pickable per entity, and cached frames upload nothing."""
from __future__ import annotations

import pytest

import annoview as rr
from annoview.render import Camera2D, PointsVisual, Renderer, create_headless_context
from annoview.scene import SceneBuilder
from annoview.render import SceneRenderer


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(create_headless_context())
    yield r
    assert r.ctx.error == "GL_NO_ERROR"
    r.release()


def people_store(n_people: int, frames: int):
    rr.init("batching")
    mem = rr.memory_recording()
    rr.log("/", rr.ClassDescription(info=(1, "person", (0, 200, 0)),
                                    keypoint_annotations=[(0, "head", (255, 0, 0)), (1, "foot")],
                                    keypoint_connections=[(0, 1)]), static=True)
    for f in range(frames):
        rr.set_time("frame", sequence=f)
        for p in range(n_people):
            x = 10 + 20 * p
            rr.log(f"people/{p}", rr.Points2D([[x, 10 + f], [x, 30 + f]], class_ids=1, keypoint_ids=[0, 1],
                                              radii=2.0, show_labels=False))
    rr.flush()
    return mem.to_store()


def test_skeleton_entities_batch_into_two_visuals(renderer):
    store = people_store(5, 2)
    scene = SceneBuilder(store).build("frame", 1)
    kinds = sorted(type(v).__name__ for v in scene.visuals_2d)
    assert kinds == ["LinesVisual", "PointsVisual"]
    pts = next(v for v in scene.visuals_2d if isinstance(v, PointsVisual))
    assert len(pts.positions) == 10 and pts.pick_ids.shape == (10, 2)
    size = (120, 60)
    cam = Camera2D.from_rect(0, 0, 120, 60, *size)
    frame, _ = SceneRenderer(renderer).render_2d(scene, size, cam)
    img = frame.read_rgba()
    # person 3's head (keypoint 0 color) at (70, 11); its connection (class color) between heads and feet
    assert tuple(img[11, 70, :3]) == (255, 0, 0)
    assert tuple(img[21, 70, :3]) == (0, 200, 0)
    pick = frame.pick(70, 11)
    obj = scene.objects[pick.object_id]
    assert obj.entity == "/people/3" and obj.kind == "points" and pick.instance == 0
    conn = frame.pick(70, 21)
    assert scene.objects[conn.object_id].entity == "/people/3" and scene.objects[conn.object_id].kind == "connections"


def test_scrubbing_back_uploads_nothing(renderer):
    store = people_store(20, 6)
    builder, scenes = SceneBuilder(store), SceneRenderer(renderer)
    size = (200, 100)
    for f in range(6):
        scenes.render_2d(builder.build("frame", f), size)
    before = renderer.cache.uploads
    for f in range(6):
        frame, _ = scenes.render_2d(builder.build("frame", f), size)
        assert frame.stats.draw_calls <= 3
    assert renderer.cache.uploads == before


def test_keypoints_without_color_follow_a_recolored_class(renderer):
    store = people_store(1, 1)
    scene = SceneBuilder(store).build("frame", 0)
    scenes = SceneRenderer(renderer)
    size = (40, 60)
    cam = Camera2D.from_rect(0, 0, 40, 60, *size)
    frame, _ = scenes.render_2d(scene, size, cam)
    assert tuple(frame.read_rgba()[30, 10, :3]) == (0, 200, 0)  # "foot" has no color: class color
    scenes.edits.colors[("/", 1)] = (0, 0, 255, 255)
    scenes.edits.touch()
    frame, _ = scenes.render_2d(scene, size, cam)
    img = frame.read_rgba()
    assert tuple(img[30, 10, :3]) == (0, 0, 255)   # foot follows the class
    assert tuple(img[10, 10, :3]) == (255, 0, 0)   # head keeps its own color
    assert tuple(img[20, 10, :3]) == (0, 0, 255)   # connection in the class color


def stream_update_of_person_2(store) -> None:
    """A live update of one entity, as a stream delivers it: /people/2 moves to (99, 99)."""
    rr.init("batching-more")
    mem = rr.memory_recording()
    rr.set_time("frame", sequence=0)
    rr.log("people/2", rr.Points2D([[99, 99], [99, 120]], class_ids=1, keypoint_ids=[0, 1], show_labels=False))
    rr.flush()
    store.add_chunks(mem.chunks())


def test_rebuilding_reuses_unchanged_entities_and_batches():
    """Per-entity build (the grouped build off): a live stream that updates one entity rebuilds
    only that entity; the others keep their built parts, and a batch whose members did not
    change is not concatenated again."""
    store = people_store(4, 1)
    builder = SceneBuilder(store)
    builder.grouped.enabled = False
    first = builder.build("frame", 0)
    again = builder.build("frame", 0)
    assert [id(v) for v in first.visuals_2d] == [id(v) for v in again.visuals_2d]
    before = {p: builder._parts[(p, "Points2D")][1] for p in ("/people/1", "/people/2")}
    stream_update_of_person_2(store)
    updated = builder.build("frame", 0)
    after = {p: builder._parts[(p, "Points2D")][1] for p in ("/people/1", "/people/2")}
    assert after["/people/1"] is before["/people/1"]          # untouched entity: reused
    assert after["/people/2"] is not before["/people/2"]      # updated entity: rebuilt
    pts = next(v for v in updated.visuals_2d if isinstance(v, PointsVisual))
    old_pts = next(v for v in first.visuals_2d if isinstance(v, PointsVisual))
    assert pts is not old_pts and [99, 99] in pts.positions.tolist()


def test_grouped_build_reuses_an_unchanged_frame_and_rebuilds_an_update():
    """Grouped build: a frame whose cells did not change builds nothing (same visuals, no
    group rebuilt); a streamed update rebuilds the group and shows the new data."""
    store = people_store(4, 1)
    builder = SceneBuilder(store)
    first = builder.build("frame", 0)
    built = builder.grouped.rebuilt
    again = builder.build("frame", 0)
    assert builder.grouped.rebuilt == built
    assert [id(v) for v in first.visuals_2d] == [id(v) for v in again.visuals_2d]
    stream_update_of_person_2(store)
    updated = builder.build("frame", 0)
    assert builder.grouped.rebuilt == built + 1
    pts = next(v for v in updated.visuals_2d if isinstance(v, PointsVisual))
    assert [99, 99] in pts.positions.tolist() and len(pts.positions) == 8
    assert updated.objects[int(pts.pick_ids[4, 0])].entity == "/people/2"
