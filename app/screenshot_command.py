"""`annoview screenshot FILE --out OUT.png`: render the state at a time, headless (EGL)."""
from __future__ import annotations

import argparse

from .timeparse import UsageError, parse_size, parse_time_arg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshot", help="render a recording at a time into a PNG, without a display")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--out", required=True, metavar="OUT.png")
    p.add_argument("--time", metavar="TIMELINE=VALUE", help="default: the end of the first timeline")
    p.add_argument("--size", default="1280x720", metavar="WxH")
    p.add_argument("--space", choices=("2d", "3d"), help="default: 2d when there is 2D content")
    p.add_argument("--rect", metavar="X0,Y0,X1,Y1", help="2D: show exactly this scene rectangle")
    p.set_defaults(func=run)


def parse_rect(text: str) -> tuple[float, float, float, float]:
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"--rect: expected X0,Y0,X1,Y1 numbers, got {text!r}") from None
    if x0 == x1 or y0 == y1:
        raise UsageError(f"--rect: empty rectangle {text!r}")
    return x0, y0, x1, y1


def run(args: argparse.Namespace) -> int:
    import sys

    from annoview.io import load_chunks
    from annoview.render import Camera2D, Renderer, SceneRenderer
    from annoview.scene import SceneBuilder
    from annoview.store import Store

    size = parse_size(args.size)
    rect = parse_rect(args.rect) if args.rect else None
    if not str(args.out).lower().endswith(".png"):
        raise UsageError(f"--out: expected a .png path, got {args.out!r}")
    store = Store()
    store.add_chunks(load_chunks(args.file))
    timeline, t = parse_time_arg(store, args.time)
    scene = SceneBuilder(store).build(timeline, t)
    for entity, problem in scene.problems:
        print(f"annoview: note: {entity}: {problem}", file=sys.stderr)
    space = args.space or ("2d" if scene.visuals_2d or not scene.visuals_3d else "3d")
    if rect is not None and space != "2d":
        raise UsageError("--rect applies to the 2D view only")
    renderer = Renderer()
    try:
        scenes = SceneRenderer(renderer)
        if space == "2d":
            camera = Camera2D.from_rect(*rect, *size) if rect else None
            frame, _ = scenes.render_2d(scene, size, camera)
        else:
            frame, _ = scenes.render_3d(scene, size)
        frame.save_png(args.out)
    finally:
        renderer.release()
    print(f"wrote {args.out} ({size[0]}x{size[1]}, {space}, {timeline or 'static'}={t if t is not None else '-'})",
          file=sys.stderr)
    return 0
