"""SDK logging throughput: set_time + Points2D(17 keypoints) per iteration, saved to a file.

Runs annoview and, when rerun-sdk is installed, rerun-sdk in the same run (each in a fresh
subprocess so neither pays for the other's threads), and prints both rates and the ratio.
Last line: `ratio_vs_rerun=X.XX` (annoview rate / rerun rate; higher is better).
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
mod, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rr = __import__(mod)
rr.init("bench_sdk")
rr.save(path)
pts = np.random.default_rng(0).random((17, 2), dtype=np.float32) * 100
t0 = time.perf_counter()
for i in range(n):
    rr.set_time("frame", sequence=i)
    rr.log("person/0", rr.Points2D(pts + i, class_ids=1, keypoint_ids=range(17)))
rr.disconnect() if mod == "rerun" else rr.flush()
dt = time.perf_counter() - t0
print(f"{n / dt:.1f}")
"""


def run(module: str, n: int, directory: str) -> float:
    path = os.path.join(directory, f"bench_{module}.{'rrd' if module == 'rerun' else 'avr'}")
    out = subprocess.run([sys.executable, "-c", WORKER, module, path, str(n)], check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    have_rerun = importlib.util.find_spec("rerun") is not None
    with tempfile.TemporaryDirectory() as d:
        ours = max(run("annoview", args.iterations, d) for _ in range(args.repeats))
        print(f"annoview: {ours:,.0f} iterations/s ({args.iterations} iterations, best of {args.repeats})")
        if have_rerun:
            theirs = max(run("rerun", args.iterations, d) for _ in range(args.repeats))
            print(f"rerun-sdk: {theirs:,.0f} iterations/s")
            print(f"ratio_vs_rerun={ours / theirs:.2f}")
        else:
            print("rerun-sdk not installed (pip install 'annoview[rerun]'): no same-run baseline")
            print("ratio_vs_rerun=nan")


if __name__ == "__main__":
    main()
