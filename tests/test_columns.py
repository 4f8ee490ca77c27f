"""rr.send_columns, TimeColumn, Archetype.columns/partition, ComponentColumn, from_fields/cleared:
one chunk per call, and the same data rerun-sdk records for the same calls."""
from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import annoview as rr
from conftest import store_of
from recorded import chunk_counts, recorded

COMPAT = Path(__file__).parent / "compat"
HAVE_RERUN = importlib.util.find_spec("rerun") is not None


def test_one_chunk_per_call_with_partitioned_rows(mem):
    pos = np.arange(30, dtype=np.float32).reshape(10, 3)
    rr.send_columns("pts", indexes=[rr.TimeColumn("step", sequence=[0, 1, 2, 3])],
                    columns=rr.Points3D.columns(positions=pos, radii=np.ones(10)).partition([1, 2, 3, 4]))
    rr.flush()
    chunks = [c for c in mem.chunks() if c.entity_path == "/pts"]
    assert len(chunks) == 1
    (chunk,) = chunks
    assert chunk.num_rows == 4 and set(chunk.timelines) == {"step"}  # no log_time, no time context
    assert chunk.batch.column("Points3D:positions").type == pa.list_(pa.list_(pa.float32(), 3))
    store = store_of(mem)
    at2 = store.latest_at("/pts", "step", 2)["Points3D:positions"].value
    assert at2.tolist() == pos[3:6].tolist()
    ids = chunk.row_ids()
    assert (np.diff(ids[:, 1].astype(np.int64)) == 1).all()  # increasing, unique row ids


def test_time_column_forms():
    assert rr.TimeColumn("t", sequence=range(3)).times.tolist() == [0, 1, 2]
    assert rr.TimeColumn("t", duration=[0.1, 2]).times.tolist() == [100_000_000, 2_000_000_000]
    assert rr.TimeColumn("t", duration=np.array([1, 2], "timedelta64[ms]")).times.tolist() == [1_000_000, 2_000_000]
    assert rr.TimeColumn("t", duration=[dt.timedelta(seconds=1.5)]).times.tolist() == [1_500_000_000]
    jan = 1_704_067_200 * 10**9
    assert rr.TimeColumn("t", timestamp=np.array(["2024-01-01"], "datetime64[D]")).times.tolist() == [jan]
    aware = dt.datetime(2024, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert rr.TimeColumn("t", timestamp=[dt.datetime(2024, 1, 1), aware]).times.tolist() == [jan, jan]
    assert rr.TimeColumn("t", timestamp=[1.5]).as_arrow_array().type == pa.timestamp("ns")
    assert rr.TimeColumn("t", sequence=[1]).timeline_name() == "t"
    with pytest.raises(rr.ValidationError, match="exactly one"):
        rr.TimeColumn("t")
    with pytest.raises(rr.ValidationError, match="exactly one"):
        rr.TimeColumn("t", sequence=[1], duration=[1])


def test_static_when_no_index_and_length_mismatch_is_refused(mem):
    rr.send_columns("s", indexes=[], columns=rr.Points2D.columns(positions=[[1, 2], [3, 4]]))
    with pytest.raises(rr.ValidationError, match="same length"):
        rr.send_columns("bad", indexes=[rr.TimeColumn("step", sequence=[0, 1])],
                        columns=rr.Points2D.columns(positions=[[1, 2], [3, 4]], colors=0xFF0000FF))
    with pytest.raises(rr.ValidationError, match="add up to"):
        rr.Points2D.columns(positions=[[1, 2], [3, 4]]).partition([1])
    store = store_of(mem)
    assert store.entity_paths() == ["/s"]
    assert store.latest_at("/s", None, None)["Points2D:positions"].value.tolist() == [[3.0, 4.0]]  # last row wins


def test_non_strict_mismatch_warns_and_records_nothing(mem):
    rr.set_strict_mode(False)
    with pytest.warns(rr.AnnoviewWarning, match="same length"):
        rr.send_columns("bad", indexes=[rr.TimeColumn("step", sequence=[0, 1, 2])],
                        columns=rr.Points2D.columns(positions=[[1, 2], [3, 4]]))
    with pytest.warns(rr.AnnoviewWarning, match="radii"):
        cols = rr.Points2D.columns(positions=[[1, 2]], radii=["x"])
    assert [c.descriptor.component for c in cols] == ["Points2D:positions"]
    assert store_of(mem).entity_paths() == []


def test_non_strict_bad_columns_warn_when_sent_and_never_raise(mem):
    rr.set_strict_mode(False)
    bad_index = rr.TimeColumn("step")  # neither sequence= nor duration= nor timestamp=
    bad_lengths = rr.Points2D.columns(positions=[[1, 2]]).partition([2])
    with pytest.warns(rr.AnnoviewWarning, match="exactly one"):
        rr.send_columns("a", indexes=[bad_index], columns=rr.Points2D.columns(positions=[[1, 2]]))
    with pytest.warns(rr.AnnoviewWarning, match="add up to"):
        rr.send_columns("b", indexes=[rr.TimeColumn("step", sequence=[0])], columns=bad_lengths)
    with pytest.warns(rr.AnnoviewWarning, match="expected component columns"):
        rr.send_columns("c", indexes=[rr.TimeColumn("step", sequence=[0])], columns=[object()])
    assert store_of(mem).entity_paths() == []


def test_component_column_from_arrow_and_any_batch(mem):
    col = rr.ComponentColumn("Points2D:positions", pa.array([[1, 2], [3, 4], [5, 6]], pa.list_(pa.float32(), 2)),
                             lengths=[2, 1])
    assert len(col) == 2 and col.as_arrow_array().offsets.to_pylist() == [0, 2, 3]
    assert col.component_descriptor() == rr.ComponentDescriptor("Points2D:positions")
    rr.send_columns("p", indexes=[rr.TimeColumn("step", sequence=[5, 6])], columns=[col])
    store = store_of(mem)
    assert store.latest_at("/p", "step", 5)["Points2D:positions"].value.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_from_fields_and_cleared_values():
    p = rr.Points2D.from_fields(radii=2, colors=[255, 0, 0])
    assert set(p.components) == {"radii", "colors"}
    assert p.components["colors"].tolist() == [0xFF0000FF]
    c = rr.Boxes2D.cleared()
    assert set(c.components) == set(rr.Boxes2D.field_kinds) and all(len(v) == 0 for v in c.components.values())
    assert set(rr.Image.clear_fields().components) == set(rr.Image.field_kinds)
    assert set(rr.Points3D.update_fields(positions=[[1, 2, 3]]).components) == {"positions"}
    with pytest.raises(rr.ValidationError, match="unknown field"):
        rr.Points2D.from_fields(sizes=[1])


def run(script: Path, out: Path, module: str) -> None:
    source = script.read_text().replace("annoview", module)
    proc = subprocess.run([sys.executable, "-c", source, str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.skipif(not HAVE_RERUN, reason="rerun-sdk not installed (extra 'rerun')")
@pytest.mark.parametrize("name", ["columns_clears.py", "any_values.py"])
def test_same_data_as_rerun_sdk(tmp_path, name):
    script = COMPAT / name
    ours, theirs = tmp_path / "a.avr", tmp_path / "r.rrd"
    run(script, ours, "annoview")
    run(script, theirs, "rerun")
    a, r = recorded(ours), recorded(theirs)
    assert sorted(a) == sorted(r)
    for key in r:
        assert a[key] == r[key], key
    counts = chunk_counts(ours)
    sent = {"columns_clears.py": ("/world/swarm", "/camera/tracks", "/camera/boxes", "/outline", "/legend"),
            "any_values.py": ("/temps", "/joints", "/raw", "/plot", "/plot2", "/dots")}[name]
    for entity in sent:
        assert counts[entity] == 1


@pytest.mark.skipif(not HAVE_RERUN, reason="rerun-sdk not installed (extra 'rerun')")
def test_cleared_and_from_fields_of_every_kind_of_archetype(tmp_path):
    """cleared() empties every field rerun-sdk empties, also those annoview records without
    drawing them (Points3D.point_shading, Image.magnification_filter, generic archetypes)."""
    script = tmp_path / "s.py"
    script.write_text("import sys\nimport annoview as rr\nrr.init('c')\nrr.save(sys.argv[1])\n"
                      "rr.set_time('f', sequence=1)\n"
                      "for cls in (rr.Points2D, rr.Points3D, rr.Image, rr.LineStrips3D, rr.AnnotationContext,\n"
                      "            rr.Transform3D, rr.Scalars, rr.Clear):\n"
                      "    rr.log(cls.__name__, cls.cleared())\n"
                      "rr.log('p', rr.Points3D.from_fields(positions=[[1, 2, 3]], point_shading='Flat'))\n"
                      "rr.log('i', rr.Image.from_fields(magnification_filter='Linear'))\n")
    run(script, tmp_path / "a.avr", "annoview")
    run(script, tmp_path / "r.rrd", "rerun")
    a, r = recorded(tmp_path / "a.avr"), recorded(tmp_path / "r.rrd")
    assert sorted(a) == sorted(r)
    for key in r:
        ((rt, rc),), ((at, ac),) = r[key], a[key]
        assert at == rt
        assert ac == rc


def test_any_values_types_and_first_type_wins(mem):
    rr.log("a", rr.AnyValues(i=1, f=1.5, s="x", b=True, u=np.arange(2, dtype=np.uint8), none=None, empty=[]))
    cells = {k: v.type for k, v in rr.AnyValues(i=2, f=2.5, s="y", b=False, u=np.arange(2, dtype=np.uint8)).components.items()}
    assert cells == {"i": pa.int64(), "f": pa.float64(), "s": pa.string(), "b": pa.bool_(), "u": pa.uint8()}
    later = rr.AnyValues(i=[3.0, 4.0])  # first logged as int64: whole floats are cast to it
    assert later.components["i"].type == pa.int64()
    with pytest.raises(rr.ValidationError, match="first logged as int64"):
        rr.AnyValues(i=2.5)
    rr.log("d", rr.DynamicArchetype("Joint", components={"angle": [0.5]}))
    store = store_of(mem)
    a = store.latest_at("/a", "log_time", 2**62)
    assert sorted(a) == ["AnyValues:b", "AnyValues:f", "AnyValues:i", "AnyValues:s", "AnyValues:u"]
    assert store.latest_at("/d", "log_time", 2**62)["Joint:angle"].value.tolist() == [0.5]


def test_any_values_export_to_rrd_keeps_rerun_names(tmp_path):
    pytest.importorskip("rerun")
    from annoview.io import load_chunks
    from annoview.io.rrd import write_rrd

    rec = tmp_path / "a.avr"
    rr.init("export-any")
    rr.save(rec)
    rr.log("s", rr.AnyValues(temp=[1.0]), rr.DynamicArchetype("Joint", components={"angle": [0.5]}))
    rr.disconnect()
    out = tmp_path / "a.rrd"
    write_rrd(load_chunks(rec), out, "export-any", "r")
    import rerun.chunk as rc

    reader = rc.RrdReader(str(out))
    names = {f.name: dict(f.metadata or {}) for c in reader.stream(store=reader.recordings()[0])
             if c.entity_path == "/s" for f in c.to_record_batch().schema}
    assert names["temp"][b"rerun:component"] == b"temp" and b"rerun:archetype" not in names["temp"]
    assert names["Joint:angle"][b"rerun:archetype"] == b"Joint"
