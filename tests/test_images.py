"""Images beyond the matrix: hostile encoded blobs, Rerun's value-range rule, pixel formats, the
image enums (same members and codes as rerun-sdk's) and the scene's problem lines."""
from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage

import annoview as rr
from annoview import pixel_formats
from annoview.image_decode import decode
from annoview.image_pixels import display_array, display_image, segmentation_ids
from annoview.scene import SceneBuilder
from conftest import store_of


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    PILImage.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _with_size(png: bytes, width: int, height: int) -> bytes:
    """The same PNG with its header claiming another size (valid CRC): a decompression bomb."""
    ihdr = bytearray(png[12:29])  # b"IHDR" + 13 bytes of header
    ihdr[4:12] = struct.pack(">II", width, height)
    return png[:12] + bytes(ihdr) + struct.pack(">I", zlib.crc32(bytes(ihdr))) + png[33:]


def test_decode_png_and_jpeg():
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[:, :, 0] = 255
    assert np.array_equal(decode(np.frombuffer(_png(rgb), np.uint8), "image/png"), rgb)
    gray16 = np.array([[0, 40000]], np.uint16)
    out = io.BytesIO()
    PILImage.fromarray(gray16).save(out, format="PNG")
    got = decode(out.getvalue())
    assert got.dtype == np.uint16 and got.tolist() == [[0, 40000]]
    out = io.BytesIO()
    PILImage.fromarray(rgb).save(out, format="JPEG", quality=95)
    assert np.abs(decode(out.getvalue()).astype(int) - rgb).max() < 8


@pytest.mark.parametrize("blob,message", [
    (b"", "empty blob"),
    (b"garbage" * 10, "not a PNG, JPEG"),
    (_png(np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8))[:300], "cannot decode"),
    (_with_size(_png(np.zeros((2, 2), np.uint8)), 100_000, 100_000), "decompression bomb"),
    (_with_size(_png(np.zeros((2, 2), np.uint8)), 9_000, 9_000), "more than the"),
])
def test_hostile_blobs_give_one_line(blob, message):
    with pytest.raises(ValueError, match=message) as info:
        decode(blob, "image/png")
    assert "\n" not in str(info.value)


def test_bomb_is_refused_before_decoding():
    bomb = _with_size(_png(np.zeros((2, 2), np.uint8)), 5_000, 5_000)  # 25 Mpx claimed, a few bytes
    with pytest.raises(ValueError, match="5000x5000"):
        decode(bomb, max_pixels=10_000_000)


def test_scene_reports_undecodable_blob_and_draws_the_rest(mem):
    rr.log("bad", rr.EncodedImage(contents=b"not an image", media_type="image/png"), static=True)
    rr.log("good", rr.EncodedImage(contents=_png(np.full((2, 2, 3), 9, np.uint8)), media_type="image/png"), static=True)
    rr.log("pts", rr.Points2D([[1, 1]]), static=True)
    scene = SceneBuilder(store_of(mem)).build(None, None)
    assert [p for p, _ in scene.problems] == ["/bad"]
    assert "image/png: cannot decode" in scene.problems[0][1]
    kinds = sorted(o.kind for o in scene.objects.values())
    assert kinds == ["image", "points"]


@pytest.mark.parametrize("values,expected_range,linear", [
    (np.array([[0.0, 0.5, 1.0]], np.float32), (0.0, 1.0), False),           # floats in [0, 1]
    (np.array([[0.0, 200.0]], np.float64), (0.0, 255.0), False),            # within [0, 255], any type
    (np.array([[3, 900]], np.uint16), (3.0, 900.0), False),                 # min..max (gray: never linear)
    (np.full((2, 2), 7.0, np.float32), (0.0, 255.0), False),
    (np.full((2, 2), -7.0, np.float32), (-8.0, -6.0), False),               # constant: value -1 .. value +1
    (np.array([[np.nan, -2.0, 4.0]], np.float32), (-2.0, 4.0), False),      # NaN ignored
    (np.array([[[-1.0, 0.0, 2.0]]], np.float32), (-1.0, 2.0), True),        # RGB outside: linear light
])
def test_value_range_follows_rerun(values, expected_range, linear):
    disp = display_array(values)
    assert disp.value_range == expected_range and disp.linear == linear
    assert disp.pixels.dtype in (np.uint16, np.float32)


def test_u8_pixels_go_through_without_copy():
    img = rr.Image(np.zeros((2, 3, 3), np.uint8), "BGR")
    disp = display_image(img.components["buffer"], img.components["format"])
    assert disp.value_range is None and disp.bgr and disp.pixels.shape == (2, 3, 3)


def test_yuv_limited_and_full_range():
    # NV12 (limited range): Y 16 is black, Y 235 white, U = V = 128 no color
    y = np.array([[16, 235], [16, 235]], np.uint8)
    rgb = pixel_formats.to_rgb(np.concatenate([y.ravel(), [128, 128]]).astype(np.uint8), 26, 2, 2)
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    # Y8 full range is gray as is; YUY2 with chroma: red-ish where V is high
    assert pixel_formats.to_rgb(np.array([0, 77, 128, 255], np.uint8), 30, 4, 1)[0, :, 0].tolist() == [0, 77, 128, 255]
    red = pixel_formats.to_rgb(np.array([81, 90, 81, 240], np.uint8), 27, 2, 1)
    assert red[0, 0, 0] > 200 and red[0, 0, 1] < 40 and red[0, 0, 2] < 40
    with pytest.raises(ValueError, match="too short"):
        pixel_formats.to_rgb(np.zeros(3, np.uint8), 26, 2, 2)


def test_segmentation_ids_for_display():
    seg = rr.SegmentationImage(np.array([[1.0, 2.0]]))
    assert segmentation_ids(seg.components["buffer"], seg.components["format"]).dtype == np.uint16
    rr.set_strict_mode(False)
    seg = rr.SegmentationImage(np.array([[1, -2]], np.int32))
    with pytest.raises(ValueError, match="outside 0..65535"):
        segmentation_ids(seg.components["buffer"], seg.components["format"])


def test_compress_and_pil():
    img = rr.Image(np.full((4, 4, 3), (10, 20, 30), np.uint8), "BGR")
    assert img.as_pil_image().getpixel((0, 0)) == (30, 20, 10)
    enc = img.compress(95)
    assert isinstance(enc, rr.EncodedImage) and enc.components["media_type"] == ["image/jpeg"]
    assert np.abs(decode(enc.components["blob"]).astype(int)[0, 0] - (30, 20, 10)).max() < 6
    rr.set_strict_mode(False)
    f = rr.Image(np.zeros((2, 2), np.float32))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert f.compress() is f
    assert "only u8 L, RGB and BGR" in str(caught[0].message)


def test_enums_match_rerun():
    rerun = pytest.importorskip("rerun")
    for name in ("ChannelDatatype", "ColorModel", "PixelFormat"):
        ours, theirs = getattr(rr, name), getattr(rerun, name)
        assert [(m.name, m.value) for m in ours] == [(m.name, m.value) for m in theirs]
    assert rr.ChannelDatatype.auto("f32") is rr.ChannelDatatype.F32 and str(rr.ChannelDatatype.U8) == "U8"
    assert rr.ChannelDatatype.from_np_dtype(np.dtype("float16")) is rr.ChannelDatatype.F16
    assert rr.ChannelDatatype.I16.to_np_dtype() is np.int16
    assert rr.ColorModel.auto("bgra").num_channels() == 4 and rr.PixelFormat.auto(26) is rr.PixelFormat.NV12
    with pytest.raises(ValueError, match="Cannot convert foo to PixelFormat"):
        rr.PixelFormat.auto("foo")


def _scene_of(*archetypes) -> object:
    rec = rr.RecordingStream("fuzz")
    sink = rec.memory_recording()
    for i, arch in enumerate(archetypes):
        rec.log(f"e{i}", arch, static=True)
    rec.flush()
    return SceneBuilder(sink.to_store()).build(None, None)


_DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "float32", "float64",
           "bool"]


@settings(max_examples=60, deadline=None)
@given(dtype=st.sampled_from(_DTYPES), shape=st.lists(st.integers(0, 5), min_size=1, max_size=4),
       model=st.sampled_from([None, "L", "RGB", "RGBA", "BGR", "BGRA"]), seed=st.integers(0, 2**16))
def test_any_array_is_recorded_or_refused_in_one_line_and_the_scene_never_breaks(dtype, shape, model, seed):
    """Non-strict: no exception into the caller; the scene draws the image or names a problem."""
    rr.set_strict_mode(False)
    values = np.random.default_rng(seed).normal(0, 1000, shape).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img = rr.Image(values, model)
        seg = rr.SegmentationImage(values)
        enc = rr.EncodedImage(contents=values.tobytes(), media_type="image/png")
        scene = _scene_of(img, seg, enc)
    assert all("\n" not in why for _, why in scene.problems)
    drawn = {o.entity for o in scene.objects.values()} | {p for p, _ in scene.problems}
    for i, arch in enumerate((img, seg, enc)):
        if arch.invalid is None and values.size:  # logged and not empty: drawn or one problem line
            assert f"/e{i}" in drawn, (i, arch, scene.problems)


def test_scene_draws_what_non_strict_mode_records(mem):
    """Forms rerun-sdk records and annoview's strict rules refuse still draw: extra per-instance
    values are not used, boxes without centers sit at the origin, centers alone draw nothing."""
    rr.set_strict_mode(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rr.log("pts", rr.Points2D([[1, 1]], radii=[1, 2, 3], colors=[[255, 0, 0], [0, 255, 0]], labels=["a", "b"],
                                  class_ids=[1, 2]), static=True)
        rr.log("boxes", rr.Boxes2D(sizes=[[2, 2]], radii=[1, 2], labels=["x", "y"]), static=True)
        rr.log("boxes_many", rr.Boxes2D(centers=[[1, 2], [3, 4]], half_sizes=[[2, 2]]), static=True)
        rr.log("centers_only", rr.Boxes2D(centers=[[1, 2]]), static=True)
        rr.log("strips", rr.LineStrips2D([(-1, 1), (1, -1)], colors=[[1, 2, 3], [4, 5, 6]]), static=True)
    scene = SceneBuilder(store_of(mem)).build(None, None)
    assert scene.problems == []
    kinds = {(o.entity, o.kind) for o in scene.objects.values()}
    assert {("/pts", "points"), ("/boxes", "boxes"), ("/boxes_many", "boxes"), ("/strips", "lines")} <= kinds
    assert not any(e == "/centers_only" for e, _ in kinds)
    boxes = [v for v in scene.visuals_2d if type(v).__name__ == "BoxesVisual"]
    assert sorted(len(b.mins) for b in boxes) == [1, 2]


def test_enum_batches_match_rerun():
    pytest.importorskip("rerun")
    import importlib

    rd = importlib.import_module("rerun.datatypes")
    cases = [("ChannelDatatype", ["u8", "F32"]), ("ColorModel", ["RGB", "bgra"]),
             ("PixelFormat", ["NV12", "Y_U_V12_LimitedRange", "BayerRGGB8"])]
    for name, values in cases:
        ours = getattr(rr.datatypes, f"{name}Batch")([getattr(rr, name).auto(v) for v in values]).as_arrow_array()
        theirs = getattr(rd, f"{name}Batch")([getattr(rd, name).auto(v) for v in values]).as_arrow_array()
        assert ours.type == theirs.type and ours.to_pylist() == theirs.to_pylist(), name
    # the enums' tables and classes agree
    from annoview.types.rerun_schema import ENUMS
    for name in ("ChannelDatatype", "ColorModel", "PixelFormat"):
        assert ENUMS[name] == [(m.name, m.value) for m in getattr(rr, name)]
