"""Shared harness of the SDK logging-rate benchmarks (bench_sdk.py, bench_components.py).

A worker script (argv: module, output path, iterations) logs with `annoview` or `rerun` and prints
its iterations per second on its last line. Each SDK runs in a fresh subprocess, so neither pays
for the other's threads; the best of a few repeats is compared in the same run.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile


def run(worker: str, module: str, n: int, directory: str) -> float:
    path = os.path.join(directory, f"bench_{module}.{'rrd' if module == 'rerun' else 'avr'}")
    out = subprocess.run([sys.executable, "-c", worker, module, path, str(n)], check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def compare(worker: str, *, description: str, ratio_key: str, iterations: int, what: str = "iterations") -> None:
    """Parse --iterations/--repeats, time both SDKs and print `<ratio_key>=X.XX` last."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--iterations", type=int, default=iterations)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    have_rerun = importlib.util.find_spec("rerun") is not None
    with tempfile.TemporaryDirectory() as d:
        ours = max(run(worker, "annoview", args.iterations, d) for _ in range(args.repeats))
        print(f"annoview: {ours:,.0f} iterations/s ({args.iterations} {what}, best of {args.repeats})")
        if have_rerun:
            theirs = max(run(worker, "rerun", args.iterations, d) for _ in range(args.repeats))
            print(f"rerun-sdk: {theirs:,.0f} iterations/s")
            print(f"{ratio_key}={ours / theirs:.2f}")
        else:
            print("rerun-sdk not installed (pip install 'annoview[rerun]'): no same-run baseline")
            print(f"{ratio_key}=nan")
