"""Bad input: a clear error naming archetype, field and expectation (strict), or one warning and
nothing else lost (non-strict, Rerun's default)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import annoview as rr
from conftest import store_of

BAD_CALLS = [
    (lambda: rr.Points2D(np.zeros((3, 3))), "Points2D.positions", r"shape \(N, 2\)"),
    (lambda: rr.Points3D(np.zeros((3, 2))), "Points3D.positions", r"shape \(N, 3\)"),
    (lambda: rr.Points2D(np.zeros((2, 2, 2))), "Points2D.positions", "expected shape"),
    (lambda: rr.Points2D([[0, np.nan]]), "Points2D.positions", "NaN or inf at index 0"),
    (lambda: rr.Points3D([[0, 0, 0], [np.inf, 0, 0]]), "Points3D.positions", "NaN or inf at index 1"),
    (lambda: rr.Points2D(np.zeros((2, 2)), class_ids=[1, 2, 3]), "Points2D.class_ids", "3 values for 2 positions"),
    (lambda: rr.Points2D(np.zeros((2, 2)), colors=[(1, 2, 3)] * 3), "Points2D.colors", "3 values for 2"),
    (lambda: rr.Points2D(np.zeros((2, 2)), labels=["a", "b", "c"]), "Points2D.labels", "3 values for 2"),
    (lambda: rr.Points2D(np.zeros((2, 2)), class_ids=[-1, 2]), "Points2D.class_ids", "id -1 out of range 0..65535"),
    (lambda: rr.Points2D(np.zeros((2, 2)), class_ids=[1, 70000]), "Points2D.class_ids", "id 70000 out of range"),
    (lambda: rr.Points2D(np.zeros((2, 2)), keypoint_ids=[0, 65536]), "Points2D.keypoint_ids", "out of range"),
    (lambda: rr.Points2D(np.zeros((2, 2)), class_ids=[0.5, 1]), "Points2D.class_ids", "whole numbers"),
    (lambda: rr.Points2D(np.zeros((1, 2)), colors="red"), "Points2D.colors", "unknown color 'red'"),
    (lambda: rr.Points2D(np.zeros((1, 2)), colors=(300, 0, 0)), "Points2D.colors", r"\[0, 255\]"),
    (lambda: rr.Points2D(np.zeros((1, 2)), colors=(1.5, 0.0, 0.0)), "Points2D.colors", r"\[0, 1\]"),
    (lambda: rr.Points2D(np.zeros((1, 2)), colors={"r": 1}), "Points2D.colors", "unknown color form"),
    (lambda: rr.Points2D(np.zeros((1, 2)), radii=[np.nan]), "Points2D.radii", "finite"),
    (lambda: rr.Boxes2D(sizes=[[1, 2]], half_sizes=[[1, 2]]), "Boxes2D.sizes", "not both"),
    (lambda: rr.Boxes2D(centers=[[1, 2]]), "Boxes2D.half_sizes", "required"),
    (lambda: rr.Boxes2D(sizes=[[-1, 2]]), "Boxes2D.sizes", "negative"),
    (lambda: rr.Boxes2D(array=[[0, 0, 1, 1]]), "Boxes2D.array_format", "array_format"),
    (lambda: rr.Boxes2D(array=[[0, 0, 1]], array_format=rr.Box2DFormat.XYWH), "Boxes2D.array", r"shape \(N, 4\)"),
    (lambda: rr.LineStrips2D([np.zeros((3, 3))]), "LineStrips2D.strips", r"shape \(N, 2\)"),
    (lambda: rr.LineStrips3D([[[0, 0, np.nan]]]), "LineStrips3D.strips", "NaN"),
    (lambda: rr.SegmentationImage(np.zeros((4, 4, 3), np.uint8)), "SegmentationImage.image", r"2-D \(H, W\)"),
    (lambda: rr.SegmentationImage(np.full((2, 2), 0.5)), "SegmentationImage.image", "whole numbers"),
    (lambda: rr.SegmentationImage(np.full((2, 2), 70000, np.int32)), "SegmentationImage.image", "0..65535"),
    (lambda: rr.SegmentationImage(np.full((2, 2), -1, np.int8)), "SegmentationImage.image", "0..65535"),
    (lambda: rr.SegmentationImage(np.array([["a"]])), "SegmentationImage.image", "integer class ids"),
    (lambda: rr.SegmentationImage(np.zeros((2, 2), np.uint8), opacity=2.0), "SegmentationImage.opacity", r"\[0.0, 1.0\]"),
    (lambda: rr.Image(np.zeros((4, 4, 2), np.uint8)), "Image.image", r"\(H, W, 3\)"),
    (lambda: rr.Image(np.zeros((2, 2), bool)), "Image.image", "bool pixels"),
    (lambda: rr.Image(np.zeros((2, 2), complex)), "Image.image", "unsupported pixel dtype complex128"),
    (lambda: rr.Image(np.zeros(4, np.uint8)), "Image.image", "2-D or 3-D"),
    (lambda: rr.Image(np.zeros((2, 2), np.uint8), "RGB"), "Image.color_model", "RGB needs 3 channels"),
    (lambda: rr.Image(np.zeros((2, 2), np.uint8), "XYZ"), "Image.color_model", "cannot read 'XYZ' as rr.ColorModel"),
    (lambda: rr.Image(), "Image.image", "give image= or bytes="),
    (lambda: rr.Image(bytes=b"abc", width=3), "Image.bytes", "width= and height="),
    (lambda: rr.Image(bytes=b"abc", width=3, height=1, color_model="L"), "Image.bytes", "color_model= and datatype="),
    (lambda: rr.Image(bytes=b"abc", width=3, height=2, color_model="L", datatype="u8"), "Image.bytes", "3 bytes, 3x2 L uint8 needs 6"),
    (lambda: rr.Image(bytes=b"abc", width=2, height=2, pixel_format="NV12"), "Image.bytes", "3 bytes, 2x2 NV12 needs 6"),
    (lambda: rr.Image(bytes=b"abc", width=2, height=2, pixel_format="NV12", color_model="L"), "Image.color_model", "exclude"),
    (lambda: rr.Image(bytes=b"abc", width=3, height=1, color_model="L", datatype="f128"), "Image.datatype", "ChannelDatatype"),
    (lambda: rr.Image(np.zeros((2, 2), np.uint8), opacity=2.0), "Image.opacity", r"\[0.0, 1.0\]"),
    (lambda: rr.Image(np.zeros((2, 2), np.uint8), magnification_filter="Fuzzy"), "Image.magnification_filter", "Nearest"),
    (lambda: rr.EncodedImage(), "EncodedImage.path", "exactly one of path= or contents="),
    (lambda: rr.EncodedImage(path="/nonexistent/x.png"), "EncodedImage.path", "cannot read"),
    (lambda: rr.EncodedImage(contents=5), "EncodedImage.bytes", "expected bytes"),
    (lambda: rr.Points2D([[0, 0]], radii=[1, 2]), "Points2D.radii", "2 values for 1 positions"),
    (lambda: rr.Points2D([[0, 0]], show_labels=1), "Points2D.show_labels", "True or False"),
    (lambda: rr.Points2D([[0, 0]], colors=[300, 0, 0]), "Points2D.colors", r"\[0, 255\]"),
    (lambda: rr.Boxes2D(centers=[[0, 0]]), "Boxes2D.half_sizes", "required"),
    (lambda: rr.Boxes2D(mins=[[0, 0]]), "Boxes2D.mins", "needs sizes= or half_sizes="),
    (lambda: rr.AnnotationContext({1: "car"}), "AnnotationContext.context", "dicts are not a context form"),
    (lambda: rr.AnnotationContext([(70000, "x")]), "AnnotationContext.info.id", "out of range"),
    (lambda: rr.AnnotationContext([(1, "x", "nocolor")]), "AnnotationContext.info.color", "unknown color"),
    (lambda: rr.ClassDescription(info=1, keypoint_connections=[(0, 1, 2)]), "AnnotationContext.keypoint_connections", "pair"),
    (lambda: rr.AnnotationContext([(1, 5)]), "AnnotationContext.info.label", "string label"),
]


@pytest.mark.parametrize("make,where,what", BAD_CALLS, ids=[c[1] + ":" + c[2][:20] for c in BAD_CALLS])
def test_strict_errors_name_archetype_field_and_expectation(make, where, what):
    with pytest.raises(rr.ValidationError, match=what) as info:
        make()
    assert str(info.value).startswith(where)


@pytest.mark.parametrize("path,what", [
    ("", "empty entity path"), ("a//b", "empty part"), ("a\x00b", "control character"), (5, "expected a string"),
    (["a", ""], "empty part"),
])
def test_malformed_entity_paths(mem, path, what):
    with pytest.raises(rr.ValidationError, match=what):
        rr.log(path, rr.Points2D([[0, 0]]))


def test_not_an_archetype(mem):
    with pytest.raises(rr.ValidationError, match="/x: expected an archetype"):
        rr.log("x", np.zeros(3))


def test_segmentation_keeps_the_given_dtype():
    """As rerun-sdk: ids are stored with their dtype (the viewer converts); bools become u8 ids."""
    seg = rr.SegmentationImage(np.array([[1, 300]], np.int32))
    assert seg.components["buffer"].dtype == np.int32 and seg.components["format"][0]["channel_datatype"] == 11
    assert rr.SegmentationImage(np.array([[True, False]])).components["buffer"].tolist() == [[1, 0]]
    assert rr.SegmentationImage(np.array([[2.0, 3.0]])).components["buffer"].dtype == np.float64
    assert rr.SegmentationImage(np.zeros((2, 3, 1), np.uint8)).components["format"][0]["width"] == 3


NON_STRICT_RECORDS = [  # annoview's stricter rules: strict raises (above), non-strict records as rerun-sdk
    (lambda: rr.Points2D([[np.nan, 1]]), "positions", lambda v: np.isnan(v[0, 0])),
    (lambda: rr.Points2D([[0, 0]], radii=[1, 2, 3]), "radii", lambda v: v.tolist() == [1, 2, 3]),
    (lambda: rr.Points2D([[0, 0]], colors=[[1.5, -0.2, 0.5]]), "colors", lambda v: v.tolist() == [0x7ECD80FF]),
    (lambda: rr.Points2D([[0, 0]], class_ids=[1.7]), "class_ids", lambda v: v.tolist() == [1]),
    (lambda: rr.Points2D([[0, 0]], show_labels=1), "show_labels", lambda v: v.tolist() == [True]),
    (lambda: rr.Boxes2D(sizes=[[-2, 2]]), "half_sizes", lambda v: v.tolist() == [[-1, 1]]),
    (lambda: rr.Image(np.zeros((2, 2), np.uint8), opacity=2.0), "opacity", lambda v: v.tolist() == [2.0]),
    (lambda: rr.Image(np.zeros((2, 2), np.uint8), "RGB"), "format", lambda v: v[0]["color_model"] == 2),
    (lambda: rr.Image(np.zeros((2, 2, 2), np.uint8)), "format", lambda v: v[0]["color_model"] is None),
    (lambda: rr.SegmentationImage(np.array([[1, -2]], np.int32)), "buffer", lambda v: v.tolist() == [[1, -2]]),
]


@pytest.mark.parametrize("make,field,ok", NON_STRICT_RECORDS, ids=[str(i) for i in range(len(NON_STRICT_RECORDS))])
def test_non_strict_records_what_rerun_records(make, field, ok):
    with pytest.raises(rr.ValidationError):
        make()
    rr.set_strict_mode(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arch = make()
    assert arch.invalid is None and ok(arch.components[field])


def test_non_strict_bad_field_warns_once_and_keeps_the_rest(mem):
    rr.set_strict_mode(False)
    rr.log("good", rr.Points2D([[1, 1]]), static=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rr.log("p", rr.Points2D([[1, 2], [3, 4]], class_ids=[1, -2], labels=["a", "b"]), static=True)
    assert len(caught) == 1 and "Points2D.class_ids" in str(caught[0].message)
    assert "dropped" in str(caught[0].message)
    s = store_of(mem)
    got = s.latest_at("/p", None, None)
    assert set(got) == {"Points2D:positions", "Points2D:labels"}
    assert np.array_equal(s.latest_at("/good", None, None)["Points2D:positions"].value, [[1, 1]])


def test_non_strict_bad_required_field_skips_only_that_call(mem):
    rr.set_strict_mode(False)
    rr.set_time("frame", sequence=0)
    rr.log("p", rr.Points2D([[1, 1]]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rr.set_time("frame", sequence=1)
        rr.log("p", rr.Points2D([[1, 2, 3]]))
        rr.log("a//b", rr.Points2D([[0, 0]]))
    msgs = [str(w.message) for w in caught]
    assert len(msgs) == 2 and "Points2D.positions" in msgs[0] and "Points2D not logged" in msgs[0]
    assert "empty part" in msgs[1]
    s = store_of(mem)
    assert s.entity_paths() == ["/p"]
    assert np.array_equal(s.latest_at("/p", "frame", 1)["Points2D:positions"].value, [[1, 1]])


def test_per_call_strict_override(mem):
    rr.set_strict_mode(False)
    with pytest.raises(rr.ValidationError):
        rr.log("a//b", rr.Points2D([[0, 0]]), strict=True)


def test_non_strict_annotation_parts_never_raise(mem):
    """A bad AnnotationInfo / ClassDescription is built without an exception in non-strict mode:
    a bad id drops the context holding it, bad connections are dropped; one warning each."""
    rr.set_strict_mode(False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bad_info = rr.AnnotationInfo(id=70000, label="x")
        bad_class = rr.ClassDescription(info=(1, "x"), keypoint_connections=[(0, 1, 2)])
        rr.log("a", rr.AnnotationContext([bad_info]), static=True)
        rr.log("b", rr.AnnotationContext([bad_class]), static=True)
        rr.log("c", rr.AnnotationContext([(1, "ok")]), static=True)
    assert len(caught) == 2
    assert store_of(mem).entity_paths() == ["/b", "/c"]
