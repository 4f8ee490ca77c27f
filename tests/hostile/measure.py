"""Closing table for the hostile-input cases: per attack, cases tried, crashes, tracebacks,
peak memory and rows lost, each reader in its own subprocess under a memory limit.

    python tests/hostile/measure.py [--readers info,convert,...] [--limit-mb 1536]

Run it with the interpreter of the annoview version to measure (the cases use only APIs that
older versions have too), e.g. once on main and once on a branch, for before/after figures.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import cases  # noqa: E402

READERS = ("read_avr", "open_index", "info", "convert", "screenshot", "viewer_model")


def run_one(reader: str, path: Path, outdir: Path, limit: int) -> tuple[dict | None, int, int, str]:
    """(result line or None, return code, peak RSS in KiB, stderr of the process)."""
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.Popen([sys.executable, str(HERE / "run_reader.py"), reader, str(outdir), str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit_memory)
    out, err = proc.communicate(timeout=300)
    # wait4 is done by communicate; RUSAGE_CHILDREN keeps the max over all children so far,
    # so each run is measured in a fresh grandchild below when exact figures are needed.
    lines = [ln for ln in out.decode(errors="replace").splitlines() if ln.startswith("{")]
    return (json.loads(lines[-1]) if lines else None), proc.returncode, 0, err.decode(errors="replace")


def peak_of(reader: str, path: Path, outdir: Path, limit: int) -> tuple[dict | None, int, int, str]:
    """run_one in a forked child so that RUSAGE_CHILDREN's max belongs to this run alone."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        res = run_one(reader, path, outdir, limit)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(w, json.dumps([res[0], res[1], peak, res[3][-2000:]]).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 1 << 16):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    res, rc, peak, err = json.loads(data)
    return res, rc, peak, err


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readers", default=",".join(READERS))
    ap.add_argument("--limit-mb", type=int, default=1536)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    readers = args.readers.split(",")
    limit = args.limit_mb << 20
    table: dict[str, dict] = defaultdict(lambda: {"cases": 0, "crashes": 0, "tracebacks": 0, "peak_kib": 0,
                                                  "rows_lost": 0, "leftovers": 0})
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for case in cases(big=True):
            path = case.build(d / f"{case.name}.avr")
            for reader in readers:
                res, rc, peak, err = peak_of(reader, path, d, limit)
                row = table[case.attack]
                row["cases"] += 1
                row["peak_kib"] = max(row["peak_kib"], peak)
                crash = rc != 0 or res is None
                tb = (res is not None and res["traceback"] is not None) or "Traceback" in err \
                    or (res is not None and "Traceback" in res["stderr"])
                row["crashes"] += crash
                row["tracebacks"] += tb and not crash
                lost = 0
                if not case.expect_error and reader != "screenshot":
                    rows = None if res is None else res["rows"]
                    lost = case.intact_rows if rows is None else max(0, case.intact_rows - rows)
                row["rows_lost"] += lost
                row["leftovers"] += len(res["leftovers"]) if res else 0
                if args.verbose or crash or tb:
                    what = "CRASH rc=%s" % rc if crash else ("TRACEBACK" if tb else "ok")
                    detail = (res or {}).get("traceback") or (err.strip().splitlines() or [""])[-1]
                    print(f"{case.name:28s} {reader:12s} {what:14s} rows={None if res is None else res['rows']} "
                          f"lost={lost} peak={peak // 1024}MB {detail[:150]}", file=sys.stderr)
    print(f"{'attack':18s} {'tried':>5s} {'crash':>5s} {'tb':>4s} {'peak MB':>8s} {'rows lost':>9s} {'temp left':>9s}")
    for attack, row in table.items():
        print(f"{attack:18s} {row['cases']:5d} {row['crashes']:5d} {row['tracebacks']:4d} "
              f"{row['peak_kib'] // 1024:8d} {row['rows_lost']:9d} {row['leftovers']:9d}")


if __name__ == "__main__":
    main()
