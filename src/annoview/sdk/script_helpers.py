"""`rr.script_add_args` / `rr.script_setup` / `rr.script_teardown`, used by most published Rerun
examples: the same command-line flags, each mapped to the annoview sink that does the job.

    --headless     log without showing a viewer (data stays in memory unless another flag sends it)
    --connect      stream to a running viewer (annoview's at 127.0.0.1:9877, or --url)
    --url URL      the viewer address for --connect (a Rerun URL's host and port are used)
    --save PATH    write the recording to PATH (.avr format)
    --stdout       write the recording to standard output (pipe it into a file)
    --serve        Rerun's web viewer; annoview has none: a notice, the data stays in memory
    (none)         start a viewer (rr.spawn) and stream to it

Unlike Rerun's helper, `script_setup` leaves strict mode as it is: annoview's strict checks are
stricter than Rerun's (it is meant for tests), and a Rerun script must run as it does there.
"""
from __future__ import annotations

from argparse import ArgumentParser, Namespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .recording import RecordingStream


def script_add_args(parser: ArgumentParser) -> None:
    """Add the standard flags (see the module doc) to an argparse parser."""
    parser.add_argument("--headless", action="store_true", help="Don't show a viewer")
    parser.add_argument("--connect", dest="connect", action="store_true", help="Connect to a running viewer")
    parser.add_argument("--serve", dest="serve", action="store_true",
                        help="Rerun's web viewer (not available in annoview: the data is kept in memory)")
    parser.add_argument("--url", type=str, default=None, help="Viewer address for --connect")
    parser.add_argument("--save", type=str, default=None, help="Save the recording to this file")
    parser.add_argument("--stdout", dest="stdout", action="store_true",
                        help="Write the recording to standard output, to be piped into a file")


def script_setup(args: Namespace, application_id: str, *, recording_id: Any = None,
                 default_blueprint: Any = None) -> "RecordingStream":
    """Start the global recording `application_id` and send it where the flags say."""
    import annoview

    rec = annoview.init(application_id, recording_id=recording_id, default_enabled=True)
    if getattr(args, "stdout", False):
        rec.stdout(default_blueprint)
    elif getattr(args, "serve", False):
        url = rec.serve_grpc(default_blueprint=default_blueprint)
        annoview.serve_web_viewer(open_browser=True, connect_to=url)
    elif getattr(args, "connect", False):
        rec.connect_grpc(getattr(args, "url", None))
    elif getattr(args, "save", None) is not None:
        rec.save(args.save, default_blueprint)
    elif not getattr(args, "headless", False):
        rec.spawn()
    return rec


def script_teardown(args: Namespace) -> None:
    """Flush the global recording. (With --serve, Rerun keeps the process alive for its web
    viewer until Ctrl-C; annoview serves nothing, so it returns.)"""
    from .current import get_global_data_recording

    rec = get_global_data_recording()
    if rec is not None:
        rec.flush()
