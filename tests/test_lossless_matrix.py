"""Lossless: for every input form below, annoview records the same values as rerun-sdk 0.41.

One generated Rerun script logs every form (one entity per form, static) and runs twice, once
with `import rerun as rr` (writing an .rrd) and once with `import annoview as rr` in its default
non-strict mode (writing an .avr). Both files are read back through annoview's readers and every
entity's components are compared value by value. Two processes in all, however many forms.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from annoview.io import load_chunks
from annoview.store import Store

EXTRA_MISSING = "rerun-sdk is not installed: the optional extra annoview[rerun] is missing"

# name -> the archetype expression, as a Rerun user writes it (`rr`, `np`, `PIL` and the file
# paths PNG / JPG / BIN are in scope).
FORMS: dict[str, str] = {
    # Points2D / Points3D
    "points/list": "rr.Points2D([[0, 1], [2, 3]])",
    "points/flat": "rr.Points2D([1, 2, 3, 4])",
    "points/single": "rr.Points2D([1, 2])",
    "points/f64": "rr.Points2D(np.array([[0.5, 1.5]], np.float64))",
    "points/int32": "rr.Points2D(np.array([[1, 2]], np.int32))",
    "points/nan_inf": "rr.Points2D([[np.nan, 1], [2, np.inf]])",
    "points/empty": "rr.Points2D(np.zeros((0, 2)))",
    "points/long_radii": "rr.Points2D([[0, 0]], radii=[1, 2, 3])",
    "points/ui_radius": "rr.Points2D([[0, 0]], radii=-2)",
    "points/float_colors": "rr.Points2D([[0, 0], [1, 1]], colors=[[0.5, 0.2, 1.0], [2.5 / 255, 0.5 / 255, 1.5 / 255]])",
    "points/float_colors_out_of_range": "rr.Points2D([[0, 0]], colors=[[1.5, -0.2, 1.002, 3.3]])",
    "points/float_rgba": "rr.Points2D([[0, 0]], colors=(0.5, 0.5, 0.5, 0.5))",
    "points/f32_colors": "rr.Points2D([[0, 0]], colors=np.array([[0.1, 0.7, 0.9]], np.float32))",
    "points/packed": "rr.Points2D([[0, 0]], colors=0xFF0000FF)",
    "points/packed_list": "rr.Points2D([[0, 0], [1, 1]], colors=[0xFF0000FF, 0x00FF00FF])",
    "points/packed_u32": "rr.Points2D([[0, 0], [1, 1]], colors=np.array([0xFF0000FF, 5], np.uint32))",
    "points/int_channels": "rr.Points2D([[0, 0]], colors=[1, 2, 3])",
    "points/u8_rgba": "rr.Points2D([[0, 0]], colors=np.array([[1, 2, 3, 4]], np.uint8))",
    "points/ints_over_255": "rr.Points2D([[0, 0]], colors=[300, 2, 3])",
    "points/mixed_rgb_rgba": "rr.Points2D([[0, 0], [1, 1]], colors=[[1, 2, 3], [4, 5, 6, 7]])",
    "points/long_colors": "rr.Points2D([[0, 0]], colors=[[1, 2, 3], [4, 5, 6]])",
    "points/long_labels": "rr.Points2D([[0, 0]], labels=['a', 'b'])",
    "points/one_label": "rr.Points2D([[0, 0], [1, 1]], labels='one')",
    "points/class_scalar": "rr.Points2D([[0, 0]], class_ids=3)",
    "points/class_float": "rr.Points2D([[0, 0]], class_ids=[1.7])",
    "points/class_np": "rr.Points2D([[0, 0], [1, 1]], class_ids=np.array([1, 2], np.int64))",
    "points/long_class_ids": "rr.Points2D([[0, 0]], class_ids=[1, 2])",
    "points/keypoints_only": "rr.Points2D([[0, 0]], keypoint_ids=[3])",
    "points/show_labels_int": "rr.Points2D([[0, 0]], show_labels=1)",
    "points/draw_order": "rr.Points2D([[0, 0]], draw_order=5)",
    "points/list_of_arrays": "rr.Points2D([np.array([1, 2]), np.array([3, 4])], radii=np.array([0.5, 1.5]))",
    "points/np_labels": "rr.Points2D([[0, 0], [1, 1]], labels=np.array(['a', 'b']))",
    "points/np_scalar_class": "rr.Points2D([[0, 0]], class_ids=np.uint8(3), keypoint_ids=np.int64(2))",
    "points/tuple_colors": "rr.Points2D([[0, 0], [1, 1]], colors=[(255, 0, 0), (0, 255, 0, 128)])",
    "points/int64_colors": "rr.Points2D([[0, 0]], colors=np.array([[255, 0, 0]], np.int64))",
    "points/range_keypoints": "rr.Points2D(np.zeros((3, 2)), class_ids=1, keypoint_ids=range(3))",
    "points/empty_fields": "rr.Points2D([[0, 0]], radii=[], colors=[], labels=[], class_ids=[], keypoint_ids=[])",
    "points3d/flat": "rr.Points3D([1, 2, 3, 4, 5, 6])",
    "points3d/inf": "rr.Points3D([[np.inf, 1, 2]])",
    "points3d/point_shading": "rr.Points3D([[0, 0, 0]], point_shading='Flat')",
    "points3d/colors_radii": "rr.Points3D([[0, 0, 0], [1, 1, 1]], colors=[0.2, 0.4, 0.6], radii=[0.5, 1, 2])",
    # Boxes2D
    **{f"boxes/{fmt}": f"rr.Boxes2D(array=[[1, 2, 4, 8], [0.5, 1.5, 3.25, 7.75]], array_format=rr.Box2DFormat.{fmt})"
       for fmt in ("XYWH", "YXHW", "XYXY", "YXYX", "XCYCWH", "XCYCW2H2")},
    "boxes/one_flat_box": "rr.Boxes2D(array=[1, 2, 3, 4], array_format=rr.Box2DFormat.XYXY)",
    "boxes/mins_sizes": "rr.Boxes2D(mins=[[1, 2], [3, 4]], sizes=[[2, 2], [4, 6]])",
    "boxes/mins_one_size": "rr.Boxes2D(mins=[[1, 2], [3, 4]], sizes=[[2, 2]])",
    "boxes/mins_half_sizes": "rr.Boxes2D(mins=[[1, 2]], half_sizes=[[3, 4]])",
    "boxes/centers_one_half": "rr.Boxes2D(centers=[[1, 2], [3, 4]], half_sizes=[[2, 2]])",
    "boxes/one_center": "rr.Boxes2D(centers=[[1, 2]], half_sizes=[[2, 2], [1, 1]])",
    "boxes/sizes_only": "rr.Boxes2D(sizes=[[2, 2]])",
    "boxes/half_sizes_flat": "rr.Boxes2D(half_sizes=[1, 2])",
    "boxes/centers_only": "rr.Boxes2D(centers=[[1, 2]])",
    "boxes/negative": "rr.Boxes2D(sizes=[[-2, 2]])",
    "boxes/long_radii": "rr.Boxes2D(sizes=[[1, 2]], radii=[1, 2], labels=['a', 'b', 'c'])",
    "boxes/all_fields": ("rr.Boxes2D(centers=[[1, 1]], half_sizes=[[1, 1]], colors=[(255, 0, 0)], labels='x', "
                         "show_labels=False, draw_order=3, class_ids=[4], radii=0.5)"),
    # LineStrips2D / LineStrips3D
    "strips/tuples": "rr.LineStrips2D([(-1, 1), (1, -1)])",
    "strips/points_list": "rr.LineStrips2D([[0, 0], [1, 1], [2, 2]])",
    "strips/one_array": "rr.LineStrips2D(np.array([[0, 0], [1, 1], [2, 0]]))",
    "strips/list_of_arrays": "rr.LineStrips2D([np.array([[0, 0], [1, 1]]), np.array([[2, 2], [3, 3], [4, 4]])])",
    "strips/nested": "rr.LineStrips2D([[[0, 0], [1, 1]], [[2, 2], [3, 3]]])",
    "strips/ragged": "rr.LineStrips2D([[[0, 0], [1, 1]], [[2, 2], [3, 3], [5, 5]]])",
    "strips/array_3d": "rr.LineStrips2D(np.arange(12).reshape(2, 3, 2))",
    "strips/with_empty_strip": "rr.LineStrips2D([[[0, 0], [1, 1]], []])",
    "strips/empty": "rr.LineStrips2D([])",
    "strips/one_point": "rr.LineStrips2D([[[0, 0]]])",
    "strips/nan": "rr.LineStrips2D([[[0, np.nan], [1, 1]]])",
    "strips/long_colors": "rr.LineStrips2D([[[0, 0], [1, 1]]], colors=[[255, 0, 0], [0, 255, 0]], radii=[1, 2])",
    "strips/tuple_of_arrays": "rr.LineStrips2D((np.zeros((2, 2)), np.ones((3, 2))), colors=[(1, 2, 3)], labels=['s'])",
    "strips/int_array": "rr.LineStrips2D(np.array([[0, 0], [5, 5]], np.int32), class_ids=[2], draw_order=4)",
    "strips3d/one_array": "rr.LineStrips3D(np.arange(9, dtype=np.float64).reshape(3, 3), radii=0.1)",
    "strips3d/tuples": "rr.LineStrips3D([(0, 0, 0), (1, 1, 1)])",
    "strips3d/nested": "rr.LineStrips3D([[[0, 0, 0], [1, 1, 1]], [[2, 2, 2], [3, 3, 3]]])",
    "strips3d/array": "rr.LineStrips3D(np.arange(12).reshape(2, 2, 3))",
    # SegmentationImage
    "seg/u8": "rr.SegmentationImage(np.arange(6, dtype=np.uint8).reshape(2, 3))",
    "seg/u16": "rr.SegmentationImage(np.array([[1, 60000]], np.uint16), opacity=0.25, draw_order=2)",
    "seg/i32_negative": "rr.SegmentationImage(np.array([[1, -2]], np.int32))",
    "seg/i64_large": "rr.SegmentationImage(np.array([[1, 70000]], np.int64))",
    "seg/f64": "rr.SegmentationImage(np.array([[1.5, 2]]))",
    "seg/f16": "rr.SegmentationImage(np.zeros((2, 3), np.float16))",
    "seg/list": "rr.SegmentationImage([[1, 2], [3, 4]])",
    "seg/one_row": "rr.SegmentationImage(np.zeros((1, 5), np.uint8))",
    "seg/pil": "rr.SegmentationImage(PIL.Image.new('L', (3, 2), 4))",
    "seg/extra_axes": "rr.SegmentationImage(np.ones((1, 2, 3, 1), np.uint8))",
    # Image: channel types, color models, shapes
    **{f"image/{dt}": f"rr.Image(np.arange(6, dtype=np.{dt}).reshape(2, 3))"
       for dt in ("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "float32",
                  "float64")},
    "image/float_any_range": "rr.Image(np.array([[0, 5.0], [-3, 100]], np.float32))",
    "image/float_nan": "rr.Image(np.array([[np.nan, 1.0]], np.float32))",
    "image/rgb": "rr.Image(np.arange(18, dtype=np.uint8).reshape(2, 3, 3))",
    "image/rgba_f32": "rr.Image(np.linspace(0, 1, 24, dtype=np.float32).reshape(2, 3, 4))",
    "image/bgr_str": "rr.Image(np.arange(18, dtype=np.uint8).reshape(2, 3, 3), color_model='BGR')",
    "image/bgr_enum": "rr.Image(np.arange(18, dtype=np.uint8).reshape(2, 3, 3), rr.ColorModel.BGR)",
    "image/bgra": "rr.Image(np.arange(24, dtype=np.uint8).reshape(2, 3, 4), 'bgra')",
    "image/rgb_u16": "rr.Image(np.arange(18, dtype=np.uint16).reshape(2, 3, 3) * 1000)",
    "image/hw1": "rr.Image(np.ones((2, 3, 1), np.uint8))",
    "image/leading_axis": "rr.Image(np.ones((1, 2, 3, 3), np.uint8))",
    "image/one_row": "rr.Image(np.zeros((1, 5), np.uint8))",
    "image/list": "rr.Image([[1, 2], [3, 4]])",
    "image/fortran_order": "rr.Image(np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3)))",
    "image/strided": "rr.Image(np.arange(96, dtype=np.uint8).reshape(4, 8, 3)[::2, ::2])",
    "image/keyword": "rr.Image(image=np.zeros((2, 3, 4), np.float32), color_model='RGBA')",
    "image/pil_rgba": "rr.Image(PIL.Image.new('RGBA', (3, 2), (1, 2, 3, 4)))",
    "image/pil_gray16": "rr.Image(PIL.Image.new('I;16', (3, 2), 300))",
    "image/pil": "rr.Image(PIL.Image.new('RGB', (3, 2), (10, 20, 30)))",
    "image/model_mismatch": "rr.Image(np.zeros((2, 3), np.uint8), 'RGB')",
    "image/two_channels": "rr.Image(np.ones((2, 3, 2), np.uint8))",
    "image/bool": "rr.Image(np.ones((2, 3), bool))",
    "image/datatype_ignored": "rr.Image(np.zeros((2, 3), np.uint8), datatype='u16')",
    "image/pixel_format_ignored": "rr.Image(np.zeros((9, 4), np.uint8), pixel_format='NV12')",
    "image/opacity_draw_order": "rr.Image(np.zeros((2, 3), np.uint8), opacity=0.5, draw_order=3)",
    "image/opacity_above_1": "rr.Image(np.zeros((2, 3), np.uint8), opacity=2.0)",
    "image/magnification": "rr.Image(np.zeros((2, 3), np.uint8), magnification_filter='Linear')",
    "image/empty": "rr.Image(np.zeros((0, 3), np.uint8))",
    # Image from bytes
    "image/nv12_enum": "rr.Image(bytes=bytes(range(36)), width=4, height=6, pixel_format=rr.PixelFormat.NV12)",
    "image/yuy2_str": "rr.Image(bytes=bytes(range(48)), width=4, height=6, pixel_format='YUY2')",
    "image/bayer": "rr.Image(bytes=bytes(range(16)), width=4, height=4, pixel_format=rr.PixelFormat.BayerRGGB8)",
    "image/bytes_rgb": "rr.Image(bytes=bytes(range(18)), width=3, height=2, color_model='RGB', datatype='u8')",
    "image/bytes_np_dtype": "rr.Image(bytes=bytes(24), width=3, height=2, color_model='L', datatype=np.float32)",
    "image/bytes_dtype_enum": "rr.Image(bytes=bytes(12), width=3, height=2, color_model=rr.ColorModel.L, datatype=rr.ChannelDatatype.U16)",
    "image/bytes_int_codes": "rr.Image(bytes=bytes(6), width=3, height=2, color_model=1, datatype=6)",
    "image/bytes_from_array": "rr.Image(bytes=np.arange(3, dtype=np.uint16), width=3, height=1, color_model='L', datatype='u16')",
    "image/bytes_too_few": "rr.Image(bytes=bytes(5), width=3, height=2, color_model='L', datatype='u8')",
    # EncodedImage
    "encoded/contents": "rr.EncodedImage(contents=open(PNG, 'rb').read(), media_type='image/png')",
    "encoded/path_png": "rr.EncodedImage(path=PNG, opacity=0.5, draw_order=4)",
    "encoded/path_jpg": "rr.EncodedImage(path=JPG)",
    "encoded/path_unknown_suffix": "rr.EncodedImage(path=BIN)",
    "encoded/other_media_type": "rr.EncodedImage(contents=b'abc', media_type='image/x-custom')",
    "encoded/compress": "rr.Image(np.full((8, 8, 3), (200, 100, 50), np.uint8)).compress(90)",
    "encoded/compress_gray": "rr.Image(np.full((8, 8), 77, np.uint8)).compress()",
    "encoded/compress_refused": "rr.Image(np.zeros((2, 3), np.float32)).compress()",
    # AnnotationContext
    "context/tuples": "rr.AnnotationContext([(1, 'car', (255, 0, 0)), (2, 'person')])",
    "context/float_color": "rr.AnnotationContext([rr.AnnotationInfo(id=1, label='a', color=(0.5, 0.25, 1.0))])",
    "context/description": ("rr.AnnotationContext([rr.ClassDescription(info=(1, 'p'), keypoint_annotations=[(0, 'nose')], "
                            "keypoint_connections=[(0, 1)])])"),
    "context/numpy_parts": ("rr.AnnotationContext([rr.ClassDescription(info=rr.AnnotationInfo(id=np.int64(1), label='p', "
                            "color=np.array([1, 2, 3], np.uint8)), keypoint_connections=np.array([[0, 1], [1, 2]]))])"),
    "context/number_label": "rr.AnnotationContext([rr.AnnotationInfo(id=1, label=5), (2, 7)])",
    "context/empty": "rr.AnnotationContext([])",
    "context/info_objects": "rr.AnnotationContext([rr.AnnotationInfo(1, 'a'), rr.AnnotationInfo(2, 'b', (9, 8, 7, 6))])",
    "context/one_description": "rr.AnnotationContext(rr.ClassDescription(info=(1, 'p'), keypoint_connections=[[0, 1], [1, 2]]))",
}


def _script(sdk: str, out: Path, files: dict[str, Path]) -> str:
    head = textwrap.dedent(f"""
        import warnings
        import numpy as np
        import PIL.Image
        import {sdk} as rr
        warnings.simplefilter("ignore")
        PNG, JPG, BIN = {str(files['png'])!r}, {str(files['jpg'])!r}, {str(files['bin'])!r}
        rr.init("lossless", recording_id="lossless")
        rr.save({str(out)!r})
    """)
    body = "".join(f"rr.log({('forms/' + name)!r}, {expr}, static=True)\n" for name, expr in FORMS.items())
    return head + body + "rr.disconnect()\n"


def _image_files(d: Path) -> dict[str, Path]:
    from PIL import Image as PILImage

    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[:, :3] = (255, 0, 0)
    rgb[:, 3:] = (0, 0, 255)
    files = {"png": d / "a.png", "jpg": d / "a.jpg", "bin": d / "a.bin"}
    PILImage.fromarray(rgb).save(files["png"])
    PILImage.fromarray(rgb).save(files["jpg"], quality=95)
    buf = io.BytesIO()
    PILImage.fromarray(rgb).save(buf, "PNG")
    files["bin"].write_bytes(buf.getvalue())
    return files


def _run(script: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANNOVIEW_STRICT"}  # the default, non-strict mode
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, Path]:
    """(rerun-sdk's .rrd, annoview's .avr) of the same script."""
    pytest.importorskip("rerun", reason=EXTRA_MISSING)
    d = tmp_path_factory.mktemp("lossless")
    files = _image_files(d)
    rrd, avr = d / "rerun.rrd", d / "annoview.avr"
    _run(_script("rerun", rrd, files))
    _run(_script("annoview", avr, files))
    return rrd, avr


@pytest.fixture(scope="module")
def stores(recorded) -> tuple[Store, Store]:
    out = []
    for path in recorded:
        store = Store()
        store.add_chunks(load_chunks(path))
        out.append(store)
    return out[0], out[1]


def _equal(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return a == b


@pytest.mark.parametrize("name", list(FORMS))
def test_records_what_rerun_records(stores, name):
    rerun_store, annoview_store = stores
    path = f"/forms/{name}"
    want = {k: ref.value for k, ref in rerun_store.latest_at(path, None, None).items()}
    got = {k: ref.value for k, ref in annoview_store.latest_at(path, None, None).items()}
    assert set(got) == set(want), f"{FORMS[name]}: components {sorted(got)} != rerun's {sorted(want)}"
    for comp, value in want.items():
        assert _equal(got[comp], value), f"{FORMS[name]}: {comp}: {got[comp]!r:.300} != rerun's {value!r:.300}"


def test_every_form_was_recorded_by_rerun(stores):
    """The matrix compares something for each form (a form rerun-sdk refuses belongs elsewhere)."""
    rerun_store, _ = stores
    missing = [n for n in FORMS if not rerun_store.latest_at(f"/forms/{n}", None, None)]
    assert missing == []


def _rerun_columns(path: Path) -> dict[tuple[str, str], tuple[str, bytes | None]]:
    """(entity, column) -> (Arrow type, rerun:component_type) of every component column, as
    rerun-sdk's own reader sees the file."""
    import rerun.chunk as rr_chunk

    reader = rr_chunk.RrdReader(str(path))
    out = {}
    for chunk in reader.stream(store=reader.recordings()[0]):
        batch = chunk.to_record_batch()
        for f in batch.schema:
            md = f.metadata or {}
            if md.get(b"rerun:kind") == b"data":
                out[(chunk.entity_path, f.name)] = (str(f.type), md.get(b"rerun:component_type"))
    return out


def test_exported_rrd_has_reruns_columns_and_types(recorded, stores, tmp_path):
    """annoview's recording exported to .rrd: every form's columns have the Arrow type and the
    component type rerun-sdk writes (read back with rerun-sdk's RrdReader)."""
    from annoview.io.rrd import write_rrd

    _, annoview_store = stores
    exported = tmp_path / "annoview.rrd"
    write_rrd(annoview_store.chunks, exported, "lossless", "lossless")
    ours = _rerun_columns(exported)
    theirs = {k: v for k, v in _rerun_columns(recorded[0]).items() if k[0].startswith("/forms/")}
    assert {k for k in ours if k[0].startswith("/forms/")} == set(theirs)
    for key, (arrow_type, component_type) in theirs.items():
        assert ours[key] == (arrow_type, component_type), key
