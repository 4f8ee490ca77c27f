"""Store: latest-at semantics, static data, ties, timelines, entity tree, vectorized queries."""
from __future__ import annotations

import numpy as np

import annoview as rr
from annoview.annotations import context_from_cell, find_context_entity
from conftest import store_of


def positions(store, path, t, timeline="frame"):
    ref = store.latest_at(path, timeline, t).get("Points2D:positions")
    return None if ref is None else ref.value.tolist()


def test_latest_at_per_component_and_gaps(mem):
    for f in (0, 10, 20):
        rr.set_time("frame", sequence=f)
        rr.log("p", rr.Points2D([[f, f]]))
    rr.set_time("frame", sequence=15)
    rr.log("p", rr.Points2D([[99, 99]], colors=[(1, 2, 3)]))
    s = store_of(mem)
    assert positions(s, "/p", -1) is None
    assert positions(s, "/p", 0) == [[0, 0]]
    assert positions(s, "/p", 9) == [[0, 0]]
    assert positions(s, "/p", 12) == [[10, 10]]
    assert positions(s, "/p", 17) == [[99, 99]]
    assert positions(s, "/p", 10**12) == [[20, 20]]
    # colors are latest-at on their own: still the frame-15 value at frame 20
    assert s.latest_at("/p", "frame", 20)["Points2D:colors"].value.tolist() == [0x010203FF]


def test_same_time_later_row_wins(mem):
    rr.set_time("frame", sequence=3)
    rr.log("p", rr.Points2D([[1, 1]]))
    rr.log("p", rr.Points2D([[2, 2]]))
    rr.flush()
    rr.log("p", rr.Points2D([[3, 3]]))  # lands in a later chunk
    s = store_of(mem)
    assert positions(s, "/p", 3) == [[3, 3]]


def test_out_of_order_ingest_and_chunks(mem):
    for f in (5, 1, 3):
        rr.set_time("frame", sequence=f)
        rr.log("p", rr.Points2D([[f, 0]]))
        rr.flush()
    chunks = mem.chunks()
    s = rr.MemorySink().to_store()
    for c in reversed(chunks):
        s.add_chunk(c)
    assert positions(s, "/p", 2) == [[1, 0]] and positions(s, "/p", 4) == [[3, 0]] and positions(s, "/p", 9) == [[5, 0]]


def test_data_not_on_timeline_is_invisible_there(mem):
    rr.set_time("other", sequence=1)
    rr.log("p", rr.Points2D([[1, 1]]))
    s = store_of(mem)
    assert positions(s, "/p", 100) is None
    assert positions(s, "/p", 1, timeline="other") == [[1, 1]]


def test_static_logged_twice_last_wins(mem):
    rr.log("p", rr.Points2D([[1, 1]]), static=True)
    rr.log("p", rr.Points2D([[2, 2]]), static=True)
    s = store_of(mem)
    assert positions(s, "/p", None) == [[2, 2]] and positions(s, "/p", 0) == [[2, 2]]


def test_timelines_tree_and_counts(mem):
    rr.log("world", rr.AnnotationContext([(1, "a")]), static=True)
    for f in range(3, 8):
        rr.set_time("frame", sequence=f)
        rr.log("world/robot/arm", rr.Points3D([[0, 0, f]]))
    s = store_of(mem)
    assert s.timelines()["frame"].min == 3 and s.timelines()["frame"].max == 7
    assert s.entity_paths() == ["/world", "/world/robot/arm"]
    node = s.tree.node("/world/robot")
    assert node is not None and not node.has_data and list(node.children) == ["arm"]
    assert s.archetypes("/world/robot/arm") == {"Points3D": 5}
    assert s.archetypes("/world") == {"AnnotationContext": 1}
    assert s.times("/world/robot/arm", "frame", "Points3D:positions").tolist() == [3, 4, 5, 6, 7]


def test_vectorized_query_matches_single_queries(mem):
    rng = np.random.default_rng(1)
    for f in range(30):
        rr.set_time("frame", sequence=f)
        for e in range(20):
            if rng.random() < 0.5:
                rr.log(f"e/{e}", rr.Points2D([[f, e]]))
    rr.log("e/3", rr.Points2D([[-1, -1]]), static=True)
    s = store_of(mem)
    for t in (0, 7, 29):
        q = s.query(None, "frame", t, ["Points2D:positions"])
        for path in s.entity_paths():
            single = s.latest_at(path, "frame", t).get("Points2D:positions")
            batched = q.for_entity(path).get("Points2D:positions")
            assert (single is None) == (batched is None)
            if single is not None:
                assert single.row_key == batched.row_key and single.value.tolist() == batched.value.tolist()
    assert positions(s, "/e/3", 29) == [[-1, -1]]


def test_context_changes_over_time_and_nesting(mem):
    """Resolution rule 1 through the store: nearest ancestor, latest-at the current time."""
    rr.log("/", rr.AnnotationContext([(1, "person", (255, 0, 0))]), static=True)
    rr.set_time("frame", sequence=0)
    rr.log("world", rr.AnnotationContext([(1, "pedestrian", (0, 255, 0))]))
    rr.set_time("frame", sequence=4)
    rr.log("world", rr.AnnotationContext([(1, "walker", (0, 0, 255))]))
    rr.log("world/robot", rr.Points2D([[0, 0]], class_ids=1))
    rr.log("other", rr.Points2D([[0, 0]], class_ids=1))
    s = store_of(mem)
    comp = "AnnotationContext:context"

    def resolved(entity, t):
        owner = find_context_entity(entity, lambda p: comp in s.latest_at(p, "frame", t, [comp]))
        ref = s.latest_at(owner, "frame", t, [comp])[comp]
        ctx = context_from_cell(ref.value, ref.row_key)
        return owner, ctx.class_label(1), ctx.class_color(1)

    assert resolved("/world/robot", 3) == ("/world", "pedestrian", (0, 255, 0, 255))
    assert resolved("/world/robot", 4) == ("/world", "walker", (0, 0, 255, 255))
    assert resolved("/world/robot", 100) == ("/world", "walker", (0, 0, 255, 255))
    assert resolved("/other", 4) == ("/", "person", (255, 0, 0, 255))
