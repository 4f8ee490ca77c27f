"""Desktop viewer frame times on this machine (llvmpipe), run under Xvfb:

    xvfb-run -a python3 benchmarks/bench_viewer.py [--size 1280x800] [--frames 60]

1. Each demo recording in assets/: idle frame (nothing changed: the views are not re-rendered,
   nothing is uploaded), playback frame (time moves every frame: scene build + both views),
   and a second pass over the same times (the geometry cache must make it upload nothing).
2. An entity tree of 10,000 entities: frame time with the big node collapsed, expanded (only
   the rows on screen are drawn), and with 9,000 of them hidden, next to 1,000 entities.
   Per-frame UI cost must not grow with hidden or collapsed rows.

Last line: `idle_frame_ms=X.XX tree_10k_vs_1k_ratio=X.XX`.
"""
from __future__ import annotations

import argparse
import glob
import os
import statistics
import sys
import time

import numpy as np

from annoview.chunk import build_chunk
from annoview.types.kinds import Kind

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_ms(app, n: int, step=None) -> float:
    times = []
    for i in range(n):
        if step is not None:
            step(i)
        t0 = time.perf_counter()
        app.frame()
        app.ctx.finish()            # count the GPU (llvmpipe) work of this frame too
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def bench_recording(app, path: str, frames: int) -> dict:
    rec = app.open(path, wait=True)
    for _ in range(5):
        app.frame()
    info = rec.time.info
    views = app.views
    renders0 = {s: v.renders for s, v in views.items()}
    uploads0 = app.renderer.cache.uploads
    idle = median_ms(app, frames)
    idle_renders = sum(v.renders - renders0[s] for s, v in views.items())
    idle_uploads = app.renderer.cache.uploads - uploads0
    out = {"name": os.path.basename(path), "idle_ms": idle, "idle_renders": idle_renders, "idle_uploads": idle_uploads}
    if info is not None:
        times = rec.timeline_data_times()
        times = times if times is not None and len(times) else np.arange(info.min, info.max + 1)
        sel = times[np.linspace(0, len(times) - 1, min(frames, len(times))).astype(int)]
        builds0 = app.scene_builds
        uploads_play = app.renderer.cache.uploads
        out["play_ms"] = median_ms(app, len(sel), lambda i: rec.time.set_time(int(sel[i])))
        out["scene_builds"] = app.scene_builds - builds0
        out["play_uploads"] = app.renderer.cache.uploads - uploads_play
        uploads1 = app.renderer.cache.uploads
        out["replay_ms"] = median_ms(app, len(sel), lambda i: rec.time.set_time(int(sel[i])))
        out["replay_uploads"] = app.renderer.cache.uploads - uploads1
    app.close_recording(rec)
    return out


def crowd_recording(n: int):
    """n entities /crowd/<i>, one point each, plus a few top-level ones."""
    from annoview.app.viewer.recording import Recording

    rec = Recording(name=f"crowd-{n}", source=f"synthetic:{n}", kind="file")
    pos = np.zeros((1, 2), np.float32)
    for i in range(n):
        rec.store.add_chunk(build_chunk(
            f"/crowd/{i}", False, np.ones(1, np.uint64), np.array([i], np.uint64),
            {"frame": ("sequence", np.array([0]))},
            {"Points2D:positions": (Kind.VEC2, [pos + [i % 100, i // 100]])}))
    return rec


def bench_tree(app, n: int, frames: int) -> dict:
    rec = crowd_recording(n)
    app.add_recording(rec)
    for _ in range(4):
        app.frame()
    model = rec.entities
    panel = app.entity_panel
    out = {"n": n}
    model.set_expanded("/crowd", False)
    out["collapsed_ms"] = median_ms(app, frames)
    out["collapsed_rows"] = panel.rows_drawn
    model.set_expanded("/crowd", True)
    app.frame()
    out["expanded_ms"] = median_ms(app, frames)
    out["expanded_rows"] = panel.rows_drawn
    out["listed_rows"] = len(model.rows())
    for i in range(n // 10, n):
        model.set_visible(f"/crowd/{i}", False)
    app.frame()
    out["hidden_ms"] = median_ms(app, frames)
    out["hidden_rows"] = panel.rows_drawn
    out["visible_points"] = sum(len(getattr(v, "positions", ())) for v in rec.scene.visuals_2d)
    app.close_recording(rec)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--recordings", nargs="*", help="default: assets/*.avr")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        print("bench_viewer: needs a display; run under `xvfb-run -a`", file=sys.stderr)
        return 2
    from annoview.app.viewer.app import App

    w, h = (int(v) for v in args.size.lower().split("x"))
    app = App(size=(w, h), vsync=False)
    try:
        print(f"renderer: {app.ctx.info['GL_RENDERER']}, window {w}x{h}")
        app.frame()
        empty = median_ms(app, args.frames)
        print(f"empty viewer: {empty:.2f} ms/frame")
        paths = args.recordings or sorted(glob.glob(os.path.join(ROOT, "assets", "*.avr")))
        idle_all = []
        print("\nrecording            idle ms  (renders, uploads)   play ms  (builds, uploads)   replay ms  (uploads)")
        for path in paths:
            r = bench_recording(app, path, args.frames)
            idle_all.append(r["idle_ms"])
            play = (f"{r['play_ms']:8.2f}  ({r['scene_builds']:3d}, {r['play_uploads']:4d})      "
                    f"{r['replay_ms']:9.2f}  ({r['replay_uploads']})"
                    if "play_ms" in r else "   (static)")
            print(f"{r['name']:<20} {r['idle_ms']:7.2f}  ({r['idle_renders']}, {r['idle_uploads']})"
                  f"              {play}")
        print("\nentity tree          collapsed ms (rows)   expanded ms (rows drawn / listed)   9/10 hidden ms (rows)")
        trees = {}
        for n in (1000, 10_000):
            t = bench_tree(app, n, args.frames)
            trees[n] = t
            print(f"{n:>6} entities       {t['collapsed_ms']:8.2f} ({t['collapsed_rows']:3d})   "
                  f"{t['expanded_ms']:8.2f} ({t['expanded_rows']:3d} / {t['listed_rows']})"
                  f"            {t['hidden_ms']:8.2f} ({t['hidden_rows']:3d}), {t['visible_points']} points drawn")
        ratio = trees[10_000]["expanded_ms"] / trees[1000]["expanded_ms"]
        assert app.ctx.error == "GL_NO_ERROR", app.ctx.error
        idle = statistics.median(idle_all) if idle_all else empty
        print(f"\nidle_frame_ms={idle:.2f} tree_10k_vs_1k_ratio={ratio:.2f}")
    finally:
        app.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
