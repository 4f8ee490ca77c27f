"""The native .avr recording format: round trip, crash/truncation recovery, corruption, lazy
footer index, stream framing."""
from __future__ import annotations

import struct
import threading
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annoview.chunk import Chunk, build_chunk
from annoview.errors import NewerFormatError, RecordingFormatError, RecordingRecoveryWarning
from annoview.io import avr
from annoview.io.avr import AvrWriter, FrameDecoder, encode_frame, open_index, read_avr, read_avr_header
from annoview.io.frames import FRAME_CHUNK, FRAME_FOOTER, FRAME_HEADER_SIZE, TRAILER_SIZE
from annoview.types.kinds import Kind


# ---------------------------------------------------------------------------------------------
# helpers


def make_chunk(path: str, t0: int, rows: int = 2, points: int = 3, static: bool = False) -> Chunk:
    timelines = {} if static else {"frame": ("sequence", np.arange(t0, t0 + rows)),
                                   "log_time": ("timestamp", np.arange(rows) * 1000 + t0 * 7)}
    cells = [np.full((points, 2), i + t0, np.float32) for i in range(rows)]
    ids = [np.arange(points, dtype=np.uint16) for _ in range(rows)]
    return build_chunk(path, static, np.full(rows, 1, np.uint64), np.arange(t0, t0 + rows, dtype=np.uint64),
                       timelines, {"Points2D:positions": (Kind.VEC2, cells), "Points2D:class_ids": (Kind.ID, ids)})


def minimal_chunk(path: str, t: int, static: bool = False) -> Chunk:
    """One row, one point, one timeline: the smallest realistic chunk (~1.2 KB of IPC)."""
    timelines = {} if static else {"frame": ("sequence", np.array([t]))}
    return build_chunk(path, static, np.array([1], np.uint64), np.array([t], np.uint64), timelines,
                       {"Points2D:positions": (Kind.VEC2, [np.full((1, 2), t, np.float32)])})


def tiny_chunks() -> list[Chunk]:
    """Three one-row chunks (one static): a ~5 KB file, small enough to cut at every byte."""
    return [minimal_chunk("/a", 1), minimal_chunk("/b", 5), minimal_chunk("/s", 0, static=True)]


def write(path: Path, chunks: list[Chunk], close: bool = True) -> AvrWriter:
    w = AvrWriter(path, application_id="tests", recording_id="rec-1")
    for c in chunks:
        w.write_chunk(c)
    if close:
        w.close()
    return w


def same_chunk(a: Chunk, b: Chunk) -> bool:
    return (a.entity_path == b.entity_path and a.is_static == b.is_static
            and a.batch.schema.equals(b.batch.schema, check_metadata=True) and a.batch.equals(b.batch))


def load(path: Path) -> tuple[list[Chunk], list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = list(read_avr(path))
    return chunks, list(caught)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[Chunk], list[avr.IndexEntry], int]:
    """(file bytes, chunks, index entries, header size) of a closed tiny recording."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.avr"
    chunks = tiny_chunks()
    w = write(path, chunks)
    return path.read_bytes(), chunks, w.entries, w.header.size


# ---------------------------------------------------------------------------------------------
# round trip and index


def test_round_trip_column_by_column(tmp_path: Path) -> None:
    chunks = [make_chunk("/world/points", 0, rows=4), make_chunk("/world/other", 10, rows=1, points=7),
              make_chunk("/world/points", 4, rows=3), make_chunk("/static/thing", 0, rows=1, static=True)]
    path = tmp_path / "rec.avr"
    write(path, chunks)
    loaded, caught = load(path)
    assert caught == []
    assert len(loaded) == len(chunks)
    for orig, back in zip(chunks, loaded):
        assert back.entity_path == orig.entity_path and back.is_static == orig.is_static
        assert back.batch.schema.names == orig.batch.schema.names
        for name in orig.batch.schema.names:
            assert back.batch.column(name).equals(orig.batch.column(name)), name
        assert back.batch.schema.equals(orig.batch.schema, check_metadata=True)
    assert loaded[3].is_static and loaded[3].timelines == {}
    assert np.array_equal(loaded[2].times("frame"), [4, 5, 6])
    header = read_avr_header(path)
    assert (header.application_id, header.recording_id, header.version) == ("tests", "rec-1", 1)
    assert header.created_ns > 1_600_000_000 * 10**9


def test_footer_index_matches_scan_and_loads_by_entity(tmp_path: Path) -> None:
    chunks = [make_chunk("/a", 0, rows=3), make_chunk("/b", 100, rows=2), make_chunk("/a", 3, rows=2),
              make_chunk("/s", 0, rows=1, static=True)]
    path = tmp_path / "rec.avr"
    write(path, chunks)
    lazy, scanned = open_index(path), open_index(path, use_footer=False)
    assert lazy.from_footer and not scanned.from_footer
    assert lazy.entries == scanned.entries
    assert lazy.entity_paths() == ["/a", "/b", "/s"]
    # frame: /a 0..4, /b 100..101; log_time = i*1000 + 7*t0
    assert lazy.timelines() == {"frame": ("sequence", 0, 101), "log_time": ("timestamp", 0, 2000)}
    first = lazy.entries[0]
    assert (first.entity_path, first.num_rows, first.archetypes, first.is_static) == ("/a", 3, ("Points2D",), False)
    assert lazy.entries[3].is_static and lazy.entries[3].timelines == {}
    assert [e.offset + e.length for e in lazy.entries[:-1]] == [e.offset for e in lazy.entries[1:]]
    only_a = lazy.load_chunks(["/a"])
    assert len(only_a) == 2 and all(same_chunk(x, y) for x, y in zip(only_a, [chunks[0], chunks[2]]))
    assert same_chunk(lazy.load_chunk(lazy.entries[1]), chunks[1])
    assert len(lazy.load_chunks()) == 4


def test_open_index_reads_only_header_trailer_and_footer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.avr"
    w = write(path, [make_chunk(f"/e{i}", i, rows=4, points=2000) for i in range(8)])
    size = path.stat().st_size
    footer_offset = struct.unpack("<Q", path.read_bytes()[-TRAILER_SIZE:-8])[0]
    footer_bytes = size - footer_offset
    read_sizes: list[int] = []

    class Counting:
        def __init__(self, f):
            self._f = f

        def read(self, n: int = -1) -> bytes:
            data = self._f.read(n)
            read_sizes.append(len(data))
            return data

        def __getattr__(self, name: str):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

    real_open = open
    monkeypatch.setattr(avr, "open", lambda *a, **k: Counting(real_open(*a, **k)), raising=False)
    index = open_index(path)
    assert index.from_footer and len(index.entries) == 8
    assert sum(read_sizes) == w.header.size + footer_bytes  # header, trailer, footer frame: no body byte
    assert sum(read_sizes) < size / 10


def test_open_index_uses_footer_even_when_chunk_bodies_are_damaged(tmp_path: Path) -> None:
    path = tmp_path / "rec.avr"
    w = write(path, [make_chunk(f"/e{i}", i) for i in range(5)])
    data = bytearray(path.read_bytes())
    for e in w.entries:  # zero the middle of every chunk payload: only the footer is left intact
        mid = e.offset + e.length // 2
        data[mid:mid + 16] = bytes(16)
    path.write_bytes(bytes(data))
    index = open_index(path)
    assert index.from_footer
    assert index.entity_paths() == [f"/e{i}" for i in range(5)]
    assert index.entries == w.entries
    with pytest.raises(RecordingFormatError, match="CRC"):
        index.load_chunk(index.entries[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert index.load_chunks() == []
    assert len(caught) == 1 and issubclass(caught[0].category, RecordingRecoveryWarning)
    assert "skipped 5 chunk frame(s)" in str(caught[0].message)


# ---------------------------------------------------------------------------------------------
# truncation and corruption


def test_truncation_at_every_byte_loads_a_prefix_of_whole_chunks(tmp_path: Path, tiny) -> None:
    data, chunks, entries, header_size = tiny
    ends = [e.offset + e.length for e in entries]
    clean_cuts = {header_size, *ends}
    path = tmp_path / "cut.avr"
    for cut in range(len(data)):
        path.write_bytes(data[:cut])
        loaded, caught = load(path)
        n_whole = sum(end <= cut for end in ends)
        assert len(loaded) == n_whole, cut
        assert all(same_chunk(a, b) for a, b in zip(loaded, chunks))
        assert all(issubclass(w.category, RecordingRecoveryWarning) for w in caught), cut
        assert len(caught) == (0 if cut in clean_cuts else 1), cut
        if caught:
            start = max([0] + [b for b in clean_cuts if b <= cut])
            msg = str(caught[0].message)
            assert f"dropped {cut - start} byte(s)" in msg and f"offset {start}" in msg, (cut, msg)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            index = open_index(path)
        assert not index.from_footer and [e.entity_path for e in index.entries] == ["/a", "/b", "/s"][:n_whole]


def test_full_file_loads_without_warning_and_crc_covers_every_payload(tmp_path: Path, tiny) -> None:
    data, chunks, entries, _ = tiny
    path = tmp_path / "ok.avr"
    path.write_bytes(data)
    loaded, caught = load(path)
    assert caught == [] and len(loaded) == 3
    damaged = bytearray(data)
    damaged[entries[1].offset + FRAME_HEADER_SIZE + 40] ^= 0x01  # one bit inside chunk /b
    path.write_bytes(bytes(damaged))
    loaded, caught = load(path)
    # the footer survives, so reading resumes after the damaged frame
    assert [c.entity_path for c in loaded] == ["/a", "/s"]
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert "1 chunk frame(s)" in msg and f"offset {entries[1].offset}" in msg and "CRC" in msg


@pytest.fixture(scope="module")
def flip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flips")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pos_frac=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_random_byte_flips_never_crash_or_lose_earlier_chunks(tiny, flip_dir: Path, pos_frac: float, mask: int) -> None:
    data, chunks, entries, _ = tiny
    pos = int(pos_frac * len(data))
    flipped = bytearray(data)
    flipped[pos] ^= mask
    path = flip_dir / "flip.avr"
    path.write_bytes(bytes(flipped))
    try:
        loaded, caught = load(path)
    except RecordingFormatError:  # includes NewerFormatError; only the header can cause this
        assert pos < entries[0].offset
        return
    assert all(issubclass(w.category, RecordingRecoveryWarning) for w in caught) and len(caught) <= 1
    intact_before = [c for c, e in zip(chunks, entries) if e.offset + e.length <= pos]
    assert all(same_chunk(a, b) for a, b in zip(loaded, intact_before))
    assert len(loaded) >= len(intact_before)
    remaining = iter(chunks)  # loaded chunks are originals, in order, each at most once
    assert all(any(same_chunk(c, o) for o in remaining) for c in loaded)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        index = open_index(path)
        assert len(index.load_chunks()) <= len(chunks)


def test_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "photo.avr"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(RecordingFormatError, match="is not an annoview recording"):
        read_avr(path)
    with pytest.raises(RecordingFormatError, match="is not an annoview recording"):
        open_index(path)
    path.write_bytes(b"hello")
    with pytest.raises(RecordingFormatError, match="is not an annoview recording"):
        list(read_avr(path))


def test_newer_version_names_both_versions(tmp_path: Path, tiny) -> None:
    data = bytearray(tiny[0])
    data[8:12] = struct.pack("<I", 7)
    path = tmp_path / "future.avr"
    path.write_bytes(bytes(data))
    for fn in (read_avr, open_index, read_avr_header):
        with pytest.raises(NewerFormatError, match="version 7.*version 1"):
            fn(path)


def test_an_absurd_version_is_damage_not_a_newer_file(tmp_path: Path, tiny) -> None:
    """Bytes after the magic that read as version 2,004,515,192 are a damaged header: the error
    says so instead of asking the user to upgrade annoview."""
    data = bytearray(tiny[0])
    data[8:12] = b"xyzw"
    path = tmp_path / "damaged.avr"
    path.write_bytes(bytes(data))
    for fn in (read_avr, open_index, read_avr_header):
        with pytest.raises(RecordingFormatError, match="damaged header") as info:
            fn(path)
        assert not isinstance(info.value, NewerFormatError) and "upgrade" not in str(info.value)


@pytest.mark.parametrize("bogus", [0xFFFF_FFF0, 50_000_000])
@pytest.mark.parametrize("keep_footer", [True, False])
def test_oversized_length_is_corruption_not_an_allocation(tmp_path: Path, tiny, bogus: int, keep_footer: bool) -> None:
    data, chunks, entries, _ = tiny
    damaged = bytearray(data if keep_footer else data[:entries[-1].offset + entries[-1].length])
    struct.pack_into("<I", damaged, entries[0].offset + 1, bogus)
    path = tmp_path / "big-length.avr"
    path.write_bytes(bytes(damaged))
    tracemalloc.start()
    try:
        loaded, caught = load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000
    assert [c.entity_path for c in loaded] == (["/b", "/s"] if keep_footer else [])
    assert len(caught) == 1 and f"offset {entries[0].offset}" in str(caught[0].message)


def test_corrupt_footer_falls_back_to_scanning(tmp_path: Path, tiny) -> None:
    data, chunks, entries, _ = tiny
    footer_offset = entries[-1].offset + entries[-1].length
    damaged = bytearray(data)
    damaged[footer_offset + FRAME_HEADER_SIZE + 30] ^= 0xFF
    path = tmp_path / "bad-footer.avr"
    path.write_bytes(bytes(damaged))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index = open_index(path)
    assert not index.from_footer and index.entries == entries
    assert len(caught) == 1 and f"offset {footer_offset}" in str(caught[0].message)
    loaded, caught = load(path)
    assert len(loaded) == 3 and all(same_chunk(a, b) for a, b in zip(loaded, chunks)) and len(caught) == 1


# ---------------------------------------------------------------------------------------------
# writer behaviour


def test_unclosed_writer_leaves_every_written_chunk_loadable(tmp_path: Path) -> None:
    path = tmp_path / "live.avr"
    chunks = [make_chunk(f"/e{i}", i) for i in range(3)]
    w = write(path, chunks, close=False)
    w.flush()
    loaded, caught = load(path)  # as if the logger had crashed here: no footer, no warning
    assert caught == [] and len(loaded) == 3 and all(same_chunk(a, b) for a, b in zip(loaded, chunks))
    index = open_index(path)
    assert not index.from_footer and index.entity_paths() == ["/e0", "/e1", "/e2"]
    w.close()
    w.close()  # idempotent
    assert open_index(path).from_footer
    with pytest.raises(ValueError, match="closed"):
        w.write_chunk(chunks[0])


def test_recording_without_chunks_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "empty.avr"
    with AvrWriter(path, application_id="nothing") as w:
        pass
    loaded, caught = load(path)
    assert loaded == [] and caught == []
    index = open_index(path)
    assert index.from_footer and index.entries == [] and index.timelines() == {}
    assert index.header is not None and index.header.application_id == "nothing"
    assert path.stat().st_size == w.header.size + FRAME_HEADER_SIZE + len(avr.encode_footer([])) + TRAILER_SIZE


def test_writer_is_thread_safe(tmp_path: Path) -> None:
    path = tmp_path / "threads.avr"
    with AvrWriter(path, application_id="threads") as w:
        def work(k: int) -> None:
            for i in range(20):
                w.write_chunk(make_chunk(f"/t{k}", i * 10, rows=2, points=50))
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    loaded, caught = load(path)
    assert caught == [] and len(loaded) == 80
    for k in range(4):  # per thread, its chunks appear in the order it wrote them
        times = [int(c.times("frame")[0]) for c in loaded if c.entity_path == f"/t{k}"]
        assert times == [i * 10 for i in range(20)]
    assert open_index(path).entries == open_index(path, use_footer=False).entries


# ---------------------------------------------------------------------------------------------
# stream framing


def test_frame_decoder_byte_at_a_time_matches_whole_and_the_file(tiny) -> None:
    data, chunks, entries, header_size = tiny
    footer_offset = entries[-1].offset + entries[-1].length
    body = data[header_size:len(data) - TRAILER_SIZE]  # the file's frames are the stream's frames
    whole = FrameDecoder().feed(body)
    dec = FrameDecoder()
    trickled = [frame for i in range(len(body)) for frame in dec.feed(body[i:i + 1])]
    dec.finish()
    assert trickled == whole
    assert [t for t, _ in whole] == [FRAME_CHUNK] * 3 + [FRAME_FOOTER]
    assert all(same_chunk(Chunk.from_ipc(p), c) for (_, p), c in zip(whole, chunks))
    assert encode_frame(FRAME_CHUNK, whole[0][1]) == data[entries[0].offset:entries[0].offset + entries[0].length]
    assert len(whole[-1][1]) + FRAME_HEADER_SIZE == len(data) - TRAILER_SIZE - footer_offset


def test_frame_decoder_rejects_bad_crc_and_oversized_length() -> None:
    good = encode_frame(FRAME_CHUNK, b"payload-1")
    bad = bytearray(encode_frame(FRAME_CHUNK, b"payload-2"))
    bad[-1] ^= 0x10
    dec = FrameDecoder()
    assert dec.feed(good + bytes(bad)) == [(FRAME_CHUNK, b"payload-1")]  # the good frame is not lost
    with pytest.raises(RecordingFormatError, match="CRC"):
        dec.feed(b"")
    small = FrameDecoder(max_frame_len=1000)
    with pytest.raises(RecordingFormatError, match="exceeds"):
        small.feed(struct.pack("<BII", FRAME_CHUNK, 1001, 0))
    with pytest.raises(RecordingFormatError, match="unknown frame type"):
        FrameDecoder().feed(struct.pack("<BII", 9, 1, 0))
    cut = FrameDecoder()
    assert cut.feed(good[:-3]) == []
    with pytest.raises(RecordingFormatError, match="ended inside a frame"):
        cut.finish()
