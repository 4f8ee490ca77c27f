"""`annoview screenshot FILE --out OUT.png`: render the state at a time, headless (EGL)."""
from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from .timeparse import UsageError, parse_size, parse_time_arg

if TYPE_CHECKING:
    from annoview.render import Camera3D
    from annoview.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshot", help="render a recording at a time into a PNG, without a display",
                       description="Render one view of a recording at one time into a PNG, offscreen (EGL): no "
                                   "window or display needed.")
    p.add_argument("file", metavar="FILE", help="the .avr recording (or .rrd, when rerun-sdk is installed) to render")
    p.add_argument("--out", required=True, metavar="OUT.png", help="the PNG file to write")
    p.add_argument("--time", metavar="TIMELINE=VALUE", help="the time to render, e.g. frame=10 or time=1.5 (default: the end of the first timeline)")
    p.add_argument("--size", default="1280x720", metavar="WxH", help="image size in pixels (default 1280x720)")
    p.add_argument("--space", choices=("2d", "3d"), help="which view to render (default: 2d when there is 2D content, else 3d)")
    p.add_argument("--rect", metavar="X0,Y0,X1,Y1", help="2D: show exactly this scene rectangle")
    p.add_argument("--origin", metavar="ENTITY", help="the entity whose space the view shows (like a Rerun view's "
                   "origin): with --space 2d and a camera entity, its image in pixels")
    p.add_argument("--eye", metavar="X,Y,Z", help="3D: camera position (perspective, 55 degree vertical field of view)")
    p.add_argument("--target", metavar="X,Y,Z", help="3D: the point the camera looks at (the view's center)")
    p.add_argument("--memory-limit", metavar="SIZE", help="recording data kept in memory while rendering, e.g. "
                   "2GB or 25%% (of RAM) or none (default 25%% of RAM): a bigger file streams through it")
    p.add_argument("--up", metavar="X,Y,Z", help="3D: the up direction (default: the scene's ViewCoordinates, else +z)")
    p.add_argument("--color-by", choices=("class", "entity", "instance"), default="class",
                   help="color points, lines and boxes by their annotation class (default), by entity (each "
                   "entity's default color) or by instance index (auto colors), as the viewer's legend offers")
    p.add_argument("--class-style", action="append", default=[], metavar="ID:radius=R,thickness=T",
                   help="scale the point radius and/or line thickness of class ID (in every annotation "
                   "context), e.g. 1:radius=2,thickness=0.5; repeatable")
    p.add_argument("--labels", choices=("auto", "on", "off"), default="auto",
                   help="auto (default): labels as Rerun shows them (entities with fewer than 30 instances, or "
                   "show_labels); on: label every instance (overlapping labels are thinned out); off: no labels")
    p.add_argument("--hide-labels-class", metavar="ID,ID", help="draw no labels for these class ids (in every "
                   "annotation context), as switching their labels off in the legend does")
    p.set_defaults(func=run)


def parse_rect(text: str) -> tuple[float, float, float, float]:
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"--rect: expected X0,Y0,X1,Y1 numbers, got {text!r}") from None
    if x0 == x1 or y0 == y1:
        raise UsageError(f"--rect: empty rectangle {text!r}")
    return x0, y0, x1, y1


def parse_vec3(option: str, text: str) -> tuple[float, float, float]:
    try:
        x, y, z = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"{option}: expected X,Y,Z numbers, got {text!r}") from None
    if not all(math.isfinite(v) for v in (x, y, z)):
        raise UsageError(f"{option}: expected finite numbers, got {text!r}")
    return x, y, z


def eye_camera(args: argparse.Namespace, scene_up: object = None) -> "Camera3D | None":
    """The camera of --eye/--target/--up, None when no eye is given."""
    from annoview.render import Camera3D

    if args.eye is None:
        if args.target is not None or args.up is not None:
            raise UsageError("--target and --up need --eye")
        return None
    if args.target is None:
        raise UsageError("--eye needs --target (the point the view is centered on)")
    eye, target = parse_vec3("--eye", args.eye), parse_vec3("--target", args.target)
    up = parse_vec3("--up", args.up) if args.up is not None else (scene_up if scene_up is not None else "z")
    try:
        return Camera3D.look(eye, target, up)  # type: ignore[arg-type]
    except ValueError as e:
        raise UsageError(f"--eye/--target/--up: {e}") from None


def parse_class_style(text: str) -> tuple[int, float | None, float | None]:
    """`ID:radius=R,thickness=T` (either part optional) -> (class id, radius scale, thickness scale)."""
    from annoview.scene.legend import STYLE_RANGE

    head, sep, rest = text.partition(":")
    try:
        cid = int(head)
    except ValueError:
        cid = -1
    if not sep or not 0 <= cid <= 65535:
        raise UsageError(f"--class-style: expected ID:radius=R,thickness=T with a class id 0..65535, got {text!r}")
    values: dict[str, float] = {}
    for part in rest.split(","):
        name, eq, value = part.partition("=")
        name = name.strip()
        if name not in ("radius", "thickness") or not eq:
            raise UsageError(f"--class-style: expected radius=R and/or thickness=T after the class id, got {part!r}")
        try:
            v = float(value)
        except ValueError:
            v = float("nan")
        if not (STYLE_RANGE[0] <= v <= STYLE_RANGE[1]):
            raise UsageError(f"--class-style: {name} must be a scale from {STYLE_RANGE[0]:g} to {STYLE_RANGE[1]:g}, "
                             f"got {value!r}")
        values[name] = v
    return cid, values.get("radius"), values.get("thickness")


def normalize_origin(text: str, store: "Store") -> str:
    """--origin as a canonical entity path that exists in the recording (or one of its parents)."""
    from annoview.paths import normalize

    try:
        path = normalize(text)
    except Exception as e:  # noqa: BLE001 - any malformed path is a usage error
        raise UsageError(f"--origin: {e}") from None
    paths = store.entity_paths()
    if path != "/" and not any(p == path or p.startswith(path + "/") for p in paths):
        raise UsageError(f"--origin: no entity {path} in the recording")
    return path


def parse_class_ids(option: str, text: str | None) -> list[int]:
    """A comma-separated list of class ids (0..65535)."""
    if not text:
        return []
    try:
        ids = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{option}: expected class ids like 1,2, got {text!r}") from None
    bad = [i for i in ids if not 0 <= i <= 65535]
    if bad:
        raise UsageError(f"{option}: class ids are 0..65535, got {bad[0]}")
    return ids


def run(args: argparse.Namespace) -> int:
    import sys

    from annoview.render import Camera2D, Renderer, SceneRenderer
    from annoview.scene import SceneBuilder, ViewOptions
    from annoview.store import Store
    from annoview.store.ingest import add_file

    from .viewer_command import memory_limit_arg

    size = parse_size(args.size)
    labels_off = parse_class_ids("--hide-labels-class", getattr(args, "hide_labels_class", None))
    rect = parse_rect(args.rect) if args.rect else None
    class_styles = [parse_class_style(text) for text in args.class_style]
    if not str(args.out).lower().endswith(".png"):
        raise UsageError(f"--out: expected a .png path, got {args.out!r}")
    store = Store(memory_limit_arg(args.memory_limit))
    add_file(store, args.file)   # with a limit, chunks beyond it are evicted and read back if the time needs them
    timeline, t = parse_time_arg(store, args.time)
    origin = None
    if args.origin is not None:
        origin = normalize_origin(args.origin, store)
    scene = SceneBuilder(store).build(timeline, t, origin=origin,
                                      options=ViewOptions(labels=getattr(args, "labels", "auto") or "auto"))
    for entity, problem in scene.problems:
        print(f"annoview: note: {entity}: {problem}", file=sys.stderr)
    for line in store.read_problems():    # data the time needs that could not be read from the file
        print(f"annoview: note: {line}", file=sys.stderr)
    space = args.space or ("3d" if args.eye else "2d" if scene.visuals_2d or not scene.visuals_3d else "3d")
    if rect is not None and space != "2d":
        raise UsageError("--rect applies to the 2D view only")
    if args.eye is not None and space != "3d":
        raise UsageError("--eye/--target/--up apply to the 3D view only")
    camera_3d = eye_camera(args, getattr(scene, "view_up", None))
    renderer = Renderer()
    try:
        scenes = SceneRenderer(renderer)
        scenes.edits.set_color_by(args.color_by)
        for owner in {None, *scene.context_owner.values()}:
            for cid, radius, thickness in class_styles:
                scenes.edits.set_style((owner, cid), radius, thickness)
        for key in scene.contexts:          # a class's labels off in every context, as in the legend
            for cid in labels_off:
                scenes.edits.set_labels_off((scene.context_owner.get(key), cid), True)
        if space == "2d":
            camera = Camera2D.from_rect(*rect, *size) if rect else None
            frame, _ = scenes.render_2d(scene, size, camera)
        else:
            frame, _ = scenes.render_3d(scene, size, camera_3d)
        frame.save_png(args.out)
    finally:
        renderer.release()
    print(f"wrote {args.out} ({size[0]}x{size[1]}, {space}, {timeline or 'static'}={t if t is not None else '-'})",
          file=sys.stderr)
    return 0
