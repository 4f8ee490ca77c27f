"""Opening a big .avr recording: footer index vs scanning the whole file.

    python benchmarks/bench_open.py [--size-mb 1024] [--entities 2000] [--points 10000]

Writes a recording of about --size-mb in a temporary directory (many entities, Points2D chunks
with --points points per row, timeline "frame"), then times in the same run:
  (a) open_index(path)                  + listing entity paths and timeline ranges (footer);
  (b) open_index(path, use_footer=False) + the same listing (scan and decode every frame).
Target: (a) < 1 s for 1 GB. The file was just written, so both runs read from the OS page
cache: (b) is a lower bound of a cold scan, which only makes the footer's advantage larger.
The last line is `open_speedup_vs_scan=X.XX` (time (b) / time (a)). The file is deleted at the end.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from annoview.chunk import Chunk, build_chunk, row_ids_to_array
from annoview.io.avr import AvrIndex, AvrWriter, open_index
from annoview.types.kinds import Kind


def template_chunk(rows: int, points: int) -> Chunk:
    """One chunk whose (large) component columns every written chunk reuses: writing 1 GB then
    costs serialization + CRC + disk only, not building millions of points per chunk."""
    rng = np.random.default_rng(0)
    positions = [rng.random((points, 2), dtype=np.float32) * 1000 for _ in range(rows)]
    class_ids = [rng.integers(0, 20, points).astype(np.uint16) for _ in range(rows)]
    return build_chunk("/template", False, np.zeros(rows, np.uint64), np.arange(rows, dtype=np.uint64),
                       {"frame": ("sequence", np.arange(rows))},
                       {"Points2D:positions": (Kind.VEC2, positions), "Points2D:class_ids": (Kind.ID, class_ids)})


def variant(template: Chunk, entity_path: str, first_frame: int, first_row: int) -> Chunk:
    """The template with its own entity path, frame times and row ids (cheap: no data copy)."""
    batch = template.batch
    rows = batch.num_rows
    schema = batch.schema.with_metadata({**batch.schema.metadata, b"annoview:entity_path": entity_path.encode()})
    arrays = list(batch.columns)
    arrays[schema.get_field_index("row_id")] = row_ids_to_array(
        np.ones(rows, np.uint64), np.arange(first_row, first_row + rows, dtype=np.uint64))
    arrays[schema.get_field_index("frame")] = pa.array(np.arange(first_frame, first_frame + rows, dtype=np.int64))
    return Chunk(entity_path, False, pa.RecordBatch.from_arrays(arrays, schema=schema))


def write_recording(path: Path, size_mb: int, entities: int, rows: int, points: int) -> tuple[int, float]:
    """Round-robin over entities until the file reaches size_mb; returns (chunks, seconds)."""
    template = template_chunk(rows, points)
    target = size_mb * (1 << 20)
    t0 = time.perf_counter()
    n = 0
    with AvrWriter(path, application_id="bench_open") as writer:
        written = 0
        while written < target:
            entity, lap = n % entities, n // entities
            entry = writer.write_chunk(variant(template, f"/world/cam{entity % 16}/obj{entity}", lap * rows, n * rows))
            written = entry.offset + entry.length
            n += 1
    return n, time.perf_counter() - t0


def listing(index: AvrIndex) -> tuple[list[str], dict[str, tuple[str, int, int]]]:
    """What a viewer needs to show the entity tree and the time slider before loading data."""
    return index.entity_paths(), index.timelines()


def time_open(path: Path, use_footer: bool) -> tuple[float, AvrIndex, tuple]:
    t0 = time.perf_counter()
    index = open_index(path, use_footer=use_footer)
    result = listing(index)
    return time.perf_counter() - t0, index, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--entities", type=int, default=2000)
    ap.add_argument("--points", type=int, default=10_000, help="points per row")
    ap.add_argument("--rows", type=int, default=2, help="rows per chunk")
    ap.add_argument("--repeat", type=int, default=5, help="runs of the footer open (median reported)")
    ap.add_argument("--dir", default=None, help="where to put the temporary recording")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_open_", dir=args.dir) as tmp:
        path = Path(tmp) / "big.avr"
        n_chunks, write_s = write_recording(path, args.size_mb, args.entities, args.rows, args.points)
        size = path.stat().st_size
        print(f"wrote {size / 2**20:.0f} MiB, {n_chunks} chunks, {min(n_chunks, args.entities)} entities "
              f"in {write_s:.1f} s ({size / 2**20 / write_s:.0f} MiB/s)")

        footer_runs = [time_open(path, use_footer=True) for _ in range(args.repeat)]
        footer_s = statistics.median(r[0] for r in footer_runs)
        _, footer_index, footer_listing = footer_runs[0]
        scan_s, scan_index, scan_listing = time_open(path, use_footer=False)

        assert footer_index.from_footer and not scan_index.from_footer
        assert footer_listing == scan_listing, "footer and scan disagree"
        assert footer_index.entries == scan_index.entries, "footer and scan disagree"
        paths, timelines = footer_listing
        print(f"listing: {len(paths)} entity paths, timelines {timelines}")
        print(f"(a) open_index with footer + listing: {footer_s * 1000:.2f} ms "
              f"(median of {args.repeat}; runs {', '.join(f'{r[0] * 1000:.2f}' for r in footer_runs)} ms)")
        print(f"(b) scan whole file + listing:        {scan_s * 1000:.2f} ms ({size / 2**20 / scan_s:.0f} MiB/s)")
        print(f"target (a) < 1 s for 1 GB: {'met' if footer_s < 1.0 else 'MISSED'}")
    print(f"open_speedup_vs_scan={scan_s / footer_s:.2f}")


if __name__ == "__main__":
    main()
