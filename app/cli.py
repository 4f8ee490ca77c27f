"""The `annoview` command: `annoview info FILE`, `annoview screenshot FILE ...`, and the viewer.

Every failure the user can cause (missing file, not a recording, bad argument) ends in a one-line
error and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from annoview.errors import AnnoviewError


def _info(args: argparse.Namespace) -> int:
    from .info import print_info

    for path in args.files:
        print_info(path, sys.stdout)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="annoview", description="Viewer and tools for annotated recordings.")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("info", help="print entity tree, timelines and annotation contexts of recordings")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=_info)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    warnings.simplefilter("default")
    warnings.formatwarning = lambda msg, cat, *a, **k: f"annoview: warning: {msg}\n"
    try:
        return int(args.func(args) or 0)
    except AnnoviewError as e:
        print(f"annoview: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"annoview: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
