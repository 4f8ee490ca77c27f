"""A recording larger than the memory limit: open it, scrub, play, and watch peak RSS.

    python benchmarks/bench_bigfile.py [--gb 8] [--limit 1GB] [--scrubs 200] [--play 300]

Writes a recording of about --gb GB into a temporary directory (1024x1024 uint16 segmentation
masks, 2 MiB each, plus a 17-keypoint skeleton per frame, timeline "frame"), then, each in a fresh
process so peak RSS is its own:
  (a) limited: the big file opened with --limit (the viewer's FileLoader into a Store with that
      memory limit, prefetcher on, as `annoview FILE --memory-limit` does);
  (b) unlimited: a file of the same data that fits in memory (--gb / 8), opened with no limit.
For each: time to first frame (open -> first scene built, while the rest still loads), time until
the whole file is indexed, p50/p95 ms to show a random frame (200 random times: scene build with
the mask's pixels materialized, reading evicted chunks back from the file), p50/p95 ms per frame
while playing 300 consecutive frames (prefetch reads ahead), and peak RSS. `annoview info` and
`annoview screenshot --memory-limit LIMIT` run on the big file too (each in its own process:
seconds and peak RSS; the screenshot's includes the software GL driver). Both files are then
opened again as before the footer row index existed (the row index ignored, as for a file an
older writer wrote: every chunk is read once to index it), for the before/after open figures.

"Show a frame" stops before GL: the GPU upload is the same with or without a limit, and under a
software GL driver its buffers would count in RSS. Fixed overhead: the process's RSS before
opening the file (interpreter, numpy, pyarrow, annoview) plus 256 MiB of working set (the
frame being built, the pages of the chunk being read, allocator slack); peak RSS must stay under
limit + that. The last line is `bigfile_peak_rss_over_limit=X.XX` (peak RSS / limit). The
files are deleted at the end. The figures depend on the page cache and on what else runs on the
machine: the reload times here are reads from the OS cache or the disk, as they come.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIDE = 1024
FIXED_OVERHEAD = 256 * 2**20


def write_recording(path: Path, gb: float) -> int:
    """About `gb` GB of masks + skeletons; returns the number of frames."""
    import annoview as rr

    frames = max(8, int(gb * 1e9 / (SIDE * SIDE * 2)))
    rng = np.random.default_rng(0)
    base = rng.integers(0, 8, (SIDE, SIDE // 64), dtype=np.uint16).repeat(64, axis=1)
    rec = rr.RecordingStream("bench_bigfile", recording_id="bench-bigfile")
    rec.save(path)
    kp = rng.random((17, 2)).astype(np.float32) * SIDE
    for i in range(frames):
        rec.set_time("frame", sequence=i)
        mask = base.copy()
        mask[(i * 7) % SIDE, :] = 9                    # each frame differs
        rec.log("camera/mask", rr.SegmentationImage(mask))
        rec.log("camera/skeleton", rr.Points2D(kp + i % 50, class_ids=1, keypoint_ids=np.arange(17)))
        rec.flush()                                    # one chunk per entity and frame
    rec.flush()
    rec.disconnect()
    return frames


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(path: str, limit: int | None, scrubs: int, play: int, seed: int = 1, before: bool = False) -> dict:
    """Run in a fresh process: open, first frame, index, scrub, play; figures as a dict.
    before=True opens the file as before the footer row index existed (as an older file is
    opened): the row index is ignored, so every chunk is read once to index it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if before:
        import dataclasses

        import annoview.io.avr as avr

        real_open_index = avr.open_index

        def open_without_rows(p, use_footer: bool = True):
            index = real_open_index(p, use_footer)
            index.entries = [dataclasses.replace(e, rows=None) for e in index.entries]
            return index

        avr.open_index = open_without_rows
    from app.viewer.loader import FileLoader
    from annoview.scene import SceneBuilder
    from annoview.store import Store
    from annoview.store.prefetch import Prefetcher

    base_rss = rss_bytes()
    peak = [base_rss]

    def show(builder: SceneBuilder, t: int) -> float:
        t0 = time.perf_counter()
        scene = builder.build("frame", t)
        for v in scene.visuals_2d:             # materialize pixels / points as a draw would
            arr = getattr(v, "ids", None)
            if arr is None:
                arr = getattr(v, "positions", None)
            if arr is not None:
                np.asarray(arr).sum()
        dt = time.perf_counter() - t0
        peak[0] = max(peak[0], rss_bytes())
        return dt * 1e3

    t_open = time.perf_counter()
    store = Store(limit)
    loader = FileLoader(path, store).start()
    builder = SceneBuilder(store)
    while "frame" not in store.timelines() and loader.progress.active:
        time.sleep(0.001)
    tl = store.timelines()["frame"]
    show(builder, tl.min)
    first_frame_ms = (time.perf_counter() - t_open) * 1e3
    while not loader.progress.indexed and loader.progress.active:
        peak[0] = max(peak[0], rss_bytes())
        time.sleep(0.005)
    indexed_s = time.perf_counter() - t_open
    while not loader.join(0.05):     # a file that fits in the limit is then read whole (warm-up)
        peak[0] = max(peak[0], rss_bytes())
    loaded_s = time.perf_counter() - t_open
    assert loader.progress.state == "done", loader.progress.error
    tl = store.timelines()["frame"]
    rng = np.random.default_rng(seed)
    scrub_ms = [show(builder, int(t)) for t in rng.integers(tl.min, tl.max + 1, scrubs)]
    times = store.timeline_times("frame")
    pf = Prefetcher(store)
    start = int(rng.integers(0, max(1, len(times) - play)))
    play_ms = []
    for t in times[start:start + play].tolist():
        pf.hint("frame", int(t), +1, times)
        play_ms.append(show(builder, int(t)))
        time.sleep(max(0.0, 1 / 30 - play_ms[-1] / 1e3))   # 30 fps playback: prefetch gets the gaps
    pf.stop()
    st = store.chunks.stats
    scrub_ms, play_ms = scrub_ms or [float("nan")], play_ms or [float("nan")]
    return {
        "limit": limit, "base_rss": base_rss, "peak_rss": max(peak[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
        "first_frame_ms": first_frame_ms, "indexed_s": indexed_s, "loaded_s": loaded_s,
        "scrub_p50": statistics.median(scrub_ms), "scrub_p95": float(np.percentile(scrub_ms, 95)),
        "play_p50": statistics.median(play_ms), "play_p95": float(np.percentile(play_ms, 95)),
        "evictions": st.evictions, "reloads": st.reloads, "prefetched": pf.loaded,
        "peak_resident": st.peak_resident_bytes, "chunks": len(store.chunks),
    }


def run_child(path: Path, limit: int | None, args: argparse.Namespace, before: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", str(path), "--limit", str(limit) if limit else "none",
           "--scrubs", str(args.scrubs if not before else 20), "--play", str(args.play if not before else 30)]
    if before:
        cmd.append("--before")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


CLI_CHILD = """
import json, resource, sys, time
from annoview.app.cli import main
t0 = time.perf_counter()
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "s": time.perf_counter() - t0,
                  "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def cli_peak(argv: list[str]) -> dict:
    """Run `annoview ARGV` in a fresh process: its exit code, seconds and peak RSS."""
    out = subprocess.run([sys.executable, "-c", CLI_CHILD, *argv], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(name: str, size: int, r: dict) -> None:
    mib = 2**20
    lim = "none" if r["limit"] is None else f"{r['limit'] / mib:.0f} MiB"
    print(f"{name}: file {size / 1e9:.2f} GB, {r['chunks']} chunks, limit {lim}")
    print(f"  time to first frame   {r['first_frame_ms']:8.1f} ms   whole file indexed after {r['indexed_s']:.2f} s"
          f"   (and read, when it fits in the limit, after {r['loaded_s']:.2f} s)")
    print(f"  random frame          p50 {r['scrub_p50']:7.1f} ms   p95 {r['scrub_p95']:7.1f} ms")
    print(f"  playing (30 fps)      p50 {r['play_p50']:7.1f} ms   p95 {r['play_p95']:7.1f} ms   "
          f"(prefetched {r['prefetched']} chunks)")
    print(f"  RSS before open {r['base_rss'] / mib:7.0f} MiB   peak RSS {r['peak_rss'] / mib:7.0f} MiB   "
          f"peak resident chunk data {r['peak_resident'] / mib:.0f} MiB   evictions {r['evictions']}  reloads {r['reloads']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gb", type=float, default=8.0)
    ap.add_argument("--limit", default="1GB")
    ap.add_argument("--scrubs", type=int, default=200)
    ap.add_argument("--play", type=int, default=300)
    ap.add_argument("--dir", default=None, help="where to write the files (default: the system temp dir)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--before", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    from annoview.store.budget import parse_memory_limit

    limit = parse_memory_limit(args.limit) if args.limit != "none" else None
    if args.child:
        print(json.dumps(measure(args.child, limit, args.scrubs, args.play, before=args.before)))
        return
    if limit is None:
        raise SystemExit("--limit: this benchmark needs a limit")
    tmp = Path(tempfile.mkdtemp(prefix="bench_bigfile-", dir=args.dir))
    try:
        free = shutil.disk_usage(tmp).free
        need = args.gb * 1.15e9
        if free < need:
            raise SystemExit(f"{tmp}: {free / 1e9:.1f} GB free, the files need {need / 1e9:.1f} GB")
        big, small = tmp / "big.avr", tmp / "small.avr"
        t0 = time.perf_counter()
        frames = write_recording(big, args.gb)
        print(f"wrote {big.stat().st_size / 1e9:.2f} GB ({frames} frames of {SIDE}x{SIDE} uint16 masks + "
              f"17-keypoint skeletons) in {time.perf_counter() - t0:.1f} s")
        write_recording(small, args.gb / 8)
        limited = run_child(big, limit, args)
        unlimited = run_child(small, None, args)
        limited_before = run_child(big, limit, args, before=True)
        unlimited_before = run_child(small, None, args, before=True)
        report("limited  ", big.stat().st_size, limited)
        report("unlimited", small.stat().st_size, unlimited)
        report("limited, before the footer row index (every chunk read to index it)  ", big.stat().st_size,
               limited_before)
        report("unlimited, before the footer row index", small.stat().st_size, unlimited_before)
        info = cli_peak(["info", str(big)])
        shot = cli_peak(["screenshot", str(big), "--out", str(tmp / "shot.png"), "--size", "512x512",
                         "--memory-limit", args.limit, "--time", f"frame={frames // 2}"])
        for name, r in (("annoview info", info), (f"annoview screenshot --memory-limit {args.limit}", shot)):
            print(f"{name} on the {big.stat().st_size / 1e9:.2f} GB file: exit {r['rc']}, {r['s']:.2f} s, "
                  f"peak RSS {r['peak_rss'] / 2**20:.0f} MiB")
        for name, now, old in (("limited", limited, limited_before), ("unlimited", unlimited, unlimited_before)):
            print(f"{name}: time to fully indexed before/after = {old['indexed_s']:.2f} s / {now['indexed_s']:.2f} s = "
                  f"{old['indexed_s'] / now['indexed_s']:.0f}x; first frame {old['first_frame_ms']:.0f} ms / "
                  f"{now['first_frame_ms']:.0f} ms")
        bound = limit + limited["base_rss"] + FIXED_OVERHEAD
        ok = limited["peak_rss"] <= bound
        print(f"peak RSS {limited['peak_rss'] / 2**20:.0f} MiB vs bound limit + RSS before open + 256 MiB = "
              f"{bound / 2**20:.0f} MiB: {'OK' if ok else 'OVER'}")
        print(f"random frame p50 limited/unlimited = {limited['scrub_p50'] / unlimited['scrub_p50']:.2f}")
        print(f"bigfile_peak_rss_over_limit={limited['peak_rss'] / limit:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
