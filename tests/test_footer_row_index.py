"""The footer's per-chunk row index (io/row_index.py): a store indexed from it answers exactly as
one that read every chunk; a footer whose row index is inconsistent is not used (one line, the
file is scanned, nothing lost); one that is consistent but lies is caught when the chunk is read
(one problem line, never a wrong value or a crash)."""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import annoview as rr
from annoview.errors import RecordingRecoveryWarning
from annoview.io.avr import AvrWriter, encode_footer, open_index, read_avr
from annoview.io.frames import FRAME_CHUNK, FRAME_FOOTER, encode_frame, encode_trailer
from annoview.io.row_index import RowIndex
from annoview.store import Store
from annoview.store.ingest import add_file

from hostile import cases as hc

LIMIT = 64 << 20


def _values(store: Store, timeline: str, t: int) -> dict:
    out = {}
    for path in store.entity_paths():
        for comp, ref in store.latest_at(path, timeline, t).items():
            out[(path, comp)] = (ref.row_key, repr(ref.value))
    return out


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """Sparse components, null cells, two timelines, a static context, a clear and an empty chunk."""
    path = tmp_path_factory.mktemp("rowidx") / "rec.avr"
    rec = rr.RecordingStream("rowidx", recording_id="rowidx")
    rec.save(path)
    rec.log("world", rr.AnnotationContext([(1, "a", (255, 0, 0))]), static=True)
    for i in range(12):
        rec.set_time("frame", sequence=3 * i)
        rec.set_time("clock", duration=i * 0.25)
        rec.log("world/pts", rr.Points2D([[i, i], [2 * i, 1]], radii=None if i % 2 else 0.5, class_ids=1))
        if i % 4 == 0:
            rec.log("world/box", rr.Boxes2D(centers=[[i, i]], sizes=[[2, 2]], labels=["b"] if i % 8 else None))
        if i == 7:
            rec.log("world/box", rr.Clear(recursive=False))
        rec.flush()
    rec.log("world/empty", rr.Points2D(np.zeros((0, 2), np.float32)))
    rec.disconnect()
    return path


def test_footer_row_index_round_trips_and_matches_every_chunk(recording):
    index = open_index(recording)
    assert index.from_footer and all(e.rows is not None for e in index.entries)
    scanned = open_index(recording, use_footer=False)
    for e, s, chunk in zip(index.entries, scanned.entries, read_avr(recording)):
        assert e.rows.digest() == s.rows.digest() == RowIndex.of_chunk(chunk).digest()
        assert e.rows.data_bytes == chunk.batch.get_total_buffer_size()


def test_store_indexed_from_the_footer_answers_as_one_that_read_everything(recording):
    full = Store()
    full.add_chunks(read_avr(recording))
    lazy = Store(LIMIT)
    add_file(lazy, recording)
    assert lazy.chunks.stats.reloads == 0, "nothing but static and clear chunks is read at open"
    assert lazy.timelines() == full.timelines() and lazy.entity_paths() == full.entity_paths()
    for path in full.entity_paths():
        assert lazy.component_counts(path) == full.component_counts(path)
    assert np.array_equal(lazy.timeline_times("frame"), full.timeline_times("frame"))
    for timeline, times in (("frame", range(-1, 37)), ("clock", range(-1, 3_000_000_000, 125_000_000))):
        for t in times:
            assert _values(lazy, timeline, t) == _values(full, timeline, t), (timeline, t)
    assert lazy.read_problems() == []


def test_writer_past_its_row_index_budget_writes_the_base_footer(tmp_path, monkeypatch):
    import annoview.io.avr as avr

    monkeypatch.setattr(avr, "MAX_ROW_INDEX_BYTES", 100)
    chunks = hc.good_chunks()
    with AvrWriter(tmp_path / "a.avr") as w:
        for c in chunks:
            w.write_chunk(c)
    index = open_index(tmp_path / "a.avr")
    assert index.from_footer and all(e.rows is None for e in index.entries)
    store = Store(LIMIT)
    add_file(store, tmp_path / "a.avr")      # indexed by reading each chunk, as an older file
    assert sum(store.component_counts(p).get("Points2D:positions", 0) for p in store.entity_paths()) == \
        hc.GOOD_ROWS - 1


# --- hostile row indexes ------------------------------------------------------------------------


def _file_with_rows(path, edit) -> tuple:
    """The hostile good chunks with a footer whose row index went through `edit(entries)`."""
    out = bytearray(hc.header_bytes(hc.DEFAULT_HEADER))
    entries = []
    for c in hc.good_chunks():
        frame = encode_frame(FRAME_CHUNK, c.to_ipc())
        entries.append(dataclasses.replace(hc._entry(len(out), len(frame), c), rows=RowIndex.of_chunk(c)))
        out += frame
    footer_offset = len(out)
    out += encode_frame(FRAME_FOOTER, encode_footer(edit(entries)))
    out += encode_trailer(footer_offset)
    path.write_bytes(bytes(out))
    return path


def _with(entries, i, **rows):
    entries[i] = dataclasses.replace(entries[i], rows=dataclasses.replace(entries[i].rows, **rows))
    return entries


def _shifted_times(entries, shift):
    e = entries[2]
    times = {k: v + shift for k, v in e.rows.times.items()}
    ranges = {k: (kind, lo + shift, hi + shift) for k, (kind, lo, hi) in e.timelines.items()}
    entries[2] = dataclasses.replace(e, timelines=ranges, rows=dataclasses.replace(e.rows, times=times))
    return entries


INCONSISTENT = {
    "row id count": lambda es: _with(es, 2, row_ids=es[2].rows.row_ids[:1]),
    "times outside the range": lambda es: _with(es, 2, times={"frame": es[2].rows.times["frame"] + 1}),
    "null rows out of range": lambda es: _with(es, 2, null_rows={**es[2].rows.null_rows,
                                                                 "Points2D:labels": np.array([7], np.int64)}),
    "null rows out of order": lambda es: _with(es, 2, null_rows={**es[2].rows.null_rows,
                                                                 "Points2D:labels": np.array([1, 0], np.int64)}),
    "components not the archetypes": lambda es: _with(es, 2, null_rows={**es[2].rows.null_rows,
                                                                        "Boxes2D:sizes": np.zeros(0, np.int64)}),
    "a name without an archetype": lambda es: _with(es, 2, null_rows={"positions": np.zeros(0, np.int64)}),
}


@pytest.mark.parametrize("case", sorted(INCONSISTENT))
def test_inconsistent_row_index_is_not_used_and_nothing_is_lost(case, tmp_path):
    path = _file_with_rows(tmp_path / "bad.avr", INCONSISTENT[case])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index = open_index(path)
    assert not index.from_footer and sum(e.num_rows for e in index.entries) == hc.GOOD_ROWS
    assert len(caught) == 1 and issubclass(caught[0].category, RecordingRecoveryWarning)
    assert "footer index was not used" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store = Store(LIMIT)
        add_file(store, path)
    assert sum(store.component_counts(p).get("Points2D:positions", 0) for p in store.entity_paths()) == \
        hc.GOOD_ROWS - 1


def test_consistent_but_lying_row_index_is_caught_when_the_chunk_is_read(tmp_path):
    """Times moved together with the entry's range: the footer is self-consistent, so it is used;
    reading the chunk shows the lie: one problem line, the chunk left out, the rest intact."""
    path = _file_with_rows(tmp_path / "lie.avr", lambda es: _shifted_times(es, 50))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = Store(LIMIT)
        add_file(store, path)
    liar = hc.good_chunks()[2].entity_path
    t = 100 + 50 + 1                             # where the footer says the lying chunk has a row
    got = _values(store, "frame", t)
    assert not any(p == liar for p, _ in got)
    [line] = store.read_problems()
    assert line.startswith(f"{liar} at frame ") and "differ from the footer index" in line
    other = hc.good_chunks()[3].entity_path
    assert any(p == other for p, _ in _values(store, "frame", 202))


def test_file_without_footer_is_scanned_once_and_indexed_from_the_scan(recording, tmp_path):
    """A crashed logger's file (no footer, no trailer): one scan reads each chunk once; the store
    is then filled from the row index taken during the scan, not by reading every chunk again."""
    index = open_index(recording)
    body_end = index.entries[-1].offset + index.entries[-1].length
    path = tmp_path / "crashed.avr"
    path.write_bytes(recording.read_bytes()[:body_end])
    full = Store()
    full.add_chunks(read_avr(recording))
    store = Store(LIMIT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")         # a file cut at a frame boundary loads without a warning
        add_file(store, path)
    assert store.chunks.stats.reloads == 0
    for t in range(-1, 37):
        assert _values(store, "frame", t) == _values(full, "frame", t)


def _crafted_payloads() -> dict:
    return {"list_offsets": hc.chunk_bad_list_offset, "string_offsets": hc.chunk_string_offsets,
            "invalid_utf8": hc.chunk_invalid_utf8, "row_id_length": hc.chunk_row_id_short,
            "compressed": lambda: hc.chunk_compressed(2_000_000), "positions_null": hc.chunk_positions_null,
            "path_not_canonical": lambda: hc.chunk_entity_path(b"a//")}


@pytest.mark.parametrize("name", sorted(_crafted_payloads()))
def test_crafted_chunk_behind_a_valid_row_index_is_one_problem_line(name, tmp_path):
    """A hostile writer's file: a valid footer row index that describes a sane chunk, in front
    of a crafted payload. Opening reads nothing; the frame that needs the chunk gets one problem
    line for it and every intact row."""
    payload, described = _crafted_payloads()[name]()
    good = hc.good_chunks()
    parts = [(c.to_ipc(), c) for c in good[:2]] + [(payload, described)] + [(c.to_ipc(), c) for c in good[2:]]
    out = bytearray(hc.header_bytes(hc.DEFAULT_HEADER))
    entries = []
    for data, chunk in parts:
        frame = encode_frame(FRAME_CHUNK, data)
        entries.append(dataclasses.replace(hc._entry(len(out), len(frame), chunk), rows=RowIndex.of_chunk(chunk)))
        out += frame
    footer_offset = len(out)
    out += encode_frame(FRAME_FOOTER, encode_footer(entries)) + encode_trailer(footer_offset)
    path = tmp_path / f"{name}.avr"
    path.write_bytes(bytes(out))
    store = Store(LIMIT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        add_file(store, path)
    t = int(described.times("frame")[-1])
    got = _values(store, "frame", t)
    assert not any(p == described.entity_path for p, _ in got)
    [line] = store.read_problems()
    assert line.startswith(f"{described.entity_path} at frame ") and "cannot read its data back" in line
    assert sum(c.num_rows for c in store.chunks) == hc.GOOD_ROWS   # every intact row, the crafted one skipped
