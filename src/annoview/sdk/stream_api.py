"""The rest of Rerun's `RecordingStream` methods, as a base class of annoview's RecordingStream.

recording.py holds the core (sinks, time, logging); this module adds what Rerun scripts call on
a stream besides that, with Rerun's signatures: `with rec:`, ids, `set_sinks`, `stdout`,
`binary_stream`, properties, `log_file_from_*`, `send_chunks`, and the calls that need a
browser, notebook or server (one notice each; nothing breaks).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..notices import notice_once
from . import current

if TYPE_CHECKING:
    from .byte_sinks import BinaryStream
    from .recording import RecordingStream


class _AutoIndex:
    """Rerun's default `index=` of send_dataframe: pick the index columns automatically."""

    def __repr__(self) -> str:
        return "AUTO_INDEX"


AUTO_INDEX = _AutoIndex()


class RerunStreamAPI:
    """Methods mixed into RecordingStream (see the module doc)."""

    # attributes provided by RecordingStream
    application_id: str
    recording_id: str
    enabled: bool

    # -- context ---------------------------------------------------------------------------------
    def __enter__(self) -> "RecordingStream":
        """`with rec:` makes `rec` this thread's default recording until the block ends."""
        stack = self.__dict__.setdefault("_ctx_prev", [])
        stack.append(current.set_thread_local_data_recording(self))  # type: ignore[arg-type]
        return self  # type: ignore[return-value]

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        stack = self.__dict__.get("_ctx_prev") or [None]
        current.set_thread_local_data_recording(stack.pop())

    # -- identity ----------------------------------------------------------------------------------
    def get_recording_id(self) -> str:
        return self.recording_id

    def get_application_id(recording: "RecordingStream | None" = None) -> str | None:  # noqa: N805 (Rerun's name)
        return recording.application_id if recording is not None else None

    def is_enabled(recording: "RecordingStream | None" = None) -> bool:  # noqa: N805 (Rerun's name)
        return bool(recording is not None and recording.enabled)

    def to_native(self) -> "RecordingStream":
        """Rerun returns its native handle; annoview's stream is its own handle."""
        return self  # type: ignore[return-value]

    # -- sinks ---------------------------------------------------------------------------------------
    def set_sinks(self, *sinks: Any, default_blueprint: Any = None) -> None:
        """Send the recording (also what was logged before) to every sink given."""
        from .byte_sinks import TeeSink
        from .sink_specs import open_sink

        opened = [s for s in (open_sink(spec, self) for spec in sinks) if s is not None]  # type: ignore[arg-type]
        if not opened:
            return
        self._set_sink(opened[0] if len(opened) == 1 else TeeSink(opened))  # type: ignore[attr-defined]

    def stdout(self, default_blueprint: Any = None, *, write_footer: bool = True) -> None:
        """Stream the recording to standard output as `.avr` bytes (pipe it into a file). Like
        Rerun, nothing is written to a terminal: the data stays in memory then, with a notice."""
        import sys

        from .byte_sinks import StdoutSink

        if sys.stdout.isatty():
            notice_once("stdout-tty", "rr.stdout: standard output is a terminal, not a pipe; nothing is written "
                        "there (the data stays in memory for a later save or connect)")
            return
        self._set_sink(StdoutSink(self.application_id, self.recording_id))  # type: ignore[attr-defined]

    def binary_stream(recording: "RecordingStream | None" = None) -> "BinaryStream":  # noqa: N805 (Rerun's name)
        """The recording as bytes read on demand (see byte_sinks.BinaryStream)."""
        from .byte_sinks import BinaryStream

        return BinaryStream(recording)  # type: ignore[arg-type]

    def serve_grpc(self, *, grpc_port: int | None = None, default_blueprint: Any = None,
                   server_memory_limit: str = "1GiB", newest_first: bool = False,
                   cors_allow_origin: list[str] | None = None) -> str:
        """annoview runs no gRPC server: one notice; the data stays in memory for a later
        save/connect. Returns the URL Rerun would have served on."""
        from .sink_specs import GrpcServerSink

        spec = GrpcServerSink(port=grpc_port or 9876)
        self.set_sinks(spec)
        return spec.uri()

    def notebook_show(self, *, width: int | None = None, height: int | None = None, blueprint: Any = None) -> None:
        notice_once("notebook", "notebook_show: annoview has no notebook viewer; open the recording with "
                    "`annoview FILE` (rr.save) or stream to it with rr.spawn / rr.connect")

    def send_blueprint(self, blueprint: Any, *, make_active: bool = True, make_default: bool = True) -> None:
        from ..unsupported import warn_once

        warn_once("rr.send_blueprint")

    # -- properties -------------------------------------------------------------------------------
    def send_property(self, name: str, values: Any) -> None:
        from .properties import send_property

        send_property(self, name, values)  # type: ignore[arg-type]

    def send_recording_name(self, name: str) -> None:
        from .properties import send_recording_name

        send_recording_name(self, name)  # type: ignore[arg-type]

    def send_recording_start_time_nanos(self, nanos: int) -> None:
        from .properties import send_recording_start_time_nanos

        send_recording_start_time_nanos(self, nanos)  # type: ignore[arg-type]

    # -- automatic timelines -------------------------------------------------------------------------
    def set_log_time_enabled(self, enabled: bool) -> None:
        """Whether each log call is stamped on the `log_time` timeline (default: yes, as Rerun)."""
        self.log_time_enabled = bool(enabled)

    def set_log_tick_enabled(self, enabled: bool) -> None:
        """Rerun 0.41 writes no `log_tick` timeline by default and annoview none at all; accepted."""
        self.log_tick_enabled = bool(enabled)

    # -- files and raw data ------------------------------------------------------------------------------
    def log_file_from_path(self, file_path: str | os.PathLike[str], *, entity_path_prefix: str | None = None,
                           static: bool = False) -> None:
        from .log_file import log_file

        log_file(self, file_path, None, entity_path_prefix=entity_path_prefix, static=static)  # type: ignore[arg-type]

    def log_file_from_contents(self, file_path: str | os.PathLike[str], file_contents: bytes, *,
                               entity_path_prefix: str | None = None, static: bool = False) -> None:
        from .log_file import log_file

        log_file(self, file_path, file_contents, entity_path_prefix=entity_path_prefix, static=static)  # type: ignore[arg-type]

    def send_chunks(self, chunks: Any) -> None:
        """Add ready-made chunks (annoview `Chunk`s, e.g. read from another recording) as they are."""
        from ..chunk import Chunk
        from ..errors import ValidationError
        from ..strict import report

        items = [chunks] if isinstance(chunks, Chunk) else chunks
        if not isinstance(items, Iterable):
            report(ValidationError("send_chunks", "chunks", f"expected chunks, got {type(chunks).__name__}"), "nothing sent")
            return
        self._batcher.flush()  # type: ignore[attr-defined]  # keep log order
        for chunk in items:
            if isinstance(chunk, Chunk):
                self._emit(chunk)  # type: ignore[attr-defined]
            else:
                report(ValidationError("send_chunks", "chunks", f"expected annoview chunks, got {type(chunk).__name__}"),
                       "that item not sent")

    def send_dataframe(self, df: Any, *, index: Any = AUTO_INDEX, entity_path: str | None = None) -> None:
        notice_once("send_dataframe", "send_dataframe / send_record_batch (Rerun dataframes) are not supported "
                    "yet and are ignored; log with rr.log or rr.send_columns instead")

    def send_record_batch(self, batch: Any, *, index: Any = AUTO_INDEX, entity_path: str | None = None) -> None:
        self.send_dataframe(batch, index=index, entity_path=entity_path)
