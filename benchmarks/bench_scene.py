"""The whole per-frame path the viewer runs: store latest-at -> scene build (contexts, visuals,
batching) -> render, for 1,000 skeleton entities x 17 keypoints scrubbed over N frames.

Prints CPU time per frame for the first pass and for a second pass over the same frames
(which must upload nothing: geometry is cached by row ids), and the per-stage split.
Last line: `scene_second_pass_uploads=N`.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from annoview.chunk import build_chunk
from annoview.render import Renderer
from annoview.scene import SceneBuilder
from annoview.store import Store
from annoview.types import AnnotationContext, ClassDescription
from annoview.types.kinds import Kind
from annoview.render import SceneRenderer

COCO = [(15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9),
        (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)]


def build_store(entities: int, frames: int) -> Store:
    store = Store()
    ctx = AnnotationContext([ClassDescription(info=(1, "person", (0, 200, 120)),
                                              keypoint_annotations=[(i, f"kp{i}") for i in range(17)],
                                              keypoint_connections=COCO)])
    store.add_chunk(build_chunk("/", True, np.ones(1, np.uint64), np.zeros(1, np.uint64), {},
                                {"AnnotationContext:context": (Kind.CONTEXT, [ctx.components["context"]])}))
    rng = np.random.default_rng(0)
    counter = 1
    cls, kps = np.ones(1, np.uint16), np.arange(17, dtype=np.uint16)
    for e in range(entities):
        base = rng.uniform(0, 1900, 2).astype(np.float32)
        pose = rng.normal(0, 20, (17, 2)).astype(np.float32)
        steps = rng.normal(0, 1, (frames, 1, 2)).cumsum(0).astype(np.float32)
        cells = list(base + pose + steps)
        lo = np.arange(counter, counter + frames, dtype=np.uint64)
        counter += frames
        store.add_chunk(build_chunk(f"/people/{e}", False, np.ones(frames, np.uint64), lo,
                                    {"frame": ("sequence", np.arange(frames))},
                                    {"Points2D:positions": (Kind.VEC2, cells),
                                     "Points2D:class_ids": (Kind.ID, [cls] * frames),
                                     "Points2D:keypoint_ids": (Kind.ID, [kps] * frames),
                                     "Points2D:show_labels": (Kind.BOOL, [np.zeros(1, bool)] * frames)}))
    return store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entities", type=int, default=1000)
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--size", default="1280x720")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    t0 = time.perf_counter()
    store = build_store(args.entities, args.frames)
    print(f"store: {args.entities} entities x {args.frames} frames in {time.perf_counter() - t0:.1f} s")
    builder = SceneBuilder(store)
    renderer = Renderer()
    scenes = SceneRenderer(renderer)
    camera = None
    uploads_second = 0
    for name in ("first pass", "second pass"):
        u0 = renderer.cache.uploads
        build_t, render_t, calls = [], [], []
        for f in range(args.frames):
            t1 = time.perf_counter()
            scene = builder.build("frame", f)
            t2 = time.perf_counter()
            frame, camera = scenes.render_2d(scene, size, camera)
            t3 = time.perf_counter()
            build_t.append(t2 - t1)
            render_t.append(t3 - t2)
            calls.append(frame.stats.draw_calls)
        renderer.ctx.finish()
        uploads = renderer.cache.uploads - u0
        if name == "second pass":
            uploads_second = uploads
        print(f"{name}: CPU {1e3 * statistics.mean(b + r for b, r in zip(build_t, render_t)):.1f} ms/frame "
              f"(scene build {1e3 * statistics.mean(build_t):.1f} ms, render submit {1e3 * statistics.mean(render_t):.1f} ms), "
              f"draw calls/frame {max(calls)}, geometry uploads {uploads}")
    # a paused view while a live stream grows the store elsewhere: the same frame is rebuilt, and
    # every entity whose cells did not change is reused
    t0 = time.perf_counter()
    for _ in range(20):
        builder.build("frame", args.frames // 2)
    same = (time.perf_counter() - t0) / 20
    fresh = statistics.mean(build_t)
    print(f"scene rebuild of an unchanged frame: {same * 1e3:.1f} ms vs {fresh * 1e3:.1f} ms for a new frame "
          f"(ratio {fresh / same:.2f})")
    assert renderer.ctx.error == "GL_NO_ERROR"
    renderer.release()
    print(f"scene_second_pass_uploads={uploads_second}")


if __name__ == "__main__":
    main()
