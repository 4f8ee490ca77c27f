"""Memory limit: evicted chunks read back from the file (or a spill file) give exactly what a
fully loaded store gives; the limit holds under concurrent load and scrub; nothing streamed is lost."""
from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annoview as rr
from annoview.io.avr import read_avr
from annoview.store import Store
from annoview.store.budget import MIN_LIMIT, parse_memory_limit, total_ram
from annoview.store.prefetch import Prefetcher

FRAMES = 24
SIDE = 48


def _write(path, frames: int = FRAMES) -> None:
    rr.init("memtest", recording_id="memtest")
    rr.save(path)
    rr.log("seg", rr.AnnotationContext([(1, "a", (255, 0, 0)), (2, "b", (0, 255, 0)), (3, "c", (0, 0, 255))]),
           static=True)
    for i in range(frames):
        rr.set_time("frame", sequence=i * 2)          # gaps: latest-at between data times
        ids = np.zeros((SIDE, SIDE), np.uint16)
        ids[(i * 3) % SIDE:, : (i * 5) % SIDE + 1] = 1 + i % 3
        rr.log("seg", rr.SegmentationImage(ids))
        if i % 3 == 0:                                 # sparse: latest-at reaches back over evicted chunks
            rr.log("pts", rr.Points2D([[i, i], [SIDE - i, 5]], radii=2.0, class_ids=[2, 3]))
        rr.flush()
    rr.disconnect()


def _load(path, limit):
    from app.viewer.loader import FileLoader

    store = Store(limit)
    loader = FileLoader(str(path), store)
    loader.run_here()
    assert loader.progress.state == "done", loader.progress.error
    return store


def _chunk_bytes(store: Store) -> int:
    return max(store.chunks.nbytes(i) for i in range(len(store.chunks)))


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    path = tmp_path_factory.mktemp("mem") / "rec.avr"
    _write(path)
    return path


@pytest.fixture(scope="module")
def base_footer_recording(recording, tmp_path_factory):
    """The same chunks in a file whose footer has no row index (as older writers wrote): the
    store reads every chunk once at open to index it."""
    from annoview.io.avr import AvrWriter

    path = tmp_path_factory.mktemp("mem_base") / "base.avr"
    with AvrWriter(path, "memtest", row_index=False) as w:
        for c in read_avr(recording):
            w.write_chunk(c)
    return path


@pytest.fixture(scope="module")
def renderers():
    from annoview.render import Renderer

    a, b = Renderer(), Renderer()   # separate GPU caches: the limited store must upload its own data
    yield a, b
    a.release()
    b.release()


def _render(renderer, store: Store, t: int) -> np.ndarray:
    from annoview.render import Camera2D, SceneRenderer
    from annoview.scene import SceneBuilder

    scene = SceneBuilder(store).build("frame", t)
    frame, _ = SceneRenderer(renderer).render_2d(scene, (SIDE, SIDE), Camera2D.from_rect(0, 0, SIDE, SIDE, SIDE, SIDE))
    return np.array(frame.read_rgba())


@pytest.fixture(scope="module")
def expected(recording, renderers):
    full = _load(recording, None)
    return {t: _render(renderers[0], full, t) for t in range(-1, 2 * FRAMES + 1)}


@pytest.mark.parametrize("footer", ["row index", "base"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.lists(st.integers(-1, 2 * FRAMES), min_size=3, max_size=10), chunks_kept=st.integers(1, 4))
def test_evict_and_reload_give_the_pixels_of_a_fully_loaded_store(recording, base_footer_recording, renderers,
                                                                   expected, footer, order, chunks_kept):
    """Indexed from the footer's row index (chunks read on first use) or by reading every chunk
    at open (a footer without one): after evictions, any scrub order shows the same pixels."""
    path = recording if footer == "row index" else base_footer_recording
    probe = _load(path, None)
    limit = chunks_kept * _chunk_bytes(probe)
    store = _load(path, limit)
    for t in range(2 * FRAMES, -2, -1):     # read every chunk once, newest first: most are evicted again
        _values(store, t)
    assert store.chunks.stats.evictions > 0, "the budget must force evictions for this test to mean anything"
    for t in order:
        got = _render(renderers[1], store, t)
        assert np.array_equal(got, expected[t]), f"frame at t={t} differs after eviction/reload"
        # the table is within budget after the frame (one chunk may exceed a budget smaller than itself)
        assert store.chunks.resident_bytes() <= limit + _chunk_bytes(store) + _static_bytes(store)


def _static_bytes(store: Store) -> int:
    return sum(store.chunks.nbytes(i) for i in range(len(store.chunks)) if store.chunks._slots[i].static)


def _values(store: Store, t: int) -> dict:
    out = {}
    for path in store.entity_paths():
        for comp, ref in store.latest_at(path, "frame", t).items():
            out[(path, comp)] = (ref.row_key, repr(ref.value))
    return out


def test_a_stream_larger_than_the_budget_loses_nothing(recording):
    """Chunks without a file behind them (a live stream) are spilled to a temporary .avr when
    evicted and read back from it, value for value."""
    originals = list(read_avr(recording))
    full = Store()
    full.add_chunks(originals)
    limit = 2 * max(c.nbytes() for c in originals)
    live = Store(limit)
    for c in originals:
        live.add_chunk(c)          # no source: like the stream receiver
    originals_bytes = sum(c.nbytes() for c in originals)
    assert originals_bytes > 5 * limit
    st_ = live.chunks.stats
    assert st_.spilled > 0 and live.chunks.spill_path is not None and live.chunks.spill_path.exists()
    assert live.chunks.resident_bytes() <= limit + _static_bytes(live)
    for cid, c in enumerate(originals):
        assert live.chunks[cid].batch.equals(c.batch)
    for t in range(-1, 2 * FRAMES + 1):
        assert _values(live, t) == _values(full, t)
    spill = live.chunks.spill_path
    live.chunks.close()
    assert not spill.exists(), "the spill file is deleted when the recording is closed"


@pytest.mark.parametrize("footer", ["row index", "base"])
def test_the_budget_holds_under_concurrent_load_and_scrub(recording, base_footer_recording, footer):
    """Two threads scrub while the loader runs: from the footer's row index (no chunk read at
    open) and from a footer without one (every chunk read once while the scrubbers read too)."""
    from app.viewer.loader import FileLoader

    path = recording if footer == "row index" else base_footer_recording
    full = _load(path, None)
    chunk = _chunk_bytes(full)
    limit = 3 * chunk
    store = Store(limit)
    loader = FileLoader(str(path), store).start()
    errors: list[BaseException] = []
    peak = [0]

    def scrub(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            after = 0
            while after < 40:              # scrub while the loader runs, then 40 times more
                after += not loader.progress.active
                t = int(rng.integers(-1, 2 * FRAMES + 1))
                for path in store.entity_paths():
                    for ref in store.latest_at(path, "frame", t).values():
                        ref.value
                peak[0] = max(peak[0], store.chunks.resident_bytes())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=scrub, args=(s,)) for s in range(2)]
    for th in threads:
        th.start()
    assert loader.join(30)
    for th in threads:
        th.join(30)
    assert not errors, errors
    assert store.chunks.stats.evictions > 0 and store.chunks.stats.reloads > 0
    # over the limit by at most the chunks being read back at once (one per thread) plus static data
    assert peak[0] <= limit + 3 * chunk + _static_bytes(store)
    assert store.chunks.stats.peak_resident_bytes <= limit + 3 * chunk + _static_bytes(store)
    for t in range(-1, 2 * FRAMES + 1):
        assert _values(store, t) == _values(full, t)


def test_prefetch_reads_ahead_in_the_direction_of_playback(recording):
    full = _load(recording, None)
    store = _load(recording, 8 * _chunk_bytes(full))
    times = store.timeline_times("frame")
    pf = Prefetcher(store, steps=2)
    try:
        # visit the end so the start is evicted, then hint playback forward from the start
        for ref in store.latest_at("/seg", "frame", int(times[-1])).values():
            ref.value
        first = store.query(None, "frame", int(times[1]), read=False).hits["SegmentationImage:buffer"].chunk
        assert not store.chunks.is_resident(int(first[0]))
        pf.hint("frame", int(times[0]), +1, times)
        assert pf.wait_idle(10)
        assert store.chunks.is_resident(int(first[0])), "the next frame's chunk was read ahead"
        assert pf.loaded >= 1
        # backwards: the chunk before the cursor
        before = store.query(None, "frame", int(times[-6]), read=False).hits["SegmentationImage:buffer"].chunk
        for t in times[:4]:
            for ref in store.latest_at("/seg", "frame", int(t)).values():
                ref.value
        pf.hint("frame", int(times[-5]), -1, times)
        assert pf.wait_idle(10)
        assert store.chunks.is_resident(int(before[0]))
    finally:
        pf.stop()


def test_memory_limit_values():
    assert parse_memory_limit("2GB") == 2 * 10**9
    assert parse_memory_limit("512MiB") == 512 * 2**20
    assert parse_memory_limit(" 1.5 g ") == int(1.5e9)
    assert parse_memory_limit("none") is None
    if total_ram():
        assert parse_memory_limit("25%") == int(total_ram() * 0.25)
    for bad in ("2XB", "", "-1GB", "0%", "150%", "1KB", "lots"):
        with pytest.raises(ValueError):
            parse_memory_limit(bad)
    assert MIN_LIMIT > 0


def test_gpu_cache_drops_geometry_of_evicted_rows():
    import moderngl

    from annoview.render.cache import CacheEntry, GeometryCache
    from annoview.render.context import create_headless_context

    ctx = create_headless_context()
    cache = GeometryCache(ctx)
    a, b = (5, 1), (5, 2)
    for key in (("pts", (("Points2D:positions", a),), 0), ("batch", (("img", (("c", b),)),)), ("grid", 1.0)):
        cache.put(key, CacheEntry(objects={"v": cache.buffer(np.zeros(4, np.float32))}))
    assert cache.drop_rows({b}) == 1 and len(cache) == 2
    assert cache.drop_rows({a}) == 1 and len(cache) == 1
    assert isinstance(ctx, moderngl.Context)


def test_add_file_streams_a_recording_through_a_small_limit(recording):
    from annoview.store.ingest import add_file

    full = _load(recording, None)
    store = Store(2 * _chunk_bytes(full))
    add_file(store, recording)
    # indexed from the footer: only the static chunk was read
    assert store.chunks.stats.reloads == 0 and store.chunks.resident_bytes() == _static_bytes(store)
    assert store.timelines() == full.timelines() and store.entity_paths() == full.entity_paths()
    assert _values(store, 7) == _values(full, 7)
    assert store.chunks.stats.reloads == 2, "a time reads the chunks it shows, nothing else"
    for t in (0, 2 * FRAMES - 2, 3, *range(2 * FRAMES)):
        assert _values(store, t) == _values(full, t)
    assert store.chunks.stats.evictions > 0 and store.chunks.spill_path is None  # read back from the file itself


def test_screenshot_memory_limit_is_checked(recording, tmp_path, capsys):
    from annoview.app.cli import main

    base = ["screenshot", str(recording), "--size", "64x64"]
    assert main(base + ["--out", str(tmp_path / "a.png"), "--memory-limit", "2XB"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--memory-limit" in err[0]
    assert main(base + ["--out", str(tmp_path / "a.png"), "--memory-limit", "16MiB"]) == 0
    assert main(base + ["--out", str(tmp_path / "b.png"), "--memory-limit", "none"]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_viewer_with_a_memory_limit_plays_prefetches_and_shows_resident_ranges(recording):
    """The viewer wiring: a small limit, play through the recording, come back: same UI pixels,
    chunks were evicted and read back (some ahead of time), GPU geometry followed."""
    from annoview.app.viewer.app import App

    probe = _load(recording, None)
    app = App(size=(640, 400), vsync=False, memory_limit=3 * _chunk_bytes(probe))
    try:
        rec = app.open(str(recording), wait=True)
        for _ in range(3):
            app.frame()
        rec.time.set_time(4)
        app.frame()
        first = app.frame(capture=True)
        rec.time.playing = True
        for _ in range(40):
            app.frame()
            rec.time.advance(0.2)
        rec.time.playing = False
        rec.time.set_time(4)
        app.frame()
        again = app.frame(capture=True)
        bar_top = int(app.time_panel.bar_rect[1])   # the resident strip in the time bar may differ
        assert np.array_equal(first[:bar_top], again[:bar_top])
        table = rec.store.chunks
        assert table.stats.evictions > 0 and table.stats.reloads > 0
        assert rec.prefetcher is not None and rec.prefetcher.wait_idle(10)
        assert rec.prefetcher.loaded > 0
        assert table.track_evicted_rows, "the GPU cache follows evictions"
        info = rec.time.info
        spans = app.time_panel.resident_xs(rec, info, 500.0)
        assert spans and all(0 <= a <= b <= 499.5 for a, b in spans)
        assert len(spans) < len(rec.store.timeline_times("frame")), "only some ranges are resident"
    finally:
        app.release()


# --- a file that changes under the viewer ---------------------------------------------------------


def _lazy_copy(recording, tmp_path, limit: int | None = None):
    """A copy of the recording opened from its footer (nothing read yet), and the store."""
    from annoview.store.ingest import add_file

    path = tmp_path / "copy.avr"
    path.write_bytes(recording.read_bytes())
    store = Store(limit or 4 * MIN_LIMIT)
    add_file(store, path)
    return path, store


def _count_reads(store: Store) -> list[int]:
    """Wrap the store's file reader to count reads (a failed chunk must not be retried)."""
    reads = [0]
    source = next(s.source for s in store.chunks._slots if s.source is not None)
    real = source.file.load

    def counting(entry):
        reads[0] += 1
        return real(entry)

    source.file.load = counting
    return reads


def test_truncated_file_gives_one_problem_line_per_chunk_and_no_retry(recording, tmp_path):
    full = _load(recording, None)
    path, store = _lazy_copy(recording, tmp_path)
    assert _values(store, 2) == _values(full, 2)          # the start reads fine
    reads = _count_reads(store)
    with open(path, "r+b") as f:                            # the file is cut in half meanwhile
        f.truncate(path.stat().st_size // 2)
    late = 2 * FRAMES - 2
    query = store.query(None, "frame", late)       # what any scene build starts from ...
    for h in query.hits.values():
        for c in h.chunk.tolist():
            assert query.chunks[c].num_rows      # ... points only at chunks it can read
    got = _values(store, late)
    want = _values(full, late)
    assert ("/seg", "SegmentationImage:buffer") not in got   # the unreadable chunk is left out ...
    assert all(got[k] == want[k] for k in got) and got      # ... the rest is shown as it was
    problems = store.read_problems()
    assert problems and all("cannot read its data back" in p for p in problems)
    assert any(p.startswith(f"/seg at frame {late}:") for p in problems), problems
    assert store.chunks.take_failures() == problems and store.chunks.take_failures() == []
    n = reads[0]
    for _ in range(5):                                       # scrubbing there again reads nothing
        assert _values(store, late) == got
    assert reads[0] == n
    assert _values(store, 2) == _values(full, 2)            # data read before the cut stays


def test_replaced_or_deleted_file_keeps_reading_what_was_opened(recording, tmp_path):
    full = _load(recording, None)
    path, store = _lazy_copy(recording, tmp_path)
    other = tmp_path / "other.avr"
    _write(other, frames=3)
    os.replace(other, path)                                  # replaced: the open file is the old one
    assert _values(store, 30) == _values(full, 30)
    path.unlink()                                            # deleted: the same
    assert _values(store, 40) == _values(full, 40) and store.read_problems() == []


def test_chunk_damaged_in_place_fails_its_crc_once(recording, tmp_path):
    from annoview.io.avr import open_index

    full = _load(recording, None)
    path, store = _lazy_copy(recording, tmp_path)
    entry = [e for e in open_index(path).entries if e.entity_path == "/seg"][10]
    with open(path, "r+b") as f:                            # flip bytes inside the mask's frame
        f.seek(entry.offset + entry.length - 200)
        f.write(b"\xff" * 8)
    t = entry.timelines["frame"][1]
    got = _values(store, t)
    assert ("/seg", "SegmentationImage:buffer") not in got
    [line] = store.read_problems()
    assert line.startswith(f"/seg at frame {t}:") and "CRC" in line
    assert _values(store, t + 2) == _values(full, t + 2)


def test_screenshot_of_a_truncated_file_renders_the_rest_with_one_note(recording, tmp_path, capsys):
    from annoview.app.cli import main

    path = tmp_path / "cut.avr"
    data = recording.read_bytes()
    path.write_bytes(data)
    from annoview.io.avr import open_index

    index = open_index(path)
    last_seg = [e for e in index.entries if e.entity_path == "/seg"][-1]
    with open(path, "r+b") as f:        # damage the newest mask's frame, keep the footer
        f.seek(last_seg.offset + 20)
        f.write(b"\0" * 16)
    out = tmp_path / "cut.png"
    assert main(["screenshot", str(path), "--out", str(out), "--size", "64x64", "--memory-limit", "64MiB"]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert len(err) == 1 and "/seg at frame" in err[0] and "cannot read its data back" in err[0], err
    assert out.exists()


def test_viewer_shows_a_chunk_it_cannot_read_back_once_and_keeps_drawing(recording, tmp_path):
    from annoview.app.viewer.app import App

    path = tmp_path / "cut.avr"
    path.write_bytes(recording.read_bytes())
    app = App(size=(480, 320), vsync=False, memory_limit=3 * _chunk_bytes(_load(recording, None)))
    try:
        rec = app.open(str(path), wait=True)
        rec.time.set_time(2)
        app.frame()
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
        late = 2 * FRAMES - 2
        for _ in range(3):
            rec.time.set_time(late)
            app.frame()
            rec.time.set_time(late - 2)
            app.frame()
        lines = [n.text for n in app.notifications.log() if "cannot read its data back" in n.text]
        assert lines and len(lines) == len(set(lines)) == len(rec.store.read_problems())
        assert any(line.startswith(("/seg at frame ", "/pts at frame ")) for line in lines), lines
        assert rec.scene is not None and rec.scene.visuals_2d, "what could be read is still drawn"
    finally:
        app.release()


def test_a_recording_that_fits_is_read_whole_once_indexed_and_a_bigger_one_on_demand(recording):
    fits = _load(recording, 4 * MIN_LIMIT)
    assert all(fits.chunks.is_resident(i) for i in range(len(fits.chunks)))
    small = 3 * _chunk_bytes(fits)
    big = _load(recording, small)
    assert big.chunks.stats.reloads == 0 and big.chunks.resident_bytes() == _static_bytes(big)
