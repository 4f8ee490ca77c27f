"""Annotation resolution rules (docs/semantics.md "Resolution rules"), no GL needed."""
from __future__ import annotations

import numpy as np
import pytest

import annoview.annotations as ann
from annoview.annotations import (auto_color, auto_colors, auto_palette, connection_color, context_from_cell,
                                  default_entity_color, find_context_entity, resolve_instances, skeleton_segments)
from annoview.types import AnnotationContext, AnnotationInfo, ClassDescription
from annoview.types.colors import pack_rgba

EXPECTED_AUTO = [
    (188, 77, 77), (77, 123, 188), (154, 188, 77), (188, 77, 178), (77, 188, 175),
    (188, 150, 77), (118, 77, 188), (86, 188, 77), (188, 77, 128), (77, 158, 188),
]


def cell(*classes) -> list[dict]:
    return AnnotationContext(list(classes)).components["context"]


def ctx_of(*classes):
    return context_from_cell(cell(*classes), None)


def packed(*rgbas) -> np.ndarray:
    return pack_rgba(np.array(rgbas, np.uint8))


# -- auto colors ------------------------------------------------------------------------------

def test_auto_colors_match_rerun():
    for i, rgb in enumerate(EXPECTED_AUTO):
        assert auto_color(i) == rgb + (255,)


def test_vectorized_auto_colors_equal_scalar_for_all_ids():
    vec = auto_colors(np.arange(65536))
    scalar = np.array([auto_color(i) for i in range(65536)], np.uint8)
    assert vec.dtype == np.uint8 and vec.shape == (65536, 4)
    np.testing.assert_array_equal(vec, scalar)
    np.testing.assert_array_equal(auto_palette(), scalar)
    assert ann.AUTO_PALETTE is auto_palette()


def test_auto_color_rejects_out_of_range():
    with pytest.raises(ValueError):
        auto_color(65536)
    with pytest.raises(ValueError):
        auto_colors(np.array([-1]))


def test_default_entity_color_is_stable_auto_color():
    import zlib

    c = default_entity_color("/world/points")
    assert c == auto_color(zlib.crc32(b"/world/points") % 65535)
    assert default_entity_color("/world/points") == c


# -- rule 1: nearest context ------------------------------------------------------------------

def test_nearest_ancestor_includes_entity_itself():
    have = {"/": True, "/world": True, "/world/robot": True}
    assert find_context_entity("/world/robot", lambda p: have.get(p, False)) == "/world/robot"
    assert find_context_entity("/world/robot/arm", lambda p: have.get(p, False)) == "/world/robot"
    assert find_context_entity("/world/other", lambda p: have.get(p, False)) == "/world"
    assert find_context_entity("/elsewhere", lambda p: have.get(p, False)) == "/"
    assert find_context_entity("/a/b", lambda p: False) is None


def test_nested_context_overrides_root():
    contexts = {
        "/": cell(AnnotationInfo(1, "root-one", (255, 0, 0))),
        "/world": cell(AnnotationInfo(1, "world-one", (0, 255, 0))),
    }
    where = find_context_entity("/world/pts", contexts.__contains__)
    assert where == "/world"
    ctx = context_from_cell(contexts[where], None)
    assert ctx.class_label(1) == "world-one"
    assert ctx.class_color(1) == (0, 255, 0, 255)
    root = find_context_entity("/other/pts", contexts.__contains__)
    assert context_from_cell(contexts[root], None).class_label(1) == "root-one"


def test_class_missing_from_nearest_context_does_not_fall_through():
    contexts = {
        "/": cell(AnnotationInfo(7, "far-seven", (1, 2, 3))),
        "/world": cell(AnnotationInfo(1, "near-one", (0, 255, 0))),
    }
    where = find_context_entity("/world/pts", contexts.__contains__)
    ctx = context_from_cell(contexts[where], None)
    assert ctx.class_color(7) == auto_color(7)
    assert ctx.class_label(7) is None
    res = resolve_instances(ctx, 2, class_ids=np.array([7, 1], np.uint16))
    assert res.colors.tolist() == [list(auto_color(7)), [0, 255, 0, 255]]
    assert res.labels == [None, "near-one"]


# -- rules 2 and 4: keypoints -----------------------------------------------------------------

def test_keypoint_fields_merge_over_class_field_by_field():
    ctx = ctx_of(ClassDescription(
        info=AnnotationInfo(1, "person", (255, 0, 0)),
        keypoint_annotations=[AnnotationInfo(0, "nose"),                    # label only
                              AnnotationInfo(1, None, (0, 0, 255, 128))],    # color only
    ))
    assert ctx.keypoint_label(1, 0) == "nose"
    assert ctx.keypoint_color(1, 0) == (255, 0, 0, 255)
    assert ctx.keypoint_label(1, 1) == "person"
    assert ctx.keypoint_color(1, 1) == (0, 0, 255, 128)
    # no annotation for keypoint 5: the class info applies
    assert ctx.keypoint_label(1, 5) == "person"
    assert ctx.keypoint_color(1, 5) == (255, 0, 0, 255)


def test_keypoint_without_colors_gets_auto_color_of_keypoint_id():
    ctx = ctx_of(ClassDescription(info=AnnotationInfo(3, "hand"),
                                  keypoint_annotations=[AnnotationInfo(8, "thumb")]))
    assert ctx.keypoint_color(3, 8) == auto_color(8)
    assert ctx.keypoint_color(3, 9) == auto_color(3)  # unannotated keypoint: class auto color
    assert ctx.keypoint_entries() == [(3, 8, auto_color(8), "thumb")]
    res = resolve_instances(ctx, 3, class_ids=[3], keypoint_ids=np.array([8, 9, 8], np.uint16))
    assert res.colors.tolist() == [list(auto_color(8)), list(auto_color(3)), list(auto_color(8))]
    assert res.labels == ["thumb", "hand", "thumb"]


# -- rule 3: explicit colors and labels -------------------------------------------------------

def test_explicit_colors_win_and_last_repeats():
    ctx = ctx_of(AnnotationInfo(1, "a", (255, 0, 0)))
    cols = packed((1, 2, 3, 4), (5, 6, 7, 8))
    res = resolve_instances(ctx, 4, class_ids=np.array([1, 1, 1, 1], np.uint16), colors=cols)
    assert res.colors.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [5, 6, 7, 8], [5, 6, 7, 8]]
    assert res.labels == ["a"] * 4
    # unpacked (N, 4) uint8 colors work the same
    res = resolve_instances(ctx, 3, class_ids=[1], colors=np.array([[9, 9, 9, 0]], np.uint8))
    assert res.colors.tolist() == [[9, 9, 9, 0]] * 3
    # more colors than instances: truncated
    res = resolve_instances(ctx, 1, class_ids=[1], colors=cols)
    assert res.colors.tolist() == [[1, 2, 3, 4]]


def test_explicit_labels_win_per_instance_no_fallback_past_the_end():
    # Corrected rule 3 (checked against the Rerun 0.41 viewer): past the end of the label list
    # an instance gets no label, not its class label.
    ctx = ctx_of(AnnotationInfo(1, "one"), AnnotationInfo(2, "two"))
    res = resolve_instances(ctx, 4, class_ids=np.array([1, 2, 1, 2], np.uint16), labels=["x", "y"])
    assert res.labels == ["x", "y", None, None]
    assert res.shared_label is None
    res = resolve_instances(ctx, 3, class_ids=[2], labels=["only"])
    assert res.labels == ["only", None, None]
    assert res.shared_label == "only"


def test_class_ids_shorter_than_instances_repeat_last():
    ctx = ctx_of(AnnotationInfo(1, "one", (10, 20, 30)), AnnotationInfo(2, "two", (40, 50, 60)))
    res = resolve_instances(ctx, 4, class_ids=np.array([1, 2], np.uint16))
    assert res.class_ids.tolist() == [1, 2, 2, 2]
    assert res.class_ids.dtype == np.uint16
    assert res.colors[:, :3].tolist() == [[10, 20, 30]] + [[40, 50, 60]] * 3


def test_unknown_class_gets_auto_color_and_no_label():
    ctx = ctx_of(AnnotationInfo(1, "one", (10, 20, 30)))
    assert ctx.class_color(42) == auto_color(42)
    assert ctx.class_label(42) is None
    res = resolve_instances(ctx, 2, class_ids=np.array([42, 1], np.uint16))
    assert res.colors.tolist() == [list(auto_color(42)), [10, 20, 30, 255]]
    assert res.labels == [None, "one"]


def test_no_context_and_no_ids():
    res = resolve_instances(None, 3, class_ids=np.array([0, 5, 9], np.uint16))
    assert res.colors.tolist() == [list(auto_color(0)), list(auto_color(5)), list(auto_color(9))]
    assert res.labels == [None, None, None]
    res = resolve_instances(None, 2, entity_path="/world/pts")
    assert res.colors.tolist() == [list(default_entity_color("/world/pts"))] * 2
    assert res.class_ids is None and res.keypoint_ids is None


def test_class_zero_ordinary_and_alpha_zero_kept():
    ctx = ctx_of(AnnotationInfo(0, "background", (0, 0, 0, 0)))
    assert ctx.class_color(0) == (0, 0, 0, 0)
    assert ctx.palette()[0].tolist() == [0, 0, 0, 0]
    assert ctx.class_label(0) == "background"


# -- palette ------------------------------------------------------------------------------------

def test_palette_exact_at_edges():
    ctx = ctx_of(AnnotationInfo(0, "bg", (0, 0, 0)), AnnotationInfo(255, "a", (1, 2, 3)),
                 AnnotationInfo(256, "b", (4, 5, 6, 7)), AnnotationInfo(65535, "z", (9, 8, 7)))
    pal = ctx.palette()
    assert pal.shape == (65536, 4) and pal.dtype == np.uint8
    assert pal[0].tolist() == [0, 0, 0, 255]
    assert pal[255].tolist() == [1, 2, 3, 255]
    assert pal[256].tolist() == [4, 5, 6, 7]
    assert pal[257].tolist() == list(auto_color(257))
    assert pal[65535].tolist() == [9, 8, 7, 255]
    tex = ctx.palette_texture()
    assert tex[1, 0].tolist() == [4, 5, 6, 7]          # id 256 -> row 1, col 0
    assert tex[1, 1].tolist() == list(auto_color(257))
    assert tex[255, 255].tolist() == [9, 8, 7, 255]
    assert ctx.palette() is pal  # cached


def test_context_cache_hit_by_key():
    ann.clear_context_cache()
    c = cell(AnnotationInfo(1, "one"))
    first = context_from_cell(c, b"row-1")
    assert context_from_cell(c, b"row-1") is first
    assert context_from_cell(cell(AnnotationInfo(1, "other")), b"row-1") is first  # row ids are immutable
    assert context_from_cell(c, b"row-2") is not first
    assert context_from_cell(c, None) is not first


# -- rule 6: skeletons ------------------------------------------------------------------------

def test_skeleton_segments_skip_missing_and_split_classes():
    ctx = ctx_of(
        ClassDescription(info=AnnotationInfo(1, "person", (255, 0, 0)),
                         keypoint_annotations=[AnnotationInfo(0, "head"), AnnotationInfo(1, "neck"),
                                               AnnotationInfo(2, "hip")],
                         keypoint_connections=[(0, 1), (1, 2), (1, 9)]),   # 9 never logged
        ClassDescription(info=AnnotationInfo(2, "robot"), keypoint_connections=[(0, 1)]),
    )
    cids = np.array([1, 1, 1, 2, 2], np.uint16)
    kids = np.array([0, 1, 2, 0, 1], np.uint16)
    pairs, classes = skeleton_segments(ctx, cids, kids)
    assert pairs.tolist() == [[0, 1], [1, 2], [3, 4]]
    assert classes.tolist() == [1, 1, 2]
    assert connection_color(ctx, 1) == (255, 0, 0, 255)
    assert connection_color(ctx, 2) == auto_color(2)
    assert connection_color(None, 4) == auto_color(4)


def test_skeleton_repeated_keypoint_uses_last_and_missing_context():
    ctx = ctx_of(ClassDescription(info=AnnotationInfo(1, "p"), keypoint_connections=[(0, 1)]))
    pairs, classes = skeleton_segments(ctx, [1], np.array([0, 1, 0], np.uint16))
    assert pairs.tolist() == [[2, 1]]
    assert classes.tolist() == [1]
    pairs, classes = skeleton_segments(None, [1], [0, 1])
    assert pairs.shape == (0, 2) and classes.shape == (0,)


def test_describe():
    ctx = ctx_of(ClassDescription(info=AnnotationInfo(1, "person", (255, 0, 0)),
                                  keypoint_annotations=[AnnotationInfo(0, "head"), AnnotationInfo(1, "neck")],
                                  keypoint_connections=[(0, 1), (1, 4)]))
    (d,) = ctx.describe()
    assert d["id"] == 1 and d["label"] == "person" and d["color"] == "#ff0000ff" and not d["auto_color"]
    assert d["keypoints"][0] == {"id": 0, "label": "head", "color": "#ff0000ff"}
    assert d["connections"] == [("head", "neck"), ("neck", "4")]


def test_class_ids_shorter_than_instances_no_label_past_the_end():
    ctx = ctx_of(AnnotationInfo(1, "one"), AnnotationInfo(2, "two"))
    res = resolve_instances(ctx, 4, class_ids=np.array([1, 2], np.uint16))
    assert res.labels == ["one", "two", None, None]
    assert res.shared_label is None


def test_class_id_given_once_labels_once():
    ctx = ctx_of(AnnotationInfo(2, "car"))
    res = resolve_instances(ctx, 3, class_ids=[2])
    assert res.shared_label == "car"
    assert res.labels == ["car", None, None]
    assert resolve_instances(ctx, 1, class_ids=[2]).shared_label is None  # one instance: its own label


def test_class_id_once_with_keypoints_labels_every_keypoint():
    # As the Rerun 0.41 viewer shows a skeleton logged with `class_ids=1, keypoint_ids=range(n)`.
    ctx = ctx_of(ClassDescription(info=AnnotationInfo(1, "person"),
                                  keypoint_annotations=[AnnotationInfo(0, "nose"), AnnotationInfo(1, "eye")]))
    res = resolve_instances(ctx, 3, class_ids=[1], keypoint_ids=[0, 1, 2])
    assert res.labels == ["nose", "eye", "person"]
    assert res.shared_label is None
