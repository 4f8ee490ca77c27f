"""Cost of validating chunk frames before trusting them (Chunk.from_ipc).

    python benchmarks/bench_validate.py [--repeat 2000]

Times in the same run, for a small chunk (3 rows of 20 points) and a big one (5 rows of 200,000
points with labels):
  (a) pyarrow reading the IPC stream alone (zero-copy, no checks: what a trusting reader does);
  (b) Chunk.from_ipc: the IPC guard (io/ipc_guard.py), Arrow's full validation, the cached
      schema checks and the per-batch checks (io/chunk_check.py).
Prints microseconds per chunk and MB/s; the last line is `validate_overhead_small=X.XX`
(time (b) / time (a) for the small chunk, the case where fixed per-chunk costs dominate).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa

from annoview.chunk import Chunk, build_chunk
from annoview.types.kinds import Kind


def make_chunk(points: int, rows: int) -> bytes:
    cells = [np.full((points, 2), float(i), np.float32) for i in range(rows)]
    return build_chunk("/world/points", False, np.full(rows, 7, np.uint64), np.arange(rows, dtype=np.uint64),
                       {"frame": ("sequence", np.arange(rows))},
                       {"Points2D:positions": (Kind.VEC2, cells),
                        "Points2D:class_ids": (Kind.ID, [np.ones(points, np.uint16)] * rows),
                        "Points2D:labels": (Kind.STR, [["label"] * points] * rows)}).to_ipc()


def per_call(fn, repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t) / repeat)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2000)
    args = ap.parse_args()
    ratios = {}
    for name, payload, repeat in (("small", make_chunk(20, 3), args.repeat),
                                  ("big", make_chunk(200_000, 5), max(3, args.repeat // 500))):
        a = per_call(lambda: list(pa.ipc.open_stream(pa.py_buffer(payload))), repeat)
        b = per_call(lambda: Chunk.from_ipc(payload), repeat)
        ratios[name] = b / a
        print(f"{name:5s} chunk {len(payload) / 1e6:7.2f} MB: arrow read {a * 1e6:9.1f} us, validated "
              f"Chunk.from_ipc {b * 1e6:9.1f} us ({len(payload) / b / 1e6:7.0f} MB/s), ratio {b / a:.2f}")
    print(f"validate_overhead_small={ratios['small']:.2f}")


if __name__ == "__main__":
    main()
