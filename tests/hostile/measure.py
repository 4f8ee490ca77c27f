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
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import cases  # noqa: E402

READERS = ("read_avr", "open_index", "info", "convert", "screenshot", "viewer_model")


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_of(reader: str, path: Path, outdir: Path, limit: int) -> tuple[dict | None, int, int, str]:
    """(result line or None, return code, peak RSS in KiB, stderr of the process).

    The peak is the child's VmHWM, polled until it exits (ru_maxrss would also count the memory
    of this process, which a forked child inherits until it execs).
    """
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, str(HERE / "run_reader.py"), reader, str(outdir), str(path)],
                                stdout=out, stderr=err, preexec_fn=limit_memory)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _hwm_kib(proc.pid))
            time.sleep(0.01)
        out.seek(0)
        err.seek(0)
        lines = [ln for ln in out.read().decode(errors="replace").splitlines() if ln.startswith("{")]
        res = json.loads(lines[-1]) if lines else None
        if res is not None and res.get("peak_kib"):
            peak = max(peak, res["peak_kib"])
        return res, proc.returncode, peak, err.read().decode(errors="replace")


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
                # A RecordingFormatError from an API reader (read_avr, open_index) for a file whose
                # header is invalid is its documented one-line error, not a traceback.
                escaped = res is not None and res["traceback"] is not None and not (
                    case.expect_error and res["traceback"].startswith("annoview.errors.RecordingFormatError"))
                tb = escaped or "Traceback" in err or (res is not None and "Traceback" in res["stderr"])
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
