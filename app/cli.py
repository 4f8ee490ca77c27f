"""The `annoview` command: `annoview info FILE`, `annoview screenshot FILE ...`, and the viewer.

Every failure the user can cause (missing file, not a recording, bad argument) ends in a one-line
error and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
import warnings

from annoview.errors import AnnoviewError


def _info(args: argparse.Namespace) -> int:
    from .info import print_info

    for path in args.files:
        print_info(path, sys.stdout)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annoview", description="Viewer and tools for annotated recordings.",
        usage="annoview [FILE ...] [viewer options]  |  annoview COMMAND ...",
        epilog="Without a command, `annoview FILE...` opens the desktop viewer (listening for live recordings "
               "on 127.0.0.1:9877); `annoview view --help` lists the viewer's options (--port, --bind, "
               "--screenshot-to, --window-size, --time, --headless, --reset-layout).")
    parser.add_argument("--version", action="version", version=f"annoview {_version()}",
                        help="print the version and exit")
    # `prog` keeps the custom top-level usage out of every subcommand's usage line.
    sub = parser.add_subparsers(dest="command", prog="annoview", metavar="COMMAND")
    p = sub.add_parser("info", help="print entity tree, timelines and annotation contexts of recordings",
                       description="Print what recordings hold: entity tree with archetypes, timelines and their "
                                   "ranges, annotation contexts, chunk counts.")
    p.add_argument("files", nargs="+", metavar="FILE", help="recordings to describe (.avr, or .rrd with rerun-sdk)")
    p.set_defaults(func=_info)
    for name in COMMAND_MODULES:
        module = _command_module(name)
        if module is not None:
            module.register(sub)
    return parser


# Each module defines `register(subparsers)` adding its subcommand with `set_defaults(func=...)`;
# the viewer module also defines `run_viewer(argv)` for `annoview [FILE...]` without a subcommand.
# Modules must import glfw/imgui/moderngl lazily, inside their functions.
COMMAND_MODULES = ("screenshot_command", "convert_command", "serve_command", "demo_command", "viewer_command")


def _command_module(name: str):
    try:
        return importlib.import_module(f"annoview.app.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"annoview.app.{name}":
            return None
        raise


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--version"]:
        print(f"annoview {_version()}")
        return 0
    parser = build_parser()
    subcommands = set(parser._subparsers._group_actions[0].choices) if parser._subparsers else set()
    if argv and argv[0] not in subcommands and _looks_like_command(argv[0]):
        close = difflib.get_close_matches(argv[0], sorted(subcommands), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; commands: {', '.join(sorted(subcommands))}"
        print(f"annoview: error: unknown command '{argv[0]}'{hint}", file=sys.stderr)
        return 2
    if not argv or (argv[0] not in subcommands and argv[0] not in ("-h", "--help")):
        viewer = _command_module("viewer_command")
        if viewer is None:
            if not argv:
                parser.print_help()
                return 2
            print("annoview: error: the desktop viewer is not built yet; try `annoview info FILE`", file=sys.stderr)
            return 2
        return _guarded(lambda: viewer.run_viewer(argv))
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return _guarded(lambda: args.func(args))


def _looks_like_command(word: str) -> bool:
    """A first argument that is no option, no existing path and has no file extension or folder
    part: `annoview inf run.avr` is a typo for a command, not a recording named 'inf'."""
    return (not word.startswith("-") and not os.path.exists(word) and "." not in word
            and "/" not in word and os.sep not in word)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("annoview")
    except Exception:  # noqa: BLE001 - a source checkout without metadata
        return "unknown version"


def _guarded(run) -> int:
    """Run a command, turning user-caused failures into one-line errors."""
    warnings.simplefilter("default")
    warnings.formatwarning = lambda msg, cat, *a, **k: f"annoview: warning: {msg}\n"
    try:
        return int(run() or 0)
    except AnnoviewError as e:
        print(f"annoview: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `annoview info FILE | head`
        sys.stderr.close()
        return 0
    except OSError as e:
        print(f"annoview: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except (MemoryError, RecursionError) as e:  # a last line of defence: the readers bound both
        what = "out of memory" if isinstance(e, MemoryError) else "input nested too deeply"
        print(f"annoview: error: {what} ({type(e).__name__})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
