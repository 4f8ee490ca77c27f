"""Screen-space label placement (pure numpy): no two placed boxes intersect, a dropped label had
no free side left once the labels ranked before it were placed, sparse labels stay put."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from annoview.render.label_placement import (CENTER, SIDES, LabelBoxes, candidates, chosen_boxes, place_labels,
                                             placement_order)

VIEW = (320, 200)


def make_boxes(rng: np.random.Generator, n: int, spread: float = 1.0, priority=None) -> LabelBoxes:
    anchor = rng.uniform(0, 1, (n, 2)) * np.array(VIEW) * spread + np.array(VIEW) * (1 - spread) / 2
    size = np.stack([rng.integers(12, 60, n), np.full(n, 16)], 1)
    return LabelBoxes(anchor=anchor, size=size, gap=rng.integers(1, 6, n), primary=np.zeros(n, np.int64),
                      visible=np.ones(n, bool),
                      priority=rng.integers(1, 3, n).astype(float) if priority is None else priority,
                      size_px=rng.uniform(0, 50, n), depth=np.zeros(n), ident=np.arange(n, dtype=np.uint64))


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[..., 0] < b[..., 2]) & (b[..., 0] < a[..., 2]) & (a[..., 1] < b[..., 3]) & (b[..., 1] < a[..., 3])


def check(boxes: LabelBoxes, chosen: np.ndarray) -> None:
    placed = np.flatnonzero(chosen >= 0)
    got = chosen_boxes(boxes, chosen)
    pair = intersect(got[placed][:, None], got[placed][None, :])
    np.fill_diagonal(pair, False)
    assert not pair.any(), "two placed labels intersect"
    cand = candidates(boxes)
    rank = np.empty(len(chosen), np.int64)
    order = placement_order(boxes)
    rank[order] = np.arange(len(order))
    w, h = VIEW
    for i in np.flatnonzero(chosen < 0):
        if not boxes.visible[i]:
            continue
        earlier = placed[rank[placed] < rank[i]]
        for k in range(CENTER):
            c = cand[i, k]
            fits = c[0] >= 0 and c[1] >= 0 and c[2] <= w and c[3] <= h
            on_screen = c[0] < w and c[1] < h and c[2] > 0 and c[3] > 0
            if fits or (k == boxes.primary[i] and on_screen):   # only the preferred box may stick out
                assert intersect(c[None], got[earlier]).any(), \
                    f"label {i} dropped although its {SIDES[k]} box was free of higher-ranked labels"


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 150), st.floats(0.2, 1.0))
def test_random_scenes_never_overlap_and_drop_only_when_blocked(seed, n, spread):
    boxes = make_boxes(np.random.default_rng(seed), n, spread)
    chosen = place_labels(boxes, VIEW)
    check(boxes, chosen)


def test_dense_scene_keeps_the_high_priority_labels():
    rng = np.random.default_rng(1)
    n = 400
    priority = np.ones(n)
    priority[:8] = 2.0
    boxes = make_boxes(rng, n, 0.5, priority)
    boxes.anchor[:8] = np.array([[40 + 35 * i, 100] for i in range(8)], float)   # adjacent high-priority ones
    chosen = place_labels(boxes, VIEW)
    check(boxes, chosen)
    assert (chosen[:8] >= 0).all(), "higher priority is placed first"
    assert (chosen < 0).sum() > n / 2, "most of a dense crowd is dropped"


def test_sparse_scene_is_unchanged():
    boxes = LabelBoxes(anchor=np.array([[50.0, 50.0], [150.0, 50.0], [250.0, 150.0]]),
                       size=np.array([[40, 16]] * 3), gap=np.array([3, 3, 3]), primary=np.array([0, 0, 2]),
                       visible=np.ones(3, bool), priority=np.ones(3), size_px=np.zeros(3), depth=np.zeros(3),
                       ident=np.arange(3, dtype=np.uint64))
    chosen = place_labels(boxes, VIEW)
    assert chosen.tolist() == [0, 0, 2], "every label on its preferred side"
    assert chosen_boxes(boxes, chosen).tolist() == [[30, 53, 70, 69], [130, 53, 170, 69], [253, 142, 293, 158]]


def test_order_priority_then_size_then_depth_then_identity():
    boxes = LabelBoxes(anchor=np.zeros((5, 2)), size=np.ones((5, 2), int), gap=np.zeros(5, int),
                       primary=np.zeros(5, np.int64), visible=np.array([True, True, True, True, False]),
                       priority=np.array([1.0, 2.0, 1.0, 1.0, 9.0]), size_px=np.array([10.0, 0.0, 40.0, 10.0, 0.0]),
                       depth=np.array([5.0, 0.0, 0.0, 1.0, 0.0]), ident=np.array([3, 9, 7, 1, 0], np.uint64))
    assert placement_order(boxes).tolist() == [1, 2, 3, 0], "hidden labels are not placed at all"


def test_the_previous_frames_side_is_tried_first_unless_the_anchor_jumped():
    boxes = LabelBoxes(anchor=np.array([[100.0, 100.0]]), size=np.array([[40, 16]]), gap=np.array([3]),
                       primary=np.array([0]), visible=np.ones(1, bool), priority=np.ones(1), size_px=np.zeros(1),
                       depth=np.zeros(1), ident=np.array([5], np.uint64))
    near = (np.array([5], np.uint64), np.array([2]), np.array([[104.0, 101.0]]))
    far = (np.array([5], np.uint64), np.array([2]), np.array([[300.0, 10.0]]))
    assert place_labels(boxes, VIEW, near).tolist() == [2]
    assert place_labels(boxes, VIEW, far).tolist() == [0]
    assert place_labels(boxes, VIEW, None).tolist() == [0]


def test_off_screen_and_hidden_labels_take_no_space():
    boxes = LabelBoxes(anchor=np.array([[-500.0, 50.0], [100.0, 100.0], [100.0, 100.0]]),
                       size=np.array([[40, 16]] * 3), gap=np.array([3, 3, 3]), primary=np.zeros(3, np.int64),
                       visible=np.array([True, False, True]), priority=np.array([1.0, 5.0, 1.0]),
                       size_px=np.zeros(3), depth=np.zeros(3), ident=np.arange(3, dtype=np.uint64))
    assert place_labels(boxes, VIEW).tolist() == [-1, -1, 0]


def test_wild_anchors_are_not_drawn_and_raise_nothing():
    import warnings

    boxes = LabelBoxes(anchor=np.array([[np.nan, 5.0], [1e30, -1e30], [-np.inf, np.inf], [100.0, 100.0]]),
                       size=np.array([[40, 16]] * 4), gap=np.array([3] * 4), primary=np.zeros(4, np.int64),
                       visible=np.ones(4, bool), priority=np.ones(4), size_px=np.zeros(4), depth=np.zeros(4),
                       ident=np.arange(4, dtype=np.uint64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        boxes.anchor = np.where(np.isfinite(boxes.anchor), boxes.anchor, -1e9)   # as project_px hands them over
        assert place_labels(boxes, VIEW).tolist() == [-1, -1, -1, 0]


def test_anchors_are_kept_free_of_other_labels():
    """A label does not cover a point that a label of its priority (or higher) names: the label
    placed first cannot sit below its point, where the other point is, so it goes above; an
    explicit label may cover a point that only has a context label."""
    def boxes_with(priority, reserve):
        return LabelBoxes(anchor=np.array([[100.0, 110.0], [100.0, 100.0]]), size=np.array([[40, 16]] * 2),
                          gap=np.array([3, 3]), primary=np.zeros(2, np.int64), visible=np.ones(2, bool),
                          priority=np.array(priority), size_px=np.zeros(2), depth=np.zeros(2),
                          ident=np.array([1, 0], np.uint64), reserve=reserve)

    assert place_labels(boxes_with([1.0, 1.0], np.array([2.0, 2.0])), VIEW)[1] == SIDES.index("above")
    assert place_labels(boxes_with([1.0, 1.0], None), VIEW)[1] == 0, "without reservations: on that point"
    assert place_labels(boxes_with([1.0, 2.0], np.array([2.0, 2.0])), VIEW)[1] == 0, "higher priority"
