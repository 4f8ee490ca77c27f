"""`annoview [FILE...]` (and `annoview view FILE...`): the desktop viewer.

    annoview recording.avr                  open a recording
    annoview                                an empty viewer, listening for live recordings
    annoview --port 9000 --bind 127.0.0.1   listen elsewhere (rr.spawn / rr.connect)
    annoview rec.avr --screenshot-to ui.png --window-size 1280x720 [--time frame=10]
                                            render the whole UI once, save it, exit

glfw / imgui / moderngl are imported inside run_viewer, so `annoview info` stays light.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from .timeparse import UsageError, parse_size

DEFAULT_PORT = 9877
DEFAULT_BIND = "127.0.0.1"


def build_parser(prog: str = "annoview") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Open recordings in the annoview desktop viewer.")
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", metavar="FILE", help=".avr (or .rrd) recordings to open")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port for live recordings (default {DEFAULT_PORT})")
    p.add_argument("--bind", default=DEFAULT_BIND, help=f"address to listen on (default {DEFAULT_BIND})")
    p.add_argument("--no-listen", action="store_true", help="do not listen for live recordings")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow --bind to a non-loopback address (anyone who can reach it can stream data in)")
    p.add_argument("--wait-for-data", type=float, default=30.0, metavar="SECONDS",
                   help="with --screenshot-to and no FILE: wait this long for streamed data (default 30)")
    p.add_argument("--window-size", metavar="WxH",
                   help="window size (default: the size the window had when last closed, else 1280x800)")
    p.add_argument("--reset-layout", action="store_true",
                   help="start with the default layout, window size and view options instead of the ones "
                        "remembered from the last run (they are saved in the per-user config folder)")
    p.add_argument("--time", metavar="TIMELINE=VALUE", help="start at this time (e.g. frame=10, time=1.5)")
    p.add_argument("--screenshot-to", metavar="OUT.png", help="render the UI once into a PNG and exit")
    p.add_argument("--memory-limit", metavar="SIZE",
                   help="recording data kept in memory per recording, e.g. 2GB, 512MiB, 25%% (of RAM) or none; "
                        "the rest is read back from the file (or a temporary spill file for live data) when "
                        "needed (default: 25%% of RAM)")
    p.add_argument("--headless", action="store_true",
                   help="with --screenshot-to: render offscreen (EGL), no window or display needed")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("view", help="open recordings in the desktop viewer (same as `annoview FILE...`)")
    add_arguments(p)
    p.set_defaults(func=lambda args: _run(args))


def run_viewer(argv: list[str]) -> int:
    return _run(build_parser().parse_args(argv))


def memory_limit_arg(text: str | None) -> int | None:
    """--memory-limit in bytes (None: no limit); the default is a fraction of physical memory."""
    from annoview.store.budget import default_limit, parse_memory_limit

    if text is None:
        return default_limit()
    try:
        return parse_memory_limit(text)
    except ValueError as e:
        raise UsageError(f"--memory-limit: {e}") from None


DEFAULT_SIZE = "1280x800"


def _run(args: argparse.Namespace) -> int:
    size = parse_size(args.window_size or DEFAULT_SIZE, "--window-size")
    args.memory_limit = memory_limit_arg(args.memory_limit)
    if args.screenshot_to and not str(args.screenshot_to).lower().endswith(".png"):
        raise UsageError(f"--screenshot-to: expected a .png path, got {args.screenshot_to!r}")
    if not 0 <= args.port < 65536:
        raise UsageError(f"--port: expected 0..65535, got {args.port}")
    if args.screenshot_to:
        return _screenshot(args, size)
    from .viewer.app import App
    from .viewer.surface import has_display

    if not has_display():
        raise UsageError("no display to open a window on (run under xvfb-run, or use --screenshot-to with --headless)")
    from .viewer.settings import ViewerSettings, config_dir, settings_warning

    listen = None if args.no_listen else (args.bind, args.port)
    folder = config_dir()
    saved = None if args.reset_layout else ViewerSettings.load(folder, settings_warning)
    if args.window_size is None and saved is not None and saved.window_size is not None:
        size = saved.window_size
    app = App(size=size, listen=listen, allow_remote=args.allow_remote, memory_limit=args.memory_limit,
              settings_dir=folder, reset_layout=args.reset_layout, settings=saved)
    previous = _close_on_sigterm(app)
    try:
        for path in args.files:
            app.open(path)
        app.start_time = args.time
        return app.run()
    finally:
        app.release()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _close_on_sigterm(app: "object") -> object | None:
    """SIGTERM (e.g. `kill`, a session logout) closes the window as the close button does, so
    the layout is saved and live recordings are released; returns the previous handler."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return None

    def close(_sig: int, _frame: object) -> None:
        app.surface.request_close()  # type: ignore[attr-defined]
        app.surface.wake()  # type: ignore[attr-defined]

    return signal.signal(signal.SIGTERM, close)


def _screenshot(args: argparse.Namespace, size: tuple[int, int]) -> int:
    from .viewer.app import App
    from .viewer.surface import GlfwSurface, HeadlessSurface, has_display

    headless = args.headless or not has_display()
    surface = HeadlessSurface(size) if headless else GlfwSurface(size, visible=False, vsync=False)
    # without files, a screenshot is of what streams in (e.g. a viewer started by rr.spawn)
    listen = None if args.files or args.no_listen else (args.bind, args.port)
    app = App(surface, listen=listen, allow_remote=args.allow_remote, memory_limit=args.memory_limit)
    try:
        for path in args.files:
            app.open(path, wait=True)
        if listen is not None and not app.wait_for_stream_data(args.wait_for_data):
            app.notifications.error(f"no streamed data arrived on {args.bind}:{args.port} "
                                    f"within {args.wait_for_data:g} s")
        if args.time:
            app.set_time_arg(args.time)
        for n in app.notifications.log():
            print(f"annoview: {n.level}: {n.text}", file=sys.stderr)
        app.screenshot(args.screenshot_to)
        print(f"wrote {args.screenshot_to} ({size[0]}x{size[1]}{', headless' if headless else ''})", file=sys.stderr)
        return 1 if app.notifications.count("error") else 0
    finally:
        app.release()
