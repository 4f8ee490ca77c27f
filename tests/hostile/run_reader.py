"""Run one annoview reader on recording files and print one JSON line per file.

    python run_reader.py READER OUTDIR FILE...

READER: read_avr | open_index | info | convert | screenshot | viewer_model | viewer_loader. Run it in a
subprocess (with a memory limit): a signal or an allocation failure ends the process and the
caller sees it; an exception escaping a reader is reported as a traceback. Each line holds
`rows` (rows the reader kept, when it says), `rc` (the command's exit code), `stderr` (what the
user saw), `traceback` (an exception that escaped, else null) and `leftovers` (files a
`convert` left in OUTDIR besides its output).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import traceback
import warnings
from pathlib import Path


def _cli(argv: list[str]) -> tuple[int, str, str]:
    from annoview.app import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(argv)
    return rc, out.getvalue(), err.getvalue()


def run(reader: str, path: str, outdir: Path) -> dict:
    rows = None
    rc, stdout, stderr = 0, "", ""
    leftovers: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if reader == "read_avr":
            from annoview.io.avr import read_avr

            rows = sum(c.num_rows for c in read_avr(path))
        elif reader == "open_index":
            from annoview.io.avr import open_index

            index = open_index(path)
            rows = sum(c.num_rows for c in index.load_chunks())
        elif reader == "info":
            rc, stdout, stderr = _cli(["info", path])
            m = re.search(r"rows: (\d+)", stdout)
            rows = int(m.group(1)) if m else None
        elif reader == "convert":
            out = outdir / (Path(path).stem + ".out.avr")
            before = set(os.listdir(outdir))
            rc, stdout, stderr = _cli(["convert", path, str(out), "--no-progress"])
            leftovers = sorted(set(os.listdir(outdir)) - before - {out.name})
            if rc == 0:
                from annoview.io.avr import read_avr

                rows = sum(c.num_rows for c in read_avr(out))
                out.unlink()
        elif reader == "screenshot":
            png = outdir / (Path(path).stem + ".png")
            rc, stdout, stderr = _cli(["screenshot", path, "--out", str(png), "--size", "64x48"])
            png.unlink(missing_ok=True)
        elif reader == "viewer_model":
            from annoview.app.timeparse import parse_time_arg
            from annoview.app.viewer.entity_model import EntityModel
            from annoview.io import load_chunks
            from annoview.scene import SceneBuilder
            from annoview.store import Store

            store = Store()
            store.add_chunks(load_chunks(path))
            model = EntityModel()
            model.sync(store)
            model.rows()
            timeline, t = parse_time_arg(store, None)
            SceneBuilder(store).build(timeline, t)
            rows = sum(c.num_rows for c in store.chunks)
        elif reader == "viewer_loader":
            # the viewer's file loader under a memory limit (store/ingest.py), then a frame
            from annoview.app.timeparse import parse_time_arg
            from annoview.app.viewer.loader import FileLoader
            from annoview.scene import SceneBuilder
            from annoview.store import Store

            store = Store(64 << 20)
            notes: list[str] = []
            loader = FileLoader(path, store, on_warning=notes.append)
            loader.run_here()
            if loader.progress.state == "failed":
                rc, stderr = 1, f"annoview: error: {loader.progress.error}\n"
            else:
                timeline, t = parse_time_arg(store, None)
                SceneBuilder(store).build(timeline, t)
                rows = sum(c.num_rows for c in store.chunks)
                stderr = "".join(f"warning: {n}\n" for n in notes + store.read_problems())
        else:
            raise SystemExit(f"unknown reader {reader}")
    shown = stderr + "".join(f"warning: {w.message}\n" for w in caught)
    return {"rows": rows, "rc": rc, "stderr": shown, "stdout": stdout, "traceback": None, "leftovers": leftovers}


def _peak_kib() -> int:
    """This process's peak resident memory (VmHWM: reset at exec, unlike ru_maxrss)."""
    try:
        with open("/proc/self/status") as f:
            return next((int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def main() -> None:
    reader, outdir, files = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    for path in files:
        try:
            result = run(reader, path, outdir)
        except BaseException as e:  # noqa: BLE001 - the point is to report any escape
            result = {"rows": None, "rc": None, "stderr": "", "stdout": "",
                      "traceback": "".join(traceback.format_exception_only(type(e), e)).strip()[-500:],
                      "leftovers": []}
        result["file"] = path
        result["peak_kib"] = _peak_kib()
        print(json.dumps(result, ensure_ascii=True), flush=True)


if __name__ == "__main__":
    main()
