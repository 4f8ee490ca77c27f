"""What Rerun's helper calls do under annoview: default recordings per thread, sinks, bytes,
script flags, properties, files, entity path escaping, blueprints and unavailable features."""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import annoview as rr
from annoview.io.avr import read_avr, read_avr_header
from annoview.io.tcp_server import StreamServer
from annoview.store import Store


@pytest.fixture
def fresh():
    """No global recording before and after; thread-local default cleared."""
    prev = rr.set_global_data_recording(None)
    rr.set_thread_local_data_recording(None)
    yield
    rr.set_thread_local_data_recording(None)
    rr.set_global_data_recording(prev)


def entities(chunks) -> set[str]:
    return {c.entity_path for c in chunks}


def positions(chunks, path: str, comp: str = "Points2D:positions") -> list[list[float]]:
    out = []
    for c in chunks:
        if c.entity_path == path and comp in c.component_names:
            out += [np.asarray(c.column(comp).cell(i)).tolist() for i in range(c.num_rows)]
    return out


# -- which recording a call goes to ---------------------------------------------------------------


def test_with_block_routes_calls_to_the_stream_and_restores(fresh):
    outer = rr.RecordingStream("outer", make_default=True)
    m_outer = outer.memory_recording()
    inner = rr.RecordingStream("inner")
    m_inner = inner.memory_recording()
    with inner as rec:
        assert rec is inner and rr.get_data_recording() is inner
        assert rr.get_recording_id() == inner.get_recording_id()
        rr.log("a", rr.Points2D([[1, 1]]))
    assert rr.get_data_recording() is outer
    rr.log("b", rr.Points2D([[2, 2]]))
    outer.flush(), inner.flush()
    assert entities(m_inner.chunks()) == {"/a"} and entities(m_outer.chunks()) == {"/b"}
    assert rr.get_application_id(inner) == "inner" and inner.get_application_id() == "inner"
    assert rr.is_enabled(inner) and inner.is_enabled()


def test_thread_local_recordings_are_per_thread(fresh):
    main = rr.RecordingStream("main", make_default=True)
    m_main = main.memory_recording()
    sinks = {}

    def job(i: int) -> None:
        rec = rr.RecordingStream(f"job{i}", make_thread_default=True)
        sinks[i] = rec.memory_recording()
        assert rr.get_thread_local_data_recording() is rec
        rr.log(f"job/{i}", rr.Points2D([[i, i]]))
        rec.flush()

    threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rr.log("main", rr.Points2D([[0, 0]]))
    main.flush()
    assert rr.get_thread_local_data_recording() is None
    assert entities(m_main.chunks()) == {"/main"}
    assert all(entities(sinks[i].chunks()) == {f"/job/{i}"} for i in range(3))


def test_generator_context_stays_inside_the_generator(fresh):
    rr.init("main")
    m_main = rr.memory_recording()
    inner = rr.RecordingStream("inner")
    m_inner = inner.memory_recording()

    @rr.recording_stream_generator_ctx
    def gen():
        with inner:
            for i in range(3):
                rr.log("gen", rr.Points2D([[i, i]]))
                yield i

    for i in gen():
        rr.log("main", rr.Points2D([[i, 0]]))  # the generator's `with inner` does not leak here
    rr.get_global_data_recording().flush(), inner.flush()
    assert positions(m_inner.chunks(), "/gen") == [[[0, 0]], [[1, 1]], [[2, 2]]]
    assert len(positions(m_main.chunks(), "/main")) == 3 and "/gen" not in entities(m_main.chunks())
    assert rr.get_thread_local_data_recording() is None

    @rr.recording_stream_generator_ctx
    def failing():
        yield 1
        raise KeyError("boom")

    g = failing()
    next(g)
    with pytest.raises(KeyError):
        next(g)


def test_thread_local_stream_gives_each_call_its_own_recording(fresh):
    seen = []

    @rr.thread_local_stream("job")
    def job(i: int) -> None:
        rec = rr.get_data_recording()
        seen.append((rec.application_id, rec.recording_id))

    job(1), job(2)
    assert [a for a, _ in seen] == ["job", "job"] and seen[0][1] != seen[1][1]
    assert rr.get_data_recording() is None


# -- sinks and bytes -------------------------------------------------------------------------------------


def test_set_sinks_writes_every_file_sink(fresh, tmp_path):
    rr.init("sinks")
    rr.log("before", rr.Points2D([[0, 0]]))
    rr.set_sinks(rr.FileSink(tmp_path / "a.avr"), rr.FileSink(str(tmp_path / "b.avr")))
    rr.log("after", rr.Points2D([[1, 1]]))
    rr.get_global_data_recording().close()
    for name in ("a.avr", "b.avr"):
        assert entities(read_avr(tmp_path / name)) == {"/before", "/after"}


def test_grpc_sink_streams_to_a_running_viewer(fresh, tmp_path):
    got = []
    server = StreamServer("127.0.0.1", 0, on_chunk=lambda key, chunk: got.append(chunk))
    try:
        rec = rr.RecordingStream("grpc", make_default=True)
        rec.set_sinks(rr.GrpcSink(f"rerun+http://127.0.0.1:{server.port}/proxy"), rr.FileSink(tmp_path / "c.avr"))
        rr.log("pts", rr.Points2D([[3, 4]]))
        rec.flush()
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
        rec.close()
    finally:
        server.close()
    assert positions(got, "/pts") == [[[3, 4]]]
    assert positions(list(read_avr(tmp_path / "c.avr")), "/pts") == [[[3, 4]]]


def test_memory_recording_drains_as_avr_bytes(fresh, tmp_path):
    rr.init("mem", recording_id="mem-1")
    mem = rr.memory_recording()
    rr.log("p", rr.Points2D([[1, 2]]))
    rr.get_global_data_recording().flush()
    assert mem.num_msgs() == 1
    path = tmp_path / "m.avr"
    path.write_bytes(mem.drain_as_bytes())
    assert mem.num_msgs() == 0
    assert read_avr_header(path).recording_id == "mem-1"
    assert positions(list(read_avr(path)), "/p") == [[[1, 2]]]


def test_binary_stream_reads_concatenate_into_one_recording(fresh, tmp_path):
    rec = rr.RecordingStream("bin")
    stream = rr.binary_stream(recording=rec)
    parts = []
    for i in range(3):
        rec.log("p", rr.Points2D([[i, i]]))
        parts.append(stream.read() or b"")
    assert stream.read() is None
    path = tmp_path / "s.avr"
    path.write_bytes(b"".join(parts))
    assert positions(list(read_avr(path)), "/p") == [[[0, 0]], [[1, 1]], [[2, 2]]]


def test_binary_stream_left_open_at_exit_does_not_hang():
    code = ("import annoview as rr; rec = rr.RecordingStream('b'); s = rr.binary_stream(recording=rec); "
            "rec.log('p', rr.Points2D([[0, 0]])); s.read(); rec.log('q', rr.Points2D([[1, 1]]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_stdout_streams_a_readable_recording(tmp_path):
    code = ("import annoview as rr; rr.init('out'); rr.stdout(); "
            "[rr.log('p', rr.Points2D([[i, i]])) for i in range(4)]")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "o.avr"
    path.write_bytes(proc.stdout)
    assert len(positions(list(read_avr(path)), "/p")) == 4


def test_unknown_sink_is_reported(fresh):
    rr.init("bad-sink")
    with pytest.raises(rr.ValidationError, match="FileSink"):
        rr.set_sinks("out.avr")


# -- script helpers --------------------------------------------------------------------------------------


def test_script_add_args_has_rerun_flags():
    parser = argparse.ArgumentParser()
    rr.script_add_args(parser)
    args = parser.parse_args(["--headless", "--connect", "--serve", "--url", "u", "--save", "s", "--stdout"])
    assert (args.headless, args.connect, args.serve, args.url, args.save, args.stdout) == (True, True, True, "u", "s", True)


def test_script_setup_save_and_teardown(fresh, tmp_path):
    parser = argparse.ArgumentParser()
    rr.script_add_args(parser)
    args = parser.parse_args(["--save", str(tmp_path / "s.avr")])
    rec = rr.script_setup(args, "scripted", recording_id="r1")
    assert rr.get_global_data_recording() is rec and rec.application_id == "scripted"
    rr.log("p", rr.Points2D([[5, 5]]))
    rr.script_teardown(args)
    rec.close()
    assert read_avr_header(tmp_path / "s.avr").recording_id == "r1"
    assert positions(list(read_avr(tmp_path / "s.avr")), "/p") == [[[5, 5]]]


def test_script_setup_headless_keeps_data_for_a_later_save(fresh, tmp_path):
    parser = argparse.ArgumentParser()
    rr.script_add_args(parser)
    rec = rr.script_setup(parser.parse_args(["--headless"]), "headless")
    rr.log("p", rr.Points2D([[1, 1]]))
    rr.save(tmp_path / "late.avr")
    rec.close()
    assert positions(list(read_avr(tmp_path / "late.avr")), "/p") == [[[1, 1]]]


# -- properties, files, time ---------------------------------------------------------------------------


def test_properties_are_static_under_properties_path(mem):
    rr.send_recording_name("episode 7")
    rr.send_property("robot", rr.Points3D([[1, 2, 3]]))
    rr.send_recording_start_time_nanos(1_700_000_000_000_000_000)
    rr.get_global_data_recording().flush()
    store = mem.to_store()
    assert {"/__properties", "/__properties/robot"} <= set(store.entity_paths())
    chunks = mem.chunks()
    info = {n: c.batch.column(n).to_pylist() for c in chunks if c.entity_path == "/__properties"
            for n in c.component_names}
    assert info == {"RecordingInfo:name": [["episode 7"]], "RecordingInfo:start_time": [[1_700_000_000_000_000_000]]}
    assert all(c.is_static for c in chunks)


def test_log_time_can_be_turned_off(mem):
    rr.log("a", rr.Points2D([[0, 0]]))
    rr.set_log_time_enabled(False)
    rr.set_time("frame", sequence=1)
    rr.log("b", rr.Points2D([[0, 0]]))
    rr.get_global_data_recording().flush()
    rr.reset_time()
    rr.log("c", rr.Points2D([[0, 0]]))  # no time at all: static, as rerun-sdk records it
    rr.get_global_data_recording().flush()
    timelines = {c.entity_path: (set(c.timelines), c.is_static) for c in mem.chunks()}
    assert timelines == {"/a": ({"log_time"}, False), "/b": ({"frame"}, False), "/c": (set(), True)}


def _png(shape=(6, 8, 3)) -> tuple[bytes, np.ndarray]:
    from PIL import Image as PILImage

    pixels = (np.arange(np.prod(shape)) % 251).astype(np.uint8).reshape(shape)
    buf = io.BytesIO()
    PILImage.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue(), pixels


def test_log_file_images_and_recordings(mem, tmp_path, monkeypatch):
    data, pixels = _png()
    (tmp_path / "frame.png").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    rr.log_file_from_path("frame.png", entity_path_prefix="cam")
    rr.log_file_from_contents("my shots/a.png", data)
    other = rr.RecordingStream("other")
    other.save(tmp_path / "other.avr")
    other.log("imported", rr.Points2D([[7, 7]]))
    other.close()
    rr.log_file_from_path(tmp_path / "other.avr")
    rr.get_global_data_recording().flush()
    chunks = mem.chunks()
    assert {"/cam/frame.png", "/my\\ shots/a.png", "/imported"} <= entities(chunks)
    image = [c for c in chunks if c.entity_path == "/cam/frame.png"][0]
    assert image.is_static
    assert positions(chunks, "/imported") == [[[7, 7]]]
    store = mem.to_store()
    assert any("Image" in comp for comp in store.component_counts("/cam/frame.png"))


def test_log_file_rejects_what_it_cannot_read(mem, tmp_path):
    (tmp_path / "notes.xyz").write_bytes(b"?")
    with pytest.raises(rr.ValidationError, match="not this kind of file"):
        rr.log_file_from_path(tmp_path / "notes.xyz")
    # an image is recorded as its encoded blob, as Rerun's loader does; decoding (and reporting a
    # blob that does not decode) is the viewer's job
    rr.log_file_from_contents("broken.png", b"not a png")
    rr.get_global_data_recording().flush()
    assert "/broken.png" in entities(mem.chunks())
    with pytest.raises(rr.ValidationError, match="cannot read"):
        rr.log_file_from_path(tmp_path / "missing.png")
    rr.set_strict_mode(False)
    with pytest.warns(rr.AnnoviewWarning, match="not a readable recording"):
        rr.log_file_from_contents("broken.avr", b"garbage")


# -- entity paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("part, escaped", [
    ("image 1.png", "image\\ 1.png"), ("a/b:c", "a\\/b\\:c"), ("über", "über"), ("a.b-c_d", "a.b-c_d"),
    ("tab\there", "tab\\there"), ("x\\y", "x\\\\y"), ("😀", "\\u{1F600}"), ("\x01", "\\u{0001}"),
])
def test_escape_entity_path_part(part, escaped):
    assert rr.escape_entity_path_part(part) == escaped


def test_escaping_matches_rerun_and_list_paths_use_it(mem):
    rerun = pytest.importorskip("rerun")
    samples = ["file name.txt", "C:\\dir\\x", "a,b;c=d", "$origin", "中文 ½", "a\nb", "emoji 😀", "x" * 40]
    assert [rr.escape_entity_path_part(s) for s in samples] == [rerun.escape_entity_path_part(s) for s in samples]
    assert rr.new_entity_path(["a b", 3, "c/d"]) == rerun.new_entity_path(["a b", 3, "c/d"])
    rr.log(["world", "a b"], rr.Points2D([[0, 0]]))
    rr.get_global_data_recording().flush()
    assert entities(mem.chunks()) == {rerun.new_entity_path(["world", "a b"])}


# -- blueprints and features annoview does not have --------------------------------------------------------


def test_blueprint_accepts_any_chain_with_one_warning():
    import annoview.blueprint as rrb
    from annoview.blueprint.components import Corner2D

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bp = rrb.Blueprint(
            rrb.Horizontal(rrb.Spatial2DView(origin="/cam"), rrb.Tabs(rrb.TextLogView(), active_tab=0)),
            rrb.TimePanel(state=rrb.PanelState.Collapsed), collapse_panels=True)
        view = rrb.TimeSeriesView(plot_legend=rrb.PlotLegend(corner=Corner2D.LeftTop),
                                  time_ranges=rrb.VisibleTimeRange("t", start=rrb.TimeRangeBoundary.cursor_relative(seq=-5),
                                                                   end=rrb.TimeRangeBoundary.infinite()))
        bp.save("app", "x.rbl")
        rrb.anything.at.all(1)(2).deeper
    assert isinstance(bp, rrb.Blueprint) and not isinstance(view, rrb.Blueprint)
    assert rrb.Corner2D.LeftTop is rrb.Corner2D.LeftTop
    assert sum("rerun.blueprint" in str(w.message) for w in caught) <= 1
    assert list(bp) == []


def test_server_side_modules_raise_one_line_only_when_used():
    client_cls = rr.catalog.CatalogClient  # attribute access and imports are fine
    from annoview.catalog import DatasetEntry  # noqa: F401
    with pytest.raises(rr.NotAvailableError, match="rerun.catalog.CatalogClient is not available in annoview"):
        client_cls("rerun+http://localhost:51234")
    with pytest.raises(rr.NotAvailableError, match="rr.login"):
        rr.login()


def test_viewer_only_features_notice_and_continue(mem):
    rr.set_strict_mode(False)
    with pytest.warns(rr.AnnoviewWarning):
        url = rr.serve_grpc()
    assert url.startswith("rerun+http://")
    with pytest.warns(rr.AnnoviewWarning, match="no web viewer"):
        rr.serve_web_viewer(open_browser=False)
    with pytest.warns(rr.AnnoviewWarning, match="no notebook viewer"):
        rr.notebook_show()
    rr.log("still", rr.Points2D([[0, 0]]))
    assert rr.version().startswith("annoview")


# -- utilities ------------------------------------------------------------------------------------------


def test_utilities_match_rerun():
    rerun_utils = pytest.importorskip("rerun.utilities")
    from annoview import utilities

    for kw in ({}, {"radius": 3, "angular_step": 0.05, "angular_offset": 1.0, "z_step": 0.3}):
        ours, theirs = utilities.build_color_spiral(50, **kw), rerun_utils.build_color_spiral(50, **kw)
        assert np.allclose(ours.positions, theirs.positions)
        # turbo from its published polynomial fit; Rerun uses the lookup table
        assert np.abs(ours.colors - theirs.colors).max() < 0.13
        assert np.median(np.abs(ours.colors - theirs.colors)) < 0.03
    for args, kw in (((10, 10, 10), {}), ((3, 4, 5), {"twist": 0.7})):
        ours, theirs = utilities.build_color_grid(*args, **kw), rerun_utils.build_color_grid(*args, **kw)
        assert np.allclose(ours.positions, theirs.positions) and np.array_equal(ours.colors, theirs.colors)
    for t in (0.0, 0.25, 1.0, 1.25, 2.5, 3.75):
        assert utilities.bounce_lerp(2.0, 10.0, t) == pytest.approx(rerun_utils.bounce_lerp(2.0, 10.0, t))
    assert np.allclose(utilities.bounce_lerp(0.0, 1.0, np.array([0.5, 1.5])), [0.5, 0.5])


def test_logging_handler_logs_text_log_rows(monkeypatch):
    import logging

    calls = []
    monkeypatch.setattr(rr, "log", lambda path, entity, *a, **k: calls.append((path, entity)))
    monkeypatch.setattr(rr, "TextLog", lambda text, level=None: ("TextLog", text, level))
    logger = logging.getLogger("annoview-test-logger")
    logger.handlers[:] = [rr.LoggingHandler("logs")]
    logger.propagate, logger.level = False, 1
    logger.warning("careful %d", 3)
    logger.log(5, "fine")
    module = __name__.rsplit(".", 1)[-1]
    assert calls == [(f"logs/{module}", ("TextLog", "careful 3", "WARN")),
                     (f"logs/{module}", ("TextLog", "fine", "Level 5"))]
