"""`annoview demo [NAME]`: open one of the bundled demo recordings in the viewer.

The recordings ship inside the package (`annoview.assets`, made by `examples/demo_NAME.py`), so
`pip install annoview && annoview demo` works without the source tree or network access. Viewer
options go to the viewer unchanged (`annoview demo tracking --screenshot-to out.png`).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from importlib.resources import as_file, files
from typing import TextIO

# name -> what it shows; the order is the order of `--list` and of docs/demos.md
DEMOS: dict[str, str] = {
    "pose": "people walking as COCO-17 keypoint skeletons, in 2D over an image and in 3D",
    "segmentation": "a dash-cam drive with a per-pixel class mask drawn over the camera image",
    "tracking": "tracked boxes with class colors, per-track labels and trails over a drone view",
    "nested": "two robot cells whose contexts give the same class ids different labels and colors",
}
DEFAULT = "pose"
# Viewer options declared when the viewer module cannot describe its own (see viewer_options).
FALLBACK_OPTIONS = (("--screenshot-to", "OUT.png", "render one frame into a PNG and exit"),
                    ("--window-size", "WxH", "initial window size"),
                    ("--time", "TIMELINE=VALUE", "start at this time"))


def viewer_options() -> list[tuple[list[str], bool, str | None, str | None]]:
    """The viewer's own options as (flags, is_switch, metavar, help).

    argparse cannot pass unknown options through when they come before the optional NAME
    (`annoview demo --headless --screenshot-to x.png`), so the demo command declares the
    viewer's options itself. It asks the viewer module for them (`add_arguments(parser)`), so a
    new viewer option works here without a change here; a short fixed list is the fallback.
    """
    try:
        add_arguments = importlib.import_module("annoview.app.viewer_command").add_arguments
    except (ImportError, AttributeError):
        return [([flag], False, metavar, text) for flag, metavar, text in FALLBACK_OPTIONS]
    probe = argparse.ArgumentParser(add_help=False)
    add_arguments(probe)
    return [(list(a.option_strings), a.nargs == 0, a.metavar, a.help) for a in probe._actions if a.option_strings]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="open a bundled demo recording in the viewer",
                       description="Open a bundled demo recording in the viewer. Names: " + ", ".join(DEMOS)
                       + ". Viewer options may come before NAME; whatever follows NAME goes to the viewer as is.")
    p.add_argument("--list", action="store_true", help="list the demos and exit")
    forwarded: list[tuple[str, str, bool]] = []
    for flags, switch, metavar, text in viewer_options():
        if "--list" in flags or "-h" in flags:
            continue
        dest = "viewer_opt_" + flags[-1].lstrip("-").replace("-", "_")
        if switch:
            p.add_argument(*flags, dest=dest, action="store_true", help=f"viewer: {text}")
        else:
            p.add_argument(*flags, dest=dest, metavar=metavar or flags[-1].lstrip("-").upper().replace("-", "_"),
                           help=f"viewer: {text}")
        forwarded.append((flags[-1], dest, switch))
    p.add_argument("name", nargs="?", default=DEFAULT, metavar="NAME", help=f"default: {DEFAULT}")
    p.add_argument("viewer_args", nargs=argparse.REMAINDER, metavar="...", help="more viewer arguments")
    p.set_defaults(func=run, demo_forwarded=forwarded)


def demo_path(name: str):
    """The bundled recording for `name` (a Traversable: it may live inside a zip)."""
    return files("annoview.assets") / f"{name}.avr"


def list_demos(out: TextIO | None = None) -> None:
    out = out or sys.stdout
    width = max(map(len, DEMOS))
    for name, what in DEMOS.items():
        missing = "" if demo_path(name).is_file() else "  (recording missing from this install)"
        print(f"{name:<{width}}  {what}{missing}", file=out)


def run(args: argparse.Namespace) -> int:
    if args.list:
        list_demos()
        return 0
    name = args.name
    if name not in DEMOS:
        print(f"annoview: error: unknown demo {name!r}; choose from: {', '.join(DEMOS)}", file=sys.stderr)
        return 2
    resource = demo_path(name)
    if not resource.is_file():
        print(f"annoview: error: the {name} demo recording is not in this install "
              f"(make it with `python examples/demo_{name}.py`)", file=sys.stderr)
        return 1
    extra: list[str] = []
    for flag, dest, switch in args.demo_forwarded:
        value = getattr(args, dest)
        if switch and value:
            extra.append(flag)
        elif not switch and value is not None:
            extra += [flag, value]
    extra += args.viewer_args
    with as_file(resource) as path:  # a real file even when the package is zipped
        try:
            viewer = importlib.import_module("annoview.app.viewer_command")
        except ImportError as e:
            why = ("the desktop viewer is not built yet" if getattr(e, "name", None) == "annoview.app.viewer_command"
                   else f"the desktop viewer cannot start ({e})")
            print(f"annoview: error: {why}; try `annoview screenshot {path} --out {name}.png` "
                  f"or `annoview info {path}`", file=sys.stderr)
            return 2
        return int(viewer.run_viewer([str(path), *extra]) or 0)
