"""The whole per-frame path the viewer runs: store latest-at -> scene build (contexts, visuals,
batching) -> render, for 1,000 skeleton entities x 17 keypoints scrubbed over N frames.

Prints CPU time per frame for the first pass and for a second pass over the same frames
(which must upload nothing: geometry is cached by row ids), and the per-stage split.

The 3D case: 100 skeleton entities under 3 levels of Transform3D (4 x 5 x 5), every level
animated over the frames, geometry logged once; a frame only changes transforms, so geometry
uploads must stay 0 after the first frame. Its baseline, measured in the same run, is the same
tree with static transforms.
Then `scene_second_pass_uploads=N scene3d_second_pass_uploads=M scene3d_animated_vs_static=R`.

Scale (issue 12): 1,000 and 10,000 skeleton entities x 17 keypoints, a new frame each step:
median scene build ms (the grouped build, scene/grouped.py), the 10,000 / 1,000 ratio, and the
baseline measured in the same run: the per-entity build (`SceneBuilder.grouped.enabled = False`)
on the same stores, plus the rebuild of an unchanged frame. The machine's load average is
printed with the figures (it is shared). The scale case times the build alone: in the passes
above, llvmpipe's render threads run on the same 2 cores while the next frame is built, so
their "scene build" figures include that contention. `--case scale` runs only this part.
Then the same 1,000 entities with their 17 context labels shown (no `show_labels`: rule 7),
grouped vs per-entity. Last two lines: `scene_build_ms_1000=X.X` and `scene_build_ms_10000=Y.Y`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import pyarrow as pa

from annoview.chunk import Chunk, build_chunk, row_ids_to_array
from annoview.render import Renderer
from annoview.scene import SceneBuilder
from annoview.store import Store
from annoview.types import AnnotationContext, ClassDescription
from annoview.types.kinds import Kind
from annoview.render import SceneRenderer

COCO = [(15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9),
        (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6)]


def build_store(entities: int, frames: int, labels: bool = False) -> Store:
    """`labels`: no `show_labels` = False, so rule 7 shows the 17 keypoints' context labels."""
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
        comps = {"Points2D:positions": (Kind.VEC2, cells),
                 "Points2D:class_ids": (Kind.ID, [cls] * frames),
                 "Points2D:keypoint_ids": (Kind.ID, [kps] * frames)}
        if not labels:
            comps["Points2D:show_labels"] = (Kind.BOOL, [np.zeros(1, bool)] * frames)
        store.add_chunk(build_chunk(f"/people/{e}", False, np.ones(frames, np.uint64), lo,
                                    {"frame": ("sequence", np.arange(frames))}, comps))
    return store


_F3 = pa.list_(pa.field("item", pa.float32(), nullable=False), 3)
_AXIS_ANGLE = pa.struct([pa.field("axis", _F3, nullable=False), pa.field("angle", pa.float32(), nullable=False)])
_COUNTER = [10_000_000]


def _rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.arange(_COUNTER[0], _COUNTER[0] + n, dtype=np.uint64)
    _COUNTER[0] += n
    return np.ones(n, np.uint64), lo


def _list_col(values: pa.Array) -> pa.Array:
    return pa.ListArray.from_arrays(pa.array(np.arange(len(values) + 1, dtype=np.int32)), values)


def transform_chunk(path: str, translations: np.ndarray, angles: np.ndarray | None, axis: tuple) -> Chunk:
    """Transform3D rows with Rerun's exact Arrow types: one row per frame (or one static row)."""
    n = len(translations)
    static = angles is None or n == 1
    hi, lo = _rows(n)
    fields = [pa.field("row_id", pa.binary(16), nullable=False)]
    arrays = [row_ids_to_array(hi, lo)]
    if not static:
        fields.append(pa.field("frame", pa.int64(), metadata={b"annoview:index": b"sequence"}))
        arrays.append(pa.array(np.arange(n, dtype=np.int64)))
    tr = pa.FixedSizeListArray.from_arrays(pa.array(translations.astype(np.float32).reshape(-1)), list_size=3)
    tr = tr.cast(_F3)
    cols = {"Transform3D:translation": _list_col(tr)}
    ang = np.zeros(n, np.float32) if angles is None else angles.astype(np.float32)
    ax = pa.FixedSizeListArray.from_arrays(pa.array(np.tile(np.asarray(axis, np.float32), n)), list_size=3).cast(_F3)
    cols["Transform3D:rotation_axis_angle"] = _list_col(pa.StructArray.from_arrays([ax, pa.array(ang)],
                                                                                    fields=list(_AXIS_ANGLE)))
    for name, col in cols.items():
        fields.append(pa.field(name, col.type))
        arrays.append(col)
    md = {b"annoview:entity_path": path.encode(), b"annoview:is_static": b"1" if static else b"0",
          b"annoview:archetype": b"Transform3D"}
    return Chunk(path, static, pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, metadata=md)))


def build_store_3d(frames: int, animated: bool) -> Store:
    """4 x 5 x 5 transformed entities, each leaf with a static 17-keypoint 3D skeleton."""
    store = Store()
    ctx = AnnotationContext([ClassDescription(info=(1, "person", (0, 200, 120)),
                                              keypoint_annotations=[(i, f"kp{i}") for i in range(17)],
                                              keypoint_connections=COCO)])
    store.add_chunk(build_chunk("/", True, *_rows(1), {},
                                {"AnnotationContext:context": (Kind.CONTEXT, [ctx.components["context"]])}))
    rng = np.random.default_rng(1)
    t = np.arange(frames, dtype=np.float64)
    levels = [(4, (0, 0, 1), 3.0), (5, (1, 0, 0), 1.0), (5, (0, 1, 0), 0.3)]
    paths = [""]
    for count, axis, spread in levels:
        nxt = []
        for parent in paths:
            for i in range(count):
                path = f"{parent}/g{i}" if parent else f"/robots/r{i}"
                offset = rng.uniform(-spread, spread, 3)
                n = frames if animated else 1
                tr = np.repeat(offset[None, :], n, 0) + (0.1 * np.sin(t[:n, None] * 0.05 + i) if animated else 0)
                angles = (0.02 * t[:n] + i) if animated else None
                store.add_chunk(transform_chunk(path, tr, angles, axis))
                nxt.append(path)
        paths = nxt
    cls, kps = np.ones(1, np.uint16), np.arange(17, dtype=np.uint16)
    for path in paths:
        pose = rng.normal(0, 0.1, (17, 3)).astype(np.float32)
        store.add_chunk(build_chunk(path, True, *_rows(1), {},
                                    {"Points3D:positions": (Kind.VEC3, [pose]), "Points3D:class_ids": (Kind.ID, [cls]),
                                     "Points3D:keypoint_ids": (Kind.ID, [kps]),
                                     "Points3D:show_labels": (Kind.BOOL, [np.zeros(1, bool)])}))
    return store


def run_3d(frames: int, size: tuple[int, int]) -> tuple[int, float]:
    """(geometry uploads on the second pass, animated / static per-frame CPU cost)."""
    per_frame = {}
    uploads_second = -1
    for animated in (False, True):
        store = build_store_3d(frames, animated)
        builder = SceneBuilder(store)
        renderer = Renderer()
        scenes = SceneRenderer(renderer)
        camera = None
        label = "animated" if animated else "static (baseline)"
        for name in ("first pass", "second pass"):
            u0 = renderer.cache.uploads
            build_t, render_t = [], []
            for f in range(frames):
                t1 = time.perf_counter()
                scene = builder.build("frame", f)
                t2 = time.perf_counter()
                frame, camera = scenes.render_3d(scene, size, camera)
                t3 = time.perf_counter()
                build_t.append(t2 - t1)
                render_t.append(t3 - t2)
            renderer.ctx.finish()
            uploads = renderer.cache.uploads - u0
            cost = statistics.mean(b + r for b, r in zip(build_t, render_t))
            print(f"3d {label}, {name}: CPU {1e3 * cost:.1f} ms/frame (scene build {1e3 * statistics.mean(build_t):.1f}"
                  f" ms, render submit {1e3 * statistics.mean(render_t):.1f} ms), draw calls/frame "
                  f"{frame.stats.draw_calls}, geometry uploads {uploads}, transforms recomputed "
                  f"{builder.transforms_recomputed}")
            if name == "second pass":
                per_frame[animated] = cost
                if animated:
                    uploads_second = uploads
        assert renderer.ctx.error == "GL_NO_ERROR"
        renderer.release()
    return uploads_second, per_frame[True] / per_frame[False]


def _build_ms(store: Store, frames: list[int], grouped: bool) -> tuple[float, float]:
    """(median new-frame build ms, median ms of rebuilding the last frame unchanged)."""
    builder = SceneBuilder(store)
    builder.grouped.enabled = grouped
    builder.build("frame", frames[0])             # first sight of every entity (ids, tables)
    times = []
    for f in frames[1:]:
        t0 = time.perf_counter()
        builder.build("frame", f)
        times.append(time.perf_counter() - t0)
    same = []
    for _ in range(5):
        t0 = time.perf_counter()
        builder.build("frame", frames[-1])
        same.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times), 1e3 * statistics.median(same)


def _live_ms(store: Store, frames: int, entities: int, grouped: bool, updates: int = 10) -> float:
    """A live stream: each step, 10 of the entities get a new row at a new time and the view
    follows it (median build ms). The store is left with the new rows."""
    builder = SceneBuilder(store)
    builder.grouped.enabled = grouped
    builder.build("frame", frames - 1)
    rng = np.random.default_rng(7)
    cls, kps = np.ones(1, np.uint16), np.arange(17, dtype=np.uint16)
    times = []
    for step in range(updates):
        t = frames + step + (0 if grouped else updates)
        for e in rng.choice(entities, 10, replace=False).tolist():
            hi, lo = _rows(1)
            store.add_chunk(build_chunk(f"/people/{e}", False, hi, lo, {"frame": ("sequence", np.array([t]))},
                                        {"Points2D:positions": (Kind.VEC2, [rng.uniform(0, 1900, (17, 2)).astype(np.float32)]),
                                         "Points2D:class_ids": (Kind.ID, [cls]),
                                         "Points2D:keypoint_ids": (Kind.ID, [kps]),
                                         "Points2D:show_labels": (Kind.BOOL, [np.zeros(1, bool)])}))
        t0 = time.perf_counter()
        builder.build("frame", t)
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def run_scale(frames_1k: int, frames_10k: int, baseline_frames: int) -> tuple[float, float]:
    """Grouped vs per-entity scene build at 1,000 and 10,000 entities (see module doc)."""
    figures = {}
    for entities, frames in ((1000, frames_1k), (10000, frames_10k)):
        t0 = time.perf_counter()
        store = build_store(entities, frames)
        load = os.getloadavg()[0]
        grouped, same = _build_ms(store, list(range(frames)), True)
        base, base_same = _build_ms(store, list(range(min(frames, baseline_frames + 1))), False)
        figures[entities] = grouped
        print(f"scale {entities} entities x 17 keypoints ({frames} frames, store {time.perf_counter() - t0:.0f} s "
              f"incl. runs, load {load:.2f}): new frame {grouped:.1f} ms grouped vs {base:.1f} ms per-entity "
              f"(x{base / grouped:.1f}); unchanged frame {same:.2f} ms vs {base_same:.1f} ms")
        if entities == 1000:
            live, live_base = _live_ms(store, frames, entities, True), _live_ms(store, frames, entities, False)
            print(f"scale {entities} entities, live stream updating 10 entities a frame: {live:.1f} ms grouped vs "
                  f"{live_base:.1f} ms per-entity")
        del store
    print(f"scale ratio 10000/1000: {figures[10000] / figures[1000]:.2f} (per-entity grows ~10x); "
          f"load average now {os.getloadavg()[0]:.2f}")
    store = build_store(1000, 20, labels=True)
    labeled, _ = _build_ms(store, list(range(20)), True)
    labeled_base, _ = _build_ms(store, list(range(baseline_frames + 1)), False)
    print(f"scale 1000 entities x 17 keypoints with their context labels shown (rule 7): new frame "
          f"{labeled:.1f} ms grouped vs {labeled_base:.1f} ms per-entity (x{labeled_base / labeled:.1f})")
    return figures[1000], figures[10000]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entities", type=int, default=1000)
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--frames-3d", type=int, default=1000)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--case", choices=("2d", "3d", "scale", "all"), default="all")
    ap.add_argument("--frames-1k", type=int, default=60, help="scale case: frames with 1,000 entities")
    ap.add_argument("--frames-10k", type=int, default=20, help="scale case: frames with 10,000 entities")
    ap.add_argument("--baseline-frames", type=int, default=5, help="scale case: per-entity build frames")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.case == "scale":
        ms_1k, ms_10k = run_scale(args.frames_1k, args.frames_10k, args.baseline_frames)
        print(f"scene_build_ms_1000={ms_1k:.1f}")
        print(f"scene_build_ms_10000={ms_10k:.1f}")
        return
    uploads_3d, ratio_3d = run_3d(args.frames_3d, size) if args.case in ("3d", "all") else (-1, float("nan"))
    if args.case == "3d":
        print(f"scene_second_pass_uploads=- scene3d_second_pass_uploads={uploads_3d} "
              f"scene3d_animated_vs_static={ratio_3d:.2f}")
        return
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
    print(f"scene_second_pass_uploads={uploads_second} scene3d_second_pass_uploads={uploads_3d} "
          f"scene3d_animated_vs_static={ratio_3d:.2f}")
    if args.case == "all":
        ms_1k, ms_10k = run_scale(args.frames_1k, args.frames_10k, args.baseline_frames)
        print(f"scene_build_ms_1000={ms_1k:.1f}")
        print(f"scene_build_ms_10000={ms_10k:.1f}")


if __name__ == "__main__":
    main()
