"""Rerun `.rrd` import/export against the real rerun-sdk (the optional `rerun` extra).

The same scene function is logged twice: with rerun-sdk in a subprocess (a real Rerun script,
`import rerun as rr`) and with annoview's SDK in this process. Reading the .rrd must give the
same store values, the same resolved colors and labels, and survive .rrd -> .avr -> .rrd.
"""
from __future__ import annotations

import inspect
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import annoview as rr
from annoview.annotations import context_from_cell, find_context_entity, resolve_instances, skeleton_segments
from annoview.app import cli
from annoview.errors import RecordingFormatError
from annoview.store import Store

EXTRA_MISSING = "rerun-sdk is not installed: the optional extra annoview[rerun] is missing"
CONTEXT = "AnnotationContext:context"
FRAMES = range(-1, 7)
# (component holding the instances, how to count them) per archetype with instances
INSTANCES = {"Points2D": "positions", "Points3D": "positions", "Boxes2D": "centers", "LineStrips2D": "strips"}


def log_scene(rr, np):
    """One scene in Rerun's Python API; runs unchanged with `import rerun as rr` and `import annoview as rr`."""
    rr.log("/", rr.AnnotationContext([
        rr.ClassDescription(info=rr.AnnotationInfo(id=1, label="person", color=(255, 0, 0)),
                            keypoint_annotations=[rr.AnnotationInfo(id=0, label="nose", color=(0, 255, 0)),
                                                  rr.AnnotationInfo(id=1, label="eye")],
                            keypoint_connections=[(0, 1), (1, 2)]),
        rr.AnnotationInfo(id=2, label="car", color=(0, 0, 255)),
        (3, "tree"),
    ]), static=True)
    rr.log("extra", rr.AnnotationContext([(5, "first", (1, 1, 1))]), static=True)
    rr.log("extra", rr.AnnotationContext([(5, "second", (2, 2, 2))]), static=True)  # the last static row wins
    rng = np.random.default_rng(3)
    for frame in range(6):
        rr.set_time("frame", sequence=frame)
        if frame == 4:
            rr.log("world", rr.AnnotationContext([(1, "dog", (0, 255, 255)), (7, "cat")]))
        rr.log("world/people", rr.Points2D([[10, 20 + frame], [30, 40], [50, 60]], class_ids=1,
                                           keypoint_ids=[0, 1, 2], labels=["a"], radii=2.5))
        rr.log("world/points3d", rr.Points3D(rng.random((4, 3)).astype(np.float32), class_ids=[2, 3, 7, 1],
                                             colors=[(9, 8, 7)] if frame % 2 else None))
        rr.log("world/boxes", rr.Boxes2D(mins=[[0, 0], [10, 10]], sizes=[[4, 6], [2, 2]], labels=["box", "b2"],
                                         class_ids=[2, 9], draw_order=12))
        rr.log("world/lines", rr.LineStrips2D([[[0, 0], [1, 1], [2, 0]], [[5, 5], [6, 6]]], class_ids=[3], radii=0.5))
        rr.log("world/seg8", rr.SegmentationImage(rng.integers(0, 10, (6, 8)).astype(np.uint8), opacity=0.5))
        rr.log("world/seg16", rr.SegmentationImage(rng.integers(0, 60000, (5, 7)).astype(np.uint16)))
        rr.log("world/image", rr.Image(rng.integers(0, 255, (6, 8, 3)).astype(np.uint8)))
    rr.log("extra/pts", rr.Points2D([[1, 1], [2, 2]], class_ids=[5, 6]))


def _rerun_script(scene: Path, killed: Path) -> str:
    """scene.rrd: the scene plus Rerun-only data annoview must keep (AnyValues, a custom
    archetype, duration and timestamp timelines); killed.rrd: a file whose writer died before
    writing the footer."""
    return textwrap.dedent("""
        import os
        import numpy as np
        import rerun as rr
    """) + inspect.getsource(log_scene) + textwrap.dedent(f"""
        rr.init("rrd-test", recording_id="rec-1")
        rr.save({str(scene)!r})
        log_scene(rr, np)
        rr.set_time("elapsed", duration=1.5)
        rr.set_time("wall", timestamp=1.7e9)
        rr.log("rerun_only/any", rr.AnyValues(foo=[1, 2, 3]))
        rr.log("rerun_only/custom", rr.DynamicArchetype("MyThing", components={{"speed": [1.5, 2.5]}}))
        rr.disconnect()
        rec = rr.RecordingStream("killed-app", recording_id="killed-rec")
        rec.save({str(killed)!r})
        rec.set_time("frame", sequence=1)
        rec.log("a", rr.Points2D([[1, 2]], class_ids=[4]))
        rec.flush()
        os._exit(0)
    """)


@pytest.fixture(scope="module")
def rerun_files(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("rerun", reason=EXTRA_MISSING)
    d = tmp_path_factory.mktemp("rrd")
    files = {"scene": d / "scene.rrd", "killed": d / "killed.rrd"}
    proc = subprocess.run([sys.executable, "-c", _rerun_script(files["scene"], files["killed"])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return files


def _read_store(path: Path) -> Store:
    from annoview.io.rrd import read_rrd

    store = Store()
    store.add_chunks(read_rrd(path))
    return store


@pytest.fixture(scope="module")
def rerun_store(rerun_files) -> Store:
    return _read_store(rerun_files["scene"])


@pytest.fixture
def annoview_store() -> Store:
    rr.init("rrd-test", recording_id="rec-1")
    mem = rr.memory_recording()
    log_scene(rr, np)
    rr.flush()
    store = mem.to_store()
    rr.get_global_data_recording().close()
    return store


def _equal(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and np.array_equal(a, b)
    return a == b


def _comparable(component: str, value):
    # Both SDKs write the same image format structs (Rerun leaves a segmentation image's
    # color_model null, and so does annoview), so values compare as they are.
    return value


def _scene_entities(store: Store) -> list[str]:
    return [p for p in store.entity_paths() if p != "/__properties" and not p.startswith("/rerun_only")]


# ---------------------------------------------------------------------------------------------


def test_same_values_as_annoview_sdk(rerun_store, annoview_store):
    assert _scene_entities(rerun_store) == annoview_store.entity_paths()
    for path in annoview_store.entity_paths():
        for t in FRAMES:
            want, got = annoview_store.latest_at(path, "frame", t), rerun_store.latest_at(path, "frame", t)
            assert set(got) == set(want), (path, t)
            for comp, ref in want.items():
                a, b = _comparable(comp, ref.value), _comparable(comp, got[comp].value)
                assert _equal(a, b), (path, t, comp, a, b)
                assert (ref.time is None) == (got[comp].time is None)


def test_component_arrow_types_are_annoviews(rerun_store, annoview_store):
    ours = {(c.entity_path, f.name): f.type for c in annoview_store.chunks for f in c.batch.schema}
    for chunk in rerun_store.chunks:
        for f in chunk.batch.schema:
            if (chunk.entity_path, f.name) in ours:
                assert f.type == ours[(chunk.entity_path, f.name)], (chunk.entity_path, f.name)
            assert f.metadata is None or b"annoview:index" not in f.metadata or f.type == pa.int64()


def test_context_changes_at_frame_4_and_static_last_row_wins(rerun_store):
    assert CONTEXT not in rerun_store.latest_at("/world", "frame", 3)
    labels = [c["class_description"]["info"]["label"] for c in rerun_store.latest_at("/world", "frame", 4)[CONTEXT].value]
    assert labels == ["dog", "cat"]
    extra = rerun_store.latest_at("/extra", "frame", 0)[CONTEXT].value
    assert extra[0]["class_description"]["info"]["label"] == "second"
    # the same holds with no timeline at all (static only)
    assert rerun_store.latest_at("/extra", None, None)[CONTEXT].value[0]["class_description"]["info"]["label"] == "second"


def _resolved(store: Store, path: str, t: int):
    cells = {k: v.value for k, v in store.latest_at(path, "frame", t).items()}
    arch = next((a for a in INSTANCES if f"{a}:{INSTANCES[a]}" in cells), None)
    if arch is None:
        return None
    has_ctx = lambda p: CONTEXT in store.latest_at(p, "frame", t)  # noqa: E731
    owner = find_context_entity(path, has_ctx)
    ctx = None
    if owner is not None:
        ref = store.latest_at(owner, "frame", t)[CONTEXT]
        ctx = context_from_cell(ref.value, ref.row_key)
    n = len(cells[f"{arch}:{INSTANCES[arch]}"])
    res = resolve_instances(ctx, n, class_ids=cells.get(f"{arch}:class_ids"), keypoint_ids=cells.get(f"{arch}:keypoint_ids"),
                            colors=cells.get(f"{arch}:colors"), labels=cells.get(f"{arch}:labels"), entity_path=path)
    segs = skeleton_segments(ctx, cells.get(f"{arch}:class_ids"), cells.get(f"{arch}:keypoint_ids"), n)
    return owner, res, segs


def test_resolved_colors_and_labels_equal(rerun_store, annoview_store):
    checked = 0
    for path in annoview_store.entity_paths():
        for t in FRAMES:
            want, got = _resolved(annoview_store, path, t), _resolved(rerun_store, path, t)
            assert (want is None) == (got is None), (path, t)
            if want is None:
                continue
            assert got[0] == want[0], (path, t)
            np.testing.assert_array_equal(got[1].colors, want[1].colors, err_msg=f"{path} @ {t}")
            assert got[1].labels == want[1].labels and got[1].shared_label == want[1].shared_label
            for a, b in zip(got[2], want[2]):
                np.testing.assert_array_equal(a, b)
            checked += 1
    assert checked > 20
    # spot check against the context: keypoint 0 of class 1 is green, keypoint 1 has no color
    _, res, segs = _resolved(rerun_store, "/world/people", 3)
    assert res.colors[0].tolist() == [0, 255, 0, 255] and res.colors[1].tolist() == [255, 0, 0, 255]
    # corrected rule 3: one explicit label for three keypoints is drawn once; no fallback to the class
    assert res.labels == ["a", None, None] and res.shared_label == "a" and len(segs[0]) == 2
    _, res, _ = _resolved(rerun_store, "/world/people", 4)  # the frame-4 context at /world: class 1 is a dog
    assert res.labels == ["a", None, None] and res.colors[1].tolist() == [0, 255, 255, 255]


def test_rows_sorted_timelines_and_kept_columns(rerun_store):
    for chunk in rerun_store.chunks:
        ids = chunk.row_ids()
        keys = [(int(h), int(lo)) for h, lo in ids]
        assert keys == sorted(keys)
    tls = rerun_store.timelines()
    assert (tls["frame"].kind, tls["frame"].min, tls["frame"].max) == ("sequence", 0, 5)
    assert tls["log_time"].kind == "timestamp"
    assert (tls["elapsed"].kind, tls["elapsed"].min) == ("duration", 1_500_000_000)
    assert (tls["wall"].kind, tls["wall"].min) == ("timestamp", 1_700_000_000_000_000_000)
    assert "RecordingInfo:start_time" in rerun_store.component_counts("/__properties")
    any_vals = rerun_store.latest_at("/rerun_only/any", "frame", 5)
    assert any_vals["AnyValues:foo"].value.tolist() == [1, 2, 3]
    custom = rerun_store.latest_at("/rerun_only/custom", "elapsed", 2_000_000_000)
    assert custom["MyThing:speed"].value.tolist() == [1.5, 2.5]


def test_file_without_footer_reads(rerun_files):
    store = _read_store(rerun_files["killed"])
    assert store.latest_at("/a", "frame", 1)["Points2D:class_ids"].value.tolist() == [4]


def _rerun_rows(path: Path) -> dict:
    """(entity, static, row id, column) -> (type, value, metadata) of every cell rerun-sdk reads."""
    from rerun.chunk import RrdReader

    out = {}
    for ch in RrdReader(str(path)).stream():
        rb = ch.to_record_batch()
        ids = rb.column(0).to_pylist()
        for f in rb.schema:
            if f.name == "rerun.controls.RowId":
                continue
            col = rb.column(f.name)
            if pa.types.is_timestamp(col.type) or pa.types.is_duration(col.type):
                col = col.cast(pa.int64())
            md = {k: v for k, v in (f.metadata or {}).items() if k != b"rerun:is_sorted"}
            for rid, value in zip(ids, col.to_pylist()):
                out[(ch.entity_path, ch.is_static, rid, f.name)] = (str(f.type), value, md)
    return out


def test_round_trip_rrd_avr_rrd(rerun_files, tmp_path, capsys):
    from rerun.chunk import RrdReader

    avr, back = tmp_path / "scene.avr", tmp_path / "back.rrd"
    assert cli.main(["convert", str(rerun_files["scene"]), str(avr), "--no-progress"]) == 0
    assert cli.main(["convert", str(avr), str(back)]) == 0
    assert "converted" in capsys.readouterr().out
    before, after = _rerun_rows(rerun_files["scene"]), _rerun_rows(back)
    assert before.keys() == after.keys()
    assert [k for k in before if before[k] != after[k]] == []
    entry = RrdReader(str(back)).recordings()[0]
    assert (entry.application_id, entry.recording_id) == ("rrd-test", "rec-1")


def test_annoview_recording_exports_as_rerun_writes_it(rerun_files, annoview_store, tmp_path):
    from annoview.io.rrd import write_rrd

    out = tmp_path / "from_annoview.rrd"
    assert write_rrd(annoview_store.chunks, out, "rrd-test", "rec-2") == len(annoview_store.chunks)
    rerun_types = {(k[0], k[3]): v[0] for k, v in _rerun_rows(rerun_files["scene"]).items()}
    ours = _rerun_rows(out)
    for (entity, _static, _rid, column), (typ, _value, md) in ours.items():
        assert rerun_types[(entity, column)] == typ, (entity, column)
        if column.count(":") == 1:
            assert md[b"rerun:component_type"] and md[b"rerun:archetype"].startswith(b"rerun.archetypes.")
    again = _read_store(out)
    for path in annoview_store.entity_paths():
        for t in FRAMES:
            want, got = annoview_store.latest_at(path, "frame", t), again.latest_at(path, "frame", t)
            assert set(want) == set(got)
            assert all(_equal(want[c].value, got[c].value) for c in want), (path, t)


def test_info_lists_rrd_entities(rerun_files, capsys):
    assert cli.main(["info", str(rerun_files["scene"])]) == 0
    out = capsys.readouterr().out
    for text in ("__properties  RecordingInfo", "application_id: rrd-test", "any  AnyValues x1", "custom  MyThing x1",
                 "people  Points2D x6", "elapsed (duration)", "class 1 'dog'"):
        assert text in out, text


def test_convert_progress_bar_and_errors(rerun_files, tmp_path, capsys):
    from annoview.app.convert_command import convert

    err = io.StringIO()
    chunks, rows = convert(str(rerun_files["scene"]), str(tmp_path / "p.avr"), progress=True, stderr=err)
    assert chunks > 0 and rows > 0 and "100%" in err.getvalue() and err.getvalue().endswith("\n")
    quiet = io.StringIO()
    convert(str(rerun_files["scene"]), str(tmp_path / "q.avr"), stderr=quiet)  # not a TTY: no bar
    assert quiet.getvalue() == ""
    bad = tmp_path / "bad.rrd"
    bad.write_bytes(b"not a rerun file")
    for argv in (["convert", str(bad), str(tmp_path / "x.avr")], ["convert", str(tmp_path / "p.avr"), str(tmp_path / "x.mp4")],
                 ["convert", str(tmp_path / "none.rrd"), str(tmp_path / "x.avr")], ["info", str(bad)]):
        assert cli.main(argv) == 1
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("annoview: error: "), lines
    assert not (tmp_path / "x.avr").exists()


def test_missing_extra_gives_one_line_error(tmp_path, monkeypatch, capsys):
    """Runs with or without rerun-sdk: the import is made to fail."""
    from annoview.io import load_chunks
    from annoview.io.rrd import READ_EXTRA_MESSAGE, read_rrd, write_rrd

    for name in ("rerun", "rerun.chunk"):
        monkeypatch.setitem(sys.modules, name, None)
    path = tmp_path / "x.rrd"
    path.write_bytes(b"\0" * 64)
    assert READ_EXTRA_MESSAGE == "reading .rrd files needs the optional extra: pip install 'annoview[rerun]'"
    for call in (lambda: read_rrd(path), lambda: load_chunks(path)):
        with pytest.raises(RecordingFormatError) as info:
            call()
        assert str(info.value) == READ_EXTRA_MESSAGE
    with pytest.raises(RecordingFormatError, match=r"writing \.rrd files needs the optional extra"):
        write_rrd([], tmp_path / "y.rrd", "a", "b")
    assert cli.main(["info", str(path)]) == 1
    assert capsys.readouterr().err == f"annoview: error: {READ_EXTRA_MESSAGE}\n"


def _rerun_like_batch() -> pa.RecordBatch:
    """A hand-made Rerun record batch (no rerun-sdk needed): rows out of order, a column whose
    name looks like ours but whose component type is not, a sparse timeline, a ':' timeline."""
    ids = np.array([[5, 2], [5, 1], [4, 9]], ">u8")
    row_ids = pa.Array.from_buffers(pa.binary(16), 3, [None, pa.py_buffer(ids.tobytes())])
    pos_type = pa.list_(pa.list_(pa.field("item", pa.float32(), nullable=False), 2))
    data = {b"rerun:kind": b"data"}
    fields = [
        pa.field("rerun.controls.RowId", pa.binary(16), False, {b"rerun:kind": b"control"}),
        pa.field("frame", pa.int64(), metadata={b"rerun:kind": b"index", b"rerun:index_name": b"frame"}),
        pa.field("cam:t", pa.duration("us"), metadata={b"rerun:kind": b"index", b"rerun:index_name": b"cam:t"}),
        pa.field("Points2D:positions", pos_type, metadata={**data, b"rerun:archetype": b"rerun.archetypes.Points2D",
                                                           b"rerun:component": b"Points2D:positions",
                                                           b"rerun:component_type": b"rerun.components.Position2D"}),
        pa.field("Points2D:class_ids", pa.list_(pa.uint16()), metadata={**data, b"rerun:archetype": b"my.Points2D",
                                                                       b"rerun:component": b"Points2D:class_ids",
                                                                       b"rerun:component_type": b"my.NotAClassId"}),
    ]
    arrays = [row_ids, pa.array([3, None, 1], pa.int64()), pa.array([1, 2, 3], pa.duration("us")),
              pa.array([[[0, 1]], [[2, 3]], [[4, 5]]], pos_type), pa.array([[7], [8], [9]], pa.list_(pa.uint16()))]
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, metadata={b"rerun:entity_path": b"/x"}))


def test_mapping_edge_cases_without_rerun():
    from annoview.io.rrd import chunk_to_rerun_batch, rerun_batch_to_chunks

    with pytest.warns(rr.AnnoviewWarning, match="renamed to 'rerun.cam.t'"):
        chunks = rerun_batch_to_chunks("/x", False, _rerun_like_batch())
    by_tls = {tuple(sorted(c.timelines)): c for c in chunks}
    assert set(by_tls) == {("frame", "rerun.cam.t"), ("rerun.cam.t",)}  # the row without a frame is split off
    full = by_tls[("frame", "rerun.cam.t")]
    assert [tuple(int(v) for v in r) for r in full.row_ids()] == [(4, 9), (5, 2)]  # sorted by row id
    assert full.times("frame").tolist() == [1, 3] and full.times("rerun.cam.t").tolist() == [3000, 1000]
    assert full.batch.schema.field("Points2D:positions").type == pa.list_(pa.list_(pa.float32(), 2))
    assert "Points2D:class_ids" not in full.component_names  # wrong component type: not ours ...
    assert full.column("rerun.Points2D:class_ids").cell(0).tolist() == [9]  # ... but kept, renamed
    back = chunk_to_rerun_batch(full)
    assert back.schema.names == ["rerun.controls.RowId", "frame", "cam:t", "Points2D:positions", "Points2D:class_ids"]
    assert back.schema.field("Points2D:class_ids").metadata[b"rerun:component_type"] == b"my.NotAClassId"
    assert back.schema.field("cam:t").type == pa.duration("ns")
    assert back.schema.field("Points2D:positions").type == _rerun_like_batch().schema.field("Points2D:positions").type


@pytest.mark.parametrize("frame", [3, 5])
def test_screenshot_of_rrd_equals_the_same_scene_logged_with_annoview(rerun_files, tmp_path, frame):
    """`annoview screenshot FILE.rrd` works and renders pixel for pixel what the same scene
    logged with annoview's SDK renders (colors and labels resolved the same way)."""
    from PIL import Image as PILImage

    avr = tmp_path / "scene.avr"
    rr.init("rrd-render")
    rr.save(avr)
    log_scene(rr, np)
    rr.disconnect()
    shots = {}
    for name, path in (("rrd", rerun_files["scene"]), ("avr", avr)):
        out = tmp_path / f"{name}.png"
        proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(path), "--out", str(out),
                               "--time", f"frame={frame}", "--size", "320x200"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        shots[name] = np.asarray(PILImage.open(out).convert("RGB"))
    assert (shots["rrd"] != (18, 18, 20)).any(-1).sum() > 1000  # the scene is there
    assert np.array_equal(shots["rrd"], shots["avr"])


def test_viewer_opens_rrd_headless(rerun_files, tmp_path):
    out = tmp_path / "ui.png"
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", str(rerun_files["scene"]), "--screenshot-to",
                           str(out), "--headless", "--window-size", "800x500", "--time", "frame=5"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
