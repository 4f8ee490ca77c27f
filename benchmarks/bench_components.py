"""Logging throughput of archetypes recorded as generic components (types/generic.py).

Per iteration: set_time + Transform3D(translation, rotation) + Scalars + TextLog +
Boxes3D(3 boxes), saved to a file. Runs annoview and, when rerun-sdk is installed, rerun-sdk in
the same run (each in a fresh subprocess), and prints both rates and the ratio.
Last line: `components_ratio_vs_rerun=X.XX` (annoview rate / rerun rate; higher is better).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

WORKER = r"""
import sys, time, warnings, numpy as np
warnings.simplefilter("ignore")
mod, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rr = __import__(mod)
rr.init("bench_components")
rr.save(path)
half = np.ones((3, 3), np.float32)
t0 = time.perf_counter()
for i in range(n):
    rr.set_time("frame", sequence=i)
    rr.log("robot/base", rr.Transform3D(translation=[i * 0.01, 0, 0], rotation=rr.Quaternion(xyzw=[0, 0, 0, 1])))
    rr.log("plots/speed", rr.Scalars(float(i)))
    rr.log("log", rr.TextLog(f"step {i}", level=rr.TextLogLevel.INFO))
    rr.log("robot/boxes", rr.Boxes3D(half_sizes=half, centers=half * i, class_ids=[1, 2, 3]))
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
    ap.add_argument("--iterations", type=int, default=5_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    have_rerun = importlib.util.find_spec("rerun") is not None
    with tempfile.TemporaryDirectory() as d:
        ours = max(run("annoview", args.iterations, d) for _ in range(args.repeats))
        print(f"annoview: {ours:,.0f} iterations/s ({args.iterations} iterations of 4 log calls, best of {args.repeats})")
        if have_rerun:
            theirs = max(run("rerun", args.iterations, d) for _ in range(args.repeats))
            print(f"rerun-sdk: {theirs:,.0f} iterations/s")
            print(f"components_ratio_vs_rerun={ours / theirs:.2f}")
        else:
            print("rerun-sdk not installed (pip install 'annoview[rerun]'): no same-run baseline")
            print("components_ratio_vs_rerun=nan")


if __name__ == "__main__":
    main()
