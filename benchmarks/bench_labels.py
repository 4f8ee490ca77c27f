"""Label placement benchmark: how long it takes to place a frame's labels apart (no overlaps).

Labels of typical sizes (30-70 x 22 px) at random anchors in a 1280x720 view, sparse (spread
over the view) and dense (piled into its middle third), for 100 / 300 / 1000 labels:
`place_labels` (bitmap occupancy) against a straightforward baseline measured in the same run
(the same greedy order and candidates, each candidate tested against every box placed so far
with numpy). Also the whole per-frame label cost inside the renderer (projection, sizes,
placement) for 300 labels in an actual frame.

    python benchmarks/bench_labels.py [--quick]

The last line is `placement_speedup_vs_pairwise=X.XX` for 300 dense labels.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from annoview.render.label_placement import CENTER, LabelBoxes, candidates, place_labels, placement_order

VIEW = (1280, 720)


def make(n: int, dense: bool, seed: int = 0) -> LabelBoxes:
    rng = np.random.default_rng(seed)
    lo, hi = (np.array(VIEW) / 3, np.array(VIEW) * 2 / 3) if dense else (np.zeros(2), np.array(VIEW, float))
    return LabelBoxes(anchor=rng.uniform(lo, hi, (n, 2)), size=np.stack([rng.integers(30, 70, n), np.full(n, 22)], 1),
                      gap=np.full(n, 4), primary=np.zeros(n, np.int64), visible=np.ones(n, bool),
                      priority=rng.integers(1, 3, n).astype(float), size_px=rng.uniform(0, 40, n),
                      depth=np.zeros(n), ident=np.arange(n, dtype=np.uint64))


def pairwise(boxes: LabelBoxes, viewport: tuple[int, int]) -> np.ndarray:
    """The baseline: the same greedy placement, each candidate against all placed boxes."""
    cand = candidates(boxes)
    chosen = np.full(len(cand), -1, np.int64)
    placed = np.zeros((0, 4), np.int64)
    w, h = viewport
    for i in placement_order(boxes):
        for k in range(CENTER):
            c = cand[i, k]
            if k and not (c[0] >= 0 and c[1] >= 0 and c[2] <= w and c[3] <= h):
                continue      # only the preferred side may stick out of the view
            if c[2] <= 0 or c[3] <= 0 or c[0] >= w or c[1] >= h:
                continue
            if placed.size and ((c[0] < placed[:, 2]) & (placed[:, 0] < c[2]) & (c[1] < placed[:, 3]) &
                                (placed[:, 1] < c[3])).any():
                continue
            chosen[i] = k
            placed = np.vstack([placed, c[None]])
            break
    return chosen


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def renderer_frame(n: int, repeats: int) -> tuple[float, int]:
    """Median label placement time inside real frames of n point labels (camera panning)."""
    from annoview.render import Camera2D, PaletteTexture, PointsVisual, Renderer, point_labels

    r = Renderer()
    try:
        rng = np.random.default_rng(2)
        pos = rng.uniform(0, 1, (n, 2)) * np.array(VIEW)
        pal = np.full((65536, 4), 255, np.uint8)
        pts = PointsVisual(positions=pos, class_ids=np.arange(n) % 20, palette_key="k", cache_key="bench-pts")
        labels = point_labels(pts, [f"class {i % 20}" for i in range(n)], cache_key="bench-labels")
        palettes = {"k": PaletteTexture(r.ctx, pal)}
        times, shown = [], 0
        for i in range(repeats):
            cam = Camera2D.from_rect(i * 3.0, 0, VIEW[0] + i * 3.0, VIEW[1], *VIEW)
            res = r.render_2d([pts, labels], cam, VIEW, palettes)
            times.append(r.label_seconds)
            shown = int(np.isfinite(res.label_boxes()[0][1][:, 0]).sum())
        return statistics.median(times) * 1000.0, shown
    finally:
        r.release()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    repeats = 5 if args.quick else 20
    ratio = 0.0
    for dense in (False, True):
        for n in (100, 300) if args.quick else (100, 300, 1000):
            boxes = make(n, dense)
            ours = median_ms(lambda: place_labels(boxes, VIEW), repeats)
            base = median_ms(lambda: pairwise(boxes, VIEW), max(3, repeats // 4))
            placed = int((place_labels(boxes, VIEW) >= 0).sum())
            assert placed == int((pairwise(boxes, VIEW) >= 0).sum()), "both place the same labels"
            print(f"{'dense' if dense else 'sparse'} {n:5d} labels: place_labels {ours:7.2f} ms, pairwise baseline "
                  f"{base:7.2f} ms, {placed} placed ({base / ours:.1f}x)")
            if dense and n == 300:
                ratio = base / ours
    frame_ms, shown = renderer_frame(300, repeats)
    print(f"renderer: 300 point labels per frame (projection + sizes + placement) {frame_ms:.2f} ms, {shown} drawn")
    print(f"placement_speedup_vs_pairwise={ratio:.2f}")


if __name__ == "__main__":
    main()
