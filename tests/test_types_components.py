"""Rerun archetypes annoview records as components (types/generic.py): the same columns, Arrow
types and values as rerun-sdk writes, through .avr, .rrd import and `convert` export."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import annoview as rr
from annoview.io import load_chunks
from annoview.store import Store

SCRIPTS = Path(__file__).parent / "compat_types"
HAS_RERUN = importlib.util.find_spec("rerun") is not None
needs_rerun = pytest.mark.skipif(not HAS_RERUN, reason="rerun-sdk not installed (extra 'rerun')")


def run_script(script: Path, out: Path, sdk: str) -> None:
    source = script.read_text()
    if sdk != "annoview":
        source = source.replace("import annoview as rr", f"import {sdk} as rr")
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", source, str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]


def columns(path: Path) -> dict[tuple[str, str], tuple[pa.DataType, list]]:
    """(entity, component) -> (Arrow type, every row's cell as Python values in row-id order)."""
    chunks = [c for c in load_chunks(str(path)) if not c.entity_path.startswith("/__")]
    out: dict[tuple[str, str], list] = {}
    types: dict[tuple[str, str], pa.DataType] = {}
    for c in sorted(chunks, key=lambda c: tuple(int(x) for x in c.row_ids()[0]) if c.num_rows else (0, 0)):
        for name in c.component_names:
            key = (c.entity_path, name)
            col = c.batch.column(name)
            types[key] = col.type
            out.setdefault(key, []).extend(col.to_pylist())
    return {k: (types[k], v) for k, v in out.items()}


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-5 * max(1.0, abs(a))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def assert_same_recording(script: Path, tmp_path: Path) -> dict:
    run_script(script, tmp_path / "a.avr", "annoview")
    run_script(script, tmp_path / "r.rrd", "rerun")
    ours, theirs = columns(tmp_path / "a.avr"), columns(tmp_path / "r.rrd")
    assert set(ours) == set(theirs), (set(ours) ^ set(theirs))
    for key in theirs:
        assert ours[key][0] == theirs[key][0], (key, ours[key][0], theirs[key][0])
        assert _close(ours[key][1], theirs[key][1]), (key, ours[key][1], theirs[key][1])
    return ours


@needs_rerun
def test_spatial_archetypes_record_what_rerun_records(tmp_path):
    ours = assert_same_recording(SCRIPTS / "spatial_extras.py", tmp_path)
    assert ("/world/a", "Transform3D:translation") in ours and ("/world/boxes", "Boxes3D:half_sizes") in ours


@needs_rerun
def test_other_archetypes_record_what_rerun_records(tmp_path):
    ours = assert_same_recording(SCRIPTS / "more_archetypes.py", tmp_path)
    assert ("/log", "TextLog:text") in ours and ("/plots/sin", "Scalars:scalars") in ours


@needs_rerun
def test_example_style_script_records_what_rerun_records(tmp_path):
    ours = assert_same_recording(SCRIPTS / "examples_style.py", tmp_path)
    assert ("/camera", "Pinhole:image_from_camera") in ours and ("/lattice", "GraphEdges:edges") in ours


def test_cells_follow_the_data_contract(tmp_path):
    out = tmp_path / "a.avr"
    run_script(SCRIPTS / "spatial_extras.py", out, "annoview")
    store = Store()
    store.add_chunks(load_chunks(str(out)))
    at = store.latest_at("/world/a", "frame", 2)
    assert at["Transform3D:translation"].value.dtype == np.float32
    assert at["Transform3D:translation"].value.tolist() == [[2, 2, 3]]
    assert at["Transform3D:quaternion"].value.shape == (1, 4)
    cam = store.latest_at("/world/cam", None, None)
    assert cam["Pinhole:image_from_camera"].value.tolist() == [[500, 0, 0, 0, 500, 0, 320, 240, 1]]
    assert cam["Pinhole:camera_xyz"].value.dtype == np.uint8 and cam["Pinhole:camera_xyz"].value.tolist() == [[3, 2, 5]]
    boxes = store.latest_at("/world/boxes", "frame", 1)
    assert boxes["Boxes3D:half_sizes"].value.tolist() == [[0.5, 1, 1.5], [1, 1, 1]]
    assert boxes["Boxes3D:class_ids"].value.tolist() == [1, 2]
    assert isinstance(boxes["Boxes3D:labels"].value, pa.Array) and boxes["Boxes3D:labels"].value.to_pylist() == ["a", "b"]
    rot = store.latest_at("/world/b", "frame", 1)["Transform3D:rotation_axis_angle"].value
    assert isinstance(rot, pa.StructArray) and abs(rot.to_pylist()[0]["angle"] - np.radians(30)) < 1e-6


def test_undrawn_archetypes_warn_once_per_kind(tmp_path):
    from annoview import unsupported

    unsupported._warned.clear()
    rec = rr.new_recording("warn")
    mem = rec.memory_recording()
    with pytest.warns(rr.AnnoviewWarning, match="annoview records Capsules3D but does not draw it yet") as caught:
        for _ in range(3):
            rec.log("a", rr.Capsules3D(lengths=[1.0], radii=[0.5]))
    assert sum("Capsules3D" in str(w.message) for w in caught) == 1
    rec.flush()
    store = Store()
    store.add_chunks(mem.chunks())
    assert store.component_counts("/a") == {"Capsules3D:lengths": 3, "Capsules3D:radii": 3}


def test_bad_field_is_dropped_in_non_strict_mode_and_raises_in_strict():
    with pytest.raises(rr.ValidationError, match="Boxes3D.half_sizes"):
        rr.Boxes3D(half_sizes=[1, 2])
    rr.set_strict_mode(False)
    try:
        with pytest.warns(rr.AnnoviewWarning, match="Boxes3D.colors"):
            b = rr.Boxes3D(half_sizes=[1, 2, 3], colors="not a color")
        assert set(b.components) == {"half_sizes"}
        with pytest.warns(rr.AnnoviewWarning, match="Arrows3D.vectors"):
            a = rr.Arrows3D(vectors="nope")
        assert a.invalid is not None
    finally:
        rr.set_strict_mode(True)


def test_rerun_call_signatures_are_kept():
    with pytest.raises(TypeError):
        rr.Arrows3D([[1, 0, 0]])  # keyword-only in Rerun
    with pytest.raises(TypeError):
        rr.Transform3D(translaton=[1, 2, 3])


def _rerun_file_columns(path: Path) -> dict[tuple[str, str], tuple[pa.DataType, list]]:
    """Like columns(), but read with rerun-sdk's own RrdReader (what the Rerun viewer sees)."""
    import rerun.chunk as rc

    reader = rc.RrdReader(str(path))
    rows: dict[tuple[str, str], list] = {}
    types: dict[tuple[str, str], pa.DataType] = {}
    for chunk in reader.stream(store=reader.recordings()[0]):
        if chunk.entity_path.startswith("/__"):
            continue
        batch = chunk.to_record_batch()
        ids = batch.column("rerun.controls.RowId").to_pylist()
        for f in batch.schema:
            if ":" in f.name and (f.metadata or {}).get(b"rerun:kind") == b"data":
                key = (chunk.entity_path, f.name)
                types[key] = f.type
                assert f.metadata[b"rerun:archetype"] == f"rerun.archetypes.{f.name.split(':')[0]}".encode()
                assert f.metadata[b"rerun:component_type"].startswith(b"rerun.components.")
                rows.setdefault(key, []).extend(zip(ids, batch.column(f.name).to_pylist()))
    return {k: (types[k], [v for _, v in sorted(rows[k], key=lambda r: r[0])]) for k in rows}


@needs_rerun
@pytest.mark.parametrize("script", ["spatial_extras.py", "more_archetypes.py"])
def test_convert_to_rrd_gives_rerun_the_same_components(script, tmp_path):
    """annoview -> .avr -> `annoview convert` -> .rrd, read by rerun-sdk, equals rerun-sdk's own file."""
    run_script(SCRIPTS / script, tmp_path / "a.avr", "annoview")
    run_script(SCRIPTS / script, tmp_path / "r.rrd", "rerun")
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "convert", str(tmp_path / "a.avr"),
                           str(tmp_path / "a.rrd")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours, theirs = _rerun_file_columns(tmp_path / "a.rrd"), _rerun_file_columns(tmp_path / "r.rrd")
    assert set(ours) == set(theirs), set(ours) ^ set(theirs)
    for key in theirs:
        assert ours[key][0] == theirs[key][0], key
        assert _close(ours[key][1], theirs[key][1]), (key, ours[key][1], theirs[key][1])


@needs_rerun
def test_rrd_import_keeps_generic_components_and_exports_them_back(tmp_path):
    """rerun-sdk's .rrd -> annoview .avr -> .rrd again: the components survive both trips."""
    run_script(SCRIPTS / "spatial_extras.py", tmp_path / "r.rrd", "rerun")
    for src, dst in (("r.rrd", "b.avr"), ("b.avr", "b.rrd")):
        proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "convert", str(tmp_path / src),
                               str(tmp_path / dst)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert columns(tmp_path / "b.avr").keys() == columns(tmp_path / "r.rrd").keys()
    store = Store()  # the data contract holds for cells read from Rerun's own file too
    store.add_chunks(load_chunks(str(tmp_path / "r.rrd")))
    cell = store.latest_at("/world/a", "frame", 2)["Transform3D:translation"].value
    assert cell.dtype == np.float32 and cell.tolist() == [[2, 2, 3]]
    assert store.latest_at("/world/cam", None, None)["Pinhole:camera_xyz"].value.tolist() == [[3, 2, 5]]
    info = subprocess.run([sys.executable, "-m", "annoview.app.cli", "info", str(tmp_path / "r.rrd")],
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    assert "Transform3D:translation  Translation3D  3 rows  last: [2, 2, 3]" in info.stdout
    before, after = _rerun_file_columns(tmp_path / "r.rrd"), _rerun_file_columns(tmp_path / "b.rrd")
    assert before.keys() == after.keys()
    assert all(before[k][0] == after[k][0] and _close(before[k][1], after[k][1]) for k in before)


def test_hostile_generic_column_is_refused_with_one_line(tmp_path):
    """A CRC-correct .avr frame whose list offsets point past its values: a recovery warning naming
    the invalid Arrow data, the chunks before it kept, no crash."""
    import warnings

    from annoview.chunk import build_chunk
    from annoview.errors import RecordingRecoveryWarning
    from annoview.io.avr import AvrWriter, read_avr
    from annoview.types.kinds import Kind

    good = build_chunk("/ok", True, np.array([1], np.uint64), np.array([1], np.uint64), {},
                       {"Transform3D:translation": (Kind.ARROW, [rr.Transform3D(translation=[1, 2, 3]).components["translation"]])})
    scalars = build_chunk("/bad", True, np.array([2], np.uint64), np.array([2], np.uint64), {},
                          {"Scalars:scalars": (Kind.ARROW, [rr.Scalars(np.arange(37.0)).components["scalars"]])})
    ipc = scalars.to_ipc()
    marker = np.array([0, 37], np.int32).tobytes()  # the list offsets of the one row
    at = ipc.rfind(marker)  # the offsets buffer follows the message metadata
    hostile = ipc[:at] + np.array([0, 100000], np.int32).tobytes() + ipc[at + len(marker):]
    bad_batch = pa.ipc.open_stream(pa.py_buffer(hostile)).read_next_batch()  # IPC reading does not validate
    from annoview.chunk import Chunk

    with AvrWriter(tmp_path / "h.avr") as w:
        w.write_chunk(good)
        w.write_chunk(Chunk("/bad", True, bad_batch))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = list(read_avr(tmp_path / "h.avr"))
    assert [c.component_names for c in chunks] == [["Transform3D:translation"]]
    msgs = [str(w.message) for w in caught if issubclass(w.category, RecordingRecoveryWarning)]
    assert len(msgs) == 1 and "invalid Arrow" in msgs[0] and "\n" not in msgs[0]


def test_info_lists_generic_components_with_newest_values(tmp_path):
    out = tmp_path / "a.avr"
    run_script(SCRIPTS / "more_archetypes.py", out, "annoview")
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "info", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    section = text[text.index("other Rerun components"):]
    assert "  /log\n" in section
    assert "TextLog:text  Text  3 rows  last: 'frame 2'" in section
    assert "TextLog:level  TextLogLevel  3 rows  last: 'WARN'" in section
    assert "Scalars:scalars  Scalar  3 rows  last: 0.9093" in section
    assert "Cylinders3D:fill_mode  FillMode  1 row  last: Solid" in section
    assert "Mesh3D:vertex_colors  Color  1 row  last: [#ff0000ff, #00ff00ff, #0000ffff]" in section
    assert "Tensor:data  TensorData  1 row  last: <tensor 2x3x4 ['a', 'b', 'c']>" in section
    assert "Asset3D:blob  Blob  1 row  last: <blob 8 bytes>" in section


def test_inspector_rows_show_raw_values_at_the_cursor(tmp_path):
    from annoview.app.viewer.panels.inspector import recorded_component_rows

    out = tmp_path / "a.avr"
    run_script(SCRIPTS / "spatial_extras.py", out, "annoview")
    store = Store()
    store.add_chunks(load_chunks(str(out)))
    rows = dict(recorded_component_rows(store, "/world/b", "frame", 1))
    assert rows["Transform3D:translation"] == "[1, 2, 3]"
    assert rows["Transform3D:scale"] == "[2, 2, 2]"
    assert rows["Transform3D:rotation_axis_angle"] == "{axis: [0, 0, 1], angle: 0.5236}"
    boxes = dict(recorded_component_rows(store, "/world/boxes", "frame", 0))
    assert boxes["Boxes3D:colors"] == "[#ff0000ff, #00ff00ff]" and boxes["Boxes3D:labels"] == "['a', 'b']"


def test_big_generic_cells_flush_by_size(monkeypatch):
    """A generic cell counts with its Arrow buffers toward the batcher's size limit."""
    from annoview.sdk import batcher

    monkeypatch.setattr(batcher, "MAX_BYTES", 1_000_000)
    rec = rr.new_recording("big")
    mem = rec.memory_recording()
    rec._batcher._interval = 3600.0  # no age-based flushing during the test: only the size limit
    blob = np.zeros(300_000, np.uint8)
    for i in range(8):
        rec.set_time("frame", sequence=i)
        rec.log("asset", rr.Asset3D(contents=blob, media_type="model/gltf-binary"))
    sizes = [c.num_rows for c in mem.chunks()]  # before any flush: only size-triggered chunks
    rec.flush()
    assert sizes == [4, 4], sizes  # 4 x 300 kB reach the 1 MB limit
    assert sum(c.num_rows for c in mem.chunks()) == 8


def test_any_arrow_type_is_stored_listed_and_shown(tmp_path):
    """Generic columns of unusual Arrow types (another producer's, or an .rrd's) survive .avr,
    the store, `info` and the inspector's short form without an error."""
    from annoview.chunk import build_chunk
    from annoview.io.avr import AvrWriter
    from annoview.types.display import short_value
    from annoview.types.kinds import Kind

    odd = {
        "Odd:dict": pa.array(["a", "b", "a"]).dictionary_encode(),
        "Odd:map": pa.array([[("k", 1)]], type=pa.map_(pa.utf8(), pa.int32())),
        "Odd:union": pa.UnionArray.from_sparse(pa.array([0, 1], pa.int8()), [pa.array([1, 2]), pa.array(["x", "y"])]),
        "Odd:nested": pa.array([[[1, 2], [3]]]),
        "Odd:null": pa.nulls(3),
        "Odd:ts": pa.array([1, 2], pa.timestamp("ns")),
        "Odd:fslnull": pa.array([[1.0, None]], pa.list_(pa.float32(), 2)),
        "Odd:struct": pa.array([{"a": 1, "b": None}]),
        "Odd:f16": pa.array(np.array([1.5], np.float16)),
    }
    path = tmp_path / "odd.avr"
    with AvrWriter(path) as w:
        for i, (name, arr) in enumerate(odd.items()):
            w.write_chunk(build_chunk(f"/odd/{i}", True, np.array([i + 1], np.uint64), np.array([1], np.uint64), {},
                                      {name: (Kind.ARROW, [arr])}))
    store = Store()
    store.add_chunks(load_chunks(str(path)))
    shown = {k: short_value(ref.value) for p in store.entity_paths() for k, ref in store.latest_at(p, None, None).items()}
    assert set(shown) == set(odd)
    assert shown["Odd:dict"] == "['a', 'b', 'a']" and shown["Odd:ts"] == "<2 × timestamp[ns]>"
    assert shown["Odd:fslnull"] == "[1, nan]" and shown["Odd:struct"] == "{a: 1, b: None}"
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "info", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "Odd:union" in proc.stdout, proc.stderr


def test_view_coordinate_constants_are_loggable_and_values():
    rec = rr.new_recording("vc")
    mem = rec.memory_recording()
    rec.log("w", rr.components.ViewCoordinates.RDF, static=True)
    rec.log("cam", rr.Pinhole(focal_length=1, width=2, height=2, camera_xyz=rr.components.ViewCoordinates.RUB),
            static=True)
    rec.flush()
    store = Store()
    store.add_chunks(mem.chunks())
    assert store.latest_at("/w", None, None)["ViewCoordinates:xyz"].value.tolist() == [[3, 2, 5]]
    assert store.latest_at("/cam", None, None)["Pinhole:camera_xyz"].value.tolist() == [[3, 1, 6]]
    assert rr.components.ViewCoordinatesBatch(rr.ViewCoordinates.FLU).as_arrow_array().to_pylist() == [[5, 4, 1]]
