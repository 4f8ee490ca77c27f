"""Round trip through a real `.avr` file, flush at interpreter exit, and `annoview info`."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

import annoview as rr
from annoview.io.avr import read_avr
from annoview.store import Store


def log_every_archetype() -> dict[str, dict[str, object]]:
    """Log one of each archetype; return what the store must give back, per entity/component."""
    rng = np.random.default_rng(7)
    seg = rng.integers(0, 65535, (5, 7)).astype(np.uint16)
    img = rng.integers(0, 255, (4, 6, 3)).astype(np.uint8)
    gray = rng.random((3, 2)).astype(np.float32)
    strips2 = [rng.random((3, 2)).astype(np.float32), rng.random((5, 2)).astype(np.float32)]
    strips3 = [rng.random((4, 3)).astype(np.float32)]
    p2 = rng.random((17, 2)).astype(np.float32)
    p3 = rng.random((6, 3)).astype(np.float32)
    ctx = rr.AnnotationContext([rr.ClassDescription(info=(1, "person", (255, 0, 0)),
                                                    keypoint_annotations=[(0, "nose", (0, 255, 0))],
                                                    keypoint_connections=[(0, 1)]), (2, "car")])
    rr.log("/", ctx, static=True)
    rr.set_time("frame", sequence=3)
    rr.log("p2", rr.Points2D(p2, class_ids=1, keypoint_ids=range(17), radii=[2.0], labels=["a", "b"],
                             colors=[(1, 2, 3, 4)], show_labels=True, draw_order=5))
    rr.log("p3", rr.Points3D(p3, class_ids=[1, 2, 1, 2, 1, 2], radii=-2))
    rr.log("boxes", rr.Boxes2D(mins=[[0, 0], [5, 5]], sizes=[[2, 4], [1, 1]], class_ids=[1, 2], labels=["x", "y"]))
    rr.log("l2", rr.LineStrips2D(strips2, class_ids=2))
    rr.log("l3", rr.LineStrips3D(strips3, colors=[(9, 9, 9)]))
    rr.log("seg", rr.SegmentationImage(seg, opacity=0.25))
    rr.log("img", rr.Image(img))
    rr.log("gray", rr.Image(gray))
    return {
        "/": {"AnnotationContext:context": ctx.components["context"]},
        "/p2": {"Points2D:positions": p2, "Points2D:class_ids": [1], "Points2D:keypoint_ids": list(range(17)),
                "Points2D:radii": [2.0], "Points2D:labels": ["a", "b"], "Points2D:colors": [0x01020304],
                "Points2D:show_labels": [True], "Points2D:draw_order": [5.0]},
        "/p3": {"Points3D:positions": p3, "Points3D:class_ids": [1, 2, 1, 2, 1, 2], "Points3D:radii": [-2.0]},
        "/boxes": {"Boxes2D:centers": [[1, 2], [5.5, 5.5]], "Boxes2D:half_sizes": [[1, 2], [0.5, 0.5]],
                   "Boxes2D:class_ids": [1, 2], "Boxes2D:labels": ["x", "y"]},
        "/l2": {"LineStrips2D:strips": strips2, "LineStrips2D:class_ids": [2]},
        "/l3": {"LineStrips3D:strips": strips3, "LineStrips3D:colors": [0x090909FF]},
        "/seg": {"SegmentationImage:buffer": seg.tobytes(), "SegmentationImage:opacity": [0.25],
                 "SegmentationImage:format": [{"width": 7, "height": 5, "pixel_format": None, "color_model": None,
                                               "channel_datatype": 8}]},
        "/img": {"Image:buffer": img.tobytes(),
                 "Image:format": [{"width": 6, "height": 4, "pixel_format": None, "color_model": 2,
                                   "channel_datatype": 6}]},
        "/gray": {"Image:buffer": gray.tobytes(),
                  "Image:format": [{"width": 2, "height": 3, "pixel_format": None, "color_model": 1,
                                    "channel_datatype": 34}]},
    }


def same(got, want) -> bool:
    if isinstance(want, bytes):
        return isinstance(got, np.ndarray) and got.tobytes() == want
    if isinstance(want, list) and want and isinstance(want[0], np.ndarray):
        return len(got) == len(want) and all(np.array_equal(g, w) for g, w in zip(got, want))
    if isinstance(got, np.ndarray):
        return np.array_equal(got, np.asarray(want, dtype=got.dtype))
    return got == want


def test_every_archetype_round_trips_through_a_file(tmp_path):
    path = tmp_path / "all.avr"
    rr.init("roundtrip")
    rr.save(path)
    expected = log_every_archetype()
    rr.disconnect()
    store = Store()
    store.add_chunks(read_avr(path))
    assert set(store.entity_paths()) == set(expected)
    for entity, comps in expected.items():
        got = store.latest_at(entity, "frame", 3)
        assert set(got) == set(comps), entity
        for comp, want in comps.items():
            assert same(got[comp].value, want), f"{entity} {comp}"


def test_nothing_lost_at_interpreter_exit(tmp_path):
    path = tmp_path / "exit.avr"
    script = textwrap.dedent(f"""
        import annoview as rr
        rr.init("exit")
        rr.save({str(path)!r})
        for i in range(2500):
            rr.set_time("frame", sequence=i)
            rr.log(f"e/{{i % 7}}", rr.Points2D([[i, i]]))
        # no flush, no disconnect: the atexit hook must write everything and the footer
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    store = Store()
    store.add_chunks(read_avr(path))
    assert sum(sum(store.component_counts(p).values()) for p in store.entity_paths()) == 2500
    assert store.timelines()["frame"].max == 2499
    from annoview.io.avr import open_index

    assert open_index(path).from_footer


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annoview.app.cli", *args], capture_output=True, text=True, timeout=60)


def test_info_prints_tree_timelines_and_contexts(tmp_path):
    path = tmp_path / "info.avr"
    rr.init("info")
    rr.save(path)
    log_every_archetype()
    rr.set_time("frame", sequence=9)
    rr.log("/", rr.AnnotationContext([(1, "walker", "#0000ff")]))
    rr.disconnect()
    proc = run_cli("info", str(path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "frame (sequence): 3 .. 9" in out
    assert "p2  Points2D x1" in out and "seg  SegmentationImage x1" in out
    assert "/  AnnotationContext x2 [context]" in out
    assert "class 1 'person' #ff0000ff" in out and "keypoint 0 'nose' #00ff00ff" in out
    assert "connections: nose-1" in out
    assert "/ (frame=9):" in out and "class 1 'walker' #0000ffff" in out
    assert "class 2 'car'" in out


def test_info_rejects_non_recordings(tmp_path):
    junk = tmp_path / "junk.avr"
    junk.write_bytes(b"definitely not a recording")
    for args in (("info", str(junk)), ("info", str(tmp_path / "missing.avr")), ("info", str(tmp_path))):
        proc = run_cli(*args)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("annoview: error:")
