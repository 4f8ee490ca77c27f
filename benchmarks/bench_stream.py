"""Live streaming over loopback vs. writing the same data to a `.avr` file, in the same run.

A logger subprocess logs `--frames` Points2D rows of `--points` points each, either to a file
(`rr.save`) or to a StreamServer in this process (`rr.connect`) that puts every chunk into a
Store, as the viewer does. Separate processes, as in real use: the logger and the receiver do
not share a GIL.

Figures:
- throughput: rows (log calls), chunks, points and MB per second, from the first log call to
  the last chunk in the store (stream) or to the file closed (file);
- latency from log call to store: every row carries its log-call wall time (the `log_time`
  timeline the SDK stamps); the receiver subtracts it from the wall time after
  `Store.add_chunk` returns. Measured on a paced run (`--hz` rows per second) with the SDK's
  default micro-batching (rows wait up to 50 ms for company), and with `rr.flush()` after each
  log call (the transport alone).
Last line: `stream_throughput_vs_file=X.XX` (stream rows/s / file rows/s; 1.00 = as fast as a file).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from annoview.io.avr import read_avr
from annoview.io.tcp_server import StreamServer
from annoview.store import Store

WORKER = r"""
import json, sys, time, numpy as np
import annoview as rr
mode, target, n, npts, hz, flush_each = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6] == "1"
rr.init("bench_stream", recording_id=f"bench-{mode}")
if mode == "file":
    rr.save(target)
else:
    rr.connect(target)
pts = np.random.default_rng(0).random((npts, 2), dtype=np.float32) * 100
classes = np.arange(npts, dtype=np.uint16) % 8
period = 1.0 / hz if hz > 0 else 0.0
t0_ns = time.time_ns()
t0 = time.perf_counter()
for i in range(n):
    if period:
        delay = t0 + i * period - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    rr.set_time("frame", sequence=i)
    rr.log("points", rr.Points2D(pts, class_ids=classes))
    if flush_each:
        rr.flush()
log_done_ns = time.time_ns()
rr.disconnect()  # file: footer written; stream: everything written to the socket
print(json.dumps({"t0_ns": t0_ns, "log_done_ns": log_done_ns, "end_ns": time.time_ns()}))
"""


class Receiver:
    """StreamServer + Store, recording per-row latency (store time - log time)."""

    def __init__(self) -> None:
        self.store = Store()
        self.lock = threading.Lock()
        self.rows = 0
        self.chunks = 0
        self.bytes = 0
        self.latencies_ns: list[np.ndarray] = []
        self.last_ns = 0
        self.server = StreamServer("127.0.0.1", 0, on_chunk=self.on_chunk)

    def on_chunk(self, key: str, chunk) -> None:
        self.store.add_chunk(chunk)
        now = time.time_ns()
        with self.lock:
            self.rows += chunk.num_rows
            self.chunks += 1
            self.bytes += chunk.nbytes()
            if "log_time" in chunk.timelines:
                self.latencies_ns.append(now - chunk.times("log_time"))
            self.last_ns = now

    def wait_rows(self, n: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if self.rows >= n:
                    return
            if time.monotonic() > deadline:
                raise SystemExit(f"receiver got {self.rows} of {n} rows within {timeout} s")
            time.sleep(0.002)

    def latency_ms(self) -> tuple[float, float, float]:
        lat = np.concatenate(self.latencies_ns) / 1e6
        return float(np.percentile(lat, 50)), float(np.percentile(lat, 99)), float(lat.max())

    def close(self) -> None:
        self.server.close()


def run_worker(mode: str, target: str, n: int, npts: int, hz: float = 0.0, flush_each: bool = False) -> dict:
    out = subprocess.run([sys.executable, "-c", WORKER, mode, target, str(n), str(npts), str(hz),
                          "1" if flush_each else "0"], check=True, capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def file_run(n: int, npts: int, directory: str) -> dict:
    path = os.path.join(directory, "bench_stream.avr")
    t = run_worker("file", path, n, npts)
    seconds = (t["end_ns"] - t["t0_ns"]) / 1e9
    chunks = list(read_avr(path))
    size = os.path.getsize(path)
    os.remove(path)
    return {"seconds": seconds, "rows": n, "chunks": len(chunks), "bytes": size}


def stream_run(n: int, npts: int) -> dict:
    rx = Receiver()
    try:
        t = run_worker("stream", f"127.0.0.1:{rx.server.port}", n, npts)
        rx.wait_rows(n)
        seconds = (rx.last_ns - t["t0_ns"]) / 1e9
        return {"seconds": seconds, "rows": rx.rows, "chunks": rx.chunks, "bytes": rx.bytes,
                "sender_seconds": (t["end_ns"] - t["t0_ns"]) / 1e9}
    finally:
        rx.close()


def latency_run(n: int, npts: int, hz: float, flush_each: bool) -> tuple[float, float, float]:
    rx = Receiver()
    try:
        run_worker("stream", f"127.0.0.1:{rx.server.port}", n, npts, hz, flush_each)
        rx.wait_rows(n)
        return rx.latency_ms()
    finally:
        rx.close()


def describe(name: str, r: dict, npts: int) -> str:
    s = r["seconds"]
    return (f"{name:>6}: {r['rows'] / s:10,.0f} rows/s  {r['chunks'] / s:8,.1f} chunks/s  "
            f"{r['rows'] * npts / s / 1e6:7.2f} M points/s  {r['bytes'] / s / 1e6:7.1f} MB/s  "
            f"({r['rows']} rows in {r['chunks']} chunks, {s:.2f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=20_000, help="rows (log calls) per throughput run")
    ap.add_argument("--points", type=int, default=1_000, help="points per row")
    ap.add_argument("--repeats", type=int, default=3, help="throughput runs per target; the best is reported")
    ap.add_argument("--hz", type=float, default=200.0, help="log rate of the latency runs")
    ap.add_argument("--latency-frames", type=int, default=600, help="rows per latency run")
    args = ap.parse_args()

    print(f"{args.frames} rows x {args.points} points (Points2D + class ids), best of {args.repeats}; "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as d:
        file_best = min((file_run(args.frames, args.points, d) for _ in range(args.repeats)),
                        key=lambda r: r["seconds"])
    stream_best = min((stream_run(args.frames, args.points) for _ in range(args.repeats)),
                      key=lambda r: r["seconds"])
    print(describe("file", file_best, args.points))
    print(describe("stream", stream_best, args.points) +
          f"; logger done after {stream_best['sender_seconds']:.2f} s")

    p50, p99, worst = latency_run(args.latency_frames, args.points, args.hz, flush_each=False)
    print(f"latency log->store at {args.hz:g} Hz, default batching: p50 {p50:.1f} ms  p99 {p99:.1f} ms  "
          f"max {worst:.1f} ms")
    p50f, p99f, worstf = latency_run(args.latency_frames, args.points, args.hz, flush_each=True)
    print(f"latency log->store at {args.hz:g} Hz, rr.flush() per row: p50 {p50f:.2f} ms  p99 {p99f:.2f} ms  "
          f"max {worstf:.2f} ms")
    ratio = (stream_best["rows"] / stream_best["seconds"]) / (file_best["rows"] / file_best["seconds"])
    print(f"stream_throughput_vs_file={ratio:.2f}")


if __name__ == "__main__":
    main()
