"""Logging throughput of archetypes recorded as generic components (types/generic.py).

Per iteration: set_time + Transform3D(translation, rotation) + Scalars + TextLog +
Boxes3D(3 boxes), saved to a file. Runs annoview and, when rerun-sdk is installed, rerun-sdk in
the same run (each in a fresh subprocess), and prints both rates and the ratio.
Last line: `components_ratio_vs_rerun=X.XX` (annoview rate / rerun rate; higher is better).
"""
from __future__ import annotations

from sdk_rate import compare

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


if __name__ == "__main__":
    compare(WORKER, description=__doc__, ratio_key="components_ratio_vs_rerun", iterations=5_000, what="iterations of 4 log calls")
