"""Hostile SDK input in non-strict mode (the default for users): never an exception in user
code, and no row that was logged is lost because of another call's bad input.

Rows are written to real `.avr` files, because the failures this guards against happened when a
batch was encoded (Arrow), far from the call that caused them.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annoview as rr
from annoview.errors import AnnoviewWarning, ValidationError
from annoview.io.avr import read_avr
from annoview.sdk.recording import RecordingStream
from annoview.sdk.sinks import FileSink


@pytest.fixture
def lenient():
    rr.set_strict_mode(False)
    yield
    rr.set_strict_mode(True)


def rows_in(path: Path, entity: str | None = None) -> int:
    return sum(c.num_rows for c in read_avr(path) if entity is None or c.entity_path == entity)


def annoview_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, AnnoviewWarning)]


SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
PLAIN = st.characters(whitelist_categories=("Lu", "Ll", "Nd"))
BAD_TIMES = st.one_of(
    st.builds(dict, sequence=st.one_of(st.integers(min_value=2**63, max_value=2**70),
                                       st.integers(max_value=-(2**63) - 1, min_value=-(2**70)))),
    st.builds(dict, timestamp=st.floats(min_value=9.3e9, max_value=1e300)),
    st.builds(dict, timestamp=st.floats(max_value=-9.3e9, min_value=-1e300)),
    st.builds(dict, duration=st.sampled_from([dt.timedelta.max, dt.timedelta.min, dt.timedelta(days=10**6)])),
    st.builds(dict, timestamp=st.sampled_from([dt.datetime.min, dt.datetime.max, dt.datetime(1600, 1, 1)])),
    st.builds(dict, timestamp=st.sampled_from([np.datetime64("3000-01-01"), np.datetime64("NaT")])),
    st.builds(dict, duration=st.sampled_from([np.timedelta64(2**62, "s"), float("nan"), float("inf")])),
)
OPS = st.lists(st.one_of(
    st.tuples(st.just("time"), BAD_TIMES),
    st.tuples(st.just("path"), st.text(st.one_of(PLAIN, SURROGATES), min_size=1, max_size=6)),
    st.tuples(st.just("label"), st.text(st.one_of(PLAIN, SURROGATES, st.characters()), max_size=6)),
    st.tuples(st.just("context"), st.text(st.one_of(PLAIN, SURROGATES), max_size=6)),
    st.tuples(st.just("timeline"), st.text(st.one_of(PLAIN, SURROGATES), min_size=1, max_size=6)),
    st.tuples(st.just("annotation"), st.tuples(
        st.integers(min_value=-(2**64), max_value=2**64),
        st.one_of(st.none(), st.text(st.one_of(PLAIN, SURROGATES), max_size=4), st.integers(), st.floats()),
        st.one_of(st.none(), st.text(max_size=3), st.lists(st.tuples(st.integers(-3, 70000), st.integers(-3, 3)),
                                                            max_size=3), st.integers()))),
), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, app=st.text(st.one_of(PLAIN, SURROGATES), min_size=1, max_size=5))
def test_hostile_sdk_input_never_raises_and_keeps_every_row(ops, app, lenient, tmp_path_factory):
    path = tmp_path_factory.mktemp("h") / "h.avr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = RecordingStream(app, recording_id="h")
        rec.save(str(path))
        rec.set_time("t", sequence=0)
        logged = 0
        for i, (op, value) in enumerate(ops):
            if op == "time":
                rec.set_time("t", **value)
            elif op == "timeline":
                rec.set_time(value, sequence=i)
            elif op == "path":
                rec.log(value, rr.Points2D([[i, i]]))
                logged += 1
            elif op == "annotation":
                ident, label, conns = value
                desc = rr.ClassDescription(info=rr.AnnotationInfo(ident, label=label), keypoint_connections=conns)
                rec.log("ann", rr.AnnotationContext([desc]), static=True)  # logged, or dropped with a warning
            elif op == "label":
                rec.log("labels", rr.Points2D([[i, i]], labels=value))
                logged += 1
            else:
                rec.log("ctx", rr.AnnotationContext([(1, value), rr.AnnotationInfo(2, value)]), static=True)
                logged += 1
            rec.log("good", rr.Points2D([[0, i]]))  # the row every hostile call sits next to
            logged += 1
        rec.close()
    assert rows_in(path, "/good") == len(ops)
    # nothing lost: bad text is replaced, bad times are not set (an invalid context is not a row)
    assert rows_in(path) - rows_in(path, "/ann") == logged


@pytest.mark.parametrize("kw", [dict(sequence=2**63), dict(timestamp=1e12), dict(duration=dt.timedelta.max),
                                dict(timestamp=dt.datetime.min)])
def test_set_time_out_of_int64_is_refused_at_the_call(kw, tmp_path, lenient):
    path = tmp_path / "t.avr"
    rec = RecordingStream("t", recording_id="t")
    rec.save(str(path))
    with pytest.warns(AnnoviewWarning, match="does not fit int64|out of range"):
        for i in range(200):
            rec.set_time("x", sequence=i) if "sequence" in kw else rec.set_time("x", duration=i)
            if i == 100:
                rec.set_time("x", **kw)  # refused: the previous value stays
            rec.log("p", rr.Points2D([[i, i]]))
    rec.close()
    assert rows_in(path) == 200
    rr.set_strict_mode(True)
    with pytest.raises(ValidationError):
        RecordingStream("s", recording_id="s").set_time("x", **kw)


def test_lone_surrogates_are_replaced_with_one_warning_each(tmp_path, lenient):
    path = tmp_path / "s.avr"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = RecordingStream("app\udc80", recording_id="s")
        rec.save(str(path))
        rec.log("/", rr.AnnotationContext([(1, "ctx\udc80")]), static=True)
        for i in range(200):
            rec.set_time("frame", sequence=i)
            rec.log("pts", rr.Points2D([[i, i]], labels="ok"))
        rec.log("file\udc80name", rr.Points2D([[0, 0]], labels="lbl\udc80"))
        rec.close()
    msgs = annoview_warnings(caught)
    assert len([m for m in msgs if "surrogate" in m]) == 4, msgs
    chunks = list(read_avr(path))
    assert sum(c.num_rows for c in chunks) == 202
    assert "/file\ufffdname" in {c.entity_path for c in chunks}
    rr.set_strict_mode(True)
    with pytest.raises(ValidationError, match="surrogate"):
        rr.Points2D([[0, 0]], labels="\udc80")


# ---------------------------------------------------------------------------------------------
# close() and the batcher thread


def test_sixteen_threads_then_close_keep_every_row(tmp_path):
    path = tmp_path / "race.avr"
    rec = RecordingStream("race", recording_id="race")
    rec.save(str(path))

    def work(t: int) -> None:
        for i in range(1500):
            rec.set_time("frame", sequence=i)
            rec.log(f"t{t}", rr.Points2D([[t, i]]))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.close()
    assert rows_in(path) == 24_000


def test_close_waits_for_the_group_the_age_thread_is_building(tmp_path, monkeypatch):
    """The age thread takes a group out and builds its chunk; close() running meanwhile must wait
    for it instead of closing the file under it (the race that lost rows at exit)."""
    from annoview.sdk import batcher

    entered, release = threading.Event(), threading.Event()
    real_build = batcher.build_chunk

    def gated_build(*args, **kwargs):
        if threading.current_thread().name == "annoview-batcher" and not entered.is_set():
            entered.set()
            release.wait(10)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(batcher, "build_chunk", gated_build)
    path = tmp_path / "gate.avr"
    rec = RecordingStream("gate", recording_id="gate")
    rec.save(str(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(10):
            rec.log("p", rr.Points2D([[i, i]]))
        assert entered.wait(5), "the age thread never flushed"
        closer = threading.Thread(target=rec.close)
        closer.start()
        time.sleep(0.2)
        assert closer.is_alive()  # waiting for the group in flight, not closing the file under it
        release.set()
        closer.join(10)
        time.sleep(0.05)
    assert rows_in(path) == 10
    assert not [w for w in caught if "closed" in str(w.message)]


def test_rows_logged_while_closing_are_saved_or_reported(tmp_path, lenient):
    path = tmp_path / "late.avr"
    rec = RecordingStream("late", recording_id="late")
    rec.save(str(path))
    closing = threading.Event()
    before_close = [0] * 8
    totals = [0] * 8

    def work(t: int) -> None:
        for i in range(3000):
            rec.set_time("frame", sequence=i)
            rec.log(f"t{t}", rr.Points2D([[t, i]]))
            totals[t] += 1
            if not closing.is_set():
                before_close[t] = i + 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for t in threads:
            t.start()
        time.sleep(0.05)
        closing.set()
        rec.close()
        for t in threads:
            t.join()
    chunks = list(read_avr(path))
    for t in range(8):
        seqs = {int(s) for c in chunks if c.entity_path == f"/t{t}" for s in c.times("frame")}
        assert set(range(before_close[t])) <= seqs  # every row logged before close() began is saved
    assert sum(c.num_rows for c in chunks) + rec._late.count == sum(totals)  # noqa: SLF001
    late = [m for m in annoview_warnings(caught) if "closed" in m]
    assert len(late) == (1 if rec._late.count else 0), late  # noqa: SLF001


# ---------------------------------------------------------------------------------------------
# disk full, annotations, rows after disconnect


def _fill_disk(rec: RecordingStream) -> None:
    """From now on every write of the file sink fails with ENOSPC, like a full disk."""
    writer = rec._sink._writer  # noqa: SLF001
    writer._file.close()  # noqa: SLF001
    writer._file = open("/dev/full", "wb", buffering=0)  # noqa: SLF001, SIM115


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_disk_full_never_raises_warns_once_and_keeps_rows(tmp_path, lenient):
    first, second = tmp_path / "full.avr", tmp_path / "later.avr"
    rec = RecordingStream("full", recording_id="full")
    rec.save(str(first))
    for i in range(100):
        rec.log("p", rr.Points2D([[i, i]]))
    rec.flush()
    _fill_disk(rec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(100, 20_100):  # several full batches: some are emitted by rr.log itself
            rec.set_time("frame", sequence=i)
            rec.log("p", rr.Points2D([[i, i]]))
            if i % 2000 == 0:
                rec.flush()
        time.sleep(0.1)  # the age thread flushes too
        rec.save(str(second))  # what the full disk refused goes to the new file
        rec.close()
    msgs = annoview_warnings(caught)
    assert len(msgs) == 1 and "No space left" in msgs[0], msgs
    assert rows_in(first) == 100 and rows_in(second) == 20_000


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_disk_full_memory_is_bounded(tmp_path, lenient):
    rec = RecordingStream("bound", recording_id="bound")
    sink = FileSink(str(tmp_path / "b.avr"), "bound", "bound", max_kept_bytes=64 * 1024)
    rec.set_sink(sink)
    _fill_disk(rec)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        for i in range(5000):
            rec.log("p", rr.Points2D(np.zeros((16, 2), np.float32)))
            if i % 500 == 0:
                rec.flush()
        rec.flush()
    assert sink._kept_bytes <= 64 * 1024 + 16 * 1024 and sink.dropped_chunks > 0  # noqa: SLF001
    rec.close()


def test_annotation_constructors_do_not_raise_in_non_strict_mode(lenient):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cd = rr.ClassDescription(info=1, keypoint_connections="ab")
        bad = rr.AnnotationInfo(id=-1)
        five = rr.AnnotationInfo(1, label=5)
    assert cd.info.id == 1 and cd.keypoint_connections == ()
    assert five.label == "5"  # as Rerun: str(label)
    assert bad.id == -1 and bad.problem
    assert len(annoview_warnings(caught)) == 2  # the id is reported where the context uses it
    rec = RecordingStream("ctx", recording_id="ctx")
    sink = rec.memory_recording()
    with pytest.warns(AnnoviewWarning, match="out of range"):
        rec.log("bad", rr.AnnotationContext([bad, (2, "b")]), static=True)
    rec.log("good", rr.AnnotationContext([cd, five]), static=True)
    rec.flush()
    assert {c.entity_path for c in sink.chunks()} == {"/good"}
    rec.close()
    rr.set_strict_mode(True)
    for make in (lambda: rr.ClassDescription(info=1, keypoint_connections="ab"), lambda: rr.AnnotationInfo(id=-1),
                 lambda: rr.AnnotationInfo(1, label=5)):
        with pytest.raises(ValidationError):
            make()


def test_rows_after_the_last_disconnect_are_reported_at_close(tmp_path):
    rec = RecordingStream("disc", recording_id="disc")
    rec.save(str(tmp_path / "d.avr"))
    rec.log("p", rr.Points2D([[0, 0]]))
    rec.disconnect()
    for i in range(3):
        rec.log("p", rr.Points2D([[i, i]]))
    with pytest.warns(AnnoviewWarning, match="3 rows .* after the last rr.disconnect"):
        rec.close()
    quiet = RecordingStream("quiet", recording_id="quiet")
    quiet.save(str(tmp_path / "q.avr"))
    quiet.log("p", rr.Points2D([[0, 0]]))
    quiet.disconnect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet.close()  # nothing logged after the disconnect: nothing to say
