"""Loading a Rerun .rrd: annoview's import into its Store vs rerun-sdk's own reader.

    python benchmarks/bench_rrd.py [--size-mb 100] [--entities 8] [--points 1000] [--image 160]

Writes a recording of about --size-mb with the real rerun-sdk in a subprocess (a Rerun script:
per frame, --entities Points2D entities with --points class- and keypoint-annotated points, and
one --image x --image uint16 SegmentationImage; random data, so it does not compress), then
times in the same run, best of 3, alternating:
  (a) annoview: read_rrd(path) + Store.add_chunks  (decode, map to annoview chunks, index);
  (b) rerun-sdk: RrdReader(path).stream(), every chunk to an Arrow record batch.
(a) includes (b)'s work (annoview reads through rerun-sdk), so the ratio is >= 1; what it
measures is the cost of the mapping plus the store's indexing. The file is in the OS page cache
for both. The last line is `rrd_load_ratio_vs_rerun=X.XX` (time (a) / time (b)).
Needs the optional extra: pip install 'annoview[rerun]'. The file is deleted at the end.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path


def write_recording(path: Path, size_mb: int, entities: int, points: int, image: int) -> float:
    """Log frames with rerun-sdk until about size_mb of raw payload; returns seconds taken."""
    per_frame = entities * points * (8 + 2 + 2) + image * image * 2
    frames = max(1, int(size_mb * (1 << 20) * 1.45) // per_frame)  # Rerun LZ4-compresses the ids: ~0.7
    script = textwrap.dedent(f"""
        import numpy as np
        import rerun as rr
        rr.init("bench_rrd", recording_id="bench")
        rr.save({str(path)!r})
        rng = np.random.default_rng(0)
        rr.log("/", rr.AnnotationContext([(i, f"class {{i}}") for i in range(20)]), static=True)
        pos = [rng.random(({points}, 2), dtype=np.float32) * 1000 for _ in range(8)]
        cls = [rng.integers(0, 20, {points}).astype(np.uint16) for _ in range(8)]
        kps = np.arange({points}, dtype=np.uint16) % 17
        seg = [rng.integers(0, 20, ({image}, {image})).astype(np.uint16) for _ in range(4)]
        for f in range({frames}):
            rr.set_time("frame", sequence=f)
            for e in range({entities}):
                rr.log(f"world/people{{e}}", rr.Points2D(pos[(f + e) % 8] + f, class_ids=cls[(f + e) % 8], keypoint_ids=kps))
            rr.log("world/seg", rr.SegmentationImage(seg[f % 4]))
        rr.disconnect()
    """)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True)
    return time.perf_counter() - t0


def load_annoview(path: Path) -> tuple[float, int, int]:
    from annoview.io.rrd import read_rrd
    from annoview.store import Store

    t0 = time.perf_counter()
    store = Store()
    store.add_chunks(read_rrd(path))
    store.latest_at("/world/seg", "frame", 0)  # indexes are built lazily: include that work
    elapsed = time.perf_counter() - t0
    return elapsed, len(store.chunks), sum(c.num_rows for c in store.chunks)


def load_rerun(path: Path) -> tuple[float, int, int]:
    from rerun.chunk import RrdReader

    t0 = time.perf_counter()
    batches = [chunk.to_record_batch() for chunk in RrdReader(str(path)).stream()]
    elapsed = time.perf_counter() - t0
    return elapsed, len(batches), sum(b.num_rows for b in batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--entities", type=int, default=8)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--image", type=int, default=160)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import rerun.chunk  # noqa: F401
    except ImportError:
        sys.exit("bench_rrd needs the optional extra: pip install 'annoview[rerun]'")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.rrd"
        secs = write_recording(path, args.size_mb, args.entities, args.points, args.image)
        print(f"wrote {path.stat().st_size / 1e6:.1f} MB with rerun-sdk in {secs:.1f} s")
        ours, theirs = [], []
        for _ in range(args.repeat):
            t, chunks_a, rows_a = load_annoview(path)
            ours.append(t)
            t, chunks_b, rows_b = load_rerun(path)
            theirs.append(t)
        a, b = min(ours), min(theirs)
        mb = path.stat().st_size / 1e6
        print(f"annoview read_rrd + Store.add_chunks: {a * 1000:8.1f} ms  ({chunks_a} chunks, {rows_a} rows, {mb / a:.0f} MB/s)")
        print(f"rerun-sdk RrdReader -> record batches: {b * 1000:8.1f} ms  ({chunks_b} chunks, {rows_b} rows, {mb / b:.0f} MB/s)")
        print(f"rrd_load_ratio_vs_rerun={a / b:.2f}")


if __name__ == "__main__":
    main()
