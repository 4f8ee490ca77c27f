"""Renderer benchmarks; prints figures and same-run ratios.

(a) 3840x2160 uint16 segmentation with new ids every frame: GPU color lookup (upload R16UI ids,
    palette lookup in the shader) vs the CPU path (numpy palette[ids] -> RGBA upload), both drawn
    with the same renderer into the same view and finished, in the same run.
(b) 1,000,000 class-colored 2D points: frame times and draw calls for 1k vs 1M points.
(c) 1,000 skeleton entities x 17 keypoints over 1,000 frames with cache keys (batched per frame,
    one points + one connections visual): CPU time per frame, uploads in the first and second pass.

    python benchmarks/bench_render.py [--quick] [--view 1280x720]

The last line is `segmentation_speedup_vs_cpu=X.XX` for the --view framebuffer, against the CPU
path the renderer issue defines (numpy `palette[ids]` -> (H, W, 4) RGBA, upload, draw); the line
before it gives the ratio against a faster hand-written CPU path (a uint32 gather, half the
bytes to write), which is the harder comparison. On a machine
without a GPU (Mesa llvmpipe) the "GPU" rasterizes on the CPU too, so both paths pay the same
per-view-pixel draw cost and the ratio shrinks as the view grows; the full run also prints
1920x1080 and a 1:1 3840x2160 view so that dependence is visible.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from annoview.render import (Camera2D, ImageVisual, LinesVisual, PaletteTexture, PointsVisual, Renderer,
                             SegmentationVisual)

COCO_CONNECTIONS = np.array([(0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11),
                             (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16)])


def random_palette(seed: int = 0) -> np.ndarray:
    pal = np.random.default_rng(seed).integers(0, 256, (65536, 4), dtype=np.uint8)
    pal[:, 3] = 255
    return pal


def timed(fn, repeats: int) -> list[float]:
    out = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def ms(x: float) -> str:
    return f"{x * 1e3:.1f} ms"


def bench_segmentation(r: Renderer, frames: int, view: tuple[int, int],
                       extra_views: tuple[tuple[int, int], ...] = ()) -> dict[str, float]:
    h, w = 2160, 3840
    rng = np.random.default_rng(1)
    masks = [rng.integers(0, 65536, (h, w), dtype=np.uint16) for _ in range(frames)]
    pal = random_palette()
    pal_u32 = pal.view(np.uint32).reshape(-1)          # fastest numpy gather: one uint32 per id
    palettes = {"c": PaletteTexture(r.ctx, pal)}
    results: dict[str, float] = {}
    sizes = [("view", view)] + [(f"{sw}x{sh}", (sw, sh)) for sw, sh in extra_views if (sw, sh) != view]
    for label, size in sizes:
        cam = Camera2D.fit(np.zeros(2), np.array([w, h], float), size, margin=0.0)

        def gpu(i: int) -> None:
            r.render_2d([SegmentationVisual(ids=masks[i % frames], palette_key="c", object_id=1)], cam, size, palettes,
                        view="bench")
            r.ctx.finish()

        def cpu(i: int) -> None:
            rgba = pal_u32[masks[i % frames]].view(np.uint8).reshape(h, w, 4)
            # same blending decision as the GPU path (the palette is opaque), so only the
            # coloring differs between the two paths
            r.render_2d([ImageVisual(image=rgba, object_id=1, opaque=True)], cam, size, palettes, view="bench")
            r.ctx.finish()

        gpu(0)
        cpu(0)                                          # warm up programs and streaming textures
        # interleave the two paths so both see the same machine load; medians per path
        times_gpu: list[float] = []
        times_cpu: list[float] = []
        for i in range(frames):
            times_gpu += timed(lambda _: gpu(i), 1)
            times_cpu += timed(lambda _: cpu(i), 1)
        t_gpu = statistics.median(times_gpu)
        t_cpu = statistics.median(times_cpu)
        ids_mb = masks[0].nbytes / 2 ** 20
        print(f"(a) segmentation {w}x{h} uint16, new ids every frame, framebuffer {size[0]}x{size[1]} ({label}), "
              f"median of {frames}, paths interleaved:")
        print(f"    GPU lookup: {ms(t_gpu)}/frame (uploads {ids_mb:.1f} MB ids)   "
              f"CPU palette[ids] as uint32 gather: {ms(t_cpu)}/frame (uploads {ids_mb * 2:.1f} MB RGBA)   "
              f"speedup {t_cpu / t_gpu:.2f}x")
        results[label] = t_cpu / t_gpu
        if label == "view":
            def cpu_rows(i: int) -> None:                  # the literal (H, W, 4) = palette[ids] gather
                rgba = pal[masks[i % frames]]
                r.render_2d([ImageVisual(image=rgba, object_id=1, opaque=True)], cam, size, palettes, view="bench")
                r.ctx.finish()
            t_rows = statistics.median(timed(cpu_rows, max(3, frames // 2)))
            print(f"    CPU path as the issue defines it, palette[ids] -> (H, W, 4) RGBA: {ms(t_rows)}/frame, "
                  f"speedup {t_rows / t_gpu:.2f}x")
            results["view_rgba"] = t_rows / t_gpu
    return results


def bench_points(r: Renderer, repeats: int, view: tuple[int, int]) -> None:
    w, h = view
    rng = np.random.default_rng(2)
    pal = random_palette(3)
    palettes = {"c": PaletteTexture(r.ctx, pal)}
    cam = Camera2D.pixel_exact(w, h)
    for n in (1_000, 1_000_000):
        pos = rng.uniform(0, 1, (n, 2)).astype(np.float32) * np.array([w, h], np.float32)
        cls = rng.integers(0, 80, n).astype(np.uint16)
        v = PointsVisual(positions=pos, class_ids=cls, palette_key="c", cache_key=("pts", n), radii=-2.0)
        t0 = time.perf_counter()
        first = r.render_2d([v], cam, view, palettes, view="bench-points")
        r.ctx.finish()
        t_first = time.perf_counter() - t0
        calls = first.stats.draw_calls

        def frame(_: int) -> None:
            r.render_2d([v], cam, view, palettes, view="bench-points")
            r.ctx.finish()

        t = statistics.median(timed(frame, repeats))
        print(f"(b) {n:>9,} class-colored points: first frame (upload) {ms(t_first)}, cached frame {ms(t)}, "
              f"draw calls {calls}")


def bench_skeletons(r: Renderer, frames: int, entities: int, view: tuple[int, int]) -> None:
    w, h = view
    rng = np.random.default_rng(4)
    k = 17
    base = rng.uniform(50, 1200, (entities, 1, 2)).astype(np.float32)
    pose = rng.normal(0, 15, (entities, k, 2)).astype(np.float32)
    drift = rng.normal(0, 1.0, (frames, entities, 1, 2)).cumsum(axis=0).astype(np.float32)
    kp = [(0, i, tuple(int(c) for c in rng.integers(0, 256, 3)) + (255,), f"kp{i}") for i in range(k)]
    palettes = {"c": PaletteTexture(r.ctx, random_palette(5), kp)}
    cam = Camera2D.pixel_exact(w, h)
    class_ids = np.zeros(entities * k, np.uint16)
    keypoint_ids = np.tile(np.arange(k, dtype=np.uint16), entities)
    point_pick = np.stack([np.repeat(np.arange(1, entities + 1), k), keypoint_ids], 1).astype(np.uint32)
    pairs = (COCO_CONNECTIONS[None] + (np.arange(entities) * k)[:, None, None]).reshape(-1, 2)
    conn_class = np.zeros(len(pairs), np.uint16)
    conn_pick = np.stack([np.repeat(np.arange(1, entities + 1), len(COCO_CONNECTIONS)),
                          np.tile(np.arange(len(COCO_CONNECTIONS)), entities)], 1).astype(np.uint32)

    def frame_positions(f: int) -> np.ndarray:
        return (base + pose + drift[f]).reshape(-1, 2)

    positions = [frame_positions(f) for f in range(frames)]   # the "store": one batch per frame

    def frame(f: int) -> tuple[float, float, float]:
        t0 = time.perf_counter()
        pos = positions[f]
        pts = PointsVisual(positions=pos, class_ids=class_ids, keypoint_ids=keypoint_ids, palette_key="c",
                           pick_ids=point_pick, cache_key=("people", f), radii=-2.0)
        lines = LinesVisual.keypoint_connections(pos, pairs, conn_class, palette_key="c", pick_ids=conn_pick,
                                                 cache_key=("people-skeleton", f))
        res = r.render_2d([lines, pts], cam, view, palettes, view="bench-skeletons")
        t_cpu = time.perf_counter() - t0
        r.ctx.finish()
        return t_cpu, time.perf_counter() - t0, res.stats.draw_seconds

    for name in ("first pass", "second pass"):
        u0, b0 = r.cache.uploads, r.cache.bytes_uploaded
        times = [frame(f) for f in range(frames)]
        cpu = statistics.mean(t[0] for t in times)
        total = statistics.mean(t[1] for t in times)
        in_gl = statistics.mean(t[2] for t in times)
        print(f"(c) {entities} skeletons x {k} keypoints, {frames} frames, {name}: CPU {ms(cpu)}/frame "
              f"(of which {ms(in_gl)} inside the 2 draw calls, where llvmpipe shades the vertices; "
              f"with GPU finish {ms(total)}), uploads {r.cache.uploads - u0} "
              f"({(r.cache.bytes_uploaded - b0) / 2 ** 20:.1f} MB)")


def bench_skeletons_per_entity(r: Renderer, frames: int, entities: int, view: tuple[int, int]) -> None:
    """The same scene with one points + one connections visual per entity (2,000 draw calls)."""
    rng = np.random.default_rng(6)
    k = 17
    palettes = {"c": PaletteTexture(r.ctx, random_palette(7))}
    cam = Camera2D.pixel_exact(*view)
    kp_ids = np.arange(k)
    pos = rng.uniform(50, 700, (frames, entities, k, 2)).astype(np.float32)

    def frame(f: int) -> tuple[float, int]:
        t0 = time.perf_counter()
        visuals = []
        for e in range(entities):
            visuals.append(PointsVisual(positions=pos[f, e], class_ids=np.array([0]), keypoint_ids=kp_ids,
                                        palette_key="c", object_id=e + 1, cache_key=("pe", f, e)))
            visuals.append(LinesVisual.keypoint_connections(pos[f, e], COCO_CONNECTIONS, np.zeros(16, np.uint16),
                                                            palette_key="c", object_id=e + 1,
                                                            cache_key=("ce", f, e)))
        res = r.render_2d(visuals, cam, view, palettes, view="bench-skeletons")
        r.ctx.finish()
        return time.perf_counter() - t0, res.stats.draw_calls

    for name in ("first pass", "second pass"):
        u0 = r.cache.uploads
        times = [frame(f) for f in range(frames)]
        print(f"(c') same, one visual per entity ({times[0][1]} draw calls/frame), {frames} frames, {name}: "
              f"{ms(statistics.mean(t[0] for t in times))}/frame, uploads {r.cache.uploads - u0}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer frames (about 30 s on llvmpipe)")
    ap.add_argument("--view", default="1280x720",
                    help="view framebuffer size for (a) and (b); default = annoview screenshot's default size "
                         "(the viewer's 2D panel in its default 1280x800 window is smaller)")
    args = ap.parse_args()
    view = tuple(int(x) for x in args.view.lower().split("x"))
    r = Renderer(cache_budget_bytes=4 << 30)
    info = r.ctx.info
    print(f"GL: {info['GL_RENDERER']} ({info['GL_VERSION']})")
    seg_frames = 5 if args.quick else 10
    skel_frames = 100 if args.quick else 1000
    extra = () if args.quick else ((1920, 1080), (3840, 2160))
    speedups = bench_segmentation(r, seg_frames, view, extra)
    r.cache.clear()
    bench_points(r, 3 if args.quick else 5, view)
    r.cache.clear()
    bench_skeletons(r, skel_frames, 1000, (1280, 720))
    r.cache.clear()
    bench_skeletons_per_entity(r, 5 if args.quick else 20, 1000, (1280, 720))
    assert r.ctx.error == "GL_NO_ERROR", r.ctx.error
    r.release()
    # both CPU baselines, the stronger one first; the summary line is the baseline
    print(f"segmentation_speedup_vs_cpu_uint32_gather={speedups['view']:.2f}")
    print(f"segmentation_speedup_vs_cpu={speedups['view_rgba']:.2f}")


if __name__ == "__main__":
    main()
