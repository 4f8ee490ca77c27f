"""SDK logging throughput: set_time + Points2D(17 keypoints) per iteration, saved to a file.

Runs annoview and, when rerun-sdk is installed, rerun-sdk in the same run (each in a fresh
subprocess so neither pays for the other's threads), and prints both rates and the ratio.
Last line: `ratio_vs_rerun=X.XX` (annoview rate / rerun rate; higher is better).
"""
from __future__ import annotations

from sdk_rate import compare

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


if __name__ == "__main__":
    compare(WORKER, description=__doc__, ratio_key="ratio_vs_rerun", iterations=10_000)
