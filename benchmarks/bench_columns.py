"""Columnar logging throughput: 1,000,000 Points3D (100 per step over a 10,000-step timeline) sent
with one `rr.send_columns` call, positions + colors + radii, then flushed to a file.

Runs annoview and, when rerun-sdk is installed, rerun-sdk in the same run (each in a fresh
subprocess, best of --repeats), timing from the call to the data being in the file.
Last line: `send_columns_ratio_vs_rerun=X.XX` (rerun time / annoview time; higher is better).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

WORKER = r"""
import sys, time, numpy as np
mod, path, steps, per_step = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rr = __import__(mod)
rr.init("bench_columns")
rr.save(path)
n = steps * per_step
rng = np.random.default_rng(0)
positions = rng.random((n, 3), dtype=np.float32) * 10
colors = rng.integers(0, 255, (n, 3), dtype=np.uint8)
radii = rng.random(n, dtype=np.float32) * 0.1
t0 = time.perf_counter()
rr.send_columns(
    "swarm",
    indexes=[rr.TimeColumn("step", sequence=np.arange(steps))],
    columns=rr.Points3D.columns(positions=positions, colors=colors, radii=radii).partition(np.full(steps, per_step)),
)
rr.disconnect() if mod == "rerun" else rr.flush()
dt = time.perf_counter() - t0
print(f"{dt:.4f}")
"""


def run(module: str, steps: int, per_step: int, directory: str) -> float:
    path = os.path.join(directory, f"bench_{module}.{'rrd' if module == 'rerun' else 'avr'}")
    out = subprocess.run([sys.executable, "-c", WORKER, module, path, str(steps), str(per_step)], check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--per-step", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = args.steps * args.per_step
    have_rerun = importlib.util.find_spec("rerun") is not None
    ours_runs, theirs_runs = [], []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(args.repeats):  # interleaved, so both see the same machine load
            ours_runs.append(run("annoview", args.steps, args.per_step, d))
            if have_rerun:
                theirs_runs.append(run("rerun", args.steps, args.per_step, d))
        ours = min(ours_runs)
        print(f"annoview: {ours * 1e3:,.1f} ms for {n:,} points in {args.steps:,} rows ({n / ours / 1e6:,.1f} M points/s, best of {args.repeats})")
        if have_rerun:
            theirs = min(theirs_runs)
            print(f"rerun-sdk: {theirs * 1e3:,.1f} ms ({n / theirs / 1e6:,.1f} M points/s)")
            print(f"send_columns_ratio_vs_rerun={theirs / ours:.2f}")
        else:
            print("rerun-sdk not installed (pip install 'annoview[rerun]'): no same-run baseline")
            print("send_columns_ratio_vs_rerun=nan")


if __name__ == "__main__":
    main()
